import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as Mapping from "../src/internal/mapping.js"
import * as MObject from "../src/MObject.js"
import * as Opportunity from "../src/Opportunity.js"
import * as OpportunityPersonRole from "../src/OpportunityPersonRole.js"
import * as Program from "../src/Program.js"
import * as Validation from "../src/Validation.js"
import * as Wire from "../src/Wire.js"

const roundTrip = (obj: MObject.MObject) => MObject.fromWire(MObject.toWire(obj))

const readError = (w: Wire.MObject): string => {
  const result = MObject.fromWire(w)
  expect(Either.isLeft(result)).toBe(true)
  return Either.match(result, {
    onLeft: (error) => {
      expect(error._tag).toBe("ProtocolError")
      expect(error.reason).toBe("ModelMapping")
      return error.detail
    },
    onRight: () => ""
  })
}

const attrs = (w: Wire.MObject) => (w.attribList ?? []).map((a) => [a.name, a.value])

const isModel = Schema.is(MObject.MObject)
const isWireRecord = Schema.is(Wire.MObject)

describe("MObject round trip (model -> wire -> model)", () => {
  it.prop("Program", [Arbitrary.make(Program.Program)], ([program]) => {
    expect(roundTrip(program)).toStrictEqual(Either.right(program))
    expect(isWireRecord(MObject.toWire(program))).toBe(true)
  })

  it.prop("Opportunity", [Arbitrary.make(Opportunity.Opportunity)], ([opportunity]) => {
    const back = roundTrip(opportunity)
    expect(back).toStrictEqual(Either.right(opportunity))
    expect(Either.isRight(back) && isModel(back.right)).toBe(true)
    expect(isWireRecord(MObject.toWire(opportunity))).toBe(true)
  })

  it.prop("OpportunityPersonRole", [Arbitrary.make(OpportunityPersonRole.OpportunityPersonRole)], ([role]) => {
    expect(roundTrip(role)).toStrictEqual(Either.right(role))
    expect(isWireRecord(MObject.toWire(role))).toBe(true)
  })

  it.prop("any MObject of the union", [Arbitrary.make(MObject.MObject)], ([obj]) => {
    expect(roundTrip(obj)).toStrictEqual(Either.right(obj))
  })

  it.prop(
    "generated objects are valid for the operations that fit them",
    [Arbitrary.make(MObject.MObject)],
    ([obj]) => {
      switch (obj._tag) {
        case "Program": {
          const sendable = Program.make({ id: obj.id, costs: obj.costs, tags: obj.tags })
          expect(Validation.issues([sendable], "UPDATE")).toEqual([])
          break
        }
        case "Opportunity":
          expect(Validation.issues([obj], "UPSERT")).toEqual([])
          break
        case "OpportunityPersonRole": {
          const linked = OpportunityPersonRole.make({ ...obj, opportunityId: 1, personId: 2 })
          expect(Validation.issues([linked], "INSERT")).toEqual([])
          break
        }
      }
    }
  )
})

