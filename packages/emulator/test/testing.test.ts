/**
 * The test kit: the emulator's semantics in memory, on the test's Clock, with recorded calls
 * and scripted faults, delays and lost connections.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Program from "@mktows/core/Program"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Testing from "../src/Testing.js"

const settle = Testing.settle

// The tag of a recorded call's error, or "Success".
const outcomeOf = (call: Testing.RecordedCall | undefined): string | undefined => {
  if (call === undefined) return undefined
  const exit = call.exit
  if (exit._tag === "Success") return "Success"
  return Option.getOrUndefined(Option.map(Cause.failureOption(exit.cause), (error) => error._tag))
}

describe("Testing", () => {
  it.effect("a call reaches the emulator in memory, signed on the TestClock, and is recorded", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      const outcomes = yield* MarketoClient.syncMObjects(
        [Program.make({ id: 1970, costs: [{ id: 153, month: "2013-06", amount: 2000 }] })],
        "UPDATE"
      )
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED"])
      const calls = yield* kit.calls
      expect(calls).toHaveLength(1)
      const [call] = calls
      // Narrowing on the operation types the parameters: no casts.
      if (call?.operation !== "syncMObjects") return expect.fail("expected a syncMObjects call")
      expect(call.params.operation).toBe("UPDATE")
      expect(call.params.mObjectList[0]?.id).toBe(1970)
      expect(Exit.isSuccess(call.exit)).toBe(true)
      expect((yield* kit.stats).calls).toEqual({ syncMObjects: 1 })
      expect(kit.url).toMatch(/\/soap\/mktows\/2_2$/)
    }).pipe(Effect.provide(Testing.layerClient())))

  it.effect("a scripted 20023 is retried after the client's backoff, on the TestClock", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.fault(20023))
      const fiber = yield* Effect.fork(MarketoClient.listMObjects())
      expect(yield* settle(fiber)).toContain("Opportunity")
      const calls = yield* kit.calls
      expect(calls.map(outcomeOf)).toEqual(["MarketoFault", "Success"])
      const first = calls[0]?.exit
      const error = first?._tag === "Failure" ? Option.getOrUndefined(Cause.failureOption(first.cause)) : undefined
      expect(error?._tag === "MarketoFault" ? error.code : undefined).toBe(20023)
      // The fault was scripted in front of the emulator, which saw only the retry.
      expect((yield* kit.stats).calls).toEqual({ listMObjects: 1 })
    }).pipe(Effect.provide(Testing.layerClient())))

  it.effect("a non-retryable scripted fault reaches the caller as a typed error", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.fault(20014, "Authentication failed"))
      const error = yield* Effect.flip(MarketoClient.listMObjects())
      expect(error._tag).toBe("AuthFault")
      expect(yield* kit.calls).toHaveLength(1)
    }).pipe(Effect.provide(Testing.layerClient())))

  it.effect("a delay holds the call until the TestClock has moved past it", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.delay("30 seconds"))
      const fiber = yield* Effect.fork(MarketoClient.listMObjects())
      // The clock moves once the call sleeps on its delay (signing before it is real async work).
      const now = yield* Clock.currentTimeMillis
      yield* TestClock.sleeps().pipe(
        Effect.map(Chunk.some((at) => at === now + 30_000)),
        Effect.tap((sleeping) => sleeping ? Effect.void : Effect.promise(() => new Promise((r) => setImmediate(r)))),
        Effect.repeat({ until: (sleeping) => sleeping, times: 100_000 })
      )
      yield* TestClock.adjust("29 seconds")
      expect(Option.isNone(yield* fiber.poll)).toBe(true)
      expect((yield* kit.stats).calls).toEqual({})
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toContain("Opportunity")
    }).pipe(Effect.provide(Testing.layerClient())))

  it.effect("an INSERT whose answer was lost after it was applied is IN_DOUBT, not repeated", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      const before = (yield* kit.stats).stored["Opportunity"] ?? 0
      yield* kit.script(Testing.drop({ applied: true }))
      const fiber = yield* Effect.fork(
        MarketoClient.syncMObjects([Opportunity.make({ name: "Lost answer" })], "INSERT", { failOnPartial: false })
      )
      const outcomes = yield* settle(fiber)
      expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT"])
      expect(yield* kit.calls).toHaveLength(1)
      expect((yield* kit.stats).stored["Opportunity"]).toBe(before + 1)
    }).pipe(Effect.provide(Testing.layerClient())))

  it.effect("a refused connection certainly did not send: the INSERT is retried and created once", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      const before = (yield* kit.stats).stored["Opportunity"] ?? 0
      yield* kit.script(Testing.refuse)
      const fiber = yield* Effect.fork(
        MarketoClient.syncMObjects([Opportunity.make({ name: "Second try" })], "INSERT")
      )
      const outcomes = yield* settle(fiber)
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED"])
      const calls = yield* kit.calls
      expect(calls.map(outcomeOf)).toEqual(["TransportError", "Success"])
      expect((yield* kit.stats).stored["Opportunity"]).toBe(before + 1)
    }).pipe(Effect.provide(Testing.layerClient())))

  it.effect("reset brings back the seed and clears the script and the record", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      yield* MarketoClient.deleteMObjects([{ type: "Opportunity", id: 64 }])
      yield* kit.script(Testing.fault(20014))
      yield* kit.reset
      expect(yield* kit.calls).toEqual([])
      const deleted = yield* MarketoClient.deleteMObjects([{ type: "Opportunity", id: 64 }])
      expect(deleted.map((o) => o.status)).toEqual(["DELETED"])
    }).pipe(Effect.provide(Testing.layerClient())))

  // The recipe of the package README and the root README, as written there.
  it.effect("a throttled call is retried after the backoff", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.fault(20023)) // the next call meets "rate limit exceeded"
      const fiber = yield* Effect.fork(MarketoClient.listMObjects())
      // the client's backoff sleeps on the TestClock: settle moves it until the call is done
      expect(yield* Testing.settle(fiber)).toContain("Opportunity")
      expect((yield* kit.calls).map((call) => call.exit._tag)).toEqual(["Failure", "Success"])
    }).pipe(Effect.provide(Testing.layerClient())))

  // The second recipe of the root README, as written there.
  it.effect("a lost answer to an INSERT is IN_DOUBT, never repeated", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      const outcomes = yield* MarketoClient.syncMObjects([Opportunity.make({ name: "Deal" })], "INSERT", {
        failOnPartial: false
      })
      expect(outcomes[0]?.status).toBe("IN_DOUBT")
      expect(yield* kit.calls).toHaveLength(1)
    }).pipe(Effect.provide(Testing.layerClient())))
})

describe("the store's ids", () => {
  it.effect("an INSERT past the largest xs:int id is FAILED, never given an id no client of the WSDL can read", () =>
    Effect.gen(function*() {
      const [over] = yield* MarketoClient.syncMObjects(
        [Opportunity.make({ name: "over", externalKey: { name: "externalId", value: "OVER-1" } })],
        "INSERT",
        { failOnPartial: false }
      )
      expect(over?.status).toBe("FAILED")
      expect(over?.error).toContain("xs:int")
      const read = yield* MarketoClient.getMObjects({ type: "Opportunity" }).pipe(
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
      expect(read.map((o) => o.id)).toEqual([2_147_483_647])
    }).pipe(Effect.provide(Testing.layerClient({ seed: { opportunities: [{ id: 2_147_483_647 }] } }))))
})
