/**
 * getMObjects and describeMObject over REST: the read planned by `query.ts`, paged by
 * `nextPageToken` or by offset, read back as SOAP's wire records; a refused query ends the
 * read with the instance's reason.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { TransportCallError } from "@mktows/core/MarketoError"
import { ProtocolError } from "@mktows/core/MarketoError"
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as RestWire from "../RestWire.js"
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
}

export const make = (send: Send): Reads => {
  const refusedText = Statuses.reasonText

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

  return { getMObjects, describe }
}
