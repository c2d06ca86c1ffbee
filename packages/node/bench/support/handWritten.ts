/**
 * The floor: what a careful hand-written client of the same call costs. A template-string
 * encoder, an indexOf decoder, node:crypto's HMAC and a check of every value before sending.
 * It does what the call needs and nothing more (no schema, no generic codec), so it is the
 * lower bound the side-by-side benchmarks compare mktows with.
 *
 * Plain loops and string concatenation throughout: this is the hand-written hot path, and
 * being that is its whole purpose.
 */
import { createHmac } from "node:crypto"
import type { Deal } from "./fixture.js"
import { encryptionKey, keyName, userId } from "./fixture.js"

export interface Header {
  readonly timestamp: string
  readonly signature: string
}

/** A header signed now: `YYYY-MM-DDThh:mm:ss+00:00`, HMAC-SHA1 hex of timestamp + user id. */
export const sign = (now: number): Header => {
  const timestamp = `${new Date(now).toISOString().slice(0, 19)}+00:00`
  const signature = createHmac("sha1", encryptionKey).update(timestamp + userId).digest("hex")
  return { timestamp, signature }
}

// Outside XML 1.0's Char production (lone surrogates included, with the u flag).
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

/** The number of values that cannot be sent (0 when the batch is good). */
export const validate = (batch: ReadonlyArray<Deal>): number => {
  let bad = 0
  for (const deal of batch) {
    if (deal.key.length === 0 || notXmlChar.test(deal.key)) bad++
    if (notXmlChar.test(deal.name) || notXmlChar.test(deal.stage)) bad++
    if (!Number.isFinite(deal.amount)) bad++
    if (!/^\d{4}-\d{2}-\d{2}$/.test(deal.closeDate)) bad++
    if (!Number.isInteger(deal.probability) || deal.probability < 0 || deal.probability > 100) bad++
  }
  return bad
}

const markup = /[&<>]/

const escape = (text: string): string =>
  markup.test(text) ? text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : text

const attrib = (name: string, value: string): string => `<attrib><name>${name}</name><value>${value}</value></attrib>`

/** The request envelope of a syncMObjects UPSERT of the deals (attribs in name order, as mktows writes them). */
export const encode = (header: Header, batch: ReadonlyArray<Deal>): string => {
  let objects = ""
  for (const deal of batch) {
    objects += `<mObject><type>Opportunity</type><externalKey><name>${keyName}</name><value>${
      escape(deal.key)
    }</value></externalKey><attribList>${attrib("Amount", String(deal.amount))}${attrib("CloseDate", deal.closeDate)}${
      attrib("IsWon", deal.isWon ? "1" : "0")
    }${attrib("Name", escape(deal.name))}${attrib("Probability", String(deal.probability))}${
      attrib("Stage", escape(deal.stage))
    }</attribList></mObject>`
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.marketo.com/mktows/"><SOAP-ENV:Header><ns1:AuthenticationHeader><mktowsUserId>${userId}</mktowsUserId><requestSignature>${header.signature}</requestSignature><requestTimestamp>${header.timestamp}</requestTimestamp></ns1:AuthenticationHeader></SOAP-ENV:Header><SOAP-ENV:Body><ns1:paramsSyncMObjects><mObjectList>${objects}</mObjectList><operation>UPSERT</operation></ns1:paramsSyncMObjects></SOAP-ENV:Body></SOAP-ENV:Envelope>`
}

const between = (xml: string, open: string, close: string, from: number, to: number): string | undefined => {
  const start = xml.indexOf(open, from)
  if (start === -1 || start > to) return undefined
  const end = xml.indexOf(close, start + open.length)
  return end === -1 || end > to ? undefined : xml.slice(start + open.length, end)
}

/**
 * Reads a syncMObjects answer and checks it the way mktows does: one status per object sent,
 * each naming the key sent at its position, none FAILED. Undefined when all is well, else why not.
 */
export const decode = (xml: string, batch: ReadonlyArray<Deal>): string | undefined => {
  if (xml.indexOf("successSyncMObjects>") === -1) return `not a syncMObjects answer: ${xml.slice(0, 200)}`
  let at = 0
  let count = 0
  for (;;) {
    const start = xml.indexOf("<mObjStatus>", at)
    if (start === -1) break
    const end = xml.indexOf("</mObjStatus>", start)
    if (end === -1) return "truncated status"
    const id = Number(between(xml, "<id>", "</id>", start, end))
    const status = between(xml, "<status>", "</status>", start, end)
    const key = between(xml, "<value>", "</value>", start, end)
    const sent = batch[count]
    if (sent === undefined) return "more statuses than objects"
    if (!Number.isInteger(id) || status === undefined) return `bad status ${count}`
    if (status === "FAILED") return `object ${count} FAILED`
    if (key !== undefined && key !== sent.key) return `status ${count} names ${key}, sent ${sent.key}`
    count++
    at = end
  }
  return count === batch.length ? undefined : `${count} statuses for ${batch.length} objects`
}

/** One object of a getMObjects page, as a hand-written client would hold it. */
export interface PageObject {
  readonly id: number
  readonly key: string | undefined
  readonly fields: Record<string, string | number | boolean>
}

const numeric = new Set(["Amount", "ExpectedRevenue", "Quantity", "Probability", "FiscalYear", "FiscalQuarter"])
const flags = new Set(["IsWon", "IsClosed"])

const unescape = (text: string): string =>
  text.indexOf("&") === -1
    ? text
    : text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "'").replace(
      /&amp;/g,
      "&"
    )

/** Reads a getMObjects page into typed plain objects (numbers and booleans converted). */
export const decodePage = (xml: string): ReadonlyArray<PageObject> => {
  const out: Array<PageObject> = []
  let at = 0
  for (;;) {
    const start = xml.indexOf("<mObject>", at)
    if (start === -1) break
    const end = xml.indexOf("</mObject>", start)
    if (end === -1) break
    const id = Number(between(xml, "<id>", "</id>", start, end))
    const keyStart = xml.indexOf("<externalKey>", start)
    const key = keyStart !== -1 && keyStart < end ? between(xml, "<value>", "</value>", keyStart, end) : undefined
    const fields: Record<string, string | number | boolean> = Object.create(null)
    let a = xml.indexOf("<attrib>", start)
    while (a !== -1 && a < end) {
      const close = xml.indexOf("</attrib>", a)
      const name = between(xml, "<name>", "</name>", a, close) ?? ""
      const value = unescape(between(xml, "<value>", "</value>", a, close) ?? "")
      fields[name] = numeric.has(name) ? Number(value) : flags.has(name) ? value === "1" || value === "true" : value
      a = xml.indexOf("<attrib>", close)
    }
    out.push({ id, key, fields })
    at = end
  }
  return out
}
