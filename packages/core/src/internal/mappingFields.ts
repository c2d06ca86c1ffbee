/**
 * The standard fields of each MObject type: wire name, model key and value kind, in the
 * order they are written (the order of Marketo's documentation).
 */
import type { Opportunity } from "../Opportunity.js"
import type { OpportunityPersonRole } from "../OpportunityPersonRole.js"

export type Kind = "text" | "int" | "decimal" | "boolean" | "date" | "percent"

export interface StandardField<K extends string> {
  readonly wire: string
  readonly key: K
  readonly kind: Kind
}

export const opportunityFields: ReadonlyArray<StandardField<keyof Opportunity>> = [
  { wire: "Amount", key: "amount", kind: "decimal" },
  { wire: "CloseDate", key: "closeDate", kind: "date" },
  { wire: "Description", key: "description", kind: "text" },
  { wire: "ExpectedRevenue", key: "expectedRevenue", kind: "decimal" },
  { wire: "ExternalCreatedDate", key: "externalCreatedDate", kind: "date" },
  { wire: "Fiscal", key: "fiscal", kind: "text" },
  { wire: "FiscalQuarter", key: "fiscalQuarter", kind: "int" },
  { wire: "FiscalYear", key: "fiscalYear", kind: "int" },
  { wire: "ForecastCategoryName", key: "forecastCategoryName", kind: "text" },
  { wire: "IsClosed", key: "isClosed", kind: "boolean" },
  { wire: "IsWon", key: "isWon", kind: "boolean" },
  { wire: "LastActivityDate", key: "lastActivityDate", kind: "date" },
  { wire: "LeadSource", key: "leadSource", kind: "text" },
  { wire: "Name", key: "name", kind: "text" },
  { wire: "NextStep", key: "nextStep", kind: "text" },
  { wire: "Probability", key: "probability", kind: "percent" },
  { wire: "Quantity", key: "quantity", kind: "decimal" },
  { wire: "Stage", key: "stage", kind: "text" },
  { wire: "Type", key: "type", kind: "text" }
]

export const opportunityPersonRoleFields: ReadonlyArray<StandardField<keyof OpportunityPersonRole>> = [
  { wire: "OpportunityId", key: "opportunityId", kind: "int" },
  { wire: "PersonId", key: "personId", kind: "int" },
  { wire: "Role", key: "role", kind: "text" },
  { wire: "ExternalCreatedDate", key: "externalCreatedDate", kind: "date" },
  { wire: "IsPrimary", key: "isPrimary", kind: "boolean" }
]

/** What a kind of field holds, for messages. */
export const expected: Record<Kind, string> = {
  text: "text",
  int: "an integer (xs:int)",
  decimal: "a finite decimal number",
  boolean: "a boolean (1, 0, true or false)",
  date: "a date YYYY-MM-DD",
  percent: "an integer from 0 to 100"
}
