/**
 * End to end, when things go wrong: partial failures, authentication, the daily quota,
 * expired signatures (and the re-signing that cures them), and a server that is not there.
 * The emulator's stats tell how many calls really reached it.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MObject from "@mktows/core/MObject"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Emulator from "@mktows/emulator/Emulator"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { clientLayer, fastRetry, opportunity, withE2E } from "./helpers/e2e.js"

const totalCalls = (stats: Emulator.Stats) => Object.values(stats.calls).reduce((a, b) => a + b, 0)

/**
 * A clock `skew()` ms ahead of the real one when read in milliseconds (as signatures are
 * checked); nanoseconds (span timings) and sleeps are the real clock's.
 */
const skewedClock = (skew: () => number): Clock.Clock => {
  const base = Clock.make()
  const millis = () => base.unsafeCurrentTimeMillis() + skew()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos(),
    currentTimeNanos: base.currentTimeNanos,
    sleep: (duration) => base.sleep(duration)
  }
}

const hour = 3_600_000

const headerOf = (body: string) => ({
  timestamp: /<requestTimestamp>([^<]*)<\/requestTimestamp>/.exec(body)?.[1],
  signature: /<requestSignature>([^<]*)<\/requestSignature>/.exec(body)?.[1]
})

const role = (opportunityId: number, personId: number, name: string) =>
  OpportunityPersonRole.make({ opportunityId, personId, role: name })

describe("e2e: partial failures", () => {
  const batch: ReadonlyArray<MObject.MObject> = [
    role(64, 19, "good"),
    role(999_999, 19, "no such opportunity"),
    opportunity(1),
    role(64, 999, "no such lead"),
    role(65, 20, "good too")
  ]

  it.live("a batch with bad objects fails with PartialFailure carrying every outcome in input order", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(MarketoClient.syncMObjects(batch, "INSERT"))
        expect(error._tag).toBe("PartialFailure")
        if (error._tag !== "PartialFailure") return
        expect(error.outcomes.map((o) => [o.index, o.status])).toEqual([
          [0, "CREATED"],
          [1, "FAILED"],
          [2, "CREATED"],
          [3, "FAILED"],
          [4, "CREATED"]
        ])
        error.outcomes.forEach((o, i) => expect(o.input).toBe(batch[i]))
        expect(error.outcomes[1]?.error).toMatch(/Opportunity/)
        expect(error.outcomes[3]?.error).toMatch(/Lead/)
        expect(error.problems.map((o) => o.index)).toEqual([1, 3])
        // The good ones were applied, in calls of two.
        const stats = yield* emulator.stats
        expect(stats.calls.syncMObjects).toBe(3)
        expect(stats.stored).toMatchObject({ Opportunity: 3, OpportunityPersonRole: 3 })
        const created = error.outcomes.filter((o) => o.status === "CREATED")
        for (const outcome of created) {
          const found = yield* Stream.runCollect(
            MarketoClient.getMObjects({ type: outcome.input._tag, id: outcome.id! })
          )
          expect(Chunk.size(found)).toBe(1)
        }
      }), { client: { chunkSize: 2 } }))

  it.live("with failOnPartial: false the same outcomes are returned", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const outcomes = yield* MarketoClient.syncMObjects(batch, "INSERT", { failOnPartial: false })
        expect(outcomes.map((o) => o.status)).toEqual(["CREATED", "FAILED", "CREATED", "FAILED", "CREATED"])
        expect(outcomes.map((o) => o.id === undefined)).toEqual([false, true, false, true, false])
        expect((yield* emulator.stats).objects).toEqual({
          OpportunityPersonRole: { CREATED: 2, FAILED: 2 },
          Opportunity: { CREATED: 1 }
        })
      })
    ))

  it.live("a delete of a type Marketo cannot delete never leaves the client", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const refs = [{ type: "Opportunity", id: 65 }, { type: "Program", id: 1970 }] as const
        const error = yield* Effect.flip(
          MarketoClient.deleteMObjects(refs as ReadonlyArray<MarketoClient.DeleteRef>)
        )
        expect(error).toMatchObject({ _tag: "ValidationError", issues: [{ index: 1, path: ["type"] }] })
        expect((yield* emulator.stats).calls).toEqual({})
      })
    ))
})

