import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Limits from "../src/Limits.js"
import * as MarketoClient from "../src/MarketoClient.js"
import { AuthFault, MarketoFault, PartialFailure, ProtocolError, TransportError } from "../src/MarketoError.js"
import type { TransportCallError } from "../src/MarketoError.js"
import {
  beforeSending,
  MarketoTransport,
  type MarketoTransportShape,
  type ModelCall,
  type ModelPath
} from "../src/MarketoTransport.js"
import type { MObject } from "../src/MObject.js"
import { Opportunity } from "../src/Opportunity.js"
import type { Outcome } from "../src/Outcome.js"
import { Program } from "../src/Program.js"
import type * as Wire from "../src/Wire.js"
import * as Capture from "./helpers/capture.js"
import * as Fake from "./helpers/fakeTransport.js"

/** Opportunities keyed by their index in the input (`externalOpportunityId` "0", "1", …). */
const keyedOpportunities = (n: number): ReadonlyArray<Opportunity> =>
  Array.from(
    { length: n },
    (_, i) => Opportunity.make({ externalKey: { name: "externalOpportunityId", value: String(i) } })
  )

/** The input index of an object sent, read back from its external key. */
const indexOf = (object: Wire.MObject): number => Number(object.externalKey!.value)

const statusArb = FastCheck.constantFrom<Wire.MObjStatusEnum>("CREATED", "UPDATED", "UNCHANGED", "SKIPPED", "FAILED")

const clientOf = (fake: Fake.Fake, options?: MarketoClient.Options) =>
  MarketoClient.make(options).pipe(Effect.provide(fake.layer))

/**
 * Runs `effect` on the TestClock: forks it and moves virtual time by `step` until it is done
 * (at most `limit` in all). Stepping, rather than one jump, lets real async work between the
 * steps (signing runs on Web Crypto) schedule its sleeps before the clock passes them.
 */
const onTestClock = <A, E>(
  effect: Effect.Effect<A, E>,
  limit: Duration.DurationInput = Duration.hours(1),
  step: Duration.DurationInput = limit
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const steps = Math.ceil(Duration.toMillis(limit) / Duration.toMillis(step))
    for (let i = 0; i < steps && Option.isNone(yield* Fiber.poll(fiber)); i++) yield* TestClock.adjust(step)
    return yield* Fiber.await(fiber)
  })

const fault = (code: number) =>
  new MarketoFault({ code, faultString: `${code} - from the fake`, operation: "syncMObjects" })

describe("outcomes", () => {
  it.effect.prop(
    "one outcome per input, in input order, paired with its input, across chunk boundaries",
    [
      FastCheck.constantFrom(1, 99, 100, 101, 250, 1000).chain((n) =>
        FastCheck.array(statusArb, { minLength: n, maxLength: n })
      ),
      FastCheck.integer({ min: 1, max: 100 }),
      FastCheck.integer({ min: 1, max: 10 }),
      FastCheck.boolean()
    ],
    ([statuses, chunkSize, concurrency, failOnPartial]) =>
      Effect.gen(function*() {
        const inputs = keyedOpportunities(statuses.length)
        const fake = Fake.make({
          status: (object) => statuses[indexOf(object)]!,
          // Chunks answer after different numbers of scheduler turns, so they finish out of order.
          latency: (n) => Effect.repeatN(Effect.yieldNow(), (n * 5) % 7)
        })
        // No rate limit here (it has its own tests): 1,000 calls would wait on the TestClock.
        const client = yield* clientOf(fake, { chunkSize, concurrency, rateLimit: { calls: 1e9 } })
        const exit = yield* Effect.exit(client.syncMObjects(inputs, "UPSERT", { failOnPartial }))
        const anyFailed = statuses.includes("FAILED")
        let outcomes: ReadonlyArray<Outcome<MObject>> = []
        if (Exit.isSuccess(exit)) {
          expect(failOnPartial && anyFailed).toBe(false)
          outcomes = exit.value
        } else {
          expect(failOnPartial && anyFailed).toBe(true)
          const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
          expect(error).toBeInstanceOf(PartialFailure)
          outcomes = (error as PartialFailure<MObject>).outcomes
        }
        expect(outcomes.length).toBe(inputs.length)
        outcomes.forEach((outcome, i) => {
          expect(outcome.index).toBe(i)
          expect(outcome.input).toBe(inputs[i])
          expect(outcome.status).toBe(statuses[i])
          expect(outcome.externalKey?.value).toBe(String(i))
        })
        expect(fake.calls.length).toBe(Math.ceil(inputs.length / chunkSize))
        for (const call of fake.calls) {
          expect((call.params as Wire.ParamsSyncMObjects).mObjectList.length).toBeLessThanOrEqual(chunkSize)
        }
      }),
    { fastCheck: { numRuns: 30 } }
  )

  it.effect("a server's error text in every status is quoted with one bound, its length noted", () =>
    Effect.gen(function*() {
      const huge = `2 MiB of reasons: ${"x".repeat(2 * 1024 * 1024)}`
      const fake = Fake.make({
        script: (operation, params) =>
          operation === "syncMObjects"
            ? Effect.succeed({
              mObjStatusList: (params as Wire.ParamsSyncMObjects).mObjectList.map(() => ({
                id: 0,
                status: "FAILED" as const,
                error: huge
              }))
            } as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(fake)
      const outcomes = yield* client.syncMObjects(
        Array.from({ length: 300 }, (_, i) => Opportunity.make({ id: i + 1, name: "n" })),
        "UPDATE",
        { failOnPartial: false }
      )
      expect(outcomes).toHaveLength(300)
      for (const outcome of outcomes) {
        expect(outcome.error!.length).toBeLessThanOrEqual(Limits.maxQuotedChars + 40)
        expect(outcome.error).toMatch(new RegExp(`^2 MiB of reasons: x+… \\(${huge.length} characters in all\\)$`))
      }
    }))

  it.effect("a status count that does not match the chunk makes its objects IN_DOUBT, never guessed", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation, params) =>
          operation === "syncMObjects"
            ? Effect.succeed({
              mObjStatusList: (params as Wire.ParamsSyncMObjects).mObjectList.slice(1).map((_, i) => ({
                id: i + 1,
                status: "CREATED" as const
              }))
            } as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(fake)
      const error = yield* Effect.flip(client.syncMObjects([
        Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "A" } }),
        Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "B" } })
      ], "INSERT"))
      // Marketo answered something, so the INSERT may have been applied: the objects are in
      // doubt, and the outcomes say why.
      expect(error._tag).toBe("PartialFailure")
      const outcomes = error._tag === "PartialFailure" ? error.outcomes : []
      expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT", "IN_DOUBT"])
      expect(outcomes[0]!.error).toContain("sent 2 object(s)")
      expect(outcomes[0]!.error).toContain("received 1 status")
      expect(outcomes.some((o) => o.id !== undefined)).toBe(false)
    }))
})

describe("syncMObjects", () => {
  const opportunity = (key: string) => Opportunity.make({ externalKey: { name: "externalOpportunityId", value: key } })
  const program = Program.make({ id: 1970, costs: [{ id: 153, month: "2013-06", amount: 2000 }] })

  it.effect("validates every object first and sends nothing when any is invalid", () =>
    Effect.gen(function*() {
      const fake = Fake.make()
      const client = yield* clientOf(fake)
      const objects = [...Array.from({ length: 150 }, (_, i) => opportunity(String(i))), program]
      const error = yield* Effect.flip(client.syncMObjects(objects, "INSERT"))
      expect(error._tag).toBe("ValidationError")
      expect(error._tag === "ValidationError" && error.issues.map((issue) => issue.index)).toContain(150)
      expect(fake.calls.length).toBe(0)
    }))

  it.effect("syncs objects of mixed types in one batch, in order, each with its outcome", () =>
    Effect.gen(function*() {
      const fake = Fake.make()
      const client = yield* clientOf(fake)
      const objects = [program, Opportunity.make({ id: 7, name: "Renamed" }), program]
      const outcomes = yield* client.syncMObjects(objects, "UPDATE")
      expect(outcomes.map((o) => [o.index, o.input, o.status, o.id])).toEqual([
        [0, objects[0], "UPDATED", 1970],
        [1, objects[1], "UPDATED", 7],
        [2, objects[2], "UPDATED", 1970]
      ])
      const sent = fake.calls[0]!.params as Wire.ParamsSyncMObjects
      expect(sent.operation).toBe("UPDATE")
      expect(sent.mObjectList.map((o) => o.type)).toEqual(["Program", "Opportunity", "Program"])
    }))

  it.effect("fails with PartialFailure carrying every outcome, unless asked not to", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ status: (o) => o.externalKey?.value === "b" ? "FAILED" : "CREATED" })
      const client = yield* clientOf(fake)
      const objects = ["a", "b", "c"].map(opportunity)
      const error = yield* Effect.flip(client.syncMObjects(objects, "INSERT"))
      expect(error).toBeInstanceOf(PartialFailure)
      const partial = error as PartialFailure<unknown>
      expect(partial.outcomes.map((o) => o.status)).toEqual(["CREATED", "FAILED", "CREATED"])
      expect(partial.problems.map((o) => o.index)).toEqual([1])
      expect(partial.outcomes[1]!.error).toBe("rejected by the fake")
      const outcomes = yield* client.syncMObjects(objects, "INSERT", { failOnPartial: false })
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED", "FAILED", "CREATED"])
    }))
})

