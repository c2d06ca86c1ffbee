/**
 * Model instances from props already checked field by field (read from the wire, or plain data
 * `Validation` accepted), built without running the `Schema.Class` constructor.
 *
 * That constructor merges the class's field defaults on every construction, even with
 * validation off, and in effect 3.22 the merge costs about 9 µs per object, 80 times the object
 * itself: a getMObjects page of 100 Opportunities spent about 1 ms in it, and a CSV of 100,000
 * rows 0.9 s. The instance made here is the one the constructor makes: the class's prototype,
 * the props as own properties in their order, the defaults of absent fields after them, `_tag`
 * last (a law in the tests checks that the two agree for every model the Schemas generate).
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { Opportunity } from "../Opportunity.js"
import { OpportunityPersonRole } from "../OpportunityPersonRole.js"
import { Program } from "../Program.js"

type Model = Program | Opportunity | OpportunityPersonRole

interface ModelClass<M extends Model> {
  readonly prototype: M
  readonly fields: Schema.Struct.Fields
}

type Defaults = ReadonlyArray<readonly [key: string, make: () => unknown]>

/** The fields of a class that have a default, with the default's maker, as the constructor finds them. */
const defaultsOf = (fields: Schema.Struct.Fields): Defaults =>
  Object.entries(fields).flatMap(([key, field]): Defaults => {
    if (!Schema.isPropertySignature(field)) return []
    const ast = field.ast
    const make = ast._tag === "PropertySignatureDeclaration" ? ast.defaultValue : ast.to.defaultValue
    return make === undefined ? [] : [[key, make]]
  })

const maker = <M extends Model>(Class: ModelClass<M>, tag: M["_tag"]) => {
  const defaults = defaultsOf(Class.fields)
  return (props: object): M => {
    // The same steps as the constructor: a copy of the props, without their `_tag`, the
    // defaults of absent fields, then the tag.
    const instance: Record<string, unknown> = Object.create(Class.prototype as object)
    Object.assign(instance, props)
    delete instance["_tag"]
    for (const [key, make] of defaults) {
      if (instance[key] === undefined) instance[key] = make()
    }
    instance["_tag"] = tag
    return instance as unknown as M
  }
}

/** A Program from checked props. */
export const program: (props: object) => Program = maker(Program, "Program")

/** An Opportunity from checked props. */
export const opportunity: (props: object) => Opportunity = maker(Opportunity, "Opportunity")

/** An OpportunityPersonRole from checked props. */
export const opportunityPersonRole: (props: object) => OpportunityPersonRole = maker(
  OpportunityPersonRole,
  "OpportunityPersonRole"
)
