import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Equal from "effect/Equal"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as Instances from "../src/internal/instances.js"
import { Opportunity } from "../src/Opportunity.js"
import { OpportunityPersonRole } from "../src/OpportunityPersonRole.js"
import { Program } from "../src/Program.js"

// The props a model is built from: its own fields, with a random subset of the fields that
// have a default left out (the constructor then supplies them), and sometimes its `_tag`.
const propsOf = (model: object, drop: ReadonlyArray<boolean>): Record<string, unknown> => {
  const defaulted = ["customFields", "costs", "tags", "tokens", "attributes"].filter((key) => key in model)
  const dropped = new Set(defaulted.filter((_, i) => drop[i] === true))
  if (drop[defaulted.length] === true) dropped.add("_tag")
  return Object.fromEntries(Object.entries(model).filter(([key]) => !dropped.has(key)))
}

const cases = [
  ["Program", Program, Instances.program],
  ["Opportunity", Opportunity, Instances.opportunity],
  ["OpportunityPersonRole", OpportunityPersonRole, Instances.opportunityPersonRole]
] as const

describe("model instances without the Schema constructor", () => {
  for (const [name, Class, make] of cases) {
    it.prop(
      `${name}: the instance is the one the constructor builds (prototype, own keys in order, values, equality)`,
      [
        Arbitrary.make(Class as Schema.Schema<object>),
        FastCheck.array(FastCheck.boolean(), { minLength: 6, maxLength: 6 })
      ],
      ([model, drop]) => {
        const props = propsOf(model, drop)
        const built = make(props)
        const constructed = new (Class as new(props: object, validate: boolean) => object)(props, true)
        expect(Object.getPrototypeOf(built)).toBe(Object.getPrototypeOf(constructed))
        expect(Object.keys(built)).toEqual(Object.keys(constructed))
        expect({ ...built }).toEqual({ ...constructed })
        // A default is a fresh object per instance, which Equal compares by reference; with
        // every field given, the two are Equal.
        if (Object.keys(props).length === Object.keys(model).length) {
          expect(Equal.equals(built, constructed)).toBe(true)
        }
        expect(Schema.is(Class as Schema.Schema<object>)(built)).toBe(true)
        // The props are copied, never kept or changed.
        expect(built).not.toBe(props)
        expect(props).toEqual(propsOf(model, drop))
      }
    )
  }
})
