/**
 * Models to Wire.MObject records and back.
 *
 * Writing order: standard fields in the order of `mappingFields`, then custom fields in
 * insertion order; Program costs (Month, Amount, Id, Note), then tags (Type, Value), then
 * tokens (Name, Value). Reading accepts any order, rejects a field given twice, and names
 * the type and field of the first value it cannot read.
 */
import * as Either from "effect/Either"
import { ProtocolError } from "../MarketoError.js"
import { Opportunity } from "../Opportunity.js"
import { OpportunityPersonRole } from "../OpportunityPersonRole.js"
import { type Cost, Program, type Tag, type Token } from "../Program.js"
import type * as Wire from "../Wire.js"
import * as Fields from "./mappingFields.js"
import * as Value from "./mappingValues.js"
import { formatPath } from "./path.js"

type Model = Program | Opportunity | OpportunityPersonRole
type Association = { readonly id: number } | { readonly externalKey: { readonly name: string; readonly value: string } }
type Path = ReadonlyArray<string | number>

// ---------------------------------------------------------------------------------------
// model -> wire
// ---------------------------------------------------------------------------------------

const writeValue = (kind: Fields.Kind, value: unknown): string => {
  switch (kind) {
    case "boolean":
      return typeof value === "boolean" ? Value.formatBoolean(value) : String(value)
    case "date":
      return value instanceof Date ? Value.formatDate(value) : String(value)
    case "decimal":
      return typeof value === "number" ? Value.formatDecimal(value) : String(value)
    case "int":
    case "percent":
      return typeof value === "number" ? Value.formatInt(value) : String(value)
    case "text":
      return String(value)
  }
}

const standardAttribs = <K extends string>(
  fields: ReadonlyArray<Fields.StandardField<K>>,
  obj: { readonly [key in K]?: unknown }
): Array<Wire.Attrib> =>
  fields.flatMap((field) => {
    const value = obj[field.key]
    return value === undefined ? [] : [{ name: field.wire, value: writeValue(field.kind, value) }]
  })

const customAttribs = (custom: { readonly [name: string]: string }): Array<Wire.Attrib> =>
  Object.entries(custom).map(([name, value]) => ({ name, value }))

const association = (mObjType: string, a: Association): Wire.MObjAssociation =>
  "id" in a
    ? { mObjType, id: a.id }
    : { mObjType, externalKey: { name: a.externalKey.name, value: a.externalKey.value } }

// Optional wire elements are left out, never written empty: an absent list and an empty
// list are different things on the wire.
const nonEmpty = <K extends string, A>(key: K, list: ReadonlyArray<A>): { [k in K]?: ReadonlyArray<A> } =>
  list.length === 0 ? {} : ({ [key]: list } as { [k in K]: ReadonlyArray<A> })

const header = (obj: Model) => ({
  type: obj._tag,
  ...("id" in obj && obj.id !== undefined ? { id: obj.id } : {}),
  ...("externalKey" in obj && obj.externalKey !== undefined
    ? { externalKey: { name: obj.externalKey.name, value: obj.externalKey.value } }
    : {}),
  ...(obj.createdAt !== undefined ? { createdAt: obj.createdAt } : {}),
  ...(obj.updatedAt !== undefined ? { updatedAt: obj.updatedAt } : {})
})

const costAttribs = (cost: Cost): Array<Wire.Attrib> => [
  { name: "Month", value: cost.month },
  { name: "Amount", value: Value.formatDecimal(cost.amount) },
  ...(cost.id === undefined ? [] : [{ name: "Id", value: Value.formatInt(cost.id) }]),
  ...(cost.note === undefined ? [] : [{ name: "Note", value: cost.note }])
]

export const toWire = (obj: Model): Wire.MObject => {
  switch (obj._tag) {
    case "Program":
      return {
        ...header(obj),
        ...nonEmpty("attribList", customAttribs(obj.attributes)),
        ...nonEmpty("typeAttribList", [
          ...obj.costs.map((cost) => ({ attrType: "Cost", attrList: costAttribs(cost) })),
          ...obj.tags.map((tag) => ({
            attrType: "Tag",
            attrList: [{ name: "Type", value: tag.type }, { name: "Value", value: tag.value }]
          })),
          ...obj.tokens.map((token) => ({
            attrType: "Token",
            attrList: [{ name: "Name", value: token.name }, { name: "Value", value: token.value }]
          }))
        ])
      }
    case "Opportunity":
      return {
        ...header(obj),
        ...nonEmpty("attribList", [
          ...standardAttribs(Fields.opportunityFields, obj),
          ...customAttribs(obj.customFields)
        ]),
        ...nonEmpty("associationList", obj.company === undefined ? [] : [association("Company", obj.company)])
      }
    case "OpportunityPersonRole":
      return {
        ...header(obj),
        ...nonEmpty("attribList", [
          ...standardAttribs(Fields.opportunityPersonRoleFields, obj),
          ...customAttribs(obj.customFields)
        ]),
        ...nonEmpty("associationList", [
          ...(obj.lead === undefined ? [] : [association("Lead", obj.lead)]),
          ...(obj.opportunity === undefined ? [] : [association("Opportunity", obj.opportunity)])
        ])
      }
  }
}

