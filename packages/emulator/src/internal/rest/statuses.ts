/**
 * A write's records applied one after another, and each record's outcome as REST answers
 * it at its `seq`: the store's status in Adobe's words, or the reason the record was refused
 * before the store saw it. A refused record changes nothing and shifts nothing.
 */
import type * as Wire from "@mktows/core/Wire"
import * as RestWire from "@mktows/rest/RestWire"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Counter } from "../counts.js"
import type { EmulatorFault } from "../fault.js"
import type { State } from "../state.js"
import { guidOf, isRefusal, type Kind, type Refusal } from "./records.js"

/** What one record came to. @internal */
export type RecordOutcome = Wire.MObjStatus | Refusal

/**
 * Applies `f` to each record in turn, each against the state the ones before it left.
 *
 * @internal
 */
export const applyEach = <I>(
  state: State,
  input: ReadonlyArray<I>,
  f: (state: State, record: I) => Refusal | Either.Either<readonly [Wire.MObjStatus | undefined, State], EmulatorFault>
): readonly [ReadonlyArray<RecordOutcome>, State] => {
  let current = state
  const outcomes = input.map((record): RecordOutcome => {
    const applied = f(current, record)
    if (isRefusal(applied)) return applied
    if (Either.isLeft(applied)) return { code: RestWire.errorCodes.systemError.code, message: applied.left.detail }
    const [status, next] = applied.right
    current = next
    return status ?? { code: RestWire.errorCodes.systemError.code, message: "no status" }
  })
  return [outcomes, current] as const
}

const skipped = (seq: number, guid: string, reason: Refusal): RestWire.RecordStatus => ({
  seq,
  marketoGUID: guid,
  status: "skipped",
  reasons: [{ code: reason.code, message: reason.message }]
})

/**
 * One record's status. The Swagger requires a `marketoGUID` on every record: "" when no
 * record is concerned.
 *
 * @internal
 */
export const statusOf = (outcome: RecordOutcome, kind: Kind, seq: number, deleting: boolean): RestWire.RecordStatus => {
  if (isRefusal(outcome)) return skipped(seq, "", outcome)
  const guid = outcome.id > 0 ? guidOf(kind, outcome.id) : ""
  switch (outcome.status) {
    case "CREATED":
      return { seq, marketoGUID: guid, status: "created" }
    case "UPDATED":
    case "UNCHANGED":
      // A delete of an id that is not there answers UNCHANGED: not found.
      return deleting
        ? skipped(seq, "", RestWire.errorCodes.objectNotFound)
        : { seq, marketoGUID: guid, status: "updated" }
    case "DELETED":
      return { seq, marketoGUID: guid, status: "deleted" }
    case "SKIPPED":
      return skipped(
        seq,
        "",
        (outcome.error ?? "").includes("exists")
          ? RestWire.errorCodes.alreadyExists
          : RestWire.errorCodes.objectNotFound
      )
    case "FAILED":
      return skipped(seq, guid, {
        code: RestWire.errorCodes.invalidData.code,
        message: outcome.error ?? "Invalid data"
      })
  }
}

/**
 * The records that reached the store, tallied in the stats as a SOAP call of the same
 * operation would be: one stats counter for both APIs.
 *
 * @internal
 */
export const tally = (
  counter: Counter,
  kind: Kind,
  outcomes: ReadonlyArray<RecordOutcome>,
  operation: Wire.SyncOperation | "DELETE"
): Effect.Effect<void> => {
  const type = kind === "opportunities" ? "Opportunity" : "OpportunityPersonRole"
  const statuses = outcomes.filter((o): o is Wire.MObjStatus => !isRefusal(o))
  const mObjectList = statuses.map(() => ({ type }))
  return operation === "DELETE"
    ? counter.answer({ operation: "deleteMObjects", params: { mObjectList } }, {
      operation: "deleteMObjects",
      result: { mObjStatusList: statuses }
    })
    : counter.answer({ operation: "syncMObjects", params: { mObjectList, operation } }, {
      operation: "syncMObjects",
      result: { mObjStatusList: statuses }
    })
}
