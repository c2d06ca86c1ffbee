/**
 * The JSON the client sends, checked against what Adobe's REST fields mean, not only against
 * their shape: each field gets a value no other field has, and must arrive under the REST
 * name Adobe gives that meaning (this table is written from Adobe's opportunity and role
 * describe, independently of the client's own mapping). The emulator cannot see a swap such
 * as amount and expectedRevenue, since it reads with the client's mapping.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as RestTransport from "../src/RestTransport.js"
import { fake, ok, type Sent, tokens } from "./helpers/fakeMarketo.js"

const identityPath = "/identity/oauth/token"

const recording = () => {
  const t = tokens()
  const f = fake((s) =>
    s.path === identityPath
      ? t.route()
      : ok((JSON.parse(s.body) as { input: ReadonlyArray<unknown> }).input.map((_, seq) => ({
        seq,
        marketoGUID: `g${seq}`,
        status: "created"
      })))
  )
  const client = MarketoClient.layer({ retry: { maxAttempts: 1 }, rateLimit: { calls: 1e9 } }).pipe(
    Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
  )
  const records = () => f.sent.filter((s: Sent) => s.path !== identityPath)
  return { client, records }
}

// Finite decimals; -0 is sent as 0, which JSON cannot tell apart.
const decimal = FastCheck.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x === 0 ? 0 : x)

const inputOf = (s: Sent | undefined) =>
  (JSON.parse(s?.body ?? "{}") as { input: ReadonlyArray<Record<string, unknown>> }).input

describe("the JSON sent means what Adobe's fields mean", () => {
  it.effect("every Opportunity field arrives under its REST name, with its own value", () => {
    const m = recording()
    return Effect.gen(function*() {
      // Distinct numbers, texts and days, so a swap of any two fields shows.
      yield* MarketoClient.syncMObjects([
        Opportunity.make({
          externalKey: { name: "externalOpportunityId", value: "K" },
          amount: 1.25,
          expectedRevenue: 2.5,
          quantity: 3.75,
          probability: 4,
          fiscalQuarter: 3,
          fiscalYear: 2031,
          closeDate: new Date("2030-01-01"),
          externalCreatedDate: new Date("2030-02-02T08:09:10Z"),
          lastActivityDate: new Date("2030-03-03"),
          description: "t-description",
          fiscal: "t-fiscal",
          forecastCategoryName: "t-forecast",
          leadSource: "t-source",
          name: "t-name",
          nextStep: "t-next",
          stage: "t-stage",
          type: "t-type",
          isClosed: true,
          isWon: false,
          company: { externalKey: { name: "externalCompanyId", value: "t-company" } }
        })
      ], "UPSERT")
      expect(inputOf(m.records()[0])[0]).toEqual({
        externalOpportunityId: "K",
        amount: 1.25,
        expectedRevenue: 2.5,
        quantity: 3.75,
        probability: 4,
        fiscalQuarter: 3,
        fiscalYear: 2031,
        closeDate: "2030-01-01",
        externalCreatedDate: "2030-02-02T08:09:10+00:00",
        lastActivityDate: "2030-03-03",
        description: "t-description",
        fiscal: "t-fiscal",
        forecastCategoryName: "t-forecast",
        leadSource: "t-source",
        name: "t-name",
        nextStep: "t-next",
        stage: "t-stage",
        type: "t-type",
        isClosed: true,
        isWon: false,
        externalCompanyId: "t-company"
      })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a role's fields and its compound key arrive under their REST names", () => {
    const m = recording()
    return Effect.gen(function*() {
      yield* MarketoClient.syncMObjects([
        OpportunityPersonRole.make({
          role: "t-role",
          isPrimary: true,
          externalCreatedDate: new Date("2030-04-04T23:59:59Z"),
          lead: { id: 77 },
          opportunity: { externalKey: { name: "externalOpportunityId", value: "t-opp" } }
        })
      ], "UPSERT")
      expect(inputOf(m.records()[0])[0]).toEqual({
        externalOpportunityId: "t-opp",
        leadId: 77,
        role: "t-role",
        isPrimary: true,
        externalCreatedDate: "2030-04-04T23:59:59+00:00"
      })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("custom fields are typed by the instance's describe, fetched once per client; unknown ones go as text", () => {
    const t = tokens()
    const f = fake((s) =>
      s.path === identityPath
        ? t.route()
        : s.path.endsWith("/describe.json")
        ? ok([{
          idField: "marketoGUID",
          dedupeFields: ["externalOpportunityId"],
          fields: [
            { name: "seats", dataType: "integer" },
            { name: "margin", dataType: "currency" },
            { name: "renewal", dataType: "boolean" },
            { name: "region", dataType: "string" }
          ]
        }])
        : ok((JSON.parse(s.body) as { input: ReadonlyArray<unknown> }).input.map((_, seq) => ({
          seq,
          marketoGUID: `g${seq}`,
          status: "created"
        })))
    )
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    const custom = (customFields: Record<string, string>) =>
      Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "K" }, customFields })
    return Effect.gen(function*() {
      yield* MarketoClient.syncMObjects([
        custom({ seats: "12", margin: "1250.5", renewal: "1", region: "07", other: "3" }),
        custom({ seats: "twelve", renewal: "maybe" })
      ], "UPSERT")
      yield* MarketoClient.syncMObjects([custom({ seats: "4" })], "UPSERT")
      const sent = f.sent.filter((s) => s.path === "/rest/v1/opportunities.json")
      expect(inputOf(sent[0])).toEqual([
        { externalOpportunityId: "K", seats: 12, margin: 1250.5, renewal: true, region: "07", other: "3" },
        // Text the field's type cannot hold faithfully goes as text: REST says what is wrong.
        { externalOpportunityId: "K", seats: "twelve", renewal: "maybe" }
      ])
      expect(inputOf(sent[1])).toEqual([{ externalOpportunityId: "K", seats: 4 }])
      expect(f.sent.filter((s) => s.path.endsWith("/describe.json"))).toHaveLength(1)
    }).pipe(Effect.provide(client))
  })

  it.effect.prop(
    "amount and expectedRevenue are never swapped, whatever their values",
    [decimal, decimal],
    ([amount, expectedRevenue]) => {
      const m = recording()
      return Effect.gen(function*() {
        yield* MarketoClient.syncMObjects([
          Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "K" }, amount, expectedRevenue })
        ], "UPSERT")
        const [sent] = inputOf(m.records()[0])
        expect([sent?.["amount"], sent?.["expectedRevenue"]]).toEqual([amount, expectedRevenue])
      }).pipe(Effect.provide(m.client))
    },
    { fastCheck: { numRuns: 20 } }
  )

  it.effect.prop(
    "no request carries more than 300 records, and every object is sent once",
    [FastCheck.integer({ min: 1, max: 1_000 })],
    ([n]) => {
      const m = recording()
      return Effect.gen(function*() {
        const objects = Array.from(
          { length: n },
          (_, i) => Opportunity.make({ externalKey: { name: "externalOpportunityId", value: `o${i}` } })
        )
        const outcomes = yield* MarketoClient.syncMObjects(objects, "INSERT")
        expect(outcomes).toHaveLength(n)
        const sizes = m.records().map((s) => inputOf(s).length)
        expect(Math.max(...sizes)).toBeLessThanOrEqual(300)
        expect(m.records().flatMap((s) => inputOf(s).map((r) => r["externalOpportunityId"]))).toEqual(
          objects.map((o) => o.externalKey?.value)
        )
      }).pipe(Effect.provide(m.client))
    },
    { fastCheck: { numRuns: 8 } }
  )
})
