/**
 * What to do after a failed call, by fault code and by how ambiguous the failure is.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as FaultCode from "../FaultCode.js"
import type { CallError, TimeoutError, TransportCallError, TransportError } from "../MarketoError.js"
import { AuthFault, MarketoFault, QuotaExceeded } from "../MarketoError.js"

/** @internal */
export interface RetryPolicy {
  /** Attempts of one call in all, the first included. */
  readonly maxAttempts: number
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
}

/** @internal */
export type Decision =
  | { readonly _tag: "Retry"; readonly delay: Duration.Duration; readonly reason: string }
  | { readonly _tag: "Fail"; readonly error: CallError }

/** @internal */
export interface Attempt {
  /** 1 for the first attempt. */
  readonly attempt: number
  /** How many times this call was already re-signed after a 20016. */
  readonly resigned: number
  /**
   * Whether sending the same request twice cannot do harm: false for an INSERT, and for an
   * UPSERT with objects lacking ids, whose repetition after an unanswered request could
   * create duplicates.
   */
  readonly repeatable: boolean
}

/**
 * The next quota reset after the `Clock`'s now.
 *
 * @internal
 */
export const nextQuotaReset: Effect.Effect<Date> = Effect.map(Clock.currentTimeMillis, FaultCode.quotaResetAfter)

/**
 * Exponential backoff with "equal jitter": half the capped delay, plus a random part of the
 * other half, so that clients that failed together do not retry together, yet never at once.
 *
 * @internal
 */
export const backoff = (policy: RetryPolicy, attempt: number): Effect.Effect<Duration.Duration> =>
  Effect.map(Random.next, (r) => {
    const exp = Duration.toMillis(policy.baseDelay) * 2 ** Math.max(0, attempt - 1)
    const capped = Math.min(Duration.toMillis(policy.maxDelay), exp)
    return Duration.millis(Math.round(capped / 2 + (r * capped) / 2))
  })

/**
 * Whether the request may have reached Marketo without an answer coming back.
 *
 * @internal
 */
export const isAmbiguous = (error: CallError): error is TransportError | TimeoutError =>
  error._tag === "TimeoutError" || (error._tag === "TransportError" && error.ambiguous)

/** Connection failures and 5xx/429 statuses may pass; other statuses will not. */
const isTransient = (error: TransportError): boolean =>
  error.reason === "Connection" || error.status === undefined || error.status >= 500 || error.status === 429

const fail = (error: CallError): Decision => ({ _tag: "Fail", error })

/**
 * Decides after a failed attempt. A call that exhausts its attempts fails with its last error.
 *
 * @internal
 */
export const decide = (
  policy: RetryPolicy,
  error: TransportCallError,
  state: Attempt
): Effect.Effect<Decision> => {
  const more = state.attempt < policy.maxAttempts
  const retryAfterBackoff = (reason: string) =>
    Effect.map(backoff(policy, state.attempt), (delay): Decision => ({ _tag: "Retry", delay, reason }))
  switch (error._tag) {
    case "AuthFault":
    case "MarketoFault": {
      const retry = FaultCode.retryClass(error.code)
      switch (retry) {
        case "resign":
          // The transport signs every call, so calling again is signing again. Timestamps
          // have whole seconds: waiting one makes sure the new signature differs. Once is
          // enough: a second 20016 means the clock is off, not that the request was slow.
          return Effect.succeed(
            state.resigned === 0 && more
              ? { _tag: "Retry", delay: Duration.seconds(1), reason: "resign" }
              : fail(new AuthFault({ code: error.code, faultString: error.faultString }))
          )
        case "backoff":
        case "bounded":
          return more && error._tag === "MarketoFault"
            ? retryAfterBackoff(String(error.code))
            : Effect.succeed(fail(error))
        case "quota":
          return Effect.map(
            nextQuotaReset,
            (resetsAt) => fail(new QuotaExceeded({ faultString: error.faultString, resetsAt }))
          )
        case "none":
          return Effect.succeed(fail(error))
      }
      break
    }
    case "TransportError":
    case "TimeoutError": {
      if (isAmbiguous(error) && !state.repeatable) return Effect.succeed(fail(error))
      // A 4xx status (other than 429) is an answer about the request itself: the same
      // request would get it again.
      if (error._tag === "TransportError" && !isTransient(error)) return Effect.succeed(fail(error))
      return more ? retryAfterBackoff(error._tag) : Effect.succeed(fail(error))
    }
    case "ProtocolError":
      return Effect.succeed(fail(error))
  }
}

/**
 * The numeric code of a fault, for spans and metrics.
 *
 * @internal
 */
export const faultCode = (error: CallError): number | undefined =>
  error instanceof MarketoFault || error instanceof AuthFault
    ? error.code
    : error instanceof QuotaExceeded
    ? 20015
    : undefined

/**
 * Marketo's 20123 "Stream at End": a read resumed at the end has nothing more.
 *
 * @internal
 */
export const isStreamAtEnd = (error: CallError): boolean => error._tag === "MarketoFault" && error.code === 20123
