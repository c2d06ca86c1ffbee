/**
 * One call of the client: one attempt through the limiter, timed out and traced, and the
 * attempts of one logical call as the retry rules decide; the stop signal of a batch.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as MarketoError from "../MarketoError.js"
import type { CallError, TransportCallError } from "../MarketoError.js"
import { TimeoutError } from "../MarketoError.js"
import type { MarketoTransportShape } from "../MarketoTransport.js"
import * as Wire from "../Wire.js"
import type { Settings } from "./clientSettings.js"
import type * as Limiter from "./limiter.js"
import * as Retry from "./retry.js"
import * as Spans from "./spans.js"
import * as Timeout from "./timeout.js"

export const calls = Metric.counter("mktows_client_calls", { description: "Marketo calls attempted, by operation" })
export const objects = Metric.counter("mktows_client_objects", { description: "Objects synced or deleted, by status" })
export const retries = Metric.counter("mktows_client_retries", {
  description: "Calls retried, by operation and reason"
})
export const faults = Metric.counter("mktows_client_faults", { description: "Marketo faults received, by code" })

// Tagged once per operation rather than on every call: a call is counted on the hot path.
const callsOf = Object.fromEntries(
  Wire.Operation.literals.map((operation) => [operation, Metric.tagged(calls, "operation", operation)])
) as Record<Wire.Operation, Metric.Metric.Counter<number>>

/** What every function below works with: one client's transport, settings and limiter. */
export interface Runtime {
  readonly transport: MarketoTransportShape
  readonly settings: Settings
  readonly limiter: Limiter.Limiter
  /** Objects per call: the caller's chunk size, at most the transport's maximum. */
  readonly chunkSize: number
  /** Taken before a call's CPU-bound work: the transport's turns (`turn.ts`), if it has them. */
  readonly turn: Effect.Effect<void>
}

/** How a call is sent: its object count (for spans) and whether repeating it is harmless. */
export interface CallMeta {
  readonly count: number
  readonly repeatable: boolean
  /**
   * Set when the call is sent again after an attempt that may have been applied (its answer
   * lost): what the later attempt is answered may be the earlier one's doing.
   */
  readonly afterDoubt?: { value: boolean }
}

// ---------------------------------------------------------------------------------------
// Stopping a batch
// ---------------------------------------------------------------------------------------

/**
 * The fatal error that stopped a batch, once there is one: the first wins, as it is the one
 * every later call would have met. A cell of the batch, read synchronously by every attempt:
 * nobody waits on it, and a `Deferred` polled twice per attempt cost more than the check.
 */
export interface Stop {
  error: CallError | undefined
}

export const makeStop = (): Stop => ({ error: undefined })

/**
 * A call of a batch that was never sent, because a fatal error stopped the batch while it
 * waited for the limiter or for a retry.
 */
export class NotSent extends Data.TaggedError("NotSent")<{ readonly cause: CallError }> {}

export const stopped = (stop: Stop | undefined): Effect.Effect<Option.Option<CallError>> =>
  stop === undefined ? Effect.succeedNone : Effect.sync(() => Option.fromNullable(stop.error))

export const notStopped = (stop: Stop | undefined): Effect.Effect<void, NotSent> =>
  stop === undefined
    ? Effect.void
    : Effect.suspend(() => stop.error === undefined ? Effect.void : Effect.fail(new NotSent({ cause: stop.error })))

export const stopWith = (stop: Stop, error: CallError): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (stop.error !== undefined) return Effect.void
    stop.error = error
    return Effect.logInfo("batch stopped: no further call is sent").pipe(
      Effect.annotateLogs({ "mktows.reason": error._tag, "mktows.error": error.message })
    )
  })

/**
 * A debug line with its annotations, built only when Debug is enabled: annotating costs a
 * HashMap update of the fiber's log annotations on every call even when the line is dropped.
 */
export const logDebug = (message: string, annotations: Record<string, unknown>): Effect.Effect<void> =>
  Effect.asVoid(Effect.whenLogLevel(Effect.annotateLogs(Effect.logDebug(message), annotations), "Debug"))

// ---------------------------------------------------------------------------------------
// One call
// ---------------------------------------------------------------------------------------

/**
 * What sends one attempt of a call: the transport's `call` of the wire params, or its model
 * path. Run afresh for every attempt, so each is signed anew.
 */
export type Send<Op extends Wire.Operation> = Effect.Effect<Wire.ResultOf<Op>, TransportCallError>

/** The transport's `call` of `params`, as a {@link Send}. */
export const sendWire = <Op extends Wire.Operation>(
  rt: Runtime,
  operation: Op,
  params: Wire.ParamsOf<Op>
): Send<Op> => Effect.suspend(() => rt.transport.call(operation, params))

/**
 * One attempt: through the limiter, timed out by `callTimeout` (which covers the transport's
 * reading and decoding of the answer: that is part of `send`), traced and counted.
 */
export const attempt = <Op extends Wire.Operation>(
  rt: Runtime,
  operation: Op,
  send: Send<Op>,
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
        Effect.zipRight(Metric.increment(callsOf[operation])),
        // What the caller runs just before a call goes out (a journal's intent), once admitted.
        Effect.zipRight(Timeout.onSend),
        Effect.zipRight(send),
        (attempt) =>
          timed(rt, attempt, (phase) =>
            new TimeoutError({
              operation,
              timeout: rt.settings.callTimeout,
              ...(phase.notSent ? { ambiguous: false } : {})
            })),
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
    // Made only when someone traces (`spans.ts`).
    Spans.withSpan(`MarketoClient.${operation}`, {
      attributes: { "mktows.operation": operation, "mktows.objects": meta.count, "mktows.attempt": attemptNo },
      captureStackTrace: false
    })
  )

