/**
 * The test kit over REST: the REST transport in memory, as production runs it (its model path
 * and refusals, tokens from the emulator's identity endpoint), on the test's Clock, with
 * recorded calls and scripted steps that token requests do not take.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Testing from "../src/Testing.js"

const key = (value: string) => ({ name: "externalOpportunityId", value })

const errorOf = (call: Testing.RecordedCall | undefined) =>
  call?.exit._tag === "Failure" ? Option.getOrUndefined(Cause.failureOption(call.exit.cause)) : undefined

describe("Testing over REST", () => {
  it.effect("a sync goes over REST in memory, is recorded as its wire call, and reads back", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      const outcomes = yield* MarketoClient.syncMObjects(
        [Opportunity.make({ name: "Deal", amount: 10, externalKey: key("T-1") })],
        "UPSERT"
      )
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED"])
      const [call] = yield* kit.calls
      if (call?.operation !== "syncMObjects") return expect.fail("expected a syncMObjects call")
      expect(call.params.operation).toBe("UPSERT")
      expect(call.params.mObjectList[0]?.externalKey).toEqual(key("T-1"))
      expect(Exit.isSuccess(call.exit) && call.exit.value.mObjStatusList.map((s) => s.status)).toEqual(["CREATED"])
      // The emulator counts REST calls by endpoint: none went over SOAP.
      expect(Object.keys((yield* kit.stats).calls).every((name) => name.startsWith("REST "))).toBe(true)
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: key("T-1") })
      )
      expect(Chunk.toReadonlyArray(found).map((o) => o.amount)).toEqual([10])
    }).pipe(Effect.provide(Testing.layerRestClient())))

  it.effect("REST's refusals, naming the model's fields, before anything is sent", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      const error = yield* Effect.flip(MarketoClient.syncMObjects(
        [
          Opportunity.make({ name: "Deal", externalKey: { name: "externalId", value: "X" } }),
          OpportunityPersonRole.make({ opportunityId: 1, personId: 2, role: "r" })
        ],
        "UPSERT"
      ))
      expect(error._tag).toBe("ValidationError")
      const paths = error._tag === "ValidationError" ? error.issues.map((i) => [i.index, ...i.path].join(".")) : []
      expect(paths).toContain("0.externalKey.name")
      expect(paths).toContain("1.opportunityId")
      expect(yield* kit.calls).toEqual([])
    }).pipe(Effect.provide(Testing.layerRestClient())))

  it.effect("a scripted REST 606 is retried after the backoff; the token's request takes no step", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.fault(606, "Max rate limit exceeded"))
      const fiber = yield* Effect.fork(
        MarketoClient.syncMObjects([Opportunity.make({ name: "Deal", externalKey: key("T-2") })], "UPSERT")
      )
      const outcomes = yield* Testing.settle(fiber)
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED"])
      const calls = yield* kit.calls
      expect(calls.map((c) => c.exit._tag)).toEqual(["Failure", "Success"])
      // The sync's own request met it (a token request that took the step would fail the token).
      expect(errorOf(calls[0])?._tag).toBe("MarketoFault")
      expect(errorOf(calls[0])?.message).toMatch(/^Marketo fault 20023 in syncMObjects: REST 606: /)
    }).pipe(Effect.provide(Testing.layerRestClient())))

  it.effect("a REST INSERT whose answer was lost after it was applied is IN_DOUBT, not repeated", () =>
    Effect.gen(function*() {
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      const fiber = yield* Effect.fork(MarketoClient.syncMObjects(
        [Opportunity.make({ name: "Lost answer", externalKey: key("T-3") })],
        "INSERT",
        { failOnPartial: false }
      ))
      const outcomes = yield* Testing.settle(fiber)
      expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT"])
      expect(yield* kit.calls).toHaveLength(1)
      const stored = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: key("T-3") })
      )
      expect(Chunk.size(stored)).toBe(1)
    }).pipe(Effect.provide(Testing.layerRestClient())))
})
