/**
 * The emulator's REST side answers as Adobe documents it (issue R1–R12), over real HTTP: a
 * query never writes, whatever its form; describe, fields, tokens, method, content and
 * parameter errors carry Adobe's codes; programs take the whole update the Swagger documents.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Swagger from "../../rest/test/helpers/swagger.js"
import * as Emulator from "../src/Emulator.js"
import { restClient } from "./helpers/clients.js"
import { assetMillis, beyondDocumented, codeOf, noAssets, restOf, tokenOf } from "./helpers/rest.js"

const setup = Effect.gen(function*() {
  const emulator = yield* Emulator.make()
  const { call, token } = yield* restOf(emulator.restUrl, emulator.identityUrl)
  // An opportunity and a role REST can name by their keys.
  const created = yield* call("/v1/opportunities.json", {
    json: { action: "createOnly", input: [{ externalOpportunityId: "F-1", name: "Fidelity" }] }
  })
  expect(created.body.result?.[0]?.["status"]).toBe("created")
  const role = yield* call("/v1/opportunities/roles.json", {
    json: { action: "createOnly", input: [{ externalOpportunityId: "F-1", leadId: 19, role: "Buyer" }] }
  })
  expect(role.body.result?.[0]?.["status"]).toBe("created")
  return { emulator, call, token }
})

// A string matcher for a message's beginning, whatever follows.
const startingWith = (prefix: string) =>
  expect.stringMatching(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`))

const storedRoles = (emulator: Emulator.EmulatorShape) =>
  Effect.map(emulator.stats, (s) => s.stored["OpportunityPersonRole"])

describe("emulator REST fidelity", () => {
  it.scoped("an update by GUID keeps the key fields the describe says are not updateable; no key names two records", () =>
    Effect.gen(function*() {
      const { call, emulator } = yield* setup
      const second = yield* call("/v1/opportunities.json", {
        json: { action: "createOnly", input: [{ externalOpportunityId: "F-2", name: "Second" }] }
      })
      const guid = String(second.body.result?.[0]?.["marketoGUID"])
      const roles = yield* call("/v1/opportunities/roles.json", {
        json: { action: "createOnly", input: [{ externalOpportunityId: "F-1", leadId: 19, role: "Seller" }] }
      })
      const roleGuid = String(roles.body.result?.[0]?.["marketoGUID"])
      const before = yield* emulator.objects
      const byGuid = (path: string, input: ReadonlyArray<unknown>) =>
        call(path, { json: { action: "updateOnly", dedupeBy: "idField", input } })
      const answers = [
        yield* byGuid("/v1/opportunities.json", [{ marketoGUID: guid, externalOpportunityId: "F-1" }]),
        yield* byGuid("/v1/opportunities.json", [{ marketoGUID: guid, externalOpportunityId: "F-NEW" }]),
        yield* byGuid("/v1/opportunities/roles.json", [{ marketoGUID: roleGuid, externalOpportunityId: "F-2" }]),
        yield* byGuid("/v1/opportunities/roles.json", [{ marketoGUID: roleGuid, leadId: 20 }]),
        yield* byGuid("/v1/opportunities/roles.json", [{ marketoGUID: roleGuid, role: "Buyer" }])
      ]
      expect(answers.map((a) => {
        const record = a.body.result?.[0] as {
          status?: string
          reasons?: ReadonlyArray<{ code: string; message: string }>
        }
        return [record.status, record.reasons?.[0]?.code, record.reasons?.[0]?.message]
      })).toEqual([
        ["skipped", "1003", "externalOpportunityId is not updateable: the record holds 'F-2'"],
        ["skipped", "1003", "externalOpportunityId is not updateable: the record holds 'F-2'"],
        ["skipped", "1003", "externalOpportunityId is not updateable: the record holds 'F-1'"],
        ["skipped", "1003", "leadId is not updateable: the record holds '19'"],
        ["skipped", "1003", expect.stringMatching(/^role 'Buyer' of this opportunity and lead is the key of role /)]
      ])
      expect(yield* emulator.objects).toEqual(before)
      // The stored values again are no change, and the other fields are written.
      const same = yield* byGuid("/v1/opportunities.json", [
        { marketoGUID: guid, externalOpportunityId: "F-2", name: "Renamed" }
      ])
      expect(same.body.result?.[0]?.["status"]).toBe("updated")
      const renamed = yield* byGuid("/v1/opportunities/roles.json", [
        { marketoGUID: roleGuid, externalOpportunityId: "F-1", leadId: "19", role: "Champion" }
      ])
      expect(renamed.body.result?.[0]?.["status"]).toBe("updated")
    }))

  it.scoped("R1, R2: a query by POST ?_method=GET, JSON or form, reads and never writes", () =>
    Effect.gen(function*() {
      const { call, emulator } = yield* setup
      const before = yield* storedRoles(emulator)
      const byKey = yield* call("/v1/opportunities/roles.json?_method=GET", {
        json: { filterType: "dedupeFields", input: [{ externalOpportunityId: "F-1", leadId: 19, role: "Buyer" }] }
      })
      expect(byKey.body.success).toBe(true)
      expect(byKey.body.result?.map((r) => [r["externalOpportunityId"], r["leadId"], r["role"]])).toEqual([[
        "F-1",
        19,
        "Buyer"
      ]])
      // A key that names no role finds nothing and creates nothing.
      const none = yield* call("/v1/opportunities/roles.json?_method=GET", {
        json: { filterType: "dedupeFields", input: [{ externalOpportunityId: "F-1", leadId: 20, role: "Other" }] }
      })
      expect(none.body.result).toEqual([])
      expect(yield* storedRoles(emulator)).toBe(before)
      const form = yield* call("/v1/opportunities.json?_method=GET", {
        form: { filterType: "externalOpportunityId", filterValues: "F-1", fields: "name" }
      })
      expect(form.body.success).toBe(true)
      expect(form.body.result?.map((r) => r["name"])).toEqual(["Fidelity"])
    }))

  it.scoped("a JSON lookup by any searchable filterType finds the records its input names", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      const found = yield* call("/v1/opportunities.json?_method=GET", {
        json: { filterType: "externalOpportunityId", input: [{ externalOpportunityId: "F-1" }] }
      })
      const guid = String(found.body.result?.[0]?.["marketoGUID"])
      expect(found.body.result?.map((r) => r["externalOpportunityId"])).toEqual(["F-1"])
      const lookups: ReadonlyArray<readonly [string, string, unknown]> = [
        ["/v1/opportunities.json", "idField", { marketoGUID: guid }],
        ["/v1/opportunities.json", "marketoGUID", { marketoGUID: guid }],
        ["/v1/opportunities.json", "dedupeFields", { externalOpportunityId: "F-1" }],
        ["/v1/opportunities/roles.json", "externalOpportunityId", { externalOpportunityId: "F-1" }],
        ["/v1/opportunities/roles.json", "leadId", { leadId: 19 }]
      ]
      for (const [path, filterType, record] of lookups) {
        const answer = yield* call(`${path}?_method=GET`, { json: { filterType, input: [record] } })
        // Lead 19 has a role of the default seed's opportunity too.
        expect([filterType, answer.body.success, answer.body.result?.some((r) => r["externalOpportunityId"] === "F-1")])
          .toEqual([filterType, true, true])
      }
    }))

  it.scoped("a JSON member of the wrong type is 1001 naming it and what it must be; 609 is for text that is not JSON", () =>
    Effect.gen(function*() {
      const { call, emulator } = yield* setup
      const before = yield* emulator.objects
      const cases: ReadonlyArray<readonly [string, unknown, string]> = [
        ["/v1/opportunities.json", { action: 1, input: [] }, "action: Expected string, actual 1"],
        ["/v1/opportunities.json", { input: {} }, "input: Expected ReadonlyArray<unknown>, actual {}"],
        ["/v1/opportunities.json", [], "the body: Expected { readonly action?: string"],
        ["/v1/opportunities/delete.json", { deleteBy: 1, input: [] }, "deleteBy: Expected string, actual 1"],
        [
          "/v1/opportunities.json?_method=GET",
          { filterType: "idField", filterValues: ["x"], batchSize: "5" },
          "batchSize: Expected number, actual \"5\""
        ]
      ]
      for (const [path, json, detail] of cases) {
        const answer = yield* call(path, { json })
        expect([path, codeOf(answer), answer.body.errors?.[0]?.message])
          .toEqual([path, "1001", startingWith(`Invalid value: ${detail}`)])
      }
      expect(codeOf(yield* call("/v1/opportunities.json", { bytes: new TextEncoder().encode("{nope") }))).toBe("609")
      const program = (form: Record<string, string>) => call("/asset/v1/program/1970.json", { form })
      const updates: ReadonlyArray<readonly [Record<string, string>, string]> = [
        [{ costs: "[{\"startDate\":\"2024-01-01\",\"cost\":1.5}]" }, "costs[0].cost: Expected an integer, actual 1.5"],
        [
          { costs: "[{\"startDate\":\"2024-01-01\",\"cost\":1,\"note\":null}]" },
          "costs[0].note: Expected string, actual null"
        ],
        [{ costs: "[{\"startDate\"" }, "costs is not valid JSON"],
        [{ tags: "{}" }, "tags: Expected ReadonlyArray<"]
      ]
      for (const [form, detail] of updates) {
        const answer = yield* program(form)
        expect([codeOf(answer), answer.body.errors?.[0]?.message])
          .toEqual(["709", startingWith(`Business rule violation: ${detail}`)])
      }
      expect(yield* emulator.objects).toEqual(before)
    }))

  it.scoped("R3: the roles describe gives the compound key as its first searchable field", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      const answer = yield* call("/v1/opportunities/roles/describe.json")
      const [metadata] = answer.body.result ?? []
      expect(metadata?.["searchableFields"]).toEqual([["externalOpportunityId", "leadId", "role"], ["marketoGUID"], [
        "leadId"
      ], ["externalOpportunityId"]])
      expect(metadata?.["dedupeFields"]).toEqual(["externalOpportunityId", "leadId", "role"])
    }))

  it.scoped("R4: fields keeps seq and marketoGUID; an unknown field is 1006", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      const answer = yield* call("/v1/opportunities.json?filterType=externalOpportunityId&filterValues=F-1&fields=name")
      expect(Object.keys(answer.body.result?.[0] ?? {}).sort()).toEqual(["marketoGUID", "name", "seq"])
      const unknown = yield* call(
        "/v1/opportunities.json?filterType=externalOpportunityId&filterValues=F-1&fields=name,nope"
      )
      expect([unknown.body.success, codeOf(unknown)]).toEqual([false, "1006"])
    }))

  it.scoped("R5: no token is 600, an unknown one 601", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      expect(codeOf(yield* call("/v1/opportunities/describe.json", { token: null }))).toBe("600")
      expect(codeOf(yield* call("/v1/opportunities/describe.json", { token: "" }))).toBe("600")
      expect(codeOf(yield* call("/v1/opportunities/describe.json", { token: "nope" }))).toBe("601")
    }))

  it.scoped("R6: a method a path does not take is 605; bad action, dedupeBy or no input have their codes", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      const input = [{ externalOpportunityId: "F-2" }]
      expect(codeOf(yield* call("/v1/opportunities.json", { method: "PUT", json: { input } }))).toBe("605")
      expect(codeOf(yield* call("/v1/opportunities.json", { method: "DELETE" }))).toBe("605")
      expect(codeOf(yield* call("/v1/opportunities/delete.json"))).toBe("605")
      expect(codeOf(yield* call("/v1/opportunities.json", { json: { action: "upsert", input } }))).toBe("1003")
      expect(codeOf(yield* call("/v1/opportunities.json", { json: { dedupeBy: "name", input } }))).toBe("1003")
      expect(codeOf(yield* call("/v1/opportunities.json", { json: { action: "createOnly" } }))).toBe("1002")
      expect(codeOf(yield* call("/v1/opportunities.json", { bytes: new TextEncoder().encode("{nope") }))).toBe("609")
    }))

  it.scoped("R7: a body that is not JSON by its Content-Type is 612, and nothing is written", () =>
    Effect.gen(function*() {
      const { call, emulator } = yield* setup
      const before = (yield* emulator.stats).stored["Opportunity"]
      const answer = yield* call("/v1/opportunities.json", {
        json: { input: [{ externalOpportunityId: "F-3" }] },
        contentType: "text/plain"
      })
      expect(codeOf(answer)).toBe("612")
      expect((yield* emulator.stats).stored["Opportunity"]).toBe(before)
      expect(codeOf(yield* call("/asset/v1/program/1970.json", { json: { description: "x" } }))).toBe("612")
    }))

  it.scoped("R8: an unknown field in a record is 1006, an unknown lead 1004", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      const opportunity = yield* call("/v1/opportunities.json", {
        json: { input: [{ externalOpportunityId: "F-4", nope: 1 }] }
      })
      expect((opportunity.body.result?.[0]?.["reasons"] as Array<{ code: string }>)[0]?.code).toBe("1006")
      const role = yield* call("/v1/opportunities/roles.json", {
        json: { input: [{ externalOpportunityId: "F-1", leadId: 999999, role: "Buyer" }] }
      })
      expect((role.body.result?.[0]?.["reasons"] as Array<{ code: string }>)[0]?.code).toBe("1004")
    }))

  it.scoped("R9: paging parameters are checked; repeated filterValues are all used", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      yield* call("/v1/opportunities.json", { json: { input: [{ externalOpportunityId: "F-5", name: "Five" }] } })
      const q = "/v1/opportunities.json?filterType=externalOpportunityId"
      expect(codeOf(yield* call(`${q}&filterValues=F-1&batchSize=abc`))).toBe("1001")
      expect(codeOf(yield* call(`${q}&filterValues=F-1&batchSize=301`))).toBe("1003")
      expect(codeOf(yield* call(`${q}&filterValues=F-1&nextPageToken=bogus`))).toBe("1003")
      const both = yield* call(`${q}&filterValues=F-1&filterValues=F-5`)
      expect(both.body.result?.map((r) => r["externalOpportunityId"])).toEqual(["F-1", "F-5"])
      const paged = yield* call(`${q}&filterValues=F-1,F-5&batchSize=1`)
      expect([paged.body.result?.length, paged.body.moreResult]).toEqual([1, true])
      const next = yield* call(`${q}&filterValues=F-1,F-5&batchSize=1&nextPageToken=${paged.body.nextPageToken}`)
      expect(next.body.result?.map((r) => r["externalOpportunityId"])).toEqual(["F-5"])
    }))

  it.scoped("R10: the identity endpoint answers the current token with its remaining lifespan", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ tokenTtl: 100 })
      const first = yield* tokenOf(emulator.identityUrl)
      yield* TestClock.adjust("40 seconds")
      const second = yield* tokenOf(emulator.identityUrl)
      expect(second.body["access_token"]).toBe(first.body["access_token"])
      expect([first.body["expires_in"], second.body["expires_in"]]).toEqual([100, 60])
      yield* TestClock.adjust("60 seconds")
      const third = yield* tokenOf(emulator.identityUrl)
      expect(third.body["access_token"]).not.toBe(first.body["access_token"])
      expect(third.body["expires_in"]).toBe(100)
    }))

  it.scoped("R11: programs take description, destructive costs, filters and paging; the channel is no tag", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      const described = yield* call("/asset/v1/program/1970.json", { form: { description: "Booth at the show" } })
      expect(described.body.result?.[0]?.["description"]).toBe("Booth at the show")
      expect((yield* call("/asset/v1/program/1970.json")).body.result?.[0]?.["description"]).toBe("Booth at the show")
      const replaced = yield* call("/asset/v1/program/1970.json", {
        form: { costs: JSON.stringify([{ startDate: "2013-07-01", cost: 300 }]), costsDestructiveUpdate: "true" }
      })
      expect(replaced.body.result?.[0]?.["costs"]).toEqual([{ startDate: "2013-07-01", cost: 300 }])
      const cleared = yield* call("/asset/v1/program/1970.json", { form: { costsDestructiveUpdate: "true" } })
      expect(cleared.body.result?.[0]?.["costs"]).toEqual([])
      const filtered = yield* call("/asset/v1/programs.json?filterType=id&filterValues=1002")
      expect(filtered.body.result?.map((p) => p["id"])).toEqual([1002])
      expect((yield* call("/asset/v1/channels.json?maxReturn=2")).body.result?.length).toBe(2)
      expect((yield* call("/asset/v1/tagTypes.json?maxReturn=1")).body.result?.length).toBe(1)
      expect(codeOf(yield* call("/asset/v1/channels.json?maxReturn=201"))).toBe("1003")
      const channel = yield* call("/asset/v1/program/1970.json", {
        form: { tags: JSON.stringify([{ tagType: "Channel", tagValue: "Webinar" }]) }
      })
      expect(codeOf(channel)).toBe("709")
      expect((yield* call("/asset/v1/program/1970.json")).body.result?.[0]?.["channel"]).toBe("Trade Show")
    }))

  it.scoped("R12: opportunity field schema, program by name and by tag are served", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      const fields = yield* call("/v1/opportunities/schema/fields.json")
      expect(fields.body.result?.map((f) => f["name"])).toContain("externalOpportunityId")
      const one = yield* call("/v1/opportunities/schema/fields/amount.json")
      expect(one.body.result?.map((f) => [f["name"], f["dataType"]])).toEqual([["amount", "currency"]])
      expect(codeOf(yield* call("/v1/opportunities/schema/fields/nope.json"))).toBe("1006")
      const byName = yield* call("/asset/v1/program/byName.json?name=Product%20Webinar&includeCosts=true")
      expect(byName.body.result?.map((p) => [p["id"], (p["costs"] as Array<unknown>).length])).toEqual([[1002, 1]])
      const byTag = yield* call("/asset/v1/program/byTag.json?tagType=Region&tagValue=EMEA")
      expect(byTag.body.result?.map((p) => p["id"])).toEqual([1002])
      const none = yield* call("/asset/v1/program/byName.json?name=Nope")
      expect([none.body.success, none.body["warnings"], none.body.result]).toEqual([true, [noAssets], undefined])
    }))

  it.scoped("describe of leads: the lead fields with their REST and SOAP names; the REST client describes LeadRecord", () =>
    Effect.gen(function*() {
      const { call, emulator } = yield* setup
      const answer = yield* call("/v1/leads/describe.json")
      expect(answer.body.success).toBe(true)
      expect(answer.body.result?.map((f) => [f["rest"], f["soap"], f["dataType"]])).toEqual([
        [{ name: "id", readOnly: true }, { name: "Id", readOnly: true }, "integer"],
        [{ name: "email", readOnly: false }, { name: "Email", readOnly: false }, "email"]
      ])
      // What issue #19 asked: describeMObject("LeadRecord") over REST, end to end.
      const metadata = yield* MarketoClient.describeMObject("LeadRecord").pipe(Effect.provide(restClient(emulator)))
      expect(metadata.name).toBe("LeadRecord")
      expect(metadata.isVirtual).toBe(true)
      expect(metadata.fieldList.map((f) => [f.name, f.isPrimaryKey, f.size])).toEqual([["Id", true, null], [
        "Email",
        false,
        255
      ]])
    }))

  // Only where Adobe's Swagger files are present (never on a clone without the reference).
  it.scoped.skipIf(!Swagger.available)("the new answers fit the Swagger definitions", () =>
    Effect.gen(function*() {
      const { call } = yield* setup
      const check = (file: Swagger.SwaggerFile, definition: string, body: unknown) =>
        expect(beyondDocumented(Swagger.differences(file, definition, body))).toEqual([])
      check("swagger-mapi.json", "ResponseOfLeadField", (yield* call("/v1/opportunities/schema/fields.json")).body)
      check("swagger-mapi.json", "ResponseOfLeadAttribute", (yield* call("/v1/leads/describe.json")).body)
      check(
        "swagger-mapi.json",
        "ResponseOfObjectMetaData",
        (yield* call("/v1/opportunities/roles/describe.json")).body
      )
      check(
        "swagger-mapi.json",
        "ResponseOfCustomObject",
        (yield* call("/v1/opportunities/roles.json?_method=GET", {
          json: { filterType: "dedupeFields", input: [{ externalOpportunityId: "F-1", leadId: 19, role: "Buyer" }] }
        })).body
      )
      check(
        "swagger-asset.json",
        "ResponseOfProgramResponse",
        (yield* call("/asset/v1/program/byName.json?name=Product%20Webinar&includeTags=true")).body
      )
      check(
        "swagger-asset.json",
        "ResponseOfProgramResponse",
        (yield* call("/asset/v1/program/byTag.json?tagType=Region&tagValue=EMEA")).body
      )
      check(
        "swagger-asset.json",
        "ResponseOfBrowseAllPrograms",
        (yield* call("/asset/v1/programs.json?filterType=workspace&filterValues=Default")).body
      )
    }))

  it.scoped("the client keeps within Marketo's HTTP limits: a long filter value goes as POST ?_method=GET", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      // A value that makes the GET's URI over 8 KB (the emulator answers such a GET 414).
      const value = "K".repeat(9_000)
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value } })
      ).pipe(Effect.provide(restClient(emulator)))
      // Answered (nothing matches), where a GET would have met 414.
      expect(Chunk.size(found)).toBe(0)
    }))

  it.scoped("programs.json takes earliestUpdatedAt and latestUpdatedAt, each inclusive; a bound that is no date is 1003", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
      const ids = (answer: { readonly body: { readonly result?: ReadonlyArray<Record<string, unknown>> } }) =>
        (answer.body.result ?? []).map((p) => Number(p["id"])).sort((a, b) => a - b)
      const all = yield* call("/asset/v1/programs.json?maxReturn=200")
      const updated = (all.body.result ?? []).map((p) => assetMillis(p["updatedAt"]))
      expect(updated.length).toBeGreaterThan(1)
      const latest = Math.max(...updated)
      const at = encodeURIComponent(new Date(latest).toISOString())
      // From the latest update on: the programs updated then; up to it: all of them.
      const from = yield* call(`/asset/v1/programs.json?maxReturn=200&earliestUpdatedAt=${at}`)
      expect(ids(from)).toEqual(
        ids({ body: { result: (all.body.result ?? []).filter((p) => assetMillis(p["updatedAt"]) >= latest) } })
      )
      expect(ids(yield* call(`/asset/v1/programs.json?maxReturn=200&latestUpdatedAt=${at}`))).toEqual(ids(all))
      const none = yield* call("/asset/v1/programs.json?earliestUpdatedAt=2999-01-01T00:00:00Z")
      expect(none.body.result ?? []).toEqual([])
      expect(codeOf(yield* call("/asset/v1/programs.json?earliestUpdatedAt=garbage"))).toBe("1003")
    }))
})
