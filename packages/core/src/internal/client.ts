/**
 * The machinery of MarketoClient, as small functions that compose:
 *
 * - {@link attempt}: one attempt of one call, through the limiter, timed out, traced;
 * - {@link callStoppable} / {@link call}: one logical call, attempts repeated as `retry.ts` decides;
 * - {@link pair}: the statuses of a sync or delete paired with the objects sent, checked;
 * - {@link settleChunk}: one chunk sent and turned into outcomes whatever happens to it, the
 *   one place where a failed chunk becomes FAILED or IN_DOUBT and a fatal error stops the batch;
 * - {@link runAll} and {@link stream}: batches over `settleChunk`;
 * - {@link pages}: getMObjects page by page.
 *
 * It is generic over what the caller passes in (an `encode` to the wire and a `check` for
 * validation issues), so it knows nothing of the domain model.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Limits from "../Limits.js"
import type { Page } from "../MarketoClient.js"
import type { CallError, TransportCallError, ValidationIssue } from "../MarketoError.js"
import { PartialFailure, ProtocolError, TimeoutError, ValidationError } from "../MarketoError.js"
import type { MarketoTransportShape } from "../MarketoTransport.js"
import type { Outcome } from "../Outcome.js"
import { isProblem } from "../Outcome.js"
import type * as Wire from "../Wire.js"
import type { Settings } from "./clientSettings.js"
import * as Limiter from "./limiter.js"
import * as Retry from "./retry.js"

export type { Settings } from "./clientSettings.js"

/** What checks a batch: issues with indexes counted from `startIndex`. */
export type Check<A> = (
  objects: ReadonlyArray<A>,
  startIndex: number
) => ReadonlyArray<ValidationIssue>

/** The status-returning operations, and what each needs besides the objects. */
export type StatusRequest =
  | { readonly operation: "syncMObjects"; readonly sync: Wire.SyncOperation }
  | { readonly operation: "deleteMObjects" }

const calls = Metric.counter("mktows_client_calls", { description: "Marketo calls attempted, by operation" })
const objects = Metric.counter("mktows_client_objects", { description: "Objects synced or deleted, by status" })
const retries = Metric.counter("mktows_client_retries", { description: "Calls retried, by operation and reason" })
const faults = Metric.counter("mktows_client_faults", { description: "Marketo faults received, by code" })

/** The client's counters, tagged per use (operation, status, reason, code). */
export const metrics = { calls, objects, retries, faults } as const

/** What every function below works with: one client's transport, settings and limiter. */
interface Runtime {
  readonly transport: MarketoTransportShape
  readonly settings: Settings
  readonly limiter: Limiter.Limiter
  /** Objects per call: the caller's chunk size, at most the transport's maximum. */
  readonly chunkSize: number
}

/** How a call is sent: its object count (for spans) and whether repeating it is harmless. */
interface CallMeta {
  readonly count: number
  readonly repeatable: boolean
}

// ---------------------------------------------------------------------------------------
// Stopping a batch
// ---------------------------------------------------------------------------------------

/**
 * The fatal error that stopped a batch, once there is one: the first wins, as it is the one
 * every later call would have met.
 */
type Stop = Deferred.Deferred<CallError>

/**
 * A call of a batch that was never sent, because a fatal error stopped the batch while it
 * waited for the limiter or for a retry.
 */
class NotSent extends Data.TaggedError("NotSent")<{ readonly cause: CallError }> {}

/** Errors every later call of the batch would meet as well. */
const isFatal = (error: CallError): boolean => error._tag === "AuthFault" || error._tag === "QuotaExceeded"

const stopped = (stop: Stop | undefined): Effect.Effect<Option.Option<CallError>> =>
  stop === undefined ? Effect.succeedNone : Effect.flatMap(Deferred.poll(stop), Effect.transposeOption)

