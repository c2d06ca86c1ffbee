/**
 * Hostile and maximal bodies up to the 10 MiB cap: how long the codec takes to decode or
 * refuse each, and how much memory it needs on top of the body. A plain script
 * (`pnpm bench:hostile`), not a test: it prints figures and asserts nothing.
 *
 * Each case runs in a child process of its own, so that one case's garbage does not hide
 * the next one's growth: the child builds the body, collects garbage, notes its RSS and
 * heap, decodes, and reports the time and the growth (RSS sampled every millisecond by a
 * timer cannot run during a synchronous decode, so the figure is the growth at the end,
 * before any collection: for a decode that allocates and drops, a lower bound of the peak;
 * the heap figure counts what V8 allocated and had not collected).
 */
import { maxMessageBytes } from "@mktows/core/Limits"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { fork } from "node:child_process"
import * as SoapCodec from "../src/SoapCodec.js"

const env = SoapCodec.soapEnvelopeNamespace
const mkt = SoapCodec.namespace

const response = (operation: string, result: string) => {
  const element = `success${operation.charAt(0).toUpperCase()}${operation.slice(1)}`
  return `<s:Envelope xmlns:s="${env}"><s:Body><m:${element} xmlns:m="${mkt}"><result>${result}</result>` +
    `</m:${element}></s:Body></s:Envelope>`
}
const request = (inner: string) =>
  `<s:Envelope xmlns:s="${env}"><s:Body><m:paramsSyncMObjects xmlns:m="${mkt}"><mObjectList>${inner}` +
  `</mObjectList><operation>INSERT</operation></m:paramsSyncMObjects></s:Body></s:Envelope>`

const statuses = (first: string) =>
  response(
    "syncMObjects",
    `<mObjStatusList><mObjStatus${first}><id>1</id><status>CREATED</status></mObjStatus>` +
      `<mObjStatus><id>2</id><status>CREATED</status></mObjStatus>` +
      `<mObjStatus><id>3</id><status>CREATED</status></mObjStatus></mObjStatusList>`
  )

const attributes = (n: number) => {
  const parts: Array<string> = []
  for (let i = 0; i < n; i++) parts.push(` a${i}="1"`)
  return parts.join("")
}

// A getMObjects page as large as the cap allows while staying inside every bound: the
// largest body the codec accepts and fully decodes.
const largestPage = () => {
  const value = "v".repeat(80)
  const attribs = Array.from(
    { length: 300 },
    (_, j) => `<attrib><name>Field${j}</name><value>${value}</value></attrib>`
  )
    .join("")
  const objects = Array.from(
    { length: 100 },
    (_, i) => `<mObject><type>Opportunity</type><id>${i + 1}</id><attribList>${attribs}</attribList></mObject>`
  ).join("")
  return response(
    "getMObjects",
    `<returnCount>100</returnCount><hasMore>false</hasMore><newStreamPosition>p</newStreamPosition>` +
      `<mObjectList>${objects}</mObjectList>`
  )
}

type Kind = "syncResponse" | "getResponse" | "request"

