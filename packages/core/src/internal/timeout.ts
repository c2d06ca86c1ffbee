/**
 * An attempt's time limit: `Effect.timeoutFail`, for a fifth of its cost on the live Clock.
 *
 * `Effect.timeoutFail` races the effect against a sleep: it forks both, and the winner's fiber
 * refs are merged back into the caller's. That cost about 55 µs per call, about as much as the
 * rest of the engine's work on a call (a tenth of a 100-object SOAP call's own CPU). On the
 * live Clock the limit is a timer instead: the effect runs in one child fiber, the timer
 * interrupts it, and the caller waits for it to end either way, as it waits for the loser of
 * `timeoutFail`'s race. Nothing of the child's fiber refs is merged back: what runs under the
 * limit (a transport's send) changes none the caller reads.
 *
 * Any other Clock (a TestClock) keeps `Effect.timeoutFail`: only the Clock's own `sleep`
 * knows its time.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"

/** The Clock every fiber has unless something replaced it. */
const liveClock: Clock.Clock = Effect.runSync(Effect.clock)

/** setTimeout's longest delay: the live Clock treats a longer one as no limit, and so do we. */
const maxTimerMillis = 2 ** 31 - 1

/**
 * `self`, failed with `onTimeout()` when it has not ended within `duration` (interrupted
 * first, and waited for). Success, failure and interruption otherwise pass through as they are.
 */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    if (clock !== liveClock) return Effect.timeoutFail(self, { duration, onTimeout })
    const millis = Duration.toMillis(duration)
    if (!(millis <= maxTimerMillis)) return self
    return Effect.withFiberRuntime<A, E | E2, R>((caller) =>
      Effect.flatMap(Effect.fork(self), (child) =>
        Effect.async<A, E | E2>((resume) => {
          let timedOut = false
          const timer = setTimeout(() => {
            timedOut = true
            child.unsafeInterruptAsFork(caller.id())
          }, millis)
          child.addObserver((exit) => {
            clearTimeout(timer)
            resume(timedOut && Exit.isInterrupted(exit) ? Effect.fail(onTimeout()) : exit)
          })
          // The caller interrupted: the child with it, waited for.
          return Effect.suspend(() => {
            clearTimeout(timer)
            return Fiber.interrupt(child)
          })
        }))
    )
  })