describe("spans", () => {
  // The span current where the transport sends: the call's when a tracer keeps spans; under
  // Effect's own tracer, which hands spans to no one, none is made, and the caller's is current.
  const spanSeenByTransport = (traced: boolean) =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const transport: MarketoTransportShape = {
        call: (_operation, params) =>
          Effect.map(Effect.currentSpan, (span) => {
            seen.push(span.name)
            const list = (params as Wire.ParamsSyncMObjects).mObjectList
            return { mObjStatusList: list.map((o) => ({ id: 0, status: "CREATED", externalKey: o.externalKey })) }
          }).pipe(Effect.orDie) as never
      }
      const captured = yield* Capture.make
      const sync = MarketoClient.syncMObjects([Opportunity.make({ externalKey: { name: "k", value: "1" } })], "INSERT")
        .pipe(
          Effect.provide(MarketoClient.layer().pipe(Layer.provide(Layer.succeed(MarketoTransport, transport)))),
          Effect.withSpan("application.sync")
        )
      yield* traced ? Effect.withTracer(sync, captured.tracer) : sync
      return { seen, recorded: captured.spans.map((span) => span.name) }
    })

  it.effect("a tracer that keeps spans gets the call's span, the parent of the transport's work", () =>
    Effect.gen(function*() {
      const { recorded, seen } = yield* spanSeenByTransport(true)
      expect(seen).toEqual(["MarketoClient.syncMObjects"])
      expect(recorded).toEqual(["application.sync", "MarketoClient.syncMObjects"])
    }))

  it.effect("under Effect's own tracer no span is made: the caller's span is the current one", () =>
    Effect.gen(function*() {
      const { seen } = yield* spanSeenByTransport(false)
      expect(seen).toEqual(["application.sync"])
    }))
})

describe("calls started together take turns with the event loop", () => {
  // Node's http client writes a request in a `process.nextTick` callback, which runs only once
  // no fiber is runnable. The fake does the same: what it does there is "out". Without a turn
  // before each call's encoding, every call started together reaches the transport before any
  // request is out (call 0, call 1, call 2, out 0, out 1, out 2). On the live Clock: under a
  // TestClock nothing waits for a turn.
  const fakeWithWrites = (turns = true) => {
    const events: Array<string> = []
    const fake = Fake.make({
      turns,
      latency: (n) =>
        Effect.sync(() => {
          events.push(`call ${n}`)
          process.nextTick(() => events.push(`out ${n}`))
        })
    })
    // What the last call queued is out once the test's own nextTick comes.
    const settled = Effect.promise(() => new Promise<void>((resolve) => process.nextTick(resolve)))
    return { events, fake, settled }
  }
  const alternating = ["call 0", "out 0", "call 1", "out 1", "call 2", "out 2"]
  const opportunities = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => Opportunity.make({ id: from + i + 1 }))

  it.live("the chunks of one batch: each is out before the next is encoded", () =>
    Effect.gen(function*() {
      const { events, fake, settled } = fakeWithWrites()
      const client = yield* clientOf(fake, { chunkSize: 2, concurrency: 3, rateLimit: { calls: 1e9 } })
      const outcomes = yield* client.syncMObjects(opportunities(0, 6), "UPDATE")
      yield* settled
      expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill("UPDATED"))
      expect(events).toEqual(alternating)
    }))

  it.live("a call alone, and the first of several started together, does not wait for a turn", () =>
    Effect.gen(function*() {
      const { events, fake, settled } = fakeWithWrites()
      const client = yield* clientOf(fake, { concurrency: 3, rateLimit: { calls: 1e9 } })
      const loopTurned = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      // A turn of the loop asked for before the calls: they do not wait for it.
      const turnAsked = Effect.sync(() => setImmediate(() => events.push("turn")))
      yield* turnAsked
      yield* client.syncMObjects(opportunities(0, 2), "UPDATE")
      yield* loopTurned
      expect(events).toEqual(["call 0", "out 0", "turn"])
      events.length = 0
      yield* turnAsked
      yield* Effect.all([1, 2, 3].map((i) => client.syncMObjects(opportunities(i * 2, 2), "UPDATE")), {
        concurrency: "unbounded"
      })
      yield* settled
      expect(events).toEqual(["call 1", "out 1", "turn", "call 2", "out 2", "call 3", "out 3"])
      // A batch of three chunks: the first goes on in the turn its checks took.
      yield* loopTurned
      const chunked = fakeWithWrites()
      const chunking = yield* clientOf(chunked.fake, { chunkSize: 2, concurrency: 3, rateLimit: { calls: 1e9 } })
      yield* Effect.sync(() => setImmediate(() => chunked.events.push("turn")))
      yield* chunking.syncMObjects(opportunities(0, 6), "UPDATE")
      yield* chunked.settled
      expect(chunked.events).toEqual(["call 0", "out 0", "turn", "call 1", "out 1", "call 2", "out 2"])
    }))

  it.live("separate batches run at once, and the chunks of a stream, likewise", () =>
    Effect.gen(function*() {
      const batches = fakeWithWrites()
      const client = yield* clientOf(batches.fake, { concurrency: 3, rateLimit: { calls: 1e9 } })
      yield* Effect.all([0, 1, 2].map((i) => client.syncMObjects(opportunities(i * 2, 2), "UPDATE")), {
        concurrency: "unbounded"
      })
      yield* batches.settled
      expect(batches.events).toEqual(alternating)

      const streamed = fakeWithWrites()
      const streaming = yield* clientOf(streamed.fake, { chunkSize: 2, concurrency: 3, rateLimit: { calls: 1e9 } })
      const outcomes = yield* Stream.runCollect(
        streaming.syncStream("UPDATE")(Stream.fromIterable(opportunities(0, 6)))
      )
      yield* streamed.settled
      expect(outcomes.length).toBe(6)
      expect(streamed.events).toEqual(alternating)
    }))

  // The chunks of one batch, all started before any request is out.
  const asTheyCome = (turns: boolean) =>
    Effect.gen(function*() {
      const { events, fake, settled } = fakeWithWrites(turns)
      const client = yield* clientOf(fake, { chunkSize: 2, concurrency: 3, rateLimit: { calls: 1e9 } })
      yield* client.syncMObjects(opportunities(0, 6), "UPDATE")
      yield* settled
      expect(events).toEqual(["call 0", "call 1", "call 2", "out 0", "out 1", "out 2"])
    })

  it.effect("under a TestClock, a transport's turns are not taken: calls start as they come", () => asTheyCome(true))

  it.live("on the live Clock, a transport without turns: as they come", () => asTheyCome(false))
})

describe("retries", () => {
  it.effect("20016: signs again with a new timestamp and succeeds", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-05-04T10:00:00Z"))
      const fake = Fake.make({
        signWith: Fake.demoCredentials,
        script: (_op, _params, n) => n === 0 ? Effect.fail(fault(20016)) : undefined
      })
      const client = yield* clientOf(fake)
      const exit = yield* onTestClock(client.listMObjects(), Duration.seconds(30), Duration.millis(500))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(fake.calls.length).toBe(2)
      const [first, second] = fake.calls.map((c) => c.header!)
      expect(second!.requestTimestamp).not.toBe(first!.requestTimestamp)
      expect(second!.requestSignature).not.toBe(first!.requestSignature)
    }))

  it.effect("20016 again after re-signing fails as AuthFault 20016", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ script: () => Effect.fail(fault(20016)) })
      const client = yield* clientOf(fake)
      const exit = yield* onTestClock(client.listMObjects(), Duration.minutes(5))
      expect(exit).toStrictEqual(Exit.fail(new AuthFault({ code: 20016, faultString: "20016 - from the fake" })))
      expect(fake.calls.length).toBe(2)
    }))

  it.effect("20023 and 20024 back off exponentially, with jitter, then succeed", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (_op, _params, n) =>
          n === 0 ? Effect.fail(fault(20023)) : n === 1 ? Effect.fail(fault(20024)) : undefined
      })
      const client = yield* clientOf(fake, { retry: { baseDelay: "1 second" } })
      const exit = yield* onTestClock(client.syncMObjects([Opportunity.make({ id: 1 })], "UPDATE"))
      expect(Exit.isSuccess(exit)).toBe(true)
      const at = fake.calls.map((c) => c.startedAt)
      expect(at.length).toBe(3)
      // Equal jitter: the n-th wait is between half and all of base × 2^(n-1).
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(500)
      expect(at[1]! - at[0]!).toBeLessThanOrEqual(1_000)
      expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(1_000)
      expect(at[2]! - at[1]!).toBeLessThanOrEqual(2_000)
    }).pipe(Effect.withRandom(Random.make("backoff"))))

  it.effect("a code that keeps failing is retried a bounded number of times", () =>
    Effect.gen(function*() {
      for (const code of [20023, 10001, 20011]) {
        const fake = Fake.make({ script: () => Effect.fail(fault(code)) })
        const client = yield* clientOf(fake, { retry: { maxAttempts: 4 } })
        const exit = yield* onTestClock(client.listMObjects(), Duration.hours(1))
        expect(exit).toStrictEqual(Exit.fail(fault(code)))
        expect(fake.calls.length).toBe(4)
      }
    }))

  it.effect("20014 fails as AuthFault without a retry", () =>
    Effect.gen(function*() {
      const denied = new AuthFault({ code: 20014, faultString: "20014 - Authentication failed" })
      const fake = Fake.make({ script: () => Effect.fail(denied) })
      const client = yield* clientOf(fake)
      const exit = yield* onTestClock(client.syncMObjects([Opportunity.make({ id: 1 })], "UPDATE"))
      expect(exit).toStrictEqual(Exit.fail(denied))
      expect(fake.calls.length).toBe(1)
    }))

  it.effect("a fault Marketo does not call retryable fails at once", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ script: () => Effect.fail(fault(20012)) })
      const client = yield* clientOf(fake)
      const exit = yield* onTestClock(client.listMObjects())
      expect(exit).toStrictEqual(Exit.fail(fault(20012)))
      expect(fake.calls.length).toBe(1)
    }))

  it.effect("20015 fails at once with QuotaExceeded, resetting at the next midnight in Chicago", () =>
    Effect.gen(function*() {
      const cases = [
        // 21:00 CST on 14 January: midnight CST is 06:00 UTC.
        ["2026-01-15T03:00:00Z", "2026-01-15T06:00:00.000Z"],
        // 07:00 CDT on the day summer time starts: midnight CDT is 05:00 UTC.
        ["2026-03-08T12:00:00Z", "2026-03-09T05:00:00.000Z"]
      ] as const
      for (const [now, reset] of cases) {
        yield* TestClock.setTime(Date.parse(now))
        const fake = Fake.make({ script: () => Effect.fail(fault(20015)) })
        const client = yield* clientOf(fake)
        const error = yield* Effect.flip(client.listMObjects())
        expect(error._tag).toBe("QuotaExceeded")
        if (error._tag !== "QuotaExceeded") return
        expect(error.resetsAt.toISOString()).toBe(reset)
        expect(error.resetsAt.getTime()).toBeGreaterThan(Date.parse(now))
        expect(fake.calls.length).toBe(1)
      }
    }))
})

