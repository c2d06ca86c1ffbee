/**
 * Parity, as a law: a random sequence of operations run through MarketoClient over SOAP
 * against one fresh emulator, and over REST against another, gives the same outcomes and
 * leaves the same store, except for the differences the README's table names:
 *
 * - SOAP's UNCHANGED is REST's "updated" (REST does not tell them apart);
 * - a Program UPDATE's UNCHANGED and UPDATED are one status here too: REST adds only the costs a
 *   program lacks, where SOAP adds every cost without an id again;
 * - roles are left out: SOAP keys a role on its id, REST on (opportunity, lead, role).
 *
 * Objects are named by `externalOpportunityId` (what both APIs understand); a SOAP delete
 * looks the id up first, a REST delete names the key.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import type { Outcome } from "@mktows/core/Outcome"
import * as Program from "@mktows/core/Program"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import * as Emulator from "../src/Emulator.js"
import { restClient, soapClient } from "./helpers/clients.js"

const keys = ["P0", "P1", "P2"] as const
const ext = (value: string) => ({ name: "externalOpportunityId", value })

type Step =
  | {
    readonly _tag: "Sync"
    readonly operation: "INSERT" | "UPDATE" | "UPSERT"
    readonly objects: ReadonlyArray<{ readonly key: string; readonly fields: Record<string, unknown> }>
  }
  | { readonly _tag: "Delete"; readonly key: string }
  | {
    readonly _tag: "Program"
    readonly costs: ReadonlyArray<{ readonly month: string; readonly amount: number }>
    readonly tag?: string | undefined
  }

const fields = fc.record({
  name: fc.constantFrom("Chairs", "Tables", "Desks"),
  stage: fc.constantFrom("Open", "Won", "Lost"),
  amount: fc.integer({ min: 0, max: 100_000 }).map((cents) => cents / 100),
  isWon: fc.boolean(),
  probability: fc.integer({ min: 0, max: 100 })
}, { requiredKeys: ["name"] })

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    _tag: fc.constant("Sync" as const),
    operation: fc.constantFrom("INSERT" as const, "UPDATE" as const, "UPSERT" as const),
    objects: fc.array(fc.record({ key: fc.constantFrom(...keys), fields }), { minLength: 1, maxLength: 3 })
  }),
  fc.record({ _tag: fc.constant("Delete" as const), key: fc.constantFrom(...keys) }),
  fc.record({
    _tag: fc.constant("Program" as const),
    costs: fc.array(
      fc.record({ month: fc.constantFrom("2014-01", "2014-02"), amount: fc.integer({ min: 1, max: 5000 }) }),
      { maxLength: 2 }
    ),
    tag: fc.option(fc.constantFrom("EMEA", "APAC"), { nil: undefined })
  }, { requiredKeys: ["_tag", "costs"] })
)

// A sync's UNCHANGED is REST's "updated"; a delete's UNCHANGED (nothing there) is the same in both.
const statuses = (outcomes: ReadonlyArray<Outcome<unknown>>, sync = true) =>
  outcomes.map((o) => sync && o.status === "UNCHANGED" ? "UPDATED" : o.status)

/** One step through the client in context; `soap` says how a delete names its object. */
const run = (s: Step, soap: boolean) =>
  Effect.gen(function*() {
    switch (s._tag) {
      case "Sync":
        return statuses(
          yield* MarketoClient.syncMObjects(
            s.objects.map((o) => Opportunity.make({ externalKey: ext(o.key), ...o.fields })),
            s.operation,
            { failOnPartial: false }
          )
        )
      case "Delete": {
        if (!soap) {
          return statuses(
            yield* MarketoClient.deleteMObjects([{ type: "Opportunity", externalKey: ext(s.key) }], {
              failOnPartial: false
            }),
            false
          )
        }
        const found = Chunk.toReadonlyArray(
          yield* Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext(s.key) }))
        )
        const id = found[0]?.id
        // REST answers a delete of nothing as not found: UNCHANGED, as SOAP does for an unknown id.
        return id === undefined
          ? ["UNCHANGED"]
          : statuses(
            yield* MarketoClient.deleteMObjects([{ type: "Opportunity", id }], { failOnPartial: false }),
            false
          )
      }
      case "Program":
        return statuses(
          yield* MarketoClient.syncMObjects(
            [
              Program.make({
                id: 1970,
                costs: s.costs,
                tags: s.tag === undefined ? [] : [{ type: "Region", value: s.tag }]
              })
            ],
            "UPDATE",
            { failOnPartial: false }
          )
        )
    }
  })

/** The store as SOAP reads it, without what each emulator assigns (ids, timestamps). */
const store = Effect.gen(function*() {
  const opportunities = yield* Effect.forEach(keys, (key) =>
    Effect.map(
      Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext(key) })),
      (found) =>
        Chunk.toReadonlyArray(found).map((o) => {
          const { createdAt: _c, id: _i, updatedAt: _u, ...rest } = o as Opportunity.Opportunity
          return rest
        })
    ))
  const programs = Chunk.toReadonlyArray(
    yield* Stream.runCollect(MarketoClient.getMObjects({ type: "Program", id: 1970, includeDetails: true }))
  ).map((p) =>
    p._tag === "Program"
      ? {
        costs: p.costs.map((c) => [c.month, c.amount, c.note ?? ""]),
        tags: p.tags.map((t) => `${t.type}=${t.value}`).sort()
      }
      : {}
  )
  return { opportunities, programs }
})

const runs = Number(process.env["MKTOWS_PARITY_RUNS"] ?? 6)

describe("parity of SOAP and REST", () => {
  it("random operation sequences give the same outcomes and the same store", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 6 }),
        (steps) =>
          Effect.runPromise(Effect.scoped(Effect.gen(function*() {
            const viaSoap = yield* Emulator.make()
            const viaRest = yield* Emulator.make()
            const soapOutcomes = yield* Effect.provide(Effect.forEach(steps, (s) => run(s, true)), soapClient(viaSoap))
            const restOutcomes = yield* Effect.provide(Effect.forEach(steps, (s) => run(s, false)), restClient(viaRest))
            expect(restOutcomes).toEqual(soapOutcomes)
            const soapStore = yield* Effect.provide(store, soapClient(viaSoap))
            const restStore = yield* Effect.provide(store, soapClient(viaRest))
            expect(restStore).toEqual(soapStore)
          })))
      ),
      { numRuns: runs, seed: 20260731 }
    )
  })
})
