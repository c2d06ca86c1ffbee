/**
 * A Marketo OpportunityPersonRole: the role a person (a lead) plays in an opportunity.
 *
 * The opportunity is named by `opportunityId` or by an `opportunity` association (which may
 * use the opportunity's external key, so a role can be created in the same call as its
 * opportunity); the person likewise by `personId` or a `lead` association.
 *
 * ```ts
 * const role = OpportunityPersonRole.make({ opportunityId: 40, personId: 1001, role: "Decision Maker", isPrimary: true })
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
export const standardFieldNames = ["OpportunityId", "PersonId", "Role", "ExternalCreatedDate", "IsPrimary"] as const

/**
 * An OpportunityPersonRole.
 *
 * @since 0.1.0
 * @category models
 */
export class OpportunityPersonRole extends Schema.TaggedClass<OpportunityPersonRole>(
  "@mktows/core/OpportunityPersonRole"
)("OpportunityPersonRole", {
  id: Field.optional(Field.Int),
  externalKey: Field.optional(Keys.ExternalKey),
  opportunityId: Field.optional(Field.Int),
  /** The Marketo id of the person (lead or contact). */
  personId: Field.optional(Field.Int),
  role: Field.optional(Field.Text),
  externalCreatedDate: Field.optional(Field.Instant),
  isPrimary: Field.optional(Schema.Boolean),
  /** Fields defined for the instance (see describeMObject), by wire name, in insertion order. */
  customFields: Schema.optionalWith(Field.customFields(standardFieldNames), { default: () => ({}) }),
  /** The person, by Marketo id or external key (an association of type Lead). */
  lead: Field.optional(Keys.Association),
  /** The opportunity, by Marketo id or external key. */
  opportunity: Field.optional(Keys.Association),
  /** Read-only, as Marketo wrote it. */
  createdAt: Field.optional(Field.Timestamp),
  /** Read-only, as Marketo wrote it. */
  updatedAt: Field.optional(Field.Timestamp)
}) {}

/**
 * Builds an OpportunityPersonRole; the same as `new OpportunityPersonRole(props)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (props: ConstructorParameters<typeof OpportunityPersonRole>[0]): OpportunityPersonRole =>
  new OpportunityPersonRole(props)