describe("ambiguous failures", () => {
  const lost = new TransportError({
    reason: "Connection",
    operation: "syncMObjects",
    description: "socket hang up",
    ambiguous: true
  })
  const refused = new TransportError({
    reason: "Connection",
    operation: "syncMObjects",
    description: "ECONNREFUSED",
    ambiguous: false
  })

  it.effect("an UPSERT without ids is not repeated after a lost answer; one with ids is", () =>
    Effect.gen(function*() {
      const byKey = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(lost) : undefined })
      const keyed = yield* onTestClock(
        Effect.flatMap(clientOf(byKey), (client) =>
          client.syncMObjects(
            [Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "K" } })],
            "UPSERT",
            { failOnPartial: false }
          ))
      )
      expect(byKey.calls.length).toBe(1)
      expect(Exit.isSuccess(keyed) ? keyed.value.map((o) => o.status) : []).toEqual(["IN_DOUBT"])

      const byId = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(lost) : undefined })
      const identified = yield* onTestClock(
        Effect.flatMap(clientOf(byId), (client) => client.syncMObjects([Opportunity.make({ id: 7 })], "UPSERT"))
      )
      expect(byId.calls.length).toBe(2)
      expect(Exit.isSuccess(identified) ? identified.value.map((o) => o.status) : []).toEqual(["UPDATED"])
    }))

  it.effect("a 4xx status is not retried; a 503 is", () =>
    Effect.gen(function*() {
      const status = (code: number) =>
        new TransportError({ reason: "Status", operation: "syncMObjects", status: code, ambiguous: code >= 500 })
      const notFound = Fake.make({ script: () => Effect.fail(status(404)) })
      const exit404 = yield* onTestClock(
        Effect.flatMap(clientOf(notFound), (client) => client.syncMObjects([Opportunity.make({ id: 1 })], "UPDATE"))
      )
      expect(Exit.isFailure(exit404)).toBe(true)
      expect(notFound.calls.length).toBe(1)

      const unavailable = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(status(503)) : undefined })
      const exit503 = yield* onTestClock(
        Effect.flatMap(clientOf(unavailable), (client) => client.syncMObjects([Opportunity.make({ id: 1 })], "UPDATE"))
      )
      expect(Exit.isSuccess(exit503)).toBe(true)
      expect(unavailable.calls.length).toBe(2)
    }))

  it.effect("an INSERT whose answer was lost is sent once and its objects are IN_DOUBT", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ script: (_op, _params, n) => n === 1 ? Effect.fail(lost) : undefined })
      const client = yield* clientOf(fake, { concurrency: 1 })
      const inputs = keyedOpportunities(250)
      const exit = yield* onTestClock(client.syncMObjects(inputs, "INSERT"))
      expect(fake.calls.length).toBe(3)
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error).toBeInstanceOf(PartialFailure)
      const outcomes = (error as PartialFailure<MObject>).outcomes
      expect(outcomes.length).toBe(250)
      expect(outcomes.filter((o) => o.status === "IN_DOUBT").map((o) => o.index)).toEqual(
        Array.from({ length: 100 }, (_, i) => 100 + i)
      )
      expect(outcomes[150]!.error).toMatch(/not repeated because it could create duplicates/)
      expect(outcomes.filter((o) => o.status === "CREATED").length).toBe(150)
    }))

  // One INSERT under a 5 s callTimeout on the TestClock, each attempt taking `latency`: its
  // outcomes as `STATUS: error`, or the error the call failed with, and how many calls were made.
  const insertTimed = (latency: Effect.Effect<void>, options: MarketoClient.Options = {}) =>
    Effect.gen(function*() {
      const fake = Fake.make({ latency: () => latency })
      const client = yield* clientOf(fake, { callTimeout: "5 seconds", ...options })
      const exit = yield* onTestClock(
        client.syncMObjects(
          [Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "X" } })],
          "INSERT",
          { failOnPartial: false }
        ),
        Duration.seconds(5)
      )
      const ended = Exit.isSuccess(exit)
        ? exit.value.map((o) => `${o.status}: ${o.error}`)
        : Exit.isFailure(exit) && exit.cause._tag === "Fail"
        ? [`${exit.cause.error._tag}: ${exit.cause.error.message}`]
        : []
      return { ended, calls: fake.calls.length }
    })

  it.effect("an INSERT that timed out is IN_DOUBT and not repeated", () =>
    Effect.gen(function*() {
      const { calls, ended } = yield* insertTimed(Effect.never)
      expect(ended).toHaveLength(1)
      expect(ended[0]).toMatch(/^IN_DOUBT: .*no answer within 5s/)
      expect(calls).toBe(1)
    }))

  it.effect("an INSERT whose time ran out before its request went out (a token that never came) is FAILED, not IN_DOUBT", () =>
    Effect.gen(function*() {
      const insert = (latency: Effect.Effect<void>) =>
        Effect.map(insertTimed(latency, { retry: { maxAttempts: 1 } }), (result) => result.ended)
      // Still waiting for what comes before the request: nothing was sent, so the call fails
      // with the error itself, as with any failure that applied nothing (no object is in doubt).
      expect(yield* insert(beforeSending(Effect.never))).toEqual([
        "TimeoutError: syncMObjects: not sent within 5s (what comes before a request, such as a REST access token, a describe or a place in the rate window, took longer); nothing that was not answered was applied"
      ])
      // The request went out and no answer came; and a second request's wait comes after a first that went out.
      const [sent] = yield* insert(Effect.zipRight(beforeSending(Effect.void), Effect.never))
      expect(sent).toMatch(/^IN_DOUBT: syncMObjects: no answer within 5s; the request may have reached Marketo/)
      const [secondWait] = yield* insert(
        Effect.zipRight(beforeSending(Effect.void), beforeSending(Effect.never))
      )
      expect(secondWait).toMatch(/^IN_DOUBT/)
    }))

  it.effect("an UPDATE whose first attempt may have been applied stays IN_DOUBT when a retry then sends nothing", () =>
    Effect.gen(function*() {
      // Attempt 1 goes out and is never answered; attempt 2's token never comes.
      const fake = Fake.make({ latency: (n) => n === 0 ? Effect.never : beforeSending(Effect.never) })
      const client = yield* clientOf(fake, {
        callTimeout: "5 seconds",
        retry: { maxAttempts: 2, baseDelay: 0, maxDelay: 0 }
      })
      const exit = yield* onTestClock(
        client.syncMObjects([Opportunity.make({ id: 7, name: "X" })], "UPDATE", { failOnPartial: false }),
        Duration.seconds(60),
        Duration.seconds(1)
      )
      expect(fake.calls.length).toBe(2)
      expect(Exit.isSuccess(exit) && exit.value.map((o) => o.status)).toEqual(["IN_DOUBT"])
      expect(Exit.isSuccess(exit) && exit.value[0]!.error).toMatch(/no answer within 5s/)
    }))

  it.live("on the live Clock too, an INSERT that timed out is IN_DOUBT and not repeated", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ latency: () => Effect.never })
      const client = yield* clientOf(fake, { callTimeout: "20 millis" })
      const outcomes = yield* client.syncMObjects(
        [Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "X" } })],
        "INSERT",
        { failOnPartial: false }
      )
      expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT"])
      expect(outcomes[0]!.error).toMatch(/no answer within 20ms/)
      expect(fake.calls.length).toBe(1)
    }))

  it.effect("an INSERT whose connection was refused is retried (it never reached Marketo)", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(refused) : undefined })
      const client = yield* clientOf(fake)
      const exit = yield* onTestClock(
        client.syncMObjects(
          [Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "X" } })],
          "INSERT"
        )
      )
      expect(Exit.isSuccess(exit) && exit.value.map((o) => o.status)).toEqual(["CREATED"])
      expect(fake.calls.length).toBe(2)
    }))

  it.effect("UPDATE and UPSERT are repeated after a lost answer", () =>
    Effect.gen(function*() {
      for (const operation of ["UPDATE", "UPSERT"] as const) {
        const fake = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(lost) : undefined })
        const client = yield* clientOf(fake)
        const exit = yield* onTestClock(client.syncMObjects([Opportunity.make({ id: 5 })], operation))
        expect(Exit.isSuccess(exit) && exit.value.map((o) => o.status)).toEqual(["UPDATED"])
        expect(fake.calls.length).toBe(2)
      }
    }))

  it.effect("a Program cost without an id is never sent twice after a lost answer: it would be added twice", () =>
    Effect.gen(function*() {
      const program = (costId: number | undefined) =>
        Program.make({
          id: 1970,
          costs: [{ ...(costId === undefined ? {} : { id: costId }), month: "2026-06", amount: 500 }]
        })
      // Programs are synced by UPDATE only (Marketo adds period costs and tags to existing programs).
      const fake = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(lost) : undefined })
      const client = yield* clientOf(fake)
      const appended = yield* onTestClock(
        client.syncMObjects([program(undefined)], "UPDATE", { failOnPartial: false })
      )
      expect(fake.calls.length).toBe(1)
      const outcome = Exit.isSuccess(appended) ? appended.value[0] : undefined
      expect(outcome?.status).toBe("IN_DOUBT")
      expect(outcome?.error).toMatch(/not repeated because it would add its Program costs without ids a second time/)
      // A cost with its id is matched, not added: repeated as any UPDATE is.
      const matched = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(lost) : undefined })
      const again = yield* clientOf(matched)
      const updated = yield* onTestClock(again.syncMObjects([program(153)], "UPDATE"))
      expect(Exit.isSuccess(updated) && updated.value.map((o) => o.status)).toEqual(["UPDATED"])
      expect(matched.calls.length).toBe(2)
    }))

  it.effect("an UPDATE still unanswered after every attempt is IN_DOUBT", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ script: () => Effect.fail(lost) })
      const client = yield* clientOf(fake, { retry: { maxAttempts: 3 } })
      const exit = yield* onTestClock(client.syncMObjects([Opportunity.make({ id: 5 })], "UPDATE"))
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error).toBeInstanceOf(PartialFailure)
      expect((error as PartialFailure<unknown>).outcomes.map((o) => o.status)).toEqual(["IN_DOUBT"])
      expect(fake.calls.length).toBe(3)
    }))
})

