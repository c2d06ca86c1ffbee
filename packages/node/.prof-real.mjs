import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
const base = process.env.BASE ?? "http://127.0.0.1:18555"
const per = Number(process.env.PER ?? 300), atOnce = 10
const deals = Array.from({ length: per }, (_, i) => ({ key: `REST-BENCH-${String(i).padStart(3, "0")}`, name: `Deal #${i} & "partners" <EMEA> – ${i % 7 === 0 ? "Zürich" : "Lyon"}`, amount: 1000 + i + 0.5, closeDate: "2026-09-30", stage: i % 2 === 0 ? "Prospecting" : "Proposal", isWon: false, probability: i % 101 }))
const opps = deals.map((d) => Opportunity.make({ externalKey: { name: "externalOpportunityId", value: d.key }, name: d.name, amount: d.amount, closeDate: new Date(d.closeDate), stage: d.stage, isWon: d.isWon, probability: d.probability }))
const which = process.env.WHO ?? "mktows"
let batch
if (which === "transport") {
  const { MarketoTransport } = await import("@mktows/core/MarketoTransport")
  const rt = ManagedRuntime.make(NodeMarketo.layerRest(RestConfig.layer({ endpoint: `${base}/rest`, clientId: "mktows-demo-client", clientSecret: "mktows-demo-secret" }), { rateLimit: { calls: 1_000_000, window: "1 seconds", inFlight: atOnce } }))
  const models = (await rt.runPromise(MarketoTransport)).models
  const b = Effect.forEach(Array.from({ length: atOnce }), () => Effect.suspend(() => models.send({ operation: "syncMObjects", sync: "UPSERT", objects: opps })), { concurrency: "unbounded", discard: true })
  batch = () => rt.runPromise(b)
} else if (which === "mktows") {
  const rt = ManagedRuntime.make(NodeMarketo.layerRest(RestConfig.layer({ endpoint: `${base}/rest`, clientId: "mktows-demo-client", clientSecret: "mktows-demo-secret" }), { rateLimit: { calls: 1_000_000, window: "1 seconds", inFlight: atOnce } }))
  const call = MarketoClient.syncMObjects(opps, "UPSERT")
  const b = Effect.forEach(Array.from({ length: atOnce }), () => call, { concurrency: "unbounded", discard: true })
  batch = () => rt.runPromise(b)
} else if (which === "bare") {
  const { fromAgents } = await import("./dist/internal/httpClient.js")
  const Http = await import("node:http"); const Https = await import("node:https")
  const HttpClientRequest = await import("@effect/platform/HttpClientRequest")
  const HttpClient = await import("@effect/platform/HttpClient")
  let client = fromAgents({ http: new Http.Agent({ keepAlive: true }), https: new Https.Agent({ keepAlive: true }) })
  if (process.env.NOTRACE) client = HttpClient.withTracerDisabledWhen(client, () => true)
  if (process.env.NOPROP) client = HttpClient.withTracerPropagation(client, false)
  const id = await (await fetch(`${base}/identity/oauth/token?grant_type=client_credentials&client_id=mktows-demo-client&client_secret=mktows-demo-secret`)).json()
  const body = new TextEncoder().encode(JSON.stringify({ action: "createOrUpdate", dedupeBy: "dedupeFields", input: deals.map(d => ({ externalOpportunityId: d.key, name: d.name, amount: d.amount, closeDate: d.closeDate, stage: d.stage, isWon: d.isWon, probability: d.probability })) }))
  const req = HttpClientRequest.post(`${base}/rest/v1/opportunities.json`).pipe(HttpClientRequest.bearerToken(id.access_token), HttpClientRequest.bodyUint8Array(body, "application/json"))
  const input = deals.map(d => ({ externalOpportunityId: d.key, name: d.name, amount: d.amount, closeDate: d.closeDate, stage: d.stage, isWon: d.isWon, probability: d.probability }))
  const L = process.env.L ?? "0"
  const one = L === "0" ? Effect.flatMap(client.execute(req), (r) => r.arrayBuffer) : Effect.flatMap(Effect.suspend(() => client.execute(HttpClientRequest.post(`${base}/rest/v1/opportunities.json`).pipe(HttpClientRequest.bearerToken(id.access_token), HttpClientRequest.bodyUnsafeJson({ action: "createOrUpdate", dedupeBy: "dedupeFields", input })))), (r) => Effect.map(r.arrayBuffer, (b) => JSON.parse(Buffer.from(b).toString())))
  const b = Effect.forEach(Array.from({ length: atOnce }), () => one, { concurrency: "unbounded", discard: true })
  batch = () => Effect.runPromise(b)
} else if (which === "nodehttp") {
  const Http = await import("node:http"); const agent = new Http.Agent({ keepAlive: true })
  const id = await (await fetch(`${base}/identity/oauth/token?grant_type=client_credentials&client_id=mktows-demo-client&client_secret=mktows-demo-secret`)).json()
  const body = Buffer.from(JSON.stringify({ action: "createOrUpdate", dedupeBy: "dedupeFields", input: deals.map(d => ({ externalOpportunityId: d.key, name: d.name, amount: d.amount, closeDate: d.closeDate, stage: d.stage, isWon: d.isWon, probability: d.probability })) }))
  const u = new URL(`${base}/rest/v1/opportunities.json`)
  const one = () => new Promise((res, rej) => { const r = Http.request(u, { method: "POST", agent, headers: { "content-type": "application/json", authorization: `Bearer ${id.access_token}`, "content-length": body.length } }, (resp) => { const cs = []; resp.on("data", (c) => cs.push(c)); resp.on("end", () => res(Buffer.concat(cs))) }); r.on("error", rej); r.end(body) })
  batch = () => Promise.all(Array.from({ length: atOnce }, one))
} else {
  const id = await (await fetch(`${base}/identity/oauth/token?grant_type=client_credentials&client_id=mktows-demo-client&client_secret=mktows-demo-secret`)).json()
  const body = new TextEncoder().encode(JSON.stringify({ action: "createOrUpdate", dedupeBy: "dedupeFields", input: deals.map(d => ({ externalOpportunityId: d.key, name: d.name, amount: d.amount, closeDate: d.closeDate, stage: d.stage, isWon: d.isWon, probability: d.probability })) }))
  const headers = { "content-type": "application/json", authorization: `Bearer ${id.access_token}` }
  batch = () => Promise.all(Array.from({ length: atOnce }, async () => { const r = await fetch(`${base}/rest/v1/opportunities.json`, { method: "POST", headers, body }); await r.arrayBuffer() }))
}
const n = Number(process.env.N ?? 30)
for (let r = 0; r < Number(process.env.ROUNDS ?? 5); r++) { const t = process.cpuUsage(); const w = Date.now(); for (let i = 0; i < n; i++) await batch(); const u = process.cpuUsage(t); console.log(which, ((u.user + u.system) / (n * per * atOnce)).toFixed(2), "µs/object", ((n * per * atOnce) / (Date.now() - w) * 1000).toFixed(0), "obj/s") }
process.exit(0)
