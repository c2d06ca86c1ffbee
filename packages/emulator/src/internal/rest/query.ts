/**
 * `GET /rest/v1/opportunities.json` and `GET /rest/v1/opportunities/roles.json`: records by
 * a searchable field, paged by `batchSize` and `nextPageToken`. The same query comes as
 * `POST …?_method=GET` with a form body (Adobe's advice for long URLs) or a JSON body (the
 * Swagger's `LookupCustomObjectRequest`, the only way to give a role's compound key). A query
 * never writes.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Entity, State } from "../state.js"
import {
  decodeParsed,
  type Endpoint,
  envelope,
  intParam,
  listParam,
  mediaType,
  param,
  type Params,
  refuse,
  type RestRefusal,
  type RestRequest
} from "./common.js"
import { defaultFields, idOfGuid, type Kind, names, recordOf, restFieldNames, roleByDedupe } from "./records.js"

const Lookup = Schema.Struct({
  filterType: Schema.optional(Schema.String),
  filterValues: Schema.optional(Schema.Array(Schema.String)),
  input: Schema.optional(Schema.Array(RestWire.Fields)),
  fields: Schema.optional(Schema.Array(Schema.String)),
  batchSize: Schema.optional(Schema.Int),
  nextPageToken: Schema.optional(Schema.String)
})

interface Query {
  readonly filterType: string
  readonly values: ReadonlyArray<string>
  readonly input: ReadonlyArray<RestWire.Fields>
  readonly fields: ReadonlyArray<string> | undefined
  readonly params: Params
}

// A JSON lookup's members as parameters, so one set of checks reads both.
const asParams = (lookup: typeof Lookup.Type, url: Params): Params => {
  const params = new Map(url)
  if (lookup.batchSize !== undefined) params.set("batchSize", [String(lookup.batchSize)])
  if (lookup.nextPageToken !== undefined) params.set("nextPageToken", [lookup.nextPageToken])
  return params
}

const queryOf = (request: RestRequest): Effect.Effect<Query | "drop", RestRefusal> =>
  Effect.gen(function*() {
    if (request.tunnelled && mediaType(request.request.headers["content-type"]) === "application/json") {
      const json = yield* request.json
      if (json === "drop") return "drop" as const
      const lookup = yield* decodeParsed(Lookup, json)
      return {
        filterType: lookup.filterType ?? "dedupeFields",
        values: (lookup.filterValues ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== ""),
        input: lookup.input ?? [],
        fields: lookup.fields,
        params: asParams(lookup, request.params)
      }
    }
    const fields = request.params.has("fields") ? listParam(request.params, "fields") : undefined
    return {
      filterType: param(request.params, "filterType") ?? "",
      values: listParam(request.params, "filterValues"),
      input: [],
      fields,
      params: request.params
    }
  })

const pageToken = (offset: number) => Buffer.from(`offset:${offset}`).toString("base64url")

const offsetOf = (token: string | undefined): number | undefined => {
  if (token === undefined) return 0
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(token, "base64url").toString("utf8"))
  return match === null ? undefined : Number(match[1])
}

/** The records a filter names, in id order, or undefined when the filter is not searchable. */
const select = (state: State, kind: Kind, query: Query): ReadonlyArray<Entity> | undefined => {
  const table = kind === "opportunities" ? state.opportunities : state.roles
  const found = new Map<number, Entity>()
  const add = (e: Entity | undefined) => {
    if (e !== undefined) found.set(e.id, e)
  }
  const rolesOf = (ext: string) => {
    const opportunity = state.opportunities.byExternalKey({ name: names.opportunity, value: ext })
    if (opportunity !== undefined) { for (const role of state.roles.inGroup(opportunity.id, -Infinity)) add(role) }
  }
  // A JSON lookup may name its records in `input` (the Swagger's lookup requests carry it), each
  // by the field the filterType names, as well as in `filterValues`.
  const valuesOf = (field: string): ReadonlyArray<string> => [
    ...query.values,
    ...query.input.flatMap((record) => {
      const value = record[field]
      return value === undefined || value === null ? [] : [String(value)]
    })
  ]
  switch (query.filterType) {
    // "idField" names the object's idField (marketoGUID) as "dedupeFields" names its dedupe
    // fields: lead-database.md says both are always valid filter types.
    case "idField":
    case names.id:
      for (const value of valuesOf(names.id)) {
        const id = idOfGuid(kind, value)
        if (id !== undefined) add(table.get(id))
      }
      break
    case "dedupeFields":
      if (kind === "roles") {
        for (const key of query.input) add(roleByDedupe(state, key))
        break
      }
      for (const value of valuesOf(names.opportunity)) {
        add(state.opportunities.byExternalKey({ name: names.opportunity, value }))
      }
      break
    case names.opportunity:
      for (const value of valuesOf(names.opportunity)) {
        if (kind === "opportunities") add(state.opportunities.byExternalKey({ name: names.opportunity, value }))
        else rolesOf(value)
      }
      break
    case names.lead: {
      if (kind !== "roles") return undefined
      const leads = new Set(valuesOf(names.lead))
      for (const role of state.roles.values()) if (leads.has(String(role.personId))) add(role)
      break
    }
    default:
      return undefined
  }
  return [...found.values()].sort((a, b) => a.id - b.id)
}

const query = (kind: Kind): Endpoint["handle"] => ({ store }, request) =>
  Effect.gen(function*() {
    const q = yield* queryOf(request)
    if (q === "drop") return "drop" as const
    if (q.filterType === "") return yield* refuse(RestWire.errorCodes.missingParameter, "filterType")
    if (q.values.length === 0 && q.input.length === 0) {
      return yield* refuse(RestWire.errorCodes.missingParameter, "filterValues")
    }
    const batchSize = yield* intParam(q.params, "batchSize", {
      min: 1,
      max: RestWire.maxRecordsPerCall,
      fallback: RestWire.maxRecordsPerCall
    })
    const offset = offsetOf(param(q.params, "nextPageToken"))
    if (offset === undefined) return yield* refuse(RestWire.errorCodes.invalidData, "nextPageToken")
    const state = yield* store.state
    const known = new Set(restFieldNames(state, kind))
    const unknown = (q.fields ?? []).find((f) => !known.has(f))
    if (unknown !== undefined) return yield* refuse(RestWire.errorCodes.fieldNotFound, `'${unknown}'`)
    const matches = select(state, kind, q)
    if (matches === undefined) {
      return yield* refuse(RestWire.errorCodes.invalidData, `filterType '${q.filterType}' is not searchable`)
    }
    const fields = q.fields ?? defaultFields(kind)
    const page = matches.slice(offset, offset + batchSize)
    const more = offset + batchSize < matches.length
    return envelope(
      page.map((entity, seq) => recordOf(state, kind, entity, seq, fields)),
      more ? { moreResult: true, nextPageToken: pageToken(offset + batchSize) } : {}
    )
  })

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = (["opportunities", "roles"] as const).map((kind) => ({
  path: kind === "opportunities" ? RestWire.paths.opportunities : RestWire.paths.roles,
  name: `query ${kind}`,
  methods: ["GET"],
  body: "either",
  reads: () => true,
  handle: query(kind)
}))
