/**
 * mktows side by side with the other ways of making the same call (`pnpm bench:compare`):
 * syncMObjects UPSERT of 100 Opportunities per call, 10 calls at once, by
 *
 * - mktows: the full client (`NodeMarketo.layer`: validation, mapping, codec, signing,
 *   limiter, retries, pairing, over fetch),
 * - node-soap: the `soap` package's client built from the server's `?WSDL`, the
 *   AuthenticationHeader signed per call with node:crypto,
 * - raw POST: pre-built, pre-signed request bytes POSTed with fetch and the answer read but not
 *   decoded (the ceiling: nothing but HTTP),
 * - hand-written: a template-string encoder, node:crypto HMAC, fetch, an indexOf decoder that
 *   checks every status (the floor a careful hand-written client reaches),
 *
 * against (a) a canned server (a child process answering a pre-built success for the 100
 * objects: it measures the clients) and (b) the emulator (a child process: the compiled
 * `mktows-emulator` bin). The servers are child processes so that `process.cpuUsage` here is
 * the clients' CPU only.
 *
 * Each round runs every contender for the same number of 10-call batches, in an order rotated
 * every round; the first rounds are a warm-up and are discarded. Printed: medians of the
 * per-round ratios (mktows / each other contender, in objects per second), absolute medians
 * (objects/s, client CPU µs per object) and the load average. The last line is JSON for
 * `pnpm bench:all`.
 *
 * With `--ablate`, one more contender: mktows with every guarantee switched off
 * (`support/ablated.ts`: the checks, the spans and the outcome metric, the time limit, the
 * limiter, the guard scan before fast-xml-parser), and its ratio to node-soap: what the
 * figures would be if mktows kept none of them. `--ablate-turns` switches off the turns of
 * calls started together as well.
 *
 * Usage: `pnpm bench:compare [--rounds 12] [--warmup 2] [--batches 4] [--quick] [--ablate | --ablate-turns]`
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as soap from "soap"
import * as Ablated from "./support/ablated.js"
import * as Children from "./support/children.js"
import { codeUnderTest, refusesStaleBuild } from "./support/code.js"
import { callsAtOnce, deals, encryptionKey, keyName, objectsPerCall, opportunityOf, userId } from "./support/fixture.js"
import * as HandWritten from "./support/handWritten.js"
import * as Rounds from "./support/rounds.js"
import { type Contender, message } from "./support/rounds.js"
import { load, numberFlag, quick } from "./support/stats.js"

const soapHeaders = {
  "content-type": "text/xml; charset=utf-8",
  soapaction: "\"http://www.marketo.com/mktows/syncMObjects\""
}

const all = (call: () => Promise<string | undefined>) => Rounds.all(callsAtOnce, call)

const workspace: Ablated.Client = { MarketoClient, Opportunity, NodeMarketo, RestConfig }

/** The client, from the workspace or from `--ablate`'s copy (`name`). */
const mktows = (endpoint: string, client: Ablated.Client = workspace, name = "mktows"): Contender => {
  const { MarketoClient, NodeMarketo } = client
  const opportunities = deals.map((deal) => opportunityOf(deal, client.Opportunity.make))
  // Marketo's rate limit (100 calls per 20 s) is the client's default; a benchmark lifts it,
  // keeping the 10 calls in flight.
  const runtime = ManagedRuntime.make(NodeMarketo.layer({
    endpoint,
    userId,
    encryptionKey: Redacted.make(encryptionKey),
    client: { rateLimit: { calls: 1_000_000, window: "1 seconds", inFlight: callsAtOnce } }
  }))
  const call = MarketoClient.syncMObjects(opportunities, "UPSERT").pipe(
    Effect.map((outcomes) =>
      outcomes.length === objectsPerCall ? undefined : `${outcomes.length} outcomes for ${objectsPerCall} objects`
    ),
    Effect.catchAll((error) => Effect.succeed(`${error._tag}: ${error.message}`))
  )
  const batch = Effect.forEach(Array.from({ length: callsAtOnce }), () => call, { concurrency: "unbounded" }).pipe(
    Effect.map((results) => results.find((result) => result !== undefined))
  )
  return { name, batch: () => runtime.runPromise(batch), close: () => runtime.dispose() }
}

