/**
 * Models to Wire.MObject records and back.
 *
 * Writing order: standard fields in the order of `mappingFields`, then custom fields in
 * insertion order; Program costs (Month, Amount, Id, Note), then tags (Type, Value), then
 * tokens (Name, Value). Reading accepts any order, rejects a field given twice, and names
 * the type and field of the first value it cannot read.
 */
import * as Either from "effect/Either"
import { type Association, isById } from "../Keys.js"
import { ProtocolError } from "../MarketoError.js"
import type { MObject } from "../MObject.js"
import { Opportunity } from "../Opportunity.js"
import { OpportunityPersonRole } from "../OpportunityPersonRole.js"
import { type Cost, Program, type Tag, type Token } from "../Program.js"
import type * as Wire from "../Wire.js"
import * as FieldValues from "./fieldValues.js"
import * as Instances from "./instances.js"
import * as Fields from "./mappingFields.js"
import * as Value from "./mappingValues.js"
import type { Sent } from "./pairing.js"
import { formatPath } from "./path.js"

type Model = MObject
type Path = ReadonlyArray<string | number>

// ---------------------------------------------------------------------------------------
// model -> wire
// ---------------------------------------------------------------------------------------

/** A standard field's value as the wire's text. Also what a transport's model path writes (`MarketoTransport.fieldText`). */
export const writeValue = (kind: Fields.Kind, value: unknown): string => {
  switch (kind) {
    case "boolean":
      return typeof value === "boolean" ? Value.formatBoolean(value) : String(value)
    case "date":
      return value instanceof Date ? Value.formatDate(value) : String(value)
    case "datetime":
      return value instanceof Date ? Value.formatDateTime(value) : String(value)
    case "decimal":
      return typeof value === "number" ? Value.formatDecimal(value) : String(value)
    case "int":
    case "percent":
      return typeof value === "number" ? Value.formatInt(value) : String(value)
    case "text":
      return String(value)
  }
}

// The writers below build each record with plain loops and conditional assignments into
// fresh local objects: toWire runs once per object sent, and spreads and flatMaps over every
// standard field were the main source of garbage of a sync.

// The fields are read as the checks read them (FieldValues): what is sent was checked.
const pushStandard = <K extends string>(out: Array<Wire.Attrib>, reader: FieldValues.Reader<K>, obj: object): void => {
  const fields = reader.fields
  const values = FieldValues.valuesOf(reader, obj)
  for (let i = 0; i < fields.length; i++) {
    const value = values[i]
    if (value !== undefined) {
      const field = fields[i] as Fields.StandardField<K>
      out.push({ name: field.wire, value: writeValue(field.kind, value) })
    }
  }
}

const pushCustom = (out: Array<Wire.Attrib>, custom: { readonly [name: string]: string }): void => {
  for (const name of Object.keys(custom)) out.push({ name, value: custom[name] as string })
}

const association = (mObjType: string, a: Association): Wire.MObjAssociation =>
  isById(a)
    ? { mObjType, id: a.id }
    : { mObjType, externalKey: { name: a.externalKey.name, value: a.externalKey.value } }

type MutableMObject = { -readonly [K in keyof Wire.MObject]: Wire.MObject[K] }

// Optional wire elements are left out, never written empty: an absent list and an empty
// list are different things on the wire.
const header = (obj: Model): MutableMObject => {
  const w: MutableMObject = { type: obj._tag }
  if ("id" in obj && obj.id !== undefined) w.id = obj.id
  // Read once: what is written is one reading of the key (a getter may answer anew each time).
  const key = "externalKey" in obj ? obj.externalKey : undefined
  if (key !== undefined) w.externalKey = { name: key.name, value: key.value }
  if (obj.createdAt !== undefined) w.createdAt = obj.createdAt
  if (obj.updatedAt !== undefined) w.updatedAt = obj.updatedAt
  return w
}

const anonymous: Sent = {}

// The classes whose instances hold `id` and `externalKey` as plain data properties.
const modelPrototypes: ReadonlySet<object> = new Set([
  Opportunity.prototype,
  OpportunityPersonRole.prototype,
  Program.prototype
])

/**
 * The id and external key {@link toWire} writes for `obj`, without mapping anything else: all
 * the client needs of each object a transport's model path sends (to pair statuses with
 * objects and to decide whether a call may be repeated). An instance of a model's own class
 * holds them as plain data under those very names, so it is its own identity (no object is made
 * per object sent); anything else (a subclass's getters) is read once, into a copy.
 */
