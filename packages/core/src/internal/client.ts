/**
 * The machinery of MarketoClient: one call with limits, timeout, retries and telemetry;
 * chunked syncs and deletes with per-object outcomes; paged reads.
 *
 * It is generic over what the caller passes in (an `encode` to the wire and a `check` for
 * validation issues), so it knows nothing of the domain model.
 *
 * @internal
 */
import * as Arr from "effect/Array"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { CallError, TimeoutError, TransportCallError, TransportError, ValidationIssue } from "../MarketoError.js"
import { PartialFailure, ProtocolError, TimeoutError as Timeout, ValidationError } from "../MarketoError.js"
import type { MarketoTransportShape } from "../MarketoTransport.js"
import type { Outcome } from "../Outcome.js"
import { isProblem } from "../Outcome.js"
import type * as Wire from "../Wire.js"
import * as Limiter from "./limiter.js"
import * as Retry from "./retry.js"

/** @internal */
export interface Settings {
  readonly chunkSize: number
  readonly concurrency: number
  readonly rateLimit: Limiter.LimiterOptions
  readonly retry: Retry.RetryPolicy
  readonly callTimeout: Duration.Duration
}

/** What checks a batch: issues with indexes counted from `startIndex`. */
export type Check<A> = (
  objects: ReadonlyArray<A>,
  startIndex: number
) => ReadonlyArray<ValidationIssue>

/** The status-returning operations, and what each needs besides the objects. */
export type StatusRequest =
  | { readonly operation: "syncMObjects"; readonly sync: Wire.SyncOperation }
  | { readonly operation: "deleteMObjects" }

/** @internal */
export interface Page<B> {
  readonly objects: ReadonlyArray<B>
  /** Where the next page starts: pass it as `streamPosition` to resume after this page. */
  readonly streamPosition: string
  readonly hasMore: boolean
}

const calls = Metric.counter("mktows_client_calls", { description: "Marketo calls attempted, by operation" })
const objects = Metric.counter("mktows_client_objects", { description: "Objects synced or deleted, by status" })
const retries = Metric.counter("mktows_client_retries", { description: "Calls retried, by operation and reason" })
const faults = Metric.counter("mktows_client_faults", { description: "Marketo faults received, by code" })

/** The client's counters, tagged per use (operation, status, reason, code). */
export const metrics = { calls, objects, retries, faults } as const