const notStopped = (stop: Stop | undefined): Effect.Effect<void, NotSent> =>
  Effect.flatMap(
    stopped(stop),
    Option.match({ onNone: () => Effect.void, onSome: (cause) => Effect.fail(new NotSent({ cause })) })
  )

const stopWith = (stop: Stop, error: CallError): Effect.Effect<void> =>
  Effect.flatMap(Deferred.succeed(stop, error), (first) =>
    first
      ? Effect.logInfo("batch stopped: no further call is sent").pipe(
        Effect.annotateLogs({ "mktows.reason": error._tag, "mktows.error": error.message })
      )
      : Effect.void)

// ---------------------------------------------------------------------------------------
// One call
// ---------------------------------------------------------------------------------------

/**
 * One attempt: through the limiter, timed out by `callTimeout` (which covers the transport's
 * reading and decoding of the answer: that is part of `transport.call`), traced and counted.
 */
const attempt = <Op extends Wire.Operation>(
  rt: Runtime,
  operation: Op,
  params: Wire.ParamsOf<Op>,
  meta: CallMeta,
  attemptNo: number,
  stop: Stop | undefined
): Effect.Effect<Wire.ResultOf<Op>, TransportCallError | NotSent> =>
  // Checked before queueing at the limiter too, so a stopped batch does not wait for it.
  Effect.zipRight(
    notStopped(stop),
    rt.limiter.run(
      // Checked once the limiter lets the call go: a batch stopped meanwhile sends nothing more.
      notStopped(stop).pipe(
        Effect.zipRight(Metric.increment(Metric.tagged(calls, "operation", operation))),
        Effect.zipRight(Effect.suspend(() => rt.transport.call(operation, params))),
        Effect.timeoutFail({
          duration: rt.settings.callTimeout,
          onTimeout: () => new TimeoutError({ operation, timeout: rt.settings.callTimeout })
        }),
        Effect.tapError((error) => {
          if (error._tag === "NotSent") return Effect.void
          const code = Retry.faultCode(error)
          return code === undefined
            ? Effect.annotateCurrentSpan("mktows.error", error._tag)
            : Effect.zipRight(
              Effect.annotateCurrentSpan({ "mktows.error": error._tag, "mktows.fault_code": code }),
              Metric.increment(Metric.tagged(faults, "code", String(code)))
            )
        })
      )
    )
  ).pipe(
    Effect.withSpan(`MarketoClient.${operation}`, {
      attributes: { "mktows.operation": operation, "mktows.objects": meta.count, "mktows.attempt": attemptNo },
      captureStackTrace: false
    })
  )

/**
 * One logical call: as many attempts as the retry rules allow. Retries, and a spent quota,
 * are logged at Info with the reason and the wait.
 */
const callStoppable = <Op extends Wire.Operation>(
  rt: Runtime,
  operation: Op,
  params: Wire.ParamsOf<Op>,
  meta: CallMeta,
  stop: Stop | undefined
): Effect.Effect<Wire.ResultOf<Op>, CallError | NotSent> => {
  const loop = (
    attemptNo: number,
    resigned: number,
    previous: CallError | undefined
  ): Effect.Effect<Wire.ResultOf<Op>, CallError | NotSent> =>
    Effect.catchAll(attempt(rt, operation, params, meta, attemptNo, stop), (error) =>
      error._tag === "NotSent"
        // Stopped before a retry: if the last attempt may have been applied, its objects are
        // in doubt rather than unsent.
        ? Effect.fail(previous !== undefined && Retry.isAmbiguous(previous) ? previous : error)
        : Effect.flatMap(
          Retry.decide(rt.settings.retry, error, { attempt: attemptNo, resigned, repeatable: meta.repeatable }),
          (decision) =>
            decision._tag === "Fail"
              ? Effect.zipRight(logFailure(operation, attemptNo, decision.error), Effect.fail(decision.error))
              : Effect.logInfo(`${operation} retried`).pipe(
                Effect.annotateLogs({
                  "mktows.operation": operation,
                  "mktows.attempt": attemptNo,
                  "mktows.reason": decision.reason,
                  "mktows.waitMillis": Duration.toMillis(decision.delay)
                }),
                Effect.zipRight(Metric.increment(
                  Metric.tagged(Metric.tagged(retries, "operation", operation), "reason", decision.reason)
                )),
                Effect.zipRight(Effect.sleep(decision.delay)),
                Effect.zipRight(
                  loop(attemptNo + 1, decision.reason === "resign" ? resigned + 1 : resigned, error)
                )
              )
        ))
  return Effect.zipRight(
    Effect.logDebug(`${operation} call`).pipe(
      Effect.annotateLogs({ "mktows.operation": operation, "mktows.objects": meta.count })
    ),
    loop(1, 0, undefined)
  )
}

