/**
 * End to end, at volume (the slow project): a bulk job against an emulator that enforces
 * Marketo's limits (the client's own limiter must keep it inside them, so this test takes
 * 20-40 s of real time by design; it asserts no time, only that no limit was tripped), and jobs against an emulator that injects faults (20023, 20024, 20011
 * and connections dropped after the call was applied), where the laws are: no object is
 * lost, an UPSERT by id is never duplicated, an INSERT is never silently repeated, and every
 * retry is signed afresh.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import type { Outcome } from "@mktows/core/Outcome"
import * as Seed from "@mktows/emulator/Seed"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { type E2EOptions, fastRetry, opportunity, withE2E, written } from "./helpers/e2e.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const countBy = <A>(outcomes: ReadonlyArray<Outcome<A>>) => {
  const counts: Record<string, number> = {}
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1
  return counts
}

const readAll = Effect.map(
  collect(MarketoClient.getMObjects({ type: "Opportunity" })),
  (objects) => objects as ReadonlyArray<Opportunity.Opportunity>
)

/** Faults, but no limiter trouble of the client's own making: the emulator does not enforce limits here. */
const faulty = (randomSeed: number, seed?: Seed.SeedData): E2EOptions => ({
  randomSeed,
  emulator: { faultRate: 0.2, latency: "2 millis", ...(seed ? { seed } : {}) },
  client: { chunkSize: 20, retry: fastRetry, rateLimit: { calls: 100_000 } }
})

describe("e2e: limits", () => {
  it.live(
    "20,000 UPSERTs against enforced limits: every one CREATED, and not one 20023 or 20024",
    () =>
      withE2E((emulator) =>
        Effect.gen(function*() {
          const total = 20_000
          const tally = yield* Stream.range(0, total - 1).pipe(
            Stream.map((i) => Opportunity.make({ name: `Bulk ${i}`, amount: i, customFields: { Region: "APAC" } })),
            MarketoClient.syncStream("UPSERT"),
            Stream.runFold({ next: 0, created: 0, ids: new Set<number>() }, (acc, outcome) => {
              // Outcomes arrive in input order.
              expect(outcome.index).toBe(acc.next)
              if (outcome.id !== undefined) acc.ids.add(outcome.id)
              return { next: acc.next + 1, created: acc.created + (outcome.status === "CREATED" ? 1 : 0), ids: acc.ids }
            })
          )
          expect(tally.next).toBe(total)
          expect(tally.created).toBe(total)
          expect(tally.ids.size).toBe(total)
          const stats = yield* emulator.stats
          expect(stats.objects).toEqual({ Opportunity: { CREATED: total } })
          expect(stats.stored.Opportunity).toBe(total + 2)
          // The law: the client's limiter keeps the job inside Marketo's limits (it counts each
          // call in its window from when the call ends, the latest the server can have received
          // it), so the server never refuses a call and none is repeated.
          expect(stats.faults["20024"] ?? 0).toBe(0)
          expect(stats.faults["20023"] ?? 0).toBe(0)
          expect(stats.faults).toEqual({})
          expect(stats.calls.syncMObjects).toBe(total / 100)
        }), { emulator: { enforceLimits: true } }),
    120_000
  )
})

