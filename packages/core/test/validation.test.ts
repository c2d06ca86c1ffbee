import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as MarketoError from "../src/MarketoError.js"
import * as MObject from "../src/MObject.js"
import * as Opportunity from "../src/Opportunity.js"
import * as OpportunityPersonRole from "../src/OpportunityPersonRole.js"
import * as Program from "../src/Program.js"
import * as Validation from "../src/Validation.js"

// Plain JavaScript callers (or casts) can hand in what the types forbid; the checks must
// report it rather than crash. A model's props are taken as they are (the constructor's
// check off, as Validation.decode builds them); anything else stays what it is.
const unchecked = (value: unknown): MObject.MObject => {
  const props = value as
    & ConstructorParameters<typeof Program.Program>[0]
    & ConstructorParameters<typeof Opportunity.Opportunity>[0]
  switch ((value as { readonly _tag?: unknown } | null)?._tag) {
    case "Program":
      return new Program.Program(props, true)
    case "Opportunity":
      return new Opportunity.Opportunity(props, true)
    default:
      return value as MObject.MObject
  }
}

const where = (issues: ReadonlyArray<MarketoError.ValidationIssue>) =>
  issues.map((issue) => [issue.index, issue.path.join(".")])

const only = (obj: MObject.MObject, operation: MObject.SyncOperation) => {
  const found = Validation.issues([obj], operation)
  expect(found).toHaveLength(1)
  return found[0]!
}

const program = Program.make({ id: 1970, costs: [{ month: "2013-06", amount: 2000, id: 153 }] })
const role = OpportunityPersonRole.make({ id: 7, opportunityId: 40, personId: 1001, role: "Buyer" })

