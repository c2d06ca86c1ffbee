/**
 * A client-side limiter for Marketo's published limits: at most `calls` call starts in any
 * sliding `window`, and at most `inFlight` calls at once. One limiter is shared by every
 * call of one client, so concurrent jobs through the same client add up correctly.
 *
 * Time comes from `Clock`, so `TestClock` drives it.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** @internal */
export interface LimiterOptions {
  /** Call starts allowed in any window. */
  readonly calls: number
  readonly window: Duration.Duration
  /** Calls allowed at the same instant. */
  readonly inFlight: number
}

/** @internal */
export interface Limiter {
  /** Runs `effect` as one call: waits for an in-flight slot and a start in the window. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/** @internal */
export const make = (options: LimiterOptions): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const windowMillis = Duration.toMillis(options.window)
    const inFlight = yield* Effect.makeSemaphore(Math.max(1, options.inFlight))
    // One fiber at a time reads and writes the start log, so the plain array below is only
    // ever touched under this gate; waiters queue on it in arrival order.
    const gate = yield* Effect.makeSemaphore(1)
    const calls = Math.max(1, options.calls)
    // Start times of the last `calls` starts, oldest first (a ring buffer would save the
    // shift, but the log never holds more than `calls` entries).
    const starts: Array<number> = []

    const reserveStart: Effect.Effect<void> = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        // A start at `s` counts for the windows that contain it: it leaves the window
        // once `now >= s + window`.
        let oldest = starts[0]
        while (oldest !== undefined && oldest + windowMillis <= now) {
          starts.shift()
          oldest = starts[0]
        }
        if (oldest === undefined || starts.length < calls) {
          starts.push(now)
          return
        }
        yield* Effect.sleep(Duration.millis(oldest + windowMillis - now))
      }
    })

    const reserve = gate.withPermits(1)(reserveStart)

    return {
      run: <A, E, R>(effect: Effect.Effect<A, E, R>) => inFlight.withPermits(1)(Effect.zipRight(reserve, effect))
    }
  })