export const identityOf = (obj: Model): Sent => {
  if (modelPrototypes.has(Object.getPrototypeOf(obj))) return obj
  const id = "id" in obj ? obj.id : undefined
  const externalKey = "externalKey" in obj ? obj.externalKey : undefined
  if (id === undefined) return externalKey === undefined ? anonymous : { externalKey }
  return externalKey === undefined ? { id } : { id, externalKey }
}

/**
 * Why sending `obj` again would add to what Marketo holds, or undefined: a Program cost without
 * an id is appended to the program (over SOAP and REST alike), never matched to one it already
 * has, so a call that carries one must not be sent twice.
 */
export const addedAgain = (obj: Model): string | undefined =>
  obj._tag === "Program" && obj.costs.some((cost) => cost.id === undefined)
    ? "it would add its Program costs without ids a second time"
    : undefined

const costAttribs = (cost: Cost): Array<Wire.Attrib> => {
  const out: Array<Wire.Attrib> = [
    { name: "Month", value: cost.month },
    { name: "Amount", value: Value.formatDecimal(cost.amount) }
  ]
  if (cost.id !== undefined) out.push({ name: "Id", value: Value.formatInt(cost.id) })
  if (cost.note !== undefined) out.push({ name: "Note", value: cost.note })
  return out
}

const pair = (attrType: string, a: string, aValue: string, b: string, bValue: string): Wire.TypeAttrib => ({
  attrType,
  attrList: [{ name: a, value: aValue }, { name: b, value: bValue }]
})

export const toWire = (obj: Model): Wire.MObject => {
  const w = header(obj)
  const attribs: Array<Wire.Attrib> = []
  switch (obj._tag) {
    case "Program": {
      pushCustom(attribs, obj.attributes)
      const entries: Array<Wire.TypeAttrib> = []
      for (const cost of obj.costs) entries.push({ attrType: "Cost", attrList: costAttribs(cost) })
      for (const tag of obj.tags) entries.push(pair("Tag", "Type", tag.type, "Value", tag.value))
      for (const token of obj.tokens) entries.push(pair("Token", "Name", token.name, "Value", token.value))
      if (attribs.length > 0) w.attribList = attribs
      if (entries.length > 0) w.typeAttribList = entries
      return w
    }
    case "Opportunity": {
      pushStandard(attribs, FieldValues.opportunity, obj)
      pushCustom(attribs, obj.customFields)
      if (attribs.length > 0) w.attribList = attribs
      if (obj.company !== undefined) w.associationList = [association("Company", obj.company)]
      return w
    }
    case "OpportunityPersonRole": {
      pushStandard(attribs, FieldValues.opportunityPersonRole, obj)
      pushCustom(attribs, obj.customFields)
      if (attribs.length > 0) w.attribList = attribs
      const associations: Array<Wire.MObjAssociation> = []
      if (obj.lead !== undefined) associations.push(association("Lead", obj.lead))
      if (obj.opportunity !== undefined) associations.push(association("Opportunity", obj.opportunity))
      if (associations.length > 0) w.associationList = associations
      return w
    }
  }
}

// ---------------------------------------------------------------------------------------
// wire -> model
// ---------------------------------------------------------------------------------------

const excerpt = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text)

