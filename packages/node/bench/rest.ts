/**
 * mktows over REST side by side with its peers (`pnpm bench:rest`): an Opportunity
 * createOrUpdate by `externalOpportunityId` of 300 records per call (REST's most), 10 calls at
 * once, against the emulator's REST side in a child process (the compiled `mktows-emulator`
 * bin), by
 *
 * - mktows: the full client over REST (`NodeMarketo.layerRest`: validation, mapping, the token,
 *   limiter, retries, JSON, pairing), the client-side rate limit lifted as for the others;
 * - node-marketo-rest: its generic `postJson` (it has no opportunity API) with the same records
 *   as plain objects, built from the user's data on every call, and a check of every status;
 * - raw fetch: pre-built JSON bytes POSTed with a token fetched once, the answer read but not
 *   decoded (the ceiling: nothing but HTTP). The contenders that do not decode answers search
 *   their bytes for `"success":true`, since REST answers its errors with HTTP 200.
 *
 * Each round runs every contender for the same number of 10-call batches, in an order rotated
 * every round; warm-up rounds are dropped. Printed: medians of the per-round ratios (mktows to
 * each other contender, objects/s and client CPU per object), absolute medians, the load
 * average, and the goals of the REST issue beside them; the last line is JSON.
 *
 * With `--ladder`, three more contenders show where mktows's CPU goes, each a step from the
 * floor towards mktows (the same records, 300 per call, 10 at once):
 *
 * - node:http: pre-built JSON bytes POSTed over Node's `node:http` with a keep-alive agent, the
 *   answer read but not decoded (the cheapest HTTP on Node; the raw fetch is undici's);
 * - Effect HTTP: the same bytes through the HttpClient mktows's Node layer uses (Effect's
 *   runtime, `@effect/platform`'s request and interruption handling, over `node:http`);
 * - Effect HTTP + JSON: that client with the request body stringified from the user's data and
 *   the answer parsed and its statuses checked, as node-marketo-rest does: an Effect client
 *   without validation, mapping, refusals, token handling, limiter, retries or pairing.
 *
 * With `--timeline`, no rounds: each contender's batches run through a TCP relay in front of the
 * emulator, which notes when a batch's first request bytes reach the server and its first answer
 * bytes come back (medians of 5 batches after 2, in ms after the batch began). A client that
 * encodes every call of a batch before writing any shows it here: its first request comes late.
 *
 * With `--ablate`, one more contender: mktows with every guarantee switched off
 * (`support/ablated.ts`: the checks, the spans and the outcome metric, the time limit, the
 * limiter, the answers' depth bound and the scrub of secrets), so that the goals are printed
 * for it too: what they would be if mktows kept none of them. `--ablate-turns` switches off
 * the turns of calls started together as well.
 *
 * With `--pin`, the emulator runs on CPU 0 and this process (every contender) on CPU 1 (Linux's
 * `taskset`, every thread of each): the server's CPU is then not taken from the clients', as a
 * remote Marketo's is not, and objects/s follow the slower of the two processes instead of
 * their sum. Other work on the machine still shares both CPUs.
 *
 * Usage: `pnpm bench:rest [--rounds 12] [--warmup 2] [--batches 4] [--quick] [--ladder] [--timeline] [--pin] [--ablate | --ablate-turns]`
 * (the compiled code: `pnpm build` first; `--conditions=source` measures the sources)
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Http from "node:http"
import { createRequire } from "node:module"
import * as Ablated from "./support/ablated.js"
import * as Children from "./support/children.js"
import { codeUnderTest, internalModule, refusesStaleBuild } from "./support/code.js"
import { callsAtOnce, type Deal, opportunityOf } from "./support/fixture.js"
import * as Rounds from "./support/rounds.js"
import { type Contender, message } from "./support/rounds.js"
import { load, numberFlag, quick, round3 } from "./support/stats.js"
import * as Timeline from "./support/timeline.js"

/** Records per call: REST's most. */
const recordsPerCall = 300

// The emulator's default LaunchPoint pair.
const clientId = "mktows-demo-client"
const clientSecret = "mktows-demo-secret"

// Markup and non-ASCII characters in the names, so every encoder has something to escape.
const deals: ReadonlyArray<Deal> = Array.from({ length: recordsPerCall }, (_, i) => ({
  key: `REST-BENCH-${String(i).padStart(3, "0")}`,
  name: `Deal #${i} & "partners" <EMEA> – ${i % 7 === 0 ? "Zürich" : "Lyon"}`,
  amount: 1000 + i + 0.5,
  closeDate: "2026-09-30",
  stage: i % 2 === 0 ? "Prospecting" : "Proposal",
  isWon: false,
  probability: i % 101
}))

