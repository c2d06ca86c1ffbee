/**
 * The figures the project keeps (`pnpm chaos`), all from one seeded run:
 *
 * 1. Objects synced through the real client stack (NodeMarketo over undici) against an
 *    emulator injecting faults (20023, 20024, 20011, answers dropped after the call was
 *    applied): an INSERT job and an UPSERT-by-id job. Counted: outcomes by status, objects
 *    IN_DOUBT, objects re-driven (an IN_DOUBT INSERT is re-sent only when reading back shows
 *    it absent: the reconciling strategy the README describes), and, reading the store
 *    back, objects lost (reported done, or re-driven, but not held as sent) and duplicated
 *    (held more than once).
 * 2. Hostile responses: a fake HttpClient answers the client with hostile bodies (HTML, DOCTYPE
 *    and entities, truncated, wrong element, wrong counts, invalid UTF-8, over the size cap…)
 *    and seeded mutations of a valid answer. Counted: the typed error (or outcome) each gave;
 *    a defect or a hang is a bug.
 * 3. Hostile requests: raw HTTP to the emulator (forbidden XML, bad signatures, oversize,
 *    too many objects, invalid UTF-8, unknown operations…) and seeded mutations of a valid
 *    signed request. Counted: refused, accepted, and refused while the store changed (a bug).
 * 4. The encryption key's occurrences in everything captured: log lines, spans, metrics,
 *    errors, outcomes and every body the emulator answered. It must be 0.
 *
 * Usage: `pnpm chaos [--objects 20000] [--fault-rate 0.1] [--mutations 500] [--seed 2026]`
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import * as MObject from "@mktows/core/MObject"
import * as Opportunity from "@mktows/core/Opportunity"
import type { Outcome } from "@mktows/core/Outcome"
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Emulator from "@mktows/emulator/Emulator"
import * as Seed from "@mktows/emulator/Seed"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as SoapTransport from "@mktows/xml/SoapTransport"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { pathToFileURL } from "node:url"
import * as Capture from "../../core/test/helpers/capture.js"
import { demoUserId } from "../../core/test/helpers/demo.js"
import * as NodeMarketo from "../src/NodeMarketo.js"

export interface ChaosOptions {
  /** Objects per sync job (INSERT, then UPSERT by id). */
  readonly objects: number
  /** The emulator's injected fault rate. */
  readonly faultRate: number
  /** Seeded mutations of a valid response, and of a valid request, each. */
  readonly mutations: number
  readonly seed: number
}

export interface SyncFigures {
  readonly operation: "INSERT" | "UPSERT"
  readonly objects: number
  readonly statuses: Record<string, number>
  readonly inDoubt: number
  readonly redriven: number
  readonly lost: number
  readonly duplicated: number
  readonly calls: number
  readonly faults: Record<string, number>
}

export interface ChaosReport {
  readonly options: ChaosOptions
  readonly sync: ReadonlyArray<SyncFigures>
  readonly responses: {
    readonly tried: number
    /** What each named hostile answer gave. */
    readonly named: Record<string, string>
    /** What the seeded mutations of a valid answer gave, counted. */
    readonly mutated: Record<string, number>
  }
  readonly requests: {
    readonly tried: number
    readonly refused: number
    readonly accepted: number
    readonly refusedStoreChanged: number
    readonly noSoapAnswer: number
    readonly faults: Record<string, number>
  }
  readonly keyOccurrences: number
}

/** The key under test: not the demo key, so that finding it anywhere means it leaked. */
const chaosKey = "chaos-K3y-never-shown-5150"

const credentials: MarketoConfig.Options = { endpoint: "", userId: demoUserId, encryptionKey: chaosKey }

const fastRetry = { maxAttempts: 12, baseDelay: "5 millis", maxDelay: "50 millis" } as const

const tally = (keys: Iterable<string>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const key of keys) out[key] = (out[key] ?? 0) + 1
  return out
}

const occurrences = (text: string, needle: string): number => text.split(needle).length - 1

