import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as Limits from "../src/Limits.js"
import type * as MarketoError from "../src/MarketoError.js"
import type * as MObject from "../src/MObject.js"
import * as Opportunity from "../src/Opportunity.js"
import * as OpportunityPersonRole from "../src/OpportunityPersonRole.js"
import * as Program from "../src/Program.js"
import * as Validation from "../src/Validation.js"

// Laws of Validation.issues: start from objects valid for the operation, break exactly one
// thing in some of them, and the report names exactly those objects, at exactly that path.

type Path = ReadonlyArray<string | number>
type Plain = { [key: string]: unknown }
type Operation = MObject.SyncOperation

/** An object with one problem, and where Validation must report it. */
interface Mutant {
  readonly obj: MObject.MObject
  readonly path: Path
  /** A text the message must contain, when the class has a telling one. */
  readonly says?: string
}

interface InvalidClass {
  readonly name: string
  /** The operations under which the mutant is wrong only for the reason the class names. */
  readonly operations: ReadonlyArray<Operation>
  readonly mutant: (operation: Operation) => fc.Arbitrary<Mutant>
}

const allOperations: ReadonlyArray<Operation> = ["INSERT", "UPDATE", "UPSERT"]

// A deep, plain copy to break; `Date`s survive structuredClone.
const plain = (obj: MObject.MObject): Plain => structuredClone({ ...obj })

const dict = (value: unknown): Plain => value as Plain

const list = (value: unknown): Array<Plain> => value as Array<Plain>

// Rebuilt with the constructor's check off, as a caller past the type checker would (and as
// Validation.decode does): the checks must not depend on how the object was made.
const rebuild = (props: Plain): MObject.MObject => {
  switch (props["_tag"]) {
    case "Program":
      return new Program.Program(props as ConstructorParameters<typeof Program.Program>[0], true)
    case "Opportunity":
      return new Opportunity.Opportunity(props as ConstructorParameters<typeof Opportunity.Opportunity>[0], true)
    default:
      return new OpportunityPersonRole.OpportunityPersonRole(
        props as ConstructorParameters<typeof OpportunityPersonRole.OpportunityPersonRole>[0],
        true
      )
  }
}

// Valid objects ---------------------------------------------------------------------------

const xsInt = fc.integer({ min: Limits.xsIntMin, max: Limits.xsIntMax })

/** A Program as UPDATE sends it (no read-only details), with at least one cost and one tag. */
const program: fc.Arbitrary<Program.Program> = fc.tuple(
  Arbitrary.make(Program.Program),
  Arbitrary.make(Program.Cost),
  Arbitrary.make(Program.Tag)
).map(([p, cost, tag]) =>
  Program.make({
    id: p.id,
    costs: p.costs.length > 0 ? p.costs : [cost],
    tags: p.tags.length > 0 ? p.tags : [tag]
  })
)

const opportunity = (operation: Operation): fc.Arbitrary<Opportunity.Opportunity> =>
  fc.tuple(Arbitrary.make(Opportunity.Opportunity), xsInt).map(([o, id]) =>
    operation === "UPDATE" && o.id === undefined && o.externalKey === undefined ? Opportunity.make({ ...o, id }) : o
  )

const role = (operation: Operation): fc.Arbitrary<OpportunityPersonRole.OpportunityPersonRole> =>
  fc.tuple(Arbitrary.make(OpportunityPersonRole.OpportunityPersonRole), xsInt).map(([r, id]) =>
    OpportunityPersonRole.make({
      ...r,
      ...(r.opportunityId === undefined && r.opportunity === undefined ? { opportunityId: id } : {}),
      ...(r.personId === undefined && r.lead === undefined ? { personId: id } : {}),
      ...(operation === "UPDATE" && r.id === undefined && r.externalKey === undefined ? { id } : {})
    })
  )

const valid = (operation: Operation): fc.Arbitrary<MObject.MObject> =>
  operation === "UPDATE"
    ? fc.oneof(program, opportunity(operation), role(operation))
    : fc.oneof(opportunity(operation), role(operation))

