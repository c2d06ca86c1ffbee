/**
 * Marketo's syncMObjects sample that gives a person a role in an opportunity.
 *
 * An OpportunityPersonRole links an existing opportunity and an existing person (Lead 19
 * here). The example first creates the opportunity, then uses the Marketo id it got back
 * as the role's `opportunityId`.
 *
 * ```
 * pnpm example create-opportunity-person-role
 * ```
 *
 * @since 0.1.0
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Environment from "./internal/environment.js"
import * as Format from "./internal/format.js"
import * as Outcomes from "./internal/outcomes.js"
import * as Runner from "./internal/runner.js"

/**
 * The person who gets the role.
 *
 * @since 0.1.0
 * @category constants
 */
export const personId = 19

/**
 * Creates the opportunity, then the role; returns both Marketo ids.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const opportunity = Opportunity.make({
    externalKey: { name: "opportunityId", value: "OPP-2024-ACME-2" },
    name: "Acme: support renewal",
    type: "Renewal",
    stage: "Qualification",
    amount: 8400,
    closeDate: new Date("2024-12-15"),
    company: { externalKey: { name: "companyId", value: "COMP-1" } }
  })
  const created = yield* MarketoClient.syncMObjects([opportunity], "UPSERT")
  for (const outcome of created) yield* Console.log(`Opportunity "${opportunity.name}": ${Format.outcome(outcome)}`)
  const opportunityId = yield* Outcomes.singleId(created)

  const role = OpportunityPersonRole.make({ opportunityId, personId, role: "Decision Maker", isPrimary: true })
  const linked = yield* MarketoClient.syncMObjects([role], "INSERT")
  for (const outcome of linked) {
    yield* Console.log(
      `Role "Decision Maker" (primary) for Lead ${personId} in Opportunity ${opportunityId}: ${Format.outcome(outcome)}`
    )
  }
  const roleId = yield* Outcomes.singleId(linked)
  return { opportunityId, roleId }
})

/**
 * The same over REST: the opportunity is named by `externalOpportunityId` (and its company by
 * `externalCompanyId`), and the role links to it by that key, the lead by its id.
 *
 * @since 0.1.0
 * @category programs
 */
export const restProgram = Effect.gen(function*() {
  const key = Environment.opportunityKey("REST", "OPP-2024-ACME-2")
  const opportunity = Opportunity.make({
    externalKey: key,
    name: "Acme: support renewal",
    type: "Renewal",
    stage: "Qualification",
    amount: 8400,
    closeDate: new Date("2024-12-15"),
    company: { externalKey: Environment.companyKey("REST", "COMP-1") }
  })
  const created = yield* MarketoClient.syncMObjects([opportunity], "UPSERT")
  for (const outcome of created) yield* Console.log(`Opportunity "${opportunity.name}": ${Format.outcome(outcome)}`)
  const role = OpportunityPersonRole.make({
    opportunity: { externalKey: key },
    lead: { id: personId },
    role: "Decision Maker",
    isPrimary: true
  })
  const linked = yield* MarketoClient.syncMObjects([role], "INSERT")
  for (const outcome of linked) {
    yield* Console.log(
      `Role "Decision Maker" (primary) for Lead ${personId} in ${key.value}: ${Format.outcome(outcome)}`
    )
  }
  return { opportunity: created[0]?.externalKey?.value, role: linked[0]?.externalKey?.value }
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