describe("observability", () => {
  it.effect("counts calls by operation, retries, faults by code and objects by status", () =>
    Effect.gen(function*() {
      const count = (metric: Metric.Metric.Counter<number>) => Effect.map(Metric.value(metric), (state) => state.count)
      const { calls, faults, objects, retries } = MarketoClient.metrics
      const watched = [
        Metric.tagged(calls, "operation", "syncMObjects"),
        Metric.tagged(Metric.tagged(retries, "operation", "syncMObjects"), "reason", "20024"),
        Metric.tagged(faults, "code", "20024"),
        Metric.tagged(objects, "status", "UPDATED"),
        Metric.tagged(objects, "status", "FAILED")
      ]
      const before = yield* Effect.forEach(watched, count)
      const fake = Fake.make({
        status: (o) => o.id === 2 ? "FAILED" : "UPDATED",
        script: (_op, _params, n) => n === 0 ? Effect.fail(fault(20024)) : undefined
      })
      const client = yield* clientOf(fake)
      yield* onTestClock(
        client.syncMObjects([1, 2, 3].map((id) => Opportunity.make({ id })), "UPDATE", { failOnPartial: false })
      )
      const after = yield* Effect.forEach(watched, count)
      expect(after.map((n, i) => n - before[i]!)).toEqual([2, 1, 1, 2, 1])
    }))
})

describe("objects by status, when chunks fail", () => {
  it.effect("every outcome is counted once: answered FAILED, refused chunks FAILED, unreadable ones IN_DOUBT", () =>
    Effect.gen(function*() {
      const count = (status: string) =>
        Effect.map(Metric.value(Metric.tagged(MarketoClient.metrics.objects, "status", status)), (s) => s.count)
      const before = [yield* count("FAILED"), yield* count("IN_DOUBT"), yield* count("UPDATED")]
      const mismatch = new ProtocolError({ reason: "CountMismatch", detail: "sent 10, received 9", received: "9" })
      const fake = Fake.make({
        // Chunk 0 is answered (half FAILED), chunk 1 refused for good, chunk 2 unreadable.
        status: (o) => o.id! % 2 === 0 ? "FAILED" : "UPDATED",
        script: (_op, _params, n) => n === 1 ? Effect.fail(fault(20012)) : n === 2 ? Effect.fail(mismatch) : undefined
      })
      const client = yield* clientOf(fake, { chunkSize: 10, concurrency: 1 })
      const exit = yield* onTestClock(
        client.syncMObjects(Array.from({ length: 30 }, (_, i) => Opportunity.make({ id: i + 1 })), "UPDATE", {
          failOnPartial: false
        })
      )
      const outcomes = Exit.isSuccess(exit) ? exit.value : []
      const tally = (status: string) => outcomes.filter((o) => o.status === status).length
      expect([tally("FAILED"), tally("IN_DOUBT"), tally("UPDATED")]).toEqual([15, 10, 5])
      const after = [yield* count("FAILED"), yield* count("IN_DOUBT"), yield* count("UPDATED")]
      expect(after.map((n, i) => n - before[i]!)).toEqual([15, 10, 5])
    }))
})

describe("withOnSend", () => {
  it.effect("runs once an attempt is admitted, just before its transport sends: never for a call still waiting at the limiter", () =>
    Effect.gen(function*() {
      const fake = Fake.make({})
      const client = yield* clientOf(fake, { rateLimit: { calls: 1, window: "10 seconds" }, chunkSize: 10 })
      const log: Array<string> = []
      const call = (i: number) =>
        client.syncMObjects(Array.from({ length: 10 }, (_, j) => Opportunity.make({ id: i * 10 + j + 1 })), "UPDATE")
          .pipe(MarketoClient.withOnSend(Effect.sync(() => void log.push(`on send ${i} (${fake.calls.length} sent)`))))
      const first = yield* Effect.fork(call(0))
      const second = yield* Effect.fork(call(1))
      yield* Fiber.join(first)
      yield* TestClock.adjust("1 seconds")
      // The second call waits for the window: it has not been admitted, so nothing ran for it.
      expect(log).toEqual(["on send 0 (0 sent)"])
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(second)
      expect(log).toEqual(["on send 0 (0 sent)", "on send 1 (1 sent)"])
    }))

  // On the live clock: its time limit is a timer that waits for the interrupted attempt to end.
  it.live("a time limit met in onSend leaves the call not sent: its INSERT is not in doubt", () =>
    Effect.gen(function*() {
      const fake = Fake.make({})
      const client = yield* clientOf(fake, {
        rateLimit: { calls: 1e9 },
        callTimeout: "50 millis",
        retry: { maxAttempts: 1 }
      })
      const exit = yield* client.syncMObjects([Opportunity.make({ name: "slow journal" })], "INSERT").pipe(
        MarketoClient.withOnSend(Effect.never),
        Effect.exit
      )
      expect(fake.calls.length).toBe(0)
      // Nothing was applied: the call ends with a TimeoutError that says so, never IN_DOUBT.
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error?._tag).toBe("TimeoutError")
      expect(error?._tag === "TimeoutError" ? error.ambiguous : undefined).toBe(false)
    }))

  it.effect("an onSend that dies ends the attempt before anything is sent", () =>
    Effect.gen(function*() {
      const fake = Fake.make({})
      const client = yield* clientOf(fake, { rateLimit: { calls: 1e9 } })
      const exit = yield* client.syncMObjects([Opportunity.make({ id: 1 })], "UPDATE").pipe(
        MarketoClient.withOnSend(Effect.dieMessage("the journal is full")),
        Effect.exit
      )
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(fake.calls.length).toBe(0)
    }))
})

describe("stopping a batch", () => {
  const denied = new AuthFault({ code: 20014, faultString: "20014 - Authentication failed" })
  // One call per 10 s window, 1 s per call: later chunks wait at the limiter when call 0 fails.
  const slow = { rateLimit: { calls: 1, window: "10 seconds" }, concurrency: 3, chunkSize: 10 } as const

  it.effect("chunks waiting at the limiter are not sent after an authentication fault (batch)", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        latency: () => Effect.sleep(Duration.seconds(1)),
        script: (_op, _params, n) => n === 0 ? Effect.fail(denied) : undefined
      })
      const client = yield* clientOf(fake, slow)
      const exit = yield* onTestClock(
        client.syncMObjects(Array.from({ length: 30 }, (_, i) => Opportunity.make({ id: i + 1 })), "UPDATE"),
        Duration.minutes(5),
        Duration.seconds(1)
      )
      expect(fake.calls.length).toBe(1)
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error?._tag).toBe("AuthFault")
    }))

  it.effect("chunks waiting at the limiter are not sent after an authentication fault (stream)", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        latency: () => Effect.sleep(Duration.seconds(1)),
        script: (_op, _params, n) => n === 0 ? Effect.fail(denied) : undefined
      })
      const client = yield* clientOf(fake, slow)
      const emitted: Array<string> = []
      const exit = yield* onTestClock(
        Stream.range(1, 30).pipe(
          Stream.map((id) => Opportunity.make({ id })),
          client.syncStream("UPDATE"),
          Stream.runForEach((o) => Effect.sync(() => emitted.push(o.status)))
        ),
        Duration.minutes(5),
        Duration.seconds(1)
      )
      expect(fake.calls.length).toBe(1)
      expect(emitted).toEqual(Array.from({ length: 10 }, () => "FAILED"))
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error?._tag).toBe("AuthFault")
    }))

  it.effect("a stream whose last chunk meets an authentication fault still ends with it", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ script: () => Effect.fail(denied) })
      const client = yield* clientOf(fake)
      const exit = yield* onTestClock(
        Stream.range(1, 50).pipe(
          Stream.map((id) => Opportunity.make({ id })),
          client.syncStream("UPDATE"),
          Stream.runCollect
        )
      )
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error?._tag).toBe("AuthFault")
      expect(fake.calls.length).toBe(1)
    }))
})

