import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as TestClock from "effect/TestClock"
import * as Limiter from "../src/internal/limiter.js"
import * as MarketoClient from "../src/MarketoClient.js"
import { Opportunity } from "../src/Opportunity.js"
import * as Fake from "./helpers/fakeTransport.js"

interface Span {
  readonly start: number
  readonly end: number
}

// Times below are read relative to the test's start (`Clock` when it began), never as
// absolute TestClock times: a test's expectations then hold whatever the clock read before it.

/** The most call starts in any window of `windowMillis` (a start at s counts for [s, s + window)). */
const maxStartsInWindow = (spans: ReadonlyArray<Span>, windowMillis: number): number => {
  const starts = spans.map((s) => s.start).sort((a, b) => a - b)
  let most = 0
  let lo = 0
  for (let hi = 0; hi < starts.length; hi++) {
    while (starts[hi]! - starts[lo]! >= windowMillis) lo++
    most = Math.max(most, hi - lo + 1)
  }
  return most
}

/**
 * The most calls a server could see in one window, wherever in its span each call arrives:
 * for every call j arriving as early as it can (its start), the calls started no later that
 * could arrive within the window before it (those ending less than a window before start j).
 */
const maxArrivalsInWindow = (spans: ReadonlyArray<Span>, windowMillis: number): number =>
  Math.max(...spans.map((j) => spans.filter((i) => i.start <= j.start && i.end + windowMillis > j.start).length))

/** The most calls running at one instant (a call ending at t frees its slot for one starting at t). */
const maxInFlight = (spans: ReadonlyArray<Span>): number => {
  const events = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as const)
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let most = 0
  for (const [, delta] of events) {
    now += delta
    most = Math.max(most, now)
  }
  return most
}

describe("Limiter", () => {
  it.effect.prop(
    "no 20 s window holds more than 100 calls, wherever they arrive, and no instant more than 10",
    [FastCheck.array(FastCheck.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 350 })],
    ([latencies]) =>
      Effect.gen(function*() {
        const limiter = yield* Limiter.make({ calls: 100, window: Duration.seconds(20), inFlight: 10 })
        const t0 = yield* Clock.currentTimeMillis
        const spans: Array<Span> = []
        const job = Effect.forEach(latencies, (latency) =>
          limiter.run(Effect.gen(function*() {
            const start = (yield* Clock.currentTimeMillis) - t0
            yield* Effect.sleep(Duration.millis(latency))
            spans.push({ start, end: (yield* Clock.currentTimeMillis) - t0 })
          })), { concurrency: "unbounded", discard: true })
        const fiber = yield* Effect.fork(job)
        yield* TestClock.adjust(Duration.hours(2))
        yield* Fiber.join(fiber)
        expect(spans.length).toBe(latencies.length)
        expect(maxStartsInWindow(spans, 20_000)).toBeLessThanOrEqual(100)
        // However long a call travels, Marketo never receives more than 100 in its window.
        expect(maxArrivalsInWindow(spans, 20_000)).toBeLessThanOrEqual(100)
        expect(maxInFlight(spans)).toBeLessThanOrEqual(10)
        // Not slower than needed: every start waits only for the window or a free slot.
        const lastStart = Math.max(...spans.map((s) => s.start))
        const slowest = Math.max(...latencies)
        expect(lastStart).toBeLessThanOrEqual(
          Math.floor((latencies.length - 1) / 100) * 20_000 + Math.ceil(latencies.length / 10) * slowest
        )
      }),
    { fastCheck: { numRuns: 20 } }
  )

  it.effect("other limits can be configured", () =>
    Effect.gen(function*() {
      const limiter = yield* Limiter.make({ calls: 5, window: Duration.seconds(1), inFlight: 2 })
      const t0 = yield* Clock.currentTimeMillis
      const spans: Array<Span> = []
      const fiber = yield* Effect.fork(Effect.forEach(Array.from({ length: 23 }), () =>
        limiter.run(Effect.gen(function*() {
          const start = (yield* Clock.currentTimeMillis) - t0
          yield* Effect.sleep(Duration.millis(10))
          spans.push({ start, end: (yield* Clock.currentTimeMillis) - t0 })
        })), { concurrency: "unbounded", discard: true }))
      yield* TestClock.adjust(Duration.minutes(1))
      yield* Fiber.join(fiber)
      expect(maxStartsInWindow(spans, 1_000)).toBe(5)
      expect(maxInFlight(spans)).toBe(2)
      // 23 calls at 5 per second, two at a time, 10 ms each. A call counts from its end, so
      // each group of five starts 1 s after the first call of the group before ended (10 ms
      // after it started): groups start at 0, 1.01, 2.02, 3.03 and 4.04 s, and the 23rd call
      // runs after the 21st and 22nd, at 4.05 s.
      expect(Math.max(...spans.map((s) =>
        s.start
      ))).toBe(4_050)
    }))
})

