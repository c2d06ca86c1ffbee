/**
 * The emulator's REST side under what a careless or hostile client sends, over real HTTP:
 * bytes that are not UTF-8 and characters XML 1.0 cannot carry are refused (one store serves
 * SOAP too), writes to one key are serialized under latency, JSON work is bounded, REST calls
 * are counted by endpoint, and the data file leaves no temporary file behind.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as RestWire from "@mktows/rest/RestWire"
import * as Arbitrary from "effect/Arbitrary"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Emulator from "../src/Emulator.js"
import { canonicalDecimal } from "../src/internal/fields.js"
import { decimalOf, isFields } from "../src/internal/rest/records.js"
import { soapClient } from "./helpers/clients.js"
import { codeOf, restOf } from "./helpers/rest.js"
import { call as soapCall } from "./helpers/soap.js"

const reasonOf = (answer: { body: { result?: ReadonlyArray<Record<string, unknown>> } }, i = 0) =>
  (answer.body.result?.[i]?.["reasons"] as ReadonlyArray<{ code: string }> | undefined)?.[0]?.code

/** A createOrUpdate of `input` (Adobe's default action) on the opportunities endpoint. */
const opportunities = <A>(
  call: (path: string, body: { readonly json: unknown }) => A,
  input: ReadonlyArray<unknown>
): A => call("/v1/opportunities.json", { json: { input } })

// Names a request gives where the emulator looks something up: Object.prototype's own (what an
// object-literal table finds under them) and arbitrary strings.
const hostileNames: ReadonlyArray<string> = [
  ...Object.getOwnPropertyNames(Object.prototype),
  ...FastCheck.sample(FastCheck.string(), { numRuns: 25, seed: 7 })
]