const logFailure = (operation: Wire.Operation, attemptNo: number, error: CallError): Effect.Effect<void> =>
  error._tag === "QuotaExceeded"
    ? Effect.flatMap(
      Clock.currentTimeMillis,
      (now) =>
        Effect.logInfo("Marketo's daily quota is spent: calls stop until it resets").pipe(
          Effect.annotateLogs({
            "mktows.operation": operation,
            "mktows.reason": "quota",
            "mktows.resetsAt": error.resetsAt.toISOString(),
            "mktows.waitMillis": error.resetsAt.getTime() - now
          })
        )
    )
    : Effect.logDebug(`${operation} failed`).pipe(
      Effect.annotateLogs({ "mktows.operation": operation, "mktows.attempt": attemptNo, "mktows.error": error._tag })
    )

/** One logical call outside any batch: nothing can stop it, so it is never "not sent". */
const call = <Op extends Wire.Operation>(
  rt: Runtime,
  operation: Op,
  params: Wire.ParamsOf<Op>,
  meta: CallMeta
): Effect.Effect<Wire.ResultOf<Op>, CallError> =>
  Effect.catchTag(callStoppable(rt, operation, params, meta, undefined), "NotSent", (error) => Effect.fail(error.cause))

// ---------------------------------------------------------------------------------------
// Chunks: statuses paired with objects, failures turned into outcomes
// ---------------------------------------------------------------------------------------

interface Slice<A> {
  /** Index of the chunk's first object in the caller's input. */
  readonly start: number
  readonly items: ReadonlyArray<A>
}

const chunked = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<Slice<A>> => {
  const out: Array<Slice<A>> = []
  for (let start = 0; start < items.length; start += size) out.push({ start, items: items.slice(start, start + size) })
  return out
}

const range = (chunk: Slice<unknown>): string => `objects[${chunk.start}..${chunk.start + chunk.items.length - 1}]`

const sameKey = (a: Wire.Attrib, b: Wire.Attrib): boolean =>
  a.value === b.value && a.name.toLowerCase() === b.name.toLowerCase()

/**
 * Why a status cannot be the answer for the object sent at its position, if it cannot: an id
 * other than the object's, or (for an object without id) another external key.
 */
const identityMismatch = (sent: Wire.MObject, status: Wire.MObjStatus): string | undefined => {
  // Marketo answers id 0 for an object it did not store: that names no object.
  if (sent.id !== undefined && status.id > 0 && status.id !== sent.id) return `id ${status.id} for id ${sent.id}`
  if (sent.id === undefined && sent.externalKey !== undefined && status.externalKey !== undefined) {
    return sameKey(sent.externalKey, status.externalKey)
      ? undefined
      : `externalKey ${status.externalKey.name}=${
        JSON.stringify(status.externalKey.value)
      } for ${sent.externalKey.name}=${JSON.stringify(sent.externalKey.value)}`
  }
  return undefined
}