describe("deleteMObjects, describeMObject, listMObjects", () => {
  it.effect("deletes in chunks with one outcome per reference", () =>
    Effect.gen(function*() {
      const fake = Fake.make()
      const client = yield* clientOf(fake)
      const refs = Array.from({ length: 150 }, (_, i) => ({ type: "Opportunity" as const, id: i + 1 }))
      const outcomes = yield* client.deleteMObjects(refs)
      expect(outcomes.map((o) => [o.index, o.input, o.status, o.id])).toEqual(
        refs.map((ref, i) => [i, ref, "DELETED", ref.id])
      )
      expect(fake.calls.map((c) => (c.params as Wire.ParamsDeleteMObjects).mObjectList.length)).toEqual([100, 50])
      expect((fake.calls[0]!.params as Wire.ParamsDeleteMObjects).mObjectList[0]).toEqual({
        type: "Opportunity",
        id: 1
      })
    }))

  it.effect("sends a reference by what validation read it by: an external key present but undefined is none", () =>
    Effect.gen(function*() {
      const fake = Fake.make()
      const client = yield* clientOf(fake)
      // Plain data as a CSV or JSON reader may build it: both keys present, one undefined.
      const refs = [
        { type: "Opportunity", id: 7, externalKey: undefined },
        { type: "Opportunity", id: undefined, externalKey: { name: "externalOpportunityId", value: "O-8" } }
      ] as unknown as ReadonlyArray<MarketoClient.DeleteRef>
      yield* client.deleteMObjects(refs)
      expect((fake.calls[0]!.params as Wire.ParamsDeleteMObjects).mObjectList).toStrictEqual([
        { type: "Opportunity", id: 7 },
        { type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "O-8" } }
      ])
    }))

  it.effect("rejects references it cannot delete, sending nothing", () =>
    Effect.gen(function*() {
      const fake = Fake.make()
      const client = yield* clientOf(fake)
      const error = yield* Effect.flip(
        client.deleteMObjects([{ type: "Opportunity", id: 1 }, { type: "Opportunity", id: 0 }, {
          type: "Program" as "Opportunity",
          id: 3
        }])
      )
      expect(error._tag === "ValidationError" && error.issues.map((i) => [i.index, i.path])).toEqual([
        [1, ["id"]],
        [2, ["type"]]
      ])
      expect(fake.calls.length).toBe(0)
    }))

  it.effect("describes and lists through the transport", () =>
    Effect.gen(function*() {
      const metadata: Wire.MObjectMetadata = {
        name: "Opportunity",
        description: null,
        isCustom: false,
        isVirtual: false,
        fieldList: [],
        updatedAt: "2024-01-01T00:00:00Z"
      }
      const fake = Fake.make({
        script: (operation) =>
          operation === "describeMObject" ? Effect.succeed({ metadata } as Wire.ResultOf<typeof operation>) : undefined
      })
      const client = yield* clientOf(fake)
      expect(yield* client.describeMObject("Opportunity")).toEqual(metadata)
      expect(fake.calls[0]!.params).toEqual({ objectName: "Opportunity" })
      expect(yield* client.listMObjects()).toEqual(["Opportunity", "OpportunityPersonRole", "Program"])
    }))

  it.effect("the module's accessors use the client in context", () =>
    Effect.gen(function*() {
      const fake = Fake.make()
      const outcomes = yield* MarketoClient.syncMObjects([Opportunity.make({ id: 3 })], "UPDATE").pipe(
        Effect.provide(MarketoClient.layer().pipe(Layer.provide(fake.layer)))
      )
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED"])
    }))
})

describe("a chunk that fails for good", () => {
  const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
    Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

  it.effect("costs no other chunk its outcomes: its objects are FAILED with the reason", () =>
    Effect.gen(function*() {
      // The second of three calls is refused for good (20012 is not retried).
      const fake = Fake.make({ script: (_op, _params, n) => n === 1 ? Effect.fail(fault(20012)) : undefined })
      const client = yield* clientOf(fake, { concurrency: 1 })
      const inputs = keyedOpportunities(250)
      const exit = yield* onTestClock(client.syncMObjects(inputs, "UPSERT"))
      const error = failureOf(exit)
      expect(error).toBeInstanceOf(PartialFailure)
      const outcomes = (error as PartialFailure<MObject>).outcomes
      expect(outcomes.map((o) => o.index)).toEqual(inputs.map((_, i) => i))
      expect(outcomes.map((o) => o.input)).toEqual(inputs)
      expect(outcomes.filter((o) => o.status === "CREATED").length).toBe(150)
      const failed = outcomes.filter((o) => o.status === "FAILED")
      expect(failed.map((o) => o.index)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i))
      expect(failed[0]!.error).toContain("20012")
      expect(fake.calls.length).toBe(3)
    }))

  it.effect("after an authentication fault no further chunk is sent", () =>
    Effect.gen(function*() {
      const auth = new AuthFault({ code: 20014, faultString: "20014 - Authentication failed" })
      const fake = Fake.make({ script: (_op, _params, n) => n === 1 ? Effect.fail(auth) : undefined })
      const client = yield* clientOf(fake, { concurrency: 1 })
      const inputs = keyedOpportunities(350)
      const exit = yield* onTestClock(client.syncMObjects(inputs, "UPSERT", { failOnPartial: false }))
      expect(Exit.isSuccess(exit)).toBe(true)
      const outcomes = Exit.isSuccess(exit) ? exit.value : []
      expect(fake.calls.length).toBe(2)
      expect(outcomes.length).toBe(350)
      expect(outcomes.slice(0, 100).every((o) => o.status === "CREATED")).toBe(true)
      expect(outcomes.slice(100).every((o) => o.status === "FAILED")).toBe(true)
      expect(outcomes[100]!.error).toContain("20014")
      expect(outcomes[200]!.error).toMatch(/^not sent/)
    }))

  it.effect("when nothing got through, the batch fails with the call error itself", () =>
    Effect.gen(function*() {
      const auth = new AuthFault({ code: 20014, faultString: "20014 - Authentication failed" })
      const fake = Fake.make({ script: () => Effect.fail(auth) })
      const client = yield* clientOf(fake, { concurrency: 1 })
      const exit = yield* onTestClock(
        client.syncMObjects(Array.from({ length: 250 }, (_, i) => Opportunity.make({ id: i + 1 })), "UPDATE")
      )
      const error = failureOf(exit)
      expect(error?._tag).toBe("AuthFault")
      expect(error?._tag === "AuthFault" ? error.code : undefined).toBe(20014)
      expect(fake.calls.length).toBe(1)
    }))
})

