/**
 * Speed of the SOAP codec and the model mapping on full-size calls, side by side with a
 * hand-written floor: a template-string encoder and an indexOf decoder that know this one
 * message shape and nothing else (no validation beyond what they need, node:crypto's HMAC).
 * A plain script (`pnpm bench`), not a test: it prints figures and asserts nothing.
 *
 * Contenders run in one process, interleaved: each round runs every contender for a fixed
 * number of iterations, in an order rotated per round; the first rounds are a warm-up and
 * are discarded. Printed: the median µs per iteration of each contender, and for the
 * contests the median of the per-round ratios mktows / floor (the ratio holds when the
 * machine is loaded; absolute figures do not). `pnpm bench -- --rounds 30` for more rounds.
 */
import * as MObject from "@mktows/core/MObject"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Signature from "@mktows/core/Signature"
import * as Validation from "@mktows/core/Validation"
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import * as SoapCodec from "../src/SoapCodec.js"

const roundsArg = process.argv.indexOf("--rounds")
const rounds = roundsArg === -1 ? 14 : Number(process.argv[roundsArg + 1])
const warmUp = 3

// ---------------------------------------------------------------------------------------
// Inputs

const userId = "demo17_1_809934544BFABAE58E5D27"
const key = "27272727aa"
const credentials: Signature.Credentials = { userId, encryptionKey: Redacted.make(key) }

const header: Wire.AuthenticationHeaderInfo = {
  mktowsUserId: userId,
  requestSignature: "40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7",
  requestTimestamp: "2013-08-05T14:22:45-07:00"
}

// 100 Opportunities of a sync, as a user builds them.
const opportunities = Array.from({ length: 100 }, (_, i) =>
  Opportunity.make({
    externalKey: { name: "externalOpportunityId", value: `OPP-${i}` },
    name: `Deal #${i} & partners <EMEA>`,
    amount: 1000 + i,
    closeDate: new Date(Date.UTC(2013, 8, 30)),
    isWon: false,
    stage: "Prospecting",
    company: { id: 7000 + i }
  }))

const params: Wire.ParamsSyncMObjects = { operation: "UPSERT", mObjectList: opportunities.map(MObject.toWire) }

const syncResponse = SoapCodec.encodeResponse("syncMObjects", {
  mObjStatusList: Array.from({ length: 100 }, (_, i) => ({
    id: 1000 + i,
    externalKey: { name: "externalOpportunityId", value: `OPP-${i}` },
    status: i % 10 === 0 ? "FAILED" as const : "CREATED" as const,
    ...(i % 10 === 0 ? { error: "Missing required field" } : {})
  }))
})

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

// ---------------------------------------------------------------------------------------
// The hand-written floor

const escape = (text: string): string =>
  /[&<>\r]/.test(text)
    ? text.replace(/[&<>\r]/g, (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;")
    : text
const unescape = (text: string): string =>
  text.includes("&") ? text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => floorEntities[e] ?? "") : text
const floorEntities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: "\"", apos: "'" }

/** The text of the first `<tag>` from `from` up to `to`, or undefined. */
const between = (s: string, tag: string, from: number, to: number): string | undefined => {
  const open = s.indexOf(`<${tag}>`, from)
  if (open === -1 || open >= to) return undefined
  const close = s.indexOf(`</${tag}>`, open)
  return close === -1 || close > to ? undefined : unescape(s.slice(open + tag.length + 2, close))
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n))
const day = (d: Date) => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`

const floorAttrib = (name: string, value: string) => `<attrib><name>${name}</name><value>${value}</value></attrib>`

const floorRequest = (objects: ReadonlyArray<Opportunity.Opportunity>): string => {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00")
  const signature = createHmac("sha1", key).update(timestamp + userId).digest("hex")
  let body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="${SoapCodec.soapEnvelopeNamespace}"` +
    ` xmlns:ns1="${SoapCodec.namespace}"><SOAP-ENV:Header><ns1:AuthenticationHeader><mktowsUserId>${userId}` +
    `</mktowsUserId><requestSignature>${signature}</requestSignature><requestTimestamp>${timestamp}` +
    `</requestTimestamp></ns1:AuthenticationHeader></SOAP-ENV:Header><SOAP-ENV:Body><ns1:paramsSyncMObjects>` +
    `<mObjectList>`
  for (const o of objects) {
    body += `<mObject><type>Opportunity</type><externalKey><name>${o.externalKey?.name ?? ""}</name><value>${
      escape(o.externalKey?.value ?? "")
    }</value></externalKey><attribList>${floorAttrib("Amount", String(o.amount))}${
      floorAttrib("CloseDate", o.closeDate === undefined ? "" : day(o.closeDate))
    }${floorAttrib("IsWon", o.isWon === true ? "1" : "0")}${floorAttrib("Name", escape(o.name ?? ""))}${
      floorAttrib("Stage", escape(o.stage ?? ""))
    }</attribList><associationList><mObjAssociation><mObjType>Company</mObjType><id>${
      o.company !== undefined && "id" in o.company ? o.company.id : 0
    }</id></mObjAssociation></associationList></mObject>`
  }
  return body + `</mObjectList><operation>UPSERT</operation></ns1:paramsSyncMObjects></SOAP-ENV:Body>` +
    `</SOAP-ENV:Envelope>`
}

interface FloorStatus {
  readonly id: number
  readonly status: string
  readonly error?: string
}

