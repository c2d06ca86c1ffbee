/**
 * The emulator's REST reads answer as Adobe's docs show them (help/rest-api in
 * AdobeDocs/marketo-developer.en): `idField` as a filter type (lead-database.md), an Asset read
 * that finds nothing (emails.md, error-codes.md), which program read carries costs and tags,
 * Asset times, program types, statuses, `headStart` and the `status` filter (programs.md,
 * field-types.md), and the program types of tag types and channels (tags.md, channels.md).
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Emulator from "../src/Emulator.js"
import * as Seed from "../src/Seed.js"
import { soapClient } from "./helpers/clients.js"
import { type Answer, codeOf, noAssets, restOf } from "./helpers/rest.js"

const started = (seed?: Seed.SeedData) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.make(seed === undefined ? {} : { seed })
    const { call } = yield* restOf(emulator.restUrl, emulator.identityUrl)
    return { emulator, call }
  })

// A program of each type programs.md names, from the SOAP type the seed stores.
const types: Seed.SeedData["programs"] = [
  { id: 1, name: "Plain", type: "Marketing Program" },
  { id: 2, name: "Show", type: "Marketing Event" },
  { id: 3, name: "Online", type: "Event with Webinar" },
  { id: 4, name: "Track", type: "Nurture" },
  { id: 5, name: "Send", type: "Email Program" }
]

const first = (answer: Answer): Record<string, unknown> => answer.body.result?.[0] ?? {}

describe("emulator REST reads as Adobe documents them", () => {
  it.scoped("filterType=idField reads opportunities and roles by marketoGUID, by GET and by POST ?_method=GET", () =>
    Effect.gen(function*() {
      const { call } = yield* started()
      yield* call("/v1/opportunities.json", {
        json: { action: "createOnly", input: [{ externalOpportunityId: "D-1", name: "Documented" }] }
      })
      yield* call("/v1/opportunities/roles.json", {
        json: { action: "createOnly", input: [{ externalOpportunityId: "D-1", leadId: 19, role: "Buyer" }] }
      })
      const guidOf = (path: string) =>
        Effect.map(
          call(`${path}?filterType=externalOpportunityId&filterValues=D-1`),
          (answer) => String(first(answer)["marketoGUID"])
        )
      for (const path of ["/v1/opportunities.json", "/v1/opportunities/roles.json"]) {
        const guid = yield* guidOf(path)
        const byGet = yield* call(`${path}?filterType=idField&filterValues=${guid}`)
        expect([byGet.body.success, byGet.body.result?.map((r) => r["marketoGUID"])]).toEqual([true, [guid]])
        const byPost = yield* call(`${path}?_method=GET`, { form: { filterType: "idField", filterValues: guid } })
        expect(byPost.body.result?.map((r) => r["marketoGUID"])).toEqual([guid])
        // A GUID that names nothing: success and an empty result, as lead-database.md says.
        const none = yield* call(`${path}?filterType=idField&filterValues=0f0f0009-0000-4000-8000-000000000001`)
        expect([none.body.success, none.body.result]).toEqual([true, []])
      }
    }))

  it.scoped("an Asset read that finds nothing succeeds with Adobe's warning and no result; an update of no program is 702", () =>
    Effect.gen(function*() {
      const { call } = yield* started()
      for (
        const path of [
          "/asset/v1/program/99999.json",
          "/asset/v1/program/byName.json?name=Nope",
          "/asset/v1/program/byTag.json?tagType=Region&tagValue=APAC",
          "/asset/v1/programs.json?filterType=id&filterValues=99999",
          "/asset/v1/programs.json?offset=1000",
          "/asset/v1/tagTypes.json?offset=1000",
          "/asset/v1/channels.json?offset=1000",
          "/asset/v1/channel/byName.json?name=Nope"
        ]
      ) {
        const answer = yield* call(path)
        expect([path, answer.body]).toEqual([path, {
          requestId: expect.any(String),
          success: true,
          errors: [],
          warnings: [noAssets]
        }])
      }
      const update = yield* call("/asset/v1/program/99999.json", { form: { description: "x" } })
      expect([update.body.success, codeOf(update)]).toEqual([false, "702"])
    }))

  it.scoped("costs only from byName with includeCosts; tags by id, by tag and byName with includeTags", () =>
    Effect.gen(function*() {
      const { call } = yield* started()
      const costsAndTags = (answer: Answer) => {
        const program = first(answer)
        return [
          "costs" in program ? program["costs"] : "absent",
          "tags" in program ? program["tags"] : "absent"
        ]
      }
      const emea = [{ tagType: "Region", tagValue: "EMEA" }]
      const cost = [{ startDate: "2013-04-01", cost: 800 }]
      expect(costsAndTags(yield* call("/asset/v1/program/1002.json"))).toEqual([null, emea])
      expect(costsAndTags(yield* call("/asset/v1/program/byName.json?name=Product%20Webinar"))).toEqual([null, null])
      expect(costsAndTags(yield* call("/asset/v1/program/byName.json?name=Product%20Webinar&includeTags=true")))
        .toEqual([null, emea])
      expect(
        costsAndTags(
          yield* call("/asset/v1/program/byName.json?name=Product%20Webinar&includeTags=true&includeCosts=true")
        )
      ).toEqual([cost, emea])
      expect(costsAndTags(yield* call("/asset/v1/program/byTag.json?tagType=Region&tagValue=EMEA")))
        .toEqual(["absent", emea])
      expect(costsAndTags(yield* call("/asset/v1/programs.json?filterType=id&filterValues=1002")))
        .toEqual(["absent", "absent"])
      // The update answers the program with its costs and tags, as programs.md's example does.
      const updated = yield* call("/asset/v1/program/1002.json", { form: { description: "Updated" } })
      expect(costsAndTags(updated)).toEqual([cost, emea])
    }))

  it.scoped("Asset times are written as Adobe's answers write them: UTC, Z, then +0000", () =>
    Effect.gen(function*() {
      const { call } = yield* started()
      const adobe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\+0000$/
      for (
        const path of [
          "/asset/v1/program/1970.json",
          "/asset/v1/program/byName.json?name=Summer%20Trade%20Show%202013",
          "/asset/v1/program/byTag.json?tagType=Region&tagValue=EMEA",
          "/asset/v1/programs.json",
          "/asset/v1/channels.json"
        ]
      ) {
        const times = (yield* call(path)).body.result?.flatMap((r) => [r["createdAt"], r["updatedAt"]]) ?? []
        expect(times.length).toBeGreaterThan(0)
        for (const time of times) expect([path, time]).toEqual([path, expect.stringMatching(adobe)])
      }
      // The seed's default time, 2013-01-01 at midnight UTC.
      expect(first(yield* call("/asset/v1/program/1970.json"))["createdAt"]).toBe("2013-01-01T00:00:00Z+0000")
      // An update's time too.
      const updated = yield* call("/asset/v1/program/1970.json", { form: { description: "Booth" } })
      expect(first(updated)["updatedAt"]).toEqual(expect.stringMatching(adobe))
    }))

  it.scoped("program types and statuses as programs.md's answers write them; SOAP keeps its own types", () =>
    Effect.gen(function*() {
      const { call, emulator } = yield* started({ programs: types })
      const expected = [
        [1, "Default", ""],
        [2, "Event", ""],
        [3, "Event with Webinar", ""],
        [4, "Engagement", "on"],
        [5, "Email", "unlocked"]
      ]
      const typeAndStatus = (r: Record<string, unknown>) => [r["id"], r["type"], r["status"]]
      const byId = []
      for (const id of [1, 2, 3, 4, 5]) byId.push(typeAndStatus(first(yield* call(`/asset/v1/program/${id}.json`))))
      expect(byId).toEqual(expected)
      const browsed = yield* call("/asset/v1/programs.json")
      expect(browsed.body.result?.map(typeAndStatus).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(expected)
      const byName = yield* call("/asset/v1/program/byName.json?name=Track")
      expect(typeAndStatus(first(byName))).toEqual(expected[3])
      // The SOAP side answers the program types as they are stored.
      const viaSoap = yield* Effect.provide(
        Stream.runCollect(MarketoClient.getMObjects({ type: "Program", id: 4 })),
        soapClient(emulator)
      )
      const [track] = Chunk.toReadonlyArray(viaSoap)
      expect(track?._tag === "Program" ? track.attributes["Type"] : undefined).toBe("Nurture")
    }))
  it.scoped("programs.json filters by status as programs.md documents; another value is 1003", () =>
    Effect.gen(function*() {
      const { call } = yield* started({ programs: types })
      const ids = (answer: Answer) => (answer.body.result ?? []).map((r) => r["id"]).sort()
      expect(ids(yield* call("/asset/v1/programs.json?status=on"))).toEqual([4])
      expect(ids(yield* call("/asset/v1/programs.json?status=unlocked"))).toEqual([5])
      // Valid values that no program has here (the emulator keeps no status): a read that finds nothing.
      for (const status of ["off", "locked"]) {
        const none = yield* call(`/asset/v1/programs.json?status=${status}`)
        expect([status, none.body.success, none.body.result, none.body.warnings]).toEqual([status, true, undefined, [
          noAssets
        ]])
      }
      // With the other filters, all of them apply.
      expect(ids(yield* call("/asset/v1/programs.json?status=on&filterType=id&filterValues=4,5"))).toEqual([4])
      for (const bad of ["ON", "active", ""]) {
        const refused = yield* call(`/asset/v1/programs.json?status=${bad}`)
        expect([bad, refused.body.success, codeOf(refused)]).toEqual([bad, false, "1003"])
      }
    }))

  it.scoped("every program answer carries headStart false, as programs.md's do", () =>
    Effect.gen(function*() {
      const { call } = yield* started()
      for (
        const path of [
          "/asset/v1/program/1002.json",
          "/asset/v1/program/byName.json?name=Product%20Webinar",
          "/asset/v1/program/byTag.json?tagType=Region&tagValue=EMEA",
          "/asset/v1/programs.json"
        ]
      ) {
        const flags = (yield* call(path)).body.result?.map((r) => r["headStart"]) ?? []
        expect(flags.length).toBeGreaterThan(0)
        expect([path, flags]).toEqual([path, flags.map(() => false)])
      }
      const updated = yield* call("/asset/v1/program/1002.json", { form: { description: "Updated" } })
      expect(first(updated)["headStart"]).toBe(false)
    }))

  it.scoped("tag types and channels name program types as tags.md and channels.md write them; a tag type's allowable values only by name", () =>
    Effect.gen(function*() {
      const { call } = yield* started()
      const tagTypes = (yield* call("/asset/v1/tagTypes.json")).body.result ?? []
      expect(tagTypes.length).toBeGreaterThan(0)
      for (const tagType of tagTypes) {
        expect(tagType["applicableProgramTypes"]).toBe("[program,email_batch,nurture,event,webinar]")
        // Allowable values come only from a read by name (tags.md), written `[A, B]`.
        expect(tagType).not.toHaveProperty("allowableValues")
      }
      const name = String(tagTypes[0]?.["tagType"])
      const byName = (yield* call(`/asset/v1/tagType/byName.json?name=${encodeURIComponent(name)}`)).body.result ?? []
      expect(byName).toHaveLength(1)
      expect(byName[0]?.["tagType"]).toBe(name)
      expect(String(byName[0]?.["allowableValues"])).toMatch(/^\[[^,\]]+(, [^,\]]+)*\]$/)
      // A search without what it searches by is 701 (cannot be blank), as for programs.
      for (
        const blank of [
          "/asset/v1/tagType/byName.json?name=",
          "/asset/v1/program/byName.json",
          "/asset/v1/program/byTag.json?tagType=Region",
          "/asset/v1/channel/byName.json",
          "/asset/v1/channel/byName.json?name="
        ]
      ) {
        expect((yield* call(blank)).body.errors?.[0]?.code).toBe("701")
      }
      const missing = (yield* call("/asset/v1/tagType/byName.json?name=No%20such%20type")).body
      expect([missing.success, missing.result, missing.warnings]).toEqual([
        true,
        undefined,
        ["No assets found for the given search criteria."]
      ])
      const channels = (yield* call("/asset/v1/channels.json")).body.result ?? []
      expect(channels.length).toBeGreaterThan(0)
      for (const channel of channels) expect(channel["applicableProgramType"]).toBe("program")
    }))

  it.scoped("channels carry their progression statuses as channels.md shows them; channel/byName.json answers the browse's item", () =>
    Effect.gen(function*() {
      const { call } = yield* started()
      const channels = (yield* call("/asset/v1/channels.json")).body.result ?? []
      expect(channels.length).toBeGreaterThan(1)
      for (const channel of channels) {
        const statuses = channel["progressionStatuses"] as ReadonlyArray<Record<string, unknown>>
        expect([channel["name"], statuses.length > 1]).toEqual([channel["name"], true])
        // channels.md's fields, with their types: a name, a step, no description, hidden and success flags.
        for (const status of statuses) {
          expect(status).toEqual({
            name: expect.any(String),
            step: expect.any(Number),
            description: null,
            hidden: false,
            success: expect.any(Boolean)
          })
        }
        // As in every documented channel: "Not in Program" first at step 0, steps rising, some step success.
        expect(statuses[0]).toMatchObject({ name: "Not in Program", step: 0, success: false })
        const steps = statuses.map((s) => Number(s["step"]))
        expect(steps).toEqual([...steps].sort((a, b) => a - b))
        expect(statuses.some((s) => s["success"] === true)).toBe(true)
        // By name: the same item as the browse's, id and statuses included.
        const byName = yield* call(`/asset/v1/channel/byName.json?name=${encodeURIComponent(String(channel["name"]))}`)
        expect([byName.body.success, byName.body.result]).toEqual([true, [channel]])
        // The Swagger spells the parameter `Name`: the same answer.
        const swagger = yield* call(`/asset/v1/channel/byName.json?Name=${encodeURIComponent(String(channel["name"]))}`)
        expect(swagger.body.result).toEqual([channel])
      }
      // channels.md's own example channel, as it shows it.
      const online = yield* call("/asset/v1/channel/byName.json?name=Online%20Advertising")
      expect((first(online)["progressionStatuses"] as ReadonlyArray<Record<string, unknown>>).map((s) => [
        s["name"],
        s["step"],
        s["success"]
      ])).toEqual([
        ["Not in Program", 0, false],
        ["Invited", 10, false],
        ["Registered", 20, false],
        ["No Show", 30, false],
        ["Attended", 40, true]
      ])
      // A channel seeded beyond the default ones has statuses too.
      const seeded = yield* started({ tagTypes: [{ type: "Channel", values: ["Carrier Pigeon"] }] })
      const pigeon = first(yield* seeded.call("/asset/v1/channel/byName.json?name=Carrier%20Pigeon"))
      expect([pigeon["id"], pigeon["name"], (pigeon["progressionStatuses"] as ReadonlyArray<unknown>).length > 1])
        .toEqual([1, "Carrier Pigeon", true])
    }))
})
