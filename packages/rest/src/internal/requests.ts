/**
 * The REST requests of a sync or delete: the records grouped by endpoint and key kind, each
 * with the input positions it carries, and one form per Program.
 *
 * @internal
 */
import * as Keys from "@mktows/core/Keys"
import * as MarketoTransport from "@mktows/core/MarketoTransport"
import type * as MObject from "@mktows/core/MObject"
import type { Opportunity } from "@mktows/core/Opportunity"
import type { OpportunityPersonRole } from "@mktows/core/OpportunityPersonRole"
import type { Program } from "@mktows/core/Program"
import * as StandardFields from "@mktows/core/StandardFields"
import type * as Wire from "@mktows/core/Wire"
import type { FieldMapping } from "../RestMapping.js"
import type * as RestWire from "../RestWire.js"
import * as CustomFields from "./customFields.js"
import { association, companyKey, guidKey, opportunityBySoap, opportunityKey, roleBySoap, toJson } from "./fields.js"
import type * as Query from "./query.js"

export type Endpoint = Query.Endpoint

/** One REST request of a sync or delete, with the input positions it carries. */
export type Part =
  | {
    readonly _tag: "Records"
    readonly endpoint: Endpoint
    readonly byGuid: boolean
    readonly indexes: ReadonlyArray<number>
    readonly input: ReadonlyArray<RestWire.Fields>
  }
  | {
    readonly _tag: "Program"
    readonly index: number
    readonly id: number
    readonly body: RestWire.UpdateProgramRequest
  }
  | { readonly _tag: "Unsupported"; readonly index: number; readonly type: string }

/**
 * One field given as text (a wire attrib, or a model's custom field) into `out`: a standard
 * one under its REST name and kind, a custom one by its name, typed as the describe says.
 */
const putText = (
  out: Record<string, RestWire.FieldValue>,
  name: string,
  text: string,
  bySoap: ReadonlyMap<string, FieldMapping>,
  custom: CustomFields.Kinds | undefined
): void => {
  const f = bySoap.get(name)
  if (f === undefined) put(out, name, CustomFields.valueOf(custom, name, text))
  else out[f.rest] = toJson(f.kind, text)
}

/**
 * A field by a name the caller chose. Assigned (defineProperty is many times slower, and this
 * runs per field sent), but `__proto__` is defined, so it stays a field, not the prototype.
 */
const put = (out: Record<string, RestWire.FieldValue>, name: string, value: RestWire.FieldValue): void => {
  if (name === "__proto__") Object.defineProperty(out, name, { value, enumerable: true, writable: true })
  else out[name] = value
}

/**
 * The attribs of `o` as REST fields, into `out`: standard ones under their REST names and
 * kinds, custom ones by their name as text (REST converts to the field's type).
 */
const fields = (
  out: Record<string, RestWire.FieldValue>,
  o: Wire.MObject,
  bySoap: ReadonlyMap<string, FieldMapping>,
  custom: CustomFields.Kinds | undefined,
  skip?: string
): Record<string, RestWire.FieldValue> => {
  const attribs = o.attribList
  if (attribs === undefined) return out
  for (let i = 0; i < attribs.length; i++) {
    const a = attribs[i] as Wire.Attrib
    if (a.name !== skip) putText(out, a.name, a.value, bySoap, custom)
  }
  return out
}

/** A record that starts with its key, as REST reads it. Built by assignment: this runs per object. */
const keyed = (externalKey: Wire.Attrib | undefined): Record<string, RestWire.FieldValue> => {
  const out: Record<string, RestWire.FieldValue> = {}
  if (externalKey !== undefined) put(out, externalKey.name, externalKey.value)
  return out
}

export const opportunityRecord = (o: Wire.MObject, custom?: CustomFields.Kinds): RestWire.Fields => {
  const out = fields(keyed(o.externalKey), o, opportunityBySoap, custom)
  const company = association(o, "Company")?.externalKey
  if (company !== undefined) out[companyKey] = company.value
  return out
}