describe("pairing statuses with objects by identity", () => {
  const keyed = (key: string) => Opportunity.make({ externalKey: { name: "externalOpportunityId", value: key } })

  it.effect("statuses that name other objects than those at their positions make the chunk IN_DOUBT", () =>
    Effect.gen(function*() {
      // Each status names its own object, but in reverse order: K-1 must not get K-3's id.
      const reversed = Fake.make({
        script: (operation, params) =>
          operation === "syncMObjects"
            ? Effect.succeed({
              mObjStatusList: (params as Wire.ParamsSyncMObjects).mObjectList.map((o, i) => ({
                id: 100 + i,
                status: "CREATED" as const,
                ...(o.externalKey === undefined ? {} : { externalKey: o.externalKey })
              })).reverse()
            } as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(reversed)
      const outcomes = yield* client.syncMObjects(["K-1", "K-2", "K-3"].map(keyed), "UPSERT", {
        failOnPartial: false
      })
      expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT", "IN_DOUBT", "IN_DOUBT"])
      expect(outcomes.some((o) => o.id !== undefined)).toBe(false)
      expect(outcomes[0]!.error).toContain("IdentityMismatch")
      expect(outcomes[0]!.error).toContain("K-3")
      // The same keys in the right order pair as before.
      const inOrder = yield* Effect.flatMap(
        clientOf(Fake.make()),
        (c) => c.syncMObjects(["K-1", "K-2", "K-3"].map(keyed), "UPSERT")
      )
      expect(inOrder.map((o) => o.externalKey?.value)).toEqual(["K-1", "K-2", "K-3"])
    }))

  it.effect("a status with another id than the object sent is an IdentityMismatch; id 0 (not stored) names none", () =>
    Effect.gen(function*() {
      const swapped = Fake.make({
        script: (operation, params) =>
          operation === "syncMObjects"
            ? Effect.succeed({
              mObjStatusList: (params as Wire.ParamsSyncMObjects).mObjectList.map((o) => ({
                id: o.id === 1 ? 0 : o.id === 2 ? 3 : o.id!,
                status: o.id === 1 ? "FAILED" as const : "UPDATED" as const
              }))
            } as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(swapped, { chunkSize: 1 })
      const outcomes = yield* client.syncMObjects([1, 2, 3].map((id) => Opportunity.make({ id })), "UPDATE", {
        failOnPartial: false
      })
      expect(outcomes.map((o) => o.status)).toEqual(["FAILED", "IN_DOUBT", "UPDATED"])
      expect(outcomes[1]!.error).toContain("it names id 3 (UPDATED), sent as id 2")
      expect(outcomes[1]!.error).toContain("read it back before re-sending")
    }))

  // Marketo (and the emulator) create an object whose id names no stored object under a new
  // id, under INSERT and UPSERT: the status is that object's, wherever it sits in the call.
  const statusesBy = (answer: (o: Wire.MObject) => Wire.MObjStatus) =>
    Fake.make({
      script: (operation, params) =>
        operation === "syncMObjects"
          ? Effect.succeed(
            { mObjStatusList: (params as Wire.ParamsSyncMObjects).mObjectList.map(answer) } as Wire.ResultOf<
              typeof operation
            >
          )
          : undefined
    })
  const unknownId = 999_999
  const createdAnew = (o: Wire.MObject): Wire.MObjStatus =>
    o.id === unknownId
      ? { id: 5000, status: "CREATED" }
      : {
        id: 4000 + Number(o.externalKey?.value ?? 0),
        status: "UPDATED",
        ...(o.externalKey === undefined ? {} : { externalKey: o.externalKey })
      }

  it.effect.prop(
    "under INSERT and UPSERT, a CREATED status with a new id is the outcome of the object sent with an unknown id",
    [
      FastCheck.integer({ min: 1, max: 250 }),
      FastCheck.nat(),
      FastCheck.constantFrom<Wire.SyncOperation>("INSERT", "UPSERT"),
      // At least 3 a chunk: at most 84 calls, inside the rate window (no clock involved).
      FastCheck.integer({ min: 3, max: 100 })
    ],
    ([n, at, operation, chunkSize]) =>
      Effect.gen(function*() {
        const position = at % n
        const inputs = keyedOpportunities(n).map((o, i) => i === position ? Opportunity.make({ id: unknownId }) : o)
        const client = yield* clientOf(statusesBy(createdAnew), { chunkSize })
        const outcomes = yield* client.syncMObjects(inputs, operation)
        expect(outcomes.map((o) => o.status)).toEqual(inputs.map((_, i) => i === position ? "CREATED" : "UPDATED"))
        expect(outcomes[position]!.id).toBe(5000)
        expect(outcomes[position]!.error).toBe(
          "Marketo created this object under the new id 5000: the id 999999 it was sent with named no stored object"
        )
        expect(outcomes.filter((o) => o.error !== undefined).length).toBe(1)
      }),
    { fastCheck: { numRuns: 30 } }
  )

  it.effect("a status that cannot be the object's leaves only its own chunk IN_DOUBT, saying why", () =>
    Effect.gen(function*() {
      // UPDATE never creates; a status keyed to another object is another object's; a new id
      // that another object of the call was sent with is that object's.
      const cases: ReadonlyArray<
        readonly [Wire.SyncOperation, (o: Wire.MObject) => Wire.MObjStatus, string]
      > = [
        ["UPDATE", createdAnew, "it names id 5000 (CREATED), sent as id 999999, and UPDATE never creates"],
        [
          "UPSERT",
          (o) =>
            o.id === unknownId
              ? { id: 5000, status: "CREATED", externalKey: { name: "externalOpportunityId", value: "other" } }
              : createdAnew(o),
          `it names externalOpportunityId="other", sent as externalOpportunityId="150"`
        ],
        [
          "UPSERT",
          (o) => o.id === unknownId ? { id: 4100, status: "CREATED" } : createdAnew(o),
          "it names id 4100, the id another object of this call was sent with"
        ]
      ]
      for (const [operation, answer, why] of cases) {
        const inputs = keyedOpportunities(300).map((o, i) =>
          i === 150
            ? Opportunity.make({ id: unknownId, externalKey: { name: "externalOpportunityId", value: "150" } })
            : i === 170
            ? Opportunity.make({ id: 4100 })
            : o
        )
        const client = yield* clientOf(statusesBy(answer))
        const outcomes = yield* client.syncMObjects(inputs, operation, { failOnPartial: false })
        const inDoubt = outcomes.flatMap((o) => o.status === "IN_DOUBT" ? [o.index] : [])
        expect(inDoubt).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i))
        const error = outcomes[120]!.error!
        expect(error).toContain(
          `Marketo's answer to syncMObjects of objects[100..199] does not match what was sent: its status 50 cannot be objects[150]'s (${why})`
        )
        expect(error).toContain("Marketo may have applied this object: read it back before re-sending")
        expect(outcomes.filter((o) => o.index < 100 || o.index >= 200).every((o) => o.status === "UPDATED")).toBe(
          true
        )
      }
    }))
})

describe("20011 and other ambiguous faults", () => {
  it.effect("an INSERT answered 20011 is IN_DOUBT and not repeated; an UPDATE is retried", () =>
    Effect.gen(function*() {
      const insert = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(fault(20011)) : undefined })
      const inserted = yield* onTestClock(Effect.flatMap(clientOf(insert), (client) =>
        client.syncMObjects(
          [Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "X" } })],
          "INSERT",
          { failOnPartial: false }
        )))
      expect(insert.calls.length).toBe(1)
      expect(Exit.isSuccess(inserted) && inserted.value.map((o) => o.status)).toEqual(["IN_DOUBT"])
      expect(Exit.isSuccess(inserted) && inserted.value[0]!.error).toMatch(/20011.*not repeated/)

      const update = Fake.make({ script: (_op, _params, n) => n === 0 ? Effect.fail(fault(20011)) : undefined })
      const updated = yield* onTestClock(
        Effect.flatMap(clientOf(update), (client) => client.syncMObjects([Opportunity.make({ id: 4 })], "UPDATE"))
      )
      expect(update.calls.length).toBe(2)
      expect(Exit.isSuccess(updated) && updated.value.map((o) => o.status)).toEqual(["UPDATED"])
    }))

  it.effect("an UPDATE still answered 20011 after every attempt is IN_DOUBT, not FAILED", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ script: () => Effect.fail(fault(20011)) })
      const exit = yield* onTestClock(Effect.flatMap(clientOf(fake, { retry: { maxAttempts: 2 } }), (client) =>
        client.syncMObjects([Opportunity.make({ id: 4 })], "UPDATE", { failOnPartial: false })))
      expect(fake.calls.length).toBe(2)
      expect(
        Exit.isSuccess(exit) && exit.value.map((o) =>
          o.status
        )
      ).toEqual(["IN_DOUBT"])
    }))
})

describe("a call answered in part (MarketoTransport.answered)", () => {
  // A transport whose call is several requests (REST): the first object's request was
  // answered, the second's failed for good. The answered object keeps its status.
  const partly = (error: TransportCallError) => {
    const answered = new WeakMap<object, ReadonlyArray<Wire.MObjStatus | undefined>>()
    const transport: MarketoTransportShape = {
      call: (operation, params) => {
        if (operation === "syncMObjects" || operation === "deleteMObjects") {
          const p = params as Wire.ParamsSyncMObjects
          answered.set(
            p,
            p.mObjectList.map((_, i): Wire.MObjStatus | undefined => i === 0 ? { id: 0, status: "CREATED" } : undefined)
          )
        }
        return Effect.fail(error)
      },
      answered: (params) => answered.get(params)
    }
    return MarketoClient.make({ retry: { maxAttempts: 1 } }).pipe(
      Effect.provide(Layer.succeed(MarketoTransport, transport))
    )
  }
  const objects = [
    Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "A" } }),
    Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "B" } })
  ]

  it.effect("a refused rest of the call: the answered object keeps its status, the others are FAILED", () =>
    Effect.gen(function*() {
      const client = yield* partly(fault(20023))
      const outcomes = yield* client.syncMObjects(objects, "INSERT", { failOnPartial: false })
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED", "FAILED"])
    }))

  it.effect("an ambiguous rest of the call: the answered object keeps its status, the others are IN_DOUBT", () =>
    Effect.gen(function*() {
      const client = yield* partly(
        new TransportError({ reason: "Status", operation: "syncMObjects", status: 502, ambiguous: true })
      )
      const outcomes = yield* client.syncMObjects(objects, "INSERT", { failOnPartial: false })
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED", "IN_DOUBT"])
    }))
})