const unreadable = (type: string, path: Path, expected: string, received: string): ProtocolError =>
  new ProtocolError({
    reason: "ModelMapping",
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
    case "datetime":
      return Value.parseDateTime(text)
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

/** A standard field, with its bit in the set of fields read (a table has fewer than 32). */
interface Standard {
  readonly field: Fields.StandardField<string>
  readonly bit: number
}

// The standard fields of each table by wire name, made once.
const byWireName = <K extends string>(
  fields: ReadonlyArray<Fields.StandardField<K>>
): ReadonlyMap<string, Standard> => new Map(fields.map((field, i) => [field.wire, { field, bit: 1 << i }]))
const noFields: ReadonlyMap<string, Standard> = new Map()
const opportunityByWire = byWireName(Fields.opportunityFields)
const opportunityPersonRoleByWire = byWireName(Fields.opportunityPersonRoleFields)

// The readers below use plain loops and early returns instead of Either.gen: fromWire runs
// once per object read (a getMObjects page is 100 of them), and a generator per object
// cost more than the reading itself.
/**
 * Reads the attribs: the standard fields into `into` (the model's props, so that they are
 * not copied again), the custom fields into the record it answers.
 */
const readAttribs = (
  type: string,
  byWire: ReadonlyMap<string, Standard>,
  list: ReadonlyArray<Wire.Attrib>,
  into: Record<string, unknown>
): Either.Either<{ readonly [name: string]: string }, ProtocolError> => {
  // The standard fields read so far, one bit each.
  let seen = 0
  // A Map keeps insertion order and takes any name as a key, `__proto__` included.
  let custom: Map<string, string> | undefined
  for (let i = 0; i < list.length; i++) {
    const attrib = list[i] as Wire.Attrib
    const standard = byWire.get(attrib.name)
    if (standard === undefined ? custom?.has(attrib.name) === true : (seen & standard.bit) !== 0) {
      return Either.left(unreadable(type, ["attribList", i, "name"], "each field at most once", attrib.name))
    }
    if (standard === undefined) {
      ;(custom ??= new Map()).set(attrib.name, attrib.value)
    } else {
      seen |= standard.bit
      const field = standard.field
      const value = readValue(field.kind, attrib.value)
      if (value === undefined) {
        return Either.left(
          unreadable(type, ["attribList", i, "value"], `${Fields.expected[field.kind]} for ${field.wire}`, attrib.value)
        )
      }
      into[field.key] = value
    }
  }
  // fromEntries defines own properties, so a field named `__proto__` stays a field.
  return Either.right(custom === undefined ? {} : Object.fromEntries(custom))
}

const readAssociations = (
  type: string,
  allowed: ReadonlyArray<string>,
  list: ReadonlyArray<Wire.MObjAssociation>
): Either.Either<ReadonlyMap<string, Association>, ProtocolError> => {
  const found = new Map<string, Association>()
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as Wire.MObjAssociation
    if (!allowed.includes(a.mObjType)) {
      return Either.left(
        unreadable(type, ["associationList", i, "mObjType"], `one of ${allowed.join(", ")}`, a.mObjType)
      )
    }
    if (found.has(a.mObjType)) {
      return Either.left(
        unreadable(type, ["associationList", i, "mObjType"], "one association of each type", a.mObjType)
      )
    }
    if (a.id !== undefined && a.externalKey === undefined) {
      found.set(a.mObjType, { id: a.id })
    } else if (a.id === undefined && a.externalKey !== undefined) {
      found.set(a.mObjType, { externalKey: { name: a.externalKey.name, value: a.externalKey.value } })
    } else {
      return Either.left(
        unreadable(type, ["associationList", i], "exactly one of id and externalKey", JSON.stringify(a))
      )
    }
  }
  return Either.right(found)
}

const noAssociations: ReadonlyMap<string, Association> = new Map()

/** The fields every model has, read from the wire record, as a fresh record to add to. */
const common = (w: Wire.MObject): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (w.id !== undefined) out.id = w.id
  if (w.externalKey !== undefined) out.externalKey = { name: w.externalKey.name, value: w.externalKey.value }
  if (w.createdAt !== undefined) out.createdAt = w.createdAt
  if (w.updatedAt !== undefined) out.updatedAt = w.updatedAt
  return out
}