type SoapReply = [result: unknown, raw: string]
type SoapMethod = (args: object) => Promise<SoapReply>

// node-soap gives a one-item sequence as the item itself.
const statuses = (result: unknown): ReadonlyArray<unknown> => {
  const list = (result as { result?: { mObjStatusList?: { mObjStatus?: unknown } } } | null)?.result?.mObjStatusList
    ?.mObjStatus
  return Array.isArray(list) ? list : list === undefined ? [] : [list]
}

/** Checked as the other contenders check theirs: one status per object, none FAILED. */
const statusProblem = (result: unknown): string | undefined => {
  const list = statuses(result)
  if (list.length !== objectsPerCall) return `${list.length} statuses for ${objectsPerCall} objects`
  const failed = list.filter((s) => (s as { status?: unknown } | null)?.status === "FAILED").length
  return failed === 0 ? undefined : `${failed} objects FAILED`
}

const nodeSoap = async (endpoint: string): Promise<Contender> => {
  const client = await soap.createClientAsync(`${endpoint}?WSDL`)
  // A function header is evaluated for every request: each call is signed afresh.
  client.addSoapHeader(
    () => {
      const header = HandWritten.sign(Date.now())
      return {
        AuthenticationHeader: {
          mktowsUserId: userId,
          requestSignature: header.signature,
          requestTimestamp: header.timestamp
        }
      }
    },
    "",
    "tns",
    "http://www.marketo.com/mktows/"
  )
  const method = client["syncMObjectsAsync"] as SoapMethod
  const call = async (): Promise<string | undefined> => {
    try {
      // The user's objects become node-soap's argument shape on every call, as they would in an application.
      const [result] = await method({
        mObjectList: {
          mObject: deals.map((deal) => ({
            type: "Opportunity",
            externalKey: { name: keyName, value: deal.key },
            attribList: {
              attrib: [
                { name: "Amount", value: String(deal.amount) },
                { name: "CloseDate", value: deal.closeDate },
                { name: "IsWon", value: deal.isWon ? "1" : "0" },
                { name: "Name", value: deal.name },
                { name: "Probability", value: String(deal.probability) },
                { name: "Stage", value: deal.stage }
              ]
            }
          }))
        },
        operation: "UPSERT"
      })
      return statusProblem(result)
    } catch (cause) {
      return `node-soap: ${message(cause)}`
    }
  }
  return { name: "node-soap", batch: all(call), close: async () => {} }
}

const post = async (endpoint: string, body: string): Promise<string> => {
  const response = await fetch(endpoint, { method: "POST", headers: soapHeaders, body })
  const text = await response.text()
  return response.ok ? text : `HTTP ${response.status}: ${text.slice(0, 300)}`
}

const rawPost = (endpoint: string): Contender & { readonly presign: () => void } => {
  let bytes = new Uint8Array()
  // Signed before each round (outside the timed batches): the timestamp stays within the server's window.
  const presign = () => {
    bytes = new TextEncoder().encode(HandWritten.encode(HandWritten.sign(Date.now()), deals))
  }
  presign()
  const call = async (): Promise<string | undefined> => {
    try {
      const response = await fetch(endpoint, { method: "POST", headers: soapHeaders, body: bytes })
      await response.arrayBuffer()
      return response.ok ? undefined : `HTTP ${response.status}`
    } catch (cause) {
      return `raw POST: ${message(cause)}`
    }
  }
  return { name: "raw POST", batch: all(call), close: async () => {}, presign }
}

const handWritten = (endpoint: string): Contender => {
  const call = async (): Promise<string | undefined> => {
    try {
      if (HandWritten.validate(deals) !== 0) return "invalid deals"
      const answer = await post(endpoint, HandWritten.encode(HandWritten.sign(Date.now()), deals))
      return HandWritten.decode(answer, deals)
    } catch (cause) {
      return `hand-written: ${message(cause)}`
    }
  }
  return { name: "hand-written", batch: all(call), close: async () => {} }
}

