/**
 * The REST names of the MObject fields (what REST calls each SOAP attrib, and of what kind),
 * the keys and system fields, and the conversion of one value between SOAP text and JSON.
 *
 * @internal
 */
import * as StandardFields from "@mktows/core/StandardFields"
import type * as Wire from "@mktows/core/Wire"
import type { FieldMapping } from "../RestMapping.js"
import type * as RestWire from "../RestWire.js"

// One field table, core's (`StandardFields`), extended here with REST's names: an
// opportunity's REST name is its model key (Adobe's describe names them so); a role's lead is
// `leadId`, and its `OpportunityId` has no REST field (REST keys a role by the opportunity's
// external key), so it is left out and refused by name (see refusals).
const restNameOfRole: Readonly<Record<string, string>> = { personId: "leadId" }

export const opportunityFields: ReadonlyArray<FieldMapping> = StandardFields.opportunityFields.map((field) => ({
  soap: field.wire,
  rest: field.key,
  kind: field.kind
}))

export const roleFields: ReadonlyArray<FieldMapping> = StandardFields.opportunityPersonRoleFields
  .filter((field) => field.key !== "opportunityId")
  .map((field) => ({ soap: field.wire, rest: restNameOfRole[field.key] ?? field.key, kind: field.kind }))

export const guidKey = "marketoGUID"
export const opportunityKey = "externalOpportunityId"
export const companyKey = "externalCompanyId"

/**
 * REST names that are keys or system fields, in lower case: never a custom field's name, in any
 * case (a custom field `ExternalOpportunityId` beside the key `externalOpportunityId` would be
 * a second key where Marketo matches names without case).
 */
export const reserved: ReadonlySet<string> = new Set(
  [guidKey, opportunityKey, companyKey, "leadId", "seq", "createdAt", "updatedAt", "reasons"].map((name) =>
    name.toLowerCase()
  )
)

const restNames = (fields: ReadonlyArray<FieldMapping>) => new Set(fields.map((f) => f.rest.toLowerCase()))
export const opportunityRestNames = restNames(opportunityFields)
export const roleRestNames = restNames(roleFields)

// Built once: they are looked up for every field of every object sent.
const bySoapName = (fields: ReadonlyArray<FieldMapping>): ReadonlyMap<string, FieldMapping> =>
  new Map(fields.map((f) => [f.soap, f]))
export const opportunityBySoap = bySoapName(opportunityFields)
export const roleBySoap = bySoapName(roleFields)

export const toJson = (kind: FieldMapping["kind"], text: string): RestWire.FieldValue => {
  switch (kind) {
    case "decimal":
    case "int":
    case "percent":
      // The SOAP writer's decimals read back as the same number.
      return Number(text)
    case "boolean": {
      const t = text.trim().toLowerCase()
      return t === "1" || t === "true"
    }
    case "date":
    case "datetime":
    case "text":
      return text
  }
}

export const fromJson = (kind: FieldMapping["kind"], value: RestWire.FieldValue): string | undefined => {
  if (value === null) return undefined
  switch (kind) {
    case "boolean":
      return typeof value === "boolean" ? (value ? "1" : "0") : String(value)
    case "date":
      // A datetime answer keeps its calendar day.
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : String(value)
    default:
      return String(value)
  }
}

export const association = (o: Wire.MObject, type: string) => o.associationList?.find((a) => a.mObjType === type)

/** REST names of system fields, which are never a record's own data. */
export const system = new Set(["seq", "marketoGUID", "createdAt", "updatedAt", "reasons"])
