/**
 * A client-side limiter for Marketo's published limits: at most `calls` calls in any
 * sliding `window`, and at most `inFlight` calls at once. One limiter is shared by every
 * call of one client, so concurrent jobs through the same client add up correctly.
 *
 * A call counts in the window from the moment it ends, not the moment it starts: Marketo
 * counts a call when it receives it, which can be well after the client started it (signing,
 * encoding, the network, the server's queue), and the end is the latest moment it can have
 * been received. Counting starts would let call n+100 reach the server less than a window
 * after call n and trip 20023.
 *
 * Time comes from `Clock`, so `TestClock` drives it.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** @internal */
export interface LimiterOptions {
  /** Calls allowed in any window. */
  readonly calls: number
  readonly window: Duration.Duration
  /** Calls allowed at the same instant. */
  readonly inFlight: number
}

/** @internal */
export interface Limiter {
  /** Runs `effect` as one call: waits for an in-flight slot and a place in the window. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/** One call in the window: `at` is when it ended, `Infinity` while it is still running. */
interface Entry {
  at: number
}

/** @internal */
export const make = (options: LimiterOptions): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const windowMillis = Duration.toMillis(options.window)
    const inFlight = yield* Effect.makeSemaphore(Math.max(1, options.inFlight))
    // One fiber at a time reads and writes the log, so the plain array below is only ever
    // touched under this gate (or by a finishing call, which only stamps its own entry);
    // waiters queue on the gate in arrival order.
    const gate = yield* Effect.makeSemaphore(1)
    const calls = Math.max(1, options.calls)
    // The calls that still count: at most `calls` entries.
    let entries: Array<Entry> = []
    // Completed when a running call ends, so a waiter blocked only by running calls wakes.
    let ended = yield* Deferred.make<void>()

    // Runs inside acquireUseRelease's uninterruptible acquire, so that a reserved entry is
    // always released; the waits are made interruptible explicitly, so that a caller giving
    // up (a timeout, Stream.take, a failed sibling) is not held for up to a window.
    const reserve: Effect.Effect<Entry> = Effect.gen(function*() {
      yield* Effect.interruptible(gate.take(1))
      return yield* Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeMillis
          // A call that ended at `t` counts for the windows that contain it: it leaves once
          // `now >= t + window`. Running calls (Infinity) never leave.
          entries = entries.filter((e) => e.at + windowMillis > now)
          if (entries.length < calls) {
            const entry: Entry = { at: Infinity }
            entries.push(entry)
            return entry
          }
          // A loop, not Math.min(...spread): `calls` may be large.
          let oldest = Infinity
          for (const e of entries) oldest = Math.min(oldest, e.at)
          const wake = Deferred.await(ended)
          if (Number.isFinite(oldest)) {
            const waitMillis = oldest + windowMillis - now
            // Info, not Debug: a job that slows down to stay inside the limit says why.
            yield* Effect.logInfo("waiting for the client-side rate limit").pipe(
              Effect.annotateLogs({
                "mktows.reason": "rateLimit",
                "mktows.waitMillis": waitMillis,
                "mktows.calls": calls,
                "mktows.windowMillis": windowMillis
              })
            )
            yield* Effect.interruptible(Effect.race(Effect.sleep(Duration.millis(waitMillis)), wake))
          } else {
            yield* Effect.interruptible(wake)
          }
        }
      }).pipe(Effect.ensuring(gate.release(1)))
    })

    const finish = (entry: Entry) =>
      Effect.gen(function*() {
        entry.at = yield* Clock.currentTimeMillis
        const previous = ended
        ended = yield* Deferred.make<void>()
        yield* Deferred.succeed(previous, undefined)
      })

    return {
      run: <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        inFlight.withPermits(1)(
          Effect.acquireUseRelease(reserve, () => effect, finish)
        )
    }
  })
