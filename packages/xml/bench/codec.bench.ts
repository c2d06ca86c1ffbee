/**
 * Speed of the SOAP codec on full-size calls: encoding a 100-object syncMObjects request
 * and decoding a 100-status response. A plain script (`pnpm bench`), not a test: it prints
 * microseconds per call and asserts nothing.
 */
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as SoapCodec from "../src/SoapCodec.js"

const header: Wire.AuthenticationHeaderInfo = {
  mktowsUserId: "demo17_1_809934544BFABAE58E5D27",
  requestSignature: "40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7",
  requestTimestamp: "2013-08-05T14:22:45-07:00"
}

const params: Wire.ParamsSyncMObjects = {
  operation: "UPSERT",
  mObjectList: Array.from({ length: 100 }, (_, i) => ({
    type: "Opportunity",
    externalKey: { name: "externalOpportunityId", value: `OPP-${i}` },
    attribList: [
      { name: "Name", value: `Deal #${i} & partners <EMEA>` },
      { name: "Amount", value: String(1000 + i) },
      { name: "CloseDate", value: "2013-09-30" },
      { name: "IsWon", value: "0" }
    ],
    associationList: [{ mObjType: "Company", id: 7000 + i }]
  }))
}

const response = SoapCodec.encodeResponse("syncMObjects", {
  mObjStatusList: Array.from({ length: 100 }, (_, i) => ({
    id: 1000 + i,
    externalKey: { name: "externalOpportunityId", value: `OPP-${i}` },
    status: i % 10 === 0 ? "FAILED" as const : "CREATED" as const,
    ...(i % 10 === 0 ? { error: "Missing required field" } : {})
  }))
})

const measure = (name: string, iterations: number, run: () => unknown): void => {
  for (let i = 0; i < Math.min(50, iterations); i++) run()
  const start = performance.now()
  for (let i = 0; i < iterations; i++) run()
  const micros = ((performance.now() - start) * 1000) / iterations
  console.log(`${name.padEnd(48)} ${micros.toFixed(1).padStart(9)} µs/call  (${iterations} calls)`)
}

const request = SoapCodec.encodeRequest("syncMObjects", header, params)
console.log(`request ${request.length} chars, response ${response.length} chars`)

measure("encodeRequest syncMObjects, 100 objects", 2000, () => SoapCodec.encodeRequest("syncMObjects", header, params))
measure(
  "decodeResponse syncMObjects, 100 statuses",
  500,
  () => Effect.runSync(SoapCodec.decodeResponse("syncMObjects", response, { expectedCount: 100 }))
)
measure("decodeRequest syncMObjects, 100 objects", 300, () => Effect.runSync(SoapCodec.decodeRequest(request)))
const result = Effect.runSync(SoapCodec.decodeResponse("syncMObjects", response))
measure("encodeResponse syncMObjects, 100 statuses", 2000, () => SoapCodec.encodeResponse("syncMObjects", result))

// One getMObjects page of 100 Opportunities, as the emulator answers it.
const page = SoapCodec.encodeResponse("getMObjects", {
  returnCount: 100,
  hasMore: true,
  newStreamPosition: "c3RyZWFtLXBvc2l0aW9uLTEwMA==",
  mObjectList: Array.from({ length: 100 }, (_, i) => ({
    type: "Opportunity",
    id: 5000 + i,
    externalKey: { name: "externalOpportunityId", value: `OPP-${i}` },
    createdAt: "2013-06-01T08:00:00Z",
    updatedAt: "2013-06-02T08:00:00Z",
    attribList: [
      { name: "Name", value: `Deal #${i}` },
      { name: "Amount", value: String(1000 + i) },
      { name: "CloseDate", value: "2013-09-30" },
      { name: "IsWon", value: "0" },
      { name: "IsClosed", value: "0" },
      { name: "Stage", value: "Prospecting" },
      { name: "Type", value: "New Business" },
      { name: "Probability", value: "10" },
      { name: "LeadSource", value: "Web" },
      { name: "Description", value: "A long enough description of the deal & its terms" }
    ],
    associationList: [{ mObjType: "Company", id: 7000 + i }]
  }))
})
console.log(`getMObjects page ${page.length} chars`)
measure(
  "decodeResponse getMObjects, 100 Opportunities",
  200,
  () => Effect.runSync(SoapCodec.decodeResponse("getMObjects", page))
)