describe("Validation.issues", () => {
  it("accepts the documented requests", () => {
    expect(Validation.issues([program], "UPDATE")).toEqual([])
    expect(Validation.issues([Opportunity.make({ name: "Deal", amount: 10, probability: 100 })], "INSERT")).toEqual([])
    expect(Validation.issues([role], "UPSERT")).toEqual([])
  })

  it("a Program outside UPDATE", () => {
    for (const operation of ["INSERT", "UPSERT"] as const) {
      const issue = only(program, operation)
      expect(issue.path).toEqual([])
      expect(issue.message).toContain("UPDATE")
    }
  })

  it("a cost without month or amount, a month not YYYY-MM, a non-finite amount", () => {
    const costs = [
      { amount: 1 },
      { month: "2013-06" },
      { month: "2013-6", amount: 1 },
      { month: "2013-13", amount: 1 },
      { month: "2013-06-01", amount: 1 },
      { month: "2013-06", amount: Number.POSITIVE_INFINITY },
      { month: "2013-06", amount: Number.NaN },
      { month: "2013-06", amount: 1, id: 1.5 }
    ]
    const found = Validation.issues([unchecked({ _tag: "Program", id: 1, costs })], "UPDATE")
    expect(where(found)).toEqual([
      [0, "costs.0.month"],
      [0, "costs.1.amount"],
      [0, "costs.2.month"],
      [0, "costs.3.month"],
      [0, "costs.4.month"],
      [0, "costs.5.amount"],
      [0, "costs.6.amount"],
      [0, "costs.7.id"]
    ])
    expect(found[0]?.message).toContain("YYYY-MM")
    expect(found[5]?.message).toContain("finite")
  })

  it("a tag without type or value", () => {
    const found = Validation.issues(
      [unchecked({ _tag: "Program", id: 1, tags: [{ type: "Region" }, { type: "", value: "EMEA" }] })],
      "UPDATE"
    )
    expect(where(found)).toEqual([[0, "tags.0.value"], [0, "tags.1.type"]])
  })

  it("read-only Program details are not sent", () => {
    const read = new Program.Program({ id: 1, attributes: { Name: "Webinar" }, tokens: [{ name: "a", value: "b" }] })
    expect(where(Validation.issues([read], "UPDATE"))).toEqual([[0, "tokens"], [0, "attributes"]])
  })

  it("UPDATE without the key it needs", () => {
    expect(only(Opportunity.make({ name: "Deal" }), "UPDATE").path).toEqual(["id"])
    expect(Validation.issues([Opportunity.make({ name: "Deal" })], "UPSERT")).toEqual([])
    expect(Validation.issues([Opportunity.make({ externalKey: { name: "extId", value: "1" } })], "UPDATE")).toEqual([])
    expect(only(OpportunityPersonRole.make({ opportunityId: 1, personId: 2 }), "UPDATE").path).toEqual(["id"])
    expect(only(unchecked({ _tag: "Program", costs: [] }), "UPDATE").path).toEqual(["id"])
  })

  it("an OpportunityPersonRole without its opportunity or person", () => {
    const found = Validation.issues([OpportunityPersonRole.make({ role: "Buyer" })], "INSERT")
    expect(where(found)).toEqual([[0, "opportunityId"], [0, "personId"]])
    const byAssociation = OpportunityPersonRole.make({
      opportunity: { externalKey: { name: "opportunityId", value: "Opportunity_4" } },
      lead: { id: 1001 }
    })
    expect(Validation.issues([byAssociation], "INSERT")).toEqual([])
  })

  it("a probability outside 0-100, integers out of xs:int, wrong value types", () => {
    const found = Validation.issues([
      Opportunity.make({ probability: 101 }),
      Opportunity.make({ probability: -1 }),
      Opportunity.make({ probability: 50.5 }),
      Opportunity.make({ fiscalYear: 2 ** 31 }),
      OpportunityPersonRole.make({ opportunityId: -(2 ** 31) - 1, personId: 1 }),
      Opportunity.make({ id: 2 ** 31 }),
      unchecked({ _tag: "Opportunity", isWon: "yes", amount: "12" })
    ], "INSERT")
    expect(where(found)).toEqual([
      [0, "probability"],
      [1, "probability"],
      [2, "probability"],
      [3, "fiscalYear"],
      [4, "opportunityId"],
      [5, "id"],
      [6, "amount"],
      [6, "isWon"]
    ])
    expect(found[0]?.message).toContain("0 to 100")
    expect(found[3]?.message).toContain("xs:int")
  })

  it("dates must be valid and at UTC midnight", () => {
    const found = Validation.issues([
      Opportunity.make({ closeDate: new Date("2024-06-30T10:00:00Z") }),
      Opportunity.make({ closeDate: new Date("not a date") }),
      Opportunity.make({ closeDate: new Date("2024-06-30") })
    ], "INSERT")
    expect(where(found)).toEqual([[0, "closeDate"], [1, "closeDate"]])
    expect(found[0]?.message).toContain("UTC midnight")
  })

  it("any string XML 1.0 cannot carry: standard, custom, key, tag, note", () => {
    const bad = "a\u0001b"
    const lone = "x\uD800"
    const found = Validation.issues([
      Opportunity.make({ name: bad }),
      Opportunity.make({ customFields: { Region__c: lone } }),
      Opportunity.make({ externalKey: { name: "extId", value: bad } }),
      OpportunityPersonRole.make({ opportunityId: 1, personId: 2, role: bad }),
      Opportunity.make({ company: { externalKey: { name: bad, value: "ACME" } } }),
      Opportunity.make({ customFields: { [bad]: "ok" } })
    ], "UPSERT")
    expect(where(found)).toEqual([
      [0, "name"],
      [1, `customFields.Region__c`],
      [2, "externalKey.value"],
      [3, "role"],
      [4, "company.externalKey.name"],
      [5, `customFields.${bad}`]
    ])
    expect(found[0]?.message).toContain("U+0001 at position 1")
    expect(found[1]?.message).toContain("U+D800")
    const programs = Validation.issues([
      Program.make({ id: 1, tags: [{ type: "Region", value: bad }] }),
      Program.make({ id: 1, costs: [{ month: "2013-06", amount: 1, note: "\uFFFF" }] })
    ], "UPDATE")
    expect(where(programs)).toEqual([[0, "tags.0.value"], [1, "costs.0.note"]])
  })

  it("custom fields that shadow a standard field, unknown fields, unknown types", () => {
    const found = Validation.issues([
      Opportunity.make({ id: 1, customFields: { Amount: "12" } }),
      unchecked({ _tag: "Program", id: 1, costs: [{ month: "2013-06", ammount: 5 }] }),
      unchecked({ _tag: "Lead", id: 1 }),
      unchecked(null)
    ], "UPDATE")
    expect(where(found)).toEqual([
      [0, "customFields.Amount"],
      [1, "costs.0.ammount"],
      [1, "costs.0.amount"],
      [2, ""],
      [3, ""]
    ])
    expect(found[0]?.message).toContain("set amount instead")
    expect(found[3]?.message).toContain(`got a plain object with _tag "Lead"`)
    expect(found[4]?.message).toContain("got null")
  })

  it("reports every bad object of a batch, in order, offset by startIndex", () => {
    const batch: ReadonlyArray<MObject.MObject> = [
      program,
      Program.make({ id: 2, costs: [{ month: "June", amount: 1 }] }),
      OpportunityPersonRole.make({ opportunityId: 40, personId: 1001 }),
      Opportunity.make({ probability: 200 }),
      Program.make({ id: 3, tags: [{ type: "Region", value: "" }] })
    ]
    expect(where(Validation.issues(batch, "UPDATE", 100))).toEqual([
      [101, "costs.0.month"],
      [102, "id"],
      [103, "id"],
      [103, "probability"],
      [104, "tags.0.value"]
    ])
  })
})

