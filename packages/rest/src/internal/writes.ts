/**
 * syncMObjects and deleteMObjects over REST, from wire records or straight from the models (the
 * model path): the requests of a call one after the other,
 * each answered request remembered per call (a retry sends only the rest; core keeps what was
 * answered when the call fails for good), and a success that leaves records unaccounted for a
 * ProtocolError, so core reports them IN_DOUBT.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { deleteRefToWire } from "@mktows/core/MarketoClient"
import type { TransportCallError } from "@mktows/core/MarketoError"
import { ProtocolError, quote } from "@mktows/core/MarketoError"
import type { ModelCall, ModelPath } from "@mktows/core/MarketoTransport"
import * as MarketoTransport from "@mktows/core/MarketoTransport"
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as RestWire from "../RestWire.js"
import type * as CustomFields from "./customFields.js"
import type * as Describes from "./describes.js"
import * as Guards from "./guards.js"
import type { Reads } from "./reads.js"
import * as Requests from "./requests.js"
import type { Send } from "./send.js"
import * as Statuses from "./statuses.js"

type RecordsPart = Extract<Requests.Part, { _tag: "Records" }>

/** A records request ready to go: its endpoint, the positions in the call it carries, its body. */
interface Request {
  readonly _tag: "Request"
  readonly endpoint: Requests.Endpoint
  readonly indexes: ReadonlyArray<number>
  readonly body: Uint8Array
}

/** What an attempt does, in order: a request, a record too large to send, a program, a type REST cannot take. */
type Planned =
  | Request
  | { readonly _tag: "TooLarge"; readonly index: number; readonly bytes: number }
  | Exclude<Requests.Part, RecordsPart>

const encoder = new TextEncoder()

/** An object of a call that stopped before its request went (at an earlier one, or at a read of it first). */
const notSent: Wire.MObjStatus = {
  id: 0,
  status: "FAILED",
  error:
    "not sent: the call stopped before this object's request went (at an earlier request, or a read of it first), so it never went to Marketo (safe to send again)"
}

/** The records of `part` at `positions` (within the part), as a part of their own. */
const within = (part: RecordsPart, positions: ReadonlyArray<number>): RecordsPart => ({
  ...part,
  indexes: positions.map((i) => part.indexes[i] as number),
  input: positions.map((i) => part.input[i] as RestWire.Fields)
})

const paths = {
  opportunities: { sync: RestWire.paths.opportunities, delete: RestWire.paths.opportunitiesDelete },
  roles: { sync: RestWire.paths.roles, delete: RestWire.paths.rolesDelete }
} as const

/** A cost as compared: its month, amount and note (none and an empty note alike). */
const costKey = (c: { readonly startDate: string; readonly cost: number; readonly note?: string | null | undefined }) =>
  `${c.startDate.slice(0, 7)} ${c.cost} ${c.note ?? ""}`

/**
 * The costs of `sent` the program does not have already, each one of `current` matching at most
 * one sent (two equal costs sent to a program with one add one).
 */
const newCosts = (
  sent: ReadonlyArray<RestWire.ProgramCost>,
  current: ReadonlyArray<RestWire.ProgramCostRead>
): ReadonlyArray<RestWire.ProgramCost> => {
  const there = new Map<string, number>()
  for (const c of current) there.set(costKey(c), (there.get(costKey(c)) ?? 0) + 1)
  return sent.filter((c) => {
    const left = there.get(costKey(c)) ?? 0
    if (left === 0) return true
    there.set(costKey(c), left - 1)
    return false
  })
}

export interface Writes {
  readonly statusCall: (
    operation: "syncMObjects" | "deleteMObjects",
    params: Wire.ParamsSyncMObjects | Wire.ParamsDeleteMObjects,
    sync: Wire.SyncOperation | undefined
  ) => Effect.Effect<{ readonly mObjStatusList: ReadonlyArray<Wire.MObjStatus> }, TransportCallError>
  /** What a call was answered so far, by its params (the wire path) or its `ModelCall` (the model path). */
  readonly answered: (
    key: Wire.ParamsSyncMObjects | Wire.ParamsDeleteMObjects | ModelCall
  ) => ReadonlyArray<Wire.MObjStatus | undefined> | undefined
  /** The model path's send. */
  readonly sendModels: ModelPath["send"]
}

