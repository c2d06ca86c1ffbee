/**
 * `POST /rest/v1/opportunities/delete.json` and `…/roles/delete.json`: delete records named
 * by GUID (`deleteBy: idField`) or by their dedupe fields, at most 300, one status per
 * record at its `seq`, applied one after another in one store transaction.
 */
import type * as Wire from "@mktows/core/Wire"
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { State } from "../state.js"
import { deleteMObjects } from "../sync.js"
import { decodeParsed, type Endpoint, envelope, notXml, refuse } from "./common.js"
import { idOfGuid, isRefusal, type Kind, names, type Refusal, roleByDedupe } from "./records.js"
import { applyEach, statusOf, tally } from "./statuses.js"

const Request = Schema.Struct({
  deleteBy: Schema.optional(Schema.String),
  input: Schema.optional(Schema.Array(Schema.Unknown))
})

const Record = Schema.Record({ key: Schema.String, value: RestWire.FieldValue })

/** The stored object a delete record names, or why it names none. */
const target = (state: State, kind: Kind, raw: unknown, byGuid: boolean): Wire.MObject | Refusal => {
  const decoded = Schema.decodeUnknownEither(Record)(raw)
  if (Either.isLeft(decoded)) return { ...RestWire.errorCodes.invalidData, message: "a record is an object of scalars" }
  const record = decoded.right
  if (notXml(record) !== undefined) {
    return { code: RestWire.errorCodes.invalidData.code, message: "a character XML 1.0 cannot carry" }
  }
  const type = kind === "opportunities" ? "Opportunity" : "OpportunityPersonRole"
  if (byGuid) {
    const guid = record[names.id]
    if (guid == null) return { code: RestWire.errorCodes.missingParameter.code, message: `${names.id} is required` }
    const id = idOfGuid(kind, String(guid))
    return id === undefined ? RestWire.errorCodes.objectNotFound : { type, id }
  }
  if (kind === "opportunities") {
    const ext = record[names.opportunity]
    if (ext == null) {
      return { code: RestWire.errorCodes.missingParameter.code, message: `${names.opportunity} is required` }
    }
    const found = state.opportunities.byExternalKey({ name: names.opportunity, value: String(ext) })
    return found === undefined ? RestWire.errorCodes.objectNotFound : { type, id: found.id }
  }
  if (record[names.opportunity] == null || record[names.lead] == null || record[names.role] == null) {
    return {
      code: RestWire.errorCodes.missingParameter.code,
      message: `${RestWire.objectKeys.roles.dedupeFields.join(", ")} are required`
    }
  }
  const found = roleByDedupe(state, record)
  return found === undefined ? RestWire.errorCodes.objectNotFound : { type, id: found.id }
}

const remove = (kind: Kind): Endpoint["handle"] => ({ counter, guard, store }, request) =>
  Effect.gen(function*() {
    const json = yield* request.json
    if (json === "drop") return "drop" as const
    const body = yield* decodeParsed(Request, json)
    if (body.input === undefined) return yield* refuse(RestWire.errorCodes.missingParameter, "input")
    const deleteBy = body.deleteBy ?? "dedupeFields"
    if (deleteBy !== "dedupeFields" && deleteBy !== "idField") {
      return yield* refuse(RestWire.errorCodes.invalidData, `deleteBy '${deleteBy}'`)
    }
    if (body.input.length > RestWire.maxRecordsPerCall) {
      return yield* refuse(RestWire.errorCodes.invalidData, `more than ${RestWire.maxRecordsPerCall} records`)
    }
    const input = body.input
    const answered = yield* guard(store.transact((state) =>
      Either.right(applyEach(state, input, (current, raw) => {
        const object = target(current, kind, raw, deleteBy === "idField")
        if (isRefusal(object)) return object
        return deleteMObjects(current, { mObjectList: [object] }).pipe(
          Either.map(([result, next]) => [result.mObjStatusList[0], next] as const)
        )
      }))
    ))
    if (answered === "drop") return "drop" as const
    yield* tally(counter, kind, answered, "DELETE")
    return envelope(answered.map((outcome, seq) => statusOf(outcome, kind, seq, true)))
  })

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = (["opportunities", "roles"] as const).map((kind) => ({
  path: kind === "opportunities" ? RestWire.paths.opportunitiesDelete : RestWire.paths.rolesDelete,
  name: `delete ${kind}`,
  methods: ["POST"],
  body: "json",
  reads: () => false,
  handle: remove(kind)
}))