// Invalid values --------------------------------------------------------------------------

const notMonth = fc.oneof(
  fc.constantFrom("2013-13", "2013-00", "2013-6", "13-06", "2013-06-01", "June 2013", "", " 2013-06"),
  fc.string().filter((s) => !/^\d{4}-(0[1-9]|1[0-2])$/.test(s))
)

const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)

const notPercent = fc.oneof(
  fc.integer({ max: -1 }),
  fc.integer({ min: 101 }),
  fc.double({ min: 0, max: 100, noNaN: true }).filter((n) => !Number.isInteger(n)),
  nonFinite
)

const outsideXsInt = fc.oneof(
  fc.constantFrom(Limits.xsIntMax + 1, Limits.xsIntMin - 1, 1e21, -1e21),
  fc.maxSafeInteger().filter((n) => n > Limits.xsIntMax || n < Limits.xsIntMin)
)

/** One code unit XML 1.0 cannot carry: a forbidden control or non-character, or a lone surrogate. */
const forbiddenChar = fc.oneof(
  fc.constantFrom(
    ...[...Array(0x20).keys()].filter((c) => c !== 0x9 && c !== 0xA && c !== 0xD),
    0xFFFE,
    0xFFFF
  ),
  fc.integer({ min: 0xD800, max: 0xDFFF })
).map((code) => String.fromCharCode(code))

const pick = <A>(items: ReadonlyArray<A>, n: number): A => items[n % items.length]!

const without = (obj: Plain, ...keys: ReadonlyArray<string>): Plain =>
  Object.fromEntries(Object.entries(obj).filter(([key]) => !keys.includes(key)))

// Where text lives in an object; containers that are absent are created valid first.
const textPaths = (obj: Plain): ReadonlyArray<Path> => {
  const custom = Object.keys(dict(obj["customFields"] ?? {}))
  const customPaths: ReadonlyArray<Path> = [["customFields", custom[0] ?? "Region__c"]]
  const keyPaths: ReadonlyArray<Path> = [["externalKey", "name"], ["externalKey", "value"]]
  const via = (association: string): ReadonlyArray<Path> => [
    [association, "externalKey", "name"],
    [association, "externalKey", "value"]
  ]
  switch (obj["_tag"]) {
    case "Program":
      return [["costs", 0, "note"], ["tags", 0, "type"], ["tags", 0, "value"]]
    case "Opportunity":
      return [
        ...["description", "fiscal", "forecastCategoryName", "leadSource", "name", "nextStep", "stage", "type"].map((
          key
        ) => [key]),
        ...keyPaths,
        ...customPaths,
        ...via("company")
      ]
    default:
      return [["role"], ...keyPaths, ...customPaths, ...via("lead"), ...via("opportunity")]
  }
}

const someKey = () => ({ name: "extId", value: "1" })

/** Puts `bad` into the text at `path` at code point `n` (so no surrogate pair is split). */
const spoilText = (obj: Plain, path: Path, bad: string, n: number): { readonly says: string } => {
  let parent: Plain = obj
  if (path[0] === "externalKey" && obj["externalKey"] === undefined) obj["externalKey"] = someKey()
  if (path.length === 3 && path[1] === "externalKey" && dict(obj[path[0] as string])?.["externalKey"] === undefined) {
    obj[path[0] as string] = { externalKey: someKey() }
  }
  for (const step of path.slice(0, -1)) parent = dict(parent[step])
  const last = path[path.length - 1]!
  const before = parent[last]
  const points = Array.from(typeof before === "string" ? before : "")
  const at = n % (points.length + 1)
  parent[last] = [...points.slice(0, at), bad, ...points.slice(at)].join("")
  const position = points.slice(0, at).join("").length
  return { says: `U+${bad.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${position}` }
}

// Where integers live in an object.
const intPaths = (obj: Plain): ReadonlyArray<Path> => {
  switch (obj["_tag"]) {
    case "Program":
      return [["id"], ["costs", 0, "id"]]
    case "Opportunity":
      return [["id"], ["fiscalQuarter"], ["fiscalYear"], ["company", "id"]]
    default:
      return [["id"], ["opportunityId"], ["personId"], ["lead", "id"], ["opportunity", "id"]]
  }
}