const toOutcome = <A>(index: number, input: A, status: Wire.MObjStatus): Outcome<A> => ({
  index,
  input,
  status: status.status,
  // Marketo answers id 0 for an object it did not store; that is no id.
  ...(status.id > 0 ? { id: status.id } : {}),
  ...(status.externalKey !== undefined ? { externalKey: status.externalKey } : {}),
  ...(status.error !== undefined ? { error: status.error } : {})
})

/**
 * The statuses of a sync or delete paired with the objects sent, by position, and checked:
 * the same count, and each status naming the object at its position where it names one. A
 * pairing that does not hold is never guessed: it is a ProtocolError.
 */
export const pair = <A>(
  operation: StatusRequest["operation"],
  chunk: Slice<A>,
  sent: ReadonlyArray<Wire.MObject>,
  statuses: ReadonlyArray<Wire.MObjStatus>
): Either.Either<ReadonlyArray<Outcome<A>>, ProtocolError> => {
  if (statuses.length !== chunk.items.length) {
    return Either.left(
      new ProtocolError({
        reason: "CountMismatch",
        detail: `${operation} sent ${chunk.items.length} object(s) (${
          range(chunk)
        }) and received ${statuses.length} status(es)`,
        received: `${statuses.length} mObjStatus`
      })
    )
  }
  const outcomes: Array<Outcome<A>> = []
  for (const [i, status] of statuses.entries()) {
    const object = sent[i]
    const mismatch = object === undefined ? undefined : identityMismatch(object, status)
    if (mismatch !== undefined) {
      return Either.left(
        new ProtocolError({
          reason: "IdentityMismatch",
          detail: `${operation}: status ${i} of ${range(chunk)} names another object than objects[${
            chunk.start + i
          }]: ${mismatch}`,
          received: `mObjStatus ${i}: ${mismatch}`.slice(0, 200)
        })
      )
    }
    outcomes.push(toOutcome(chunk.start + i, chunk.items[i] as A, status))
  }
  return Either.right(outcomes)
}

const inDoubt = <A>(
  chunk: Slice<A>,
  error: CallError,
  repeatable: boolean
): ReadonlyArray<Outcome<A>> => {
  const unknown = error._tag === "MarketoFault"
    ? "Marketo's internal error does not say whether it applied this object"
    : "no answer came, so it is unknown whether Marketo applied this object"
  const why = repeatable
    ? `${error.message}; ${unknown}, after the last retry`
    : `${error.message}; the request may have reached Marketo, and it is not repeated because it could create duplicates (INSERT, or UPSERT without ids): check before re-sending`
  return chunk.items.map((input, i) => ({ index: chunk.start + i, input, status: "IN_DOUBT", error: why }))
}

/** The outcomes of a chunk whose call failed for good with an answer (or was not sent). */
const failedChunk = <A>(chunk: Slice<A>, error: CallError, sent: boolean): ReadonlyArray<Outcome<A>> => {
  // A response we could not read may still mean Marketo applied the call.
  const status = error._tag === "ProtocolError" ? "IN_DOUBT" : "FAILED"
  const why = sent ? error.message : `not sent, because an earlier call failed: ${error.message}`
  return chunk.items.map((input, i) => ({ index: chunk.start + i, input, status, error: why }))
}

/**
 * A chunk's outcomes, one per object, whatever happened to its call; `failure` is the call
 * error when the chunk's call failed for good (`sent: false` when a stopped batch never sent
 * it). Never fails: this is the one place where failures become outcomes and where a fatal
 * error stops the batch.
 */
interface Settled<A> {
  readonly outcomes: ReadonlyArray<Outcome<A>>
  readonly failure?: { readonly error: CallError; readonly sent: boolean }
}

/**
 * Whether sending the same chunk twice is harmless: only where Marketo keys on ids: deletes,
 * UPDATE (which never creates), and an UPSERT whose every object has an id. An UPSERT without
 * one may create, and external keys are not unique, so a repeat could create a duplicate.
 */