describe("Validation.validate", () => {
  it.effect("succeeds on a valid batch", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Validation.validate([program, role], "UPDATE"))
      expect(Exit.isSuccess(exit)).toBe(true)
    }))

  it.effect("fails with one ValidationError carrying every issue", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Validation.validate([program, Opportunity.make({ probability: 200 })], "INSERT"))
      expect(error._tag).toBe("ValidationError")
      expect(where(error.issues)).toEqual([[0, ""], [1, "probability"]])
      expect(error.message).toContain("objects[1].probability")
    }))
})

describe("Validation.decode", () => {
  it.effect("builds models from plain data", () =>
    Effect.gen(function*() {
      const [decoded] = yield* Validation.decode(
        [{ _tag: "Program", id: 1970, costs: [{ month: "2013-06", amount: 2000, id: 153 }] }],
        "UPDATE"
      )
      expect(decoded).toStrictEqual(program)
      expect(decoded).toBeInstanceOf(Program.Program)
    }))

  it.effect("reports every problem of plain data at once", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Validation.decode([
        { _tag: "Program", id: 1, costs: [{ amount: 1 }] },
        { _tag: "Opportunity", probability: "high" },
        "not an object",
        { _tag: "constructor", closeDate: "2024-06-30" }
      ], "UPDATE"))
      expect(where(error.issues)).toEqual([[0, "costs.0.month"], [1, "id"], [1, "probability"], [2, ""], [3, "_tag"]])
    }))

  it.effect("reads dates given as YYYY-MM-DD text, as JSON must give them", () =>
    Effect.gen(function*() {
      const opportunity = { _tag: "Opportunity", name: "Deal", closeDate: "2024-06-30", lastActivityDate: "0001-01-01" }
      const role = { _tag: "OpportunityPersonRole", opportunityId: 1, personId: 2, externalCreatedDate: "2014-11-26" }
      const decoded = yield* Validation.decode([opportunity, role], "INSERT")
      expect(decoded).toStrictEqual([
        Opportunity.make({ name: "Deal", closeDate: new Date("2024-06-30"), lastActivityDate: new Date("0001-01-01") }),
        OpportunityPersonRole.make({ opportunityId: 1, personId: 2, externalCreatedDate: new Date("2014-11-26") })
      ])
      expect(opportunity.closeDate).toBe("2024-06-30")
    }))

  it.effect("externalCreatedDate is an instant: a Date with its time, or ISO 8601 text with a zone; a date field stays a day", () =>
    Effect.gen(function*() {
      const at = new Date("2014-11-26T17:05:09Z")
      const decoded = yield* Validation.decode([
        {
          _tag: "OpportunityPersonRole",
          opportunityId: 1,
          personId: 2,
          externalCreatedDate: "2014-11-26T18:05:09+01:00"
        },
        { _tag: "Opportunity", name: "Deal", externalCreatedDate: "2014-11-26T17:05:09.000Z" },
        { _tag: "Opportunity", name: "Day", externalCreatedDate: "2014-11-26" }
      ], "INSERT")
      expect(decoded).toStrictEqual([
        OpportunityPersonRole.make({ opportunityId: 1, personId: 2, externalCreatedDate: at }),
        Opportunity.make({ name: "Deal", externalCreatedDate: at }),
        Opportunity.make({ name: "Day", externalCreatedDate: new Date("2014-11-26") })
      ])
      expect(Validation.issues([Opportunity.make({ name: "Deal", externalCreatedDate: at })], "INSERT")).toEqual([])
      const error = yield* Effect.flip(Validation.decode([
        { _tag: "Opportunity", name: "No zone", externalCreatedDate: "2014-11-26T17:05:09" },
        { _tag: "Opportunity", name: "Time on a day", closeDate: "2014-11-26T17:05:09Z" }
      ], "INSERT"))
      expect(where(error.issues)).toEqual([[0, "externalCreatedDate"], [1, "closeDate"]])
      expect(error.issues[0]?.message).toContain("expected a date-time")
      expect(Validation.issues([Opportunity.make({ name: "Deal", closeDate: at })], "INSERT").map((i) => i.message))
        .toEqual([expect.stringContaining("expected a date at UTC midnight")])
    }))

  it.effect("reports date text that is not exactly a real YYYY-MM-DD day", () =>
    Effect.gen(function*() {
      const texts = ["2024-02-30", "2024-6-30", " 2024-06-30", "2024-06-30T00:00:00Z", "0000-12-31", "30/06/2024"]
      const error = yield* Effect.flip(
        Validation.decode(texts.map((closeDate) => ({ _tag: "Opportunity", closeDate })), "INSERT")
      )
      expect(where(error.issues)).toEqual(texts.map((_, i) => [i, "closeDate"]))
      expect(error.issues[0]?.message).toContain(`in plain data also "2024-03-31"`)
    }))

  it("a model holds dates as Date: text there is still reported", () => {
    const found = Validation.issues([unchecked({ _tag: "Opportunity", closeDate: "2024-06-30" })], "INSERT")
    expect(where(found)).toEqual([[0, "closeDate"]])
  })

  // JSON has no -0 (it writes 0); nothing else of a model is lost on the way.
  const zeroed = (o: Opportunity.Opportunity): Opportunity.Opportunity =>
    Opportunity.make({
      ...o,
      ...Object.fromEntries(
        (["amount", "expectedRevenue", "quantity"] as const).filter((key) => Object.is(o[key], -0)).map((
          key
        ) => [key, 0])
      )
    })

  const toJson = (obj: MObject.MObject): unknown =>
    JSON.parse(JSON.stringify(
      Object.fromEntries(
        Object.entries(obj).map((
          [key, value]
        ) => [
          key,
          value instanceof Date && value.getTime() % 86_400_000 === 0 ? value.toISOString().slice(0, 10) : value
        ])
      )
    ))

  it.effect.prop(
    "models written as JSON (dates as YYYY-MM-DD, date-times as JSON writes them) decode back to equal models",
    [Arbitrary.make(Opportunity.Opportunity), Arbitrary.make(OpportunityPersonRole.OpportunityPersonRole)],
    ([opportunity, role]) =>
      Effect.gen(function*() {
        const linked = OpportunityPersonRole.make({ ...role, opportunityId: 1, personId: 2 })
        const decoded = yield* Validation.decode([toJson(opportunity), toJson(linked)], "UPSERT")
        expect(decoded).toStrictEqual([zeroed(opportunity), linked])
        expect(decoded.map(MObject.toWire)).toStrictEqual([MObject.toWire(zeroed(opportunity)), MObject.toWire(linked)])
      })
  )
})