const absent = (
  type: string,
  w: Wire.MObject,
  key: "typeAttribList" | "associationList" | "externalKey"
): ProtocolError | undefined => {
  const value = w[key]
  return value === undefined || (Array.isArray(value) && value.length === 0)
    ? undefined
    : unreadable(type, [key], `no ${key} on a ${type}`, JSON.stringify(value))
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
  for (let i = 0; i < attribs.length; i++) {
    const attrib = attribs[i] as Wire.Attrib
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

const readCost = (path: Path, list: ReadonlyArray<Wire.Attrib>): Either.Either<Cost, ProtocolError> => {
  const entry = readEntry(path, list, ["Month", "Amount"], ["Id", "Note"])
  if (Either.isLeft(entry)) return Either.left(entry.left)
  const v = entry.right
  const month = Value.parseMonth(v.Month)
  if (month === undefined) return Either.left(unreadable("Program", [...path, "Month"], "a month YYYY-MM", v.Month))
  const amount = Value.parseDecimal(v.Amount)
  if (amount === undefined) return Either.left(unreadable("Program", [...path, "Amount"], "a decimal", v.Amount))
  const id = v.Id === undefined ? undefined : Value.parseInteger(v.Id)
  if (v.Id !== undefined && id === undefined) {
    return Either.left(unreadable("Program", [...path, "Id"], "an integer (xs:int)", v.Id))
  }
  const cost: { -readonly [K in keyof Cost]: Cost[K] } = { month, amount }
  if (id !== undefined) cost.id = id
  if (v.Note !== undefined) cost.note = v.Note
  return Either.right(cost)
}

const readProgram = (w: Wire.MObject): Either.Either<Program, ProtocolError> => {
  if (w.id === undefined) return Either.left(unreadable("Program", ["id"], "the program id", ""))
  const refused = absent("Program", w, "externalKey") ?? absent("Program", w, "associationList")
  if (refused !== undefined) return Either.left(refused)
  const props = common(w)
  const attributes = readAttribs("Program", noFields, w.attribList ?? [], props)
  if (Either.isLeft(attributes)) return Either.left(attributes.left)
  const costs: Array<Cost> = []
  const tags: Array<Tag> = []
  const tokens: Array<Token> = []
  const entries = w.typeAttribList ?? []
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Wire.TypeAttrib
    const path = ["typeAttribList", i]
    const list = entry.attrList ?? []
    if (entry.attrType === "Cost") {
      const cost = readCost(path, list)
      if (Either.isLeft(cost)) return Either.left(cost.left)
      costs.push(cost.right)
    } else if (entry.attrType === "Tag") {
      const v = readEntry(path, list, ["Type", "Value"])
      if (Either.isLeft(v)) return Either.left(v.left)
      tags.push({ type: v.right.Type, value: v.right.Value })
    } else if (entry.attrType === "Token") {
      const v = readEntry(path, list, ["Name", "Value"])
      if (Either.isLeft(v)) return Either.left(v.left)
      tokens.push({ name: v.right.Name, value: v.right.Value })
    } else {
      return Either.left(unreadable("Program", [...path, "attrType"], "Cost, Tag or Token", entry.attrType))
    }
  }
  props.id = w.id
  props.costs = costs
  props.tags = tags
  props.tokens = tokens
  props.attributes = attributes.right
  // Every value was read by what its field holds: the record is what the constructor takes.
  return Either.right(Instances.program(props))
}

/** The common fields, the standard fields and the custom fields of an object with attribs. */
const withAttribs = (
  type: string,
  w: Wire.MObject,
  byWire: ReadonlyMap<string, Standard>,
  allowed: ReadonlyArray<string>
): Either.Either<readonly [Record<string, unknown>, ReadonlyMap<string, Association>], ProtocolError> => {
  const refused = absent(type, w, "typeAttribList")
  if (refused !== undefined) return Either.left(refused)
  const props = common(w)
  const custom = readAttribs(type, byWire, w.attribList ?? [], props)
  if (Either.isLeft(custom)) return Either.left(custom.left)
  const associations = w.associationList === undefined
    ? Either.right(noAssociations)
    : readAssociations(type, allowed, w.associationList)
  if (Either.isLeft(associations)) return Either.left(associations.left)
  props.customFields = custom.right
  return Either.right([props, associations.right])
}

const readOpportunity = (w: Wire.MObject): Either.Either<Opportunity, ProtocolError> => {
  const read = withAttribs("Opportunity", w, opportunityByWire, ["Company"])
  if (Either.isLeft(read)) return Either.left(read.left)
  const [props, associations] = read.right
  const company = associations.get("Company")
  if (company !== undefined) props.company = company
  // The standard values were each read by the kind their table entry names.
  return Either.right(Instances.opportunity(props))
}

const readOpportunityPersonRole = (w: Wire.MObject): Either.Either<OpportunityPersonRole, ProtocolError> => {
  const read = withAttribs("OpportunityPersonRole", w, opportunityPersonRoleByWire, ["Lead", "Opportunity"])
  if (Either.isLeft(read)) return Either.left(read.left)
  const [props, associations] = read.right
  const lead = associations.get("Lead")
  const opportunity = associations.get("Opportunity")
  if (lead !== undefined) props.lead = lead
  if (opportunity !== undefined) props.opportunity = opportunity
  return Either.right(Instances.opportunityPersonRole(props))
}

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
