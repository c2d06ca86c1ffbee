/**
 * The emulator's REST side, on the SOAP side's port and store: the identity endpoint
 * (`/identity/oauth/token`), the Lead Database opportunity and role endpoints, and the Asset
 * API's program, tag type and channel endpoints, answering in the shapes of Adobe's Swagger.
 *
 * Writes go through the store's SOAP operations, so both APIs share one set of rules; reads
 * look at the store's state. The same limits (as 606/615/607) and injected faults (606, 615,
 * 611, or a dropped connection) apply as on the SOAP side.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Wire from "@mktows/core/Wire"
import * as RestMapping from "@mktows/rest/RestMapping"
import * as RestWire from "@mktows/rest/RestWire"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { randomBytes } from "node:crypto"
import { EmulatorFault } from "../fault.js"
import type { Limiter } from "../limits.js"
import type { State } from "../state.js"
import type { Call, Store } from "../store.js"
import { guidOf, idOfGuid, type Kind, programOf, recordOf, type Refusal, roleByDedupe, wireOf } from "./records.js"

/** @internal */
export const defaults = {
  clientId: "mktows-demo-client",
  clientSecret: "mktows-demo-secret",
  tokenTtlSeconds: 3600
} as const

/** @internal */
export const restPath = "/rest"
/** @internal */
export const identityPath = "/identity"

/** Whether a path belongs to the REST side. @internal */
export const handles = (pathname: string): boolean =>
  pathname.startsWith(`${restPath}/`) || pathname.startsWith(`${identityPath}/`)

/** @internal */
export interface RestOptions {
  readonly clientId?: string
  readonly clientSecret?: Redacted.Redacted<string>
  readonly tokenTtl?: number
}

/** What the REST side takes from the server it is mounted on. @internal */
export interface Mount {
  readonly store: Store
  readonly limiter: Limiter
  readonly enforceLimits: boolean
  readonly latency: Duration.Duration
  /** The server's injected fault for one call: none, a cut connection, or a fault. */
  readonly inject: Effect.Effect<"none" | "drop" | EmulatorFault>
}

/** SOAP codes of the server's limits and faults, as REST says them. */
const restCode: Record<number, string> = { 20023: "606", 20024: "615", 20015: "607", 20011: "611", 10001: "611" }

const requestId = () => `${randomBytes(3).toString("hex")}#${randomBytes(5).toString("hex")}`

const envelope = (result: ReadonlyArray<unknown>, extra: Record<string, unknown> = {}) =>
  HttpServerResponse.unsafeJson({ requestId: requestId(), success: true, errors: [], warnings: [], result, ...extra })

const refused = (code: string, message: string) =>
  HttpServerResponse.unsafeJson({ requestId: requestId(), success: false, errors: [{ code, message }], warnings: [] })

/** A response-level REST error the emulator answers with. */
class RestRefusal extends Data.TaggedError("RestRefusal")<{ readonly code: string; readonly text: string }> {}

const reject = (code: string, text: string) => Effect.fail(new RestRefusal({ code, text }))

const decode = <A, I>(schema: Schema.Schema<A, I>, text: string) =>
  Effect.mapError(
    Schema.decodeUnknown(Schema.parseJson(schema))(text),
    () => new RestRefusal({ code: "609", text: "Invalid JSON" })
  )

// Swagger requires a marketoGUID on every record status: "" when no record is concerned.
const statusOf = (status: Wire.MObjStatus, kind: Kind, seq: number, deleting: boolean): RestWire.RecordStatus => {
  const guid = { marketoGUID: status.id > 0 ? guidOf(kind, status.id) : "" }
  switch (status.status) {
    case "CREATED":
      return { seq, ...guid, status: "created" }
    case "UPDATED":
    case "UNCHANGED":
      return deleting
        ? { seq, ...guid, status: "skipped", reasons: [{ code: "1013", message: "Object not found" }] }
        : { seq, ...guid, status: "updated" }
    case "DELETED":
      return { seq, ...guid, status: "deleted" }
    case "SKIPPED":
      return {
        seq,
        ...guid,
        status: "skipped",
        reasons: [
          (status.error ?? "").includes("exists")
            ? { code: "1017", message: "Object already exists" }
            : { code: "1013", message: "Object not found" }
        ]
      }
    default:
      return { seq, ...guid, status: "skipped", reasons: [{ code: "1003", message: status.error ?? "Invalid value" }] }
  }
}

const isRefusal = (w: Wire.MObject | Refusal): w is Refusal => "code" in w