describe("paging", () => {
  const page = (position: string, hasMore = true): Wire.ResultOf<"getMObjects"> => ({
    returnCount: 0,
    hasMore,
    newStreamPosition: position,
    mObjectList: []
  })
  const withObject = (result: Wire.ResultOf<"getMObjects">, n: number): Wire.ResultOf<"getMObjects"> => ({
    ...result,
    returnCount: 1,
    mObjectList: [{ type: "Opportunity", id: n + 1 }]
  })

  it.effect("positions that cycle (A, B, A, …) end the read with PositionCycle after the first repeat", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation, _params, n) =>
          operation === "getMObjects"
            ? Effect.succeed(page(n % 2 === 0 ? "A" : "B") as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(fake)
      // At most 20 pages: the old client followed such a read forever.
      const exit = yield* Effect.exit(
        Stream.runCollect(Stream.take(client.getMObjectsPages({ type: "Opportunity" }), 20))
      )
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error).toMatchObject({ _tag: "ProtocolError", reason: "PositionCycle" })
      expect(fake.calls.length).toBe(3)
      expect(fake.calls.map((c) => (c.params as Wire.ParamsGetMObjects).streamPosition)).toEqual([
        undefined,
        "A",
        "B"
      ])
    }))

  it.effect("a read resumed at a position is not led back to it", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation) =>
          operation === "getMObjects" ? Effect.succeed(page("START") as Wire.ResultOf<typeof operation>) : undefined
      })
      const client = yield* clientOf(fake)
      const error = yield* Effect.flip(
        Stream.runCollect(Stream.take(client.getMObjectsPages({ type: "Opportunity", streamPosition: "START" }), 5))
      )
      expect(error).toMatchObject({ _tag: "ProtocolError", reason: "PositionCycle" })
      expect(fake.calls.length).toBe(1)
    }))

  it.effect("positions that keep moving are followed to the end, over many pages", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation, _params, n) =>
          operation === "getMObjects"
            ? Effect.succeed(withObject(page(`P${n}`, n < 499), n) as Wire.ResultOf<typeof operation>)
            : undefined
      })
      // No rate limit here: 500 calls would wait on the TestClock.
      const client = yield* clientOf(fake, { rateLimit: { calls: 1e9 } })
      const pages = yield* Stream.runCollect(client.getMObjectsPages({ type: "Opportunity" }))
      expect(pages.length).toBe(500)
      expect(fake.calls.length).toBe(500)
    }))

  it.effect("an object that is not the one asked for (another id or key) ends the read with IdentityMismatch", () =>
    Effect.gen(function*() {
      const read = (answer: Wire.MObject, params: Omit<Wire.ParamsGetMObjects, "type">) =>
        Effect.gen(function*() {
          const fake = Fake.make({
            script: (operation) =>
              operation === "getMObjects"
                ? Effect.succeed(
                  { returnCount: 1, hasMore: false, newStreamPosition: "", mObjectList: [answer] } as Wire.ResultOf<
                    typeof operation
                  >
                )
                : undefined
          })
          const client = yield* clientOf(fake)
          return yield* Stream.runCollect(client.getMObjectsPages({ type: "Opportunity", ...params })).pipe(
            Effect.map((pages) => [...pages].flatMap((page) => page.objects.length)),
            Effect.catchAll((error) => Effect.succeed(error._tag === "ProtocolError" ? error.reason : error._tag))
          )
        })
      const key = (value: string, name = "externalOpportunityId") => ({ name, value })
      expect(yield* read({ type: "Opportunity", externalKey: key("OTHER") }, { externalKey: key("X-1") })).toBe(
        "IdentityMismatch"
      )
      expect(yield* read({ type: "Opportunity", id: 7 }, { id: 6 })).toBe("IdentityMismatch")
      // What Marketo may match: the key in another case, or named by another of its keys.
      expect(yield* read({ type: "Opportunity", externalKey: key("x-1") }, { externalKey: key("X-1") })).toEqual([1])
      expect(yield* read({ type: "Opportunity", externalKey: key("X-1") }, { externalKey: key("g-1", "marketoGUID") }))
        .toEqual([1])
      expect(yield* read({ type: "Opportunity", id: 6 }, { id: 6 })).toEqual([1])
    }))

  // Issue 19, finding 9: the bounds hold over any transport (this fake stands for SOAP).
  it.effect("finding 9: a position new on every page is followed at most Limits.maxPagesPerRead pages", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation, _params, n) =>
          operation === "getMObjects"
            ? Effect.succeed(withObject(page(`P${n}`), n) as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(fake, { rateLimit: { calls: 1e9 } })
      const error = yield* Effect.flip(
        Stream.runDrain(client.getMObjectsPages({ type: "Opportunity" })).pipe(
          Effect.locally(Limits.maxPagesPerRead, 50)
        )
      )
      expect(error._tag === "ProtocolError" && error.reason).toBe("TooLarge")
      expect(fake.calls.length).toBe(50)
    }))

  it.effect("finding 9: empty pages that say there is more, and positions that keep growing, end the read", () =>
    Effect.gen(function*() {
      const empty = Fake.make({
        script: (operation, _params, n) =>
          operation === "getMObjects" ? Effect.succeed(page(`P${n}`) as Wire.ResultOf<typeof operation>) : undefined
      })
      const e1 = yield* Effect.flip(
        Stream.runDrain(
          (yield* clientOf(empty, { rateLimit: { calls: 1e9 } })).getMObjectsPages({ type: "Opportunity" })
        )
      )
      expect(e1._tag === "ProtocolError" && e1.reason).toBe("PositionCycle")
      expect(empty.calls.length).toBe(Limits.maxEmptyPagesInRow)
      const growing = Fake.make({
        script: (operation, _params, n) =>
          operation === "getMObjects"
            ? Effect.succeed(withObject(page("P".repeat(2 ** n)), n) as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const e2 = yield* Effect.flip(
        Stream.runDrain(
          (yield* clientOf(growing, { rateLimit: { calls: 1e9 } })).getMObjectsPages({ type: "Opportunity" })
        )
      )
      expect(e2._tag === "ProtocolError" && e2.reason).toBe("TooLarge")
      expect(growing.calls.length).toBeLessThanOrEqual(Math.log2(Limits.maxStreamPositionChars) + 2)
    }))

  it.effect("a record that cannot become a model fails the read with ModelMapping", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation) =>
          operation === "getMObjects"
            ? Effect.succeed({
              ...page("", false),
              returnCount: 1,
              mObjectList: [{
                type: "Opportunity",
                id: 1,
                attribList: [{ name: "Name", value: "a" }, { name: "Name", value: "b" }]
              }]
            } as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(fake)
      const error = yield* Effect.flip(Stream.runCollect(client.getMObjects({ type: "Opportunity" })))
      expect(error).toMatchObject({ _tag: "ProtocolError", reason: "ModelMapping" })
    }))

  it.effect("a record of another type than the one read fails the read: the stream yields only that type's model", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation) =>
          operation === "getMObjects"
            ? Effect.succeed({
              ...page("", false),
              returnCount: 2,
              mObjectList: [{ type: "Opportunity", id: 1 }, { type: "Program", id: 2 }]
            } as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(fake)
      const error = yield* Effect.flip(Stream.runCollect(client.getMObjects({ type: "Opportunity" })))
      expect(error).toMatchObject({
        _tag: "ProtocolError",
        reason: "ModelMapping",
        detail: "getMObjects of Opportunity answered a Program"
      })
    }))
})

describe("options are checked when the client is built", () => {
  const nonsense: ReadonlyArray<readonly [unknown, string]> = [
    [{ rateLimit: { window: "nonsense" } }, "rateLimit.window"],
    [{ callTimeout: 0 }, "callTimeout"],
    [{ callTimeout: "-5 seconds" }, "callTimeout"],
    [{ callTimeout: -1 }, "callTimeout"],
    [{ chunkSize: 0 }, "chunkSize"],
    [{ chunkSize: 2.5 }, "chunkSize"],
    [{ chunkSize: Number.NaN }, "chunkSize"],
    [{ concurrency: "ten" }, "concurrency"],
    [{ retry: { maxAttempts: 0 } }, "retry.maxAttempts"],
    [{ retry: { baseDelay: "soon" } }, "retry.baseDelay"],
    [{ rateLimit: { calls: -1 } }, "rateLimit.calls"],
    [{ rateLimit: { window: 0 } }, "rateLimit.window"],
    [{ rateLimit: "fast" }, "rateLimit"]
  ]

  it.effect("nonsense fails the layer with a ConfigError naming the option, before any call", () =>
    Effect.gen(function*() {
      for (const [options, path] of nonsense) {
        const fake = Fake.make()
        const exit = yield* Effect.exit(
          MarketoClient.listMObjects().pipe(
            Effect.provide(MarketoClient.layer(options as MarketoClient.Options).pipe(Layer.provide(fake.layer)))
          )
        )
        // A typed failure, not a defect.
        const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(ConfigError.isConfigError(error), JSON.stringify(options)).toBe(true)
        expect(error !== undefined && ConfigError.isConfigError(error) && error._op, JSON.stringify(options)).toBe(
          "InvalidData"
        )
        expect(String(error)).toContain(path)
        expect(fake.calls.length).toBe(0)
      }
    }))

  it.effect("every problem is named at once; sensible options build", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(
          MarketoClient.make({ callTimeout: 0, rateLimit: { window: "nonsense" as Duration.DurationInput } }),
          Fake.make().layer
        )
      )
      expect(String(error)).toContain("callTimeout")
      expect(String(error)).toContain("rateLimit.window")
      const fine = yield* Effect.exit(Effect.provide(
        MarketoClient.make({
          chunkSize: 500,
          concurrency: 50,
          callTimeout: Duration.infinity,
          rateLimit: { calls: 5, window: 1000 },
          retry: { maxAttempts: 1, baseDelay: 0 }
        }),
        Fake.make().layer
      ))
      expect(Exit.isSuccess(fine)).toBe(true)
    }))

  it.effect("layerConfig takes each option as its own Config", () =>
    Effect.gen(function*() {
      const read = (value: string) =>
        MarketoClient.listMObjects().pipe(
          Effect.provide(
            MarketoClient.layerConfig({ callTimeout: Config.duration("MARKETO_CALL_TIMEOUT") }).pipe(
              Layer.provide(Fake.make().layer)
            )
          ),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MARKETO_CALL_TIMEOUT", value]]))),
          Effect.exit
        )
      expect(Exit.isSuccess(yield* read("30 seconds"))).toBe(true)
      expect(String(Exit.isFailure(yield* read("0 seconds")) ? "failed" : "built")).toBe("failed")
    }))
})

describe("the transport's maximum per call", () => {
  it.effect("chunks are min(chunkSize, the transport's maxObjectsPerCall), by default the transport's maximum", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [number | undefined, number | undefined, ReadonlyArray<number>]> = [
        [300, undefined, [300, 300, 50]],
        [300, 500, [300, 300, 50]],
        [300, 200, [200, 200, 200, 50]],
        [undefined, undefined, [100, 100, 100, 100, 100, 100, 50]],
        [20, 100, Array.from({ length: 33 }, (_, i) => (i < 32 ? 20 : 10))]
      ]
      for (const [max, chunkSize, expected] of cases) {
        const fake = Fake.make()
        const transport = max === undefined ? fake.transport : { ...fake.transport, maxObjectsPerCall: max }
        const client = yield* MarketoClient.make(chunkSize === undefined ? {} : { chunkSize }).pipe(
          Effect.provideService(MarketoTransport, transport)
        )
        yield* client.syncMObjects(Array.from({ length: 650 }, (_, i) => Opportunity.make({ id: i + 1 })), "UPDATE")
        expect(fake.calls.map((c) => (c.params as Wire.ParamsSyncMObjects).mObjectList.length)).toEqual(expected)
      }
    }))
})

describe("logs at Info", () => {
  const capture = () => {
    const lines: Array<{ readonly message: string; readonly level: string; readonly annotations: unknown }> = []
    const logger = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ annotations, logLevel, message }) => {
        lines.push({
          message: Array.isArray(message) ? message.join(" ") : String(message),
          level: logLevel.label,
          annotations: Object.fromEntries(HashMap.toEntries(annotations))
        })
      })
    )
    return { lines, logger }
  }

  it.effect("a retry says why and how long it waits; a spent quota says when it resets", () =>
    Effect.gen(function*() {
      const { lines, logger } = capture()
      const fake = Fake.make({
        script: (_op, _params, n) =>
          n === 0 ? Effect.fail(fault(20023)) : n === 2 ? Effect.fail(fault(20015)) : undefined
      })
      const client = yield* clientOf(fake)
      yield* onTestClock(client.listMObjects().pipe(Effect.provide(logger)))
      yield* Effect.exit(client.listMObjects().pipe(Effect.provide(logger)))
      const info = lines.filter((l) => l.level === "INFO")
      expect(info[0]).toMatchObject({
        message: "listMObjects retried",
        annotations: { "mktows.reason": "20023", "mktows.attempt": 1 }
      })
      expect((info[0]!.annotations as Record<string, number>)["mktows.waitMillis"]).toBeGreaterThan(0)
      expect(info[1]).toMatchObject({ annotations: { "mktows.reason": "quota" } })
      expect(info[1]!.message).toContain("quota")
    }))

  it.effect("a call held back by the rate limit says so, with the wait", () =>
    Effect.gen(function*() {
      const { lines, logger } = capture()
      const fake = Fake.make()
      const client = yield* clientOf(fake, { rateLimit: { calls: 1, window: "10 seconds" } })
      yield* onTestClock(
        Effect.all([client.listMObjects(), client.listMObjects()]).pipe(Effect.provide(logger)),
        Duration.minutes(1),
        Duration.seconds(1)
      )
      expect(fake.calls.length).toBe(2)
      const waits = lines.filter((l) => l.level === "INFO" && l.message.includes("rate limit"))
      expect(waits.length).toBe(1)
      expect(waits[0]!.annotations).toMatchObject({ "mktows.reason": "rateLimit", "mktows.waitMillis": 10_000 })
    }))
})