// ---------------------------------------------------------------------------------------
// wire -> model
// ---------------------------------------------------------------------------------------

const excerpt = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text)

const unreadable = (type: string, path: Path, expected: string, received: string): ProtocolError =>
  new ProtocolError({
    reason: "Unexpected",
    detail: `cannot read ${type} field ${formatPath(path, "mObject")}: expected ${expected}, got ${
      JSON.stringify(excerpt(received))
    }`,
    received: excerpt(received)
  })

const readValue = (kind: Fields.Kind, text: string): unknown => {
  switch (kind) {
    case "boolean":
      return Value.parseBoolean(text)
    case "date":
      return Value.parseDate(text)
    case "decimal":
      return Value.parseDecimal(text)
    case "int":
      return Value.parseInteger(text)
    case "percent": {
      const n = Value.parseInteger(text)
      return n !== undefined && n >= 0 && n <= 100 ? n : undefined
    }
    case "text":
      return text
  }
}

interface Attribs {
  readonly standard: Record<string, unknown>
  readonly custom: { readonly [name: string]: string }
}

const readAttribs = <K extends string>(
  type: string,
  fields: ReadonlyArray<Fields.StandardField<K>>,
  list: ReadonlyArray<Wire.Attrib>
): Either.Either<Attribs, ProtocolError> => {
  const byWire = new Map(fields.map((field) => [field.wire, field]))
  const seen = new Set<string>()
  const standard: Record<string, unknown> = {}
  const custom: Array<[string, string]> = []
  for (const [i, attrib] of list.entries()) {
    if (seen.has(attrib.name)) {
      return Either.left(unreadable(type, ["attribList", i, "name"], "each field at most once", attrib.name))
    }
    seen.add(attrib.name)
    const field = byWire.get(attrib.name)
    if (field === undefined) {
      custom.push([attrib.name, attrib.value])
    } else {
      const value = readValue(field.kind, attrib.value)
      if (value === undefined) {
        return Either.left(
          unreadable(type, ["attribList", i, "value"], `${Fields.expected[field.kind]} for ${field.wire}`, attrib.value)
        )
      }
      standard[field.key] = value
    }
  }
  // fromEntries defines own properties, so a field named `__proto__` stays a field.
  return Either.right({ standard, custom: Object.fromEntries(custom) })
}

const readAssociations = (
  type: string,
  allowed: ReadonlyArray<string>,
  list: ReadonlyArray<Wire.MObjAssociation>
): Either.Either<ReadonlyMap<string, Association>, ProtocolError> => {
  const found = new Map<string, Association>()
  for (const [i, a] of list.entries()) {
    const path = ["associationList", i]
    if (!allowed.includes(a.mObjType)) {
      return Either.left(unreadable(type, [...path, "mObjType"], `one of ${allowed.join(", ")}`, a.mObjType))
    }
    if (found.has(a.mObjType)) {
      return Either.left(unreadable(type, [...path, "mObjType"], "one association of each type", a.mObjType))
    }
    if (a.id !== undefined && a.externalKey === undefined) {
      found.set(a.mObjType, { id: a.id })
    } else if (a.id === undefined && a.externalKey !== undefined) {
      found.set(a.mObjType, { externalKey: { name: a.externalKey.name, value: a.externalKey.value } })
    } else {
      return Either.left(unreadable(type, path, "exactly one of id and externalKey", JSON.stringify(a)))
    }
  }
  return Either.right(found)
}

const common = (w: Wire.MObject) => ({
  ...(w.id !== undefined ? { id: w.id } : {}),
  ...(w.externalKey !== undefined ? { externalKey: { name: w.externalKey.name, value: w.externalKey.value } } : {}),
  ...(w.createdAt !== undefined ? { createdAt: w.createdAt } : {}),
  ...(w.updatedAt !== undefined ? { updatedAt: w.updatedAt } : {})
})

const absent = (type: string, w: Wire.MObject, key: "typeAttribList" | "associationList" | "externalKey") => {
  const value = w[key]
  return value === undefined || (Array.isArray(value) && value.length === 0)
    ? Either.void
    : Either.left(unreadable(type, [key], `no ${key} on a ${type}`, JSON.stringify(value)))
}