// ---------------------------------------------------------------------------------------
// 1. syncs under injected faults
// ---------------------------------------------------------------------------------------

type JobFigures = Omit<SyncFigures, "calls" | "faults">

/** A body as fetch and Response take it. */
const bodyInit = (body: string | Uint8Array): string | Blob =>
  typeof body === "string" ? body : new Blob([body as Uint8Array<ArrayBuffer>])

const keyOf = (o: Opportunity.Opportunity): string | undefined => o.externalKey?.value

const readAll = (prefix: string) =>
  MarketoClient.getMObjects({ type: "Opportunity" }).pipe(
    Stream.runCollect,
    Effect.map((all) =>
      Chunk.toReadonlyArray(all).filter((o): o is Opportunity.Opportunity =>
        o._tag === "Opportunity" && (o.name ?? "").startsWith(prefix)
      )
    )
  )

const insertJob = (total: number, seen: Array<unknown>) =>
  Effect.gen(function*() {
    const sent = Array.from({ length: total }, (_, i) =>
      Opportunity.make({
        name: `CHAOS-INS ${i}`,
        amount: i,
        externalKey: { name: "opportunityId", value: `CHAOS-INS-${i}` }
      }))
    const outcomes = yield* MarketoClient.syncMObjects(sent, "INSERT", { failOnPartial: false })
    seen.push(outcomes)
    const statuses = tally(outcomes.map((o) => o.status))
    let pending: ReadonlyArray<Outcome<MObject.MObject>> = outcomes.filter((o) => o.status === "IN_DOUBT")
    const inDoubt = pending.length
    let redriven = 0
    // Re-drive: read back, re-send only what is absent; repeat while answers go missing.
    for (let round = 0; round < 20 && pending.length > 0; round++) {
      const held = new Set((yield* readAll("CHAOS-INS")).map(keyOf))
      const absent = pending.filter((o) => !held.has(`CHAOS-INS-${o.index}`))
      redriven += absent.length
      if (absent.length === 0) break
      const again = yield* MarketoClient.syncMObjects(absent.map((o) => o.input), "INSERT", { failOnPartial: false })
      seen.push(again)
      pending = again.flatMap((o, i) => (o.status === "IN_DOUBT" ? [absent[i]!] : []))
    }
    // Lost: not held, or held with other values. Duplicated: every copy beyond the first.
    const held = yield* readAll("CHAOS-INS")
    const copies = new Map<string | undefined, Array<Opportunity.Opportunity>>()
    for (const o of held) copies.set(keyOf(o), [...(copies.get(keyOf(o)) ?? []), o])
    const lost = sent.filter((o) => {
      const found = copies.get(keyOf(o)) ?? []
      return found.length === 0 || found[0]!.amount !== o.amount || found[0]!.name !== o.name
    }).length
    const duplicated = held.length - copies.size
    const figures: JobFigures = { operation: "INSERT", objects: total, statuses, inDoubt, redriven, lost, duplicated }
    return figures
  })

const upsertJob = (total: number, seen: Array<unknown>) =>
  Effect.gen(function*() {
    const sent = Array.from({ length: total }, (_, i) =>
      new Opportunity.Opportunity({ id: 900_000 + i, name: `CHAOS-UPS ${i}`, amount: 2 * i }))
    const outcomes = yield* MarketoClient.syncMObjects(sent, "UPSERT", { failOnPartial: false })
    seen.push(outcomes)
    const statuses = tally(outcomes.map((o) =>
      o.status
    ))
    let pending = outcomes.filter((o) => o.status === "IN_DOUBT" || o.status === "FAILED")
    const inDoubt = outcomes.filter((o) => o.status === "IN_DOUBT").length
    let redriven = 0
    // An UPSERT by id is safe to repeat: re-send whatever did not get an answer.
    for (let round = 0; round < 20 && pending.length > 0; round++) {
      redriven += pending.length
      const again = yield* MarketoClient.syncMObjects(pending.map((o) => o.input), "UPSERT", { failOnPartial: false })
      seen.push(again)
      pending = again.flatMap((o, i) => (o.status === "IN_DOUBT" || o.status === "FAILED" ? [pending[i]!] : []))
    }
    const held = yield* readAll("CHAOS-UPS")
    const byId = new Map<number | undefined, Array<Opportunity.Opportunity>>()
    for (const o of held) byId.set(o.id, [...(byId.get(o.id) ?? []), o])
    const lost = sent.filter((o) => {
      const copies = byId.get(o.id) ?? []
      return copies.length === 0 || copies[0]!.name !== o.name || copies[0]!.amount !== o.amount
    }).length
    const duplicated = held.length - total
    const figures: JobFigures = { operation: "UPSERT", objects: total, statuses, inDoubt, redriven, lost, duplicated }
    return figures
  })

