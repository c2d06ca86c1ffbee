/**
 * An attempt's time limit (`internal/timeout.ts`) on the live Clock, where it is a timer
 * rather than `Effect.timeoutFail`'s race, and on the TestClock, where it is that race. No
 * assertion on how long anything took: only on what ended and how.
 */
import { describe, expect, it } from "@effect/vitest"
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

/** An effect that never ends on its own, and records that it was interrupted. */
const hanging = (interrupted: Ref.Ref<boolean>) => Effect.onInterrupt(Effect.never, () => Ref.set(interrupted, true))

describe("timeoutFail on the live Clock", () => {
  it.live("an effect that does not end in time is interrupted, then fails with the timeout's error", () =>
    Effect.gen(function*() {
      const interrupted = yield* Ref.make(false)
      const exit = yield* Effect.exit(Timeout.timeoutFail(hanging(interrupted), Duration.millis(20), late))
      expect(exit).toStrictEqual(Exit.fail(new Late()))
      // Waited for: the interruption has run by the time the error arrives.
      expect(yield* Ref.get(interrupted)).toBe(true)
    }))

  it.live("success, failure and defects in time pass through as they are", () =>
    Effect.gen(function*() {
      const limit = Duration.minutes(1)
      expect(yield* Timeout.timeoutFail(Effect.succeed(7), limit, late)).toBe(7)
      expect(yield* Effect.exit(Timeout.timeoutFail(Effect.fail("boom"), limit, late))).toStrictEqual(
        Exit.fail("boom")
      )
      const defect = yield* Effect.exit(Timeout.timeoutFail(Effect.die("bug"), limit, late))
      expect(Exit.isFailure(defect) && defect.cause._tag).toBe("Die")
    }))

  it.live("an effect that is itself interrupted ends interrupted, not timed out", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Timeout.timeoutFail(Effect.interrupt, Duration.minutes(1), late))
      expect(Exit.isInterrupted(exit)).toBe(true)
    }))

  it.live("interrupting the caller interrupts the effect, and waits for it", () =>
    Effect.gen(function*() {
      const interrupted = yield* Ref.make(false)
      const started = yield* Effect.makeLatch(false)
      const fiber = yield* Effect.fork(
        Timeout.timeoutFail(Effect.zipRight(started.open, hanging(interrupted)), Duration.minutes(1), late)
      )
      yield* started.await
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(yield* Ref.get(interrupted)).toBe(true)
    }))

  it.live("a limit longer than any timer is no limit", () =>
    Effect.gen(function*() {
      expect(yield* Timeout.timeoutFail(Effect.succeed("done"), Duration.infinity, late)).toBe("done")
      expect(yield* Timeout.timeoutFail(Effect.succeed("done"), Duration.days(30), late)).toBe("done")
    }))
})

describe("timeoutFail on the TestClock", () => {
  it.effect("follows the TestClock's time", () =>
    Effect.gen(function*() {
      const interrupted = yield* Ref.make(false)
      const fiber = yield* Effect.fork(Timeout.timeoutFail(hanging(interrupted), Duration.seconds(5), late))
      yield* TestClock.adjust(Duration.seconds(4))
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new Late()))
      expect(yield* Ref.get(interrupted)).toBe(true)
    }))
})