// The attribs of one Cost, Tag or Token entry, by name: each at most once, `required` present.
const readEntry = <R extends string, O extends string = never>(
  path: Path,
  attribs: ReadonlyArray<Wire.Attrib>,
  required: ReadonlyArray<R>,
  optional: ReadonlyArray<O> = []
): Either.Either<{ readonly [k in R]: string } & { readonly [k in O]?: string }, ProtocolError> => {
  const names: ReadonlyArray<string> = [...required, ...optional]
  const values: Record<string, string> = {}
  for (const [i, attrib] of attribs.entries()) {
    if (!names.includes(attrib.name) || Object.hasOwn(values, attrib.name)) {
      return Either.left(
        unreadable("Program", [...path, "attrList", i, "name"], `each of ${names.join(", ")} at most once`, attrib.name)
      )
    }
    values[attrib.name] = attrib.value
  }
  const missing = required.find((name) => !Object.hasOwn(values, name))
  return missing === undefined
    // Every required name is present and nothing else is, which is what the type says.
    ? Either.right(values as { readonly [k in R]: string } & { readonly [k in O]?: string })
    : Either.left(unreadable("Program", [...path, "attrList"], `an attrib named ${missing}`, JSON.stringify(attribs)))
}

const readProgram = (w: Wire.MObject): Either.Either<Program, ProtocolError> =>
  Either.gen(function*() {
    if (w.id === undefined) return yield* Either.left(unreadable("Program", ["id"], "the program id", ""))
    yield* absent("Program", w, "externalKey")
    yield* absent("Program", w, "associationList")
    const attribs = yield* readAttribs("Program", [], w.attribList ?? [])
    const costs: Array<Cost> = []
    const tags: Array<Tag> = []
    const tokens: Array<Token> = []
    for (const [i, entry] of (w.typeAttribList ?? []).entries()) {
      const path = ["typeAttribList", i]
      const list = entry.attrList ?? []
      if (entry.attrType === "Cost") {
        const v = yield* readEntry(path, list, ["Month", "Amount"], ["Id", "Note"])
        const month = Value.parseMonth(v.Month)
        if (month === undefined) {
          return yield* Either.left(unreadable("Program", [...path, "Month"], "a month YYYY-MM", v.Month))
        }
        const amount = Value.parseDecimal(v.Amount)
        if (amount === undefined) {
          return yield* Either.left(unreadable("Program", [...path, "Amount"], "a decimal", v.Amount))
        }
        const id = v.Id === undefined ? undefined : Value.parseInteger(v.Id)
        if (v.Id !== undefined && id === undefined) {
          return yield* Either.left(unreadable("Program", [...path, "Id"], "an integer (xs:int)", v.Id))
        }
        const note = v.Note
        costs.push({ month, amount, ...(id !== undefined ? { id } : {}), ...(note !== undefined ? { note } : {}) })
      } else if (entry.attrType === "Tag") {
        const v = yield* readEntry(path, list, ["Type", "Value"])
        tags.push({ type: v.Type, value: v.Value })
      } else if (entry.attrType === "Token") {
        const v = yield* readEntry(path, list, ["Name", "Value"])
        tokens.push({ name: v.Name, value: v.Value })
      } else {
        return yield* Either.left(unreadable("Program", [...path, "attrType"], "Cost, Tag or Token", entry.attrType))
      }
    }
    return new Program({ ...common(w), id: w.id, costs, tags, tokens, attributes: attribs.custom }, true)
  })

const readOpportunity = (w: Wire.MObject): Either.Either<Opportunity, ProtocolError> =>
  Either.gen(function*() {
    yield* absent("Opportunity", w, "typeAttribList")
    const attribs = yield* readAttribs("Opportunity", Fields.opportunityFields, w.attribList ?? [])
    const associations = yield* readAssociations("Opportunity", ["Company"], w.associationList ?? [])
    const company = associations.get("Company")
    // The standard values were each read by the kind their table entry names.
    const standard = attribs.standard as Partial<ConstructorParameters<typeof Opportunity>[0]>
    return new Opportunity({
      ...common(w),
      ...standard,
      customFields: attribs.custom,
      ...(company !== undefined ? { company } : {})
    }, true)
  })

const readOpportunityPersonRole = (w: Wire.MObject): Either.Either<OpportunityPersonRole, ProtocolError> =>
  Either.gen(function*() {
    const type = "OpportunityPersonRole"
    yield* absent(type, w, "typeAttribList")
    const attribs = yield* readAttribs(type, Fields.opportunityPersonRoleFields, w.attribList ?? [])
    const associations = yield* readAssociations(type, ["Lead", "Opportunity"], w.associationList ?? [])
    const lead = associations.get("Lead")
    const opportunity = associations.get("Opportunity")
    const standard = attribs.standard as Partial<ConstructorParameters<typeof OpportunityPersonRole>[0]>
    return new OpportunityPersonRole({
      ...common(w),
      ...standard,
      customFields: attribs.custom,
      ...(lead !== undefined ? { lead } : {}),
      ...(opportunity !== undefined ? { opportunity } : {})
    }, true)
  })

export const fromWire = (w: Wire.MObject): Either.Either<Model, ProtocolError> => {
  switch (w.type) {
    case "Program":
      return readProgram(w)
    case "Opportunity":
      return readOpportunity(w)
    case "OpportunityPersonRole":
      return readOpportunityPersonRole(w)
    default:
      return Either.left(unreadable(w.type, ["type"], "Program, Opportunity or OpportunityPersonRole", w.type))
  }
}
