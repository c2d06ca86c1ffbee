/**
 * `POST /rest/v1/opportunities.json` and `POST /rest/v1/opportunities/roles.json`: create or
 * update records (`action`, `dedupeBy`), at most 300, one status per record at its `seq`.
 *
 * The records are prepared and applied one after another inside one store transaction, so a
 * record sees the ones before it (as in one Marketo call) and concurrent calls for one key
 * are serialized: twelve concurrent creates of one role make one role, whatever the latency.
 */
import type * as Wire from "@mktows/core/Wire"
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { FieldDef } from "../fields.js"
import type { State } from "../state.js"
import { syncMObjects } from "../sync.js"
import { decodeParsed, type Endpoint, envelope, notXml, refuse } from "./common.js"
import {
  guidOf,
  isFields,
  isRefusal,
  type Kind,
  names,
  recordOf,
  type Refusal,
  roleByDedupe,
  soapNamesOf,
  wireOf
} from "./records.js"
import { applyEach, statusOf, tally } from "./statuses.js"

// Loose where Adobe answers a bad value with its own code rather than 609.
const Request = Schema.Struct({
  action: Schema.optional(Schema.String),
  dedupeBy: Schema.optional(Schema.String),
  input: Schema.optional(Schema.Array(Schema.Unknown))
})

// A Map, not an object literal: an action the client names ("constructor", "__proto__") must
// find nothing, not a member of Object.prototype.
const operations: ReadonlyMap<string, Wire.SyncOperation> = new Map([
  ["createOnly", "INSERT"],
  ["updateOnly", "UPDATE"],
  ["createOrUpdate", "UPSERT"]
])

// The key fields besides the GUID (which names the record) that the describe answers `updateable: false`.
const fixedKeys: Readonly<Record<Kind, ReadonlyArray<string>>> = {
  opportunities: [names.opportunity],
  roles: [names.opportunity, names.lead]
}

/**
 * The refusal of an update by GUID that would change a key field the describe says is not
 * updateable; giving the stored value again is no change. A GUID that names nothing is left to
 * the store, which skips it as not found.
 */
const keyChange = (state: State, kind: Kind, record: RestWire.Fields, id: number | undefined): Refusal | undefined => {
  const existing = id === undefined ? undefined : (kind === "opportunities" ? state.opportunities : state.roles).get(id)
  if (existing === undefined) return undefined
  const stored = recordOf(state, kind, existing, 0, fixedKeys[kind])
  const changed = fixedKeys[kind].find((name) => {
    const given = record[name]
    return given !== undefined && given !== null && String(given) !== String(stored[name] ?? "")
  })
  if (changed !== undefined) {
    return {
      code: RestWire.errorCodes.invalidData.code,
      message: `${changed} is not updateable: the record holds '${String(stored[changed] ?? "")}'`
    }
  }
  // A role's third dedupe field is updateable, but not to the compound key of another role.
  const role = record[names.role]
  const other = kind === "roles" && role !== undefined && role !== null
    ? roleByDedupe(state, { ...stored, [names.role]: role })
    : undefined
  return other === undefined || other.id === existing.id ? undefined : {
    code: RestWire.errorCodes.invalidData.code,
    message: `${names.role} '${String(role)}' of this opportunity and lead is the key of role ${guidOf(kind, other.id)}`
  }
}

