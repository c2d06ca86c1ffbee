/**
 * The MObjects of the SOAP API (Program, Opportunity, OpportunityPersonRole) as one union,
 * their shared parts, and their mapping to and from the wire records of {@link Wire}.
 *
 * Wire formats: booleans `1`/`0` (read also `true`/`false`), dates `YYYY-MM-DD` (in the
 * model a `Date` at UTC midnight), cost months `YYYY-MM` (read also `YYYY-MM-DD`),
 * decimals as plain decimal text that reads back as the same number (never `1e+21`),
 * integers as digits. Attribs are written standard fields first, in Marketo's documented
 * order, then custom fields in insertion order.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as mapping from "./internal/mapping.js"
import * as Keys from "./Keys.js"
import type { ProtocolError } from "./MarketoError.js"
import { Opportunity } from "./Opportunity.js"
import { OpportunityPersonRole } from "./OpportunityPersonRole.js"
import { Program } from "./Program.js"
import * as Wire from "./Wire.js"

/**
 * An external key: a custom field of an object (`name`) and the value identifying it
 * (the same as `Keys.ExternalKey`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExternalKey: typeof Keys.ExternalKey = Keys.ExternalKey
/**
 * The type of {@link ExternalKey}.
 *
 * @since 0.1.0
 * @category models
 */
export type ExternalKey = Keys.ExternalKey

/**
 * A link to another object: `{ id }` (Marketo's id) or `{ externalKey }` (the same as
 * `Keys.Association`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Association: typeof Keys.Association = Keys.Association
/**
 * The type of {@link Association}.
 *
 * @since 0.1.0
 * @category models
 */
export type Association = Keys.Association

/**
 * `INSERT`, `UPDATE` or `UPSERT`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SyncOperation: typeof Wire.SyncOperation = Wire.SyncOperation
/**
 * The type of {@link SyncOperation}.
 *
 * @since 0.1.0
 * @category models
 */
export type SyncOperation = Wire.SyncOperation

/**
 * Any MObject the SDK can sync, read or delete, told apart by `_tag`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MObject = Schema.Union(Program, Opportunity, OpportunityPersonRole).annotations({ identifier: "MObject" })
/**
 * The type of {@link MObject}: a Program, an Opportunity or an OpportunityPersonRole.
 *
 * @since 0.1.0
 * @category models
 */
export type MObject = Program | Opportunity | OpportunityPersonRole

/**
 * The wire record of an object. Pure; total for objects `Validation` accepts (for others
 * it still answers, but the record may not be what Marketo expects).
 *
 * @since 0.1.0
 * @category mapping
 */
export const toWire: (obj: MObject) => Wire.MObject = mapping.toWire

/**
 * Reads a wire record (from an untrusted response) into a model. Fails with a
 * `ProtocolError` (reason `ModelMapping`) naming the type and field that could not be read:
 * an unknown type, a malformed value, a field given twice, a missing Cost Month, ….
 * `toWire` then `fromWire` gives back an equal object.
 *
 * @since 0.1.0
 * @category mapping
 */
export const fromWire: (w: Wire.MObject) => Either.Either<MObject, ProtocolError> = mapping.fromWire