describe("MObject.toWire", () => {
  it("writes the documented Program 1970 cost update exactly", () => {
    const program = Program.make({ id: 1970, costs: [{ month: "2013-06", amount: 2000, id: 153 }] })
    expect(Validation.issues([program], "UPDATE")).toEqual([])
    expect(MObject.toWire(program)).toStrictEqual({
      type: "Program",
      id: 1970,
      typeAttribList: [{
        attrType: "Cost",
        attrList: [
          { name: "Month", value: "2013-06" },
          { name: "Amount", value: "2000" },
          { name: "Id", value: "153" }
        ]
      }]
    })
  })

  it("writes cost attribs Month, Amount, Id, Note, then tags Type, Value", () => {
    const program = new Program.Program({
      id: 7,
      tags: [{ type: "Program Owner", value: "Jo" }],
      costs: [{ note: "Adwords", id: 3, amount: 12.5, month: "2024-01" }]
    })
    expect(MObject.toWire(program).typeAttribList).toStrictEqual([
      {
        attrType: "Cost",
        attrList: [
          { name: "Month", value: "2024-01" },
          { name: "Amount", value: "12.5" },
          { name: "Id", value: "3" },
          { name: "Note", value: "Adwords" }
        ]
      },
      { attrType: "Tag", attrList: [{ name: "Type", value: "Program Owner" }, { name: "Value", value: "Jo" }] }
    ])
  })

  it("writes Opportunity standard fields in Marketo's order, then custom fields in insertion order", () => {
    const opportunity = Opportunity.make({
      type: "New Business",
      name: "Big deal",
      isWon: false,
      isClosed: true,
      closeDate: new Date("2024-06-30"),
      amount: 1e21,
      expectedRevenue: 1.5e-7,
      probability: 40,
      customFields: { Zeta__c: "z", Alpha__c: "a" },
      externalKey: { name: "externalOpportunityId", value: "OPP-1" },
      company: { externalKey: { name: "externalCompanyId", value: "ACME" } }
    })
    const wire = MObject.toWire(opportunity)
    expect(attrs(wire)).toStrictEqual([
      ["Amount", "1000000000000000000000"],
      ["CloseDate", "2024-06-30"],
      ["ExpectedRevenue", "0.00000015"],
      ["IsClosed", "1"],
      ["IsWon", "0"],
      ["Name", "Big deal"],
      ["Probability", "40"],
      ["Type", "New Business"],
      ["Zeta__c", "z"],
      ["Alpha__c", "a"]
    ])
    expect(wire.externalKey).toStrictEqual({ name: "externalOpportunityId", value: "OPP-1" })
    expect(wire.associationList).toStrictEqual([
      { mObjType: "Company", externalKey: { name: "externalCompanyId", value: "ACME" } }
    ])
    expect(wire.id).toBeUndefined()
    expect(wire.typeAttribList).toBeUndefined()
  })

  it("writes an OpportunityPersonRole with its Lead and Opportunity associations", () => {
    const role = OpportunityPersonRole.make({
      personId: 1001,
      role: "Decision Maker",
      isPrimary: true,
      externalCreatedDate: new Date("2014-11-26T17:05:09.750Z"),
      opportunity: { externalKey: { name: "opportunityId", value: "Opportunity_4" } },
      lead: { id: 1001 }
    })
    const wire = MObject.toWire(role)
    expect(wire.type).toBe("OpportunityPersonRole")
    expect(attrs(wire)).toStrictEqual([
      ["PersonId", "1001"],
      ["Role", "Decision Maker"],
      // A datetime, to the second Marketo keeps.
      ["ExternalCreatedDate", "2014-11-26T17:05:09+00:00"],
      ["IsPrimary", "1"]
    ])
    expect(wire.associationList).toStrictEqual([
      { mObjType: "Lead", id: 1001 },
      { mObjType: "Opportunity", externalKey: { name: "opportunityId", value: "Opportunity_4" } }
    ])
  })

  it.prop(
    "writes every finite number as a plain decimal that reads back as the same number",
    [fc.double({ noNaN: true, noDefaultInfinity: true })],
    ([amount]) => {
      const [attrib] = MObject.toWire(Opportunity.make({ amount })).attribList ?? []
      expect(attrib?.value).toMatch(/^-?\d+(\.\d+)?$/)
      expect(Object.is(Number(attrib?.value), amount)).toBe(true)
    }
  )

  it.effect("links by external key a plain-data association whose id is present but undefined, as validation reads it", () =>
    Effect.gen(function*() {
      const key = { name: "externalCompanyId", value: "C1" }
      const [opportunity, role] = yield* Validation.decode([
        {
          _tag: "Opportunity",
          externalKey: { name: "externalOpportunityId", value: "O1" },
          company: { id: undefined, externalKey: key }
        },
        {
          _tag: "OpportunityPersonRole",
          externalKey: { name: "externalKey", value: "R1" },
          opportunity: { id: undefined, externalKey: { name: "externalOpportunityId", value: "O1" } },
          lead: { id: 7, externalKey: undefined }
        }
      ], "UPSERT")
      expect(MObject.toWire(opportunity!).associationList).toStrictEqual([{ mObjType: "Company", externalKey: key }])
      expect(MObject.toWire(role!).associationList).toStrictEqual([
        { mObjType: "Lead", id: 7 },
        { mObjType: "Opportunity", externalKey: { name: "externalOpportunityId", value: "O1" } }
      ])
    }))

  it("leaves out empty lists rather than writing them empty", () => {
    expect(MObject.toWire(Program.make({ id: 1 }))).toStrictEqual({ type: "Program", id: 1 })
    expect(MObject.toWire(Opportunity.make({}))).toStrictEqual({ type: "Opportunity" })
  })
})

