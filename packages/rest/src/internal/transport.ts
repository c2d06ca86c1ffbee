/**
 * The REST transport: each MObject operation as one or more REST requests, with the bearer
 * token of RestIdentity, answers decoded with RestWire's Schemas and read back into SOAP's
 * wire records.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Limits from "@mktows/core/Limits"
import type { TransportCallError } from "@mktows/core/MarketoError"
import { ProtocolError, quote, TransportError } from "@mktows/core/MarketoError"
import type { MarketoTransportShape } from "@mktows/core/MarketoTransport"
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Schema from "effect/Schema"
import { RestConfig } from "../RestConfig.js"
import { RestIdentity } from "../RestIdentity.js"
import * as RestWire from "../RestWire.js"
import * as CustomFields from "./customFields.js"
import * as Guards from "./guards.js"
import * as Http from "./http.js"
import * as Query from "./query.js"
import * as ReadBack from "./readBack.js"
import * as Refusals from "./refusals.js"
import * as Requests from "./requests.js"
import * as Statuses from "./statuses.js"

type Envelope<A> = {
  readonly success: boolean
  readonly errors?: ReadonlyArray<RestWire.Reason>
  readonly result?: ReadonlyArray<A>
  readonly moreResult?: boolean
  readonly nextPageToken?: string
}

/** An answer whose errors are about the request's target, not the call (e.g. no such program). */
export type Answer<A> =
  | { readonly _tag: "Ok"; readonly value: Envelope<A> }
  | { readonly _tag: "Refused"; readonly reasons: ReadonlyArray<RestWire.Reason> }

const paths = {
  opportunities: { sync: RestWire.paths.opportunities, delete: RestWire.paths.opportunitiesDelete },
  roles: { sync: RestWire.paths.roles, delete: RestWire.paths.rolesDelete }
} as const

const describePath = {
  Opportunity: RestWire.paths.opportunitiesDescribe,
  OpportunityPersonRole: RestWire.paths.rolesDescribe
} as const

const programPageSize = 200

/** Response-level codes that end the whole call; any other belongs to its target. */
const callLevel = (code: string) =>
  Http.tokenCodes.has(code) || Http.soapCodeOf.has(code) || Http.transientCodes.has(code)

export interface Options {
  readonly maxResponseBytes?: number
}