// An Effect: each transport gets its own memory of what its calls were answered.
export const make = (
  send: Send,
  describe: Describes.Describe,
  programNow: Reads["programNow"]
): Effect.Effect<Writes> =>
  Effect.sync(() => {
    const refusedText = Statuses.reasonText

    /** A records request's body, as JSON bytes. */
    const bodyOf = (part: RecordsPart, sync: Wire.SyncOperation | undefined): Uint8Array =>
      encoder.encode(JSON.stringify(
        sync === undefined
          ? { deleteBy: part.byGuid ? "idField" : "dedupeFields", input: part.input }
          : {
            action: Requests.actionOf(sync),
            ...(sync === "UPDATE" ? { dedupeBy: part.byGuid ? "idField" : "dedupeFields" } : {}),
            input: part.input
          }
      ))

    const records = (
      operation: "syncMObjects" | "deleteMObjects",
      request: Request,
      sync: Wire.SyncOperation | undefined,
      statuses: Array<Wire.MObjStatus | undefined>,
      sentKeys: ReadonlyArray<Wire.Attrib | undefined>,
      done: Uint8Array
    ): Effect.Effect<void, TransportCallError> => {
      const path = sync === undefined ? paths[request.endpoint].delete : paths[request.endpoint].sync
      return send(
        operation,
        (base) =>
          HttpClientRequest.post(base + path).pipe(HttpClientRequest.bodyUint8Array(request.body, "application/json")),
        RestWire.StatusResponse,
        Guards.isStatusResponse
      ).pipe(Effect.flatMap((answer) => {
        // Answered: its statuses and `done` are kept in one step, so no interruption can leave
        // one without the other (a retry would send the request again and find statuses set).
        if (answer._tag === "Refused") {
          for (const index of request.indexes) {
            statuses[index] = { id: 0, status: "FAILED", error: refusedText(answer.reasons) }
            done[index] = 1
          }
          return Effect.void
        }
        const result = answer.value.result ?? []
        // Pair by seq, which REST documents as the input position; core checks the count. The
        // answer is checked whole before any of its statuses is kept: one seq out of range or
        // given twice makes none of them trusted (core keeps what a failed call was answered).
        const paired: Array<Wire.MObjStatus | undefined> = []
        for (const r of result) {
          const index = request.indexes[r.seq]
          if (index === undefined || paired[r.seq] !== undefined || statuses[index] !== undefined) {
            return Effect.fail(
              new ProtocolError({
                reason: "IdentityMismatch",
                detail: `${operation}: a status with seq ${r.seq} for ${request.indexes.length} record(s) sent`,
                received: quote(JSON.stringify(r))
              })
            )
          }
          paired[r.seq] = Statuses.statusOf(r, 0, sync, sentKeys[index])
        }
        for (let seq = 0; seq < paired.length; seq++) {
          const status = paired[seq]
          if (status !== undefined) statuses[request.indexes[seq] as number] = status
        }
        for (const index of request.indexes) done[index] = 1
        return Effect.void
      }))
    }

    /**
     * A Program update. REST can only add costs (no cost has an id) and cannot change a
     * program's channel (which SOAP shows as a tag of type Channel), so the program is read first
     * (by id for its channel and tags; by name too for its costs, the one read that gives them:
     * a request or two more, counted as every request is). A cost it has already (the same
     * month, amount and note) is not added again; a Channel tag naming its channel is left out,
     * one naming another leaves the program FAILED, not sent; tags it has already need no
     * update. An update with nothing left to change (or nothing at all: no cost, no tag) is
     * UNCHANGED without an update request, SKIPPED when no program has its id: an export
     * of `get` synced back, or a model read and written again with its costs and tags, changes
     * nothing twice. A read Marketo refuses, or a read by name that does not find the program
     * whose costs are sent, leaves it FAILED, not sent.
     */
    const program = (
      part: Extract<Requests.Part, { _tag: "Program" }>,
      statuses: Array<Wire.MObjStatus | undefined>,
      done: Uint8Array,
      tried: Uint8Array
    ): Effect.Effect<void, TransportCallError> => {
      const sent = part.body.costs
      const tags = part.body.tags
      const settle = (status: Wire.MObjStatus) =>
        Effect.sync(() => {
          done[part.index] = 1
          statuses[part.index] = status
        })
      const nothingSent = (sent === undefined || sent.length === 0) && (tags === undefined || tags.length === 0)
      const current = MarketoTransport.changesNothing(
        programNow(part.id, "syncMObjects", sent !== undefined && sent.length > 0)
      )
      return Effect.matchEffect(current, {
        onFailure: (error) =>
          error._tag !== "MarketoFault" ? Effect.fail(error) : settle({
            id: part.id,
            status: "FAILED",
            error: nothingSent
              ? `not checked: the program could not be read to find it there: ${error.message}`
              : `not sent: the program could not be read first (REST can only add costs): ${error.message}`
          }),
        onSuccess: (now) => {
          // No cost and no tag: REST has nothing to update (a program's other fields are
          // Marketo's), so no update request goes; the read tells whether the program is there,
          // as the 702 of an update would.
          if (nothingSent) {
            return settle(
              now === undefined
                ? { id: part.id, status: "SKIPPED", error: `no program has id ${part.id}` }
                : {
                  id: part.id,
                  status: "UNCHANGED",
                  error: "the update carries no cost and no tag, the only things a Program sync sends"
                }
            )
          }
          const channels = (tags ?? []).filter((t) => t.tagType === RestWire.channelTagType)
          const other = channels.find((t) => now !== undefined && t.tagValue !== now.channel)
          if (other !== undefined && now !== undefined) {
            return settle({
              id: part.id,
              status: "FAILED",
              error:
                `not sent: REST cannot change a program's channel (it is '${now.channel}', the update names '${other.tagValue}'); change it in Marketo, or leave the Channel tag out`
            })
          }
          // The program is there, but its read by name (the one read with costs) did not find
          // it: renamed in between, or a name the instance answers otherwise. Its costs unknown,
          // any sent could be one it has, added twice: none is sent.
          if (now !== undefined && now.costs === undefined && sent !== undefined && sent.length > 0) {
            return settle({
              id: part.id,
              status: "FAILED",
              error:
                `not sent: the program's costs could not be read (program/byName.json did not answer program ${part.id} by its name), and REST can only add costs, so any of them could be added twice; send it again (a program renamed in between is then read by its new name), or add the costs in Marketo if it keeps failing`
            })
          }
          const adding = now === undefined || sent === undefined ? sent : newCosts(sent, now.costs ?? [])
          const has = (t: RestWire.ProgramTag) =>
            now !== undefined && now.tags.some((n) => n.tagType === t.tagType && n.tagValue === t.tagValue)
          // Only the tags it lacks, as the costs: a tag it has needs no update.
          const setting = (tags ?? []).filter((t) => t.tagType !== RestWire.channelTagType && !has(t))
          const changesTags = setting.length > 0
          if (now !== undefined && (adding === undefined || adding.length === 0) && !changesTags) {
            return settle({
              id: part.id,
              status: "UNCHANGED",
              error: "the program has every cost and tag sent already; REST can only add costs, so none was added again"
            })
          }
          const form: Record<string, string> = {}
          if (adding !== undefined && adding.length > 0) form["costs"] = JSON.stringify(adding)
          if (setting.length > 0) form["tags"] = JSON.stringify(setting)
          tried[part.index] = 1
          return send(
            "syncMObjects",
            (base) =>
              HttpClientRequest.post(base + RestWire.paths.program(part.id)).pipe(
                HttpClientRequest.bodyUrlParams(form)
              ),
            RestWire.ProgramUpdateResponse
          ).pipe(Effect.flatMap((answer) => {
            if (answer._tag === "Ok") return settle({ id: part.id, status: "UPDATED" })
            // 702: no program with that id. Not 610 (no such resource): that is a path Marketo
            // does not know (a wrong base URL), a failure whatever the program.
            const missing = answer.reasons.some((r) => String(r.code) === "702")
            return settle({ id: part.id, status: missing ? "SKIPPED" : "FAILED", error: refusedText(answer.reasons) })
          }))
        }
      })
    }

    /**
     * The custom fields' kinds per endpoint, from the instance's describe (kept per client by
     * `describes.ts`), the first time a sync carries custom fields. A describe that fails costs
     * only the typing: the fields go as text, as before, and the next call asks again.
     */
    const noKinds = Effect.succeed({})
    const customKinds = (
      endpoints: ReadonlyArray<Requests.Endpoint>
    ): Effect.Effect<Partial<Record<Requests.Endpoint, CustomFields.Kinds>>> =>
      // A call without custom fields (most) needs no kinds: no cache read.
      endpoints.length === 0 ? noKinds : Effect.map(
        Effect.forEach(endpoints, (endpoint) =>
          // A describe writes nothing: a time limit met while it is read (or awaited from another
          // call) leaves the call not sent, so its objects are not in doubt.
          MarketoTransport.changesNothing(describe(endpoint)).pipe(
            Effect.map((described) => described === undefined ? [] : [[endpoint, described.kinds] as const]),
            Effect.catchAll((error) =>
              Effect.as(
                Effect.logWarning("custom fields go as text: the describe failed").pipe(
                  Effect.annotateLogs({ "mktows.endpoint": endpoint, "mktows.error": error._tag })
                ),
                []
              )
            )
          )),
        (entries) => Object.fromEntries(entries.flat())
      )

    /**
     * What each call was answered so far, by its params object: core passes the same one to
     * every attempt of a call, so a retry sends only the requests not yet answered, and core
     * keeps these statuses when the call fails for good (`answered`).
     */
    const answeredBy = new WeakMap<
      object,
      // `done`: 1 at each position in the call whose request was answered (a byte each, not a
      // Set entry: one per record of every call); `tried`: 1 where a request went, or began to
      // go, in any attempt.
      {
        readonly statuses: Array<Wire.MObjStatus | undefined>
        readonly done: Uint8Array
        readonly tried: Uint8Array
      }
    >()

    /**
     * A records part as requests of at most `RestWire.maxRequestBytes` (Marketo answers a larger
     * body HTTP 413): its records not yet in an answered request, whole when they fit, as nearly
     * always, else in halves, and theirs. What was answered is remembered by record (`done`: the
     * positions in the call), not by how a body was cut, which may differ on the next attempt
     * (custom fields typed once the describe answers). A record that alone is too large is
     * FAILED, never sent.
     */
    const fitted = (
      part: RecordsPart,
      sync: Wire.SyncOperation | undefined,
      done: Uint8Array,
      out: Array<Planned>
    ): void => {
      const pending: Array<number> = []
      for (let i = 0; i < part.indexes.length; i++) {
        if (done[part.indexes[i] as number] !== 1) pending.push(i)
      }
      if (pending.length === 0) return
      const rest = pending.length === part.indexes.length ? part : within(part, pending)
      const body = bodyOf(rest, sync)
      const [index] = rest.indexes
      if (body.length <= RestWire.maxRequestBytes) {
        out.push({ _tag: "Request", endpoint: rest.endpoint, indexes: rest.indexes, body })
      } else if (rest.indexes.length === 1 && index !== undefined) {
        out.push({ _tag: "TooLarge", index, bytes: body.length })
      } else {
        const positions = rest.indexes.map((_, i) => i)
        const half = Math.ceil(positions.length / 2)
        fitted(within(rest, positions.slice(0, half)), sync, done, out)
        fitted(within(rest, positions.slice(half)), sync, done, out)
      }
    }

    /**
     * The requests of an attempt, its records already JSON bytes: the records themselves are
     * dropped before anything is sent, so that a call waiting for its answer holds its body
     * (outside the JavaScript heap) and not 300 objects a garbage collection would copy.
     */
    const plan = (
      parts: ReadonlyArray<Requests.Part>,
      sync: Wire.SyncOperation | undefined,
      done: Uint8Array
    ): ReadonlyArray<Planned> => {
      const out: Array<Planned> = []
      for (const part of parts) {
        if (part._tag === "Records") fitted(part, sync, done, out)
        else if (done[part.index] !== 1) out.push(part)
      }
      return out
    }

    /**
     * One sync or delete, remembered by `key` (the same for every attempt of one call): its
     * requests one after the other, each answered request kept, so a retry sends only the rest.
     */
    const run = (
      operation: "syncMObjects" | "deleteMObjects",
      key: object,
      sentKeys: ReadonlyArray<Wire.Attrib | undefined>,
      partsOf: Effect.Effect<ReadonlyArray<Requests.Part>>,
      sync: Wire.SyncOperation | undefined
    ): Effect.Effect<ReadonlyArray<Wire.MObjStatus>, TransportCallError> =>
      Effect.gen(function*() {
        const count = sentKeys.length
        const memo = answeredBy.get(key) ?? {
          statuses: sentKeys.map(() => undefined),
          done: new Uint8Array(count),
          tried: new Uint8Array(count)
        }
        answeredBy.set(key, memo)
        const { done, statuses, tried } = memo
        const requests = yield* Effect.map(partsOf, (parts) => plan(parts, sync, done))
        // One request after the other: a call-level failure stops the rest, and the call fails
        // with it. A request answered by an earlier attempt of this call is never sent again
        // (an opportunity created is not created twice, a cost not appended twice).
        for (const request of requests) {
          switch (request._tag) {
            case "Request":
              for (const index of request.indexes) tried[index] = 1
              yield* records(operation, request, sync, statuses, sentKeys, done)
              continue
            case "TooLarge":
              statuses[request.index] = {
                id: 0,
                status: "FAILED",
                error:
                  `not sent: the record alone is ${request.bytes} bytes of JSON, more than the ${RestWire.maxRequestBytes} Marketo takes in one request`
              }
              break
            case "Program":
              // `tried` once its update goes: the reads of its costs before change nothing.
              yield* program(request, statuses, done, tried)
              continue
            case "Unsupported":
              statuses[request.index] = {
                id: 0,
                status: "FAILED",
                error: `REST ${operation} does not take ${request.type}`
              }
          }
          done[request.index] = 1
        }
        // A success that does not account for some records (no result, or a short one) says
        // nothing of them: they may have been applied. Never FAILED (re-sending could
        // duplicate): the call fails, and core reports them IN_DOUBT beside those answered.
        // A loop, not a flatMap: this runs over every record of every call.
        const unaccounted: Array<number> = []
        for (let i = 0; i < statuses.length; i++) if (statuses[i] === undefined) unaccounted.push(i)
        if (unaccounted.length > 0) {
          return yield* Effect.fail(
            new ProtocolError({
              reason: "CountMismatch",
              detail: `${operation}: the answer accounts for ${
                count - unaccounted.length
              } of ${count} record(s) sent; not for objects ${
                quote(unaccounted.join(", "), 200)
              } (relative to the call)`,
              received: `${count - unaccounted.length} record status(es)`
            })
          )
        }
        answeredBy.delete(key)
        return statuses as ReadonlyArray<Wire.MObjStatus>
      })

    const statusCall = (
      operation: "syncMObjects" | "deleteMObjects",
      params: Wire.ParamsSyncMObjects | Wire.ParamsDeleteMObjects,
      sync: Wire.SyncOperation | undefined
    ): Effect.Effect<{ readonly mObjStatusList: ReadonlyArray<Wire.MObjStatus> }, TransportCallError> => {
      const list = params.mObjectList
      const parts = sync === undefined
        ? Effect.sync(() => Requests.deleteParts(list))
        : Effect.map(customKinds(Requests.customEndpoints(list)), (kinds) => Requests.syncParts(list, kinds))
      return Effect.map(
        run(operation, params, list.map((o) => o.externalKey), parts, sync),
        (mObjStatusList) => ({ mObjStatusList })
      )
    }

    /** The model path: the models mapped straight to REST JSON, the references to their requests. */
    const sendModels = (call: ModelCall): Effect.Effect<ReadonlyArray<Wire.MObjStatus>, TransportCallError> => {
      if (call.operation === "deleteMObjects") {
        const refs = call.objects.map(deleteRefToWire)
        return run(
          "deleteMObjects",
          call,
          refs.map((r) => r.externalKey),
          Effect.sync(() => Requests.deleteParts(refs)),
          undefined
        )
      }
      const objects = call.objects
      return run(
        "syncMObjects",
        call,
        objects.map((o) => "externalKey" in o ? o.externalKey : undefined),
        Effect.map(
          customKinds(Requests.customModelEndpoints(objects)),
          (kinds) => Requests.syncModelParts(objects, kinds)
        ),
        call.sync
      )
    }

    /**
     * What a call that failed was answered, and FAILED "not sent" for the objects whose request
     * never went in any attempt (the call stopped at an earlier one): certainly not applied, so
     * safe to send again, where those sent and not answered are IN_DOUBT.
     */
    const answered = (key: object): ReadonlyArray<Wire.MObjStatus | undefined> | undefined => {
      const memo = answeredBy.get(key)
      if (memo === undefined) return undefined
      return memo.statuses.map((status, i) => status ?? (memo.tried[i] === 1 ? undefined : notSent))
    }
    return { statusCall, answered, sendModels }
  })
