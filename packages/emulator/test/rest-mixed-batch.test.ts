/**
 * The law of a REST write with good and refusable records mixed: `result[i].seq == i`, and
 * each record's status (and reason code) is what that record alone would get. A status read
 * by `seq` instead of position, or shifted past a refused record, breaks it at once. Over
 * real HTTP, on batches fast-check draws.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Emulator from "../src/Emulator.js"
import { type Answer, restOf } from "./helpers/rest.js"

type Endpoint = "opportunities" | "roles"

// Record makers by kind; `n` keeps every record's own key apart from the others'.
const kinds: Record<Endpoint, Record<string, (n: number) => Record<string, unknown>>> = {
  opportunities: {
    good: (n) => ({ externalOpportunityId: `G-${n}`, name: "good" }),
    missingKey: () => ({ name: "no key" }),
    existing: () => ({ externalOpportunityId: "E-1" }),
    unknownField: (n) => ({ externalOpportunityId: `U-${n}`, nope: 1 }),
    badValue: (n) => ({ externalOpportunityId: `B-${n}`, amount: "a lot" })
  },
  roles: {
    good: (n) => ({ externalOpportunityId: "E-1", leadId: 19, role: `R-${n}` }),
    incompleteKey: () => ({ externalOpportunityId: "E-1", leadId: 19 }),
    existing: () => ({ externalOpportunityId: "E-1", leadId: 19, role: "Buyer" }),
    unknownLead: (n) => ({ externalOpportunityId: "E-1", leadId: 999_999, role: `L-${n}` }),
    unknownOpportunity: (n) => ({ externalOpportunityId: "NOPE", leadId: 19, role: `O-${n}` })
  }
}

const path = (endpoint: Endpoint) =>
  endpoint === "opportunities" ? "/v1/opportunities.json" : "/v1/opportunities/roles.json"

const outcomeOf = (record: Record<string, unknown> | undefined) => ({
  status: record?.["status"],
  code: (record?.["reasons"] as ReadonlyArray<{ code: string }> | undefined)?.[0]?.code
})

describe("emulator REST: the mixed-batch law", () => {
  it.scoped("result[i].seq == i, and each status is what the record alone would get", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)
      // A fresh store with the records "existing" names.
      const fresh = Effect.gen(function*() {
        yield* emulator.reset
        yield* call("/v1/opportunities.json", { json: { input: [{ externalOpportunityId: "E-1", name: "E" }] } })
        yield* call("/v1/opportunities/roles.json", {
          json: { input: [{ externalOpportunityId: "E-1", leadId: 19, role: "Buyer" }] }
        })
      })
      const write = (endpoint: Endpoint, input: ReadonlyArray<Record<string, unknown>>) =>
        call(path(endpoint), { json: { action: "createOnly", input } })
      // What each kind gets alone, on a fresh store.
      const alone = new Map<string, ReturnType<typeof outcomeOf>>()
      for (const endpoint of ["opportunities", "roles"] as const) {
        for (const [kind, make] of Object.entries(kinds[endpoint])) {
          yield* fresh
          const answer: Answer = yield* write(endpoint, [make(0)])
          alone.set(`${endpoint}:${kind}`, outcomeOf(answer.body.result?.[0]))
        }
      }
      // The kinds are meant to differ: a refused record and a created one are both drawn.
      expect(new Set([...alone.values()].map((o) => o.status))).toEqual(new Set(["created", "skipped"]))

      const batch = FastCheck.constantFrom<Endpoint>("opportunities", "roles").chain((endpoint) =>
        FastCheck.tuple(
          FastCheck.constant(endpoint),
          FastCheck.array(FastCheck.constantFrom(...Object.keys(kinds[endpoint])), { minLength: 1, maxLength: 12 })
        )
      )
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(batch, ([endpoint, picked]) =>
            run(Effect.gen(function*() {
              yield* fresh
              const input = picked.map((kind, n) => kinds[endpoint][kind]!(n + 1))
              const answer = yield* write(endpoint, input)
              const result = answer.body.result ?? []
              expect(result.map((r) => r["seq"])).toEqual(picked.map((_, i) => i))
              expect(result.map(outcomeOf)).toEqual(picked.map((kind) => alone.get(`${endpoint}:${kind}`)))
              // A record answered created is there, by the GUID it was answered with.
              for (const r of result.filter((r) => r["status"] === "created")) {
                const found = yield* call(`${path(endpoint)}?filterType=marketoGUID&filterValues=${r["marketoGUID"]}`)
                expect(found.body.result?.length).toBe(1)
              }
            }))),
          { numRuns: 30 }
        )
      )
    }))
})
