/**
 * The emulator's object semantics, exercised over real HTTP with the project's own codec:
 * sync (INSERT/UPDATE/UPSERT, SKIPPED, UNCHANGED, Program rules, roles, external keys),
 * delete, get (criteria, paging, stream positions), describe and list.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Opportunity from "@mktows/core/Opportunity"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Emulator from "../src/Emulator.js"
import { Table } from "../src/internal/table.js"
import * as Seed from "../src/Seed.js"
import { call, post } from "./helpers/soap.js"

const faultCode = <A, E extends object>(effect: Effect.Effect<A, E>) =>
  Effect.flip(effect).pipe(Effect.map((error) => "code" in error ? error.code : undefined))

const withEmulator = <A, E>(
  f: (url: string) => Effect.Effect<A, E>,
  options: Emulator.Options = {}
) => Effect.scoped(Effect.flatMap(Emulator.make(options), (emulator) => f(emulator.url)))

const sync = (url: string, operation: Wire.SyncOperation, ...mObjectList: Array<Wire.MObject>) =>
  call(url, "syncMObjects", { mObjectList, operation }).pipe(Effect.map((r) => r.mObjStatusList))

const attribs = (fields: Record<string, string>): Array<Wire.Attrib> =>
  Object.entries(fields).map(([name, value]) => ({ name, value }))

const cost = (fields: Record<string, string>): Wire.TypeAttrib => ({ attrType: "Cost", attrList: attribs(fields) })
const tag = (type: string, value: string): Wire.TypeAttrib => ({
  attrType: "Tag",
  attrList: attribs({ Type: type, Value: value })
})

const program = (url: string, id: number) =>
  call(url, "getMObjects", { type: "Program", id, includeDetails: true }).pipe(
    Effect.map((r) => r.mObjectList?.[0])
  )

const fieldsOf = (object: Wire.MObject | undefined) =>
  Object.fromEntries((object?.attribList ?? []).map((a) => [a.name, a.value]))

const costsOf = (object: Wire.MObject | undefined) =>
  (object?.typeAttribList ?? []).filter((t) => t.attrType === "Cost").map((t) =>
    fieldsOf({ type: "", attribList: t.attrList ?? [] })
  )

const tagsOf = (object: Wire.MObject | undefined) =>
  (object?.typeAttribList ?? []).filter((t) => t.attrType === "Tag").map((t) =>
    fieldsOf({ type: "", attribList: t.attrList ?? [] })
  )

const opportunity = (url: string, id: number) =>
  call(url, "getMObjects", { type: "Opportunity", id }).pipe(Effect.map((r) => r.mObjectList?.[0]))

// The documented syncMObjects request, element for element, with its documented signature
// (a 2013 timestamp, hence signatureTtl 0).
const documentedRequest =
  `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.marketo.com/mktows/">
  <SOAP-ENV:Header>
    <ns1:AuthenticationHeader>
      <mktowsUserId>demo17_1_809934544BFABAE58E5D27</mktowsUserId>
      <requestSignature>40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7</requestSignature>
      <requestTimestamp>2013-08-05T14:22:45-07:00</requestTimestamp>
    </ns1:AuthenticationHeader>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <ns1:paramsSyncMObjects>
      <mObjectList>
        <mObject>
          <type>Program</type>
          <id>1970</id>
          <typeAttribList>
            <typeAttrib>
              <attrType>Cost</attrType>
              <attrList>
                <attrib><name>Month</name><value>2013-06</value></attrib>
                <attrib><name>Amount</name><value>2000</value></attrib>
                <attrib><name>Id</name><value>153</value></attrib>
              </attrList>
            </typeAttrib>
          </typeAttribList>
        </mObject>
      </mObjectList>
      <operation>UPDATE</operation>
    </ns1:paramsSyncMObjects>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>`

describe("Emulator: documented example", () => {
  it.live("the documented syncMObjects request updates Program 1970's cost 153, then is UNCHANGED", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const first = yield* post(url, documentedRequest)
        expect(first.status).toBe(200)
        const result = yield* SoapCodec.decodeResponse("syncMObjects", first.text)
        expect(result.mObjStatusList).toEqual([{ id: 1970, status: "UPDATED" }])
        const costs = costsOf(yield* program(url, 1970))
        expect(costs).toEqual([{ Id: "153", Month: "2013-06-01", Amount: "2000", Note: "Booth" }])
        const again = yield* SoapCodec.decodeResponse("syncMObjects", (yield* post(url, documentedRequest)).text)
        expect(again.mObjStatusList).toEqual([{ id: 1970, status: "UNCHANGED" }])
      }), { signatureTtl: 0 }))
})

describe("Emulator: Program", () => {
  it.live("is UPDATE-only, with existing tag types and values, cost Id updating and no Id adding", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const base: Wire.MObject = { type: "Program", id: 1970, typeAttribList: [tag("Channel", "Webinar")] }
        const [insert] = yield* sync(url, "INSERT", base)
        expect(insert?.status).toBe("FAILED")
        expect(insert?.error).toMatch(/UPDATE/)
        const [upsert] = yield* sync(url, "UPSERT", base)
        expect(upsert?.status).toBe("FAILED")
        expect(yield* sync(url, "UPDATE", { ...base, id: 424242 })).toMatchObject([{ id: 424242, status: "SKIPPED" }])

        const results = yield* sync(
          url,
          "UPDATE",
          { type: "Program", id: 1970, typeAttribList: [tag("Flavor", "Mint")] },
          { type: "Program", id: 1970, typeAttribList: [tag("Channel", "Carrier Pigeon")] },
          { type: "Program", id: 1970, typeAttribList: [cost({ Id: "9999", Month: "2013-06", Amount: "1" })] },
          { type: "Program", id: 1970, typeAttribList: [cost({ Month: "2013-13", Amount: "1" })] },
          { type: "Program", id: 1970, typeAttribList: [cost({ Month: "2013-07", Amount: "lots" })] }
        )
        expect(results.map((r) => r.status)).toEqual(["FAILED", "FAILED", "FAILED", "FAILED", "FAILED"])
        expect(results.every((r) => (r.error ?? "").length > 0)).toBe(true)
        // None of the failures changed the program.
        expect(tagsOf(yield* program(url, 1970))).toEqual([{ Type: "Channel", Value: "Trade Show" }])

        expect(yield* sync(url, "UPDATE", base)).toMatchObject([{ id: 1970, status: "UPDATED" }])
        expect(yield* sync(url, "UPDATE", base)).toMatchObject([{ id: 1970, status: "UNCHANGED" }])
        expect(tagsOf(yield* program(url, 1970))).toEqual([{ Type: "Channel", Value: "Webinar" }])

        const added = { type: "Program", id: 1970, typeAttribList: [cost({ Month: "2013-07", Amount: "300.50" })] }
        expect(yield* sync(url, "UPDATE", added)).toMatchObject([{ id: 1970, status: "UPDATED" }])
        const costs = costsOf(yield* program(url, 1970))
        expect(costs).toHaveLength(2)
        expect(costs[0]).toEqual({ Id: "153", Month: "2013-06-01", Amount: "1500", Note: "Booth" })
        expect(costs[1]).toMatchObject({ Month: "2013-07-01", Amount: "300.5" })
        expect(Number(costs[1]!.Id)).toBeGreaterThan(153)
        // The same amount in another spelling is no change.
        const same = {
          type: "Program",
          id: 1970,
          typeAttribList: [cost({ Id: "153", Month: "2013-06", Amount: "1500.00" })]
        }
        expect(yield* sync(url, "UPDATE", same)).toMatchObject([{ status: "UNCHANGED" }])
      })
    ))
})

describe("Emulator: Opportunity", () => {
  it.live("INSERT creates (skipping existing), UPDATE skips missing, identical values are UNCHANGED", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const created = yield* sync(url, "INSERT", {
          type: "Opportunity",
          externalKey: { name: "opportunityId", value: "OPP-NEW" },
          attribList: attribs({
            Name: "New deal",
            Amount: "1000",
            CloseDate: "2014-01-31",
            IsWon: "false",
            Region: "EMEA"
          }),
          associationList: [{ mObjType: "Company", externalKey: { name: "companyId", value: "COMP-1" } }]
        })
        expect(created).toMatchObject([{ status: "CREATED", externalKey: { name: "opportunityId", value: "OPP-NEW" } }])
        const id = created[0]!.id
        expect(id).toBeGreaterThan(65)
        const stored = yield* opportunity(url, id)
        expect(fieldsOf(stored)).toMatchObject({ Name: "New deal", Amount: "1000", IsWon: "0", Region: "EMEA" })
        expect(stored?.associationList).toEqual([{ mObjType: "Company", id: 7 }])
        expect(stored?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)

        const next = yield* sync(url, "INSERT", { type: "Opportunity", attribList: attribs({ Name: "Another" }) })
        expect(next[0]!.id).toBeGreaterThan(id)
        expect(yield* sync(url, "INSERT", { type: "Opportunity", id: 64 })).toMatchObject([{
          id: 64,
          status: "SKIPPED"
        }])
        expect(
          yield* sync(url, "INSERT", { type: "Opportunity", externalKey: { name: "opportunityId", value: "OPP-NEW" } })
        ).toMatchObject([{ id, status: "SKIPPED" }])
        expect(yield* sync(url, "UPDATE", { type: "Opportunity", id: 999_999, attribList: attribs({ Name: "x" }) }))
          .toMatchObject([{ status: "SKIPPED" }])
        expect(
          yield* sync(url, "UPDATE", { type: "Opportunity", id: 64, attribList: attribs({ Stage: "Prospecting" }) })
        )
          .toMatchObject([{ id: 64, status: "UNCHANGED" }])
        expect(yield* sync(url, "UPDATE", { type: "Opportunity", id: 64, attribList: attribs({ Amount: "12500.0" }) }))
          .toMatchObject([{ id: 64, status: "UNCHANGED" }])
        expect(
          yield* sync(url, "UPSERT", { type: "Opportunity", id: 64, attribList: attribs({ Stage: "Closed Won" }) })
        )
          .toMatchObject([{ id: 64, status: "UPDATED" }])
        expect(fieldsOf(yield* opportunity(url, 64))).toMatchObject({ Stage: "Closed Won", Name: "Acme renewal" })
        const upserted = yield* sync(url, "UPSERT", {
          type: "Opportunity",
          externalKey: { name: "opportunityId", value: "OPP-UPSERT" },
          attribList: attribs({ Name: "Upserted" })
        })
        expect(upserted).toMatchObject([{ status: "CREATED" }])
      })
    ))

  it.live("a datetime is kept as the instant it names: another spelling of it is UNCHANGED and matches a criterion; a time out of range is refused", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const created = (value: string) =>
          sync(url, "UPDATE", { type: "Opportunity", id: 64, attribList: attribs({ ExternalCreatedDate: value }) })
        expect(yield* created("2015-05-07T20:47:30-08:00")).toMatchObject([{ id: 64, status: "UPDATED" }])
        expect(fieldsOf(yield* opportunity(url, 64))).toMatchObject({
          ExternalCreatedDate: "2015-05-08T04:47:30+00:00"
        })
        expect(yield* created("2015-05-08T04:47:30Z")).toMatchObject([{ id: 64, status: "UNCHANGED" }])
        expect(yield* created("2015-05-08T06:47:30.250+02:00")).toMatchObject([{ id: 64, status: "UNCHANGED" }])
        const ids = (comparison: Wire.ComparisonEnum, attrValue: string) =>
          call(url, "getMObjects", {
            type: "Opportunity",
            mObjCriteriaList: [{ attrName: "ExternalCreatedDate", comparison, attrValue }]
          }).pipe(Effect.map((r) => (r.mObjectList ?? []).map((o) => o.id)))
        expect(yield* ids("EQ", "2015-05-07T21:47:30-07:00")).toEqual([64])
        expect(yield* ids("GE", "2015-05-08T00:00:00+05:00")).toEqual([64])
        expect(yield* ids("LT", "2015-05-08")).toEqual([])
        for (const bad of ["2015-05-08T25:61:00Z", "2015-05-08T04:47:30+23:99"]) {
          expect(yield* created(bad)).toMatchObject([{ status: "FAILED" }])
        }
      })
    ))

  it.live("fails unknown fields, bad values and unknown companies, one object at a time", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const results = yield* sync(
          url,
          "UPSERT",
          { type: "Opportunity", id: 64, attribList: attribs({ Colour: "red" }) },
          { type: "Opportunity", id: 64, attribList: attribs({ Amount: "12,000" }) },
          { type: "Opportunity", id: 64, attribList: attribs({ CloseDate: "2013-02-30" }) },
          { type: "Opportunity", id: 64, attribList: attribs({ IsWon: "maybe" }) },
          { type: "Opportunity", id: 64, associationList: [{ mObjType: "Company", id: 31337 }] },
          { type: "Opportunity", id: 64, attribList: attribs({ Region: "APAC" }) },
          { type: "Lead", id: 19 }
        )
        expect(results.map((r) => r.status)).toEqual([
          "FAILED",
          "FAILED",
          "FAILED",
          "FAILED",
          "FAILED",
          "UPDATED",
          "FAILED"
        ])
        expect(results[0]!.error).toMatch(/unknown field/)
        expect(results[1]!.error).toMatch(/Amount/)
        expect(results[2]!.error).toMatch(/CloseDate/)
        expect(results[4]!.error).toMatch(/Company/)
        expect(fieldsOf(yield* opportunity(url, 64))).toMatchObject({ Amount: "12500", Region: "APAC" })
      })
    ))

  it.live("keys UPDATE on external keys, the most recently added duplicate winning", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const key = { name: "opportunityId", value: "DUP" }
        expect(
          yield* sync(url, "UPDATE", { type: "Opportunity", externalKey: key, attribList: attribs({ Stage: "Won" }) })
        )
          .toMatchObject([{ id: 71, status: "UPDATED", externalKey: key }])
        expect(fieldsOf(yield* opportunity(url, 71)).Stage).toBe("Won")
        expect(fieldsOf(yield* opportunity(url, 70)).Stage).toBeUndefined()
      }), {
      seed: {
        ...Seed.defaultSeed,
        opportunities: [
          { id: 70, externalKey: { name: "opportunityId", value: "DUP" }, fields: { Name: "older" } },
          { id: 71, externalKey: { name: "opportunityId", value: "DUP" }, fields: { Name: "newer" } }
        ]
      }
    }))
})

describe("Emulator: OpportunityPersonRole", () => {
  it.live("needs an existing opportunity and person, by attribute or association", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const results = yield* sync(
          url,
          "INSERT",
          {
            type: "OpportunityPersonRole",
            attribList: attribs({ OpportunityId: "64", PersonId: "424242", Role: "x" })
          },
          { type: "OpportunityPersonRole", attribList: attribs({ OpportunityId: "999", PersonId: "19", Role: "x" }) },
          { type: "OpportunityPersonRole", attribList: attribs({ Role: "No links" }) },
          { type: "OpportunityPersonRole", attribList: attribs({ OpportunityId: "64", PersonId: "19", Shoe: "9" }) },
          { type: "OpportunityPersonRole", attribList: attribs({ OpportunityId: "64", PersonId: "20", Role: "User" }) },
          {
            type: "OpportunityPersonRole",
            attribList: attribs({ Role: "Champion", IsPrimary: "true" }),
            associationList: [
              { mObjType: "Opportunity", externalKey: { name: "opportunityId", value: "OPP-64" } },
              { mObjType: "Lead", externalKey: { name: "leadId", value: "LEAD-19" } }
            ]
          }
        )
        expect(results.map((r) => r.status)).toEqual(["FAILED", "FAILED", "FAILED", "FAILED", "CREATED", "CREATED"])
        expect(results[3]!.error).toMatch(/unknown field/)
        const roles = yield* call(url, "getMObjects", {
          type: "OpportunityPersonRole",
          mObjAssociationList: [{ mObjType: "Opportunity", id: 64 }]
        })
        expect(roles.mObjectList?.map((r) => fieldsOf(r).Role)).toEqual(["Decision Maker", "User", "Champion"])
        expect(fieldsOf(roles.mObjectList?.[2])).toMatchObject({ OpportunityId: "64", PersonId: "19", IsPrimary: "1" })
      })
    ))

  it.live("can refer to an opportunity created earlier in the same call by external key", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const key = { name: "opportunityId", value: "Opportunity_4" }
        const results = yield* sync(
          url,
          "UPSERT",
          { type: "Opportunity", externalKey: key, attribList: attribs({ Name: "Chocolate" }) },
          {
            type: "OpportunityPersonRole",
            attribList: attribs({ Role: "Buyer", PersonId: "19" }),
            associationList: [{ mObjType: "Opportunity", externalKey: key }]
          }
        )
        expect(results.map((r) => r.status)).toEqual(["CREATED", "CREATED"])
        const role = yield* call(url, "getMObjects", { type: "OpportunityPersonRole", id: results[1]!.id })
        expect(fieldsOf(role.mObjectList?.[0]).OpportunityId).toBe(String(results[0]!.id))
      })
    ))
})

describe("Emulator: deleteMObjects", () => {
  it.live("deletes by id (DELETED), UNCHANGED when missing, FAILED for other types; roles go with their opportunity", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const result = yield* call(url, "deleteMObjects", {
          mObjectList: [
            { type: "OpportunityPersonRole", id: 30 },
            { type: "OpportunityPersonRole", id: 30 },
            { type: "Program", id: 1970 },
            { type: "Opportunity" }
          ]
        })
        expect(result.mObjStatusList.map((s) => [s.id, s.status])).toEqual([
          [30, "DELETED"],
          [30, "UNCHANGED"],
          [1970, "FAILED"],
          [0, "FAILED"]
        ])
        yield* sync(url, "INSERT", {
          type: "OpportunityPersonRole",
          attribList: attribs({ OpportunityId: "64", PersonId: "19", Role: "Again" })
        })
        const deleted = yield* call(url, "deleteMObjects", { mObjectList: [{ type: "Opportunity", id: 64 }] })
        expect(deleted.mObjStatusList).toMatchObject([{ id: 64, status: "DELETED" }])
        expect(yield* opportunity(url, 64)).toBeUndefined()
        const roles = yield* call(url, "getMObjects", { type: "OpportunityPersonRole" })
        expect(roles.returnCount).toBe(0)
      })
    ))
})

const manyOpportunities: Seed.SeedData = {
  ...Seed.defaultSeed,
  opportunityPersonRoles: [],
  opportunities: Array.from({ length: 250 }, (_, i) => ({
    id: 100 + i,
    fields: { Name: `Deal ${i}`, Stage: i % 2 === 0 ? "Even" : "Odd", Amount: String(i) }
  }))
}

describe("Emulator: getMObjects", () => {
  it.live("pages 100 at a time with stream positions, and refuses forged or foreign positions (20122)", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const ids: Array<number> = []
        const pages: Array<[number, boolean]> = []
        let position: string | undefined
        const positions: Array<string> = []
        do {
          const page: Wire.ResultGetMObjects = yield* call(url, "getMObjects", {
            type: "Opportunity",
            ...(position === undefined ? {} : { streamPosition: position })
          })
          pages.push([page.returnCount, page.hasMore])
          ids.push(...(page.mObjectList ?? []).map((o) => o.id!))
          position = page.hasMore ? page.newStreamPosition : undefined
          if (position !== undefined) positions.push(position)
        } while (position !== undefined)
        expect(pages).toEqual([[100, true], [100, true], [50, false]])
        expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => 100 + i))

        const first = positions[0]!
        const flipped = first.slice(0, 3) + (first[3] === "A" ? "B" : "A") + first.slice(4)
        expect(yield* faultCode(call(url, "getMObjects", { type: "Opportunity", streamPosition: flipped }))).toBe(20122)
        expect(yield* faultCode(call(url, "getMObjects", { type: "Opportunity", streamPosition: "bm9wZQ" }))).toBe(
          20122
        )
        const forged = Buffer.from(JSON.stringify({ q: "x", a: 0 })).toString("base64url") + ".c2ln"
        expect(yield* faultCode(call(url, "getMObjects", { type: "Opportunity", streamPosition: forged }))).toBe(20122)
        // A genuine position, but sent with another query.
        expect(yield* faultCode(call(url, "getMObjects", { type: "Program", streamPosition: first }))).toBe(20122)
      }), { seed: manyOpportunities }))

  it.live("filters by criteria and associations", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const get = (params: Omit<Wire.ParamsGetMObjects, "type">, type = "Opportunity") =>
          call(url, "getMObjects", { type, ...params }).pipe(
            Effect.map((r) => (r.mObjectList ?? []).map((o) => o.id))
          )
        const criteria = (attrName: string, comparison: Wire.ComparisonEnum, attrValue: string) => ({
          mObjCriteriaList: [{ attrName, comparison, attrValue }]
        })
        expect(yield* get(criteria("Stage", "EQ", "Prospecting"))).toEqual([64])
        expect(yield* get(criteria("Stage", "NE", "Prospecting"))).toEqual([65])
        expect(yield* get(criteria("Name", "GE", "B"))).toEqual([65])
        expect(yield* get(criteria("Amount", "GT", "9999"))).toEqual([64])
        expect(yield* get(criteria("Id", "LE", "64"))).toEqual([64])
        expect(yield* get(criteria("Created At", "LT", "2014-01-01T00:00:00Z"))).toEqual([64, 65])
        expect(yield* get(criteria("Updated At", "GT", "2014-01-01T00:00:00Z"))).toEqual([])
        expect(
          yield* get({
            mObjAssociationList: [{ mObjType: "Company", externalKey: { name: "companyId", value: "COMP-2" } }]
          })
        )
          .toEqual([65])
        expect(yield* get({ externalKey: { name: "opportunityId", value: "OPP-64" } })).toEqual([64])
        expect(yield* get(criteria("Role", "EQ", "Decision Maker"), "OpportunityPersonRole")).toEqual([30])
        expect(yield* get(criteria("Tag Type", "EQ", "Region"), "Program")).toEqual([1002])
        expect(yield* get(criteria("Tag Value", "EQ", "Email"), "Program")).toEqual([1001])
        expect(yield* get(criteria("Id", "LE", "1002"), "Program")).toEqual([1001, 1002])
        expect(yield* get({}, "Program")).toEqual([1001, 1002, 1003, 1970])
        expect(yield* faultCode(get(criteria("Colour", "EQ", "red")))).toBe(20114)
        expect(yield* faultCode(get(criteria("Created At", "EQ", "yesterday")))).toBe(20114)
        expect(yield* faultCode(get({}, "Lead"))).toBe(20110)
      })
    ))

  it.live("answers a Program as documented, with createdAt and updatedAt added by includeDetails", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const brief = (yield* call(url, "getMObjects", { type: "Program", id: 1002 })).mObjectList?.[0]
        // The documented getMObjects answer: these six attributes, then Start/End Date for an event.
        expect(brief?.attribList).toEqual(attribs({
          Name: "Product Webinar",
          Type: "Marketing Event",
          "Workspace Id": "1",
          "Workspace Name": "Default",
          "Tree Path": "/Marketing Activities/Default/Events/Product Webinar",
          "Is Archived": "false",
          "Start Date": "2013-04-18 17:00:00",
          "End Date": "2013-04-18 18:00:00"
        }))
        expect(brief?.createdAt).toBeUndefined()
        expect(tagsOf(brief)).toEqual([{ Type: "Channel", Value: "Webinar" }, { Type: "Region", Value: "EMEA" }])
        expect(costsOf(brief)).toEqual([{ Id: "101", Month: "2013-04-01", Amount: "800" }])
        const withTokens = (yield* call(url, "getMObjects", { type: "Program", id: 1970 })).mObjectList?.[0]
        expect((withTokens?.typeAttribList ?? []).map((t) => t.attrType)).toEqual(["Tag", "Token", "Cost"])
        expect(fieldsOf({ type: "", attribList: withTokens?.typeAttribList?.[1]?.attrList ?? [] }))
          .toEqual({ Name: "Booth Number", Value: "B-12" })
        const plain = (yield* call(url, "getMObjects", { type: "Program", id: 1001 })).mObjectList?.[0]
        expect(fieldsOf(plain)["Start Date"]).toBeUndefined()
        expect(fieldsOf(plain)["Tree Path"]).toBe("/Marketing Activities/Default/Nurture/Welcome Emails")
        const full = yield* program(url, 1002)
        expect(full?.createdAt).toBe("2013-01-01T00:00:00+00:00")
        expect(full?.attribList).toEqual(brief?.attribList)
      })
    ))

  it.live("answers a seeded object as it answers a written one: criteria match, the same values are UNCHANGED", () =>
    Effect.gen(function*() {
      const seed = yield* Seed.decode({
        opportunities: [{
          id: 1,
          externalKey: { name: "externalOpportunityId", value: "S-1" },
          fields: {
            Name: "seeded",
            amount: "2000.00",
            IsWon: "true",
            ExternalCreatedDate: "2013-08-05T14:22:45-07:00"
          },
          createdAt: "2013-03-07T10:00:00-01:00"
        }]
      })
      yield* withEmulator((url) =>
        Effect.gen(function*() {
          const ids = (attrName: string, attrValue: string) =>
            call(url, "getMObjects", {
              type: "Opportunity",
              mObjCriteriaList: [{ attrName, comparison: "EQ", attrValue }]
            }).pipe(Effect.map((r) => (r.mObjectList ?? []).map((o) => o.id)))
          expect(yield* ids("IsWon", "true")).toEqual([1])
          expect(yield* ids("ExternalCreatedDate", "2013-08-05T21:22:45Z")).toEqual([1])
          const seeded = yield* opportunity(url, 1)
          const fields = fieldsOf(seeded)
          expect([fields["Amount"], fields["amount"], seeded?.createdAt]).toEqual([
            "2000",
            undefined,
            "2013-03-07T11:00:00+00:00"
          ])
          expect(yield* sync(url, "UPDATE", { type: "Opportunity", id: 1, attribList: attribs({ Amount: "2000" }) }))
            .toMatchObject([{ id: 1, status: "UNCHANGED" }])
        }), { seed })
    }))

  it.live("the objects an emulator answers, written ones included, load back as a seed unchanged", () =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* sync(emulator.url, "INSERT", {
        type: "Opportunity",
        attribList: attribs({
          Name: "w",
          Amount: "10.50",
          IsWon: "true",
          ExternalCreatedDate: "2013-08-05T14:22:45-07:00"
        })
      })
      const objects = yield* emulator.objects
      expect(yield* Seed.decode(objects)).toEqual(objects)
    })))

  it.live("leaves archived programs out unless Include Archive is true", () =>
    withEmulator(
      (url) =>
        Effect.gen(function*() {
          const ids = (criteria: Array<Wire.MObjCriteria>) =>
            call(url, "getMObjects", { type: "Program", mObjCriteriaList: criteria }).pipe(
              Effect.map((r) => (r.mObjectList ?? []).map((o) => [o.id, fieldsOf(o)["Is Archived"]]))
            )
          expect(yield* ids([])).toEqual([[1, "false"]])
          expect(yield* ids([{ attrName: "Include Archive", comparison: "EQ", attrValue: "true" }]))
            .toEqual([[1, "false"], [2, "true"]])
        }),
      { seed: { programs: [{ id: 1, name: "Live" }, { id: 2, name: "Old", archived: true }] } }
    ))
})

describe("Emulator: describeMObject and listMObjects", () => {
  it.live("describes Opportunity and OpportunityPersonRole in full, faults on other objects", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const { metadata } = yield* call(url, "describeMObject", { objectName: "Opportunity" })
        expect(metadata.name).toBe("Opportunity")
        const names = metadata.fieldList.map((f) => f.name)
        for (const field of [...Opportunity.standardFieldNames, "Region"]) expect(names).toContain(field)
        expect(metadata.fieldList.find((f) => f.name === "Region")?.isCustom).toBe(true)
        expect(metadata.fieldList.find((f) => f.name === "Id")?.isPrimaryKey).toBe(true)
        const role = yield* call(url, "describeMObject", { objectName: "OpportunityPersonRole" })
        expect(role.metadata.fieldList.map((f) => f.name)).toEqual(
          expect.arrayContaining(["OpportunityId", "PersonId", "Role", "ExternalCreatedDate", "IsPrimary"])
        )
        expect((yield* call(url, "describeMObject", { objectName: "LeadRecord" })).metadata.name).toBe("LeadRecord")
        expect(yield* faultCode(call(url, "describeMObject", { objectName: "Program" }))).toBe(20110)
        expect(yield* call(url, "listMObjects", {})).toEqual({
          objects: ["ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"]
        })
      })
    ))
})

// ---------------------------------------------------------------------------------------
// Indexes: the store keeps external keys, roles by opportunity and id order in indexes
// rather than scanning; these check the indexes answer exactly what a scan would.

const duplicateKeys: Seed.SeedData = {
  ...Seed.defaultSeed,
  opportunities: [
    { id: 300, externalKey: { name: "opportunityId", value: "DUP" }, fields: { Name: "older" } },
    { id: 200, externalKey: { name: "opportunityId", value: "DUP" }, fields: { Name: "oldest" } },
    { id: 400, externalKey: { name: "opportunityId", value: "DUP" }, fields: { Name: "newest" } }
  ]
}

describe("Emulator: indexes", () => {
  it.live("an external key names the most recently added of its objects, through changes, deletes and a reset", () =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* Emulator.make({ seed: duplicateKeys })
      const url = emulator.url
      const dup = { name: "opportunityId", value: "DUP" }
      const upsert = (stage: string) =>
        sync(url, "UPSERT", { type: "Opportunity", externalKey: dup, attribList: attribs({ Stage: stage }) })
      expect(yield* upsert("A")).toMatchObject([{ id: 400, status: "UPDATED" }])
      yield* call(url, "deleteMObjects", { mObjectList: [{ type: "Opportunity", id: 400 }] })
      expect(yield* upsert("B")).toMatchObject([{ id: 300, status: "UPDATED" }])
      // 300 takes another key: DUP now names 200, and the new key names 300.
      const other = { name: "opportunityId", value: "OTHER" }
      expect(yield* sync(url, "UPDATE", { type: "Opportunity", id: 300, externalKey: other })).toMatchObject([
        { id: 300, status: "UPDATED" }
      ])
      expect(yield* upsert("C")).toMatchObject([{ id: 200, status: "UPDATED" }])
      const byKey = (key: Wire.Attrib) =>
        call(url, "getMObjects", { type: "Opportunity", externalKey: key }).pipe(
          Effect.map((r) => (r.mObjectList ?? []).map((o) => o.id))
        )
      expect(yield* byKey(other)).toEqual([300])
      // INSERT finds the key taken; an object created under another key and given DUP
      // afterwards is the most recently added, so it wins from then on.
      expect(yield* sync(url, "INSERT", { type: "Opportunity", externalKey: dup })).toMatchObject([
        { id: 200, status: "SKIPPED" }
      ])
      const fresh = { name: "opportunityId", value: "FRESH" }
      const [created] = yield* sync(url, "INSERT", { type: "Opportunity", externalKey: fresh })
      expect(created?.status).toBe("CREATED")
      yield* sync(url, "UPDATE", { type: "Opportunity", id: created!.id, externalKey: dup })
      expect(yield* byKey(dup)).toEqual([created?.id])
      expect(yield* byKey(fresh)).toEqual([])
      // The seed was not changed by any of it.
      yield* emulator.reset
      expect(yield* byKey(dup)).toEqual([400])
      expect(yield* byKey(other)).toEqual([])
      expect(fieldsOf(yield* opportunity(url, 300))).toMatchObject({ Name: "older" })
    })))

  it.live("roles follow their opportunity: paged by it in id order, deleted with the one they belong to now", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const role = (opportunityId: number, i: number): Wire.MObject => ({
          type: "OpportunityPersonRole",
          attribList: attribs({ OpportunityId: String(opportunityId), PersonId: "19", Role: `R${i}` })
        })
        // 150 roles of 64 interleaved with 60 of 65.
        const ofOpportunity: Record<number, Array<number>> = { 64: [30], 65: [] }
        for (let from = 0; from < 210; from += 70) {
          const list = Array.from({ length: 70 }, (_, k) => role((from + k) % 7 < 5 ? 64 : 65, from + k))
          const statuses = yield* sync(url, "INSERT", ...list)
          statuses.forEach((s, k) => ofOpportunity[(from + k) % 7 < 5 ? 64 : 65]!.push(s.id))
        }
        const rolesOf = (key: Wire.MObjAssociation) =>
          Effect.gen(function*() {
            const ids: Array<number> = []
            let position: string | undefined
            do {
              const page: Wire.ResultGetMObjects = yield* call(url, "getMObjects", {
                type: "OpportunityPersonRole",
                mObjAssociationList: [key],
                ...(position === undefined ? {} : { streamPosition: position })
              })
              ids.push(...(page.mObjectList ?? []).map((o) => o.id!))
              position = page.hasMore ? page.newStreamPosition : undefined
            } while (position !== undefined)
            return ids
          })
        expect(yield* rolesOf({ mObjType: "Opportunity", externalKey: { name: "opportunityId", value: "OPP-64" } }))
          .toEqual(ofOpportunity[64])
        expect(yield* rolesOf({ mObjType: "Opportunity", id: 65 })).toEqual(ofOpportunity[65])
        expect(yield* rolesOf({ mObjType: "Opportunity", externalKey: { name: "opportunityId", value: "NONE" } }))
          .toEqual([])
        // Move the seeded role 30 from 64 to 65, then delete 64: 30 stays, with 65's roles.
        expect(
          yield* sync(url, "UPDATE", {
            type: "OpportunityPersonRole",
            id: 30,
            attribList: attribs({ OpportunityId: "65" })
          })
        )
          .toMatchObject([{ id: 30, status: "UPDATED" }])
        yield* call(url, "deleteMObjects", { mObjectList: [{ type: "Opportunity", id: 64 }] })
        expect(yield* rolesOf({ mObjType: "Opportunity", id: 64 })).toEqual([])
        expect(yield* rolesOf({ mObjType: "Opportunity", id: 65 })).toEqual([30, ...ofOpportunity[65]!])
        const all = yield* call(url, "getMObjects", { type: "OpportunityPersonRole" })
        expect(all.returnCount).toBe(61)
        yield* call(url, "deleteMObjects", { mObjectList: [{ type: "Opportunity", id: 65 }] })
        expect((yield* call(url, "getMObjects", { type: "OpportunityPersonRole" })).returnCount).toBe(0)
      })
    ))
})

describe("Emulator: Table", () => {
  const ops = FastCheck.array(
    FastCheck.oneof(
      FastCheck.record({
        op: FastCheck.constant("set" as const),
        id: FastCheck.integer({ min: 1, max: 30 }),
        key: FastCheck.option(FastCheck.constantFrom("a", "b", "c"), { nil: undefined }),
        group: FastCheck.option(FastCheck.integer({ min: 1, max: 3 }), { nil: undefined })
      }),
      FastCheck.record({ op: FastCheck.constant("remove" as const), id: FastCheck.integer({ min: 1, max: 30 }) })
    ),
    { maxLength: 80 }
  )
  interface Item {
    readonly id: number
    readonly externalKey?: Wire.Attrib
    readonly group?: number
  }

  it.prop("answers as a scan of a Map would, and leaves earlier versions unchanged", [ops], ([list]) => {
    let table = Table.make<Item>([], (item) => item.group)
    const model = new Map<number, Item>()
    const versions: Array<[Table<Item>, Array<Item>]> = []
    for (const step of list) {
      if (step.op === "set") {
        const item: Item = {
          id: step.id,
          ...(step.key === undefined ? {} : { externalKey: { name: "k", value: step.key } }),
          ...(step.group === undefined ? {} : { group: step.group })
        }
        table = table.set(item)
        model.set(step.id, item)
      } else {
        table = table.remove(step.id)
        model.delete(step.id)
      }
      const sorted = [...model.values()].sort((a, b) => a.id - b.id)
      versions.push([table, sorted])
      expect(table.size).toBe(model.size)
      expect([...table.values()]).toEqual(sorted)
      expect([...table.after(10)]).toEqual(sorted.filter((i) => i.id > 10))
      for (const value of ["a", "b", "c"]) {
        const newest = sorted.filter((i) => i.externalKey?.value === value).at(-1)
        expect(table.byExternalKey({ name: "k", value })).toBe(newest)
      }
      expect(table.byExternalKey({ name: "K", value: "a" })).toBeUndefined()
      for (const group of [1, 2, 3]) {
        expect([...table.inGroup(group, Number.NEGATIVE_INFINITY)]).toEqual(sorted.filter((i) => i.group === group))
        expect([...table.inGroup(group, 15)]).toEqual(sorted.filter((i) => i.group === group && i.id > 15))
      }
    }
    for (const [version, sorted] of versions) expect([...version.values()]).toEqual(sorted)
  })
})