// The request body Adobe documents for a createOrUpdate of opportunities.
const restBody = () => ({
  action: "createOrUpdate",
  dedupeBy: "dedupeFields",
  input: deals.map((deal) => ({
    externalOpportunityId: deal.key,
    name: deal.name,
    amount: deal.amount,
    closeDate: deal.closeDate,
    stage: deal.stage,
    isWon: deal.isWon,
    probability: deal.probability
  }))
})

const all = (call: () => Promise<string | undefined>) => Rounds.all(callsAtOnce, call)

/** Checked as mktows checks its answers: success, one status per record, none skipped. */
const answerProblem = (answer: unknown): string | undefined => {
  const body = answer as { readonly success?: unknown; readonly result?: ReadonlyArray<{ readonly status?: unknown }> }
  if (body.success !== true) return `not a success: ${JSON.stringify(answer).slice(0, 300)}`
  const result = Array.isArray(body.result) ? body.result : []
  if (result.length !== recordsPerCall) return `${result.length} statuses for ${recordsPerCall} records`
  const refused = result.filter((r) => r.status !== "updated" && r.status !== "created").length
  return refused === 0 ? undefined : `${refused} records not created or updated`
}

const workspace: Ablated.Client = { MarketoClient, Opportunity, NodeMarketo, RestConfig }

/** The client, from the workspace or from `--ablate`'s copy (`name`). */
const mktows = (base: string, client: Ablated.Client = workspace, name = "mktows"): Contender => {
  const { MarketoClient, NodeMarketo, RestConfig } = client
  const opportunities = deals.map((deal) => opportunityOf(deal, client.Opportunity.make))
  const runtime = ManagedRuntime.make(NodeMarketo.layerRest(
    RestConfig.layer({ endpoint: `${base}/rest`, clientId, clientSecret }),
    { rateLimit: { calls: 1_000_000, window: "1 seconds", inFlight: callsAtOnce } }
  ))
  const call = MarketoClient.syncMObjects(opportunities, "UPSERT").pipe(
    Effect.map((outcomes) => {
      if (outcomes.length !== recordsPerCall) return `${outcomes.length} outcomes for ${recordsPerCall} records`
      const bad = outcomes.filter((o) => o.status !== "UPDATED" && o.status !== "CREATED").length
      return bad === 0 ? undefined : `${bad} outcomes not CREATED or UPDATED`
    }),
    Effect.catchAll((error) => Effect.succeed(`${error._tag}: ${error.message}`))
  )
  const batch = Effect.forEach(Array.from({ length: callsAtOnce }), () => call, { concurrency: "unbounded" }).pipe(
    Effect.map((results) => results.find((result) => result !== undefined))
  )
  return { name, batch: () => runtime.runPromise(batch), close: () => runtime.dispose() }
}

interface NodeMarketoRest {
  readonly _connection: {
    readonly postJson: (path: string, body: unknown, options?: object) => PromiseLike<unknown>
  }
}

const nodeMarketoRest = (base: string): Contender => {
  const Marketo = createRequire(import.meta.url)("node-marketo-rest") as new(options: {
    readonly endpoint: string
    readonly identity: string
    readonly clientId: string
    readonly clientSecret: string
  }) => NodeMarketoRest
  const marketo = new Marketo({ endpoint: `${base}/rest`, identity: `${base}/identity`, clientId, clientSecret })
  const call = async (): Promise<string | undefined> => {
    try {
      // The user's data becomes the request body on every call, as it would in an application.
      return answerProblem(await marketo._connection.postJson("/v1/opportunities.json", restBody()))
    } catch (cause) {
      return `node-marketo-rest: ${message(cause)}`
    }
  }
  return { name: "node-marketo-rest", batch: all(call), close: async () => {} }
}

/** A token fetched once, for the contenders that send pre-built requests; no token is a failed set-up. */
const fetchToken = async (base: string): Promise<string> => {
  const identity = await fetch(
    `${base}/identity/oauth/token?grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`
  )
  const token = ((await identity.json()) as { readonly access_token?: unknown }).access_token
  return typeof token === "string" && token !== ""
    ? token
    : Promise.reject(new Error(`no access token (HTTP ${identity.status})`))
}

/**
 * For the contenders that do not decode their answers: whether an answer's bytes say success.
 * REST answers its errors (a token, the rate limit, the quota) with HTTP 200 and
 * `"success":false`, and a failed call must never count as a fast one. A byte search, not a decode.
 */
const succeeded = (status: number, body: Uint8Array): string | undefined =>
  status !== 200
    ? `HTTP ${status}`
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes("\"success\":true")
    ? undefined
    : `not a success: ${Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8", 0, 300)}`

