/**
 * The criteria engine of getMObjects: each attribute a criterion may name, how its values
 * are read from an object and how a criterion's value is read so that both compare as the
 * same kind (numbers, times as numbers, text). A tag type matches when any tag has it.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import { type EmulatorFault, fault } from "./fault.js"
import { canonicalDecimal, canonicalValue, type FieldDef, isNumeric } from "./fields.js"
import type { Entity, Program } from "./state.js"

type Value = { readonly kind: "number"; readonly n: number } | { readonly kind: "text"; readonly s: string }

/** Reads the values an attribute name has on an object (several for tags). */
type Reader<A> = (object: A) => ReadonlyArray<Value>

const num = (n: number): Value => ({ kind: "number", n })
const text = (s: string): Value => ({ kind: "text", s })
const time = (iso: string): Value => num(Signature.parseTimestamp(iso) ?? Number.NaN)

const compare = (left: Value, comparison: Wire.ComparisonEnum, right: Value): boolean => {
  const order = left.kind === "number" && right.kind === "number"
    ? Math.sign(left.n - right.n)
    : left.kind === "text" && right.kind === "text"
    ? (left.s < right.s ? -1 : left.s > right.s ? 1 : 0)
    : Number.NaN
  if (Number.isNaN(order)) return comparison === "NE"
  switch (comparison) {
    case "EQ":
      return order === 0
    case "NE":
      return order !== 0
    case "LT":
      return order < 0
    case "LE":
      return order <= 0
    case "GT":
      return order > 0
    case "GE":
      return order >= 0
  }
}

/** How to read a criterion's value for the attribute: the same kind as the attribute. */
interface Attribute<A> {
  readonly read: Reader<A>
  readonly parse: (value: string) => Value | undefined
}

const numberAttr = <A>(read: (a: A) => number | undefined): Attribute<A> => ({
  read: (a) => {
    const n = read(a)
    return n === undefined ? [] : [num(n)]
  },
  parse: (value) => {
    const canonical = canonicalDecimal(value)
    return canonical === undefined ? undefined : num(Number(canonical))
  }
})

const textAttr = <A>(read: (a: A) => ReadonlyArray<string>): Attribute<A> => ({
  read: (a) => read(a).map(text),
  parse: text
})

const timeAttr = <A>(read: (a: A) => string): Attribute<A> => ({
  read: (a) => [time(read(a))],
  parse: (value) => {
    const millis = Signature.parseTimestamp(value.trim()) ??
      (/^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? Date.parse(`${value.trim()}T00:00:00Z`) : undefined)
    return millis === undefined || Number.isNaN(millis) ? undefined : num(millis)
  }
})

/** The criteria attributes of Program, as the WSDL lists them. @internal */
export const programAttributes: ReadonlyMap<string, Attribute<Program>> = new Map<string, Attribute<Program>>([
  ["Id", numberAttr((p) => p.id)],
  ["Name", textAttr((p) => [p.name])],
  ["Type", textAttr((p) => [p.programType])],
  ["CRM Id", textAttr(() => [])],
  ["Created At", timeAttr((p) => p.createdAt)],
  ["Updated At", timeAttr((p) => p.updatedAt)],
  ["Tag Type", textAttr((p) => p.tags.map((t) => t.type))],
  ["Tag Value", textAttr((p) => p.tags.map((t) => t.value))],
  ["Workspace Id", numberAttr((p) => p.workspaceId)],
  ["Workspace Name", textAttr((p) => [p.workspace])]
])

/** The criteria attributes of an Opportunity or a role: its fields, links and timestamps. @internal */
export const entityAttributes = (fields: ReadonlyArray<FieldDef>): ReadonlyMap<string, Attribute<Entity>> => {
  const map = new Map<string, Attribute<Entity>>([
    ["Id", numberAttr((e) => e.id)],
    ["Created At", timeAttr((e) => e.createdAt)],
    ["Updated At", timeAttr((e) => e.updatedAt)],
    ["OpportunityId", numberAttr((e) => e.opportunityId)],
    ["PersonId", numberAttr((e) => e.personId)]
  ])
  for (const field of fields) {
    if (map.has(field.name) || field.name === "CreatedAt" || field.name === "UpdatedAt") continue
    const get = (e: Entity) => e.fields.get(field.name)
    map.set(
      field.name,
      isNumeric(field.dataType)
        ? numberAttr((e) => {
          const v = get(e)
          return v === undefined ? undefined : Number(v)
        })
        : {
          read: (e) => {
            const v = get(e)
            return v === undefined ? [] : [text(v)]
          },
          parse: (value) => {
            const canonical = canonicalValue(field, value)
            return "error" in canonical ? undefined : text(canonical.value)
          }
        }
    )
  }
  return map
}

/**
 * A test of the objects that meet every criterion, or 20114 naming the criterion that is
 * unknown for the type or has a value the attribute cannot have.
 *
 * @internal
 */
export const matcher = <A>(
  attributes: ReadonlyMap<string, Attribute<A>>,
  criteria: ReadonlyArray<Wire.MObjCriteria>,
  type: string
): Either.Either<(a: A) => boolean, EmulatorFault> => {
  const tests: Array<(a: A) => boolean> = []
  for (const criterion of criteria) {
    // Read by getMObjects, which leaves archived programs out unless it is true.
    if (type === "Program" && criterion.attrName === "Include Archive") continue
    const attribute = attributes.get(criterion.attrName)
    if (attribute === undefined) {
      return Either.left(fault(20114, `unknown criteria attribute '${criterion.attrName}' for ${type}`))
    }
    const right = attribute.parse(criterion.attrValue)
    if (right === undefined) {
      return Either.left(
        fault(20114, `bad criteria value '${criterion.attrValue}' for ${type} attribute '${criterion.attrName}'`)
      )
    }
    tests.push((a) => {
      const values = attribute.read(a)
      // NE holds when no value equals; the others when some value compares so.
      return criterion.comparison === "NE"
        ? values.every((v) => compare(v, "NE", right))
        : values.some((v) => compare(v, criterion.comparison, right))
    })
  }
  return Either.right((a) => tests.every((test) => test(a)))
}
