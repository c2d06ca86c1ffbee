/**
 * An attempt's time limit (`internal/timeout.ts`) on the live Clock, where it is a timer
 * rather than `Effect.timeoutFail`'s race, and on the TestClock, where it is that race. On the
 * live Clock every case is run through both and must end the same way. No assertion on how
 * long anything took: only on what ended, how, and what ran before the answer came.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as Timeout from "../src/internal/timeout.js"

class Late {
  readonly _tag = "Late"
}
const late = () => new Late()

type Limit = <A, E>(self: Effect.Effect<A, E>, duration: Duration.Duration) => Effect.Effect<A, E | Late>
const timer: Limit = (self, duration) => Timeout.timeoutFail(self, duration, late)
const reference: Limit = (self, duration) => Effect.timeoutFail(self, { duration, onTimeout: late })

/** How an exit ended, comparable across the two: its value, its error, a defect, or an interruption. */
const outcome = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isSuccess(exit)
    ? { success: exit.value }
    : Cause.isInterruptedOnly(exit.cause)
    ? { interrupted: true }
    : Cause.isDie(exit.cause)
    ? { die: String(Cause.squash(exit.cause)) }
    : { failure: Cause.squash(exit.cause) }

/** An effect that ends only when interrupted, and then only after a finalizer that takes a while. */
const hanging = (finalized: Ref.Ref<boolean>) =>
  Effect.onInterrupt(Effect.never, () => Effect.zipRight(Effect.sleep("30 millis"), Ref.set(finalized, true)))

/** The case through the timer and through `Effect.timeoutFail`: both end as `expected`. */
const sameAsReference = <A, E>(
  self: Effect.Effect<A, E>,
  duration: Duration.Duration,
  expected: ReturnType<typeof outcome>,
  wrap: <X, Y>(effect: Effect.Effect<X, Y>) => Effect.Effect<X, Y> = (effect) => effect
) =>
  Effect.forEach(
    [timer, reference],
    (limit) =>
      Effect.map(Effect.exit(wrap(limit(self, duration))), (exit) => expect(outcome(exit)).toStrictEqual(expected))
  )

describe("timeoutFail on the live Clock, beside Effect.timeoutFail", () => {
  it.live("an effect that does not end in time is interrupted, waited for, then fails with the timeout's error", () =>
    Effect.gen(function*() {
      for (const limit of [timer, reference]) {
        const finalized = yield* Ref.make(false)
        const exit = yield* Effect.exit(limit(hanging(finalized), Duration.millis(20)))
        expect(exit).toStrictEqual(Exit.fail(new Late()))
        // The finalizer takes 30 ms: the error came only after it had run.
        expect(yield* Ref.get(finalized)).toBe(true)
      }
    }))

  it.live("success, failure and defects in time pass through as they are", () =>
    Effect.gen(function*() {
      const limit = Duration.minutes(1)
      yield* sameAsReference(Effect.succeed(7), limit, { success: 7 })
      yield* sameAsReference(Effect.fail("boom"), limit, { failure: "boom" })
      yield* sameAsReference(Effect.die("bug"), limit, { die: "bug" })
    }))

  it.live("an effect that is itself interrupted ends interrupted, not timed out", () =>
    sameAsReference(Effect.interrupt, Duration.minutes(1), { interrupted: true }))

  it.live("under an uninterruptible caller, the effect runs to its end and the call still times out", () =>
    sameAsReference(
      Effect.as(Effect.sleep("60 millis"), "done"),
      Duration.millis(20),
      { failure: new Late() },
      Effect.uninterruptible
    ))

  it.live("an onTimeout that throws is a defect, not a caller left waiting", () =>
    Effect.gen(function*() {
      // Throws a SyntaxError (the rules keep `throw` out of this code base).
      const throwing = (): Late => JSON.parse("not JSON") as Late
      for (
        const limit of [
          (self: Effect.Effect<never>) => Timeout.timeoutFail(self, Duration.millis(20), throwing),
          (self: Effect.Effect<never>) =>
            Effect.timeoutFail(self, { duration: Duration.millis(20), onTimeout: throwing })
        ]
      ) {
        const exit = yield* Effect.exit(limit(Effect.never))
        expect(outcome(exit)).toMatchObject({ die: expect.stringMatching(/^SyntaxError/) })
      }
    }))

  it.live("interrupting the caller interrupts the effect, and waits for it", () =>
    Effect.gen(function*() {
      for (const limit of [timer, reference]) {
        const finalized = yield* Ref.make(false)
        const started = yield* Effect.makeLatch(false)
        const fiber = yield* Effect.fork(limit(Effect.zipRight(started.open, hanging(finalized)), Duration.minutes(1)))
        yield* started.await
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(yield* Ref.get(finalized)).toBe(true)
      }
    }))

  it.live("a limit longer than any timer is no limit", () =>
    Effect.gen(function*() {
      const slow = Effect.as(Effect.sleep("30 millis"), "done")
      for (const limit of [timer, reference]) {
        expect(yield* limit(slow, Duration.infinity)).toBe("done")
        // setTimeout would cut this delay to 1 ms.
        expect(yield* limit(slow, Duration.days(30))).toBe("done")
      }
    }))
})

