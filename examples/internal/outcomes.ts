/**
 * Reading the Marketo ids out of outcomes, for examples that create an object and then use it.
 *
 * @since 0.1.0
 */
import type { Outcome } from "@mktows/core/Outcome"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/**
 * Marketo answered without the id of an object an example needs next.
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingId extends Data.TaggedError("MissingId")<{ readonly index: number; readonly status: string }> {
  override get message(): string {
    return `Marketo reported no id for object ${this.index} (status ${this.status})`
  }
}

/**
 * The Marketo ids of the outcomes, in input order; fails if one has none.
 *
 * @since 0.1.0
 * @category getters
 */
export const ids = <A>(outcomes: ReadonlyArray<Outcome<A>>): Effect.Effect<ReadonlyArray<number>, MissingId> =>
  Effect.forEach(outcomes, (outcome) =>
    outcome.id !== undefined && outcome.id > 0
      ? Effect.succeed(outcome.id)
      : Effect.fail(new MissingId({ index: outcome.index, status: outcome.status })))

/**
 * The Marketo id of the only outcome; fails if there is none.
 *
 * @since 0.1.0
 * @category getters
 */
export const singleId = <A>(outcomes: ReadonlyArray<Outcome<A>>): Effect.Effect<number, MissingId> =>
  Effect.flatMap(
    ids(outcomes),
    ([id]) => id !== undefined ? Effect.succeed(id) : Effect.fail(new MissingId({ index: 0, status: "none" }))
  )