/**
 * One logical call: as many attempts as the retry rules allow. Retries, and a spent quota,
 * are logged at Info with the reason and the wait.
 */
export const callStoppable = <Op extends Wire.Operation>(
  rt: Runtime,
  operation: Op,
  send: Send<Op>,
  meta: CallMeta,
  stop: Stop | undefined
): Effect.Effect<Wire.ResultOf<Op>, CallError | NotSent> => {
  // `doubt`: the latest error of an earlier attempt that may have been applied. A call that
  // then ends with nothing sent (stopped, or a token that never came) ends in that doubt, not
  // as if nothing had ever been applied.
  const loop = (
    attemptNo: number,
    resigned: number,
    doubt: CallError | undefined
  ): Effect.Effect<Wire.ResultOf<Op>, CallError | NotSent> =>
    Effect.catchAll(attempt(rt, operation, send, meta, attemptNo, stop), (error) =>
      error._tag === "NotSent"
        ? Effect.fail(doubt ?? error)
        : Effect.flatMap(
          Retry.decide(rt.settings.retry, error, { attempt: attemptNo, resigned, repeatable: meta.repeatable }),
          (decision) => {
            if (decision._tag === "Fail") {
              const final = doubt !== undefined && notSent(decision.error) ? doubt : decision.error
              return Effect.zipRight(logFailure(operation, attemptNo, final), Effect.fail(final))
            }
            if (meta.afterDoubt !== undefined && MarketoError.isAmbiguous(error)) meta.afterDoubt.value = true
            return Effect.logInfo(`${operation} retried`).pipe(
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
                loop(
                  attemptNo + 1,
                  decision.reason === "resign" ? resigned + 1 : resigned,
                  MarketoError.isAmbiguous(error) ? error : doubt
                )
              )
            )
          }
        ))
  return Effect.zipRight(
    logDebug(`${operation} call`, { "mktows.operation": operation, "mktows.objects": meta.count }),
    loop(1, 0, undefined)
  )
}

/** An error of an attempt that certainly sent nothing (no connection, no token in time). */
const notSent = (error: CallError): boolean =>
  (error._tag === "TransportError" || error._tag === "TimeoutError") && !MarketoError.isAmbiguous(error)

export const logFailure = (operation: Wire.Operation, attemptNo: number, error: CallError): Effect.Effect<void> =>
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
    : logDebug(`${operation} failed`, {
      "mktows.operation": operation,
      "mktows.attempt": attemptNo,
      "mktows.error": error._tag
    })

/**
 * `self` under the call's time limit, in a phase of its own: shared with the fiber it runs in,
 * it tells whether its time ran out before a request was sent (a REST token that never came),
 * when nothing can have been applied, and it starts the limit again as each further request
 * goes, that request's wait for the rate window not counted.
 */
const timed = <A, E, E2>(
  rt: Runtime,
  self: Effect.Effect<A, E>,
  onTimeout: (phase: Timeout.Phase) => E2,
  first?: Effect.Effect<void>
): Effect.Effect<A, E | E2> =>
  Effect.suspend(() => {
    const phase: Timeout.Phase = {
      notSent: false,
      sent: false,
      requests: 0,
      quiet: 0,
      more: rt.limiter.more,
      from: undefined,
      waiting: false,
      ...(first === undefined ? {} : { first })
    }
    return Timeout.timeoutFail(
      Effect.locally(self, Timeout.currentPhase, phase),
      rt.settings.callTimeout,
      () => onTimeout(phase),
      phase
    )
  })

/** What {@link check} fails with inside when its time is up: seen by no caller. */
const checkTimedOut = { _tag: "CheckTimedOut" } as const

/**
 * A transport's check of a read against the instance (`refuseRead`: REST asks the describe), run
 * as an attempt is, within `callTimeout`, its requests counted in the rate window: the first
 * takes a place at the limiter as it goes (`eachRequest`), further ones as an attempt's do. A
 * check that sends nothing (it knows the answer, or there is nothing to ask) takes no place. A
 * check whose time runs out could not tell, so it answers `unknown` (logged as a warning) and
 * the read goes on, the instance having the last word; without the limit a describe that never
 * answered held the read for ever, and every call waiting for the same describe with it.
 */
export const check = <A>(
  rt: Runtime,
  operation: Wire.Operation,
  self: Effect.Effect<A>,
  unknown: A
): Effect.Effect<A> =>
  Effect.uninterruptibleMask((restore) => {
    // Set in the same uninterruptible step as the place is taken, so a place taken is ended.
    let held = false
    const first = Effect.uninterruptible(Effect.tap(rt.limiter.take, () => {
      held = true
    }))
    return Effect.catchAll(
      restore(timed(rt, self, () => checkTimedOut, first)).pipe(
        Effect.ensuring(Effect.suspend(() => held ? rt.limiter.finish : Effect.void))
      ),
      () =>
        Effect.as(
          Effect.logWarning(`${operation}: the instance's check did not answer in time; the instance decides`).pipe(
            Effect.annotateLogs({
              "mktows.operation": operation,
              "mktows.timeoutMillis": Duration.toMillis(rt.settings.callTimeout)
            })
          ),
          unknown
        )
    )
  })

/** One logical call outside any batch: nothing can stop it, so it is never "not sent". */
export const call = <Op extends Wire.Operation>(
  rt: Runtime,
  operation: Op,
  params: Wire.ParamsOf<Op>,
  meta: CallMeta
): Effect.Effect<Wire.ResultOf<Op>, CallError> =>
  Effect.catchTag(
    callStoppable(rt, operation, sendWire(rt, operation, params), meta, undefined),
    "NotSent",
    (error) => Effect.fail(error.cause)
  )