export const make = (
  options: Options = {}
): Effect.Effect<MarketoTransportShape, never, HttpClient.HttpClient | RestConfig | RestIdentity> =>
  Effect.gen(function*() {
    const maxResponseBytes = options.maxResponseBytes !== undefined && Number.isSafeInteger(options.maxResponseBytes) &&
        options.maxResponseBytes > 0
      ? options.maxResponseBytes
      : Limits.maxMessageBytes
    const config = yield* RestConfig
    const identity = yield* RestIdentity
    const client = yield* HttpClient.HttpClient

    /**
     * One REST request with the current token; 601/602 refresh the token and send it once
     * more. Call-level errors fail; errors about the target come back as `Refused`.
     */
    /**
     * The current token. A failure to get one is certain to have applied nothing (no record
     * request went out with it): an identity answer that is not a token becomes a
     * `TransportError` that says so, with the ProtocolError as its cause.
     */
    const token = identity.token.pipe(
      Effect.catchTag("ProtocolError", (error) =>
        Effect.fail(
          new TransportError({
            reason: "Connection",
            operation: "identity",
            description: `no access token: ${error.message}`,
            ambiguous: false,
            cause: error
          })
        ))
    )

    /**
     * One REST request with the current token; 601/602 refresh the token and send it once
     * more. Call-level errors fail; errors about the target come back as `Refused`.
     */
    const send = <A, I>(
      operation: string,
      build: (base: string) => HttpClientRequest.HttpClientRequest,
      schema: Schema.Schema<Envelope<A>, I>,
      guard?: (value: unknown) => value is Envelope<A>
    ): Effect.Effect<Answer<A>, TransportCallError> => {
      const attempt = (refreshed: boolean): Effect.Effect<Answer<A>, TransportCallError> =>
        Effect.gen(function*() {
          const current = yield* token
          // A server that echoes the request (its bearer header) must not put the token into an error.
          const secrets = [Redacted.value(current)]
          const request = build(config.endpoint).pipe(
            HttpClientRequest.acceptJson,
            HttpClientRequest.bearerToken(Redacted.value(current))
          )
          const response = yield* client.execute(request).pipe(
            Effect.mapError(Http.connectionError(operation, secrets))
          )
          const text = yield* Http.readText(response, operation, secrets, true, maxResponseBytes)
          yield* Effect.logDebug(`HTTP ${response.status}, ${text.length} characters read`)
          if (response.status !== 200) {
            return yield* Effect.fail(Http.statusError(operation, response.status, text, secrets))
          }
          const answer = yield* Http.decodeJson(schema, text, operation, secrets, guard)
          if (answer.success) return { _tag: "Ok", value: answer } as const
          const errors = answer.errors ?? []
          const first = errors[0]
          if (first === undefined) {
            return yield* Effect.fail(
              new ProtocolError({
                reason: "SchemaMismatch",
                detail: `${operation}: success false without errors`,
                received: Http.excerpt(text, secrets)
              })
            )
          }
          const code = String(first.code)
          if (Http.tokenCodes.has(code) && !refreshed) {
            yield* identity.invalidate(current)
            return yield* attempt(true)
          }
          if (callLevel(code)) return yield* Effect.fail(Http.restError(operation, code, first.message))
          return { _tag: "Refused", reasons: errors } as const
        })
      return attempt(false).pipe(
        Effect.annotateLogs({ "mktows.operation": operation }),
        Effect.withSpan("mktows.RestTransport.request", { attributes: { "mktows.operation": operation } })
      )
    }

    const refusedText = Statuses.reasonText

    const records = (
      operation: "syncMObjects" | "deleteMObjects",
      part: Extract<Requests.Part, { _tag: "Records" }>,
      sync: Wire.SyncOperation | undefined,
      statuses: Array<Wire.MObjStatus | undefined>,
      sentKeys: ReadonlyArray<Wire.Attrib | undefined>
    ): Effect.Effect<void, TransportCallError> => {
      const body = sync === undefined
        ? { deleteBy: part.byGuid ? "idField" : "dedupeFields", input: part.input }
        : {
          action: Requests.actionOf(sync),
          ...(sync === "UPDATE" ? { dedupeBy: part.byGuid ? "idField" : "dedupeFields" } : {}),
          input: part.input
        }
      const path = sync === undefined ? paths[part.endpoint].delete : paths[part.endpoint].sync
      return send(
        operation,
        (base) => HttpClientRequest.post(base + path).pipe(HttpClientRequest.bodyUnsafeJson(body)),
        RestWire.StatusResponse,
        Guards.isStatusResponse
      ).pipe(Effect.flatMap((answer) => {
        if (answer._tag === "Refused") {
          part.indexes.forEach((index) => {
            statuses[index] = { id: 0, status: "FAILED", error: refusedText(answer.reasons) }
          })
          return Effect.void
        }
        const result = answer.value.result ?? []
        // Pair by seq, which REST documents as the input position; core checks the count.
        for (const r of result) {
          const index = part.indexes[r.seq]
          if (index === undefined || statuses[index] !== undefined) {
            return Effect.fail(
              new ProtocolError({
                reason: "IdentityMismatch",
                detail: `${operation}: a status with seq ${r.seq} for ${part.indexes.length} record(s) sent`,
                received: quote(JSON.stringify(r))
              })
            )
          }
          statuses[index] = Statuses.statusOf(r, 0, sync === undefined, sentKeys[index])
        }
        return Effect.void
      }))
    }

    const program = (
      part: Extract<Requests.Part, { _tag: "Program" }>,
      statuses: Array<Wire.MObjStatus | undefined>
    ): Effect.Effect<void, TransportCallError> => {
      const form: Record<string, string> = {}
      if (part.body.costs !== undefined) form["costs"] = JSON.stringify(part.body.costs)
      if (part.body.tags !== undefined) form["tags"] = JSON.stringify(part.body.tags)
      return send(
        "syncMObjects",
        (base) =>
          HttpClientRequest.post(base + RestWire.paths.program(part.id)).pipe(HttpClientRequest.bodyUrlParams(form)),
        RestWire.ProgramResponse
      ).pipe(Effect.map((answer) => {
        if (answer._tag === "Ok") {
          statuses[part.index] = { id: part.id, status: "UPDATED" }
        } else {
          const missing = answer.reasons.some((r) => ["610", "702"].includes(String(r.code)))
          statuses[part.index] = {
            id: part.id,
            status: missing ? "SKIPPED" : "FAILED",
            error: refusedText(answer.reasons)
          }
        }
      }))
    }

    /**
     * The custom fields' kinds per endpoint, from the instance's describe, fetched once per
     * transport (so per client) the first time a sync carries custom fields. A describe that
     * fails costs only the typing: the fields go as text, as before, and the next call asks again.
     */
    const customCache = yield* Ref.make<Partial<Record<Requests.Endpoint, CustomFields.Kinds>>>({})
    const customKinds = (
      endpoints: ReadonlyArray<Requests.Endpoint>
    ): Effect.Effect<Partial<Record<Requests.Endpoint, CustomFields.Kinds>>> =>
      Effect.gen(function*() {
        const known = yield* Ref.get(customCache)
        const missing = endpoints.filter((e) => known[e] === undefined)
        if (missing.length === 0) return known
        const fetched = yield* Effect.forEach(missing, (endpoint) =>
          send(
            "describeMObject",
            (base) =>
              HttpClientRequest.get(
                base +
                  (endpoint === "opportunities" ? RestWire.paths.opportunitiesDescribe : RestWire.paths.rolesDescribe)
              ),
            RestWire.DescribeResponse
          ).pipe(
            Effect.map((answer) => {
              const meta = answer._tag === "Ok" ? answer.value.result?.[0] : undefined
              return meta === undefined ? [] : [[endpoint, CustomFields.kindsOf(meta)] as const]
            }),
            Effect.catchAll((error) =>
              Effect.as(
                Effect.logWarning("custom fields go as text: the describe failed").pipe(
                  Effect.annotateLogs({ "mktows.endpoint": endpoint, "mktows.error": error._tag })
                ),
                []
              )
            )
          ))
        return yield* Ref.updateAndGet(customCache, (cache) => ({ ...cache, ...Object.fromEntries(fetched.flat()) }))
      })

    /**
     * What each call was answered so far, by its params object: core passes the same one to
     * every attempt of a call, so a retry sends only the requests not yet answered, and core
     * keeps these statuses when the call fails for good (`answered`).
     */
    const answeredBy = new WeakMap<
      object,
      { readonly statuses: Array<Wire.MObjStatus | undefined>; readonly done: Set<number> }
    >()

    const statusCall = (
      operation: "syncMObjects" | "deleteMObjects",
      params: Wire.ParamsSyncMObjects | Wire.ParamsDeleteMObjects,
      sync: Wire.SyncOperation | undefined
    ): Effect.Effect<{ readonly mObjStatusList: ReadonlyArray<Wire.MObjStatus> }, TransportCallError> =>
      Effect.gen(function*() {
        const mObjectList = params.mObjectList
        const memo = answeredBy.get(params) ?? { statuses: mObjectList.map(() => undefined), done: new Set() }
        answeredBy.set(params, memo)
        const { done, statuses } = memo
        const parts = sync === undefined
          ? Requests.deleteParts(mObjectList)
          : Requests.syncParts(mObjectList, yield* customKinds(Requests.customEndpoints(mObjectList)))
        const sentKeys = mObjectList.map((o) => o.externalKey)
        // One request after the other: a call-level failure stops the rest, and the call fails
        // with it. A request answered by an earlier attempt of this call is never sent again
        // (an opportunity created is not created twice, a cost not appended twice).
        for (const [n, part] of parts.entries()) {
          if (done.has(n)) continue
          if (part._tag === "Records") yield* records(operation, part, sync, statuses, sentKeys)
          else if (part._tag === "Program") yield* program(part, statuses)
          else statuses[part.index] = { id: 0, status: "FAILED", error: `REST ${operation} does not take ${part.type}` }
          done.add(n)
        }
        // A success that does not account for some records (no result, or a short one) says
        // nothing of them: they may have been applied. Never FAILED (re-sending could
        // duplicate): the call fails, and core reports them IN_DOUBT beside those answered.
        const unaccounted = statuses.flatMap((s, i) => s === undefined ? [i] : [])
        if (unaccounted.length > 0) {
          return yield* Effect.fail(
            new ProtocolError({
              reason: "CountMismatch",
              detail: `${operation}: the answer accounts for ${
                mObjectList.length - unaccounted.length
              } of ${mObjectList.length} record(s) sent; not for objects ${
                quote(unaccounted.join(", "), 200)
              } (relative to the call)`,
              received: `${mObjectList.length - unaccounted.length} record status(es)`
            })
          )
        }
        answeredBy.delete(params)
        return { mObjStatusList: statuses as ReadonlyArray<Wire.MObjStatus> }
      })

    const getMObjects = (
      p: Wire.ParamsGetMObjects
    ): Effect.Effect<Wire.ResultGetMObjects, TransportCallError> => {
      const planned = Query.plan(p)
      // The client refuses what cannot be planned before it calls; reaching here with it is a bug.
      if (Either.isLeft(planned)) {
        return Effect.dieMessage(
          `getMObjects over REST without a plan: ${planned.left.map((i) => i.message).join("; ")}`
        )
      }
      const query = planned.right
      const position = p.streamPosition
      const page = (objects: ReadonlyArray<Wire.MObject>, next: string | undefined): Wire.ResultGetMObjects => ({
        returnCount: objects.length,
        hasMore: next !== undefined,
        newStreamPosition: next ?? "",
        ...(objects.length > 0 ? { mObjectList: objects } : {})
      })
      /** A page of programs by offset: the position is `offset:<n>`, also after the last page. */
      const programPage = (
        build: (base: string, offset: number) => HttpClientRequest.HttpClientRequest
      ): Effect.Effect<Wire.ResultGetMObjects, TransportCallError> => {
        const offset = position === undefined || position === "" ? 0 : Number(position.replace(/^offset:/, ""))
        return send("getMObjects", (base) => build(base, offset), RestWire.ProgramResponse).pipe(
          Effect.map((answer) => {
            // Refused (e.g. 702 "no assets found", 610 "no such tag"): nothing to read.
            const result = answer._tag === "Ok" ? answer.value.result ?? [] : []
            const next = `offset:${offset + result.length}`
            // The position after the last page too, so a later read resumes after it.
            return {
              ...page(result.map(ReadBack.programFromRest), result.length === programPageSize ? next : undefined),
              newStreamPosition: next
            }
          })
        )
      }
      const nextPageToken = position === undefined || position === "" ? {} : { nextPageToken: position }
      switch (query._tag) {
        case "Records":
        case "Lookup": {
          const read = query.endpoint === "opportunities" ? ReadBack.opportunityFromRest : ReadBack.roleFromRest
          const fields = ReadBack.queryFields(query.endpoint)
          const path = paths[query.endpoint].sync
          return send(
            "getMObjects",
            (base) =>
              query._tag === "Records"
                ? HttpClientRequest.get(base + path).pipe(
                  HttpClientRequest.setUrlParams({
                    filterType: query.filterType,
                    filterValues: query.filterValues,
                    fields: fields.join(","),
                    batchSize: String(RestWire.maxRecordsPerCall),
                    ...nextPageToken
                  })
                )
                // Adobe's lookup by JSON: a POST that Marketo reads as a GET, so it never writes.
                : HttpClientRequest.post(base + path).pipe(
                  HttpClientRequest.setUrlParam("_method", "GET"),
                  HttpClientRequest.bodyUnsafeJson({
                    filterType: query.filterType,
                    fields,
                    input: query.input,
                    batchSize: RestWire.maxRecordsPerCall,
                    ...nextPageToken
                  })
                ),
            RestWire.QueryResponse,
            Guards.isQueryResponse
          ).pipe(Effect.flatMap((answer) => {
            // A refused query (a field that is not searchable, a value of the wrong type) is
            // no empty result: it ends the read with the instance's reason.
            if (answer._tag === "Refused") {
              const [first] = answer.reasons
              return Effect.fail(Http.restError("getMObjects", String(first?.code ?? 0), refusedText(answer.reasons)))
            }
            const result = answer.value.result ?? []
            const more = answer.value.nextPageToken !== undefined && answer.value.moreResult !== false &&
              result.length === RestWire.maxRecordsPerCall
            return Effect.succeed(page(result.map(read), more ? answer.value.nextPageToken : undefined))
          }))
        }
        case "Program":
          return send(
            "getMObjects",
            (base) => HttpClientRequest.get(base + RestWire.paths.program(query.id)),
            RestWire.ProgramResponse
          ).pipe(
            Effect.map((answer) =>
              page(answer._tag === "Ok" ? (answer.value.result ?? []).map(ReadBack.programFromRest) : [], undefined)
            )
          )
        case "ProgramByName":
          return send(
            "getMObjects",
            (base) =>
              HttpClientRequest.get(base + RestWire.paths.programByName).pipe(
                HttpClientRequest.setUrlParams({ name: query.name, includeTags: "true", includeCosts: "true" })
              ),
            RestWire.ProgramResponse
          ).pipe(
            Effect.map((answer) =>
              page(answer._tag === "Ok" ? (answer.value.result ?? []).map(ReadBack.programFromRest) : [], undefined)
            )
          )
        case "ProgramsByTag":
          return programPage((base, offset) =>
            HttpClientRequest.get(base + RestWire.paths.programsByTag).pipe(
              HttpClientRequest.setUrlParams({
                tagType: query.tagType,
                tagValue: query.tagValue,
                maxReturn: String(programPageSize),
                offset: String(offset)
              })
            )
          )
        case "Programs":
          return programPage((base, offset) =>
            HttpClientRequest.get(base + RestWire.paths.programs).pipe(
              HttpClientRequest.setUrlParams({
                maxReturn: String(programPageSize),
                offset: String(offset),
                ...(query.filter ?? {}),
                ...(query.earliestUpdatedAt === undefined ? {} : { earliestUpdatedAt: query.earliestUpdatedAt }),
                ...(query.latestUpdatedAt === undefined ? {} : { latestUpdatedAt: query.latestUpdatedAt })
              })
            )
          )
      }
    }

    const describe = (objectName: string): Effect.Effect<Wire.ResultDescribeMObject, TransportCallError> => {
      if (objectName === "LeadRecord") {
        return send(
          "describeMObject",
          (base) => HttpClientRequest.get(base + RestWire.paths.leadsDescribe),
          RestWire.LeadDescribeResponse
        ).pipe(Effect.flatMap((answer) =>
          answer._tag === "Ok"
            ? Effect.succeed({ metadata: ReadBack.leadMetadataOf(answer.value.result ?? []) })
            : Effect.fail(
              new ProtocolError({
                reason: "WrongElement",
                detail: "describe of LeadRecord answered no fields",
                received: refusedText(answer.reasons)
              })
            )
        ))
      }
      const type = objectName === "Opportunity" ? "Opportunity" : "OpportunityPersonRole"
      return send(
        "describeMObject",
        (base) => HttpClientRequest.get(base + describePath[type]),
        RestWire.DescribeResponse
      ).pipe(Effect.flatMap((answer) => {
        const meta = answer._tag === "Ok" ? answer.value.result?.[0] : undefined
        return meta === undefined
          ? Effect.fail(
            new ProtocolError({
              reason: "WrongElement",
              detail: `describe of ${objectName} answered no metadata`,
              received: answer._tag === "Refused" ? refusedText(answer.reasons) : "[]"
            })
          )
          : Effect.succeed({
            metadata: ReadBack.metadataOf(objectName, type === "Opportunity" ? "opportunities" : "roles", meta)
          })
      }))
    }

    const call = <Op extends Wire.Operation>(
      operation: Op,
      params: Wire.ParamsOf<Op>
    ): Effect.Effect<Wire.ResultOf<Op>, TransportCallError> => {
      // Each branch answers the result of its own operation; the map from Op to it is by name.
      const p = params as Wire.ParamsOf<Wire.Operation>
      const result: Effect.Effect<Wire.ResultOf<Wire.Operation>, TransportCallError> = operation === "syncMObjects"
        ? statusCall(operation, p as Wire.ParamsSyncMObjects, (p as Wire.ParamsSyncMObjects).operation)
        : operation === "deleteMObjects"
        ? statusCall(operation, p as Wire.ParamsDeleteMObjects, undefined)
        : operation === "getMObjects"
        ? getMObjects(p as Wire.ParamsGetMObjects)
        : operation === "describeMObject"
        ? describe((p as Wire.ParamsDescribeMObject).objectName)
        // REST has no listMObjects: a valid token says the instance answers, and the list is
        // what REST can describe.
        : Effect.as(token, { objects: ["Opportunity", "OpportunityPersonRole"] })
      return result as Effect.Effect<Wire.ResultOf<Op>, TransportCallError>
    }

    return {
      call,
      maxObjectsPerCall: RestWire.maxRecordsPerCall,
      refuse: Refusals.refuse,
      answered: (params) => answeredBy.get(params)?.statuses
    }
  })