export const roleRecord = (o: Wire.MObject, custom?: CustomFields.Kinds): RestWire.Fields => {
  const out = fields(keyed(o.externalKey), o, roleBySoap, custom, roleSkipped)
  const opportunity = association(o, "Opportunity")?.externalKey
  const lead = association(o, "Lead")?.id
  if (opportunity !== undefined) out[opportunityKey] = opportunity.value
  if (lead !== undefined) out["leadId"] = lead
  return out
}

// A role's OpportunityId has no REST field (REST keys a role by its opportunity's external key).
const roleSkipped = "OpportunityId"

const programBody = (o: Wire.MObject): RestWire.UpdateProgramRequest => {
  const costs: Array<RestWire.ProgramCost> = []
  const tags: Array<RestWire.ProgramTag> = []
  for (const entry of o.typeAttribList ?? []) {
    const v = new Map((entry.attrList ?? []).map((a) => [a.name, a.value]))
    if (entry.attrType === "Cost") {
      costs.push(costOf(v.get("Month") ?? "", Number(v.get("Amount")), v.get("Note")))
    } else if (entry.attrType === "Tag") {
      tags.push({ tagType: v.get("Type") ?? "", tagValue: v.get("Value") ?? "" })
    }
  }
  return programRequest(costs, tags)
}

const costOf = (month: string, cost: number, note: string | undefined): RestWire.ProgramCost => ({
  startDate: `${month.slice(0, 7)}-01`,
  cost,
  ...(note === undefined ? {} : { note })
})

// Costs without an id are appended, as SOAP adds them; never costsDestructiveUpdate.
const programRequest = (
  costs: ReadonlyArray<RestWire.ProgramCost>,
  tags: ReadonlyArray<RestWire.ProgramTag>
): RestWire.UpdateProgramRequest => ({
  ...(costs.length > 0 ? { costs } : {}),
  ...(tags.length > 0 ? { tags } : {})
})

// ---------------------------------------------------------------------------------------
// Models straight to REST JSON (the model path): the same JSON as the wire records above
// would give, written from the models' typed values without their SOAP text.
// ---------------------------------------------------------------------------------------

/**
 * A visitor of a model's standard values that writes each into a record under its REST name:
 * each field of core's table by its position, as REST maps it; fields with no REST name (a
 * role's OpportunityId) are left out, as the wire path skips them.
 */
const writer = <K extends string>(
  table: ReadonlyArray<StandardFields.StandardField<K>>,
  bySoap: ReadonlyMap<string, FieldMapping>
) => {
  const byPosition = table.map((f) => bySoap.get(f.wire))
  return (position: number, value: unknown, out: Record<string, RestWire.FieldValue>): void => {
    const f = byPosition[position]
    if (f !== undefined) out[f.rest] = jsonOf(f.kind, value)
  }
}

/**
 * A standard field's value as JSON: what the wire path's `toJson` reads from the text toWire
 * writes. A number reads back as itself and a boolean as itself, so only dates and text
 * that are no text are written through the wire's text.
 */
const jsonOf = (kind: FieldMapping["kind"], value: unknown): RestWire.FieldValue => {
  switch (kind) {
    case "decimal":
    case "int":
    case "percent":
      return typeof value === "number" ? value : toJson(kind, MarketoTransport.fieldText(kind, value))
    case "boolean":
      return typeof value === "boolean" ? value : toJson(kind, MarketoTransport.fieldText(kind, value))
    case "text":
      return typeof value === "string" ? value : MarketoTransport.fieldText(kind, value)
    case "date":
    case "datetime":
      return MarketoTransport.fieldText(kind, value)
  }
}

const writeOpportunityField = writer(StandardFields.opportunityFields, opportunityBySoap)
const writeRoleField = writer(StandardFields.opportunityPersonRoleFields, roleBySoap)

