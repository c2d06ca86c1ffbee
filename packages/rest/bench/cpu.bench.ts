/**
 * Client CPU per object of a REST UPSERT, with the server out of the picture: a fake
 * HttpClient answers every request at once with pre-built JSON (with its Content-Length, as a
 * server sends it). Three levels, in interleaved rounds, so the difference of two is one
 * layer's cost:
 *
 * - bare HTTP: the fake exchange alone (a pre-built body POSTed, the answer read);
 * - REST transport: its model path alone (`MarketoTransport.models.send`, 10 calls at once):
 *   mapping to JSON, the token, the request, the bounded read, decoding, statuses;
 * - whole client: `MarketoClient.syncMObjects`, the engine on top (validation, refusals,
 *   chunking, limiter, retries, spans, metrics, pairing).
 *
 * Prints the medians in µs per object and the differences (REST's own, the engine's). Run:
 * `tsx --conditions=source packages/rest/bench/cpu.bench.ts` (the sources), or profile it with
 * `node --cpu-prof --import tsx --conditions=source …`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as MarketoClient from "@mktows/core/MarketoClient"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as os from "node:os"
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
const token = JSON.stringify({
  access_token: "cdf01657-110d-4155-99a7-f986b2ff13a0:ab",
  token_type: "bearer",
  expires_in: 3600,
  scope: "s"
})

const http = HttpClient.make((request) => {
  const body = request.url.endsWith("/oauth/token") ? token : statuses
  return Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(body, {
        status: 200,
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }
      })
    )
  )
})

const transport = RestTransport.layer().pipe(
  Layer.provide(
    Layer.merge(
      Layer.succeed(HttpClient.HttpClient, http),
      RestConfig.layer({ endpoint: "https://x.mktorest.com/rest", clientId: "c", clientSecret: "bench-client-secret" })
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
const chunks = Array.from({ length: objects / perCall }, (_, i) => batch.slice(i * perCall, (i + 1) * perCall))

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const program = Effect.gen(function*() {
  const client = yield* MarketoClient.make({ rateLimit: { calls: 1e9 } })
  const models = (yield* MarketoTransport).models
  if (models === undefined) return yield* Effect.dieMessage("the REST transport has no model path")
  const body = new TextEncoder().encode(JSON.stringify({ action: "createOrUpdate", input: chunks[0] }))
  const levels = {
    "bare HTTP": Effect.forEach(
      chunks,
      () =>
        Effect.flatMap(
          http.execute(
            HttpClientRequest.post("https://x.mktorest.com/rest/v1/opportunities.json").pipe(
              HttpClientRequest.bodyUint8Array(body, "application/json")
            )
          ),
          (response) => response.arrayBuffer
        ),
      { concurrency: 10, discard: true }
    ),
    "REST transport": Effect.forEach(
      chunks,
      (chunk) => models.send({ operation: "syncMObjects", sync: "UPSERT", objects: chunk }),
      { concurrency: 10, discard: true }
    ),
    "whole client": client.syncMObjects(batch, "UPSERT")
  }
  const names = Object.keys(levels) as Array<keyof typeof levels>
  const times: Record<string, Array<number>> = Object.fromEntries(names.map((name) => [name, []]))
  for (let r = -2; r < rounds; r++) {
    // The order rotates every round; the first two rounds warm up.
    for (let j = 0; j < names.length; j++) {
      const name = names[(Math.max(r, 0) + j) % names.length]!
      const start = process.cpuUsage()
      yield* levels[name]
      const used = process.cpuUsage(start)
      if (r >= 0) times[name]!.push((used.user + used.system) / objects)
    }
  }
  const m = Object.fromEntries(names.map((name) => [name, median(times[name]!)])) as Record<keyof typeof levels, number>
  for (const name of names) console.log(`${name.padEnd(15)} ${m[name].toFixed(2)} µs/object`)
  console.log(
    `REST's own ${(m["REST transport"] - m["bare HTTP"]).toFixed(2)} µs/object, the engine's ${
      (m["whole client"] - m["REST transport"]).toFixed(2)
    } (medians of ${rounds} interleaved rounds; load average ${os.loadavg().map((l) => l.toFixed(2)).join(", ")})`
  )
})

Effect.runPromise(Effect.provide(program, transport))
