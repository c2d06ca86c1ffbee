/**
 * How the SOAP MObjects of `@mktows/core` map to Marketo's REST records, field by field, and
 * what cannot map. The README's "Moving from SOAP to REST" table is this module.
 *
 * Identity: SOAP's integer ids of opportunities and roles do not exist in REST, so they are
 * refused; an object is named by its `externalKey`:
 * - Opportunity: `externalOpportunityId` (REST's dedupe field; any operation) or
 *   `marketoGUID` (REST's id field; UPDATE only, as REST allows `dedupeBy: idField` only
 *   with `updateOnly`). The Company association maps to `externalCompanyId` by external key.
 * - OpportunityPersonRole: `marketoGUID` (UPDATE only) or REST's compound dedupe key
 *   (`externalOpportunityId`, `leadId`, `role`): the Opportunity association by external
 *   key `externalOpportunityId`, the Lead by id (or `PersonId`), and `Role`.
 * - Program: its integer id, the same in both APIs.
 *
 * @since 0.1.0
 */
import type { ValidationIssue } from "@mktows/core/MarketoError"
import type * as MarketoTransport from "@mktows/core/MarketoTransport"
import type * as StandardFields from "@mktows/core/StandardFields"
import type * as Wire from "@mktows/core/Wire"
import * as Fields from "./internal/fields.js"
import * as Refusals from "./internal/refusals.js"

/**
 * What a field holds, which decides its JSON form: `decimal`, `int` and `percent` as
 * numbers, `boolean` as `true`/`false`, `date` and `text` as strings.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = StandardFields.Kind

/**
 * One standard field: its SOAP attrib name, its REST field name, and its kind.
 *
 * @since 0.1.0
 * @category models
 */
export interface FieldMapping {
  readonly soap: string
  readonly rest: string
  readonly kind: Kind
}

/**
 * The Opportunity's standard fields.
 *
 * @since 0.1.0
 * @category constants
 */
export const opportunityFields: ReadonlyArray<FieldMapping> = Fields.opportunityFields

/**
 * The OpportunityPersonRole's standard fields (`OpportunityId` has no REST field: see the
 * module documentation).
 *
 * @since 0.1.0
 * @category constants
 */
export const roleFields: ReadonlyArray<FieldMapping> = Fields.roleFields

/**
 * The external key names REST understands, per type.
 *
 * @since 0.1.0
 * @category constants
 */
export const keys = {
  opportunityDedupe: "externalOpportunityId",
  id: "marketoGUID",
  company: "externalCompanyId"
} as const

/**
 * The issues of a call that REST cannot express faithfully; empty when it can.
 *
 * @since 0.1.0
 * @category mapping
 */
export const refuse: <Op extends Wire.Operation>(
  operation: Op,
  params: Wire.ParamsOf<Op>
) => ReadonlyArray<ValidationIssue> = Refusals.refuse

/**
 * The issues of a sync or delete of models that REST cannot express, each naming the model's
 * field (`opportunityId`, `customFields.X`): what the transport refuses such a call with.
 *
 * @since 0.1.0
 * @category mapping
 */
export const refuseModels: (call: MarketoTransport.ModelCall) => ReadonlyArray<ValidationIssue> = Refusals.refuseModels