const cases: Record<string, () => readonly [Kind, string]> = {
  "800,000 attributes on one status": () => ["syncResponse", statuses(attributes(800_000))],
  "2,000,000 <x/> in a sync response":
    () => ["syncResponse", statuses("").replace("<id>1", "<x/>".repeat(2_000_000) + "<id>1")],
  "2,000,000 <x/> in a getMObjects response": () => [
    "getResponse",
    response(
      "getMObjects",
      `<returnCount>0</returnCount><hasMore>false</hasMore><newStreamPosition>p</newStreamPosition>` +
        "<x/>".repeat(2_000_000)
    )
  ],
  "a 9 MiB <error> text": () => [
    "syncResponse",
    statuses("").replace(
      "<status>CREATED</status>",
      `<status>FAILED</status><error>${"e".repeat(9 * 1024 * 1024)}</error>`
    )
  ],
  "1,000,000 nested elements":
    () => ["syncResponse", statuses("").replace("<id>1", "<a>".repeat(1_000_000) + "</a>".repeat(1_000_000) + "<id>1")],
  "10,000 elements declaring 32 namespaces each": () => {
    const declarations = Array.from({ length: 32 }, (_, i) => ` xmlns:p${i}="urn:example:${i}"`).join("")
    return [
      "getResponse",
      response(
        "getMObjects",
        `<returnCount>0</returnCount><hasMore>false</hasMore><newStreamPosition>p</newStreamPosition>` +
          `<x${declarations}/>`.repeat(10_000)
      )
    ]
  },
  "request: 60,000 mObjects": () => ["request", request("<mObject><type>Opportunity</type></mObject>".repeat(60_000))],
  "request: 700,000 attributes on one mObject": () => [
    "request",
    request(`<mObject${attributes(700_000)}><type>Opportunity</type></mObject>`)
  ],
  "request: 100 objects at the element bound": () => {
    const attribs = "<attrib><name>Name</name><value>x</value></attrib>".repeat(330)
    return [
      "request",
      request(`<mObject><type>Opportunity</type><attribList>${attribs}</attribList></mObject>`.repeat(100))
    ]
  },
  "largest accepted getMObjects page (100 x 300 fields)": () => ["getResponse", largestPage()],
  "10 MiB + 1 byte": () => ["syncResponse", statuses("").replace("<id>1", `<x>${" ".repeat(maxMessageBytes)}</x><id>1`)]
}

const outcomeOf = <A, E extends { readonly _tag: string; readonly reason?: string }>(
  exit: Exit.Exit<A, E>
): string => {
  if (Exit.isSuccess(exit)) return "decoded"
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  return error === undefined ? "defect" : `${error._tag}/${error.reason ?? ""}`
}

const decode = (kind: Kind, body: string): string =>
  kind === "request"
    ? outcomeOf(Effect.runSyncExit(SoapCodec.decodeRequest(body)))
    : outcomeOf(
      Effect.runSyncExit(SoapCodec.decodeResponse(kind === "getResponse" ? "getMObjects" : "syncMObjects", body))
    )

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

const runOne = (name: string) => {
  const make = cases[name]
  if (make === undefined) return
  const [kind, body] = make()
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const before = process.memoryUsage()
  const start = performance.now()
  const outcome = decode(kind, body)
  const ms = performance.now() - start
  const after = process.memoryUsage()
  process.send?.({
    name,
    bytes: Buffer.byteLength(body),
    outcome,
    ms,
    rss: after.rss - before.rss,
    heap: after.heapUsed - before.heapUsed
  })
}

interface Report {
  readonly name: string
  readonly bytes: number
  readonly outcome: string
  readonly ms: number
  readonly rss: number
  readonly heap: number
}

const runAll = async () => {
  console.log(
    `${"case".padEnd(52)} ${"MiB".padStart(5)}  ${"outcome".padEnd(32)} ${"ms".padStart(7)} ${"+RSS MiB".padStart(9)} ${
      "+heap MiB".padStart(9)
    }`
  )
  for (const name of Object.keys(cases)) {
    const report = await new Promise<Report | undefined>((resolve) => {
      const child = fork(new URL(import.meta.url).pathname, [name], { execArgv: [...process.execArgv, "--expose-gc"] })
      let got: Report | undefined
      child.on("message", (m) => {
        got = m as Report
      })
      child.on("exit", () => resolve(got))
    })
    if (report === undefined) {
      console.log(`${name.padEnd(52)} (the child reported nothing)`)
      continue
    }
    console.log(
      `${name.padEnd(52)} ${mib(report.bytes).padStart(5)}  ${report.outcome.padEnd(32)} ${
        report.ms.toFixed(0).padStart(7)
      } ${mib(report.rss).padStart(9)} ${mib(report.heap).padStart(9)}`
    )
  }
}

const only = process.argv[2]
if (only === undefined) void runAll()
else runOne(only)
