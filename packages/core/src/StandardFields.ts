/**
 * The standard fields of each MObject type, one table per model: the SOAP wire name, the
 * model's key and the kind of value, in the order they are written (the order of Marketo's
 * documentation). The model, its validation, the SOAP mapping and the REST mapping (which
 * extends these tables with REST's names) all read them, so a field is defined once.
 *
 * @since 0.1.0
 */
import type { Opportunity } from "./Opportunity.js"
import type { OpportunityPersonRole } from "./OpportunityPersonRole.js"

/**
 * The kind of value a standard field holds: `date` a calendar day, `datetime` an instant to the
 * second (Marketo's describe calls `ExternalCreatedDate` a datetime).
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "text" | "int" | "decimal" | "boolean" | "date" | "datetime" | "percent"

/**
 * One standard field: its SOAP wire name, the model's key for it, and its kind.
 *
 * @since 0.1.0
 * @category models
 */
export interface StandardField<K extends string> {
  readonly wire: string
  readonly key: K
  readonly kind: Kind
}

/**
 * The Opportunity's standard fields.
 *
 * @since 0.1.0
 * @category constants
 */
export const opportunityFields: ReadonlyArray<StandardField<keyof Opportunity>> = [
  { wire: "Amount", key: "amount", kind: "decimal" },
  { wire: "CloseDate", key: "closeDate", kind: "date" },
  { wire: "Description", key: "description", kind: "text" },
  { wire: "ExpectedRevenue", key: "expectedRevenue", kind: "decimal" },
  { wire: "ExternalCreatedDate", key: "externalCreatedDate", kind: "datetime" },
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

/**
 * The OpportunityPersonRole's standard fields.
 *
 * @since 0.1.0
 * @category constants
 */
export const opportunityPersonRoleFields: ReadonlyArray<StandardField<keyof OpportunityPersonRole>> = [
  { wire: "OpportunityId", key: "opportunityId", kind: "int" },
  { wire: "PersonId", key: "personId", kind: "int" },
  { wire: "Role", key: "role", kind: "text" },
  { wire: "ExternalCreatedDate", key: "externalCreatedDate", kind: "datetime" },
  { wire: "IsPrimary", key: "isPrimary", kind: "boolean" }
]