/** One record as the store's call, or the reason it is refused, against the state so far. */
const prepare = (
  state: State,
  kind: Kind,
  raw: unknown,
  operation: Wire.SyncOperation,
  byGuid: boolean,
  bySoap: ReadonlyMap<string, FieldDef>
): Wire.MObject | Refusal => {
  // A type check, no transformation: a record that passes is its own decoded value.
  if (!isFields(raw)) return { ...RestWire.errorCodes.invalidData, message: "a record is an object of scalars" }
  const record = raw
  const bad = notXml(record)
  if (bad !== undefined) {
    return { code: RestWire.errorCodes.invalidData.code, message: `${bad} holds a character XML 1.0 cannot carry` }
  }
  if (byGuid && record[names.id] === undefined) {
    return { code: RestWire.errorCodes.missingParameter.code, message: `${names.id} is required with dedupeBy idField` }
  }
  const wire = wireOf(state, kind, record, byGuid, bySoap)
  if (isRefusal(wire)) return wire
  if (byGuid) return keyChange(state, kind, record, wire.id) ?? wire
  if (kind === "opportunities") {
    const key = wire.externalKey
    if (key === undefined) {
      return { code: RestWire.errorCodes.missingParameter.code, message: `${names.opportunity} is required` }
    }
    if (key.value.trim() === "") {
      return { code: RestWire.errorCodes.invalidData.code, message: `${names.opportunity} cannot be blank` }
    }
    if (key.value.length > names.opportunityKeyLength) {
      return {
        code: RestWire.errorCodes.invalidData.code,
        message: `${names.opportunity} is longer than its ${names.opportunityKeyLength} characters`
      }
    }
    // An opportunity is created with its name (Adobe: "name must not be null").
    const creates = operation !== "UPDATE" && state.opportunities.byExternalKey(key) === undefined
    const name = record["name"]
    if (creates && (name === undefined || name === null || String(name).trim() === "")) {
      return { code: RestWire.errorCodes.missingParameter.code, message: "name is required to create an opportunity" }
    }
    return wire
  }
  // A role without its GUID is named by its compound key.
  if (record[names.opportunity] == null || record[names.lead] == null || record[names.role] == null) {
    return {
      code: RestWire.errorCodes.missingParameter.code,
      message: `${RestWire.objectKeys.roles.dedupeFields.join(", ")} are required`
    }
  }
  const existing = roleByDedupe(state, record)
  if (existing !== undefined && operation === "INSERT") return RestWire.errorCodes.alreadyExists
  if (existing === undefined && operation === "UPDATE") return RestWire.errorCodes.objectNotFound
  return existing === undefined ? wire : { ...wire, id: existing.id }
}

const sync = (kind: Kind): Endpoint["handle"] => ({ counter, guard, store }, request) =>
  Effect.gen(function*() {
    const json = yield* request.json
    if (json === "drop") return "drop" as const
    const body = yield* decodeParsed(Request, json)
    if (body.input === undefined) return yield* refuse(RestWire.errorCodes.missingParameter, "input")
    const operation = operations.get(body.action ?? "createOrUpdate")
    if (operation === undefined) return yield* refuse(RestWire.errorCodes.invalidData, `action '${body.action}'`)
    const dedupeBy = body.dedupeBy ?? "dedupeFields"
    if (dedupeBy !== "dedupeFields" && dedupeBy !== "idField") {
      return yield* refuse(RestWire.errorCodes.invalidData, `dedupeBy '${dedupeBy}'`)
    }
    const byGuid = dedupeBy === "idField"
    if (byGuid && operation !== "UPDATE") {
      return yield* refuse(RestWire.errorCodes.invalidData, "dedupeBy idField is only valid with action updateOnly")
    }
    if (body.input.length > RestWire.maxRecordsPerCall) {
      return yield* refuse(RestWire.errorCodes.invalidData, `more than ${RestWire.maxRecordsPerCall} records`)
    }
    const input = body.input
    const answered = yield* guard(store.transact((state, now) => {
      // A write changes no field definitions: the names of the state it starts from hold throughout.
      const bySoap = soapNamesOf(state, kind)
      return Either.right(applyEach(state, input, (current, raw) => {
        const prepared = prepare(current, kind, raw, operation, byGuid, bySoap)
        if (isRefusal(prepared)) return prepared
        return syncMObjects(current, { mObjectList: [prepared], operation }, now).pipe(
          Either.map(([result, next]) => [result.mObjStatusList[0], next] as const)
        )
      }))
    }))
    if (answered === "drop") return "drop" as const
    yield* tally(counter, kind, answered, operation)
    return envelope(answered.map((outcome, seq) => statusOf(outcome, kind, seq, false)))
  })

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = (["opportunities", "roles"] as const).map((kind) => ({
  path: kind === "opportunities" ? RestWire.paths.opportunities : RestWire.paths.roles,
  name: `sync ${kind}`,
  methods: ["POST"],
  body: "json",
  reads: () => false,
  handle: sync(kind)
}))