const isRepeatable = (request: StatusRequest, sent: ReadonlyArray<Wire.MObject>): boolean =>
  request.operation === "deleteMObjects" || request.sync === "UPDATE" ||
  (request.sync === "UPSERT" && sent.every((o) => o.id !== undefined))

const settleChunk = <A>(
  rt: Runtime,
  request: StatusRequest,
  chunk: Slice<A>,
  encode: (a: A) => Wire.MObject,
  stop: Stop
): Effect.Effect<Settled<A>> => {
  const sent = chunk.items.map(encode)
  const repeatable = isRepeatable(request, sent)
  const meta = { count: chunk.items.length, repeatable }
  const answer: Effect.Effect<Wire.ResultSyncMObjects | Wire.ResultDeleteMObjects, CallError | NotSent> =
    request.operation === "syncMObjects"
      ? callStoppable(rt, "syncMObjects", { mObjectList: sent, operation: request.sync }, meta, stop)
      : callStoppable(rt, "deleteMObjects", { mObjectList: sent }, meta, stop)
  return answer.pipe(
    Effect.flatMap((result) => pair(request.operation, chunk, sent, result.mObjStatusList)),
    Effect.matchEffect({
      onSuccess: (outcomes): Effect.Effect<Settled<A>> => Effect.succeed({ outcomes }),
      onFailure: (error): Effect.Effect<Settled<A>> => {
        if (error._tag === "NotSent") {
          return Effect.succeed({
            outcomes: failedChunk(chunk, error.cause, false),
            failure: { error: error.cause, sent: false }
          })
        }
        if (Retry.isAmbiguous(error)) return Effect.succeed({ outcomes: inDoubt(chunk, error, repeatable) })
        const settled: Settled<A> = { outcomes: failedChunk(chunk, error, true), failure: { error, sent: true } }
        return isFatal(error) ? Effect.as(stopWith(stop, error), settled) : Effect.succeed(settled)
      }
    })
  )
}

const countStatuses = <A>(outcomes: ReadonlyArray<Outcome<A>>): Effect.Effect<void> => {
  const byStatus = new Map<string, number>()
  for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1)
  return Effect.forEach(
    byStatus,
    ([status, n]) => Metric.incrementBy(Metric.tagged(objects, "status", status), n),
    { discard: true }
  )
}

// ---------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------

/**
 * A whole batch: validated at once, chunked, run with bounded concurrency.
 *
 * A chunk whose call fails for good never costs the outcomes of the others: its objects
 * become FAILED (Marketo refused the call, so nothing of it was applied) or IN_DOUBT (an
 * answer we could not read), and the batch ends in PartialFailure with every outcome.
 * After an error that every later call would meet too (authentication, daily quota), no
 * further chunk is sent; their objects are FAILED with that reason. Only when no chunk
 * got through at all does the batch fail with the call error itself.
 */
const runAll = <A>(
  rt: Runtime,
  request: StatusRequest,
  items: ReadonlyArray<A>,
  encode: (a: A) => Wire.MObject,
  check: Check<A>,
  failOnPartial: boolean
): Effect.Effect<ReadonlyArray<Outcome<A>>, ValidationError | PartialFailure<A> | CallError> =>
  Effect.gen(function*() {
    const issues = check(items, 0)
    if (issues.length > 0) return yield* Effect.fail(new ValidationError({ issues }))
    const stop = yield* Deferred.make<CallError>()
    const settled = yield* Effect.forEach(
      chunked(items, rt.chunkSize),
      (chunk) => settleChunk(rt, request, chunk, encode, stop),
      { concurrency: rt.settings.concurrency }
    )
    const errors = settled.flatMap((s) => s.failure === undefined ? [] : [s.failure.error])
    const [first] = errors
    if (first !== undefined && errors.length === settled.length && errors.every((e) => e._tag !== "ProtocolError")) {
      // Nothing got through and nothing may have been applied: the call error says it best,
      // the one that stopped the batch if there is one.
      return yield* Effect.fail(Option.getOrElse(yield* stopped(stop), () => first))
    }
    const outcomes = settled.flatMap((s) => s.outcomes)
    yield* countStatuses(outcomes)
    if (failOnPartial && outcomes.some(isProblem)) return yield* Effect.fail(new PartialFailure<A>({ outcomes }))
    return outcomes
  })

