/**
 * The emulator's REST view of its one store: stored objects as REST records, REST input
 * records as the SOAP wire records the store applies, and `marketoGUID`s that name stored ids.
 *
 * A `marketoGUID` is the object's integer id written as a GUID, its first group telling
 * opportunities and roles apart, so a SOAP write is read by REST and a REST write by SOAP.
 */
import type * as Wire from "@mktows/core/Wire"
import * as RestMapping from "@mktows/rest/RestMapping"
import type * as RestWire from "@mktows/rest/RestWire"
import type { FieldDef } from "../fields.js"
import type { Entity, Program, State } from "../state.js"

/** @internal */
export type Kind = "opportunities" | "roles"

const guidPrefix: Record<Kind, string> = { opportunities: "0f0f0001", roles: "0f0f0002" }
const guidPattern = /^([0-9a-f]{8})-0000-4000-8000-([0-9a-f]{12})$/

/** @internal */
export const guidOf = (kind: Kind, id: number): string =>
  `${guidPrefix[kind]}-0000-4000-8000-${id.toString(16).padStart(12, "0")}`

/** @internal */
export const idOfGuid = (kind: Kind, guid: string): number | undefined => {
  const match = guidPattern.exec(guid.trim().toLowerCase())
  return match === null || match[1] !== guidPrefix[kind] ? undefined : parseInt(match[2] ?? "", 16)
}

const table = (kind: Kind) => kind === "opportunities" ? RestMapping.opportunityFields : RestMapping.roleFields

const jsonValue = (def: FieldDef | undefined, text: string): RestWire.FieldValue => {
  switch (def?.dataType) {
    case "currency":
    case "float":
    case "integer": {
      const n = Number(text)
      return Number.isFinite(n) ? n : text
    }
    case "boolean":
      return text === "1" || text.toLowerCase() === "true"
    default:
      return text
  }
}

const textValue = (value: RestWire.FieldValue): string =>
  typeof value === "boolean" ? (value ? "1" : "0") : String(value)

/** A stored opportunity or role as a REST record, with the requested fields (all when none). */
export const recordOf = (
  state: State,
  kind: Kind,
  entity: Entity,
  seq: number,
  fields: ReadonlyArray<string> | undefined
): RestWire.Fields => {
  const defs = new Map((kind === "opportunities" ? state.opportunityFields : state.roleFields).map((d) => [d.name, d]))
  const bySoap = new Map(table(kind).map((f) => [f.soap, f.rest]))
  const all: Record<string, RestWire.FieldValue> = {
    marketoGUID: guidOf(kind, entity.id),
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt
  }
  if (kind === "opportunities") {
    if (entity.externalKey?.name === RestMapping.keys.opportunityDedupe) {
      all[RestMapping.keys.opportunityDedupe] = entity.externalKey.value
    }
    const company = entity.companyId === undefined ? undefined : state.companies.get(entity.companyId)
    if (company?.externalKey !== undefined) all[RestMapping.keys.company] = company.externalKey.value
  } else {
    const opportunity = entity.opportunityId === undefined ? undefined : state.opportunities.get(entity.opportunityId)
    if (opportunity?.externalKey?.name === RestMapping.keys.opportunityDedupe) {
      all[RestMapping.keys.opportunityDedupe] = opportunity.externalKey.value
    }
    if (entity.personId !== undefined) all["leadId"] = entity.personId
  }
  for (const [name, value] of entity.fields) {
    Object.defineProperty(all, bySoap.get(name) ?? name, {
      value: jsonValue(defs.get(name), value),
      enumerable: true,
      writable: true
    })
  }
  const wanted = fields ?? [
    "marketoGUID",
    ...(kind === "opportunities"
      ? [RestMapping.keys.opportunityDedupe]
      : [RestMapping.keys.opportunityDedupe, "leadId", "role"]),
    "createdAt",
    "updatedAt"
  ]
  const out: Record<string, RestWire.FieldValue> = { seq }
  for (const name of wanted) out[name] = Object.hasOwn(all, name) ? all[name] ?? null : null
  return out
}