const spoilInt = (obj: Plain, path: Path, n: number): void => {
  if (path.length === 2 && path[1] === "id" && path[0] !== "costs") {
    obj[path[0] as string] = { id: n }
    return
  }
  let parent: Plain = obj
  for (const step of path.slice(0, -1)) parent = dict(parent[step])
  parent[path[path.length - 1]!] = n
}

// The classes of invalid input ------------------------------------------------------------

const classes: ReadonlyArray<InvalidClass> = [
  {
    name: "a Program outside UPDATE",
    operations: ["INSERT", "UPSERT"],
    mutant: () => program.map((obj) => ({ obj, path: [], says: "UPDATE" }))
  },
  {
    name: "a cost month missing or not YYYY-MM",
    operations: ["UPDATE"],
    mutant: () =>
      fc.tuple(program, fc.nat(), fc.option(notMonth, { nil: undefined })).map(([p, n, month]) => {
        const obj = plain(p)
        const costs = list(obj["costs"])
        const i = n % costs.length
        costs[i] = month === undefined ? without(costs[i]!, "month") : { ...costs[i], month }
        return { obj: rebuild(obj), path: ["costs", i, "month"], says: "YYYY-MM" }
      })
  },
  {
    name: "a non-finite or missing amount",
    operations: allOperations,
    mutant: (operation) => {
      const inOpportunity = fc.tuple(
        opportunity(operation),
        fc.constantFrom("amount", "expectedRevenue", "quantity"),
        nonFinite
      ).map(([o, key, amount]) => ({ obj: rebuild({ ...plain(o), [key]: amount }), path: [key], says: "finite" }))
      const inCost = fc.tuple(program, fc.nat(), fc.option(nonFinite, { nil: undefined })).map(([p, n, amount]) => {
        const obj = plain(p)
        const costs = list(obj["costs"])
        const i = n % costs.length
        costs[i] = amount === undefined ? without(costs[i]!, "amount") : { ...costs[i], amount }
        return { obj: rebuild(obj), path: ["costs", i, "amount"], says: "finite" }
      })
      return operation === "UPDATE" ? fc.oneof(inOpportunity, inCost) : inOpportunity
    }
  },
  {
    name: "a tag without type or value",
    operations: ["UPDATE"],
    mutant: () =>
      fc.tuple(program, fc.nat(), fc.constantFrom("type", "value"), fc.boolean()).map(([p, n, field, drop]) => {
        const obj = plain(p)
        const tags = list(obj["tags"])
        const i = n % tags.length
        tags[i] = drop ? without(tags[i]!, field) : { ...tags[i], [field]: "" }
        return { obj: rebuild(obj), path: ["tags", i, field] }
      })
  },
  {
    name: "an UPDATE without id or externalKey",
    operations: ["UPDATE"],
    mutant: (operation) =>
      valid(operation).map((obj) => ({ obj: rebuild(without(plain(obj), "id", "externalKey")), path: ["id"] }))
  },
  {
    name: "a role without its opportunity or person",
    operations: allOperations,
    mutant: (operation) =>
      fc.tuple(role(operation), fc.boolean()).map(([r, lacksOpportunity]) =>
        lacksOpportunity
          ? { obj: rebuild(without(plain(r), "opportunityId", "opportunity")), path: ["opportunityId"] }
          : { obj: rebuild(without(plain(r), "personId", "lead")), path: ["personId"] }
      )
  },
  {
    name: "a probability outside 0-100",
    operations: allOperations,
    mutant: (operation) =>
      fc.tuple(opportunity(operation), notPercent).map(([o, probability]) => ({
        obj: rebuild({ ...plain(o), probability }),
        path: ["probability"],
        says: "0 to 100"
      }))
  },
  {
    name: "text XML 1.0 cannot carry, in any text field",
    operations: allOperations,
    mutant: (operation) =>
      fc.tuple(valid(operation), fc.nat(), fc.nat(), forbiddenChar).map(([base, n, at, bad]) => {
        const obj = plain(base)
        const path = pick(textPaths(obj), n)
        const { says } = spoilText(obj, path, bad, at)
        return { obj: rebuild(obj), path, says }
      })
  },
  {
    name: "an integer outside xs:int, in any integer field",
    operations: allOperations,
    mutant: (operation) =>
      fc.tuple(valid(operation), fc.nat(), outsideXsInt).map(([base, n, big]) => {
        const obj = plain(base)
        const path = pick(intPaths(obj), n)
        spoilInt(obj, path, big)
        return { obj: rebuild(obj), path, says: "xs:int" }
      })
  }
]