// The standard fields are read as core's checks read them (`MarketoTransport.forEachStandardValue`):
// what is sent was checked. A visitor, not `standardValues`: no array per record.
const modelRecord = (
  out: Record<string, RestWire.FieldValue>,
  model: Opportunity | OpportunityPersonRole,
  customFields: { readonly [name: string]: string },
  bySoap: ReadonlyMap<string, FieldMapping>,
  custom: CustomFields.Kinds | undefined,
  skip?: string
): Record<string, RestWire.FieldValue> => {
  MarketoTransport.forEachStandardValue(
    model,
    model._tag === "Opportunity" ? writeOpportunityField : writeRoleField,
    out
  )
  if (CustomFields.isEmpty(customFields)) return out
  // Read as the checks read them (own keys, Object.keys): only when there are any.
  for (const name of Object.keys(customFields)) {
    if (name !== skip) putText(out, name, customFields[name] as string, bySoap, custom)
  }
  return out
}

/** An association's external key, as toWire links it (by id when it has one). */
const linkKey = (a: Keys.Association | undefined): Wire.Attrib | undefined =>
  a === undefined || Keys.isById(a) ? undefined : a.externalKey

const linkId = (a: Keys.Association | undefined): number | undefined =>
  a !== undefined && Keys.isById(a) ? a.id : undefined

export const opportunityModelRecord = (o: Opportunity, custom?: CustomFields.Kinds): RestWire.Fields => {
  const out = modelRecord(keyed(o.externalKey), o, o.customFields, opportunityBySoap, custom)
  const company = linkKey(o.company)
  if (company !== undefined) out[companyKey] = company.value
  return out
}

export const roleModelRecord = (o: OpportunityPersonRole, custom?: CustomFields.Kinds): RestWire.Fields => {
  const out = modelRecord(keyed(o.externalKey), o, o.customFields, roleBySoap, custom, roleSkipped)
  const opportunity = linkKey(o.opportunity)
  const lead = linkId(o.lead)
  if (opportunity !== undefined) out[opportunityKey] = opportunity.value
  if (lead !== undefined) out["leadId"] = lead
  return out
}

const programModelBody = (o: Program): RestWire.UpdateProgramRequest =>
  programRequest(
    o.costs.map((c) => costOf(c.month, Number(MarketoTransport.fieldText("decimal", c.amount)), c.note)),
    o.tags.map((t) => ({ tagType: t.type, tagValue: t.value }))
  )

// ---------------------------------------------------------------------------------------
// The parts of a call
// ---------------------------------------------------------------------------------------

/** Adds one record of an endpoint to its request, grouped apart when it is keyed by marketoGUID. */
type AddRecord = (endpoint: Endpoint, externalKey: Wire.Attrib | undefined, record: RestWire.Fields) => undefined

/**
 * Records grouped per endpoint and key kind (in input order), then the parts of their own.
 * `piece` adds an object's record (through `add`, so no wrapper is made per record) or answers
 * the part of its own.
 */
const partsOf = <T>(
  items: ReadonlyArray<T>,
  piece: (o: T, index: number, add: AddRecord) => Part | undefined
): ReadonlyArray<Part> => {
  // At most four groups (two endpoints, two key kinds), in the order first seen: a short array
  // beats a Map keyed by a string made per object.
  const groups: Array<{ endpoint: Endpoint; byGuid: boolean; indexes: Array<number>; input: Array<RestWire.Fields> }> =
    []
  const parts: Array<Part> = []
  let index = 0
  const add: AddRecord = (endpoint, externalKey, record) => {
    const byGuid = externalKey?.name === guidKey
    let group = groups.find((g) => g.endpoint === endpoint && g.byGuid === byGuid)
    if (group === undefined) {
      group = { endpoint, byGuid, indexes: [], input: [] }
      groups.push(group)
    }
    group.indexes.push(index)
    group.input.push(record)
    return undefined
  }
  for (; index < items.length; index++) {
    const p = piece(items[index] as T, index, add)
    if (p !== undefined) parts.push(p)
  }
  return [...groups.map((g): Part => ({ _tag: "Records", ...g })), ...parts]
}