const rawFetch = async (base: string): Promise<Contender> => {
  const token = await fetchToken(base)
  const bytes = new TextEncoder().encode(JSON.stringify(restBody()))
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` }
  const call = async (): Promise<string | undefined> => {
    try {
      const response = await fetch(`${base}/rest/v1/opportunities.json`, { method: "POST", headers, body: bytes })
      return succeeded(response.status, new Uint8Array(await response.arrayBuffer()))
    } catch (cause) {
      return `raw fetch: ${message(cause)}`
    }
  }
  return { name: "raw fetch", batch: all(call), close: async () => {} }
}

const nodeHttp = async (base: string): Promise<Contender> => {
  const token = await fetchToken(base)
  const agent = new Http.Agent({ keepAlive: true })
  const bytes = Buffer.from(JSON.stringify(restBody()))
  const url = new URL(`${base}/rest/v1/opportunities.json`)
  const headers = {
    "content-type": "application/json",
    "content-length": String(bytes.length),
    authorization: `Bearer ${token}`
  }
  const call = () =>
    new Promise<string | undefined>((resolve) => {
      const request = Http.request(url, { method: "POST", agent, headers }, (response) => {
        // Read whole, as every other contender reads it (the raw fetch's arrayBuffer).
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => {
          resolve(succeeded(response.statusCode ?? 0, Buffer.concat(chunks)))
        })
        response.on("error", (cause) => resolve(`node:http: ${message(cause)}`))
      })
      request.on("error", (cause) => resolve(`node:http: ${message(cause)}`))
      request.end(bytes)
    })
  return { name: "node:http", batch: all(call), close: async () => agent.destroy() }
}

const effectHttp = async (base: string, json: boolean): Promise<Contender> => {
  const NodeHttpClient = await internalModule<typeof import("../src/internal/httpClient.js")>(
    "node",
    "internal/httpClient"
  )
  const token = await fetchToken(base)
  const runtime = ManagedRuntime.make(NodeHttpClient.layer)
  const client = await runtime.runPromise(HttpClient.HttpClient)
  const url = `${base}/rest/v1/opportunities.json`
  const bytes = new TextEncoder().encode(JSON.stringify(restBody()))
  const request = () =>
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.bearerToken(token),
      json ? HttpClientRequest.bodyUnsafeJson(restBody()) : HttpClientRequest.bodyUint8Array(bytes, "application/json")
    )
  const call = Effect.suspend(() => client.execute(request())).pipe(
    Effect.flatMap((response) =>
      Effect.map(
        response.arrayBuffer,
        (buffer) =>
          json && response.status === 200
            ? answerProblem(JSON.parse(new TextDecoder().decode(buffer)))
            : succeeded(response.status, new Uint8Array(buffer))
      )
    ),
    Effect.catchAll((error) => Effect.succeed(`${error._tag}: ${error.message}`))
  )
  const batch = Effect.forEach(Array.from({ length: callsAtOnce }), () => call, { concurrency: "unbounded" }).pipe(
    Effect.map((results) => results.find((result) => result !== undefined))
  )
  return {
    name: json ? "Effect HTTP + JSON" : "Effect HTTP",
    batch: () => runtime.runPromise(batch),
    close: () => runtime.dispose()
  }
}

/** The figures of one run. */
export type RestFigures = Rounds.Figures

const fmt = (n: number | undefined): string => n === undefined ? "—" : String(round3(n))

const goals = (who: string, speed: number | undefined, cpu: number | undefined): ReadonlyArray<string> => [
  `goal: ${who} ≥ 1.0× node-marketo-rest in objects/s: ${fmt(speed)}× (${
    speed !== undefined && speed >= 1 ? "met" : "not met"
  })`,
  `goal: ${who} CPU per object ≤ 2× the raw fetch's: ${fmt(cpu)}× (${
    cpu !== undefined && cpu <= 2 ? "met" : "not met"
  })`
]

/** The printed table, with the issue's goals beside their figures (and `--ablate`'s). */
export const table = (figures: RestFigures): string => {
  const lines = [Rounds.table(`against the emulator's REST side (${figures.rounds} rounds, medians):`, figures)]
  const speed = figures.speedRatios["node-marketo-rest"]
  const cpu = figures.cpuRatios["raw fetch"]
  lines.push(...goals("mktows", speed, cpu))
  const ablated = figures.ratiosOf?.[Ablated.contenderName]
  if (ablated !== undefined) {
    lines.push(
      ...goals(Ablated.contenderName, ablated.speedRatios["node-marketo-rest"], ablated.cpuRatios["raw fetch"])
    )
  }
  return lines.join("\n")
}