export interface ServerFigures extends Rounds.Figures {
  readonly server: string
}

const against = (
  which: "canned" | "emulator",
  options: { readonly rounds: number; readonly warmup: number; readonly batches: number },
  ablated: Ablated.Client | undefined
) =>
  Effect.scoped(Effect.gen(function*() {
    const server = yield* (which === "canned" ? Children.canned : Children.emulator)
    process.stdout.write(`${which}: ${server.how} at ${server.endpoint}\n`)
    const raw = rawPost(server.endpoint)
    const contenders = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => [
          mktows(server.endpoint),
          await nodeSoap(server.endpoint),
          raw,
          handWritten(server.endpoint),
          ...(ablated === undefined ? [] : [mktows(server.endpoint, ablated, Ablated.contenderName)])
        ],
        catch: (cause) => new Children.ChildError({ detail: `setting up the contenders: ${message(cause)}` })
      }),
      (list) => Effect.promise(() => Promise.all(list.map((c) => c.close())))
    )
    const figures = yield* Effect.promise(() =>
      Rounds.runRounds(contenders, {
        ...options,
        objectsPerBatch: callsAtOnce * objectsPerCall,
        label: which,
        beforeRound: raw.presign,
        serverCpu: () => Children.cpuOf(server.pid),
        ...(ablated === undefined ? {} : { alsoRatiosOf: [Ablated.contenderName] })
      })
    )
    return typeof figures === "string"
      ? yield* Effect.fail(new Children.ChildError({ detail: figures }))
      : { server: which, ...figures }
  }))

/** The printed table of one server's figures (and `--ablate`'s ratio to node-soap). */
export const table = (figures: ServerFigures): string => {
  const lines = [Rounds.table(`against the ${figures.server} server (${figures.rounds} rounds, medians):`, figures)]
  const ablated = figures.ratiosOf?.[Ablated.contenderName]
  if (ablated !== undefined) {
    lines.push(`${Ablated.contenderName} ÷ node-soap, objects/s: ${ablated.speedRatios["node-soap"]}×`)
  }
  return lines.join("\n")
}

const main = Effect.scoped(Effect.gen(function*() {
  const options = {
    rounds: numberFlag("rounds", quick ? 2 : 12),
    warmup: numberFlag("warmup", quick ? 1 : 2),
    batches: numberFlag("batches", quick ? 1 : 4)
  }
  const loadBefore = load()
  const ablated = Ablated.fromFlags()
  if (ablated !== undefined && "problem" in ablated) {
    return yield* Effect.fail(new Children.ChildError({ detail: `--ablate: ${ablated.problem}` }))
  }
  if (ablated !== undefined) yield* Effect.addFinalizer(() => Effect.sync(ablated.close))
  const copy = ablated === undefined ? undefined : yield* Effect.promise(() => Ablated.client(ablated))
  process.stdout.write(
    `compare: syncMObjects UPSERT, ${objectsPerCall} Opportunities per call, ${callsAtOnce} calls at once; ` +
      `${options.batches} batches per contender per round, ${options.warmup} warm-up + ${options.rounds} rounds; ` +
      `${codeUnderTest}; load ${loadBefore}\n` +
      (ablated === undefined ? "" : `${Ablated.contenderName}: switched off ${Ablated.describe(ablated, "SOAP")}\n`)
  )
  const canned = yield* against("canned", options, copy)
  process.stdout.write(`${table(canned)}\n`)
  const emulator = yield* against("emulator", options, copy)
  process.stdout.write(`${table(emulator)}\n`)
  const loadAfter = load()
  process.stdout.write(`load average before ${loadBefore}, after ${loadAfter}\n`)
  process.stdout.write(
    `${JSON.stringify({ bench: "compare", code: codeUnderTest, load: [loadBefore, loadAfter], canned, emulator })}\n`
  )
}))

if (!refusesStaleBuild("compare")) {
  Effect.runPromiseExit(main).then((exit) => {
    if (exit._tag === "Failure") {
      process.stderr.write(`compare failed: ${exit.cause.toString()}\n`)
      process.exitCode = 1
    }
  })
}
