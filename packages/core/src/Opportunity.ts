/**
 * A Marketo Opportunity: the 19 standard fields, typed, plus custom fields.
 *
 * Numbers are written as plain decimals, dates as `YYYY-MM-DD` (a `Date` at UTC midnight,
 * e.g. `new Date("2024-03-31")`), booleans as `1`/`0`. Custom fields keep their insertion
 * order on the wire, after the standard ones.
 *
 * ```ts
 * const opportunity = Opportunity.make({
 *   externalKey: { name: "externalOpportunityId", value: "OPP-1" },
 *   name: "Big deal", amount: 12500.5, closeDate: new Date("2024-06-30"), isWon: false,
 *   company: { externalKey: { name: "externalCompanyId", value: "ACME" } }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Field from "./internal/modelFields.js"
import * as Keys from "./Keys.js"

/**
 * The wire names of the standard fields, in the order they are written.
 *
 * @since 0.1.0
 * @category constants
 */
export const standardFieldNames = [
  "Amount",
  "CloseDate",
  "Description",
  "ExpectedRevenue",
  "ExternalCreatedDate",
  "Fiscal",
  "FiscalQuarter",
  "FiscalYear",
  "ForecastCategoryName",
  "IsClosed",
  "IsWon",
  "LastActivityDate",
  "LeadSource",
  "Name",
  "NextStep",
  "Probability",
  "Quantity",
  "Stage",
  "Type"
] as const

/**
 * An Opportunity. `id` (Marketo's) or `externalKey` identifies it for UPDATE; `company`
 * links it to a company.
 *
 * @since 0.1.0
 * @category models
 */
export class Opportunity extends Schema.TaggedClass<Opportunity>("@mktows/core/Opportunity")("Opportunity", {
  id: Field.optional(Field.Int),
  externalKey: Field.optional(Keys.ExternalKey),
  amount: Field.optional(Field.Decimal),
  closeDate: Field.optional(Field.CalendarDate),
  description: Field.optional(Field.Text),
  expectedRevenue: Field.optional(Field.Decimal),
  externalCreatedDate: Field.optional(Field.Instant),
  fiscal: Field.optional(Field.Text),
  fiscalQuarter: Field.optional(Field.Int),
  fiscalYear: Field.optional(Field.Int),
  forecastCategoryName: Field.optional(Field.Text),
  isClosed: Field.optional(Schema.Boolean),
  isWon: Field.optional(Schema.Boolean),
  lastActivityDate: Field.optional(Field.CalendarDate),
  leadSource: Field.optional(Field.Text),
  name: Field.optional(Field.Text),
  nextStep: Field.optional(Field.Text),
  /** 0 to 100. */
  probability: Field.optional(Field.Percent),
  quantity: Field.optional(Field.Decimal),
  stage: Field.optional(Field.Text),
  type: Field.optional(Field.Text),
  /** Fields defined for the instance (see describeMObject), by wire name, in insertion order. */
  customFields: Schema.optionalWith(Field.customFields(standardFieldNames), { default: () => ({}) }),
  /** The company the opportunity belongs to. */
  company: Field.optional(Keys.Association),
  /** Read-only, as Marketo wrote it. */
  createdAt: Field.optional(Field.Timestamp),
  /** Read-only, as Marketo wrote it. */
  updatedAt: Field.optional(Field.Timestamp)
}) {}

/**
 * Builds an Opportunity; the same as `new Opportunity(props)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (props: ConstructorParameters<typeof Opportunity>[0]): Opportunity => new Opportunity(props)
