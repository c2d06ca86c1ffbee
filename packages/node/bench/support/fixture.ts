/**
 * The one workload every side-by-side benchmark measures: a syncMObjects UPSERT of 100
 * Opportunities by external key, the same 100 keys in every call (so one canned answer is
 * right for every call of every contender), and the answers to it.
 */
import * as Limits from "@mktows/core/Limits"
import * as Opportunity from "@mktows/core/Opportunity"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"

/** Objects per call: as many as one SOAP call carries. */
export const objectsPerCall = Limits.maxObjectsPerCall

/** Calls at once: Marketo's concurrency limit. */
export const callsAtOnce = Limits.maxConcurrentCalls

/** Marketo's documented demo pair, the emulator's default credentials. */
export const userId = "demo17_1_809934544BFABAE58E5D27"
export const encryptionKey = "27272727aa"

export const keyName = "externalOpportunityId"

/** One opportunity as a hand-written client holds it: plain values. */
export interface Deal {
  readonly key: string
  readonly name: string
  readonly amount: number
  readonly closeDate: string
  readonly stage: string
  readonly isWon: boolean
  readonly probability: number
}

// Markup characters in the names, so every encoder has something to escape.
export const deals: ReadonlyArray<Deal> = Array.from({ length: objectsPerCall }, (_, i) => ({
  key: `BENCH-${String(i).padStart(3, "0")}`,
  name: `Deal #${i} & partners <EMEA>`,
  amount: 1000 + i + 0.5,
  closeDate: "2026-09-30",
  stage: i % 2 === 0 ? "Prospecting" : "Proposal",
  isWon: false,
  probability: i % 101
}))

/**
 * A deal as a mktows model, keyed by `externalOpportunityId` (made by `make`: another copy of core's,
 * for a client loaded from elsewhere, such as `--ablate`'s).
 */
export const opportunityOf = (deal: Deal, make: typeof Opportunity.make = Opportunity.make): Opportunity.Opportunity =>
  make({
    externalKey: { name: keyName, value: deal.key },
    name: deal.name,
    amount: deal.amount,
    closeDate: new Date(`${deal.closeDate}T00:00:00Z`),
    stage: deal.stage,
    isWon: deal.isWon,
    probability: deal.probability
  })

/** The same deals as mktows models. */
export const opportunities: ReadonlyArray<Opportunity.Opportunity> = deals.map((deal) => opportunityOf(deal))

/** What Marketo answers to the call: one UPDATED status per deal, in order, with its key. */
export const syncResult: Wire.ResultOf<"syncMObjects"> = {
  mObjStatusList: deals.map((deal, i) => ({
    id: 5000 + i,
    externalKey: { name: keyName, value: deal.key },
    status: "UPDATED" as const
  }))
}

/** The canned server's answer, as text. */
export const cannedAnswer: string = SoapCodec.encodeResponse("syncMObjects", syncResult)

/** One getMObjects page of 100 Opportunities, as the emulator answers it. */
export const getPage: string = SoapCodec.encodeResponse("getMObjects", {
  returnCount: objectsPerCall,
  hasMore: true,
  newStreamPosition: "c3RyZWFtLXBvc2l0aW9uLTEwMA==",
  mObjectList: deals.map((deal, i) => ({
    type: "Opportunity",
    id: 5000 + i,
    externalKey: { name: keyName, value: deal.key },
    createdAt: "2026-06-01T08:00:00Z",
    updatedAt: "2026-06-02T08:00:00Z",
    attribList: [
      { name: "Amount", value: String(deal.amount) },
      { name: "CloseDate", value: deal.closeDate },
      { name: "Description", value: "A long enough description of the deal & its terms" },
      { name: "IsClosed", value: "0" },
      { name: "IsWon", value: deal.isWon ? "1" : "0" },
      { name: "LeadSource", value: "Web" },
      { name: "Name", value: deal.name },
      { name: "Probability", value: String(deal.probability) },
      { name: "Stage", value: deal.stage },
      { name: "Type", value: "New Business" }
    ],
    associationList: [{ mObjType: "Company", id: 7000 + i }]
  }))
})
