/**
 * Deleting opportunities: by Marketo id over SOAP, by external key over REST.
 *
 * The example creates three opportunities, deletes them with `deleteMObjects` (one outcome
 * per reference, DELETED when it was there), then reads each back to show that nothing
 * is left. Over REST, which deletes an opportunity by its `externalOpportunityId` (or its
 * `marketoGUID`), never by an integer id, the references are the external keys. Deleting an opportunity also removes the roles people had in it.
 *
 * ```
 * pnpm example delete-opportunities
 * ```
 *
 * @since 0.1.0
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Environment from "./internal/environment.js"
import * as Format from "./internal/format.js"
import * as Outcomes from "./internal/outcomes.js"
import * as Runner from "./internal/runner.js"

/**
 * Creates, deletes and reads back; returns the ids, the delete statuses and how many of the
 * opportunities could still be read (0).
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const drafts = ["Q3 pilot", "Q3 upsell", "Q3 services"].map((name) =>
    Opportunity.make({ name: `Short-lived: ${name}`, stage: "Prospecting", amount: 1000 })
  )
  const ids = yield* Outcomes.ids(yield* MarketoClient.syncMObjects(drafts, "INSERT"))
  yield* Console.log(`Created opportunities ${ids.join(", ")}`)

  const outcomes = yield* MarketoClient.deleteMObjects(ids.map((id) => ({ type: "Opportunity", id })))
  for (const outcome of outcomes) {
    const ref = outcome.input
    yield* Console.log(`Delete Opportunity ${"id" in ref ? ref.id : ref.externalKey.value}: ${outcome.status}`)
  }

  const found = yield* Effect.forEach(
    ids,
    (id) => Stream.runCount(MarketoClient.getMObjects({ type: "Opportunity", id }))
  )
  const remaining = found.reduce((sum, n) => sum + n, 0)
  yield* Console.log(
    remaining === 0 ? "Reading them back: none found." : `Reading them back: ${Format.count(remaining)} still there!`
  )
  return { ids, statuses: outcomes.map((outcome) => outcome.status), remaining }
})

/**
 * The same over REST: the opportunities carry `externalOpportunityId`s (REST needs one to
 * create), and are deleted and read back by the key each sync outcome names.
 *
 * @since 0.1.0
 * @category programs
 */
export const restProgram = Effect.gen(function*() {
  const drafts = ["Q3 pilot", "Q3 upsell", "Q3 services"].map((name, i) =>
    Opportunity.make({
      externalKey: Environment.opportunityKey("REST", `SHORT-${i + 1}`),
      name: `Short-lived: ${name}`,
      stage: "Prospecting",
      amount: 1000
    })
  )
  const created = yield* MarketoClient.syncMObjects(drafts, "INSERT")
  const keys = created.flatMap((outcome) => outcome.externalKey === undefined ? [] : [outcome.externalKey])
  yield* Console.log(`Created opportunities ${keys.map((key) => key.value).join(", ")}`)
  const outcomes = yield* MarketoClient.deleteMObjects(
    keys.map((externalKey) => ({ type: "Opportunity", externalKey }))
  )
  for (const [i, outcome] of outcomes.entries()) {
    yield* Console.log(`Delete Opportunity ${keys[i]?.value}: ${outcome.status}`)
  }
  const found = yield* Effect.forEach(
    keys,
    (externalKey) => Stream.runCount(MarketoClient.getMObjects({ type: "Opportunity", externalKey }))
  )
  const remaining = found.reduce((sum, n) => sum + n, 0)
  yield* Console.log(
    remaining === 0 ? "Reading them back: none found." : `Reading them back: ${Format.count(remaining)} still there!`
  )
  return { keys, statuses: outcomes.map((outcome) => outcome.status), remaining }
})

/**
 * @since 0.1.0
 * @category running
 */
export const main = Runner.main(
  Effect.flatMap(
    Environment.transport,
    (transport): Effect.Effect<unknown, unknown, MarketoClient.MarketoClient> =>
      transport === "REST" ? restProgram : program
  )
)

Runner.runIfEntry(import.meta.url, main)
