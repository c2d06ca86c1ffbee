/**
 * The streaming form at volume (slow project: about a minute on a 2-core machine): a
 * million objects with memory bounded by concurrency × chunkSize.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as MarketoClient from "../src/MarketoClient.js"
import { Opportunity } from "../src/Opportunity.js"
import * as Fake from "./helpers/fakeTransport.js"

describe("syncStream", () => {
  it.effect(
    "1,000,000 objects: outcomes in order, never more than concurrency × chunkSize objects in flight",
    () =>
      Effect.gen(function*() {
        const total = 1_000_000
        const fake = Fake.make({ latency: (n) => Effect.repeatN(Effect.yieldNow(), 50 + n % 5) })
        // The rate limit has its own tests; here 10,000 calls would wait 2,000 s on the TestClock.
        const client = yield* MarketoClient.make({ rateLimit: { calls: 1e9 } }).pipe(Effect.provide(fake.layer))
        let produced = 0
        let consumed = 0
        let mostBuffered = 0
        const wrong: Array<unknown> = []
        const input = Stream.range(0, total - 1, 100).pipe(
          Stream.map((i) => {
            produced++
            return new Opportunity({ id: i + 1 }, true)
          })
        )
        const next = yield* input.pipe(
          client.syncStream("UPSERT"),
          Stream.runFold(0, (expected, outcome) => {
            consumed++
            mostBuffered = Math.max(mostBuffered, produced - consumed)
            if (outcome.index !== expected || outcome.input.id !== expected + 1 || outcome.status !== "UPDATED") {
              wrong.push(outcome)
            }
            return expected + 1
          })
        )
        expect(next).toBe(total)
        expect(wrong.slice(0, 3)).toEqual([])
        expect(fake.calls.length).toBe(10_000)
        expect(fake.stats.maxObjectsInFlight).toBeLessThanOrEqual(10 * 100)
        expect(fake.stats.maxInFlight).toBe(10)
        // Pulled from the input but not yet emitted: the calls in flight, the chunk being
        // grouped and the ordered output buffer: a few chunks beyond concurrency × chunkSize.
        expect(mostBuffered).toBeLessThanOrEqual((10 + 3) * 100)
      }),
    // A bound for hangs only: the run is ~16 s on a quiet 2-core machine and took 165-330 s
    // under a load average of 24, so a tight limit fails CI when the machine is shared.
    { timeout: 900_000 }
  )
})