/** @internal */
export const make = (mount: Mount, options: RestOptions) =>
  Effect.gen(function*() {
    const clientId = options.clientId ?? defaults.clientId
    const clientSecret = Redacted.value(options.clientSecret ?? Redacted.make(defaults.clientSecret))
    const ttlMillis = (options.tokenTtl ?? defaults.tokenTtlSeconds) * 1000
    const tokens = yield* Ref.make(new Map<string, number>())
    const { store } = mount

    // One call as the server counts it: latency, an injected fault, the limits; "drop" when
    // the connection is to be cut after the call was applied.
    const guard = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A | "drop", E | EmulatorFault> => {
      const run = Effect.gen(function*() {
        if (Duration.toMillis(mount.latency) > 0) yield* Effect.sleep(mount.latency)
        const injected = yield* mount.inject
        if (injected instanceof EmulatorFault) return yield* Effect.fail(injected)
        const result = yield* effect
        return injected === "drop" ? "drop" as const : result
      })
      return mount.enforceLimits ? mount.limiter.guard(run) : run
    }

    const identity = (
      request: HttpServerRequest.HttpServerRequest,
      url: URL,
      text: Effect.Effect<string | undefined>
    ) =>
      Effect.gen(function*() {
        if (url.pathname !== `${identityPath}/oauth/token`) return HttpServerResponse.text("Not found", { status: 404 })
        const body = request.method === "POST" ? (yield* text) ?? "" : ""
        const form = new URLSearchParams(body)
        const param = (name: string) => form.get(name) ?? url.searchParams.get(name)
        if (
          param("grant_type") !== "client_credentials" || param("client_id") !== clientId ||
          param("client_secret") !== clientSecret
        ) {
          return HttpServerResponse.unsafeJson(
            { error: "unauthorized", error_description: "Bad client credentials" },
            { status: 401 }
          )
        }
        const now = yield* Clock.currentTimeMillis
        const token = `${randomBytes(16).toString("hex")}:emu`
        yield* Ref.update(tokens, (map) => {
          const next = new Map([...map].filter(([, expiry]) => expiry > now))
          next.set(token, now + ttlMillis)
          return next
        })
        return HttpServerResponse.unsafeJson({
          access_token: token,
          token_type: "bearer",
          expires_in: Math.floor(ttlMillis / 1000),
          scope: "mktows-emulator@example.com"
        })
      })

    const authenticate = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const header = request.headers["authorization"] ?? ""
        const match = /^Bearer\s+(\S+)$/i.exec(header)
        if (match === null) return yield* reject("601", "Access token invalid")
        const expiry = (yield* Ref.get(tokens)).get(match[1] ?? "")
        if (expiry === undefined) return yield* reject("601", "Access token invalid")
        if ((yield* Clock.currentTimeMillis) >= expiry) return yield* reject("602", "Access token expired")
      })

    const apply = (call: Call) => guard(store.call(call))

    const records = (kind: Kind, deleting: boolean, text: string) =>
      Effect.gen(function*() {
        const state = yield* store.state
        const request = deleting
          ? yield* decode(RestWire.DeleteRequest, text)
          : yield* decode(RestWire.SyncRequest, text)
        if (request.input.length > RestWire.maxRecordsPerCall) {
          return yield* reject("1003", `more than ${RestWire.maxRecordsPerCall} records`)
        }
        const sync = deleting ? undefined : (request as RestWire.SyncRequest)
        const byGuid = sync === undefined
          ? (request as RestWire.DeleteRequest).deleteBy === "idField"
          : sync.dedupeBy === "idField"
        const action = sync === undefined ? undefined : sync.action ?? "createOrUpdate"
        if (byGuid && action !== undefined && action !== "updateOnly") {
          return yield* reject("1003", "dedupeBy idField is only valid with updateOnly")
        }
        const operation: Wire.SyncOperation = action === "createOnly"
          ? "INSERT"
          : action === "updateOnly"
          ? "UPDATE"
          : "UPSERT"
        const prepared = request.input.map((record): Wire.MObject | Refusal => {
          const wire = wireOf(state, kind, record, byGuid)
          if (isRefusal(wire) || byGuid) return wire
          if (kind === "opportunities") {
            return wire.externalKey === undefined
              ? { code: "1003", message: "externalOpportunityId is required" }
              : deleting
              ? { type: wire.type, externalKey: wire.externalKey }
              : wire
          }
          // A role without its GUID is named by its compound key.
          if (record["leadId"] === undefined || record["role"] === undefined) {
            return { code: "1003", message: "externalOpportunityId, leadId and role are required" }
          }
          const existing = roleByDedupe(state, record)
          if (deleting) {
            return existing === undefined
              ? { code: "1013", message: "Object not found" }
              : { type: wire.type, id: existing.id }
          }
          if (existing !== undefined && operation === "INSERT") {
            return { code: "1017", message: "Object already exists" }
          }
          if (existing === undefined && operation === "UPDATE") {
            return { code: "1013", message: "Object not found" }
          }
          return existing === undefined ? wire : { ...wire, id: existing.id }
        })
        const sendable = prepared.flatMap((w, seq) => isRefusal(w) ? [] : [{ seq, w }])
        // A delete names by GUID or key; the store deletes by id.
        const mObjectList = sendable.map(({ w }) =>
          deleting && w.id === undefined && w.externalKey !== undefined
            ? { type: w.type, id: state.opportunities.byExternalKey(w.externalKey)?.id ?? 0 }
            : w
        )
        // REST takes 300 records a call, the store's SOAP operations 100: one guarded call, applied in parts.
        const parts = Array.from(
          { length: Math.ceil(mObjectList.length / 100) },
          (_, i) => mObjectList.slice(i * 100, i * 100 + 100)
        )
        const answers = yield* guard(Effect.forEach(parts, (part) =>
          store.call(
            deleting
              ? { operation: "deleteMObjects", params: { mObjectList: part } }
              : { operation: "syncMObjects", params: { mObjectList: part, operation } }
          )))
        if (answers === "drop") return "drop" as const
        const statuses = answers.flatMap((answer) =>
          "mObjStatusList" in answer.result ? answer.result.mObjStatusList : []
        )
        const result = prepared.map((w, seq): RestWire.RecordStatus =>
          isRefusal(w)
            ? { seq, marketoGUID: "", status: "skipped", reasons: [{ code: w.code, message: w.message }] }
            : { seq, marketoGUID: "", status: "skipped" }
        )
        sendable.forEach(({ seq }, i) => {
          const status = statuses[i]
          if (status !== undefined) {
            // The delete of an unknown id answers UNCHANGED: not found.
            result[seq] = status.id === 0 && deleting
              ? { seq, marketoGUID: "", status: "skipped", reasons: [{ code: "1013", message: "Object not found" }] }
              : statusOf(status, kind, seq, deleting)
          }
        })
        return envelope(result)
      })

    const query = (kind: Kind, url: URL) =>
      Effect.gen(function*() {
        const state = yield* store.state
        const filterType = url.searchParams.get("filterType") ?? ""
        const values = (url.searchParams.get("filterValues") ?? "").split(",").filter((v) => v !== "")
        if (filterType === "" || values.length === 0) {
          return yield* reject("1003", "filterType and filterValues are required")
        }
        const fieldsParam = url.searchParams.get("fields")
        const fields = fieldsParam === null ? undefined : fieldsParam.split(",").filter((f) => f !== "")
        const batchSize = Math.min(RestWire.maxRecordsPerCall, Number(url.searchParams.get("batchSize") ?? 300) || 300)
        const token = url.searchParams.get("nextPageToken")
        const offset = token === null
          ? 0
          : Number(Buffer.from(token, "base64url").toString("utf8").replace(/^offset:/, ""))
        if (!Number.isInteger(offset) || offset < 0) return yield* reject("1003", "invalid nextPageToken")
        const matches = select(state, kind, filterType, values)
        if (matches === undefined) return yield* reject("1003", `filterType ${filterType} is not searchable`)
        const page = matches.slice(offset, offset + batchSize)
        const more = offset + batchSize < matches.length
        return envelope(
          page.map((entity, seq) => recordOf(state, kind, entity, seq, fields)),
          more
            ? { moreResult: true, nextPageToken: Buffer.from(`offset:${offset + batchSize}`).toString("base64url") }
            : {}
        )
      })

    const describe = (kind: Kind) =>
      Effect.map(store.state, (state: State) => {
        const defs = kind === "opportunities" ? state.opportunityFields : state.roleFields
        const bySoap = new Map(
          (kind === "opportunities" ? RestMapping.opportunityFields : RestMapping.roleFields).map((
            f
          ) => [f.soap, f.rest])
        )
        const fields: Array<RestWire.ObjectField> = [
          { name: "marketoGUID", displayName: "Marketo GUID", dataType: "string", length: 36, updateable: false },
          {
            name: "externalOpportunityId",
            displayName: "External Opportunity Id",
            dataType: "string",
            length: 50,
            updateable: false
          },
          ...(kind === "roles"
            ? [{ name: "leadId", displayName: "Lead Id", dataType: "integer", updateable: false }]
            : []),
          ...defs.filter((d) => !["Id", "CreatedAt", "UpdatedAt", "OpportunityId", "PersonId"].includes(d.name)).map((
            d
          ) => ({
            name: bySoap.get(d.name) ?? d.name,
            displayName: d.displayName,
            dataType: d.dataType,
            ...(d.size === undefined ? {} : { length: d.size }),
            updateable: d.readonly !== true
          })),
          { name: "createdAt", displayName: "Created At", dataType: "datetime", updateable: false },
          { name: "updatedAt", displayName: "Updated At", dataType: "datetime", updateable: false }
        ]
        const dedupeFields = kind === "opportunities"
          ? ["externalOpportunityId"]
          : ["externalOpportunityId", "leadId", "role"]
        return envelope([{
          name: kind === "opportunities" ? "opportunity" : "opportunityRole",
          apiName: kind === "opportunities" ? "opportunity" : "opportunityRole",
          displayName: kind === "opportunities" ? "Opportunity" : "Opportunity Role",
          pluralName: kind === "opportunities" ? "Opportunities" : "Opportunity Roles",
          description: kind === "opportunities" ? "Opportunity" : "Opportunity Role",
          createdAt: "2013-01-01T00:00:00Z",
          updatedAt: "2013-01-01T00:00:00Z",
          idField: "marketoGUID",
          dedupeFields,
          searchableFields: kind === "opportunities"
            ? [["externalOpportunityId"], ["marketoGUID"]]
            : [["dedupeFields"], ["marketoGUID"], ["leadId"], ["externalOpportunityId"]],
          relationships: [],
          fields,
          state: "approved",
          status: "approved",
          version: "approved"
        }])
      })

    const programGet = (id: number) =>
      Effect.flatMap(store.state, (state) => {
        const program = state.programs.get(id)
        return program === undefined ? reject("702", "No data found") : Effect.succeed(envelope([programOf(program)]))
      })

    const programUpdate = (id: number, text: string) =>
      Effect.gen(function*() {
        const form = new URLSearchParams(text)
        const parse = <A, I>(name: string, schema: Schema.Schema<A, I>) => {
          const raw = form.get(name)
          return raw === null
            ? Effect.succeed(undefined)
            : Effect.mapError(
              Schema.decodeUnknown(Schema.parseJson(schema))(raw),
              () => new RestRefusal({ code: "709", text: `${name} is not valid` })
            )
        }
        const costs = yield* parse("costs", Schema.Array(RestWire.ProgramCost))
        const tags = yield* parse("tags", Schema.Array(RestWire.ProgramTag))
        if (form.get("costsDestructiveUpdate") === "true") {
          return yield* reject("709", "costsDestructiveUpdate is not supported by the emulator")
        }
        for (const c of costs ?? []) {
          if (!/^\d{4}-\d{2}-01/.test(c.startDate)) {
            return yield* reject("709", `cost startDate ${c.startDate} is not the first of a month`)
          }
        }
        const typeAttribList: Array<Wire.TypeAttrib> = [
          ...(costs ?? []).map((c) => ({
            attrType: "Cost",
            attrList: [
              { name: "Month", value: c.startDate.slice(0, 7) },
              { name: "Amount", value: String(c.cost) },
              ...(c.note === undefined ? [] : [{ name: "Note", value: c.note }])
            ]
          })),
          ...(tags ?? []).map((t) => ({
            attrType: "Tag",
            attrList: [{ name: "Type", value: t.tagType }, { name: "Value", value: t.tagValue }]
          }))
        ]
        const answer = yield* apply({
          operation: "syncMObjects",
          params: {
            operation: "UPDATE",
            mObjectList: [{ type: "Program", id, ...(typeAttribList.length > 0 ? { typeAttribList } : {}) }]
          }
        })
        if (answer === "drop") {
          return "drop" as const
        }
        const status = answer.operation === "syncMObjects" ? answer.result.mObjStatusList[0] : undefined
        if (status?.status === "SKIPPED") return yield* reject("702", "No data found")
        if (status?.status === "FAILED") return yield* reject("709", status.error ?? "Program update failed")
        return yield* programGet(id)
      })

    const programs = (url: URL) =>
      Effect.map(store.state, (state) => {
        const maxReturn = Math.min(200, Number(url.searchParams.get("maxReturn") ?? 20) || 20)
        const offset = Number(url.searchParams.get("offset") ?? 0) || 0
        const page = [...state.programs.values()].slice(offset, offset + maxReturn)
        return page.length === 0
          ? refused("702", "No assets found for the given search criteria.")
          : envelope(page.map(programOf))
      })

    const tagTypes = Effect.map(store.state, (state) =>
      envelope(
        [...state.tagTypes].filter(([type]) => type !== "Channel").map(([type, values]) => ({
          tagType: type,
          applicableProgramTypes: "Default,Event,Event with Webinar,Engagement,Email",
          required: false,
          allowableValues: values.join(",")
        }))
      ))

    const channels = Effect.map(store.state, (state) =>
      envelope((state.tagTypes.get("Channel") ?? []).map((name, i) => ({
        id: i + 1,
        name,
        applicableProgramType: "Default",
        createdAt: "2013-01-01T00:00:00Z",
        updatedAt: "2013-01-01T00:00:00Z",
        progressionStatuses: []
      }))))

    const api = (request: HttpServerRequest.HttpServerRequest, url: URL, text: Effect.Effect<string | undefined>) =>
      Effect.gen(function*() {
        yield* authenticate(request)
        const path = url.pathname.slice(restPath.length)
        const get = request.method === "GET"
        const body = request.method === "POST" ? yield* text : ""
        if (body === undefined) return yield* reject("1003", "request body too large")
        const program = /^\/asset\/v1\/program\/(\d+)\.json$/.exec(path)
        const route = (): Effect.Effect<
          HttpServerResponse.HttpServerResponse | "drop",
          RestRefusal | EmulatorFault
        > => {
          switch (path) {
            case RestWire.paths.opportunities:
              return get ? query("opportunities", url) : records("opportunities", false, body)
            case RestWire.paths.roles:
              return get ? query("roles", url) : records("roles", false, body)
            case RestWire.paths.opportunitiesDelete:
              return records("opportunities", true, body)
            case RestWire.paths.rolesDelete:
              return records("roles", true, body)
            case RestWire.paths.opportunitiesDescribe:
              return describe("opportunities")
            case RestWire.paths.rolesDescribe:
              return describe("roles")
            case RestWire.paths.programs:
              return programs(url)
            case RestWire.paths.tagTypes:
              return tagTypes
            case RestWire.paths.channels:
              return channels
          }
          if (program !== null) {
            const id = Number(program[1])
            return get ? programGet(id) : programUpdate(id, body)
          }
          return reject("610", "Requested resource not found")
        }
        // Reads are guarded here, writes where they are applied: every call counts once.
        return yield* get ? guard(route()) : route()
      })

    /** Answers one REST or identity request; `body` reads the request body (undefined when too large). */
    return (request: HttpServerRequest.HttpServerRequest, url: URL, body: Effect.Effect<string | undefined>) =>
      (url.pathname.startsWith(`${identityPath}/`) ? identity(request, url, body) : api(request, url, body)).pipe(
        Effect.catchAll((error) =>
          Effect.succeed(
            error instanceof EmulatorFault
              ? refused(restCode[error.code] ?? "611", error.detail)
              : refused(error.code, error.text)
          )
        )
      )
  })

const select = (state: State, kind: Kind, filterType: string, values: ReadonlyArray<string>) => {
  const table = kind === "opportunities" ? state.opportunities : state.roles
  const found = new Map<number, ReturnType<typeof table.get> & object>()
  const add = (e: ReturnType<typeof table.get>) => {
    if (e !== undefined) found.set(e.id, e)
  }
  for (const value of values) {
    switch (filterType) {
      case "marketoGUID": {
        const id = idOfGuid(kind, value)
        if (id !== undefined) add(table.get(id))
        break
      }
      case "externalOpportunityId":
      case "dedupeFields": {
        const opportunity = state.opportunities.byExternalKey({ name: RestMapping.keys.opportunityDedupe, value })
        if (kind === "opportunities") add(opportunity)
        else if (opportunity !== undefined) {
          for (const role of state.roles.values()) if (role.opportunityId === opportunity.id) add(role)
        }
        break
      }
      case "leadId":
        if (kind !== "roles") return undefined
        for (const role of state.roles.values()) if (String(role.personId) === value) add(role)
        break
      default:
        return undefined
    }
  }
  return [...found.values()].sort((a, b) => a.id - b.id)
}
