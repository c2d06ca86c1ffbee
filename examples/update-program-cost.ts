/**
 * Marketo's own first syncMObjects sample: change a program's period cost.
 *
 * Program 1970 has a cost with Id 153 for June 2013; this sets its amount to 2000. Programs
 * can only be updated through the API (costs and tags added or changed), so the operation is
 * UPDATE, and naming the cost's Id changes that cost instead of adding another one.
 *
 * ```
 * pnpm example update-program-cost
 * ```
 *
 * @since 0.1.0
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Program from "@mktows/core/Program"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Environment from "./internal/environment.js"
import * as Format from "./internal/format.js"
import * as Runner from "./internal/runner.js"

/**
 * Sends the update; returns the outcome (UPDATED, or UNCHANGED when the amount was already 2000).
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const update = Program.make({ id: 1970, costs: [{ month: "2013-06", amount: 2000, id: 153 }] })
  const outcomes = yield* MarketoClient.syncMObjects([update], "UPDATE")
  for (const outcome of outcomes) {
    yield* Console.log(`Program 1970, cost 153 (2013-06) set to 2000: ${Format.outcome(outcome)}`)
  }
  return outcomes
})

/**
 * The same over REST, which cannot name cost 153 (REST costs have no ids: it appends costs
 * or replaces them all), so the faithful REST request appends a 2013-06 cost of 2000, unless
 * the program has that cost already: then it is UNCHANGED, as mktows reads the program's costs
 * first and adds none twice (run it again to see).
 *
 * @since 0.1.0
 * @category programs
 */
export const restProgram = Effect.gen(function*() {
  const update = Program.make({ id: 1970, costs: [{ month: "2013-06", amount: 2000 }] })
  const outcomes = yield* MarketoClient.syncMObjects([update], "UPDATE")
  for (const outcome of outcomes) {
    yield* Console.log(
      `Program 1970, a 2013-06 cost of 2000 appended unless it has one (REST cannot change cost 153 in place): ${
        Format.outcome(outcome)
      }`
    )
  }
  return outcomes
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
