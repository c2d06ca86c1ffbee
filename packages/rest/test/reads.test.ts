/**
 * getMObjects criteria that Adobe's REST can express, each mapped to its endpoint (checked on
 * a fake server: the emulator may not serve them all), and those it cannot, refused before
 * anything is sent with a message that names what would work.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as RestTransport from "../src/RestTransport.js"
import { fail, fake, ok, type Route, type Sent, tokens } from "./helpers/fakeMarketo.js"

const identityPath = "/identity/oauth/token"

const withMarketo = (api: Route) => {
  const t = tokens()
  const f = fake((s) => s.path === identityPath ? t.route() : api(s))
  const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
    Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
  )
  return { ...f, client, api: () => f.sent.filter((s: Sent) => s.path !== identityPath) }
}

const program = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: `P${id}`,
  type: "default",
  channel: "Webinar",
  workspace: "Default",
  tags: [{ tagType: "Region", tagValue: "EU" }],
  costs: [{ startDate: "2024-01-01", cost: 10 }],
  ...extra
})

const eq = (attrName: string, attrValue: string, comparison: "EQ" | "GE" | "LE" | "GT" | "NE" = "EQ") => ({
  attrName,
  comparison,
  attrValue
})

describe("REST reads", () => {
  it.effect("a Program by Name reads program/byName.json with its tags and costs", () => {
    const m = withMarketo(() => ok([program(7)]))
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Program", criteria: [eq("Name", "Spring, launch")] })
      )
      expect([...found].map((o) => o.id)).toEqual([7])
      const [read] = m.api()
      expect([read?.method, read?.path]).toEqual(["GET", "/rest/asset/v1/program/byName.json"])
      expect(read?.params).toEqual({ name: "Spring, launch", includeTags: "true", includeCosts: "true" })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("Programs by tag read program/byTag.json, paged by offset", () => {
    const m = withMarketo((s) =>
      ok(
        s.params["offset"] === "0"
          ? Array.from({ length: 200 }, (_, i) => program(i + 1))
          : [program(201)]
      )
    )
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Program", criteria: [eq("Tag Type", "Region"), eq("Tag Value", "EU")] })
      )
      expect(found.length).toBe(201)
      const reads = m.api()
      expect(reads.map((s) => s.path)).toEqual([
        "/rest/asset/v1/program/byTag.json",
        "/rest/asset/v1/program/byTag.json"
      ])
      expect(reads.map((s) => [s.params["tagType"], s.params["tagValue"], s.params["offset"]])).toEqual([
        ["Region", "EU", "0"],
        ["Region", "EU", "200"]
      ])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("Programs by Id, by Workspace Name and by update time read programs.json with its filters", () => {
    const m = withMarketo(() => ok([program(3)]))
    return Effect.gen(function*() {
      yield* Stream.runDrain(MarketoClient.getMObjects({ type: "Program", criteria: [eq("Id", "3")] }))
      yield* Stream.runDrain(
        MarketoClient.getMObjects({
          type: "Program",
          criteria: [
            eq("Workspace Name", "Europe"),
            eq("Updated At", "2024-01-01T00:00:00Z", "GE"),
            eq("Updated At", "2024-06-30", "LE")
          ]
        })
      )
      const [byId, byWorkspace] = m.api()
      expect(byId?.path).toBe("/rest/asset/v1/programs.json")
      expect(byId?.params).toMatchObject({ filterType: "id", filterValues: "3" })
      expect(byWorkspace?.params).toMatchObject({
        filterType: "workspace",
        filterValues: "Europe",
        earliestUpdatedAt: "2024-01-01T00:00:00Z",
        latestUpdatedAt: "2024-06-30"
      })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a role by its compound key is one lookup with filterType dedupeFields, sent as JSON", () => {
    const m = withMarketo(() =>
      ok([{ seq: 0, marketoGUID: "r1", externalOpportunityId: "O,1", leadId: 7, role: "Buyer" }])
    )
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({
          type: "OpportunityPersonRole",
          associations: [
            { mObjType: "Opportunity", externalKey: { name: "externalOpportunityId", value: "O,1" } },
            { mObjType: "Lead", id: 7 }
          ],
          criteria: [eq("Role", "Buyer")]
        })
      )
      expect(found.length).toBe(1)
      const [read] = m.api()
      expect([read?.method, read?.path, read?.params]).toEqual([
        "POST",
        "/rest/v1/opportunities/roles.json",
        { _method: "GET" }
      ])
      expect(JSON.parse(read?.body ?? "")).toMatchObject({
        filterType: "dedupeFields",
        input: [{ externalOpportunityId: "O,1", leadId: 7, role: "Buyer" }]
      })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("describeMObject LeadRecord reads leads/describe.json, fields named as SOAP names them", () => {
    const m = withMarketo(() =>
      ok([
        {
          id: 2,
          displayName: "Company Name",
          dataType: "string",
          length: 255,
          rest: { name: "company" },
          soap: { name: "Company" }
        },
        { id: 1, displayName: "Id", dataType: "integer", rest: { name: "id", readOnly: true } }
      ])
    )
    return Effect.gen(function*() {
      const meta = yield* MarketoClient.describeMObject("LeadRecord")
      expect(meta.name).toBe("LeadRecord")
      expect(meta.fieldList?.map((f) => [f.name, f.dataType, f.size, f.isReadonly])).toEqual([
        ["Company", "string", 255, false],
        ["id", "integer", null, true]
      ])
      expect(m.api().map((s) => s.path)).toEqual(["/rest/v1/leads/describe.json"])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("an Opportunity by one field EQ a value reads filterType = its REST name; a field the instance cannot search ends the read", () => {
    const m = withMarketo((s) =>
      s.params["filterType"] === "stage"
        ? ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A", stage: "Won" }])
        : fail("1003", `Invalid filterType ${s.params["filterType"]}`)
    )
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("Stage", "Won")] })
      )
      expect(found.length).toBe(1)
      expect(m.api()[0]?.params).toMatchObject({ filterType: "stage", filterValues: "Won" })
      const error = yield* Effect.flip(
        Stream.runDrain(MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("myCustom", "x")] }))
      )
      expect(error._tag).toBe("MarketoFault")
      expect(error.message).toContain("Invalid filterType myCustom")
    }).pipe(Effect.provide(m.client))
  })

  it.effect("what REST cannot express is refused before anything is sent, naming what would work", () => {
    const m = withMarketo(() => ok([]))
    return Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [MarketoClient.GetParams, RegExp]> = [
        [{ type: "Program", criteria: [eq("Created At", "2024-01-01", "GE")] }, /Name EQ.*Updated At GE/],
        [{ type: "Program", criteria: [eq("Updated At", "2024-01-01", "GT")] }, /use Updated At GE or LE/],
        [{ type: "Program", criteria: [eq("Name", "a"), eq("Id", "3")] }, /by Name alone/],
        [{ type: "Program", criteria: [eq("Tag Type", "Region")] }, /Tag Type EQ and Tag Value EQ together/],
        [{ type: "Program", criteria: [eq("Updated At", "yesterday", "GE")] }, /ISO-8601/],
        [{ type: "Program", externalKey: { name: "Name", value: "x" } }, /read it by id, or by Name EQ/],
        [{ type: "Opportunity", criteria: [eq("Stage", "Won", "NE")] }, /use EQ/],
        [{ type: "Opportunity", criteria: [eq("Stage", "Won"), eq("Name", "x")] }, /one criterion alone/],
        [
          {
            type: "OpportunityPersonRole",
            associations: [{ mObjType: "Opportunity", externalKey: { name: "externalOpportunityId", value: "a,b" } }]
          },
          /compound key/
        ]
      ]
      for (const [params, message] of cases) {
        const error = yield* Effect.flip(Stream.runDrain(MarketoClient.getMObjects(params)))
        expect(error._tag).toBe("ValidationError")
        expect(error.message).toMatch(message)
      }
      expect(m.sent).toEqual([])
    }).pipe(Effect.provide(m.client))
  })
})