/** A REST input record refused before the store sees it: the reason it gets. */
export interface Refusal {
  readonly code: string
  readonly message: string
}

/** A REST input record as the SOAP wire record the store applies, or why it cannot be one. */
export const wireOf = (
  state: State,
  kind: Kind,
  record: RestWire.Fields,
  byGuid: boolean
): Wire.MObject | Refusal => {
  const type = kind === "opportunities" ? "Opportunity" : "OpportunityPersonRole"
  const byRest = new Map(table(kind).map((f) => [f.rest, f.soap]))
  const attribList: Array<Wire.Attrib> = []
  const associationList: Array<Wire.MObjAssociation> = []
  let id: number | undefined
  let externalKey: Wire.Attrib | undefined
  for (const [name, value] of Object.entries(record)) {
    if (value === null) continue
    if (name === "marketoGUID") {
      if (!byGuid) return { code: "1003", message: "marketoGUID is the id field: use dedupeBy idField" }
      id = idOfGuid(kind, String(value))
      if (id === undefined) return { code: "1013", message: "Object not found" }
    } else if (name === RestMapping.keys.opportunityDedupe) {
      if (kind === "opportunities") externalKey = { name, value: String(value) }
      else {
        const opportunity = state.opportunities.byExternalKey({ name, value: String(value) })
        if (opportunity === undefined) return { code: "1013", message: `no opportunity ${String(value)}` }
        associationList.push({ mObjType: "Opportunity", id: opportunity.id })
      }
    } else if (name === RestMapping.keys.company && kind === "opportunities") {
      const company = [...state.companies.values()].find((c) => c.externalKey?.value === String(value))
      if (company === undefined) return { code: "1003", message: `no company ${String(value)}` }
      associationList.push({ mObjType: "Company", id: company.id })
    } else if (name === "createdAt" || name === "updatedAt" || name === "seq") {
      return { code: "1003", message: `${name} cannot be written` }
    } else {
      attribList.push({ name: byRest.get(name) ?? name, value: textValue(value) })
    }
  }
  return {
    type,
    ...(id === undefined ? {} : { id }),
    ...(externalKey === undefined ? {} : { externalKey }),
    ...(attribList.length > 0 ? { attribList } : {}),
    ...(associationList.length > 0 ? { associationList } : {})
  }
}

/** The stored role a compound key (externalOpportunityId, leadId, role) names. */
export const roleByDedupe = (state: State, record: RestWire.Fields): Entity | undefined => {
  const ext = record[RestMapping.keys.opportunityDedupe]
  const opportunity = ext === undefined || ext === null
    ? undefined
    : state.opportunities.byExternalKey({ name: RestMapping.keys.opportunityDedupe, value: String(ext) })
  if (opportunity === undefined) return undefined
  for (const role of state.roles.values()) {
    if (
      role.opportunityId === opportunity.id && role.personId === Number(record["leadId"]) &&
      role.fields.get("Role") === String(record["role"] ?? "")
    ) return role
  }
  return undefined
}

/** A stored program as the Asset API shows it. */
export const programOf = (program: Program): RestWire.Program => {
  const channel = program.tags.find((t) => t.type === "Channel")?.value ?? ""
  return {
    id: program.id,
    name: program.name,
    description: "",
    type: program.programType.toLowerCase() === "event" ? "event" : "default",
    channel,
    status: "unlocked",
    workspace: program.workspace,
    folder: { id: 1, type: "Folder" },
    url: `https://app.example.com/#PG${program.id}A1`,
    createdAt: program.createdAt,
    updatedAt: program.updatedAt,
    costs: program.costs.map((c) => ({
      startDate: `${c.month}-01`,
      // The Asset API carries whole costs; a SOAP decimal is shown rounded.
      cost: Math.round(Number(c.amount)),
      ...(c.note === undefined ? {} : { note: c.note })
    })),
    tags: program.tags.filter((t) => t.type !== "Channel").map((t) => ({ tagType: t.type, tagValue: t.value }))
  }
}