describe("Limiter: calls of several requests (more)", () => {
  it.effect.prop(
    "every request counts: no window holds more requests than the limit, wherever they arrive; a call alone of more requests than the limit still ends",
    [
      FastCheck.array(
        FastCheck.array(FastCheck.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 10 }),
        { minLength: 1, maxLength: 16 }
      ),
      FastCheck.integer({ min: 1, max: 8 })
    ],
    ([calls, limit]) =>
      Effect.gen(function*() {
        const limiter = yield* Limiter.make({ calls: limit, window: Duration.seconds(1), inFlight: 3 })
        const t0 = yield* Clock.currentTimeMillis
        const requests: Array<Span> = []
        const calling: Array<Span> = []
        // Each call sends its requests one after the other (each `latency` ms), `more` before each after the first.
        const job = Effect.forEach(calls, (latencies) =>
          limiter.run(
            Effect.gen(function*() {
              const callStart = (yield* Clock.currentTimeMillis) - t0
              for (const [i, latency] of latencies.entries()) {
                if (i > 0) yield* limiter.more
                const start = (yield* Clock.currentTimeMillis) - t0
                yield* Effect.sleep(Duration.millis(latency))
                requests.push({ start, end: (yield* Clock.currentTimeMillis) - t0 })
              }
              calling.push({ start: callStart, end: (yield* Clock.currentTimeMillis) - t0 })
            })
          ), { concurrency: "unbounded", discard: true })
        const fiber = yield* Effect.fork(job)
        yield* TestClock.adjust(Duration.hours(2))
        yield* Fiber.join(fiber)
        expect(requests.length).toBe(calls.flat().length)
        expect(maxArrivalsInWindow(requests, 1_000)).toBeLessThanOrEqual(limit)
        expect(maxInFlight(calling)).toBeLessThanOrEqual(3)
      }),
    { fastCheck: { numRuns: 15 } }
  )

  it.effect("a call's requests beyond the window wait for it: five requests at two a second", () =>
    Effect.gen(function*() {
      const limiter = yield* Limiter.make({ calls: 2, window: Duration.seconds(1), inFlight: 1 })
      const t0 = yield* Clock.currentTimeMillis
      const starts: Array<number> = []
      const fiber = yield* Effect.fork(
        limiter.run(
          Effect.forEach(Array.from({ length: 5 }), (_, i) =>
            Effect.gen(function*() {
              if (i > 0) yield* limiter.more
              starts.push((yield* Clock.currentTimeMillis) - t0)
            }), { discard: true })
        )
      )
      yield* TestClock.adjust(Duration.minutes(1))
      yield* Fiber.join(fiber)
      // Two at 0 (the first, and the second once the first ended), then two a window later, and so on.
      expect(starts).toEqual([0, 0, 1_000, 1_000, 2_000])
    }))
})

describe("Limiter order", () => {
  it.effect.prop(
    "calls held by the limit start in the order they arrived",
    [
      FastCheck.array(FastCheck.tuple(FastCheck.integer({ min: 1, max: 5 }), FastCheck.integer({ min: 0, max: 12 })), {
        minLength: 2,
        maxLength: 40
      }),
      FastCheck.integer({ min: 1, max: 3 })
    ],
    ([calls, inFlight]) =>
      Effect.gen(function*() {
        const limiter = yield* Limiter.make({ calls: 1_000, window: Duration.seconds(20), inFlight })
        const started: Array<number> = []
        // Call i arrives `gap` ms after call i - 1, so arrivals often meet a call ending at the
        // same instant while others wait.
        let arrival = 0
        const fibers: Array<Fiber.RuntimeFiber<void>> = []
        for (const [i, [gap, latency]] of calls.entries()) {
          arrival += gap
          fibers.push(
            yield* Effect.fork(Effect.zipRight(
              Effect.sleep(Duration.millis(arrival)),
              limiter.run(Effect.zipRight(Effect.sync(() => started.push(i)), Effect.sleep(Duration.millis(latency))))
            ))
          )
        }
        yield* TestClock.adjust(Duration.minutes(1))
        yield* Fiber.joinAll(fibers)
        expect(started).toEqual(calls.map((_, i) => i))
      }),
    { fastCheck: { numRuns: 50 } }
  )
})