describe("MObject.fromWire", () => {
  it("reads a Program as getMObjects returns it (cost month as a full date, details, tokens)", () => {
    const result = MObject.fromWire({
      type: "Program",
      id: 1010,
      createdAt: "2011-06-22T11:12:13Z",
      attribList: [{ name: "Name", value: "Webinar" }, { name: "Workspace Name", value: "Default" }],
      typeAttribList: [
        { attrType: "Tag", attrList: [{ name: "Value", value: "EMEA" }, { name: "Type", value: "Region" }] },
        { attrType: "Token", attrList: [{ name: "Name", value: "my.Date" }, { name: "Value", value: "June" }] },
        {
          attrType: "Cost",
          attrList: [{ name: "Id", value: "5" }, { name: "Month", value: "2011-07-01" }, {
            name: "Amount",
            value: " 150.50 "
          }]
        }
      ]
    })
    expect(result).toStrictEqual(Either.right(
      new Program.Program({
        id: 1010,
        createdAt: "2011-06-22T11:12:13Z",
        attributes: { Name: "Webinar", "Workspace Name": "Default" },
        tags: [{ type: "Region", value: "EMEA" }],
        tokens: [{ name: "my.Date", value: "June" }],
        costs: [{ month: "2011-07", amount: 150.5, id: 5 }]
      })
    ))
  })

  it("reads ExternalCreatedDate (a datetime) as the instant it names, whatever its offset; a date field keeps its day", () => {
    const created = (value: string) =>
      MObject.fromWire({ type: "OpportunityPersonRole", attribList: [{ name: "ExternalCreatedDate", value }] }).pipe(
        Either.map((o) => o._tag === "OpportunityPersonRole" ? o.externalCreatedDate?.toISOString() : undefined)
      )
    expect(created("2015-05-07T20:47:30-08:00")).toStrictEqual(Either.right("2015-05-08T04:47:30.000Z"))
    expect(created("2015-05-08T04:47:30Z")).toStrictEqual(Either.right("2015-05-08T04:47:30.000Z"))
    expect(created("2015-05-08T06:47:30+0200")).toStrictEqual(Either.right("2015-05-08T04:47:30.000Z"))
    expect(created("2015-05-08T04:47:30Z+0000")).toStrictEqual(Either.right("2015-05-08T04:47:30.000Z"))
    expect(created("2015-05-08T04:47:30")).toStrictEqual(Either.right("2015-05-08T04:47:30.000Z"))
    expect(created("2015-05-08")).toStrictEqual(Either.right("2015-05-08T00:00:00.000Z"))
    for (
      const bad of [
        "2015-02-30T10:00:00Z",
        "2015-05-08T24:00:00Z",
        "yesterday",
        "2015-05-08T04:47:30+2",
        "2015-05-08T04:47:30+23:99",
        "2015-05-08T04:47:30-9900"
      ]
    ) {
      expect(readError({ type: "OpportunityPersonRole", attribList: [{ name: "ExternalCreatedDate", value: bad }] }))
        .toContain("ExternalCreatedDate")
    }
    // A date field is a calendar day: its time is no part of it.
    expect(readError({ type: "Opportunity", attribList: [{ name: "CloseDate", value: "2015-05-07T20:47:30-08:00" }] }))
      .toContain("CloseDate")
  })

  it("reads booleans written 1/0/true/false, decimals with exponents, and custom fields", () => {
    const read = (value: string) =>
      MObject.fromWire({ type: "Opportunity", attribList: [{ name: "IsWon", value }] }).pipe(
        Either.map((o) => o._tag === "Opportunity" ? o.isWon : undefined)
      )
    expect(read("1")).toStrictEqual(Either.right(true))
    expect(read("true")).toStrictEqual(Either.right(true))
    expect(read("0")).toStrictEqual(Either.right(false))
    expect(read("false")).toStrictEqual(Either.right(false))
    expect(Either.isLeft(read("yes"))).toBe(true)

    const opportunity = MObject.fromWire({
      type: "Opportunity",
      id: 12,
      attribList: [
        { name: "Region__c", value: "EMEA" },
        { name: "Amount", value: "1.5E3" },
        { name: "__proto__", value: "kept as a field" }
      ],
      associationList: [{ mObjType: "Company", id: 99 }]
    })
    expect(Either.isRight(opportunity)).toBe(true)
    if (Either.isRight(opportunity) && opportunity.right._tag === "Opportunity") {
      expect(opportunity.right.amount).toBe(1500)
      expect(opportunity.right.company).toStrictEqual({ id: 99 })
      expect(Object.keys(opportunity.right.customFields)).toStrictEqual(["Region__c", "__proto__"])
      expect(Object.getPrototypeOf(opportunity.right.customFields)).toBe(Object.prototype)
    }
  })

  it("names the type and field it cannot read", () => {
    expect(readError({ type: "Opportunity", attribList: [{ name: "Amount", value: "12,5" }] })).toMatch(
      /Opportunity.*attribList\[0\]\.value.*Amount/
    )
    expect(readError({ type: "Opportunity", attribList: [{ name: "CloseDate", value: "2024-02-30" }] })).toContain(
      "CloseDate"
    )
    expect(readError({ type: "Opportunity", attribList: [{ name: "Probability", value: "101" }] })).toContain(
      "Probability"
    )
    expect(
      readError({ type: "OpportunityPersonRole", attribList: [{ name: "OpportunityId", value: "2147483648" }] })
    ).toContain("OpportunityId")
    // A field given twice, standard or custom, wherever the second one is.
    for (
      const attribList of [
        [{ name: "Amount", value: "1" }, { name: "Stage", value: "s" }, { name: "Amount", value: "2" }],
        [{ name: "Region__c", value: "a" }, { name: "Amount", value: "1" }, { name: "Region__c", value: "b" }]
      ]
    ) {
      expect(readError({ type: "Opportunity", attribList })).toMatch(/attribList\[2\]\.name.*at most once/)
    }
    expect(
      readError({
        type: "OpportunityPersonRole",
        attribList: [{ name: "IsPrimary", value: "1" }, { name: "IsPrimary", value: "0" }]
      })
    ).toContain("at most once")
    expect(readError({ type: "Lead" })).toContain("Program, Opportunity or OpportunityPersonRole")
    expect(readError({ type: "Program" })).toContain("program id")
    expect(
      readError({
        type: "Opportunity",
        attribList: [{ name: "Name", value: "a" }, { name: "Name", value: "b" }]
      })
    ).toContain("attribList[1].name")
    expect(
      readError({
        type: "Program",
        id: 1,
        typeAttribList: [{ attrType: "Cost", attrList: [{ name: "Amount", value: "1" }] }]
      })
    ).toContain("Month")
    expect(
      readError({
        type: "Program",
        id: 1,
        typeAttribList: [{
          attrType: "Cost",
          attrList: [{ name: "Month", value: "June" }, { name: "Amount", value: "1" }]
        }]
      })
    ).toContain("YYYY-MM")
    expect(readError({ type: "Program", id: 1, typeAttribList: [{ attrType: "Channel" }] })).toContain("attrType")
    expect(readError({ type: "Opportunity", associationList: [{ mObjType: "Lead", id: 1 }] })).toContain("Company")
    expect(readError({ type: "Opportunity", associationList: [{ mObjType: "Company" }] })).toContain(
      "exactly one of id and externalKey"
    )
  })
})

describe("identityOf (what the client reads of a model a transport's model path sends)", () => {
  it.prop(
    "the id and external key toWire writes, for every valid model",
    [Arbitrary.make(MObject.MObject)],
    ([obj]) => {
      const wire = MObject.toWire(obj)
      const identity = Mapping.identityOf(obj)
      expect(identity.id).toStrictEqual(wire.id)
      expect(identity.externalKey).toStrictEqual(wire.externalKey)
    }
  )

  it("reads a subclass's getters once, into an identity of their own", () => {
    let reads = 0
    class Keyed extends Opportunity.Opportunity {
      override get externalKey(): { readonly name: string; readonly value: string } {
        // A key on the first read only: a second read would name no object.
        return (reads++ === 0 ? { name: "externalOpportunityId", value: "K-1" } : undefined) as {
          readonly name: string
          readonly value: string
        }
      }
    }
    const identity = Mapping.identityOf(new Keyed({}))
    expect(reads).toBe(1)
    expect([identity.externalKey, identity.externalKey]).toEqual([
      { name: "externalOpportunityId", value: "K-1" },
      { name: "externalOpportunityId", value: "K-1" }
    ])
  })
})
