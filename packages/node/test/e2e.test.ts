/**
 * End to end, every operation: the Node client (`NodeMarketo.layer`) against the emulator
 * over real HTTP on loopback. What is sent is compared with what Marketo (the emulator)
 * then holds, read back through getMObjects and the model mapping.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import type * as MObject from "@mktows/core/MObject"
import * as Opportunity from "@mktows/core/Opportunity"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Program from "@mktows/core/Program"
import * as Emulator from "@mktows/emulator/Emulator"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as NodeMarketo from "../src/NodeMarketo.js"
import { opportunity, withE2E, written } from "./helpers/e2e.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const readOne = (type: MarketoClient.GetParams["type"], id: number) =>
  Effect.map(collect(MarketoClient.getMObjects({ type, id })), (objects) => objects[0])

const asOpportunity = (object: MObject.MObject | undefined): Opportunity.Opportunity => {
  expect(object?._tag).toBe("Opportunity")
  return object as Opportunity.Opportunity
}

const asRole = (object: MObject.MObject | undefined): OpportunityPersonRole.OpportunityPersonRole => {
  expect(object?._tag).toBe("OpportunityPersonRole")
  return object as OpportunityPersonRole.OpportunityPersonRole
}

const asProgram = (object: MObject.MObject | undefined): Program.Program => {
  expect(object?._tag).toBe("Program")
  return object as Program.Program
}

const idOf = (outcome: { readonly id?: number } | undefined): number => {
  expect(outcome?.id).toBeGreaterThan(0)
  return outcome?.id ?? 0
}

describe("e2e: syncMObjects", () => {
  it.live("INSERT creates opportunities with typed fields, a custom field, an external key and a company", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const sent = [opportunity(1), new Opportunity.Opportunity({ ...opportunity(2), company: { id: 8 } })]
        const outcomes = yield* MarketoClient.syncMObjects(sent, "INSERT")
        expect(outcomes.map((o) => [o.index, o.status, o.externalKey])).toEqual([
          [0, "CREATED", { name: "opportunityId", value: "E2E-1" }],
          [1, "CREATED", { name: "opportunityId", value: "E2E-2" }]
        ])
        expect(outcomes[0]?.input).toBe(sent[0])
        expect(new Set(outcomes.map(idOf)).size).toBe(2)

        for (const [i, outcome] of outcomes.entries()) {
          const back = asOpportunity(yield* readOne("Opportunity", idOf(outcome)))
          expect(back.id).toBe(outcome.id)
          expect(written(back)).toEqual(written(sent[i]!))
          expect(back.customFields).toEqual({ Region: i === 0 ? "Americas" : "EMEA" })
          expect(back.createdAt).toBeDefined()
        }
        // The company sent by external key COMP-1 is Company 7; the other was sent by id.
        const companies = yield* Effect.forEach(outcomes, (o) => readOne("Opportunity", idOf(o)))
        expect(companies.map((o) => asOpportunity(o).company)).toEqual([{ id: 7 }, { id: 8 }])

        const stats = yield* emulator.stats
        expect(stats.objects).toEqual({ Opportunity: { CREATED: 2 } })
        expect(stats.stored.Opportunity).toBe(4)
        expect(stats.faults).toEqual({})
      })
    ))

  it.live("UPDATE by id or external key changes only what is sent; again it is UNCHANGED; unknown is SKIPPED", () =>
    withE2E(() =>
      Effect.gen(function*() {
        const created = yield* MarketoClient.syncMObjects([opportunity(1), opportunity(2)], "INSERT")
        const [a, b] = created.map(idOf)
        const changes = [
          Opportunity.make({ id: a!, stage: "Closed Won", isWon: true, isClosed: true, amount: 99.5 }),
          Opportunity.make({ externalKey: { name: "opportunityId", value: "E2E-2" }, customFields: { Region: "APAC" } })
        ]
        const updated = yield* MarketoClient.syncMObjects(changes, "UPDATE")
        expect(updated.map((o) => [o.status, o.id])).toEqual([["UPDATED", a], ["UPDATED", b]])

        const again = yield* MarketoClient.syncMObjects(changes, "UPDATE")
        expect(again.map((o) => o.status)).toEqual(["UNCHANGED", "UNCHANGED"])

        const backA = asOpportunity(yield* readOne("Opportunity", a!))
        expect(written(backA)).toEqual(
          written(
            new Opportunity.Opportunity({
              ...opportunity(1),
              stage: "Closed Won",
              isWon: true,
              isClosed: true,
              amount: 99.5
            })
          )
        )
        const backB = asOpportunity(yield* readOne("Opportunity", b!))
        expect(backB.customFields).toEqual({ Region: "APAC" })
        expect(backB.name).toBe(opportunity(2).name)

        // Nothing to update is no problem for the batch: SKIPPED is not FAILED.
        const missing = yield* MarketoClient.syncMObjects([Opportunity.make({ id: 999_999, name: "x" })], "UPDATE")
        expect(missing.map((o) => o.status)).toEqual(["SKIPPED"])
        expect(missing[0]?.error).toBeDefined()
      })
    ))

  it.live("UPSERT updates what its external key finds and creates the rest", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const [first] = yield* MarketoClient.syncMObjects([opportunity(1)], "INSERT")
        const changed = new Opportunity.Opportunity({ ...opportunity(1), nextStep: "Sign", probability: 90 })
        const outcomes = yield* MarketoClient.syncMObjects([changed, opportunity(3)], "UPSERT")
        expect(outcomes.map((o) => o.status)).toEqual(["UPDATED", "CREATED"])
        expect(outcomes[0]?.id).toBe(first?.id)
        expect(outcomes[1]?.id).not.toBe(first?.id)
        expect(written(asOpportunity(yield* readOne("Opportunity", idOf(first))))).toEqual(written(changed))
        expect((yield* emulator.stats).stored.Opportunity).toBe(4)
      })
    ))

  it.live("UPSERT of an unknown id among objects keyed by external key: CREATED under a new id, nothing IN_DOUBT", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        // The issue's case: 250 by external key, one (in the second call) by an id that names
        // no stored object. The emulator, as documented, creates it under a new id.
        const sent = Array.from(
          { length: 250 },
          (_, i) =>
            i === 120 ? Opportunity.make({ id: 999_999, name: "sent with an unknown id" }) : opportunity(i, "UP")
        )
        const outcomes = yield* MarketoClient.syncMObjects(sent, "UPSERT")
        expect(outcomes.map((o) => o.status)).toEqual(sent.map(() => "CREATED"))
        const created = outcomes[120]!
        const newId = idOf(created)
        expect(newId).not.toBe(999_999)
        expect(created.error).toBe(
          `Marketo created this object under the new id ${newId}: the id 999999 it was sent with named no stored object`
        )
        expect(outcomes.filter((o) => o.error !== undefined)).toEqual([created])
        expect(asOpportunity(yield* readOne("Opportunity", newId)).name).toBe("sent with an unknown id")
        expect((yield* emulator.stats).stored.Opportunity).toBe(2 + 250)
      })
    ))

  it.live("over REST, an Opportunity sent with an integer id is refused before anything is sent", () =>
    Effect.gen(function*() {
      // REST names opportunities by external key or marketoGUID only, so the unknown-id case
      // of UPSERT cannot arise there: the object is a ValidationError naming its place.
      const emulator = yield* Emulator.make()
      const keyed = (i: number) =>
        Opportunity.make({ externalKey: { name: "externalOpportunityId", value: `R-${i}` }, name: `r${i}` })
      const error = yield* MarketoClient.syncMObjects(
        [keyed(0), Opportunity.make({ id: 999_999, name: "x" }), keyed(2)],
        "UPSERT"
      ).pipe(
        Effect.flip,
        Effect.provide(NodeMarketo.layerRest(
          RestConfig.layer({
            endpoint: emulator.restUrl,
            clientId: "mktows-demo-client",
            clientSecret: "mktows-demo-secret"
          })
        ))
      )
      expect(error._tag).toBe("ValidationError")
      expect(error._tag === "ValidationError" ? error.issues.map((i) => [i.index, i.path]) : []).toEqual([[1, ["id"]]])
      expect((yield* emulator.stats).stored.Opportunity).toBe(2)
    }).pipe(Effect.scoped))

  it.live("OpportunityPersonRoles: by ids, and by associations in the same call as their opportunity", () =>
    withE2E(() =>
      Effect.gen(function*() {
        const byKey = OpportunityPersonRole.make({
          opportunity: { externalKey: { name: "opportunityId", value: "ROLE-10" } },
          lead: { externalKey: { name: "leadId", value: "LEAD-19" } },
          role: "Champion",
          isPrimary: true,
          externalCreatedDate: new Date("2024-05-01")
        })
        const byIds = OpportunityPersonRole.make({
          opportunityId: 64,
          personId: 20,
          role: "Influencer",
          isPrimary: false
        })
        const outcomes = yield* MarketoClient.syncMObjects([opportunity(10, "ROLE"), byKey, byIds], "INSERT")
        expect(outcomes.map((o) => [o.input._tag, o.status])).toEqual([
          ["Opportunity", "CREATED"],
          ["OpportunityPersonRole", "CREATED"],
          ["OpportunityPersonRole", "CREATED"]
        ])
        const [opportunityId, roleId, otherRoleId] = outcomes.map(idOf)

        const roles = yield* collect(MarketoClient.getMObjects({
          type: "OpportunityPersonRole",
          associations: [{ mObjType: "Opportunity", externalKey: { name: "opportunityId", value: "ROLE-10" } }]
        }))
        expect(roles.map(asRole).map(({ createdAt: _c, updatedAt: _u, ...rest }) => rest)).toEqual([{
          _tag: "OpportunityPersonRole",
          id: roleId,
          opportunityId,
          personId: 19,
          role: "Champion",
          isPrimary: true,
          externalCreatedDate: new Date("2024-05-01"),
          customFields: {}
        }])

        // Opportunity 64 had the seeded role 30; now it has the new one too.
        const ofSeeded = yield* collect(MarketoClient.getMObjects({
          type: "OpportunityPersonRole",
          associations: [{ mObjType: "Opportunity", id: 64 }]
        }))
        expect(ofSeeded.map((r) => r.id)).toEqual([30, otherRoleId])

        const renamed = OpportunityPersonRole.make({
          id: roleId!,
          opportunityId: opportunityId!,
          personId: 19,
          role: "Economic Buyer"
        })
        const upserted = yield* MarketoClient.syncMObjects([renamed], "UPSERT")
        expect(upserted.map((o) => [o.status, o.id])).toEqual([["UPDATED", roleId]])
        const back = asRole(yield* readOne("OpportunityPersonRole", roleId!))
        expect([back.role, back.isPrimary, back.personId]).toEqual(["Economic Buyer", true, 19])
      })
    ))

  it.live("Program 1970: the cost 153 is updated and a tag added (UPDATE), then the same is UNCHANGED", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const program = Program.make({
          id: 1970,
          costs: [{ id: 153, month: "2013-06", amount: 2000 }],
          tags: [{ type: "Region", value: "EMEA" }]
        })
        const outcomes = yield* MarketoClient.syncMObjects([program], "UPDATE")
        expect(outcomes.map((o) => [o.status, o.id])).toEqual([["UPDATED", 1970]])

        const readProgram = Effect.map(
          collect(MarketoClient.getMObjects({ type: "Program", id: 1970, includeDetails: true })),
          (objects) => asProgram(objects[0])
        )
        const back = yield* readProgram
        // The note of the cost is kept: an UPDATE of a cost changes what it carries.
        expect(back.costs).toEqual([{ id: 153, month: "2013-06", amount: 2000, note: "Booth" }])
        expect(back.tags).toEqual([{ type: "Channel", value: "Trade Show" }, { type: "Region", value: "EMEA" }])
        expect(back.attributes["Name"]).toBe("Summer Trade Show 2013")

        expect((yield* MarketoClient.syncMObjects([program], "UPDATE")).map((o) => o.status)).toEqual(["UNCHANGED"])

        // A cost without an id is a new cost.
        const added = yield* MarketoClient.syncMObjects(
          [Program.make({ id: 1970, costs: [{ month: "2013-07", amount: 12.34, note: "Coffee" }] })],
          "UPDATE"
        )
        expect(added.map((o) => o.status)).toEqual(["UPDATED"])
        const costs = (yield* readProgram).costs
        expect(costs.map((c) => [c.month, c.amount, c.note])).toEqual([["2013-06", 2000, "Booth"], [
          "2013-07",
          12.34,
          "Coffee"
        ]])

        // A Program outside UPDATE never leaves the client.
        const calls = (yield* emulator.stats).calls.syncMObjects
        const invalid = yield* Effect.flip(MarketoClient.syncMObjects([program], "UPSERT"))
        expect(invalid._tag).toBe("ValidationError")
        expect((yield* emulator.stats).calls.syncMObjects).toBe(calls)
      })
    ))

  it.live("syncStream sends any number of objects and emits one outcome per object, in input order", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const outcomes = yield* collect(
          Stream.range(0, 136).pipe(
            Stream.map((i) => opportunity(i, "STREAM")),
            MarketoClient.syncStream("INSERT")
          )
        )
        expect(outcomes.map((o) => o.index)).toEqual(Array.from({ length: 137 }, (_, i) => i))
        expect(outcomes.every((o) => o.status === "CREATED")).toBe(true)
        expect(outcomes.map((o) => o.externalKey?.value)).toEqual(outcomes.map((o) => `STREAM-${o.index}`))
        const stats = yield* emulator.stats
        expect(stats.calls.syncMObjects).toBe(5)
        expect(stats.stored.Opportunity).toBe(139)
      }), { client: { chunkSize: 30 } }))
})

describe("e2e: getMObjects", () => {
  it.live(
    "250 opportunities read back as a Stream across pages equal what was sent, and a read resumes",
    () =>
      withE2E(() =>
        Effect.gen(function*() {
          const sent = Array.from({ length: 250 }, (_, i) => opportunity(i, "PAGE"))
          const outcomes = yield* MarketoClient.syncMObjects(sent, "INSERT")
          const sentById = new Map(outcomes.map((o) => [idOf(o), sent[o.index]!]))

          const pages = yield* collect(MarketoClient.getMObjectsPages({ type: "Opportunity" }))
          // 250 created and the 2 seeded ones, 100 per page.
          expect(pages.map((p) => [p.objects.length, p.hasMore])).toEqual([[100, true], [100, true], [52, false]])
          const all = pages.flatMap((p) => p.objects).map(asOpportunity)
          expect(new Set(all.map((o) => o.id)).size).toBe(252)
          const mine = all.filter((o) => sentById.has(o.id!))
          expect(mine.length).toBe(250)
          for (const back of mine) {
            expect(written(back)).toEqual(written(sentById.get(back.id!)!))
            expect(back.company).toEqual({ id: 7 })
          }

          const streamed = yield* collect(MarketoClient.getMObjects({ type: "Opportunity" }))
          expect(streamed.map((o) => o.id)).toEqual(all.map((o) => o.id))

          // A read resumed from the first page's position gives exactly the rest.
          const rest = yield* collect(
            MarketoClient.getMObjects({ type: "Opportunity", streamPosition: pages[0]!.streamPosition })
          )
          expect(rest.map((o) => o.id)).toEqual(all.slice(100).map((o) => o.id))
          const atEnd = yield* collect(
            MarketoClient.getMObjects({ type: "Opportunity", streamPosition: pages[2]!.streamPosition })
          )
          expect(atEnd).toEqual([])
        })
      ),
    30_000
  )

  it.live("criteria narrow a read; a position from another query is refused with 20122", () =>
    withE2E(() =>
      Effect.gen(function*() {
        yield* MarketoClient.syncMObjects(Array.from({ length: 120 }, (_, i) => opportunity(i, "CRIT")), "INSERT")
        const big = yield* collect(MarketoClient.getMObjects({
          type: "Opportunity",
          criteria: [{ attrName: "Amount", comparison: "GE", attrValue: "1100" }]
        }))
        // Amounts are 1000.25 + i: i = 100..119 qualify, and the seeded 12500.
        expect(big.length).toBe(21)
        expect(big.map(asOpportunity).every((o) => (o.amount ?? 0) >= 1100)).toBe(true)

        const [page] = yield* collect(Stream.take(MarketoClient.getMObjectsPages({ type: "Opportunity" }), 1))
        const refused = yield* Effect.flip(collect(MarketoClient.getMObjects({
          type: "OpportunityPersonRole",
          streamPosition: page!.streamPosition
        })))
        expect(refused).toMatchObject({ _tag: "MarketoFault", code: 20122 })
      })
    ))
})

describe("e2e: describeMObject, deleteMObjects, listMObjects", () => {
  it.live("describeMObject reports the standard and custom fields; an unknown object is fault 20110, not retried", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const metadata = yield* MarketoClient.describeMObject("Opportunity")
        expect(metadata.name).toBe("Opportunity")
        const fields = new Map(metadata.fieldList?.map((f) => [f.name, f]))
        expect(fields.get("Amount")).toMatchObject({ dataType: "currency", isCustom: false })
        expect(fields.get("Region")).toMatchObject({ dataType: "string", isCustom: true })
        expect(fields.get("Id")).toMatchObject({ isReadonly: true, isPrimaryKey: true })
        for (const name of Opportunity.standardFieldNames) expect(fields.has(name)).toBe(true)

        const roles = yield* MarketoClient.describeMObject("OpportunityPersonRole")
        expect(roles.fieldList?.map((f) => f.name)).toEqual(
          expect.arrayContaining([...OpportunityPersonRole.standardFieldNames])
        )

        const unknown = yield* Effect.flip(MarketoClient.describeMObject("Spaceship"))
        expect(unknown).toMatchObject({ _tag: "MarketoFault", code: 20110 })
        const stats = yield* emulator.stats
        expect(stats.calls.describeMObject).toBe(3)
        expect(stats.faults).toEqual({ "20110": 1 })
      })
    ))

  it.live("deleteMObjects deletes by id, in input order; an opportunity takes its roles with it", () =>
    withE2E((emulator) =>
      Effect.gen(function*() {
        const created = yield* MarketoClient.syncMObjects([
          opportunity(1),
          OpportunityPersonRole.make({
            opportunity: { externalKey: { name: "opportunityId", value: "E2E-1" } },
            personId: 19,
            role: "User"
          })
        ], "INSERT")
        const [opportunityId, roleId] = created.map(idOf)
        const outcomes = yield* MarketoClient.deleteMObjects([
          { type: "OpportunityPersonRole", id: roleId! },
          { type: "Opportunity", id: opportunityId! },
          { type: "Opportunity", id: 64 },
          { type: "Opportunity", id: 999_999 }
        ])
        expect(outcomes.map((o) => [o.index, o.status, o.id])).toEqual([
          [0, "DELETED", roleId],
          [1, "DELETED", opportunityId],
          [2, "DELETED", 64],
          [3, "UNCHANGED", 999_999]
        ])
        expect(yield* readOne("Opportunity", opportunityId!)).toBeUndefined()
        expect(yield* readOne("OpportunityPersonRole", roleId!)).toBeUndefined()
        const stats = yield* emulator.stats
        // Seeded: opportunities 64 and 65, role 30 (of 64, so gone with it).
        expect(stats.stored).toMatchObject({ Opportunity: 1, OpportunityPersonRole: 0 })

        const calls = stats.calls.deleteMObjects
        const invalid = yield* Effect.flip(MarketoClient.deleteMObjects([{ type: "Opportunity", id: 0 }]))
        expect(invalid).toMatchObject({ _tag: "ValidationError", issues: [{ index: 0, path: ["id"] }] })
        expect((yield* emulator.stats).calls.deleteMObjects).toBe(calls)
      })
    ))

  it.live("listMObjects names the object types", () =>
    withE2E(() =>
      Effect.gen(function*() {
        expect(yield* MarketoClient.listMObjects()).toEqual([
          "ActivityRecord",
          "LeadRecord",
          "Opportunity",
          "OpportunityPersonRole"
        ])
      })
    ))
})