describe("Limiter wake-up", () => {
  it.effect.prop(
    "a call waiting only for an in-flight place starts as soon as one is free, wherever the fibers yield",
    // Below 10 ops between yields Effect's own runtime never settles.
    [FastCheck.integer({ min: 10, max: 64 }), FastCheck.integer({ min: 0, max: 5 })],
    ([opsBeforeYield, steps]) =>
      Effect.gen(function*() {
        const limiter = yield* Limiter.make({ calls: 100, window: Duration.seconds(20), inFlight: 1 })
        const t0 = yield* Clock.currentTimeMillis
        // A holds the one place for a few steps, no time; W waits for it.
        const a = yield* Effect.fork(limiter.run(Effect.repeatN(Effect.yieldNow(), steps)))
        const w = yield* Effect.fork(limiter.run(Effect.map(Clock.currentTimeMillis, (now) => now - t0)))
        yield* Fiber.join(a)
        // Time moves only if W is asleep: it must have started at once, not a window later.
        const fiber = yield* Effect.fork(TestClock.adjust(Duration.seconds(30)))
        const startedAfter = yield* Fiber.join(w)
        yield* Fiber.join(fiber)
        expect(startedAfter).toBe(0)
      }).pipe(Effect.locally(FiberRef.currentMaxOpsBeforeYield, opsBeforeYield)),
    { fastCheck: { numRuns: 60 } }
  )
})

describe("Limiter bookkeeping", () => {
  it.effect("a window of over a thousand calls: the limit holds as the oldest ends leave, window after window", () =>
    Effect.gen(function*() {
      // More ends than the queue keeps before compacting it (1,024), over three windows.
      const limiter = yield* Limiter.make({ calls: 1_050, window: Duration.seconds(1), inFlight: 10_000 })
      const t0 = yield* Clock.currentTimeMillis
      const starts: Array<number> = []
      const fiber = yield* Effect.fork(Effect.forEach(
        Array.from({ length: 2_600 }),
        () => limiter.run(Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => starts.push(t - t0)))),
        { concurrency: "unbounded", discard: true }
      ))
      yield* TestClock.adjust(Duration.seconds(10))
      yield* Fiber.join(fiber)
      expect(starts.length).toBe(2_600)
      // Calls that end at once leave the window one window after they started: 1,050 at 0 s
      // and at 1 s, the last 500 at 2 s.
      const perSecond = new Map<number, number>()
      for (const t of starts) perSecond.set(t, (perSecond.get(t) ?? 0) + 1)
      expect([...perSecond]).toEqual([[0, 1_050], [1_000, 1_050], [2_000, 500]])
    }))
})

describe("Limiter interruption", () => {
  it.effect("a call waiting for the window can be interrupted at once, and leaves no slot taken", () =>
    Effect.gen(function*() {
      const limiter = yield* Limiter.make({ calls: 2, window: Duration.seconds(20), inFlight: 10 })
      const t0 = yield* Clock.currentTimeMillis
      yield* limiter.run(Effect.void)
      yield* limiter.run(Effect.void)
      // The window is full: this call waits 20 s for room.
      const waiting = yield* Effect.fork(limiter.run(Effect.void))
      yield* TestClock.adjust(Duration.seconds(1))
      // Interrupting it does not wait for the window (TestClock has not moved since).
      yield* Fiber.interrupt(waiting)
      const before = yield* Clock.currentTimeMillis
      expect(before - t0).toBe(1_000)
      // The interrupted call took no place: once the window moves on, two calls go at once.
      const starts: Array<number> = []
      const next = yield* Effect.fork(Effect.forEach(
        [1, 2],
        () => limiter.run(Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => starts.push(t - t0)))),
        { concurrency: "unbounded" }
      ))
      yield* TestClock.adjust(Duration.seconds(19))
      yield* Fiber.join(next)
      expect(starts).toEqual([20_000, 20_000])
    }))
})

