/**
 * The client's CPU per object over real HTTP (issue 14): syncMObjects UPSERT of 100
 * Opportunities per call, 10 calls at once, against a server in a child process that answers
 * every call with the same canned 100 statuses, so its CPU is not counted.
 *
 * The contenders run interleaved, the order rotated every round, warm-up rounds dropped:
 *
 * - `client`: the full NodeMarketo client (validation, mapping, limiter, retries, signing,
 *   encoding, HTTP over fetch, decoding, pairing, metrics);
 * - `clientFetch`: the same client over Node's fetch (undici) instead of `node:http`;
 * - `engine`: the client over a transport that answers at once (no HTTP, no XML): its own
 *   machinery alone;
 * - `transport`: the SOAP transport alone over the same HTTP client, with the wire records
 *   built once: what the client adds is `client - transport`;
 * - `rawHttp`: `node:http` POSTing pre-built bytes and reading the answer: the HTTP floor;
 * - `rawHttpParse`: the same, with the answer parsed by fast-xml-parser as the codec drives it
 *   (its reports going nowhere: no status is read, so a lower bound of any client that parses
 *   with the design card's parser);
 * - `effectHttp`: the pre-built bytes through the Node layer's HttpClient (`@effect/platform`'s
 *   request over `node:http`), the answer read as text: what the HttpClient adds to `rawHttp`
 *   (both run as Effects);
 * - `effectHttpParse`: `effectHttp` with the answer parsed as in `rawHttpParse`: a lower bound of
 *   any client on the design card's stack (Effect, the HttpClient, fast-xml-parser); what the
 *   client spends above it is its own work (signing, validation, mapping, encoding, the
 *   hardened decode, reading the statuses, the engine);
 * - `raw`: `rawHttp` over fetch (undici), for comparison.
 *
 * Each round sends `--calls` calls per contender; the figure is process CPU (user + system,
 * `process.cpuUsage`) per object, and the medians over rounds are printed with the ratio to
 * `raw`, then one JSON line (the last line).
 *
 * Usage: `tsx packages/node/bench/client-cpu.ts [--rounds 12] [--calls 100]` (the compiled code:
 * `pnpm build` first; add `--conditions=source` for the sources, see `support/code.ts`)
 * Profile: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx packages/node/bench/client-cpu.ts --only client`
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import * as MObject from "@mktows/core/MObject"
import { Opportunity } from "@mktows/core/Opportunity"
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as SoapTransport from "@mktows/xml/SoapTransport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import * as Http from "node:http"
import * as Https from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { codecParsers, codeUnderTest, internalModule, refusesStaleBuild } from "./support/code.js"

const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? undefined : Number(process.argv[at + 1])
  return value !== undefined && Number.isSafeInteger(value) && value > 0 ? value : fallback
}
const only = (() => {
  const at = process.argv.indexOf("--only")
  return at === -1 ? undefined : process.argv[at + 1]
})()

const rounds = flag("rounds", 12)
const warmup = flag("warmup", 2)
const callsPerRound = flag("calls", 100)
const concurrency = 10
const perCall = 100

const userId = "demo17_1_809934544BFABAE58E5D27"
const encryptionKey = "27272727aa"

const opportunities = Array.from({ length: perCall }, (_, i) =>
  Opportunity.make({
    id: i + 1,
    externalKey: { name: "externalOpportunityId", value: `OPP-${i + 1}` },
    name: `Deal ${i + 1}`,
    amount: 1000 + i * 12.5,
    closeDate: new Date("2026-06-30"),
    stage: "Prospecting",
    isWon: false,
    probability: 40
  }))
const wireObjects: ReadonlyArray<Wire.MObject> = opportunities.map((o) => MObject.toWire(o))

const canned = SoapCodec.encodeResponse("syncMObjects", {
  mObjStatusList: wireObjects.map((o) => ({ id: o.id!, status: "UPDATED" as const }))
})

// The canned server: reads each request whole, answers the same bytes. Plain node:http in
// its own process, so the figures are the client's CPU alone.
const serverSource = `
const http = require("node:http")
const fs = require("node:fs")
const body = fs.readFileSync(process.argv[1])
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  req.on("data", () => {})
  req.on("end", () => {
    res.writeHead(200, { "content-type": "text/xml; charset=utf-8", "content-length": body.length })
    res.end(body)
  })
})
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
`

const startServer = (): Promise<{ readonly url: string; readonly stop: () => void }> => {
  const file = join(tmpdir(), `mktows-canned-${process.pid}.xml`)
  writeFileSync(file, canned)
  const child = spawn(process.execPath, ["-e", serverSource, file], { stdio: ["ignore", "pipe", "inherit"] })
  return new Promise((resolve) => {
    child.stdout.once(
      "data",
      (data: Buffer) =>
        resolve({ url: `http://127.0.0.1:${String(data).trim()}/soap/mktows/2_9`, stop: () => child.kill() })
    )
  })
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const round1 = (n: number): number => Math.round(n * 10) / 10

const main = async () => {
  if (refusesStaleBuild("client-cpu")) return
  // The node:http client the Node layer uses (internal to @mktows/node), from the same code.
  const NodeHttpClient = await internalModule<typeof import("../src/internal/httpClient.js")>(
    "node",
    "internal/httpClient"
  )
  // fast-xml-parser exactly as the codec drives it.
  const { parser } = await codecParsers()
  console.log(`client-cpu: ${codeUnderTest}`)
  const server = await startServer()
  const options = { endpoint: server.url, userId, encryptionKey: Redacted.make(encryptionKey) }
  // No client-side rate limit: the figure is CPU, not Marketo's 100 calls per 20 s.
  const clientLayer = NodeMarketo.layer({ ...options, client: { rateLimit: { calls: 1e9 } } })
  const client = await Effect.runPromise(Effect.provide(MarketoClient.MarketoClient, clientLayer))
  // The same client over Node's fetch (undici), the HTTP client the Node stack used before.
  const overFetch = await Effect.runPromise(
    Effect.provide(
      MarketoClient.make({ rateLimit: { calls: 1e9 } }),
      SoapTransport.layer().pipe(Layer.provide(Layer.merge(MarketoConfig.layer(options), FetchHttpClient.layer)))
    )
  )
  // The client over a transport that answers at once, without HTTP or XML: the client's own
  // machinery (validation, mapping, limiter, retries, spans, pairing, metrics) alone.
  const statuses = { mObjStatusList: wireObjects.map((o) => ({ id: o.id!, status: "UPDATED" as const })) }
  const engine = await Effect.runPromise(
    Effect.provide(
      MarketoClient.make({ rateLimit: { calls: 1e9 } }),
      Layer.succeed(MarketoTransport, {
        maxObjectsPerCall: 100,
        call: <Op extends Wire.Operation>(_operation: Op) => Effect.succeed(statuses as unknown as Wire.ResultOf<Op>)
      })
    )
  )
  const transport = await Effect.runPromise(
    Effect.provide(SoapTransport.make(), Layer.merge(MarketoConfig.layer(options), NodeHttpClient.layer))
  )
  const signer = await Effect.runPromise(Signature.signer({ userId, encryptionKey: Redacted.make(encryptionKey) }))
  const envelope = new TextEncoder().encode(
    SoapCodec.encodeRequest("syncMObjects", await Effect.runPromise(signer), {
      mObjectList: wireObjects,
      operation: "UPSERT"
    })
  )

  const agent = new Http.Agent({ keepAlive: true, maxSockets: 64 })
  // The Node layer's client over agents of its own, kept for the whole run (the layer's would be
  // destroyed with the layer's scope).
  const httpClient = NodeHttpClient.fromAgents({
    http: new Http.Agent({ keepAlive: true, maxSockets: 64 }),
    https: new Https.Agent({ keepAlive: true })
  })
  const prebuilt = HttpClientRequest.post(server.url).pipe(
    HttpClientRequest.setHeader("SOAPAction", "\"syncMObjects\""),
    HttpClientRequest.bodyUint8Array(envelope, "text/xml; charset=utf-8")
  )
  const effectHttp = Effect.flatMap(httpClient.execute(prebuilt), (response) => response.text)
  const rawHttp = Effect.async<string>((resume) => {
    const req = Http.request(server.url, {
      method: "POST",
      agent,
      headers: {
        "content-type": "text/xml; charset=utf-8",
        SOAPAction: "\"syncMObjects\"",
        "content-length": envelope.length
      }
    }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resume(Effect.succeed(Buffer.concat(chunks).toString("utf8"))))
    })
    req.end(envelope)
  })
  // The parse's result is kept only to be sure it ran.
  let parsed: unknown = undefined
  const parse = (text: string) => Effect.sync(() => (parsed = parser.parse(text)))
  const times = (n: number, one: Effect.Effect<unknown, unknown>) =>
    Effect.forEach(Array.from({ length: n }), () => one, { concurrency, discard: true })
  const contenders: Record<string, Effect.Effect<unknown, unknown>> = {
    client: client.syncMObjects(opportunities, "UPSERT"),
    clientFetch: overFetch.syncMObjects(opportunities, "UPSERT"),
    engine: engine.syncMObjects(opportunities, "UPSERT"),
    transport: transport.call("syncMObjects", { mObjectList: wireObjects, operation: "UPSERT" }),
    rawHttp,
    rawHttpParse: Effect.flatMap(rawHttp, parse),
    effectHttp,
    effectHttpParse: Effect.flatMap(effectHttp, parse),
    raw: Effect.promise(() =>
      fetch(server.url, {
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8", SOAPAction: "\"syncMObjects\"" },
        body: envelope
      }).then((response) => response.text())
    )
  }
  const names = Object.keys(contenders).filter((name) => only === undefined || name === only)
  const samples: Record<string, Array<number>> = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < warmup + rounds; r++) {
    // Rotated, so no contender always runs first (or right after the same one).
    const order = names.map((_, i) => names[(i + r) % names.length]!)
    for (const name of order) {
      const before = process.cpuUsage()
      await Effect.runPromise(times(callsPerRound, contenders[name]!))
      const used = process.cpuUsage(before)
      if (r >= warmup) samples[name]!.push((used.user + used.system) / (callsPerRound * perCall))
    }
  }
  server.stop()
  if (parsed === undefined && (only === undefined || only.endsWith("Parse"))) {
    console.error("client-cpu: the parse never ran")
    process.exitCode = 1
  }
  const medians = Object.fromEntries(names.map((n) => [n, round1(median(samples[n]!))]))
  const raw = medians.raw
  for (const name of names) {
    console.log(
      `${name.padEnd(10)} ${String(medians[name]).padStart(7)} µs CPU per object${
        raw === undefined ? "" : `  (${round1(medians[name]! / raw)}× raw)`
      }`
    )
  }
  console.log(
    JSON.stringify({
      code: codeUnderTest,
      rounds,
      callsPerRound,
      concurrency,
      objectsPerCall: perCall,
      usPerObject: medians
    })
  )
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