// The laws --------------------------------------------------------------------------------

const operationOf = (invalid: InvalidClass) => fc.constantFrom(...invalid.operations)

const classesFor = (operation: Operation) => classes.filter((invalid) => invalid.operations.includes(operation))

/** A valid batch with the mutants put at random places; `path` is set where a mutant went. */
const batchWith = (
  operation: Operation,
  mutants: fc.Arbitrary<ReadonlyArray<Mutant>>
): fc.Arbitrary<ReadonlyArray<{ readonly obj: MObject.MObject; readonly mutant?: Mutant }>> =>
  fc.tuple(fc.array(valid(operation), { maxLength: 6 }), mutants, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }))
    .map(([objs, bad, places]) => {
      const entries: Array<{ readonly obj: MObject.MObject; readonly mutant?: Mutant }> = objs.map((obj) => ({ obj }))
      bad.forEach((mutant, i) =>
        entries.splice(places[i % places.length]! % (entries.length + 1), 0, { obj: mutant.obj, mutant })
      )
      return entries
    })

const where = (issues: ReadonlyArray<MarketoError.ValidationIssue>) => issues.map((issue) => [issue.index, issue.path])

const expected = (batch: ReadonlyArray<{ readonly mutant?: Mutant }>, startIndex: number) =>
  batch.flatMap((entry, i) => (entry.mutant === undefined ? [] : [[startIndex + i, entry.mutant.path]]))

describe("Validation laws", () => {
  it.prop(
    "valid batches report nothing, for every operation",
    [
      fc.constantFrom(...allOperations).chain((operation) =>
        fc.tuple(fc.constant(operation), fc.array(valid(operation)))
      )
    ],
    ([[operation, batch]]) => {
      expect(Validation.issues(batch, operation)).toEqual([])
    }
  )

  for (const invalid of classes) {
    it.prop(
      `${invalid.name}: reported at that object and path, nowhere else`,
      [
        operationOf(invalid).chain((operation) =>
          fc.tuple(fc.constant(operation), batchWith(operation, invalid.mutant(operation).map((mutant) => [mutant])))
        ),
        fc.nat({ max: 1000 })
      ],
      ([[operation, batch], startIndex]) => {
        const found = Validation.issues(batch.map((entry) => entry.obj), operation, startIndex)
        expect(where(found)).toEqual(expected(batch, startIndex))
        const says = batch.find((entry) => entry.mutant !== undefined)?.mutant?.says
        if (says !== undefined) expect(found[0]?.message).toContain(says)
      }
    )
  }

  it.effect.prop(
    "a batch with k broken objects fails with one ValidationError naming all k",
    [
      fc.constantFrom(...allOperations).chain((operation) =>
        fc.tuple(
          fc.constant(operation),
          batchWith(
            operation,
            fc.array(fc.oneof(...classesFor(operation).map((invalid) => invalid.mutant(operation))), {
              minLength: 1,
              maxLength: 5
            })
          )
        )
      )
    ],
    ([[operation, batch]]) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Validation.validate(batch.map((entry) => entry.obj), operation))
        expect(error._tag).toBe("ValidationError")
        const broken = expected(batch, 0)
        expect(broken.length).toBeGreaterThan(0)
        expect(where(error.issues)).toEqual(broken)
      }),
    // Each run draws up to eleven models; fewer runs keep the suite quick on a busy machine.
    { fastCheck: { numRuns: 50 } }
  )
})