describe("timeoutFail on the TestClock", () => {
  it.effect("follows the TestClock's time", () =>
    Effect.gen(function*() {
      const finalized = yield* Ref.make(false)
      const fiber = yield* Effect.fork(
        Timeout.timeoutFail(Effect.onInterrupt(Effect.never, () => Ref.set(finalized, true)), Duration.seconds(5), late)
      )
      yield* TestClock.adjust(Duration.seconds(4))
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new Late()))
      expect(yield* Ref.get(finalized)).toBe(true)
    }))
})

/**
 * An effect that works `before`, waits `pause` for a place in the rate window (recorded as
 * `eachRequest` records it: the limit starts again when the wait is over), then works `after`.
 */
const pausing = (
  restarts: Timeout.Restarts,
  before: Duration.DurationInput,
  pause: Duration.DurationInput,
  after: Duration.DurationInput
) =>
  Effect.clockWith((clock) =>
    Effect.gen(function*() {
      yield* Effect.sleep(before)
      restarts.waiting = true
      yield* Effect.sleep(pause)
      restarts.from = clock.unsafeCurrentTimeMillis()
      restarts.waiting = false
      yield* Effect.sleep(after)
      return "done"
    })
  )

const fresh = (): Timeout.Restarts => ({ from: undefined, waiting: false })

describe("timeoutFail with restarts: each request of an attempt has the whole limit, its wait for the rate window not counted", () => {
  it.effect("on the TestClock: a second and a half, 4.4 seconds of waiting, a second and a half, within a limit of two", () =>
    Effect.gen(function*() {
      const restarts = fresh()
      // Three seconds of work in all, more than the limit; the limit looks again at six seconds,
      // after the wait, when the second request has had only a tenth of a second.
      const fiber = yield* Effect.fork(
        Timeout.timeoutFail(
          pausing(restarts, "1500 millis", "4400 millis", "1500 millis"),
          Duration.seconds(2),
          late,
          restarts
        )
      )
      yield* TestClock.adjust(Duration.seconds(8))
      expect(yield* Fiber.join(fiber)).toBe("done")
    }))

  it.effect("on the TestClock: a request that takes longer than the limit after its wait ends the effect, not before", () =>
    Effect.gen(function*() {
      const restarts = fresh()
      const finalized = yield* Ref.make(false)
      const fiber = yield* Effect.fork(
        Timeout.timeoutFail(
          Effect.onInterrupt(pausing(restarts, "1 second", "5 seconds", "3 seconds"), () => Ref.set(finalized, true)),
          Duration.seconds(2),
          late,
          restarts
        )
      )
      // One second, five waiting, then the limit's two: eight seconds in, not before.
      yield* TestClock.adjust(Duration.millis(7_900))
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(Duration.millis(200))
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new Late()))
      expect(yield* Ref.get(finalized)).toBe(true)
    }))

  it.effect("on the TestClock: interrupting the caller interrupts the effect, and a failure passes through", () =>
    Effect.gen(function*() {
      const restarts = fresh()
      const finalized = yield* Ref.make(false)
      const fiber = yield* Effect.fork(
        Timeout.timeoutFail(
          Effect.onInterrupt(Effect.never, () => Ref.set(finalized, true)),
          Duration.seconds(2),
          late,
          restarts
        )
      )
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(finalized)).toBe(true)
      const failed = yield* Effect.exit(Timeout.timeoutFail(Effect.fail("no"), Duration.seconds(2), late, restarts))
      expect(failed).toStrictEqual(Exit.fail("no"))
    }))

  it.live("on the live Clock: a wait longer than the limit is not counted; without the record of it, the limit ends the effect", () =>
    Effect.gen(function*() {
      const restarts = fresh()
      expect(
        yield* Timeout.timeoutFail(
          pausing(restarts, "0 millis", "60 millis", "0 millis"),
          Duration.millis(20),
          late,
          restarts
        )
      )
        .toBe("done")
      const exit = yield* Effect.exit(
        Timeout.timeoutFail(pausing(fresh(), "0 millis", "60 millis", "0 millis"), Duration.millis(20), late)
      )
      expect(exit).toStrictEqual(Exit.fail(new Late()))
    }))
})