const syncUnderFaults = (options: ChaosOptions, seen: Array<unknown>) =>
  Effect.gen(function*() {
    const seed: Seed.SeedData = {
      ...Seed.defaultSeed,
      opportunities: [
        ...(Seed.defaultSeed.opportunities ?? []),
        ...Array.from({ length: options.objects }, (_, i) => ({
          id: 900_000 + i,
          fields: { Name: `CHAOS-UPS old ${i}`, Amount: "1" }
        }))
      ]
    }
    const emulator = yield* Effect.withRandom(
      Emulator.make({ encryptionKey: Redacted.make(chaosKey), faultRate: options.faultRate, seed }),
      Random.make(options.seed)
    )
    const client = Layer.orDie(NodeMarketo.layer({
      ...credentials,
      endpoint: emulator.url,
      client: { chunkSize: 100, retry: fastRetry, rateLimit: { calls: 1_000_000 } }
    }))
    const results: Array<SyncFigures> = []
    for (const job of [insertJob, upsertJob]) {
      const before = yield* emulator.stats
      const figures = yield* Effect.provide(job(options.objects, seen), client)
      const after = yield* emulator.stats
      const faults: Record<string, number> = {}
      for (const [code, n] of Object.entries(after.faults)) {
        const delta = n - (before.faults[code] ?? 0)
        if (delta > 0) faults[code] = delta
      }
      results.push({
        ...figures,
        calls: (after.calls.syncMObjects ?? 0) - (before.calls.syncMObjects ?? 0),
        faults
      })
    }
    return results
  })

// ---------------------------------------------------------------------------------------
// 2. hostile responses
// ---------------------------------------------------------------------------------------

const statuses3: Wire.ResultSyncMObjects = {
  mObjStatusList: [1, 2, 3].map((id) => ({ id, status: "UPDATED" as const }))
}
const validResponse = SoapCodec.encodeResponse("syncMObjects", statuses3)
const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.marketo.com/mktows/"><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`
const statusXml = (id: string, status = "UPDATED") =>
  `<mObjStatus><id>${id}</id><status>${status}</status></mObjStatus>`
const success = (items: string) =>
  envelope(
    `<ns1:successSyncMObjects><result><mObjStatusList>${items}</mObjStatusList></result></ns1:successSyncMObjects>`
  )