describe("e2e: injected faults", () => {
  it.live(
    "INSERT under faults: every object CREATED or IN_DOUBT, none lost, none sent twice",
    () =>
      withE2E((emulator) =>
        Effect.gen(function*() {
          const sent = Array.from({ length: 1_000 }, (_, i) => opportunity(i, "INS"))
          const outcomes = yield* MarketoClient.syncMObjects(sent, "INSERT", { failOnPartial: false })
          expect(outcomes.map((o) => o.index)).toEqual(sent.map((_, i) => i))
          outcomes.forEach((o, i) => expect(o.input).toBe(sent[i]))
          const counts = countBy(outcomes)
          expect(Object.keys(counts).sort()).toEqual(["CREATED", "IN_DOUBT"])
          const inDoubt = outcomes.filter((o) => o.status === "IN_DOUBT")
          expect(
            inDoubt.every((o) =>
              o.id === undefined && /not repeated because it could create duplicates/.test(o.error ?? "")
            )
          ).toBe(true)

          // What the emulator holds: each CREATED object once, under its id, as sent; each
          // IN_DOUBT object at most once (it holds one if the dropped call had been applied).
          const held = (yield* readAll).filter((o) => o.externalKey?.value.startsWith("INS-"))
          const byKey = new Map<string, Array<Opportunity.Opportunity>>()
          for (const o of held) byKey.set(o.externalKey!.value, [...(byKey.get(o.externalKey!.value) ?? []), o])
          for (const o of outcomes.filter((o) => o.status === "CREATED")) {
            const copies = byKey.get(`INS-${o.index}`) ?? []
            expect(copies.map((c) => c.id)).toEqual([o.id])
            expect(written(copies[0]!)).toEqual(written(sent[o.index]!))
          }
          const landed = inDoubt.filter((o) => byKey.has(`INS-${o.index}`))
          for (const o of landed) expect(byKey.get(`INS-${o.index}`)?.length).toBe(1)
          expect(held.length).toBe((counts.CREATED ?? 0) + landed.length)

          const stats = yield* emulator.stats
          expect(stats.stored.Opportunity).toBe(2 + held.length)
          expect(stats.objects.Opportunity).toEqual({ CREATED: held.length })
          // Faults were met and retried; every retry carried a valid, fresh signature.
          expect(stats.calls.syncMObjects).toBeGreaterThan(sent.length / 20)
          expect((stats.faults["20023"] ?? 0) + (stats.faults["20024"] ?? 0) + (stats.faults["20011"] ?? 0))
            .toBeGreaterThan(0)
          expect(stats.faults["20014"]).toBeUndefined()
          expect(stats.faults["20016"]).toBeUndefined()
          // With a 5% chance of a dropped answer per call, some INSERTs must have been left in doubt.
          expect(inDoubt.length).toBeGreaterThan(0)
        }), faulty(7)),
    60_000
  )

  it.live("UPSERT by id under faults: every object UPDATED, UNCHANGED or IN_DOUBT, and never duplicated", () => {
    const total = 1_000
    const seed: Seed.SeedData = {
      ...Seed.defaultSeed,
      opportunities: Array.from({ length: total }, (_, i) => ({
        id: 5_000 + i,
        fields: { Name: `Old ${i}`, Amount: "1" },
        companyId: 7
      })),
      opportunityPersonRoles: []
    }
    return withE2E((emulator) =>
      Effect.gen(function*() {
        const sent = Array.from({ length: total }, (_, i) =>
          new Opportunity.Opportunity({ ...opportunity(i, "UPS"), id: 5_000 + i }))
        const outcomes = yield* MarketoClient.syncMObjects(sent, "UPSERT", { failOnPartial: false })
        expect(outcomes.map((o) =>
          o.index
        )).toEqual(sent.map((_, i) => i))
        const counts = countBy(outcomes)
        expect(Object.keys(counts).every((s) => ["UPDATED", "UNCHANGED", "IN_DOUBT"].includes(s))).toBe(true)
        // A dropped answer to an UPSERT is retried; the retry finds the change already made.
        expect(counts.UNCHANGED ?? 0).toBeGreaterThan(0)
        for (const o of outcomes) if (o.status !== "IN_DOUBT") expect(o.id).toBe(5_000 + o.index)

        const held = yield* readAll
        expect(held.length).toBe(total)
        const byId = new Map(held.map((o) => [o.id, o]))
        for (const o of outcomes) {
          const back = byId.get(5_000 + o.index)
          expect(back).toBeDefined()
          if (o.status !== "IN_DOUBT") expect(written(back!)).toEqual(written(sent[o.index]!))
        }

        const stats = yield* emulator.stats
        expect(stats.stored.Opportunity).toBe(total)
        expect(stats.objects.Opportunity?.CREATED).toBeUndefined()
        expect(stats.faults["20014"]).toBeUndefined()
        expect(stats.faults["20016"]).toBeUndefined()
      }), faulty(11, seed))
  }, 60_000)
})