/**
 * The streaming form. Chunks are validated in order before any is sent; a chunk with
 * invalid objects ends the stream with a ValidationError naming their global indexes,
 * after the outcomes of every chunk before it, and neither it nor any later chunk is sent.
 * A chunk whose call fails for good emits its objects as FAILED (IN_DOUBT when an answer
 * could not be read) and the stream goes on, as in a batch. After an error that every
 * later call would meet too (authentication, daily quota), no further chunk is sent: the
 * chunks already sent still emit their outcomes, then the stream ends with that error, so
 * every object after the last outcome was not sent.
 */
const stream = <A, E, R>(
  rt: Runtime,
  request: StatusRequest,
  encode: (a: A) => Wire.MObject,
  check: Check<A>,
  input: Stream.Stream<A, E, R>
): Stream.Stream<Outcome<A>, E | ValidationError | CallError, R> =>
  Stream.unwrap(Effect.map(Deferred.make<CallError>(), (stop) =>
    input.pipe(
      Stream.grouped(rt.chunkSize),
      Stream.mapAccum(0, (start, group) => {
        const items = Chunk.toReadonlyArray(group)
        return [start + items.length, { start, items }] as const
      }),
      Stream.map((chunk) => {
        const issues = check(chunk.items, chunk.start)
        return issues.length > 0 ? Either.left(new ValidationError({ issues })) : Either.right(chunk)
      }),
      // Stop pulling input at the first invalid chunk, so nothing after it is sent.
      Stream.takeUntil(Either.isLeft),
      Stream.mapEffect(
        (chunk): Effect.Effect<Either.Either<ReadonlyArray<Outcome<A>>, ValidationError | CallError>> =>
          Either.isLeft(chunk)
            ? Effect.succeed(Either.left(chunk.left))
            : Effect.map(settleChunk(rt, request, chunk.right, encode, stop), (settled) =>
              // Not sent: the stream ends here, with the error that stopped it.
              settled.failure !== undefined && !settled.failure.sent
                ? Either.left(settled.failure.error)
                : Either.right(settled.outcomes)),
        { concurrency: rt.settings.concurrency }
      ),
      // Results arrive in input order, so every outcome before the end is emitted first.
      Stream.mapEffect((result) =>
        Either.isLeft(result) ? Effect.fail(result.left) : Effect.as(countStatuses(result.right), result.right)
      ),
      Stream.flattenIterables,
      // A fatal error in the last chunks still ends the stream with that error.
      Stream.concat(
        Stream.unwrap(Effect.map(stopped(stop), Option.match({ onNone: () => Stream.empty, onSome: Stream.fail })))
      )
    )))

// ---------------------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------------------

/**
 * A 53-bit hash of a stream position (cyrb53): the positions of one read are remembered by
 * hash, so a read of any length costs a few bytes per page, and two positions collide with a
 * chance near n² / 2⁵⁴ (about 10⁻⁸ for 10,000 pages).
 */
const positionHash = (text: string): number => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}

const positionCycle = (detail: string, position: string): ProtocolError =>
  new ProtocolError({ reason: "PositionCycle", detail, received: `newStreamPosition "${position.slice(0, 80)}"` })

/**
 * getMObjects page by page, following `hasMore` and `newStreamPosition`. A position that
 * does not move forward (empty, the same, or one this read already followed: A, B, A, …)
 * would read the same pages forever: it ends the read with ProtocolError `PositionCycle`.
 */
