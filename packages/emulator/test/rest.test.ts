/**
 * The emulator's REST side: MarketoClient over REST end to end, one store shared with SOAP,
 * answers in the shapes of Adobe's Swagger (where the reference is present) and of the
 * project's Schemas (always), tokens that expire, and the identity endpoint.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Program from "@mktows/core/Program"
import * as RestWire from "@mktows/rest/RestWire"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Swagger from "../../rest/test/helpers/swagger.js"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorCommand from "../src/EmulatorCommand.js"
import { restClient, soapClient } from "./helpers/clients.js"
import { beyondDocumented } from "./helpers/rest.js"

const ext = (value: string) => ({ name: "externalOpportunityId", value })

const fetchJson = (url: string, init: RequestInit = {}) =>
  Effect.promise(() => fetch(url, init).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown })))

const tokenOf = (emulator: Emulator.EmulatorShape) =>
  Effect.map(
    fetchJson(`${emulator.identityUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=mktows-demo-client&client_secret=mktows-demo-secret"
    }),
    (r) => (r.body as { access_token: string }).access_token
  )

const guidOf = (emulator: Emulator.EmulatorShape, ext: string) =>
  Effect.gen(function*() {
    const token = yield* tokenOf(emulator)
    const answer = yield* fetchJson(
      `${emulator.restUrl}/v1/opportunities.json?filterType=externalOpportunityId&filterValues=${ext}`,
      { headers: { authorization: `Bearer ${token}` } }
    )
    return String((answer.body as { result: ReadonlyArray<{ marketoGUID: string }> }).result[0]?.marketoGUID)
  })

const checked = (file: Swagger.SwaggerFile, definition: string, body: unknown) => {
  if (Swagger.available) expect(beyondDocumented(Swagger.differences(file, definition, body))).toEqual([])
}

describe("emulator REST", () => {
  it.scoped("MarketoClient over REST: create, read back, update, delete opportunities", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const run = <A, E>(effect: Effect.Effect<A, E, MarketoClient.MarketoClient>) =>
        Effect.provide(effect, restClient(emulator))
      const created = yield* run(MarketoClient.syncMObjects([
        Opportunity.make({ externalKey: ext("R-1"), name: "Chairs", amount: 1604.47, isWon: false, stage: "Open" }),
        Opportunity.make({ externalKey: ext("R-2"), name: "Tables", probability: 40 })
      ], "INSERT"))
      expect(created.map((o) => o.status)).toEqual(["CREATED", "CREATED"])
      expect(created[0]?.externalKey).toEqual(ext("R-1"))
      // The marketoGUID of a record, from a read by it (a role created by its compound key gets it in its outcome).
      const guid = { name: "marketoGUID", value: yield* guidOf(emulator, "R-1") }
      const again = yield* run(
        MarketoClient.syncMObjects([Opportunity.make({ externalKey: ext("R-1") })], "INSERT", { failOnPartial: false })
      )
      expect(again[0]?.status).toBe("SKIPPED")
      const read = yield* run(
        Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext("R-1") }))
      )
      const [first] = Chunk.toReadonlyArray(read)
      expect(first?._tag === "Opportunity" && [first.name, first.amount, first.isWon, first.stage]).toEqual([
        "Chairs",
        1604.47,
        false,
        "Open"
      ])
      const updated = yield* run(MarketoClient.syncMObjects(
        [
          Opportunity.make({ externalKey: { name: "marketoGUID", value: guid?.value ?? "" }, stage: "Won" }),
          Opportunity.make({ externalKey: ext("R-missing"), stage: "Won" })
        ],
        "UPDATE",
        { failOnPartial: false }
      ))
      expect(updated.map((o) => o.status)).toEqual(["UPDATED", "SKIPPED"])
      const deleted = yield* run(MarketoClient.deleteMObjects([
        { type: "Opportunity", externalKey: { name: "marketoGUID", value: guid?.value ?? "" } },
        { type: "Opportunity", externalKey: ext("R-2") },
        { type: "Opportunity", externalKey: ext("R-2") }
      ], { failOnPartial: false }))
      expect(deleted.map((o) => o.status)).toEqual(["DELETED", "DELETED", "UNCHANGED"])
      const left = yield* run(
        Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext("R-1") }))
      )
      expect(Chunk.size(left)).toBe(0)
    }))

  it.scoped("one store: a SOAP write is read over REST and a REST write over SOAP", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* Effect.provide(
        MarketoClient.syncMObjects(
          [Opportunity.make({ externalKey: ext("S-1"), name: "via SOAP", amount: 10 })],
          "INSERT"
        ),
        soapClient(emulator)
      )
      const viaRest = yield* Effect.provide(
        Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext("S-1") })),
        restClient(emulator)
      )
      expect(Chunk.toReadonlyArray(viaRest).map((o) => o._tag === "Opportunity" ? o.name : "")).toEqual(["via SOAP"])
      yield* Effect.provide(
        Effect.zipRight(
          MarketoClient.syncMObjects([Opportunity.make({ externalKey: ext("S-1"), name: "via REST" })], "UPDATE"),
          MarketoClient.syncMObjects([
            OpportunityPersonRole.make({ role: "Buyer", lead: { id: 19 }, opportunity: { externalKey: ext("S-1") } })
          ], "UPSERT")
        ),
        restClient(emulator)
      )
      const viaSoap = yield* Effect.provide(
        Effect.all([
          Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext("S-1") })),
          Stream.runCollect(MarketoClient.getMObjects({
            type: "OpportunityPersonRole",
            associations: [{ mObjType: "Opportunity", externalKey: ext("S-1") }]
          }))
        ]),
        soapClient(emulator)
      )
      const [opportunities, roles] = viaSoap.map(Chunk.toReadonlyArray)
      expect(opportunities?.map((o) => o._tag === "Opportunity" ? o.name : "")).toEqual(["via REST"])
      expect(roles?.map((o) => o._tag === "OpportunityPersonRole" ? o.role : "")).toEqual(["Buyer"])
    }))

  it.scoped("a role naming a lead or an opportunity that is not there is FAILED over both transports, not SKIPPED", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const roles = [
        OpportunityPersonRole.make({ role: "Buyer", lead: { id: 999_999 }, opportunity: { externalKey: ext("S-1") } }),
        OpportunityPersonRole.make({ role: "Buyer", lead: { id: 19 }, opportunity: { externalKey: ext("NO-SUCH") } })
      ]
      yield* Effect.provide(
        MarketoClient.syncMObjects([Opportunity.make({ externalKey: ext("S-1"), name: "one" })], "INSERT"),
        soapClient(emulator)
      )
      for (const operation of ["INSERT", "UPSERT"] as const) {
        for (const client of [soapClient(emulator), restClient(emulator)]) {
          const outcomes = yield* Effect.provide(
            MarketoClient.syncMObjects(roles, operation, { failOnPartial: false }),
            client
          )
          expect(outcomes.map((o) => o.status)).toEqual(["FAILED", "FAILED"])
        }
      }
      // What UPDATE skips by design (an opportunity that is not there) stays SKIPPED over REST.
      const skipped = yield* Effect.provide(
        MarketoClient.syncMObjects([Opportunity.make({ externalKey: ext("NO-SUCH"), name: "x" })], "UPDATE"),
        restClient(emulator)
      )
      expect(skipped.map((o) => o.status)).toEqual(["SKIPPED"])
    }))

  it.scoped("a Program UPDATE over REST appends its cost and sets its tag; SOAP reads them", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const outcomes = yield* Effect.provide(
        MarketoClient.syncMObjects(
          [
            Program.make({
              id: 1970,
              costs: [{ month: "2013-07", amount: 2000, note: "Ads" }],
              tags: [{ type: "Region", value: "EMEA" }]
            }),
            Program.make({ id: 4242, costs: [{ month: "2013-07", amount: 1 }] })
          ],
          "UPDATE",
          { failOnPartial: false }
        ),
        restClient(emulator)
      )
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED", "SKIPPED"])
      const [program] = Chunk.toReadonlyArray(
        yield* Effect.provide(
          Stream.runCollect(MarketoClient.getMObjects({ type: "Program", id: 1970, includeDetails: true })),
          soapClient(emulator)
        )
      )
      expect(program?._tag === "Program" && program.costs.map((c) => [c.month, c.amount])).toEqual([
        ["2013-06", 1500],
        ["2013-07", 2000]
      ])
      expect(program?._tag === "Program" && program.tags.map((t) => t.value)).toContain("EMEA")
    }))

  it.scoped("Programs read over REST by Workspace Name have the costs and tags SOAP reads (programs.json lists neither)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const soapRead = (criteria: ReadonlyArray<{ attrName: string; comparison: "EQ"; attrValue: string }>) =>
        Stream.runCollect(MarketoClient.getMObjects({ type: "Program", criteria }))
      const [seeded] = Chunk.toReadonlyArray(
        yield* Effect.provide(
          Stream.runCollect(MarketoClient.getMObjects({ type: "Program", id: 1970 })),
          soapClient(emulator)
        )
      )
      const workspace = seeded?._tag === "Program" ? seeded.attributes["Workspace Name"] ?? "" : ""
      const byWorkspace = [{ attrName: "Workspace Name", comparison: "EQ" as const, attrValue: workspace }]
      const costsAndTags = (found: Chunk.Chunk<unknown>) =>
        Chunk.toReadonlyArray(found).map((o) => {
          const p = o as Program.Program
          return [p.id, p.costs.map((c) => [c.month, c.amount]), p.tags.map((t) => [t.type, t.value])]
        })
      const viaSoap = costsAndTags(yield* Effect.provide(soapRead(byWorkspace), soapClient(emulator)))
      const viaRest = costsAndTags(yield* Effect.provide(soapRead(byWorkspace), restClient(emulator)))
      expect(viaRest).toEqual(viaSoap)
      // Not vacuous: program 1970 has a cost and tags.
      const [, costs, tags] = viaSoap.find(([id]) => id === 1970) ?? []
      expect(costs).toEqual([["2013-06", 1500]])
      expect(tags).not.toEqual([])
    }))

  it.scoped("a Program read over REST and synced back (its costs, and its tags with the channel's) is UNCHANGED, none added twice; a new cost beside them is added once", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const rest = <A, E>(effect: Effect.Effect<A, E, MarketoClient.MarketoClient>) =>
        Effect.provide(effect, restClient(emulator))
      const readProgram = Effect.map(
        rest(Stream.runCollect(MarketoClient.getMObjects({ type: "Program", id: 1970 }))),
        (found) => Chunk.toReadonlyArray(found).flatMap((o) => o._tag === "Program" ? [o] : [])[0]
      )
      const read = yield* readProgram
      const costs = read?.costs ?? []
      const tags = read?.tags ?? []
      expect(costs.map((c) => [c.month, c.amount])).toEqual([["2013-06", 1500]])
      // Not vacuous: the channel comes back as a tag of type Channel, as SOAP shows it.
      expect(tags.map((t) => t.type)).toContain("Channel")
      // REST can only add costs and cannot change the channel: what the program has is left alone.
      const again = yield* rest(MarketoClient.syncMObjects([Program.make({ id: 1970, costs, tags })], "UPDATE"))
      expect(again.map((o) => o.status)).toEqual(["UNCHANGED"])
      expect((yield* readProgram)?.costs).toEqual(costs)
      const more = [...costs, { month: "2013-07", amount: 10 }]
      const added = yield* rest(MarketoClient.syncMObjects([Program.make({ id: 1970, costs: more, tags })], "UPDATE"))
      expect(added.map((o) => o.status)).toEqual(["UPDATED"])
      expect((yield* readProgram)?.costs).toEqual(more)
    }))

  it.scoped("answers fit the Swagger definitions and the project's Schemas", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const token = yield* tokenOf(emulator)
      const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" }
      const identity = yield* fetchJson(
        `${emulator.identityUrl}/oauth/token?grant_type=client_credentials&client_id=mktows-demo-client&client_secret=mktows-demo-secret`
      )
      checked("swagger-identity.json", "ResponseOfIdentity", identity.body)
      Schema.decodeUnknownSync(RestWire.IdentityResponse)(identity.body)
      const sync = yield* fetchJson(`${emulator.restUrl}/v1/opportunities.json`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          action: "createOnly",
          input: [{ externalOpportunityId: "W-1", name: "x" }, { name: "no key" }]
        })
      })
      checked("swagger-mapi.json", "ResponseOfCustomObject", sync.body)
      const statuses = Schema.decodeUnknownSync(RestWire.StatusResponse)(sync.body)
      expect(statuses.result?.map((r) => r.status)).toEqual(["created", "skipped"])
      const query = yield* fetchJson(
        `${emulator.restUrl}/v1/opportunities.json?filterType=externalOpportunityId&filterValues=W-1&fields=name,marketoGUID`,
        { headers: auth }
      )
      checked("swagger-mapi.json", "ResponseOfCustomObject", query.body)
      const [found] = Schema.decodeUnknownSync(RestWire.QueryResponse)(query.body).result ?? []
      expect(found !== undefined && !RestWire.isQueryMiss(found) ? found["name"] : undefined).toBe("x")
      for (const path of ["/v1/opportunities/describe.json", "/v1/opportunities/roles/describe.json"]) {
        const describe = yield* fetchJson(emulator.restUrl + path, { headers: auth })
        checked("swagger-mapi.json", "ResponseOfObjectMetaData", describe.body)
        Schema.decodeUnknownSync(RestWire.DescribeResponse)(describe.body)
      }
      const program = yield* fetchJson(`${emulator.restUrl}/asset/v1/program/1970.json`, { headers: auth })
      checked("swagger-asset.json", "ResponseOfProgramResponse", program.body)
      Schema.decodeUnknownSync(RestWire.ProgramResponse)(program.body)
      const tagTypes = yield* fetchJson(`${emulator.restUrl}/asset/v1/tagTypes.json`, { headers: auth })
      checked("swagger-asset.json", "ResponseOfTagResponseGetAll", tagTypes.body)
      Schema.decodeUnknownSync(RestWire.TagTypeResponse)(tagTypes.body)
      const channels = yield* fetchJson(`${emulator.restUrl}/asset/v1/channels.json`, { headers: auth })
      checked("swagger-asset.json", "ResponseOfChannelResponse", channels.body)
      const decodedChannels = Schema.decodeUnknownSync(RestWire.ChannelResponse)(channels.body).result ?? []
      // Every channel's statuses decode as the wire schema has them, "Not in Program" first.
      expect(decodedChannels.length).toBeGreaterThan(0)
      expect(decodedChannels.map((c) => c.progressionStatuses?.[0]?.name)).toEqual(
        decodedChannels.map(() => "Not in Program")
      )
      const channel = yield* fetchJson(`${emulator.restUrl}/asset/v1/channel/byName.json?name=Webinar`, {
        headers: auth
      })
      checked("swagger-asset.json", "ResponseOfChannelResponse", channel.body)
      expect(Schema.decodeUnknownSync(RestWire.ChannelResponse)(channel.body).result?.map((c) => c.name)).toEqual([
        "Webinar"
      ])
    }))

  it.scoped("tokens expire after --token-ttl (602); a missing one is 600, an unknown one 601; bad credentials 401", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ tokenTtl: 30 })
      const token = yield* tokenOf(emulator)
      const describe = (headers: Record<string, string>) =>
        Effect.map(fetchJson(`${emulator.restUrl}/v1/opportunities/describe.json`, { headers }), (r) =>
          r.body as {
            success: boolean
            errors: ReadonlyArray<{ code: string }>
          })
      expect((yield* describe({ authorization: `Bearer ${token}` })).success).toBe(true)
      expect((yield* describe({})).errors[0]?.code).toBe("600")
      expect((yield* describe({ authorization: "Bearer nope" })).errors[0]?.code).toBe("601")
      yield* TestClock.adjust("30 seconds")
      expect((yield* describe({ authorization: `Bearer ${token}` })).errors[0]?.code).toBe("602")
      // Still 602 once a new token was minted: a client holding the old one is told it expired.
      const renewed = yield* tokenOf(emulator)
      expect(renewed).not.toBe(token)
      expect((yield* describe({ authorization: `Bearer ${token}` })).errors[0]?.code).toBe("602")
      expect((yield* describe({ authorization: `Bearer ${renewed}` })).success).toBe(true)
      const bad = yield* fetchJson(`${emulator.identityUrl}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&client_id=mktows-demo-client&client_secret=wrong"
      })
      expect(bad.status).toBe(401)
      // The client refreshes on its own before expiry, and its errors say AuthFault for bad credentials.
      const error = yield* Effect.flip(Effect.provide(MarketoClient.listMObjects(), restClient(emulator, "wrong")))
      expect(error._tag).toBe("AuthFault")
    }))

  it.scoped("injected faults speak REST: 606, 615, 611 or a dropped connection, classified by the client", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ faultRate: 1 }).pipe(Effect.withRandom(Random.make(7)))
      const token = yield* tokenOf(emulator)
      const seen = new Set<string>()
      for (let i = 0; i < 12; i++) {
        const answer = yield* Effect.promise(() =>
          fetch(`${emulator.restUrl}/v1/opportunities/describe.json`, { headers: { authorization: `Bearer ${token}` } })
            .then(async (r) =>
              String(((await r.json()) as { errors: ReadonlyArray<{ code: string }> }).errors[0]?.code)
            )
            .catch(() => "dropped")
        )
        seen.add(answer)
      }
      expect([...seen].every((code) => ["606", "615", "611", "dropped"].includes(code))).toBe(true)
      expect(seen.size).toBeGreaterThan(1)
      const error = yield* Effect.flip(
        Effect.provide(MarketoClient.describeMObject("Opportunity"), restClient(emulator))
      )
      expect(["MarketoFault", "TransportError"]).toContain(error._tag)
    }))

  it.effect("the command line takes --client-id, --client-secret and --token-ttl", () =>
    Effect.gen(function*() {
      const options = yield* EmulatorCommand.options([
        "--client-id",
        "cid",
        "--client-secret",
        "csecret",
        "--token-ttl",
        "5"
      ])
      const value = Option.getOrThrow(options)
      expect([value.clientId, value.clientSecret && Redacted.value(value.clientSecret), value.tokenTtl]).toEqual([
        "cid",
        "csecret",
        5
      ])
      expect((yield* Effect.flip(EmulatorCommand.options(["--token-ttl", "0"])))._tag).toBe("UsageError")
      expect((yield* Effect.flip(EmulatorCommand.options(["--client-secret", " "])))._tag).toBe("UsageError")
    }))
})
