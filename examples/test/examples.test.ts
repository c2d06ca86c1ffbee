/**
 * Each example's `program`, run in-process against a fresh emulator, checked by what it left
 * in the emulator, and the environment's choice of Marketo. The `pnpm example` runner itself is
 * spawned in runner.slow.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import type * as MObject from "@mktows/core/MObject"
import * as Emulator from "@mktows/emulator/Emulator"
import * as Chunk from "effect/Chunk"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as BulkUpsert from "../bulk-upsert-opportunities.js"
import * as CreateOpportunityPersonRole from "../create-opportunity-person-role.js"
import * as CreateOpportunity from "../create-opportunity.js"
import * as DeleteOpportunities from "../delete-opportunities.js"
import * as DescribeOpportunity from "../describe-opportunity.js"
import * as Environment from "../internal/environment.js"
import * as ReadPrograms from "../read-programs.js"
import * as UpdateProgramCost from "../update-program-cost.js"

// A fresh emulator per test (each `Effect.provide` builds the Layer anew), and a client for it.
const fresh = Layer.unwrapEffect(Effect.map(Emulator.Emulator, (emulator) => Environment.emulatorClient(emulator.url)))
  .pipe(Layer.provideMerge(Emulator.layer()))

const read = (params: MarketoClient.GetParams) =>
  MarketoClient.getMObjects(params).pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray))

const only = <T extends MObject.MObject["_tag"]>(tag: T, objects: ReadonlyArray<MObject.MObject>) =>
  objects.filter((object): object is Extract<MObject.MObject, { _tag: T }> => object._tag === tag)

const stored = (type: string) =>
  Effect.map(Emulator.Emulator, (e) => e.stats).pipe(
    Effect.flatten,
    Effect.map((stats) => stats.stored[type] ?? 0)
  )

describe("examples against the emulator", () => {
  it.live("update-program-cost sets cost 153 of Program 1970 to 2000, and a rerun changes nothing", () =>
    Effect.gen(function*() {
      const outcomes = yield* UpdateProgramCost.program
      expect(outcomes.map((o) => [o.status, o.id])).toEqual([["UPDATED", 1970]])
      const [program] = only("Program", yield* read({ type: "Program", id: 1970, includeDetails: true }))
      expect(program?.costs).toEqual([{ id: 153, month: "2013-06", amount: 2000, note: "Booth" }])
      const again = yield* UpdateProgramCost.program
      expect(again.map((o) => o.status)).toEqual(["UNCHANGED"])
    }).pipe(Effect.provide(fresh)))

  it.live("create-opportunity creates the opportunity, linked to Company 7; a rerun updates the same one", () =>
    Effect.gen(function*() {
      const before = yield* stored("Opportunity")
      const created = yield* CreateOpportunity.program
      expect(created.status).toBe("CREATED")
      const [opportunity] = only("Opportunity", yield* read({ type: "Opportunity", id: created.id }))
      expect(opportunity?.externalKey).toEqual({ name: "opportunityId", value: "OPP-2024-ACME-1" })
      expect(opportunity?.name).toBe("Acme: analytics expansion")
      expect(opportunity?.amount).toBe(25000)
      expect(opportunity?.closeDate).toEqual(new Date("2024-09-30"))
      expect(opportunity?.company).toEqual({ id: 7 })
      const again = yield* CreateOpportunity.program
      expect(again.id).toBe(created.id)
      expect(yield* stored("Opportunity")).toBe(before + 1)
    }).pipe(Effect.provide(fresh)))

  it.live("create-opportunity-person-role links Lead 19 to the new opportunity as primary Decision Maker", () =>
    Effect.gen(function*() {
      const { opportunityId, roleId } = yield* CreateOpportunityPersonRole.program
      const [role] = only("OpportunityPersonRole", yield* read({ type: "OpportunityPersonRole", id: roleId }))
      expect(role).toMatchObject({ opportunityId, personId: 19, role: "Decision Maker", isPrimary: true })
      expect(only("Opportunity", yield* read({ type: "Opportunity", id: opportunityId }))).toHaveLength(1)
    }).pipe(Effect.provide(fresh)))

  it.live("bulk-upsert-opportunities creates every generated opportunity once; a rerun only finds them", () =>
    Effect.gen(function*() {
      const before = yield* stored("Opportunity")
      const summary = yield* BulkUpsert.upsertOpportunities(500)
      expect(summary).toMatchObject({ count: 500, byStatus: { CREATED: 500 }, problemCount: 0, problems: [] })
      expect(yield* stored("Opportunity")).toBe(before + 500)
      const [last] = only(
        "Opportunity",
        yield* read({ type: "Opportunity", externalKey: { name: "opportunityId", value: "BULK-000500" } })
      )
      expect(last?.name).toBe("Generated opportunity 500")
      const rerun = yield* BulkUpsert.upsertOpportunities(500)
      expect(rerun.byStatus).toEqual({ UNCHANGED: 500 })
      expect(yield* stored("Opportunity")).toBe(before + 500)
    }).pipe(Effect.provide(fresh)))

  it.live("bulk-upsert-opportunities takes its count from BULK_COUNT and rejects a bad one", () =>
    Effect.gen(function*() {
      const withCount = (text: string) =>
        BulkUpsert.requestedCount.pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["BULK_COUNT", text]])))
        )
      expect(yield* withCount("750")).toBe(750)
      expect((yield* Effect.flip(withCount("0")))._tag).toBe("BadCount")
      expect((yield* Effect.flip(withCount("1e3")))._tag).toBe("BadCount")
      expect(yield* BulkUpsert.requestedCount.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
        .toBe(BulkUpsert.defaultCount)
    }))

  it.live("read-programs reads all four seeded programs and resumes after them with nothing new", () =>
    Effect.gen(function*() {
      const result = yield* ReadPrograms.program
      expect([...result.ids].sort()).toEqual([1001, 1002, 1003, 1970])
      expect(result.pages).toBe(1)
      expect(result.streamPosition).not.toBe("")
      expect(result.resumed).toBe(0)
    }).pipe(Effect.provide(fresh)))

  it.live("describe-opportunity returns the standard fields and the instance's custom ones", () =>
    Effect.gen(function*() {
      const metadata = yield* DescribeOpportunity.program
      expect(metadata.name).toBe("Opportunity")
      const names = metadata.fieldList.map((field) => field.name)
      expect(names).toEqual(expect.arrayContaining(["Amount", "CloseDate", "Name", "Stage", "opportunityId"]))
      expect(metadata.fieldList.find((field) => field.name === "opportunityId")?.isCustom).toBe(true)
    }).pipe(Effect.provide(fresh)))

  it.live("delete-opportunities deletes what it created, and nothing is left to read", () =>
    Effect.gen(function*() {
      const before = yield* stored("Opportunity")
      const result = yield* DeleteOpportunities.program
      expect(result.ids).toHaveLength(3)
      expect(result.statuses).toEqual(["DELETED", "DELETED", "DELETED"])
      expect(result.remaining).toBe(0)
      expect(yield* stored("Opportunity")).toBe(before)
    }).pipe(Effect.provide(fresh)))
})

describe("the examples' environment", () => {
  const withEnv = (entries: ReadonlyArray<readonly [string, string]>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))

  it.live("starts an in-process emulator when MARKETO_SOAP_ENDPOINT is blank", () =>
    Effect.gen(function*() {
      const objects = yield* MarketoClient.listMObjects().pipe(Effect.provide(Environment.layer))
      expect(objects).toContain("Opportunity")
    }).pipe(withEnv([["MARKETO_SOAP_ENDPOINT", " "]])))

  it.live("calls the Marketo of MARKETO_SOAP_ENDPOINT with the MARKETO_* credentials", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* UpdateProgramCost.program.pipe(
        Effect.provide(Environment.layer),
        withEnv([
          ["MARKETO_SOAP_ENDPOINT", emulator.url],
          ["MARKETO_USER_ID", Environment.demoCredentials.userId],
          ["MARKETO_ENCRYPTION_KEY", "27272727aa"]
        ])
      )
      // The update reached this emulator, not one of the environment's own.
      expect((yield* emulator.stats).calls["syncMObjects"]).toBe(1)
    }).pipe(Effect.provide(Emulator.layer())))
})