const pages = <B, DE>(
  rt: Runtime,
  params: Omit<Wire.ParamsGetMObjects, "streamPosition">,
  streamPosition: string | undefined,
  decode: (wire: Wire.MObject) => Effect.Effect<B, DE>
): Stream.Stream<Page<B>, CallError | DE> =>
  Stream.suspend(() => {
    const seen = new Set<number>()
    if (streamPosition !== undefined) seen.add(positionHash(streamPosition))
    const next = (
      position: string | undefined
    ): Effect.Effect<readonly [Page<B>, Option.Option<string | undefined>], CallError | DE> =>
      call(rt, "getMObjects", position === undefined ? params : { ...params, streamPosition: position }, {
        count: 0,
        repeatable: true
      }).pipe(
        // Resuming from the position after the last page, Marketo answers 20123 "Stream
        // at End": nothing more to read, not a failure.
        Effect.catchIf(Retry.isStreamAtEnd, () => Effect.succeed(undefined)),
        Effect.flatMap(
          (result): Effect.Effect<readonly [Page<B>, Option.Option<string | undefined>], ProtocolError | DE> => {
            if (result === undefined) {
              return Effect.succeed(
                [{ objects: [], streamPosition: position ?? "", hasMore: false }, Option.none()] as const
              )
            }
            const moved = result.newStreamPosition
            if (result.hasMore) {
              if (moved === "" || moved === position) {
                return Effect.fail(
                  positionCycle("getMObjects answered hasMore=true without a new stream position", moved)
                )
              }
              const hash = positionHash(moved)
              if (seen.has(hash)) {
                return Effect.fail(
                  positionCycle(
                    `getMObjects answered hasMore=true with a stream position this read already followed (after ${seen.size} page(s))`,
                    moved
                  )
                )
              }
              seen.add(hash)
            }
            return Effect.map(
              Effect.forEach(result.mObjectList ?? [], decode),
              (decoded) =>
                [
                  { objects: decoded, streamPosition: moved, hasMore: result.hasMore },
                  result.hasMore ? Option.some(moved) : Option.none()
                ] as const
            )
          }
        )
      )
    return Stream.paginateEffect(streamPosition, next)
  })

// ---------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------

const chunkSizeOf = (settings: Settings, transport: MarketoTransportShape): number => {
  const max = transport.maxObjectsPerCall
  const limit = max !== undefined && Number.isSafeInteger(max) && max >= 1 ? max : Limits.maxObjectsPerCall
  return Math.min(settings.chunkSize ?? limit, limit)
}

/**
 * The engine of one client: the functions above bound to its transport, settings and limiter.
 *
 * @internal
 */
export const make = (transport: MarketoTransportShape, settings: Settings) =>
  Effect.map(Limiter.make(settings.rateLimit), (limiter) => {
    const rt: Runtime = { transport, settings, limiter, chunkSize: chunkSizeOf(settings, transport) }
    return {
      chunkSize: rt.chunkSize,
      call: <Op extends Wire.Operation>(operation: Op, params: Wire.ParamsOf<Op>, meta: CallMeta) =>
        call(rt, operation, params, meta),
      runAll: <A>(
        request: StatusRequest,
        items: ReadonlyArray<A>,
        encode: (a: A) => Wire.MObject,
        check: Check<A>,
        failOnPartial: boolean
      ) => runAll(rt, request, items, encode, check, failOnPartial),
      stream:
        (request: StatusRequest) =>
        <A>(encode: (a: A) => Wire.MObject, check: Check<A>) =>
        <E, R>(input: Stream.Stream<A, E, R>) => stream(rt, request, encode, check, input),
      pages: <B, DE>(
        params: Omit<Wire.ParamsGetMObjects, "streamPosition">,
        streamPosition: string | undefined,
        decode: (wire: Wire.MObject) => Effect.Effect<B, DE>
      ) => pages(rt, params, streamPosition, decode)
    } as const
  })

/** @internal */
export type Engine = Effect.Effect.Success<ReturnType<typeof make>>