const chunked = <A>(
  items: ReadonlyArray<A>,
  size: number
): ReadonlyArray<{ start: number; items: ReadonlyArray<A> }> => {
  const out: Array<{ start: number; items: ReadonlyArray<A> }> = []
  for (let start = 0; start < items.length; start += size) out.push({ start, items: items.slice(start, start + size) })
  return out
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

const inDoubt = <A>(
  start: number,
  items: ReadonlyArray<A>,
  error: TransportError | TimeoutError,
  repeatable: boolean
): ReadonlyArray<Outcome<A>> => {
  const why = repeatable
    ? `${error.message}; no answer after the last retry, so it is unknown whether Marketo applied this object`
    : `${error.message}; the request may have reached Marketo, and it is not repeated because it could create duplicates (INSERT, or UPSERT without ids): check before re-sending`
  return items.map((input, i) => ({ index: start + i, input, status: "IN_DOUBT", error: why }))
}

/**
 * A call of a batch that was never sent, because a fatal error (below) stopped the batch
 * while it waited for the limiter or for a retry.
 */
class NotSent extends Data.TaggedError("NotSent")<{ readonly cause: CallError }> {}

/** Errors every later call of the batch would meet as well. */
const isFatal = (error: CallError): boolean => error._tag === "AuthFault" || error._tag === "QuotaExceeded"

/** The outcomes of a chunk whose call failed for good (ambiguous failures were already IN_DOUBT). */
const failedChunk = <A>(
  start: number,
  items: ReadonlyArray<A>,
  error: CallError,
  sent: boolean
): ReadonlyArray<Outcome<A>> => {
  // A response we could not read may still mean Marketo applied the call.
  const status = error._tag === "ProtocolError" ? "IN_DOUBT" : "FAILED"
  const why = sent ? error.message : `not sent, because an earlier call failed: ${error.message}`
  return items.map((input, i) => ({ index: start + i, input, status, error: why }))
}

/** The fatal error that stopped a batch, once there is one. */
type Stop = Ref.Ref<CallError | undefined>

const notStopped = (stop: Stop | undefined): Effect.Effect<void, NotSent> =>
  stop === undefined
    ? Effect.void
    : Effect.flatMap(Ref.get(stop), (cause) => cause === undefined ? Effect.void : Effect.fail(new NotSent({ cause })))

/** @internal */
export const make = (transport: MarketoTransportShape, settings: Settings) =>
  Effect.gen(function*() {
    const limiter = yield* Limiter.make(settings.rateLimit)

    const attemptOnce = <Op extends Wire.Operation>(
      operation: Op,
      params: Wire.ParamsOf<Op>,
      count: number,
      attempt: number,
      stop: Stop | undefined
    ): Effect.Effect<Wire.ResultOf<Op>, TransportCallError | NotSent> =>
      // Checked before queueing at the limiter too, so a stopped batch does not wait for it.
      Effect.zipRight(
        notStopped(stop),
        limiter.run(
          // Checked once the limiter lets the call go: a batch stopped meanwhile sends nothing more.
          notStopped(stop).pipe(
            Effect.zipRight(Metric.increment(Metric.tagged(calls, "operation", operation))),
            Effect.zipRight(Effect.suspend(() => transport.call(operation, params))),
            Effect.timeoutFail({
              duration: settings.callTimeout,
              onTimeout: () => new Timeout({ operation, timeout: settings.callTimeout })
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
          attributes: { "mktows.operation": operation, "mktows.objects": count, "mktows.attempt": attempt }
        })
      )

    /**
     * One logical call: as many attempts as the retry rules allow, each through the limiter.
     * `repeatable` is false when sending the request twice could do harm (INSERT).
     */
    const callStoppable = <Op extends Wire.Operation>(
      operation: Op,
      params: Wire.ParamsOf<Op>,
      meta: { readonly count: number; readonly repeatable: boolean; readonly stop?: Stop }
    ): Effect.Effect<Wire.ResultOf<Op>, CallError | NotSent> => {
      const loop = (
        attempt: number,
        resigned: number,
        previous: CallError | undefined
      ): Effect.Effect<Wire.ResultOf<Op>, CallError | NotSent> =>
        attemptOnce(operation, params, meta.count, attempt, meta.stop).pipe(
          Effect.catchAll((error) =>
            error._tag === "NotSent"
              // Stopped before a retry: if the last attempt may have been applied, its objects
              // are in doubt rather than unsent.
              ? Effect.fail(previous !== undefined && Retry.isAmbiguous(previous) ? previous : error)
              : Effect.flatMap(
                Retry.decide(settings.retry, error, { attempt, resigned, repeatable: meta.repeatable }),
                (decision) => {
                  if (decision._tag === "Fail") {
                    return Effect.zipRight(
                      Effect.logDebug(`${operation} failed`).pipe(
                        Effect.annotateLogs({ operation, attempt, error: decision.error._tag })
                      ),
                      Effect.fail(decision.error)
                    )
                  }
                  return Effect.logDebug(`${operation} retried`).pipe(
                    Effect.annotateLogs({
                      operation,
                      attempt,
                      reason: decision.reason,
                      delayMillis: Duration.toMillis(decision.delay)
                    }),
                    Effect.zipRight(Metric.increment(
                      Metric.tagged(Metric.tagged(retries, "operation", operation), "reason", decision.reason)
                    )),
                    Effect.zipRight(Effect.sleep(decision.delay)),
                    Effect.zipRight(loop(attempt + 1, decision.reason === "resign" ? resigned + 1 : resigned, error))
                  )
                }
              )
          )
        )
      return Effect.zipRight(
        Effect.logDebug(`${operation} call`).pipe(Effect.annotateLogs({ operation, objects: meta.count })),
        loop(1, 0, undefined)
      )
    }

    /** One logical call outside any batch: nothing can stop it, so it is never "not sent". */
    const call = <Op extends Wire.Operation>(
      operation: Op,
      params: Wire.ParamsOf<Op>,
      meta: { readonly count: number; readonly repeatable: boolean }
    ): Effect.Effect<Wire.ResultOf<Op>, CallError> =>
      Effect.catchTag(callStoppable(operation, params, meta), "NotSent", (error) => Effect.fail(error.cause))

    /** One chunk of a sync or delete, paired with its statuses. */
    const runChunk = <A>(
      request: StatusRequest,
      start: number,
      items: ReadonlyArray<A>,
      encode: (a: A) => Wire.MObject,
      stop: Stop
    ): Effect.Effect<ReadonlyArray<Outcome<A>>, CallError | NotSent> => {
      const mObjectList = items.map(encode)
      // Sending twice is harmless only where Marketo keys on ids: deletes, UPDATE (which never
      // creates), and an UPSERT whose every object has an id. An UPSERT without one may create,
      // and external keys are not unique, so a repeat could create a duplicate.
      const repeatable = request.operation === "deleteMObjects" || request.sync === "UPDATE" ||
        (request.sync === "UPSERT" && mObjectList.every((o) => o.id !== undefined))
      const meta = { count: items.length, repeatable, stop }
      const sent: Effect.Effect<{ readonly mObjStatusList: ReadonlyArray<Wire.MObjStatus> }, CallError | NotSent> =
        request.operation === "syncMObjects"
          ? callStoppable("syncMObjects", { mObjectList, operation: request.sync }, meta)
          : callStoppable("deleteMObjects", { mObjectList }, meta)
      return sent.pipe(
        Effect.flatMap((result): Effect.Effect<ReadonlyArray<Outcome<A>>, ProtocolError> => {
          const statuses = result.mObjStatusList
          if (statuses.length !== items.length) {
            // Pairing by position is only sound when the counts agree; never guess.
            return Effect.fail(
              new ProtocolError({
                reason: "CountMismatch",
                detail: `${request.operation} sent ${items.length} object(s) (objects[${start}..${
                  start + items.length - 1
                }]) and received ${statuses.length} status(es)`,
                received: `${statuses.length} mObjStatus`
              })
            )
          }
          return Effect.succeed(
            Arr.zip(items, statuses).map(([input, status], i) => toOutcome(start + i, input, status))
          )
        }),
        Effect.catchIf(
          (error): error is TransportError | TimeoutError => error._tag !== "NotSent" && Retry.isAmbiguous(error),
          (error) => Effect.succeed(inDoubt(start, items, error, repeatable))
        ),
        Effect.tap((outcomes) => countStatuses(outcomes))
      )
    }

    const countStatuses = <A>(outcomes: ReadonlyArray<Outcome<A>>) => {
      const byStatus = new Map<string, number>()
      for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1)
      return Effect.forEach(
        byStatus,
        ([status, n]) => Metric.incrementBy(Metric.tagged(objects, "status", status), n),
        { discard: true }
      )
    }

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
      request: StatusRequest,
      items: ReadonlyArray<A>,
      encode: (a: A) => Wire.MObject,
      check: Check<A>,
      failOnPartial: boolean
    ): Effect.Effect<ReadonlyArray<Outcome<A>>, ValidationError | PartialFailure<A> | CallError> =>
      Effect.gen(function*() {
        const issues = check(items, 0)
        if (issues.length > 0) return yield* Effect.fail(new ValidationError({ issues }))
        const stopped = yield* Ref.make<CallError | undefined>(undefined)
        const perChunk = yield* Effect.forEach(
          chunked(items, settings.chunkSize),
          (c) =>
            runChunk(request, c.start, c.items, encode, stopped).pipe(
              Effect.tapError((error) =>
                error._tag !== "NotSent" && isFatal(error) ? Ref.set(stopped, error) : Effect.void
              ),
              Effect.either,
              Effect.map((result) => ({ ...c, result }))
            ),
          { concurrency: settings.concurrency }
        )
        const errors = perChunk.flatMap((c) =>
          Either.isLeft(c.result) ? [c.result.left._tag === "NotSent" ? c.result.left.cause : c.result.left] : []
        )
        if (
          errors.length === perChunk.length && errors[0] !== undefined &&
          errors.every((e) => e._tag !== "ProtocolError")
        ) {
          // Nothing got through and nothing may have been applied: the call error says it best,
          // the one that stopped the batch if there is one.
          return yield* Effect.fail(errors.find(isFatal) ?? errors[0])
        }
        const outcomes: Array<Outcome<A>> = []
        for (const c of perChunk) {
          if (Either.isRight(c.result)) {
            outcomes.push(...c.result.right)
          } else {
            const error = c.result.left
            const failed = error._tag === "NotSent"
              ? failedChunk(c.start, c.items, error.cause, false)
              : failedChunk(c.start, c.items, error, true)
            // Answered chunks were counted as they came; these are counted here, once.
            yield* countStatuses(failed)
            outcomes.push(...failed)
          }
        }
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
    const stream =
      (request: StatusRequest) =>
      <A>(encode: (a: A) => Wire.MObject, check: Check<A>) =>
      <E, R>(input: Stream.Stream<A, E, R>): Stream.Stream<Outcome<A>, E | ValidationError | CallError, R> =>
        Stream.unwrap(Effect.map(Ref.make<CallError | undefined>(undefined), (stopped) =>
          input.pipe(
            Stream.grouped(settings.chunkSize),
            Stream.mapAccum(0, (start, chunk) => {
              const items = Chunk.toReadonlyArray(chunk)
              return [start + items.length, { start, items }] as const
            }),
            Stream.map((batch) => {
              const issues = check(batch.items, batch.start)
              return issues.length > 0 ? Either.left(new ValidationError({ issues })) : Either.right(batch)
            }),
            // Stop pulling input at the first invalid chunk, so nothing after it is sent.
            Stream.takeUntil(Either.isLeft),
            Stream.mapEffect(
              (batch): Effect.Effect<Either.Either<ReadonlyArray<Outcome<A>>, ValidationError | CallError>> => {
                if (Either.isLeft(batch)) return Effect.succeed(Either.left(batch.left))
                const { items, start } = batch.right
                return runChunk(request, start, items, encode, stopped).pipe(
                  Effect.tapError((error) =>
                    error._tag !== "NotSent" && isFatal(error) ? Ref.set(stopped, error) : Effect.void
                  ),
                  Effect.map((outcomes) => Either.right<ReadonlyArray<Outcome<A>>>(outcomes)),
                  Effect.catchAll((error): Effect.Effect<
                    Either.Either<ReadonlyArray<Outcome<A>>, ValidationError | CallError>
                  > => {
                    // Not sent: the stream ends here, with the error that stopped it.
                    if (error._tag === "NotSent") return Effect.succeed(Either.left(error.cause))
                    const outcomes = failedChunk(start, items, error, true)
                    return Effect.as(countStatuses(outcomes), Either.right(outcomes))
                  })
                )
              },
              { concurrency: settings.concurrency }
            ),
            // Results arrive in input order, so every outcome before the end is emitted first.
            Stream.mapEffect((result) => result),
            Stream.flattenIterables,
            // A fatal error in the last chunks still ends the stream with that error.
            Stream.concat(
              Stream.unwrap(
                Effect.map(Ref.get(stopped), (stop) => stop === undefined ? Stream.empty : Stream.fail(stop))
              )
            )
          )))

    /** getMObjects page by page, following `hasMore` and `newStreamPosition`. */
    const pages = <B, DE>(
      params: Omit<Wire.ParamsGetMObjects, "streamPosition">,
      streamPosition: string | undefined,
      decode: (wire: Wire.MObject) => Effect.Effect<B, DE>
    ): Stream.Stream<Page<B>, CallError | DE> =>
      Stream.paginateEffect(
        streamPosition,
        (position): Effect.Effect<readonly [Page<B>, Option.Option<string | undefined>], CallError | DE> =>
          call(
            "getMObjects",
            position === undefined ? params : { ...params, streamPosition: position },
            { count: 0, repeatable: true }
          ).pipe(
            // Resuming from the position after the last page, Marketo answers 20123 "Stream
            // at End": nothing more to read, not a failure.
            Effect.catchIf(Retry.isStreamAtEnd, () => Effect.succeed(undefined)),
            Effect.flatMap((
              result
            ): Effect.Effect<readonly [Page<B>, Option.Option<string | undefined>], DE | ProtocolError> =>
              result === undefined
                ? Effect.succeed(
                  [{ objects: [], streamPosition: position ?? "", hasMore: false }, Option.none()] as const
                )
                : result.hasMore && (result.newStreamPosition === "" || result.newStreamPosition === position)
                ? Effect.fail(
                  // Following a position that does not move would read the same page forever.
                  new ProtocolError({
                    reason: "Unexpected",
                    detail: "getMObjects answered hasMore=true without a new stream position",
                    received: `newStreamPosition "${result.newStreamPosition.slice(0, 80)}"`
                  })
                )
                : Effect.map(
                  Effect.forEach(result.mObjectList ?? [], decode),
                  (decoded) =>
                    [
                      { objects: decoded, streamPosition: result.newStreamPosition, hasMore: result.hasMore },
                      result.hasMore ? Option.some(result.newStreamPosition) : Option.none()
                    ] as const
                )
            )
          )
      )

    return {
      call,
      runAll,
      stream,
      pages
    } as const
  })

/** @internal */
export type Engine = Effect.Effect.Success<ReturnType<typeof make>>
