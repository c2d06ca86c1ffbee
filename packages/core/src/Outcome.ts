/**
 * What happened to one object of a sync or delete.
 *
 * @since 0.1.0
 */
import type * as Wire from "./Wire.js"

/**
 * The status of an outcome: one of Marketo's statuses, or `IN_DOUBT` when the call carrying
 * the object was sent and no answer says what Marketo did with it (none came, or the one that
 * came could not be read, or does not account for the object), so nobody knows whether Marketo
 * applied it.
 *
 * @since 0.1.0
 * @category models
 */
export type OutcomeStatus = Wire.MObjStatusEnum | "IN_DOUBT"

/**
 * One outcome per input object, in input order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Outcome<A> {
  /** Position of the object in the caller's input. */
  readonly index: number
  /** The object as the caller gave it. */
  readonly input: A
  /** What Marketo did with the object, or `IN_DOUBT`. */
  readonly status: OutcomeStatus
  /** Marketo's id of the object, when Marketo reported one. */
  readonly id?: number
  /** The object's external key, when Marketo reported one. */
  readonly externalKey?: Wire.Attrib
  /**
   * Marketo's text for the object (why it FAILED or was SKIPPED), why it is in doubt, or a
   * note on a success: an INSERT or UPSERT of an object whose id named no stored object is
   * CREATED under a new id (in `id`), and this says so.
   */
  readonly error?: string
}

/**
 * Whether an outcome needs the caller's attention: the object FAILED or is in doubt.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isProblem = <A>(outcome: Outcome<A>): boolean =>
  outcome.status === "FAILED" || outcome.status === "IN_DOUBT"
