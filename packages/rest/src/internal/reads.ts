/**
 * getMObjects and describeMObject over REST: the read planned by `query.ts` (a search by a
 * criterion's field checked first against the instance's describe, `refuseRead`), paged by
 * `nextPageToken` or by offset, read back as SOAP's wire records; a refused query ends the
 * read with the instance's reason.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpEdge from "@mktows/core/HttpEdge"
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
import type { Answer, Send } from "./send.js"
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

/**
 * A page of `programs.json`, whose answer (the Swagger's BrowseAllPrograms) has no costs and no
 * tags: each program of it is read again by id for them, a request each, so a page is kept to
 * what a rate window takes with room to spare (21 requests).
 */
const browsePageSize = 20

/**
 * The codes of a lookup's item that found nothing (its key matched no record): skipped, as
 * SOAP answers only what it found.
 */
const notFound: ReadonlySet<string> = new Set([
  RestWire.errorCodes.objectNotFound.code,
  RestWire.errorCodes.leadNotFound.code,
  RestWire.errorCodes.noDataFound.code
])

/** What a program update needs to know of the program first (`Reads.programNow`). */
export interface ProgramNow {
  readonly channel: string
  readonly tags: ReadonlyArray<RestWire.ProgramTag>
  readonly costs: ReadonlyArray<RestWire.ProgramCostRead> | undefined
}

export interface Reads {
  readonly getMObjects: (p: Wire.ParamsGetMObjects) => Effect.Effect<Wire.ResultGetMObjects, TransportCallError>
  readonly describe: (objectName: string) => Effect.Effect<Wire.ResultDescribeMObject, TransportCallError>
  /** What this instance cannot search (`MarketoTransportShape.refuseRead`). */
  readonly refuseRead: (p: Wire.ParamsGetMObjects) => Effect.Effect<ReadonlyArray<ValidationIssue>>
  /**
   * A program as it is now, for an update over REST, which can only add costs and cannot change
   * the channel: read by id (its name, channel and tags), then, when `costs` asks, by name with
   * `includeCosts` (the one read that gives them). Undefined when no program has that id; costs
   * undefined when it was renamed between the two reads.
   */
  readonly programNow: (
    id: number,
    operation: string,
    costs: boolean
  ) => Effect.Effect<ProgramNow | undefined, TransportCallError>
}

