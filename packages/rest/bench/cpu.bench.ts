/**
 * Client CPU per object of a REST UPSERT, with the server out of the picture: a fake
 * HttpClient answers every request at once with pre-built JSON. Prints µs per object (median
 * of rounds). Run: `tsx --conditions=source packages/rest/bench/cpu.bench.ts`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RestConfig from "../src/RestConfig.js"
import * as RestTransport from "../src/RestTransport.js"

const perCall = 300
const objects = 6_000
const rounds = 15

const statuses = JSON.stringify({
  requestId: "r",
  success: true,
  result: Array.from({ length: perCall }, (_, seq) => ({ seq, marketoGUID: `g-${seq}`, status: "updated" }))
})
const token = JSON.stringify({ access_token: "t:ab", token_type: "bearer", expires_in: 3600, scope: "s" })

const http = HttpClient.make((request) =>
  Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(request.url.endsWith("/oauth/token") ? token : statuses, {
        status: 200,
        headers: { "content-type": "application/json" }
      })
    )
  )
)

const client = MarketoClient.layer({ rateLimit: { calls: 1e9 } }).pipe(
  Layer.provide(RestTransport.layer()),
  Layer.provide(
    Layer.merge(
      Layer.succeed(HttpClient.HttpClient, http),
      RestConfig.layer({ endpoint: "https://x.mktorest.com/rest", clientId: "c", clientSecret: "s" })
    )
  )
)

const batch = Array.from({ length: objects }, (_, i) =>
  Opportunity.make({
    externalKey: { name: "externalOpportunityId", value: `O-${i}` },
    name: `Deal ${i}`,
    amount: 1000 + i,
    stage: "Open",
    isWon: false,
    closeDate: new Date("2026-06-30")
  }))

const program = Effect.gen(function*() {
  const times: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage()
    yield* MarketoClient.syncMObjects(batch, "UPSERT")
    const used = process.cpuUsage(start)
    times.push((used.user + used.system) / objects)
  }
  times.sort((a, b) => a - b)
  console.log(`client CPU per object: ${times[Math.floor(rounds / 2)]!.toFixed(2)} µs (median of ${rounds} rounds)`)
})

Effect.runPromise(Effect.provide(program, client))
