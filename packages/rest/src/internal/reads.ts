/**
 * getMObjects and describeMObject over REST: the read planned by `query.ts` (a search by a
 * criterion's field checked first against the instance's describe, `refuseRead`), paged by
 * `nextPageToken` or by offset, read back as SOAP's wire records; a refused query ends the
 * read with the instance's reason.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { TransportCallError, ValidationIssue } from "@mktows/core/MarketoError"
import { isFatal, ProtocolError } from "@mktows/core/MarketoError"
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as RestWire from "../RestWire.js"
import type * as Describes from "./describes.js"
import * as Guards from "./guards.js"
import * as Http from "./http.js"
import * as Query from "./query.js"
import * as ReadBack from "./readBack.js"
import type { Send } from "./send.js"
import * as Statuses from "./statuses.js"

const paths = {
  opportunities: RestWire.paths.opportunities,
  roles: RestWire.paths.roles
} as const

const describePath = {
  Opportunity: RestWire.paths.opportunitiesDescribe,
  OpportunityPersonRole: RestWire.paths.rolesDescribe
} as const

/** The Asset API's largest page. */
const programPageSize = 200

export interface Reads {
  readonly getMObjects: (p: Wire.ParamsGetMObjects) => Effect.Effect<Wire.ResultGetMObjects, TransportCallError>
  readonly describe: (objectName: string) => Effect.Effect<Wire.ResultDescribeMObject, TransportCallError>
  /** What this instance cannot search (`MarketoTransportShape.refuseRead`). */
  readonly refuseRead: (p: Wire.ParamsGetMObjects) => Effect.Effect<ReadonlyArray<ValidationIssue>>
}

export const make = (send: Send, described: Describes.Describe): Reads => {
  const refusedText = Statuses.reasonText

  /**
   * A refused query's reasons as one error: the first reason's code is the fault's, said once;
   * the others keep their codes beside their messages, bounded as every reason text is.
   */
  const refusedError = (reasons: ReadonlyArray<RestWire.Reason>) => {
    const [first, ...rest] = reasons
    return Http.restError(
      "getMObjects",
      String(first?.code ?? 0),
      [first?.message ?? "", ...(rest.length > 0 ? [refusedText(rest.slice(0, 19))] : [])].join("; ")
    )
  }

  /**
   * A search by a criterion's field, checked against the instance's describe (fetched once per
   * client, and only for such a search): a field it does not list as searchable alone is an
   * issue, so the client refuses the read before anything is sent. A describe that fails, or
   * lists no searchable fields, tells nothing: the query is sent, and a field the instance
   * refuses all the same ends the read with its error.
   */
  const refuseRead = (p: Wire.ParamsGetMObjects): Effect.Effect<ReadonlyArray<ValidationIssue>> => {
    const planned = Query.plan(p)
    if (Either.isLeft(planned)) return Effect.succeed([])
    const query = planned.right
    if (query._tag !== "Records" || query.searched === undefined) return Effect.succeed([])
    return described(query.endpoint).pipe(
      Effect.catchAll((error) =>
        Effect.as(
          // An error the read will meet too (credentials, the quota, an endpoint out of reach)
          // ends the read itself: no warning first.
          isFatal(error) || (error._tag === "TransportError" && error.reason === "Connection")
            ? Effect.void
            : Effect.logWarning(
              "searchable fields unknown: the describe failed; the instance decides"
            ).pipe(Effect.annotateLogs({ "mktows.endpoint": query.endpoint, "mktows.error": error._tag })),
          undefined
        )
      ),
      Effect.map((endpoint) =>
        endpoint?.searchable === undefined ? [] : Query.unsearchable(query, p.type, endpoint.searchable)
      )
    )
  }

  /**
   * A query as a GET, or, when its URI would be over Marketo's 8 KB (HTTP 414: a long value to
   * filter by), as Adobe's POST with `_method=GET` and the parameters as a form.
   */
  const queryRequest = (url: string, params: Record<string, string>): HttpClientRequest.HttpClientRequest =>
    url.length + 1 + new URLSearchParams(params).toString().length <= RestWire.maxGetUriChars
      ? HttpClientRequest.get(url).pipe(HttpClientRequest.setUrlParams(params))
      : HttpClientRequest.post(url).pipe(
        HttpClientRequest.setUrlParam("_method", "GET"),
        HttpClientRequest.bodyUrlParams(params)
      )

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
        const path = paths[query.endpoint]
        return send(
          "getMObjects",
          (base) =>
            query._tag === "Records"
              ? queryRequest(base + path, {
                filterType: query.filterType,
                filterValues: query.filterValues,
                fields: fields.join(","),
                batchSize: String(RestWire.maxRecordsPerCall),
                ...nextPageToken
              })
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
          if (answer._tag === "Refused") return Effect.fail(refusedError(answer.reasons))
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

  return { getMObjects, describe, refuseRead }
}