/** Named hostile answers: [name, HTTP status, body]. */
const hostileResponses: ReadonlyArray<readonly [string, number, string | Uint8Array]> = [
  ["HTML error page (200)", 200, "<html><body><h1>Service Unavailable</h1></body></html>"],
  ["HTML error page (502)", 502, "<html><body>Bad Gateway</body></html>"],
  ["empty body", 200, ""],
  ["JSON", 200, "{\"success\":true}"],
  ["truncated", 200, validResponse.slice(0, Math.floor(validResponse.length / 2))],
  [
    "DOCTYPE with entity expansion",
    200,
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>${
      success(statusXml("&lol2;"))
    }`
  ],
  ["external entity", 200, `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${success(statusXml("&xxe;"))}`],
  ["wrong root", 200, "<?xml version=\"1.0\"?><Envelope><Body/></Envelope>"],
  ["wrong success element", 200, envelope("<ns1:successGetMObjects><result/></ns1:successGetMObjects>")],
  ["two statuses for three objects", 200, success(statusXml("1") + statusXml("2"))],
  ["four statuses for three objects", 200, success([1, 2, 3, 4].map((i) => statusXml(String(i))).join(""))],
  [
    "status outside the enumeration",
    200,
    success([1, 2].map((i) => statusXml(String(i))).join("") + statusXml("3", "DONE"))
  ],
  ["id not an integer", 200, success(statusXml("1") + statusXml("x") + statusXml("3"))],
  ["id outside xs:int", 200, success(statusXml("1") + statusXml("99999999999") + statusXml("3"))],
  ["__proto__ elements", 200, success(`<__proto__><polluted>1</polluted></__proto__>${statusXml("1")}`)],
  [
    "invalid UTF-8",
    200,
    new Uint8Array([...new TextEncoder().encode(success(statusXml("1"))), 0xC3, 0x28, 0xFF, 0xFE])
  ],
  ["deep nesting", 200, success("<a>".repeat(5_000) + "</a>".repeat(5_000))],
  ["over the size cap", 200, success(`<x>${"y".repeat(11 * 1024 * 1024)}</x>`)],
  [
    "SOAP 1.2 envelope",
    200,
    validResponse.replace("http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope")
  ],
  [
    "fault without detail",
    500,
    envelope("<SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>oops</faultstring></SOAP-ENV:Fault>")
  ],
  ["fault with an unknown code", 500, SoapCodec.encodeFault({ code: 29999, text: "Unknown" })],
  ["fault 20013 (blocked)", 500, SoapCodec.encodeFault({ code: 20013, text: "Access denied" })]
]

const mutationAlphabet = ["<", ">", "&", "\"", "'", "/", "=", "\u0000", "\uFFFF", "]]>", "<!--", "x", " ", "\uD800"]

/** A seeded mutation of `text`: 1 to 3 deletions, insertions or duplications. */
const mutate = (text: string) =>
  Effect.gen(function*() {
    let out = text
    const edits = yield* Random.nextIntBetween(1, 4)
    for (let e = 0; e < edits; e++) {
      const at = yield* Random.nextIntBetween(0, out.length)
      const kind = yield* Random.nextIntBetween(0, 3)
      if (kind === 0) out = out.slice(0, at) + out.slice(at + (yield* Random.nextIntBetween(1, 20)))
      else if (kind === 1) {
        out = out.slice(0, at) + mutationAlphabet[yield* Random.nextIntBetween(0, mutationAlphabet.length)] +
          out.slice(at)
      } else out = out.slice(0, at) + out.slice(at, at + 40) + out.slice(at)
    }
    return out
  })

const againstResponse = (status: number, body: string | Uint8Array, seen: Array<unknown>) => {
  const http = HttpClient.make((request) =>
    Effect.succeed(HttpClientResponse.fromWeb(request, new Response(bodyInit(body), { status })))
  )
  const client = MarketoClient.layer({
    retry: { maxAttempts: 2, baseDelay: "1 millis", maxDelay: "1 millis" },
    callTimeout: "10 seconds"
  }).pipe(
    Layer.provide(SoapTransport.layer({ timeout: "10 seconds" })),
    Layer.provide(Layer.merge(
      Layer.orDie(MarketoConfig.layer({ ...credentials, endpoint: "http://chaos.invalid/soap/mktows/2_2" })),
      Layer.succeed(HttpClient.HttpClient, http)
    ))
  )
  const objects = [1, 2, 3].map((id) => new Opportunity.Opportunity({ id, name: `Deal ${id}` }))
  return MarketoClient.syncMObjects(objects, "UPSERT", { failOnPartial: false }).pipe(
    Effect.provide(client),
    Effect.timeout(Duration.seconds(30)),
    Effect.exit,
    Effect.map((exit): string => {
      seen.push(exit)
      if (Exit.isSuccess(exit)) {
        const problems = exit.value.filter((o) => o.status === "IN_DOUBT" || o.status === "FAILED")
        return problems.length === 0
          ? "accepted"
          : `objects ${problems[0]!.status} (${problems[0]!.error?.split(":")[0]})`
      }
      const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      if (failure === undefined) return "DEFECT"
      if (failure._tag === "TimeoutException") return "HANG"
      return "reason" in failure ? `${failure._tag} (${String(failure.reason)})` : failure._tag
    })
  )
}

const hostileAnswers = (options: ChaosOptions, seen: Array<unknown>) =>
  Effect.gen(function*() {
    const named: Record<string, string> = {}
    for (const [name, status, body] of hostileResponses) named[name] = yield* againstResponse(status, body, seen)
    const mutated: Array<string> = []
    for (let i = 0; i < options.mutations; i++) {
      mutated.push(yield* againstResponse(200, yield* mutate(validResponse), seen))
    }
    return { tried: hostileResponses.length + mutated.length, named, mutated: tally(mutated) }
  }).pipe(Effect.withRandom(Random.make(options.seed + 1)))

// ---------------------------------------------------------------------------------------
// 3. hostile requests
// ---------------------------------------------------------------------------------------

const storeDigest = Effect.gen(function*() {
  const read = (type: MarketoClient.GetParams["type"]) =>
    Stream.runCollect(MarketoClient.getMObjects({ type, includeDetails: true }))
  return JSON.stringify([
    ...(yield* read("Opportunity")),
    ...(yield* read("OpportunityPersonRole")),
    ...(yield* read("Program"))
  ])
})

const hostileRequests = (options: ChaosOptions, seen: Array<unknown>) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.make({ encryptionKey: Redacted.make(chaosKey) })
    const client = Layer.orDie(NodeMarketo.layer({ ...credentials, endpoint: emulator.url }))
    const digest = Effect.provide(storeDigest, client)
    const seedDigest = yield* digest
    const signed = (key: string, user = demoUserId) =>
      Signature.authenticationHeader({ userId: user, encryptionKey: Redacted.make(key) })
    const header = yield* signed(chaosKey)
    const object = MObject.toWire(Opportunity.make({
      name: "Hostile",
      externalKey: { name: "opportunityId", value: "HOSTILE-1" }
    }))
    const request = (mObjectList: ReadonlyArray<Wire.MObject>, h = header, operation: Wire.SyncOperation = "INSERT") =>
      SoapCodec.encodeRequest("syncMObjects", h, { mObjectList, operation })
    const valid = request([object])
    const named: Array<readonly [string, string | Uint8Array]> = [
      ["DOCTYPE", `<!DOCTYPE x [<!ENTITY a "b">]>${valid}`],
      ["entity expansion", valid.replace("Hostile", "&a;")],
      ["wrong key", request([object], yield* signed("not-the-key"))],
      ["unknown user", request([object], yield* signed(chaosKey, "nobody"))],
      ["101 objects", request(Array.from({ length: 101 }, () => object))],
      ["Program INSERT", request([{ type: "Program", id: 1970 }])],
      ["unknown operation", valid.replace(/paramsSyncMObjects/g, "paramsDropTable")],
      ["malformed XML", valid.slice(0, -30)],
      ["empty body", ""],
      ["invalid UTF-8", new Uint8Array([...new TextEncoder().encode(valid.replace("Hostile", "H")), 0xC3, 0x28])],
      ["__proto__ field", valid.replace("<name>Name</name>", "<name>__proto__</name>")],
      ["over 10 MiB", valid.replace("Hostile", "H".repeat(11 * 1024 * 1024))],
      ["deep nesting", valid.replace("<mObject>", `<mObject>${"<a>".repeat(5_000)}${"</a>".repeat(5_000)}`)]
    ]
    for (let i = 0; i < options.mutations; i++) named.push([`mutation ${i}`, yield* mutate(valid)])
    let refused = 0
    let accepted = 0
    let refusedStoreChanged = 0
    let noSoapAnswer = 0
    const codes: Array<string> = []
    for (const [, body] of named) {
      const answer = yield* Effect.promise(() =>
        fetch(emulator.url, {
          method: "POST",
          headers: {
            "content-type": "text/xml; charset=utf-8",
            soapaction: "\"http://www.marketo.com/mktows/syncMObjects\""
          },
          body: bodyInit(body)
        }).then(
          async (response) => ({ status: response.status, text: await response.text() }),
          (error: unknown) => ({ status: 0, text: String(error) })
        )
      )
      seen.push(answer.text)
      if (answer.status === 200) {
        accepted++
        yield* emulator.reset
        continue
      }
      const code = /<faultstring>(\d+)/.exec(answer.text)?.[1]
      if (answer.status !== 500 || code === undefined) noSoapAnswer++
      else codes.push(code)
      refused++
      if ((yield* digest) !== seedDigest) {
        refusedStoreChanged++
        yield* emulator.reset
      }
    }
    return { tried: named.length, refused, accepted, refusedStoreChanged, noSoapAnswer, faults: tally(codes) }
  }).pipe(Effect.withRandom(Random.make(options.seed + 2)))

// ---------------------------------------------------------------------------------------

/** One seeded run; every figure of the report comes from it. */
export const run = (options: ChaosOptions): Effect.Effect<ChaosReport> =>
  Effect.gen(function*() {
    const captured = yield* Capture.make
    const seen: Array<unknown> = []
    const [sync, responses, requests] = yield* Effect.all([
      syncUnderFaults(options, seen),
      hostileAnswers(options, seen),
      hostileRequests(options, seen)
    ]).pipe(Capture.within(captured), Effect.scoped, Effect.provide(NodeHttpClient.layerUndici), Effect.orDie)
    const text = [
      captured.text(),
      ...seen.map((value) => typeof value === "string" ? value : JSON.stringify(value) ?? ""),
      ...seen.map((value) => String(value))
    ].join("\n")
    return { options, sync, responses, requests, keyOccurrences: occurrences(text, chaosKey) }
  })

const format = (report: ChaosReport): string => {
  const o = report.options
  const lines = [
    `mktows chaos: seed ${o.seed}, ${o.objects} objects per job, fault rate ${o.faultRate}, ${o.mutations} mutations`,
    "",
    "syncs under injected faults (NodeMarketo over undici against the emulator):"
  ]
  for (const s of report.sync) {
    lines.push(
      `  ${s.operation} ${s.objects}: ${JSON.stringify(s.statuses)}; IN_DOUBT ${s.inDoubt}, re-driven ${s.redriven}, ` +
        `lost ${s.lost}, duplicated ${s.duplicated}; ${s.calls} calls, faults ${JSON.stringify(s.faults)}`
    )
  }
  lines.push("", `hostile responses tried: ${report.responses.tried}`)
  for (const [name, result] of Object.entries(report.responses.named)) lines.push(`  ${name}: ${result}`)
  lines.push(`  ${o.mutations} seeded mutations of a valid answer:`)
  for (const [result, n] of Object.entries(report.responses.mutated).sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${String(n).padStart(5)}  ${result}`)
  }
  const r = report.requests
  lines.push(
    "",
    `hostile requests to the emulator: ${r.tried}: refused ${r.refused} (faults ${JSON.stringify(r.faults)}), ` +
      `accepted ${r.accepted}, refused but the store changed ${r.refusedStoreChanged}, no SOAP answer ${r.noSoapAnswer}`,
    "",
    `the key's occurrences in all captured output: ${report.keyOccurrences}`
  )
  return lines.join("\n")
}

const argument = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? undefined : Number(process.argv[at + 1])
  return value === undefined || Number.isNaN(value) ? fallback : value
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options: ChaosOptions = {
    objects: argument("objects", 20_000),
    faultRate: argument("fault-rate", 0.1),
    mutations: argument("mutations", 500),
    seed: argument("seed", 2026)
  }
  Effect.runPromise(run(options)).then((report) => {
    process.stdout.write(`${format(report)}\n`)
  })
}
