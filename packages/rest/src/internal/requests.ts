/**
 * The REST requests of a sync or delete: the records grouped by endpoint and key kind, each
 * with the input positions it carries, and one form per Program.
 *
 * @internal
 */
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
    if (a.name === skip) continue
    const f = bySoap.get(a.name)
    // defineProperty: a custom field named `__proto__` stays a field, not the prototype.
    if (f === undefined) {
      Object.defineProperty(out, a.name, {
        value: CustomFields.valueOf(custom, a.name, a.value),
        enumerable: true,
        writable: true
      })
    } else out[f.rest] = toJson(f.kind, a.value)
  }
  return out
}

/** A record that starts with its key, as REST reads it. Built by assignment: this runs per object. */
const keyed = (o: Wire.MObject): Record<string, RestWire.FieldValue> => {
  const out: Record<string, RestWire.FieldValue> = {}
  if (o.externalKey !== undefined) {
    Object.defineProperty(out, o.externalKey.name, { value: o.externalKey.value, enumerable: true, writable: true })
  }
  return out
}

export const opportunityRecord = (o: Wire.MObject, custom?: CustomFields.Kinds): RestWire.Fields => {
  const out = fields(keyed(o), o, opportunityBySoap, custom)
  const company = association(o, "Company")?.externalKey
  if (company !== undefined) out[companyKey] = company.value
  return out
}

export const roleRecord = (o: Wire.MObject, custom?: CustomFields.Kinds): RestWire.Fields => {
  const out = fields(keyed(o), o, roleBySoap, custom, "OpportunityId")
  const opportunity = association(o, "Opportunity")?.externalKey
  const lead = association(o, "Lead")?.id
  if (opportunity !== undefined) out[opportunityKey] = opportunity.value
  if (lead !== undefined) out["leadId"] = lead
  return out
}

const programBody = (o: Wire.MObject): RestWire.UpdateProgramRequest => {
  const costs: Array<RestWire.ProgramCost> = []
  const tags: Array<RestWire.ProgramTag> = []
  for (const entry of o.typeAttribList ?? []) {
    const v = new Map((entry.attrList ?? []).map((a) => [a.name, a.value]))
    if (entry.attrType === "Cost") {
      const note = v.get("Note")
      costs.push({
        startDate: `${(v.get("Month") ?? "").slice(0, 7)}-01`,
        cost: Number(v.get("Amount")),
        ...(note === undefined ? {} : { note })
      })
    } else if (entry.attrType === "Tag") {
      tags.push({ tagType: v.get("Type") ?? "", tagValue: v.get("Value") ?? "" })
    }
  }
  // Costs without an id are appended, as SOAP adds them; never costsDestructiveUpdate.
  return { ...(costs.length > 0 ? { costs } : {}), ...(tags.length > 0 ? { tags } : {}) }
}

/** The REST requests of a sync: records grouped per endpoint and key kind, one per program. */
export const syncParts = (
  mObjectList: ReadonlyArray<Wire.MObject>,
  custom: Partial<Record<Endpoint, CustomFields.Kinds>> = {}
): ReadonlyArray<Part> => {
  const groups = new Map<
    string,
    { endpoint: Endpoint; byGuid: boolean; indexes: Array<number>; input: Array<RestWire.Fields> }
  >()
  const parts: Array<Part> = []
  mObjectList.forEach((o, index) => {
    if (o.type === "Program") {
      parts.push({ _tag: "Program", index, id: o.id ?? 0, body: programBody(o) })
      return
    }
    if (o.type !== "Opportunity" && o.type !== "OpportunityPersonRole") {
      parts.push({ _tag: "Unsupported", index, type: o.type })
      return
    }
    const endpoint: Endpoint = o.type === "Opportunity" ? "opportunities" : "roles"
    const byGuid = o.externalKey?.name === guidKey
    const id = `${endpoint}/${byGuid}`
    const group = groups.get(id) ?? { endpoint, byGuid, indexes: [], input: [] }
    group.indexes.push(index)
    group.input.push(
      endpoint === "opportunities" ? opportunityRecord(o, custom.opportunities) : roleRecord(o, custom.roles)
    )
    groups.set(id, group)
  })
  return [...[...groups.values()].map((g): Part => ({ _tag: "Records", ...g })), ...parts]
}

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