const floorStatuses = (body: string): Array<FloorStatus> => {
  const out: Array<FloorStatus> = []
  for (let at = body.indexOf("<mObjStatus>"); at !== -1; at = body.indexOf("<mObjStatus>", at + 1)) {
    const end = body.indexOf("</mObjStatus>", at)
    const error = between(body, "error", at, end)
    const status = { id: Number(between(body, "id", at, end)), status: between(body, "status", at, end) ?? "" }
    out.push(error === undefined ? status : { ...status, error })
  }
  return out
}

const floorPage = (body: string): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = []
  for (let at = body.indexOf("<mObject>"); at !== -1; at = body.indexOf("<mObject>", at + 1)) {
    const end = body.indexOf("</mObject>", at)
    const record: Record<string, unknown> = {
      id: Number(between(body, "id", at, end)),
      createdAt: between(body, "createdAt", at, end),
      updatedAt: between(body, "updatedAt", at, end)
    }
    const keyAt = body.indexOf("<externalKey>", at)
    if (keyAt !== -1 && keyAt < end) {
      record.externalKey = { name: between(body, "name", keyAt, end), value: between(body, "value", keyAt, end) }
    }
    for (let a = body.indexOf("<attrib>", at); a !== -1 && a < end; a = body.indexOf("<attrib>", a + 1)) {
      const aEnd = body.indexOf("</attrib>", a)
      const name = between(body, "name", a, aEnd) ?? ""
      const value = between(body, "value", a, aEnd) ?? ""
      record[name] = name === "Amount" || name === "Probability"
        ? Number(value)
        : name === "CloseDate"
        ? new Date(`${value}T00:00:00Z`)
        : name === "IsWon" || name === "IsClosed"
        ? value === "1" || value === "true"
        : value
    }
    const assoc = body.indexOf("<mObjAssociation>", at)
    if (assoc !== -1 && assoc < end) record.company = { id: Number(between(body, "id", assoc, end)) }
    out.push(record)
  }
  return out
}

// ---------------------------------------------------------------------------------------
// mktows

const signHeader = Effect.runSync(Signature.signer(credentials))

const mktowsCall = async (): Promise<unknown> => {
  const signed = await Effect.runPromise(signHeader)
  if (Validation.issues(opportunities, "UPSERT").length > 0) return undefined
  const mObjectList = opportunities.map(MObject.toWire)
  const body = SoapCodec.encodeRequest("syncMObjects", signed, { operation: "UPSERT", mObjectList })
  return [body.length, Effect.runSync(SoapCodec.decodeResponse("syncMObjects", syncResponse, { expectedCount: 100 }))]
}

const floorCall = async (): Promise<unknown> => [floorRequest(opportunities).length, floorStatuses(syncResponse)]

const mktowsPage = (): unknown => {
  const result = Effect.runSync(SoapCodec.decodeResponse("getMObjects", page))
  return (result.mObjectList ?? []).map(MObject.fromWire)
}

// ---------------------------------------------------------------------------------------
// Rounds

type Run = () => unknown

interface Contender {
  readonly name: string
  readonly iterations: number
  readonly run: Run
}

const time = async (c: Contender): Promise<number> => {
  const start = performance.now()
  for (let i = 0; i < c.iterations; i++) {
    const out = c.run()
    if (out instanceof Promise) await out
  }
  return ((performance.now() - start) * 1000) / c.iterations
}

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] ?? NaN : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
}

const contenders: ReadonlyArray<Contender> = [
  { name: "call: mktows sign+validate+map+encode+decode", iterations: 20, run: mktowsCall },
  { name: "call: hand-written floor", iterations: 20, run: floorCall },
  { name: "page: mktows decodeResponse + fromWire", iterations: 10, run: mktowsPage },
  { name: "page: hand-written floor", iterations: 10, run: () => floorPage(page) },
  {
    name: "encodeRequest syncMObjects, 100 objects",
    iterations: 40,
    run: () => SoapCodec.encodeRequest("syncMObjects", header, params)
  },
  {
    name: "decodeResponse syncMObjects, 100 statuses",
    iterations: 20,
    run: () => Effect.runSync(SoapCodec.decodeResponse("syncMObjects", syncResponse, { expectedCount: 100 }))
  },
  {
    name: "decodeRequest syncMObjects, 100 objects",
    iterations: 10,
    run: () => Effect.runSync(SoapCodec.decodeRequest(SoapCodec.encodeRequest("syncMObjects", header, params)))
  },
  {
    name: "toWire, 100 Opportunities",
    iterations: 100,
    run: () => opportunities.map(MObject.toWire)
  }
]

const contests: ReadonlyArray<readonly [string, string, string]> = [
  ["one 100-object call, CPU", contenders[0]?.name ?? "", contenders[1]?.name ?? ""],
  ["one getMObjects page of 100, decode + fromWire", contenders[2]?.name ?? "", contenders[3]?.name ?? ""]
]

const main = async () => {
  console.log(
    `request ${
      SoapCodec.encodeRequest("syncMObjects", header, params).length
    } chars, sync response ${syncResponse.length}` +
      ` chars, getMObjects page ${page.length} chars; ${rounds} rounds, ${warmUp} discarded`
  )
  const samples = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + round) % contenders.length] as Contender
      const micros = await time(c)
      if (round >= warmUp) samples.get(c.name)?.push(micros)
    }
  }
  for (const c of contenders) {
    console.log(`${c.name.padEnd(48)} ${median(samples.get(c.name) ?? []).toFixed(1).padStart(9)} µs (median)`)
  }
  for (const [title, ours, floor] of contests) {
    const a = samples.get(ours) ?? []
    const b = samples.get(floor) ?? []
    const ratios = a.map((x, i) => x / (b[i] ?? NaN))
    console.log(`${title.padEnd(48)} ${median(ratios).toFixed(1).padStart(9)} × the floor (median of per-round ratios)`)
  }
}

void main()