describe("a transport with a model path (MarketoTransport.models)", () => {
  /** A model path that answers `status` per object and records every call it is handed. */
  const viaModels = (
    status: (
      object: MObject | MarketoClient.DeleteRef,
      n: number
    ) => Effect.Effect<Wire.MObjStatus, TransportCallError>,
    refuse?: ModelPath["refuse"]
  ) => {
    const calls: Array<ModelCall> = []
    const transport: MarketoTransportShape = {
      // Syncs and deletes never come here: only the model path sends them.
      call: (operation) => Effect.die(`call(${operation}) on a transport with a model path`),
      maxObjectsPerCall: 3,
      models: {
        send: (call) => {
          calls.push(call)
          return Effect.forEach(call.objects, (object, i) => status(object, i))
        },
        ...(refuse === undefined ? {} : { refuse })
      }
    }
    return { calls, layer: Layer.succeed(MarketoTransport, transport) }
  }
  const keyOf = (object: MObject | MarketoClient.DeleteRef) =>
    "externalKey" in object && object.externalKey !== undefined ? { externalKey: object.externalKey } : {}

  it.effect.prop(
    "the same outcomes as the wire path, for any statuses and chunk size; the caller's objects are sent as they are",
    [
      FastCheck.array(statusArb, { minLength: 1, maxLength: 20 }),
      FastCheck.integer({ min: 1, max: 3 }),
      FastCheck.constantFrom<Wire.SyncOperation>("INSERT", "UPDATE", "UPSERT")
    ],
    ([statuses, chunkSize, operation]) =>
      Effect.gen(function*() {
        const inputs = keyedOpportunities(statuses.length)
        const statusOf = (key: Wire.Attrib | undefined): Wire.MObjStatus => ({
          id: 0,
          ...(key === undefined ? {} : { externalKey: key }),
          status: statuses[Number(key?.value)]!
        })
        const wire = Fake.make({ status: (object) => statuses[indexOf(object)]! })
        const fromWire = yield* MarketoClient.make({ chunkSize }).pipe(
          Effect.provide(Layer.succeed(MarketoTransport, {
            ...wire.transport,
            maxObjectsPerCall: 3,
            call: (op, params) =>
              op === "syncMObjects"
                ? Effect.succeed(
                  {
                    mObjStatusList: (params as Wire.ParamsSyncMObjects).mObjectList.map((o) => statusOf(o.externalKey))
                  } as Wire.ResultOf<typeof op>
                )
                : wire.transport.call(op, params)
          }))
        )
        const models = viaModels((object) => Effect.succeed(statusOf(keyOf(object).externalKey)))
        const fromModels = yield* MarketoClient.make({ chunkSize }).pipe(Effect.provide(models.layer))
        const expected = yield* fromWire.syncMObjects(inputs, operation, { failOnPartial: false })
        const outcomes = yield* fromModels.syncMObjects(inputs, operation, { failOnPartial: false })
        expect(outcomes).toEqual(expected)
        expect(models.calls.flatMap((c): ReadonlyArray<unknown> => c.objects)).toEqual(inputs)
        models.calls.forEach((call, n) => {
          expect(call).toMatchObject({ operation: "syncMObjects", sync: operation })
          // The very objects of the input, in chunks of the size asked for.
          call.objects.forEach((object, i) => expect(object).toBe(inputs[n * chunkSize + i]))
        })
      })
  )

  it.effect("a status that names another object than the one sent makes its chunk IN_DOUBT", () =>
    Effect.gen(function*() {
      const models = viaModels((_, i) =>
        Effect.succeed({
          id: 0,
          externalKey: { name: "externalOpportunityId", value: i === 1 ? "someone else" : String(i) },
          status: "UPDATED"
        })
      )
      const client = yield* MarketoClient.make().pipe(Effect.provide(models.layer))
      const outcomes = yield* client.syncMObjects(keyedOpportunities(2), "UPDATE", { failOnPartial: false })
      expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT", "IN_DOUBT"])
    }))

  it.effect("deletes go through it as the caller's references", () =>
    Effect.gen(function*() {
      const models = viaModels((object) =>
        Effect.succeed({ id: "id" in object ? object.id : 0, ...keyOf(object), status: "DELETED" })
      )
      const client = yield* MarketoClient.make().pipe(Effect.provide(models.layer))
      const refs: ReadonlyArray<MarketoClient.DeleteRef> = [
        { type: "Opportunity", id: 7 },
        { type: "OpportunityPersonRole", externalKey: { name: "marketoGUID", value: "g" } }
      ]
      const outcomes = yield* client.deleteMObjects(refs)
      expect(outcomes.map((o) => o.status)).toEqual(["DELETED", "DELETED"])
      expect(models.calls).toEqual([{ operation: "deleteMObjects", objects: refs }])
      expect(models.calls[0]!.objects[0]).toBe(refs[0])
    }))

  it.effect("its refusals are asked of the models and indexed in the whole input; nothing is sent", () =>
    Effect.gen(function*() {
      const asked: Array<ModelCall> = []
      const models = viaModels(
        () => Effect.die("sent"),
        (call) => {
          asked.push(call)
          return call.objects.length > 1 ? [{ index: 1, path: ["externalKey"], message: "not over here" }] : []
        }
      )
      const client = yield* MarketoClient.make().pipe(Effect.provide(models.layer))
      const inputs = keyedOpportunities(4)
      const error = yield* Effect.flip(client.syncMObjects(inputs, "INSERT"))
      expect(error).toMatchObject({ _tag: "ValidationError", issues: [{ index: 1, path: ["externalKey"] }] })
      expect(asked).toEqual([{ operation: "syncMObjects", sync: "INSERT", objects: inputs }])
      // A stream asks per chunk, and names the index in the whole stream.
      const streamed = yield* Effect.flip(Stream.runCollect(client.syncStream("UPSERT")(Stream.fromIterable(inputs))))
      expect(streamed).toMatchObject({ _tag: "ValidationError", issues: [{ index: 1 }] })
      expect(models.calls).toEqual([])
    }))

  /** Objects synced through a model path that fails every attempt with a 502 (may have been applied). */
  const afterAmbiguous = (objects: ReadonlyArray<MObject>, operation: "UPSERT" | "UPDATE") =>
    Effect.gen(function*() {
      const ambiguous = new TransportError({
        reason: "Status",
        operation: "syncMObjects",
        status: 502,
        ambiguous: true
      })
      const models = viaModels(() => Effect.fail(ambiguous))
      const client = yield* MarketoClient.make({ retry: { maxAttempts: 3 } }).pipe(Effect.provide(models.layer))
      const exit = yield* onTestClock(client.syncMObjects(objects, operation, { failOnPartial: false }))
      return { exit, sent: models.calls.length, same: models.calls.every((c) => c === models.calls[0]) }
    })

  it.effect("an ambiguous failure is retried only where a repeat is harmless, by the ids of the models", () =>
    Effect.gen(function*() {
      const withIds = yield* afterAmbiguous([Opportunity.make({ id: 1 }), Opportunity.make({ id: 2 })], "UPSERT")
      expect(withIds.sent).toBe(3)
      // Every attempt of one call is handed the same ModelCall (a transport remembers by it).
      expect(withIds.same).toBe(true)
      const withoutIds = yield* afterAmbiguous(keyedOpportunities(2), "UPSERT")
      expect(withoutIds.sent).toBe(1)
      expect(Exit.isSuccess(withoutIds.exit) && withoutIds.exit.value.map((o) => o.status)).toEqual([
        "IN_DOUBT",
        "IN_DOUBT"
      ])
    }))

  it.effect("over the model path too, a Program cost without an id is not sent twice after an ambiguous failure", () =>
    Effect.gen(function*() {
      // With an opportunity keyed by id beside it: the program alone decides.
      const objects = (costId: number | undefined) => [
        Opportunity.make({ id: 7 }),
        Program.make({
          id: 1970,
          costs: [{ ...(costId === undefined ? {} : { id: costId }), month: "2026-06", amount: 500 }]
        })
      ]
      const appended = yield* afterAmbiguous(objects(undefined), "UPDATE")
      expect(appended.sent).toBe(1)
      expect(Exit.isSuccess(appended.exit) && appended.exit.value.map((o) => o.status)).toEqual([
        "IN_DOUBT",
        "IN_DOUBT"
      ])
      const matched = yield* afterAmbiguous(objects(153), "UPDATE")
      expect(matched.sent).toBe(3)
    }))

  it.effect("what a failed call was answered, asked by its ModelCall, keeps its status", () =>
    Effect.gen(function*() {
      const answered = new WeakMap<object, ReadonlyArray<Wire.MObjStatus | undefined>>()
      const transport: MarketoTransportShape = {
        call: (operation) => Effect.die(`call(${operation})`),
        models: {
          send: (call) => {
            answered.set(call, call.objects.map((_, i) => i === 0 ? { id: 0, status: "CREATED" } : undefined))
            return Effect.fail(fault(20023))
          },
          answered: (call) => answered.get(call)
        }
      }
      const client = yield* MarketoClient.make({ retry: { maxAttempts: 1 } }).pipe(
        Effect.provide(Layer.succeed(MarketoTransport, transport))
      )
      const outcomes = yield* client.syncMObjects(keyedOpportunities(2), "INSERT", { failOnPartial: false })
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED", "FAILED"])
    }))
})
