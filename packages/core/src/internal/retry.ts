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
import type { CallError, TransportCallError, TransportError } from "../MarketoError.js"
import * as MarketoError from "../MarketoError.js"
import { AuthFault, finalFault, MarketoFault, QuotaExceeded } from "../MarketoError.js"

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

/** Connection failures and 5xx/429 statuses may pass; other statuses will not. */
const isTransient = (error: TransportError): boolean =>
  error.reason === "Connection" || error.status === undefined || error.status >= 500 || error.status === 429

/**
 * Decides after a failed attempt. Faults go by `FaultCode`'s table (the one `fromFault`
 * reads); a call that stops retrying ends with `MarketoError.finalFault` of its fault, or
 * its last error.
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
  const fail = (final: CallError): Effect.Effect<Decision> => Effect.succeed({ _tag: "Fail", error: final })
  switch (error._tag) {
    case "AuthFault":
    case "MarketoFault": {
      const giveUp = Effect.flatMap(Clock.currentTimeMillis, (now) => fail(finalFault(error, now)))
      // Repeating an ambiguous call (20011) that may create would risk a duplicate.
      if (!more || (MarketoError.isAmbiguous(error) && !state.repeatable)) return giveUp
      switch (FaultCode.retryClass(error.code)) {
        case "resign":
          // The transport signs every call, so calling again is signing again. Timestamps
          // have whole seconds: waiting one makes sure the new signature differs. Once is
          // enough: a second 20016 means the clock is off, not that the request was slow.
          return state.resigned === 0
            ? Effect.succeed({ _tag: "Retry", delay: Duration.seconds(1), reason: "resign" })
            : giveUp
        case "backoff":
        case "bounded":
          return retryAfterBackoff(String(error.code))
        case "quota":
        case "none":
          return giveUp
      }
      break
    }
    case "TransportError":
    case "TimeoutError": {
      if (MarketoError.isAmbiguous(error) && !state.repeatable) return fail(error)
      // A 4xx status (other than 429) is an answer about the request itself: the same
      // request would get it again.
      if (error._tag === "TransportError" && !isTransient(error)) return fail(error)
      return more ? retryAfterBackoff(error._tag) : fail(error)
    }
    case "ProtocolError":
      return fail(error)
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