describe("MarketoClient limits", () => {
  const objects = (n: number): ReadonlyArray<Opportunity> =>
    Array.from({ length: n }, (_, i) => Opportunity.make({ id: i + 1 }))
  const clientOf = (fake: Fake.Fake) => Effect.provide(MarketoClient.make(), fake.layer)
  const spansOf = (fake: Fake.Fake, t0: number): ReadonlyArray<Span> =>
    fake.calls.map((c) => ({ start: c.startedAt - t0, end: c.endedAt! - t0 }))

  it.effect("1,000 calls take close to the 200 s the limit allows, and stay inside it", () =>
    Effect.gen(function*() {
      // One call in ten takes 3 s, the others answer at once: every sleep is a TestClock
      // wake-up that costs real time, and the property above covers random latencies.
      const fake = Fake.make({ latency: (n) => n % 10 === 0 ? Effect.sleep(Duration.seconds(3)) : Effect.void })
      const client = yield* clientOf(fake)
      const t0 = yield* Clock.currentTimeMillis
      const job = Effect.zipRight(client.syncMObjects(objects(100_000), "UPDATE"), Clock.currentTimeMillis)
      const fiber = yield* Effect.fork(job)
      yield* TestClock.adjust(Duration.hours(1))
      const finishedAt = (yield* Fiber.join(fiber)) - t0
      const spans = spansOf(fake, t0)
      expect(spans.length).toBe(1_000)
      expect(maxStartsInWindow(spans, 20_000)).toBe(100)
      expect(maxInFlight(spans)).toBeLessThanOrEqual(10)
      expect(finishedAt).toBeGreaterThanOrEqual(180_000)
      expect(finishedAt).toBeLessThanOrEqual(220_000)
    }))

  it.effect("two jobs through one client share its limits", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ latency: () => Effect.sleep(Duration.millis(300)) })
      const client = yield* clientOf(fake)
      const t0 = yield* Clock.currentTimeMillis
      const job = client.syncMObjects(objects(15_000), "UPDATE")
      const fiber = yield* Effect.fork(Effect.all([job, job], { concurrency: 2 }))
      yield* TestClock.adjust(Duration.hours(1))
      yield* Fiber.join(fiber)
      const spans = spansOf(fake, t0)
      expect(spans.length).toBe(300)
      expect(maxStartsInWindow(spans, 20_000)).toBe(100)
      expect(maxInFlight(spans)).toBe(10)
    }))
  it.effect("a job held by the limit says so once per window, not once per queued call", () =>
    Effect.gen(function*() {
      const lines: Array<{ readonly level: LogLevel.LogLevel; readonly at: number }> = []
      const collect = Logger.make(({ date, logLevel, message }) => {
        if (String(message).includes("client-side rate limit")) lines.push({ level: logLevel, at: date.getTime() })
      })
      const limiter = yield* Limiter.make({ calls: 100, window: Duration.seconds(20), inFlight: 10 })
      const t0 = yield* Clock.currentTimeMillis
      // 350 calls of 100 ms, 10 at once: their ends are spread out, so once the window is full
      // almost every queued call has to wait for the next end to leave it.
      const fiber = yield* Effect.fork(
        Effect.forEach(
          Array.from({ length: 350 }),
          () => limiter.run(Effect.sleep(Duration.millis(100))),
          { concurrency: "unbounded" }
        ).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, collect)), Logger.withMinimumLogLevel(LogLevel.All))
      )
      yield* TestClock.adjust(Duration.hours(1))
      yield* Fiber.join(fiber)
      const announced = lines.filter((line) => line.level === LogLevel.Info).map((line) => line.at - t0)
      const quiet = lines.filter((line) => line.level === LogLevel.Debug).map((line) => line.at - t0)
      // The job was held, and many calls waited; only one line a window says so.
      expect(quiet.length).toBeGreaterThan(20)
      expect(announced.length).toBeGreaterThanOrEqual(1)
      expect(announced.length).toBeLessThanOrEqual(4)
      announced.forEach((at, i) => i > 0 && expect(at - announced[i - 1]!).toBeGreaterThanOrEqual(20_000))
      // Every quieter wait falls in the window of a line the user saw.
      for (const at of quiet) expect(announced.some((a) => a <= at && at < a + 20_000)).toBe(true)
    }))
})