describe("Validation reads what is sent", () => {
  it("reads a role's ids once: a getter is not asked again whether it holds one", () => {
    let reads = 0
    class Flaky extends OpportunityPersonRole.OpportunityPersonRole {
      override get opportunityId(): number {
        return (reads++ === 0 ? 40 : undefined) as number
      }
    }
    const flaky = new Flaky({ externalKey: { name: "k", value: "R-1" }, personId: 2, role: "Buyer" })
    expect(Validation.issues([flaky], "UPSERT")).toEqual([])
    expect(reads).toBe(1)
  })

  it("custom fields that cannot all be read are reported as that alone, nothing read before it", () => {
    const customFields = {
      Amount: "1",
      get Bad(): string {
        // Throws a SyntaxError (the rules keep `throw` out of this code base).
        return JSON.parse("not JSON") as string
      }
    }
    const obj = unchecked({
      _tag: "Opportunity",
      externalKey: { name: "externalOpportunityId", value: "K-1" },
      customFields
    })
    expect(Validation.issues([obj], "UPSERT").map((i) => [i.path.join("."), i.message])).toEqual([
      ["", "could not be read: reading it threw (a getter or a Proxy trap)"]
    ])
  })

  // The checks and the senders (toWire here, REST's model path in its own tests) read a
  // model's fields one way: a value they would send is a value validation checked, however
  // the model holds it. An instance of the model's own class is read by its enumerable
  // properties (a non-enumerable one is neither sent nor checked); anything else by name.
  class Priced extends Opportunity.Opportunity {
    override get amount(): number {
      return Number.NaN
    }
  }
  const base = Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "K-1" }, name: "ok" })
  const hidden = Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "K-2" } })
  Object.defineProperty(hidden, "amount", { value: Number.POSITIVE_INFINITY, enumerable: false })
  const inherited: Opportunity.Opportunity = Object.create(
    Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "K-3" }, amount: Number.NaN })
  )
  const proxied = new Proxy(base, {
    get: (target, key, receiver) => key === "name" ? "\u0000bad" : Reflect.get(target, key, receiver),
    ownKeys: (target) => Reflect.ownKeys(target).filter((key) => key !== "name")
  })
  const revealed = new Proxy(base, {
    get: (target, key, receiver) => key === "name" ? "\u0000bad" : Reflect.get(target, key, receiver)
  })
  const cases: ReadonlyArray<readonly [string, Opportunity.Opportunity, string, "sent" | "not sent"]> = [
    [
      "a getter of a subclass",
      new Priced({ externalKey: { name: "externalOpportunityId", value: "K-0" } }),
      "amount",
      "sent"
    ],
    ["a non-enumerable own property", hidden, "amount", "not sent"],
    ["a property of the prototype", inherited, "amount", "sent"],
    ["a Proxy that hides the key", proxied, "name", "not sent"],
    ["a Proxy that shows the key", revealed, "name", "sent"]
  ]
  it("a role whose only link to its opportunity is not sent is refused: the link is read as it would be sent", () => {
    const role = OpportunityPersonRole.make({ externalKey: { name: "k", value: "R-1" }, personId: 2, role: "Buyer" })
    Object.defineProperty(role, "opportunityId", { value: 1, enumerable: false })
    expect((MObject.toWire(role).attribList ?? []).map((a) => a.name)).not.toContain("OpportunityId")
    expect(Validation.issues([role], "UPSERT").map((i) => [i.path.join("."), i.message])).toContainEqual([
      "opportunityId",
      "expected an opportunityId or an opportunity association"
    ])
  })

  for (const [how, object, field, expected] of cases) {
    it(`a bad value held as ${how} is ${expected === "sent" ? "reported" : "neither sent nor reported"}`, () => {
      const sent = (MObject.toWire(object).attribList ?? []).some((a) => a.name.toLowerCase() === field.toLowerCase())
      const reported = Validation.issues([object], "UPSERT").some((i) => i.path.join(".") === field)
      // What toWire would send, validation checked.
      expect({ sent, reported }).toEqual(
        expected === "sent" ? { sent: true, reported: true } : { sent: false, reported: false }
      )
    })
  }
})