export const make = (send: Send, described: Describes.Describe): Reads => {
  const refusedText = Statuses.reasonText

  /**
   * A refused query's reasons as one error: the first reason's code is the fault's, said once;
   * the others keep their codes beside their messages, bounded as every reason text is.
   */
  const refusedError = (reasons: ReadonlyArray<RestWire.Reason>, operation = "getMObjects") => {
    const [first, ...rest] = reasons
    return Http.restError(
      operation,
      String(first?.code ?? 0),
      [first?.message ?? "", ...(rest.length > 0 ? [refusedText(rest.slice(0, 19))] : [])].join("; ")
    )
  }

  /**
   * The describe a record read asks its fields by: one that answers no metadata fails the read,
   * which could not ask for the custom fields otherwise.
   */
  const fieldsToRead = (endpoint: Query.Endpoint): Effect.Effect<Describes.Described, TransportCallError> =>
    Effect.flatMap(
      described(endpoint),
      (found) =>
        found === undefined
          ? Effect.fail(
            new ProtocolError({
              reason: "WrongElement",
              detail:
                `getMObjects: the describe of ${endpoint} answered no metadata, so the fields to read (custom fields too) are not known`,
              received: "an empty result"
            })
          )
          : Effect.succeed(found)
    )

  /**
   * The programs of an Asset API answer. It answers a search that found nothing with 702 (no
   * data found), which is an empty result; any other refusal (a tag type or workspace the
   * instance lacks, a value it cannot read) ends the read with its reason, as a refused query
   * of records does.
   */
  const programs = (
    operation: string,
    answer: Answer<RestWire.Program>
  ): Effect.Effect<ReadonlyArray<RestWire.Program>, TransportCallError> =>
    answer._tag === "Ok"
      ? Effect.succeed(answer.value.result ?? [])
      : answer.reasons.every((reason) => String(reason.code) === RestWire.errorCodes.noDataFound.code)
      ? Effect.succeed([])
      : Effect.fail(refusedError(answer.reasons, operation))

  /** A program by id: none when it is not there. Its answer may carry no costs (`"costs": null`). */
  const byId = (id: number, operation: string) =>
    send(operation, (base) => HttpClientRequest.get(base + RestWire.paths.program(id)), RestWire.ProgramResponse)
      .pipe(Effect.flatMap((answer) => programs(operation, answer)))

  /**
   * Programs by name with their costs, and their tags unless `tags` is false: `byName.json` is
   * the one program read that Adobe gives costs (`includeCosts`); its by-id example answers
   * `"costs": null` and its by-tag and browse answers have none, which would read as a program
   * without costs.
   */
  const byName = (name: string, operation: string, tags = true) =>
    send(
      operation,
      (base) =>
        HttpClientRequest.get(base + RestWire.paths.programByName).pipe(
          HttpClientRequest.setUrlParams(
            tags ? { name, includeTags: "true", includeCosts: "true" } : { name, includeCosts: "true" }
          )
        ),
      RestWire.ProgramResponse
    ).pipe(Effect.flatMap((answer) => programs(operation, answer)))

  const programNow = (
    id: number,
    operation: string,
    costs: boolean
  ): Effect.Effect<ProgramNow | undefined, TransportCallError> =>
    Effect.flatMap(byId(id, operation), (found) => {
      const program = found.find((p) => p.id === id)
      if (program === undefined) return Effect.succeed(undefined)
      const now = { channel: program.channel, tags: program.tags ?? [] }
      if (!costs) return Effect.succeed({ ...now, costs: undefined })
      // Its tags came with the read by id.
      return Effect.map(byName(program.name, operation, false), (named) => {
        const same = named.length === 1 ? named.find((p) => p.id === id) : undefined
        return { ...now, costs: same === undefined ? undefined : same.costs ?? [] }
      })
    })

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
    /**
     * A page of programs by offset. The position is `offset:<n>:<id>`: n programs read, the last
     * of them `id` (also after the last page, so a later read resumes after it). Each page after
     * the first is asked from one program earlier, the last one read: where the list shifted
     * meanwhile (a program created or deleted before the place reached), the programs up to it
     * are the ones already read and are dropped, and one deletion loses nothing. A server that
     * ignores `offset` answers only programs already read: empty pages that say there is more,
     * which core stops after a bound. Each program is then read in full (`details`).
     */
    const programPage = (
      build: (base: string, offset: number) => HttpClientRequest.HttpClientRequest,
      size: number,
      details: (p: RestWire.Program) => Effect.Effect<ReadonlyArray<RestWire.Program>, TransportCallError>
    ): Effect.Effect<Wire.ResultGetMObjects, TransportCallError> => {
      // The plan refused any other position before the call.
      const at = Query.programPosition(position) ?? { offset: 0, last: undefined }
      const from = at.last === undefined || at.offset === 0 ? at.offset : at.offset - 1
      return send("getMObjects", (base) => build(base, from), RestWire.ProgramResponse).pipe(
        Effect.flatMap((answer) => programs("getMObjects", answer)),
        Effect.flatMap((result) => {
          const seen = at.last === undefined || from === at.offset ? -1 : result.findIndex((p) => p.id === at.last)
          const fresh = seen < 0 ? result : result.slice(seen + 1)
          const last = result[result.length - 1]
          const next = last === undefined ? position ?? "offset:0" : `offset:${from + result.length}:${last.id}`
          // One after the other: each request of a call waits for its place in the rate window.
          const read = Effect.map(Effect.forEach(fresh, details), (each) => each.flat())
          return Effect.map(read, (found) => ({
            // A full page may have more after it (one longer than asked too: the next page tells).
            ...page(found.map(ReadBack.programFromRest), result.length >= size ? next : undefined),
            newStreamPosition: next
          }))
        })
      )
    }
    /** The read ended: `p`, read again by its `how`, was answered with other programs. */
    const mismatch = (p: RestWire.Program, how: string, found: ReadonlyArray<RestWire.Program>) =>
      new ProtocolError({
        reason: "IdentityMismatch",
        detail: `getMObjects: program ${p.id}, read by its ${how}, was answered with program(s) ${
          found.slice(0, 5).map((f) => f.id).join(", ")
        }`,
        received: ""
      })
    /**
     * A program found by id, by tag or browsing, read again by its name for its costs and tags
     * (a name is one program's in an instance, so an answer of several ends the read). Renamed
     * or deleted since, it is read again by its id instead (costs as that answer gives them;
     * none when it is gone); an answer by id that names another program ends the read.
     */
    const inFull = (p: RestWire.Program) =>
      Effect.flatMap(byName(p.name, "getMObjects"), (named) => {
        if (named.length > 1) return Effect.fail(mismatch(p, "name", named))
        if (named[0]?.id === p.id) return Effect.succeed(named)
        return Effect.flatMap(byId(p.id, "getMObjects"), (found) =>
          found.every((f) => f.id === p.id)
            ? Effect.succeed(found.slice(0, 1))
            : Effect.fail(mismatch(p, "id", found)))
      })
    const nextPageToken = position === undefined || position === "" ? {} : { nextPageToken: position }
    switch (query._tag) {
      case "Records":
      case "Lookup": {
        const read = query.endpoint === "opportunities" ? ReadBack.opportunityFromRest : ReadBack.roleFromRest
        const path = paths[query.endpoint]
        // Custom fields come back only when asked for by name: the describe lists them. A
        // describe that fails fails the read, which would otherwise lose them without a word.
        /**
         * A page of at most `size` records. One over `maxResponseBytes` (records of large custom
         * fields) is asked again for the same place in half the size, down to one record: Adobe
         * takes any `batchSize` from 1 to 300. The next page starts at 300 again.
         */
        const pageOf = (
          fields: ReadonlyArray<string>,
          size: number
        ): Effect.Effect<
          { readonly answer: Answer<RestWire.Fields | RestWire.QueryMiss>; readonly size: number },
          TransportCallError
        > =>
          send(
            "getMObjects",
            (base) =>
              query._tag === "Records"
                ? queryRequest(base + path, {
                  filterType: query.filterType,
                  filterValues: query.filterValues,
                  fields: fields.join(","),
                  batchSize: String(size),
                  ...nextPageToken
                })
                // Adobe's lookup by JSON: a POST that Marketo reads as a GET, so it never writes.
                : HttpClientRequest.post(base + path).pipe(
                  HttpClientRequest.setUrlParam("_method", "GET"),
                  HttpClientRequest.bodyUnsafeJson({
                    filterType: query.filterType,
                    fields,
                    input: query.input,
                    batchSize: size,
                    ...nextPageToken
                  })
                ),
            RestWire.QueryResponse,
            Guards.isQueryResponse
          ).pipe(
            Effect.map((answer) => ({ answer, size })),
            Effect.catchIf(
              (error) => size > 1 && Http.isOversize(error),
              () => pageOf(fields, Math.ceil(size / 2))
            )
          )
        // Custom fields come back only when asked for by name: the describe lists them. A
        // describe that fails fails the read, which would otherwise lose them without a word.
        return fieldsToRead(query.endpoint).pipe(
          Effect.flatMap((endpoint) =>
            pageOf(ReadBack.queryFields(query.endpoint, endpoint.fields), RestWire.maxRecordsPerCall)
          ),
          Effect.flatMap(({ answer, size }): Effect.Effect<Wire.ResultGetMObjects, TransportCallError> => {
            // A refused query (a field that is not searchable, a value of the wrong type) is
            // no empty result: it ends the read with the instance's reason.
            if (answer._tag === "Refused") return Effect.fail(refusedError(answer.reasons))
            const records: Array<Wire.MObject> = []
            for (const r of answer.value.result ?? []) {
              // A lookup's key that matched nothing is an item with reasons and no record; any
              // other reason refused that key, which ends the read as a refused query does.
              if (RestWire.isQueryMiss(r)) {
                if (!r.reasons.every((reason) => notFound.has(String(reason.code)))) {
                  return Effect.fail(refusedError(r.reasons))
                }
              } else if (Array.isArray(r["reasons"]) && r["reasons"].length > 0) {
                // A record and reasons in one item: neither kept nor dropped without a word.
                return Effect.fail(
                  new ProtocolError({
                    reason: "SchemaMismatch",
                    detail: "getMObjects: an item of the answer holds both a record and reasons (found or not?)",
                    received: HttpEdge.excerpt(JSON.stringify(r))
                  })
                )
              } else records.push(read(r))
            }
            const token = answer.value.nextPageToken
            const more = answer.value.moreResult
            if (more === true && (token === undefined || token === "")) {
              return Effect.fail(
                new ProtocolError({
                  reason: "SchemaMismatch",
                  detail: "getMObjects: the answer says there is more (moreResult) but gives no nextPageToken",
                  received: `${records.length} record(s), moreResult true`
                })
              )
            }
            // moreResult says whether to follow the token: when true, even after a short or
            // empty page (core bounds the empty ones). An answer without it is followed only
            // after a full page, as a last page may still carry a token.
            const full = (answer.value.result ?? []).length >= size
            const next = token === undefined || token === "" || more === false || (more === undefined && !full)
              ? undefined
              : token
            return Effect.succeed(page(records, next))
          })
        )
      }
      case "Program":
        return byId(query.id, "getMObjects").pipe(
          Effect.flatMap((found) => Effect.forEach(found.slice(0, 1), inFull)),
          Effect.map((result) => page(result.flat().map(ReadBack.programFromRest), undefined))
        )
      case "ProgramByName":
        return Effect.map(
          byName(query.name, "getMObjects"),
          (result) => page(result.map(ReadBack.programFromRest), undefined)
        )
      case "ProgramsByTag":
        return programPage(
          (base, offset) =>
            HttpClientRequest.get(base + RestWire.paths.programsByTag).pipe(
              HttpClientRequest.setUrlParams({
                tagType: query.tagType,
                tagValue: query.tagValue,
                maxReturn: String(programPageSize),
                offset: String(offset)
              })
            ),
          programPageSize,
          inFull
        )
      case "Programs":
        return programPage(
          (base, offset) =>
            HttpClientRequest.get(base + RestWire.paths.programs).pipe(
              HttpClientRequest.setUrlParams({
                maxReturn: String(browsePageSize),
                offset: String(offset),
                ...(query.filter ?? {}),
                ...(query.earliestUpdatedAt === undefined ? {} : { earliestUpdatedAt: query.earliestUpdatedAt }),
                ...(query.latestUpdatedAt === undefined ? {} : { latestUpdatedAt: query.latestUpdatedAt })
              })
            ),
          browsePageSize,
          inFull
        )
    }
  }

  const describe = (objectName: string): Effect.Effect<Wire.ResultDescribeMObject, TransportCallError> => {
    // A refused describe ends with the instance's reason, as a refused read does; an answer
    // without the metadata asked for is no answer.
    const missing = (what: string) =>
      Effect.fail(
        new ProtocolError({
          reason: "WrongElement",
          detail: `describe of ${objectName} answered no ${what}`,
          received: "an empty result"
        })
      )
    if (objectName === "LeadRecord") {
      return send(
        "describeMObject",
        (base) => HttpClientRequest.get(base + RestWire.paths.leadsDescribe),
        RestWire.LeadDescribeResponse
      ).pipe(Effect.flatMap((answer): Effect.Effect<Wire.ResultDescribeMObject, TransportCallError> => {
        if (answer._tag === "Refused") return Effect.fail(refusedError(answer.reasons, "describeMObject"))
        const fields = answer.value.result ?? []
        return fields.length === 0 ? missing("fields") : Effect.succeed({ metadata: ReadBack.leadMetadataOf(fields) })
      }))
    }
    const type = objectName === "Opportunity" ? "Opportunity" : "OpportunityPersonRole"
    return send(
      "describeMObject",
      (base) => HttpClientRequest.get(base + describePath[type]),
      RestWire.DescribeResponse
    ).pipe(Effect.flatMap((answer): Effect.Effect<Wire.ResultDescribeMObject, TransportCallError> => {
      if (answer._tag === "Refused") return Effect.fail(refusedError(answer.reasons, "describeMObject"))
      const meta = answer.value.result?.[0]
      return meta === undefined
        ? missing("metadata")
        : Effect.succeed({
          metadata: ReadBack.metadataOf(objectName, type === "Opportunity" ? "opportunities" : "roles", meta)
        })
    }))
  }

  return { getMObjects, describe, refuseRead, programNow }
}
