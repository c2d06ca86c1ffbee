/**
 * Marketo's syncMObjects sample that creates an Opportunity.
 *
 * Standard fields are typed (amount a number, close date a `Date`, flags booleans); the
 * external key (`opportunityId`, a custom field of the instance) names the opportunity in
 * your own system, and the company is linked by its external key too, so no Marketo id is
 * needed. UPSERT creates the opportunity the first time and updates it on a rerun, where
 * INSERT would skip it.
 *
 * ```
 * pnpm example create-opportunity
 * ```
 *
 * @since 0.1.0
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Environment from "./internal/environment.js"
import * as Format from "./internal/format.js"
import * as Outcomes from "./internal/outcomes.js"
import * as Runner from "./internal/runner.js"

/**
 * The opportunity the example sends.
 *
 * @since 0.1.0
 * @category constants
 */
export const opportunity = Opportunity.make({
  externalKey: { name: "opportunityId", value: "OPP-2024-ACME-1" },
  name: "Acme: analytics expansion",
  type: "New Business",
  stage: "Prospecting",
  amount: 25000,
  probability: 20,
  closeDate: new Date("2024-09-30"),
  leadSource: "Trade Show",
  isClosed: false,
  isWon: false,
  company: { externalKey: { name: "companyId", value: "COMP-1" } }
})

/**
 * Creates (or updates) the opportunity; returns its Marketo id and status.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const outcomes = yield* MarketoClient.syncMObjects([opportunity], "UPSERT")
  for (const outcome of outcomes) {
    yield* Console.log(`Opportunity "${opportunity.name}" (opportunityId OPP-2024-ACME-1): ${Format.outcome(outcome)}`)
  }
  const id = yield* Outcomes.singleId(outcomes)
  yield* Console.log(`New Marketo id: ${id}`)
  return { id, status: outcomes[0]?.status }
})

const fieldsOf = ({ _tag: _, company: _c, externalKey: _k, ...fields }: Opportunity.Opportunity) => fields

/**
 * The same over REST, which names the opportunity and its company by its own dedupe fields
 * (`externalOpportunityId`, `externalCompanyId`); it has no integer ids, so the outcome
 * names the opportunity by that key.
 *
 * @since 0.1.0
 * @category programs
 */
export const restProgram = Effect.gen(function*() {
  const sent = Opportunity.make({
    ...fieldsOf(opportunity),
    externalKey: Environment.opportunityKey("REST", "OPP-2024-ACME-1"),
    company: { externalKey: Environment.companyKey("REST", "COMP-1") }
  })
  const outcomes = yield* MarketoClient.syncMObjects([sent], "UPSERT")
  for (const outcome of outcomes) {
    yield* Console.log(
      `Opportunity "${opportunity.name}" (externalOpportunityId OPP-2024-ACME-1): ${Format.outcome(outcome)}`
    )
  }
  yield* Console.log(`Named by ${outcomes[0]?.externalKey?.name ?? "no key"} ${outcomes[0]?.externalKey?.value ?? ""}`)
  return { externalKey: outcomes[0]?.externalKey, status: outcomes[0]?.status }
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
