/**
 * The REST names of the MObject fields (what REST calls each SOAP attrib, and of what kind),
 * the keys and system fields, and the conversion of one value between SOAP text and JSON.
 *
 * @internal
 */
import type * as Wire from "@mktows/core/Wire"
import type { FieldMapping } from "../RestMapping.js"
import type * as RestWire from "../RestWire.js"

export const opportunityFields: ReadonlyArray<FieldMapping> = [
  { soap: "Amount", rest: "amount", kind: "decimal" },
  { soap: "CloseDate", rest: "closeDate", kind: "date" },
  { soap: "Description", rest: "description", kind: "text" },
  { soap: "ExpectedRevenue", rest: "expectedRevenue", kind: "decimal" },
  { soap: "ExternalCreatedDate", rest: "externalCreatedDate", kind: "date" },
  { soap: "Fiscal", rest: "fiscal", kind: "text" },
  { soap: "FiscalQuarter", rest: "fiscalQuarter", kind: "int" },
  { soap: "FiscalYear", rest: "fiscalYear", kind: "int" },
  { soap: "ForecastCategoryName", rest: "forecastCategoryName", kind: "text" },
  { soap: "IsClosed", rest: "isClosed", kind: "boolean" },
  { soap: "IsWon", rest: "isWon", kind: "boolean" },
  { soap: "LastActivityDate", rest: "lastActivityDate", kind: "date" },
  { soap: "LeadSource", rest: "leadSource", kind: "text" },
  { soap: "Name", rest: "name", kind: "text" },
  { soap: "NextStep", rest: "nextStep", kind: "text" },
  { soap: "Probability", rest: "probability", kind: "percent" },
  { soap: "Quantity", rest: "quantity", kind: "decimal" },
  { soap: "Stage", rest: "stage", kind: "text" },
  { soap: "Type", rest: "type", kind: "text" }
]

export const roleFields: ReadonlyArray<FieldMapping> = [
  { soap: "PersonId", rest: "leadId", kind: "int" },
  { soap: "Role", rest: "role", kind: "text" },
  { soap: "ExternalCreatedDate", rest: "externalCreatedDate", kind: "date" },
  { soap: "IsPrimary", rest: "isPrimary", kind: "boolean" }
]

export const guidKey = "marketoGUID"
export const opportunityKey = "externalOpportunityId"
export const companyKey = "externalCompanyId"

/** REST names that are keys or system fields: never a custom field's name. */
export const reserved = new Set([
  guidKey,
  opportunityKey,
  companyKey,
  "leadId",
  "seq",
  "createdAt",
  "updatedAt",
  "reasons"
])

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
export const attrib = (o: Wire.MObject, name: string) => o.attribList?.find((a) => a.name === name)

/** REST names of system fields, which are never a record's own data. */
export const system = new Set(["seq", "marketoGUID", "createdAt", "updatedAt", "reasons"])
