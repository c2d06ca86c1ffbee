/**
 * The emulator as a test server for any language, over real HTTP: a fixture loaded without a
 * restart, scripted faults, delays and dropped answers for the next calls of either protocol,
 * and the calls received, with no signature or token in them.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Emulator from "../src/Emulator.js"
import type * as Seed from "../src/Seed.js"
import { soapClient } from "./helpers/clients.js"
import { codeOf, restOf } from "./helpers/rest.js"

const originOf = (emulator: Emulator.EmulatorShape) => new URL(emulator.url).origin

const post = (url: string, body: unknown) =>
  Effect.promise(() =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))
  )

const getJson = <A>(url: string) => Effect.promise(() => fetch(url).then((r) => r.json() as Promise<A>))

const fixture: Seed.SeedData = {
  leads: [{ id: 5, email: "a@example.com" }],
  opportunities: [{ id: 9, externalKey: { name: "externalOpportunityId", value: "FIX-9" } }]
}

describe("emulator: the test endpoints", () => {
  it.scoped("POST /emulator/seed loads a fixture until the next reset; a bad one is 400 naming the place", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const origin = originOf(emulator)
      const seeded = yield* post(`${origin}/emulator/seed`, fixture)
      expect(seeded.status).toBe(200)
      expect((yield* emulator.stats).stored).toMatchObject({ Opportunity: 1, Lead: 1, Program: 0 })
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const found = yield* call("/v1/opportunities.json?filterType=externalOpportunityId&filterValues=FIX-9")
      expect(found.body.result?.length).toBe(1)
      const bad = yield* post(`${origin}/emulator/seed`, {
        opportunityPersonRoles: [{ id: 1, opportunityId: 99, personId: 5 }]
      })
      expect(bad.status).toBe(400)
      expect(String(bad.body["error"])).toContain("opportunityId")
      const control = yield* post(`${origin}/emulator/seed`, { leads: [{ id: 1, email: "a\u0001@example.com" }] })
      expect([control.status, String(control.body["error"])]).toEqual([400, expect.stringContaining("XML 1.0")])
      yield* emulator.reset
      expect((yield* emulator.stats).stored["Program"]).toBeGreaterThan(0)
    }))

  it.live("a scripted SOAP fault reaches a REST client in REST's words: credentials 601, expired 602, limits 606/615, quota 607", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const faults = [20014, 20016, 20023, 20024, 20015, 20011]
      yield* post(`${originOf(emulator)}/emulator/script`, faults.map((fault) => ({ fault })))
      const codes: Array<string | undefined> = []
      for (const _ of faults) codes.push(codeOf(yield* call("/v1/opportunities/describe.json")))
      expect(codes).toEqual(["601", "602", "606", "615", "607", "611"])
    }).pipe(Effect.scoped))

  it.live("POST /emulator/script: the next calls meet a fault, a dropped answer, a delay, in order", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const origin = originOf(emulator)
      const { call, token } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const queued = yield* post(`${origin}/emulator/script`, [
        { fault: 20023 },
        { fault: 20024 },
        { drop: true, applied: true },
        { drop: true },
        { delay: 20 }
      ])
      expect(queued.body["pending"]).toBe(5)
      // REST in REST's words, SOAP as Marketo's fault.
      expect(codeOf(yield* call("/v1/opportunities/describe.json"))).toBe("606")
      const soap = yield* Effect.exit(Effect.provide(MarketoClient.listMObjects(), soapClient(emulator)))
      expect(Exit.isFailure(soap) && JSON.stringify(soap.cause)).toContain("20024")
      // Applied, then the answer lost; then lost without being applied.
      const send = (ext: string) =>
        Effect.promise(() =>
          fetch(`${emulator.restUrl}/v1/opportunities.json`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
            body: JSON.stringify({ input: [{ externalOpportunityId: ext, name: ext }] })
          }).then(() => "answered", () => "lost")
        )
      expect(yield* send("DROP-1")).toBe("lost")
      expect(yield* send("DROP-2")).toBe("lost")
      // The delayed call is answered, and the script is spent.
      const stored = yield* call("/v1/opportunities.json?filterType=externalOpportunityId&filterValues=DROP-1,DROP-2")
      expect(stored.body.result?.map((r) => r["externalOpportunityId"])).toEqual(["DROP-1"])
      expect((yield* post(`${origin}/emulator/script`, [])).body["pending"]).toBe(0)
      expect((yield* post(`${origin}/emulator/script`, [{ delay: -1 }])).status).toBe(400)
    }).pipe(Effect.scoped))

  it.scoped("test-support refusals say what is wrong: the script entry and its problem, a seed that is no object, a wrong method", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const origin = originOf(emulator)
      const script = (body: unknown) =>
        Effect.map(post(`${origin}/emulator/script`, body), (r) => [r.status, r.body["error"]])
      expect(yield* script([{ fault: 20023 }, { delay: 1e9 }])).toEqual([
        400,
        "step 1: delay: milliseconds from 0 to 600000 (got 1000000000)"
      ])
      expect(yield* script([{ fault: "x" }])).toEqual([400, "step 0: fault: an integer from 1 to 99999 (got \"x\")"])
      expect(yield* script({ steps: [{ drop: true }, { colour: 1 }] })).toEqual([
        400,
        expect.stringMatching(/^step 1: expected \{"fault"/)
      ])
      expect((yield* emulator.stats).stored).toBeDefined()
      for (const [body, what] of [[[], "an array"], [null, "null"]] as const) {
        const seeded = yield* post(`${origin}/emulator/seed`, body)
        expect(seeded.status).toBe(400)
        expect(String(seeded.body["error"])).toMatch(new RegExp(`expected an object \\(.*\\), not ${what}$`))
        expect(String(seeded.body["error"]).length).toBeLessThan(300)
      }
      const put = yield* Effect.promise(() =>
        fetch(`${origin}/emulator/script`, { method: "PUT", body: "[]" }).then(async (r) => ({
          status: r.status,
          allow: r.headers.get("allow"),
          text: await r.text()
        }))
      )
      expect([put.status, put.allow]).toEqual([405, "POST, DELETE"])
      expect(put.text).toContain("/emulator/script takes POST, DELETE, not PUT")
    }))

  it.scoped("GET /emulator/calls: the calls in order with operation, objects and outcome, no secrets", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const origin = originOf(emulator)
      const { call, token } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      yield* Effect.provide(MarketoClient.listMObjects(), soapClient(emulator))
      yield* call("/v1/opportunities.json", {
        json: { input: [{ externalOpportunityId: "CALL-1", name: "call" }, { name: "no key" }] }
      })
      yield* call("/v1/opportunities/describe.json", { token: "nope" })
      const calls = yield* getJson<ReadonlyArray<Record<string, unknown>>>(`${origin}/emulator/calls`)
      expect(calls.map((c) => [c["protocol"], c["operation"]])).toEqual([
        ["soap", "listMObjects"],
        ["rest", "sync opportunities"],
        ["rest", "GET /rest/v1/opportunities/describe.json"]
      ])
      expect(calls[1]?.["objects"]).toEqual([{ externalOpportunityId: "CALL-1", name: "call" }, { name: "no key" }])
      expect(calls[1]?.["outcome"]).toEqual({ result: "answered", statuses: ["created", "skipped"] })
      expect(calls[2]?.["outcome"]).toMatchObject({ result: "refused", code: "601" })
      const text = JSON.stringify(calls)
      expect(text).not.toContain(token)
      expect(text).not.toContain("requestSignature")
      expect(text).not.toContain("27272727aa")
      yield* emulator.reset
      expect(yield* getJson<ReadonlyArray<unknown>>(`${origin}/emulator/calls`)).toEqual([])
    }))
})
