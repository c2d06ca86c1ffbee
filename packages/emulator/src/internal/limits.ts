/**
 * Marketo's documented limits, counted the way the server sees calls: at most 100 calls in
 * any 20 seconds (20023), at most 10 at once (20024), and a daily quota (20015) that resets
 * at midnight America/Chicago, daylight saving included. The reset instant comes from
 * core's FaultCode.quotaResetAfter, the one the client's QuotaExceeded uses, so both agree.
 * Time comes from Clock, so a TestClock drives the windows.
 */
import * as FaultCode from "@mktows/core/FaultCode"
import * as Limits from "@mktows/core/Limits"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { type EmulatorFault, fault } from "./fault.js"

/** @internal */
export const rateWindowMillis = Limits.rateWindowSeconds * 1000
/** @internal */
export const rateLimit = Limits.maxCallsPerWindow
/** @internal */
export const concurrencyLimit = Limits.maxConcurrentCalls

interface Counters {
  readonly inFlight: number
  /** Start times of the calls accepted in the current rate window, oldest first. */
  readonly recent: ReadonlyArray<number>
  /** The day's bucket: the instant (epoch ms) its count resets. */
  readonly resetsAt: number
  readonly today: number
}

const initial: Counters = { inFlight: 0, recent: [], resetsAt: -1, today: 0 }

/** @internal */
export interface Limiter {
  /** Runs `effect` as one call, or fails with the limit it would exceed. */
  readonly guard: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | EmulatorFault, R>
  readonly reset: Effect.Effect<void>
}

/** @internal */
export const makeLimiter = (dailyQuota: number): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const ref = yield* Ref.make(initial)
    const admit = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Ref.modify(ref, (c): [EmulatorFault | undefined, Counters] => {
        const recent = c.recent.filter((t) =>
          t > now - rateWindowMillis
        )
        const resetsAt = FaultCode.quotaResetAfter(now).getTime()
        const today = resetsAt === c.resetsAt ? c.today : 0
        const kept = { ...c, recent, resetsAt, today }
        if (c.inFlight >= concurrencyLimit) {
          return [fault(20024, `more than ${concurrencyLimit} concurrent calls`), kept]
        }
        if (recent.length >= rateLimit) {
          return [fault(20023, `more than ${rateLimit} calls in the past 20 seconds`), kept]
        }
        if (today >= dailyQuota) {
          const when = new Date(resetsAt).toISOString()
          return [
            fault(
              20015,
              `the daily quota of ${dailyQuota} calls is spent; it resets at ${when} (midnight America/Chicago)`
            ),
            kept
          ]
        }
        return [undefined, { inFlight: c.inFlight + 1, recent: [...recent, now], resetsAt, today: today + 1 }]
      }))
    const release = Ref.update(ref, (c) => ({ ...c, inFlight: c.inFlight - 1 }))
    return {
      guard: <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.acquireUseRelease(
          admit,
          (refused): Effect.Effect<A, E | EmulatorFault, R> => refused === undefined ? effect : Effect.fail(refused),
          (refused) => refused === undefined ? release : Effect.void
        ),
      reset: Ref.set(ref, initial)
    }
  })