/** The REST requests of a sync: records grouped per endpoint and key kind, one per program. */
export const syncParts = (
  mObjectList: ReadonlyArray<Wire.MObject>,
  custom: Partial<Record<Endpoint, CustomFields.Kinds>> = {}
): ReadonlyArray<Part> =>
  partsOf(mObjectList, (o, index, add) => {
    if (o.type === "Program") return { _tag: "Program", index, id: o.id ?? 0, body: programBody(o) }
    if (o.type !== "Opportunity" && o.type !== "OpportunityPersonRole") {
      return { _tag: "Unsupported", index, type: o.type }
    }
    return o.type === "Opportunity"
      ? add("opportunities", o.externalKey, opportunityRecord(o, custom.opportunities))
      : add("roles", o.externalKey, roleRecord(o, custom.roles))
  })

/** The REST requests of a sync of models: the parts {@link syncParts} makes of their wire records. */
export const syncModelParts = (
  objects: ReadonlyArray<MObject.MObject>,
  custom: Partial<Record<Endpoint, CustomFields.Kinds>> = {}
): ReadonlyArray<Part> =>
  partsOf(objects, (o, index, add) => {
    switch (o._tag) {
      case "Program":
        return { _tag: "Program", index, id: o.id, body: programModelBody(o) }
      case "Opportunity":
        return add("opportunities", o.externalKey, opportunityModelRecord(o, custom.opportunities))
      case "OpportunityPersonRole":
        return add("roles", o.externalKey, roleModelRecord(o, custom.roles))
    }
  })

/** The REST requests of a delete. */
export const deleteParts = (mObjectList: ReadonlyArray<Wire.MObject>): ReadonlyArray<Part> =>
  syncParts(mObjectList).map((part) =>
    part._tag === "Records"
      ? {
        ...part,
        input: part.input.map((r): RestWire.Fields =>
          part.byGuid ? { [guidKey]: r[guidKey] ?? null } : { [opportunityKey]: r[opportunityKey] ?? null }
        )
      }
      : part._tag === "Program"
      ? { _tag: "Unsupported", index: part.index, type: "Program" }
      : part
  )

export const actionOf = (sync: Wire.SyncOperation): RestWire.SyncRequest["action"] =>
  sync === "INSERT" ? "createOnly" : sync === "UPDATE" ? "updateOnly" : "createOrUpdate"

/** The endpoints whose records of `mObjectList` carry custom fields. */
export const customEndpoints = (mObjectList: ReadonlyArray<Wire.MObject>): ReadonlyArray<Endpoint> => {
  const found = new Set<Endpoint>()
  for (const o of mObjectList) {
    const table = o.type === "Opportunity"
      ? opportunityBySoap
      : o.type === "OpportunityPersonRole"
      ? roleBySoap
      : undefined
    if (table === undefined || o.attribList === undefined) continue
    if (o.attribList.some((a) => !table.has(a.name))) found.add(o.type === "Opportunity" ? "opportunities" : "roles")
  }
  return [...found]
}

const roleOpportunityIdAt = StandardFields.opportunityPersonRoleFields.findIndex((f) => f.key === "opportunityId")

/** The endpoints whose models carry custom fields (or, as their wire records would, a role's OpportunityId). */
export const customModelEndpoints = (objects: ReadonlyArray<MObject.MObject>): ReadonlyArray<Endpoint> => {
  const found = new Set<Endpoint>()
  for (const o of objects) {
    if (o._tag === "Opportunity") {
      if (
        !CustomFields.isEmpty(o.customFields) &&
        Object.keys(o.customFields).some((name) => !opportunityBySoap.has(name))
      ) {
        found.add("opportunities")
      }
    } else if (o._tag === "OpportunityPersonRole") {
      // OpportunityId read as the mapping reads it (MarketoTransport.standardValues).
      if (
        MarketoTransport.standardValues(o)[roleOpportunityIdAt] !== undefined ||
        (!CustomFields.isEmpty(o.customFields) && Object.keys(o.customFields).some((name) => !roleBySoap.has(name)))
      ) {
        found.add("roles")
      }
    }
  }
  return [...found]
}