/** `--timeline`: each contender's batches through the relay, one after the other. */
const printTimelines = (
  relay: Timeline.Relay,
  contenders: ReadonlyArray<Contender>
) =>
  Effect.gen(function*() {
    const lines = [`when a batch's requests reach the server (medians of 5 batches after 2, ms after the batch began):`]
    lines.push(
      `  ${"contender".padEnd(20)} ${"first request".padStart(14)} ${"first answer".padStart(13)} ${
        "batch".padStart(8)
      }`
    )
    const timelines: Record<string, Timeline.BatchTimes> = {}
    for (const contender of contenders) {
      const timed = yield* Effect.promise(() => Timeline.timeline(relay, contender.batch, { warmup: 2, runs: 5 }))
      if (typeof timed === "string") {
        return yield* Effect.fail(new Children.ChildError({ detail: `${contender.name}: ${timed}` }))
      }
      timelines[contender.name] = timed
      lines.push(
        `  ${contender.name.padEnd(20)} ${fmt(timed.firstRequest).padStart(14)} ${
          fmt(timed.firstAnswer).padStart(13)
        } ${fmt(timed.end).padStart(8)}`
      )
    }
    process.stdout.write(
      `${lines.join("\n")}\n${JSON.stringify({ bench: "rest-timeline", code: codeUnderTest, timelines })}\n`
    )
  })

const main = Effect.scoped(Effect.gen(function*() {
  const options = {
    rounds: numberFlag("rounds", quick ? 2 : 12),
    warmup: numberFlag("warmup", quick ? 1 : 2),
    batches: numberFlag("batches", quick ? 1 : 4)
  }
  const loadBefore = load()
  const server = yield* Children.emulator
  const pinned = process.argv.includes("--pin")
  if (pinned) {
    yield* Children.pinTo(server.pid, 0)
    yield* Children.pinTo(process.pid, 1)
  }
  const emulatorBase = server.endpoint.replace(/\/soap\/.*$/, "")
  const ladder = process.argv.includes("--ladder")
  const timeline = process.argv.includes("--timeline")
  const relay = timeline ? yield* Timeline.relay(emulatorBase) : undefined
  const ablated = Ablated.fromFlags()
  if (ablated !== undefined && "problem" in ablated) {
    return yield* Effect.fail(new Children.ChildError({ detail: `--ablate: ${ablated.problem}` }))
  }
  if (ablated !== undefined) yield* Effect.addFinalizer(() => Effect.sync(ablated.close))
  const base = relay?.base ?? emulatorBase
  process.stdout.write(
    `bench:rest: Opportunity createOrUpdate, ${recordsPerCall} per call, ${callsAtOnce} calls at once; ` +
      `${options.batches} batches per contender per round, ${options.warmup} warm-up + ${options.rounds} rounds; ` +
      `${codeUnderTest}; ${server.how} at ${base}; load ${loadBefore}` +
      `${pinned ? "; the emulator on CPU 0, the contenders on CPU 1" : ""}\n` +
      (ablated === undefined ? "" : `${Ablated.contenderName}: switched off ${Ablated.describe(ablated, "REST")}\n`)
  )
  const contenders = yield* Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => [
        mktows(base),
        nodeMarketoRest(base),
        await rawFetch(base),
        ...(ladder ? [await nodeHttp(base), await effectHttp(base, false), await effectHttp(base, true)] : []),
        ...(ablated === undefined ? [] : [mktows(base, await Ablated.client(ablated), Ablated.contenderName)])
      ],
      catch: (cause) => new Children.ChildError({ detail: `setting up the contenders: ${message(cause)}` })
    }),
    (list) => Effect.promise(() => Promise.all(list.map((c) => c.close())))
  )
  if (relay !== undefined) return yield* printTimelines(relay, contenders)
  const figures = yield* Effect.promise(() =>
    Rounds.runRounds(contenders, {
      ...options,
      objectsPerBatch: callsAtOnce * recordsPerCall,
      label: "REST",
      serverCpu: () => Children.cpuOf(server.pid),
      ...(ablated === undefined ? {} : { alsoRatiosOf: [Ablated.contenderName] })
    })
  )
  if (typeof figures === "string") return yield* Effect.fail(new Children.ChildError({ detail: figures }))
  process.stdout.write(`${table(figures)}\n`)
  const loadAfter = load()
  process.stdout.write(`load average before ${loadBefore}, after ${loadAfter}\n`)
  process.stdout.write(
    `${JSON.stringify({ bench: "rest", code: codeUnderTest, pinned, load: [loadBefore, loadAfter], ...figures })}\n`
  )
}))

if (!refusesStaleBuild("rest")) {
  Effect.runPromiseExit(main).then((exit) => {
    if (exit._tag === "Failure") {
      process.stderr.write(`bench:rest failed: ${exit.cause.toString()}\n`)
      process.exitCode = 1
    }
  })
}