describe("emulator REST robustness", () => {
  it.scoped("a name a request gives never finds Object.prototype's members: 1003 naming it, nothing stored", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const before = yield* emulator.objects
      const opportunity = { externalOpportunityId: "P-1", name: "proto" }
      const role = { externalOpportunityId: "P-1", leadId: 19, role: "Buyer" }
      const valid = new Set(["createOnly", "updateOnly", "createOrUpdate", "id", "programId", "folderId", "workspace"])
      // An empty filterType is a missing one (1002), checked elsewhere.
      for (const name of hostileNames.filter((n) => n !== "" && !valid.has(n))) {
        const answers = [
          yield* call("/v1/opportunities.json", { json: { action: name, input: [opportunity] } }),
          yield* call("/v1/opportunities/roles.json", { json: { action: name, input: [role] } }),
          yield* call("/v1/opportunities/delete.json", { json: { deleteBy: name, input: [opportunity] } }),
          yield* call(`/v1/opportunities.json?filterType=${encodeURIComponent(name)}&filterValues=1`),
          yield* call(`/asset/v1/programs.json?filterType=${encodeURIComponent(name)}&filterValues=1`)
        ]
        expect(answers.map((a) => [name, a.status, codeOf(a), a.body.errors?.[0]?.message.includes(`'${name}'`)]))
          .toEqual(answers.map(() => [name, 200, "1003", true]))
      }
      expect(yield* emulator.objects).toEqual(before)
    }))

  it.prop(
    "a JSON number is written as the plain decimal it denotes, which reads back as the number",
    [FastCheck.double({ noNaN: true, noDefaultInfinity: true })],
    ([n]) => {
      const text = decimalOf(n)
      expect([canonicalDecimal(text), Number(text)]).toEqual([text, n === 0 ? 0 : n])
    }
  )

  it.scoped("numbers in any JSON spelling are the decimals they denote and round-trip; a boolean is for boolean fields", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const written = yield* opportunities(call, [
        { externalOpportunityId: "N-1", name: "small", amount: 0.0000005, isWon: true },
        { externalOpportunityId: "N-2", name: "large", amount: 1.5e21, quantity: -2.5e-8 },
        { externalOpportunityId: "N-3", name: false },
        { externalOpportunityId: "N-4", name: "n", description: true }
      ])
      expect(written.body.result?.map((r) => [r["status"], reasonOf(written, Number(r["seq"]))])).toEqual([
        ["created", undefined],
        ["created", undefined],
        ["skipped", "1003"],
        ["skipped", "1003"]
      ])
      const soap = yield* soapCall(emulator.url, "getMObjects", { type: "Opportunity" })
      const fieldsOf = (key: string) => {
        const found = (soap.mObjectList ?? []).find((o) => o.externalKey?.value === key)
        return Object.fromEntries((found?.attribList ?? []).map((a) => [a.name, a.value]))
      }
      expect(fieldsOf("N-1")).toMatchObject({ Amount: "0.0000005", IsWon: "1" })
      expect(fieldsOf("N-2")).toMatchObject({ Amount: "1500000000000000000000", Quantity: "-0.000000025" })
      // What a read answers is accepted back unchanged, however JSON spells the number.
      const read = yield* call(
        "/v1/opportunities.json?filterType=externalOpportunityId&filterValues=N-1,N-2&fields=externalOpportunityId,amount,quantity,isWon"
      )
      const records = (read.body.result ?? []).map(({ seq: _seq, marketoGUID: _guid, ...rest }) => rest)
      expect(records).toEqual([
        { externalOpportunityId: "N-1", amount: 0.0000005, quantity: null, isWon: true },
        { externalOpportunityId: "N-2", amount: 1.5e21, quantity: -2.5e-8, isWon: null }
      ])
      const before = yield* emulator.objects
      const back = yield* opportunities(call, records)
      expect(back.body.result?.map((r) => r["status"])).toEqual(["updated", "updated"])
      expect(yield* emulator.objects).toEqual(before)
    }))

  it.scoped("a field name in a path that is not valid percent-encoding is 1006 naming it, not a defect", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      for (const name of ["%ZZ", "%E0%A4", "a%"]) {
        const answer = yield* call(`/v1/opportunities/schema/fields/${name}.json`)
        expect([answer.status, codeOf(answer), answer.body.errors?.[0]?.message]).toEqual([
          200,
          "1006",
          `Field not found: '${name}' is not valid percent-encoding`
        ])
      }
      // A valid escape still names its field.
      expect((yield* call("/v1/opportunities/schema/fields/%6Eame.json")).body.result?.[0]?.["name"]).toBe("name")
    }))

  it.scoped("the stats count any object type a SOAP sync names, Object.prototype's names too", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      for (const type of ["__proto__", "constructor", "toString"]) {
        yield* soapCall(emulator.url, "syncMObjects", { operation: "UPSERT", mObjectList: [{ type }] })
      }
      const objects = (yield* emulator.stats).objects
      expect(["__proto__", "constructor", "toString"].map((t) => Object.hasOwn(objects, t) && objects[t]))
        .toEqual([{ FAILED: 1 }, { FAILED: 1 }, { FAILED: 1 }])
    }))

  it.scoped("bytes that are not UTF-8 are refused (609), never stored as U+FFFD", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const before = yield* emulator.objects
      const head = new TextEncoder().encode("{\"input\":[{\"externalOpportunityId\":\"U-1\",\"name\":\"")
      const tail = new TextEncoder().encode("\"}]}")
      const bytes = new Uint8Array([...head, 0xff, 0xfe, 0xc3, ...tail])
      expect(codeOf(yield* call("/v1/opportunities.json", { bytes }))).toBe("609")
      expect(yield* emulator.objects).toEqual(before)
    }))

  it.scoped("a record that is not an object of scalars is skipped (1003) and the others are written", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const answer = yield* opportunities(call, [
        { externalOpportunityId: "S-1", name: { nested: "no" } },
        "S-2",
        null,
        { externalOpportunityId: "S-4", name: ["no"] },
        { externalOpportunityId: "S-5", name: "fine", amount: 5, isWon: false, description: null }
      ])
      expect(answer.body.result?.map((r) => r["status"])).toEqual([
        "skipped",
        "skipped",
        "skipped",
        "skipped",
        "created"
      ])
      expect([0, 1, 2, 3].map((i) => reasonOf(answer, i))).toEqual(["1003", "1003", "1003", "1003"])
    }))

  it.prop(
    "a record's check answers as Schema.is(RestWire.Fields) on any value",
    [
      FastCheck.oneof(
        FastCheck.anything({ withBoxedValues: true, withDate: true, withMap: true, withNullPrototype: true }),
        FastCheck.jsonValue(),
        Arbitrary.make(RestWire.Fields)
      )
    ],
    ([u]) => {
      expect(isFields(u)).toBe(Schema.is(RestWire.Fields)(u))
    }
  )

  it.scoped("characters XML 1.0 cannot carry are refused on REST, so SOAP reads stay XML", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const answer = yield* opportunities(call, [
        { externalOpportunityId: "X-\u0000", name: "nul in key" },
        { externalOpportunityId: "X-2", name: "soh \u0001 in name" },
        { externalOpportunityId: "X-3", name: "fine" }
      ])
      expect(answer.body.result?.map((r) => r["status"])).toEqual(["skipped", "skipped", "created"])
      expect([reasonOf(answer, 0), reasonOf(answer, 1)]).toEqual(["1003", "1003"])
      const update = yield* call("/asset/v1/program/1970.json", { form: { description: "bell \u0007" } })
      expect(codeOf(update)).toBe("709")
      const read = yield* Effect.provide(
        Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity" })),
        soapClient(emulator)
      )
      expect(Chunk.size(read)).toBe(3)
    }))

  it.live("writes to one key are serialized: 12 concurrent createOrUpdate of one role under latency make one", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ latency: 50 })
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      yield* opportunities(call, [{ externalOpportunityId: "S-1", name: "Serial" }])
      const before = (yield* emulator.stats).stored["OpportunityPersonRole"] ?? 0
      const answers = yield* Effect.forEach(
        Array.from({ length: 12 }),
        () =>
          call("/v1/opportunities/roles.json", {
            json: { input: [{ externalOpportunityId: "S-1", leadId: 19, role: "Buyer" }] }
          }),
        { concurrency: "unbounded" }
      )
      const statuses = answers.map((a) => String(a.body.result?.[0]?.["status"])).sort()
      expect(statuses).toEqual(["created", ...Array.from({ length: 11 }, () => "updated")])
      expect((yield* emulator.stats).stored["OpportunityPersonRole"]).toBe(before + 1)
    }).pipe(Effect.scoped))

  it.scoped("JSON work is bounded: a deep nesting and an oversize body are refused before a parse", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const deep = new TextEncoder().encode("{\"input\":" + "[".repeat(5000) + "]".repeat(5000) + "}")
      expect(codeOf(yield* call("/v1/opportunities.json", { bytes: deep }))).toBe("609")
      // Under Marketo's 1 MB, but more tokens than any call needs.
      const keys = Array.from({ length: 110_000 }, () => `"k":1`).join(",")
      const wide = new TextEncoder().encode(`{"input":[{${keys}}]}`)
      expect(wide.length).toBeLessThan(RestWire.maxRequestBytes)
      expect(codeOf(yield* call("/v1/opportunities.json", { bytes: wide }))).toBe("609")
      // Still answering.
      expect((yield* call("/v1/opportunities/describe.json")).body.success).toBe(true)
    }))

  it.scoped("Marketo's HTTP-level errors: a body over 1 MB is 413, a GET URI over 8 KB is 414; nothing is read or written", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const before = yield* emulator.objects
      const record = (size: number) => [{ externalOpportunityId: "HUGE-1", name: "x".repeat(size) }]
      // Just over, as the client measures a body: its JSON's UTF-8 bytes.
      const over = RestWire.maxRequestBytes - JSON.stringify({ input: record(0) }).length + 1
      const refused = yield* call("/v1/opportunities.json", { json: { input: record(over) } })
      expect(refused.status).toBe(413)
      expect(yield* emulator.objects).toEqual(before)
      // At the bound exactly, it is read (and the name, over 255 characters, refused as a record).
      const at = yield* call("/v1/opportunities.json", { json: { input: record(over - 1) } })
      expect(at.status).toBe(200)
      const values = Array.from({ length: 700 }, (_, i) => `VALUE-${String(i).padStart(6, "0")}`).join(",")
      expect(values.length).toBeGreaterThan(RestWire.maxGetUriChars)
      const long = yield* call(`/v1/opportunities.json?filterType=externalOpportunityId&filterValues=${values}`)
      expect(long.status).toBe(414)
      // The same query as a POST with _method=GET is answered.
      const tunnelled = yield* call("/v1/opportunities.json?_method=GET", {
        form: { filterType: "externalOpportunityId", filterValues: values }
      })
      expect(tunnelled.status).toBe(200)
      expect(tunnelled.body.success).toBe(true)
    }))

  it.scoped("REST calls are counted in the stats by endpoint", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      yield* call("/v1/opportunities/describe.json")
      yield* call("/v1/opportunities/describe.json")
      yield* opportunities(call, [{ externalOpportunityId: "C-1", name: "c" }])
      const calls = (yield* emulator.stats).calls
      expect([calls["REST describe opportunities"], calls["REST sync opportunities"]]).toEqual([2, 1])
      // Records that reached the store are tallied as SOAP's are.
      expect((yield* emulator.stats).objects["Opportunity"]).toEqual({ CREATED: 1 })
    }))

  it.scoped("--data leaves no temporary file: a write finishes, and a stale one is removed at start", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "mktows-data-"))
      const dataFile = join(dir, "store.json")
      writeFileSync(`${dataFile}.tmp`, "left by a killed process")
      const emulator = yield* Emulator.make({ dataFile })
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      yield* Effect.forEach(
        Array.from({ length: 8 }, (_, i) => i),
        (i) => opportunities(call, [{ externalOpportunityId: `D-${i}`, name: `d${i}` }]),
        { concurrency: 4 }
      )
      expect(readdirSync(dir)).toEqual(["store.json"])
    }))
})