describe("e2e: faults", () => {
  it.live("a wrong key is AuthFault 20014, sent exactly once, and the key appears nowhere in it", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(MarketoClient.syncMObjects([opportunity(1)], "UPSERT"))
        expect(error).toMatchObject({ _tag: "AuthFault", code: 20014 })
        expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/wrong-key|27272727aa/)
        const stats = yield* emulator.stats
        expect(totalCalls(stats)).toBe(1)
        expect(stats.faults).toEqual({ "20014": 1 })
        expect(stats.stored.Opportunity).toBe(2)
      }), { key: Redacted.make("wrong-key"), client: { retry: fastRetry } }))

  it.live("a spent daily quota is QuotaExceeded with resetsAt in the future, not retried", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        yield* MarketoClient.listMObjects()
        yield* MarketoClient.describeMObject("Opportunity")
        const error = yield* Effect.flip(MarketoClient.syncMObjects([opportunity(1)], "INSERT"))
        expect(error._tag).toBe("QuotaExceeded")
        if (error._tag !== "QuotaExceeded") return
        const now = Date.now()
        expect(error.resetsAt.getTime()).toBeGreaterThan(now)
        expect(error.resetsAt.getTime()).toBeLessThanOrEqual(now + 25 * hour)
        const stats = yield* emulator.stats
        expect(stats.calls).toEqual({ listMObjects: 1, describeMObject: 1, syncMObjects: 1 })
        expect(stats.faults).toEqual({ "20015": 1 })
        expect(stats.stored.Opportunity).toBe(2)
      }), { emulator: { enforceLimits: true, dailyQuota: 2 }, client: { retry: fastRetry } }))

  it.live("an expired signature (20016) is signed afresh once, then reported as AuthFault 20016", () =>
    Effect.gen(function*() {
      const record = yield* Ref.make<ReadonlyArray<string>>([])
      yield* withE2E((emulator) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(MarketoClient.listMObjects())
          expect(error).toMatchObject({ _tag: "AuthFault", code: 20016 })
          const stats = yield* emulator.stats
          expect(stats.calls).toEqual({ listMObjects: 2 })
          expect(stats.faults).toEqual({ "20016": 2 })
        }), {
        // The emulator's clock runs an hour ahead: every timestamp is outside its 15-minute window.
        emulatorClock: skewedClock(() => hour),
        record,
        client: { retry: fastRetry }
      })
      const headers = (yield* Ref.get(record)).map(headerOf)
      expect(headers.length).toBe(2)
      expect(headers[1]?.timestamp).not.toBe(headers[0]?.timestamp)
      expect(headers[1]?.signature).not.toBe(headers[0]?.signature)
    }))

  it.live("a request that expired on the way is re-signed and goes through", () =>
    Effect.gen(function*() {
      const record = yield* Ref.make<ReadonlyArray<string>>([])
      // Armed once the emulator is up: its first reading of the time after that is an hour ahead.
      let armed = false
      yield* withE2E((emulator) =>
        Effect.gen(function*() {
          armed = true
          const outcomes = yield* MarketoClient.syncMObjects([opportunity(1)], "INSERT")
          expect(outcomes.map((o) => o.status)).toEqual(["CREATED"])
          const stats = yield* emulator.stats
          expect(stats.calls).toEqual({ syncMObjects: 2 })
          expect(stats.faults).toEqual({ "20016": 1 })
          expect(stats.stored.Opportunity).toBe(3)
        }), {
        emulatorClock: skewedClock(() => {
          if (!armed) return 0
          armed = false
          return hour
        }),
        record,
        client: { retry: fastRetry }
      })
      const headers = (yield* Ref.get(record)).map(headerOf)
      expect(headers.length).toBe(2)
      expect(headers[1]?.timestamp).not.toBe(headers[0]?.timestamp)
      expect(headers[1]?.signature).not.toBe(headers[0]?.signature)
    }))

  it.live("no server: an INSERT fails with a TransportError that says the request was never sent", () =>
    Effect.gen(function*() {
      // A port that was just free: the emulator that had it is gone.
      const url = yield* Effect.scoped(Effect.map(Effect.orDie(Emulator.make()), (emulator) => emulator.url))
      const error = yield* Effect.flip(
        Effect.provide(
          MarketoClient.syncMObjects([opportunity(1)], "INSERT"),
          clientLayer(url, { client: { retry: { ...fastRetry, maxAttempts: 2 } } })
        )
      )
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Connection", ambiguous: false })
    }))
})
