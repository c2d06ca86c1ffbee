/**
 * Values that are not models, handed to the client past the type checker (as JavaScript
 * callers and `as any` casts do): each is a ValidationError naming its place, never a defect,
 * and nothing is sent.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as MarketoClient from "../src/MarketoClient.js"
import type { ValidationError } from "../src/MarketoError.js"
import type * as MObject from "../src/MObject.js"
import { Opportunity } from "../src/Opportunity.js"
import { OpportunityPersonRole } from "../src/OpportunityPersonRole.js"
import { Program } from "../src/Program.js"
import * as Fake from "./helpers/fakeTransport.js"

class Deal {
  readonly _tag = "Opportunity"
  constructor(readonly name: string) {}
}

/** Own enumerable fields of a model, as a plain object (what `{ ...model }` or JSON gives). */
const plainCopy = (model: MObject.MObject): unknown => ({ ...model })

/** Anything a caller could pass that is not a Program, Opportunity or OpportunityPersonRole. */
const notAModel: FastCheck.Arbitrary<unknown> = FastCheck.oneof(
  FastCheck.constantFrom<unknown>(null, undefined, 0, Number.NaN, "Opportunity", true, [], () => 1, Symbol("x")),
  FastCheck.double(),
  FastCheck.string(),
  // The issue's own case.
  FastCheck.string().map((name) => ({ _tag: "Opportunity", name })),
  Arbitrary.make(Opportunity).map(plainCopy),
  Arbitrary.make(OpportunityPersonRole).map(plainCopy),
  Arbitrary.make(Program).map(plainCopy),
  FastCheck.string().map((name) => new Deal(name)),
  FastCheck.constantFrom<unknown>(new Date(0), new Map(), new Error("x"), Object.create(null)),
  FastCheck.array(Arbitrary.make(Opportunity))
)

const models = (n: number) => Array.from({ length: n }, (_, i) => Opportunity.make({ id: i + 1, name: `o${i}` }))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

const expectNamed = (exit: Exit.Exit<unknown, unknown>, at: number, says: string) => {
  // A defect would be a Die cause, not a Fail.
  const error = failureOf(exit) as ValidationError | undefined
  expect(error?._tag).toBe("ValidationError")
  expect(error?.issues.map((issue) => [issue.index, issue.path])).toEqual([[at, []]])
  expect(error?.message).toContain(`objects[${at}]: ${says}`)
}

describe("values that are not models", () => {
  it.effect.prop(
    "syncMObjects: a ValidationError naming objects[i], nothing sent",
    [
      notAModel,
      FastCheck.integer({ min: 1, max: 250 }),
      FastCheck.nat(),
      FastCheck.constantFrom<MObject.SyncOperation>("INSERT", "UPDATE", "UPSERT")
    ],
    ([value, n, at, operation]) =>
      Effect.gen(function*() {
        const position = at % n
        const objects = models(n).map((o, i): MObject.MObject => i === position ? value as MObject.MObject : o)
        const fake = Fake.make()
        const client = yield* MarketoClient.make().pipe(Effect.provide(fake.layer))
        const exit = yield* Effect.exit(client.syncMObjects(objects, operation))
        expectNamed(exit, position, "expected a Program, Opportunity or OpportunityPersonRole")
        expect(fake.calls).toEqual([])
      })
  )

  it.effect("the issue's case says what it got and where plain data goes", () =>
    Effect.gen(function*() {
      const client = yield* MarketoClient.make().pipe(Effect.provide(Fake.make().layer))
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ _tag: "Opportunity", name: "Deal" }, `a plain object with _tag "Opportunity"`],
        [new Deal("Deal"), "an instance of Deal"],
        [null, "null"],
        [42, "42"]
      ]
      for (const [value, kind] of cases) {
        const exit = yield* Effect.exit(client.syncMObjects([value as MObject.MObject], "UPSERT"))
        expectNamed(
          exit,
          0,
          `expected a Program, Opportunity or OpportunityPersonRole made by its make (plain data: Validation.decode), got ${kind}`
        )
      }
    }))

  it.effect.prop(
    "deleteMObjects: a ValidationError naming objects[i], nothing sent",
    [
      FastCheck.oneof(
        notAModel,
        FastCheck.constantFrom<unknown>({ type: "Program", id: 1 }, { type: "Opportunity" }, { id: 3 })
      ),
      FastCheck.integer({ min: 1, max: 250 }),
      FastCheck.nat()
    ],
    ([value, n, at]) =>
      Effect.gen(function*() {
        const position = at % n
        const refs = Array.from(
          { length: n },
          (_, i): MarketoClient.DeleteRef =>
            i === position ? value as MarketoClient.DeleteRef : { type: "Opportunity", id: i + 1 }
        )
        const fake = Fake.make()
        const client = yield* MarketoClient.make().pipe(Effect.provide(fake.layer))
        const exit = yield* Effect.exit(client.deleteMObjects(refs))
        const error = failureOf(exit) as ValidationError | undefined
        expect(error?._tag).toBe("ValidationError")
        expect(new Set(error?.issues.map((issue) => issue.index))).toEqual(new Set([position]))
        expect(error?.message).toContain(`objects[${position}]`)
        expect(fake.calls).toEqual([])
      })
  )
})
