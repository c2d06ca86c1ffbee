/**
 * A record's REST status as the SOAP status of a sync or delete, and reasons as one bounded
 * text.
 *
 * @internal
 */
import * as Limits from "@mktows/core/Limits"
import type * as Wire from "@mktows/core/Wire"
import type { Mutable } from "effect/Types"
import type * as RestWire from "../RestWire.js"
import { guidKey } from "./fields.js"

// Record-level reasons: a record (or one it names) not found, a record that already exists.
const notFound = new Set(["1013", "1004"])
const exists = new Set(["1017", "1005"])
// "Lead not found" names a role's lead: mktows writes no leads, so it is never the record itself.
const leadNotFound = "1004"

// The most reasons shown, and the most of one message, so that one long message does not hide
// the others.
const shownReasons = 20
const shownMessage = 900

/**
 * Reasons as one text for an outcome, `code: message; …`: whole when it fits the one bound
 * (`Limits.maxQuotedChars`), else its start, each message cut at 900 characters, noting the
 * length and the number of reasons the server sent.
 */
export const reasonText = (reasons: ReadonlyArray<RestWire.Reason> | undefined): string => {
  const all = reasons ?? []
  let total = 0
  for (let i = 0; i < all.length; i++) {
    const r = all[i] as RestWire.Reason
    total += (i > 0 ? 2 : 0) + String(r.code).length + 2 + r.message.length
  }
  if (total <= Limits.maxQuotedChars) return all.map((r) => `${r.code}: ${r.message}`).join("; ")
  const head = all.slice(0, shownReasons).map((r) =>
    `${r.code}: ${r.message.length > shownMessage ? `${r.message.slice(0, shownMessage)}…` : r.message}`
  ).join("; ")
  // Within the bound, note included: core quotes an outcome's error at the same bound.
  const note = `… (${total} characters in all, ${all.length} reason${all.length === 1 ? "" : "s"})`
  return `${head.slice(0, Limits.maxQuotedChars - note.length)}${note}`
}

/**
 * What a skipped record of a sync (`sync`) or a delete (`undefined`) is, as SOAP says it:
 * SKIPPED only where the operation skips by design, an INSERT of a record that exists and an
 * UPDATE of one that does not; a delete of one that is not there is UNCHANGED. Anything else was
 * refused, FAILED: under UPSERT (which creates what is not there) and INSERT, a record not
 * found is one the record names (a role's opportunity or lead, a marketoGUID), and a lead not
 * found is a role's lead whatever the operation. (Under UPDATE, a role whose opportunity is not
 * there reads as the role not there: REST's 1013 does not say which.)
 */
const skippedAs = (codes: ReadonlyArray<string>, sync: Wire.SyncOperation | undefined): Wire.MObjStatus["status"] => {
  if (sync === undefined) {
    return codes.some((c) => notFound.has(c))
      ? "UNCHANGED"
      : codes.some((c) => exists.has(c))
      ? "SKIPPED"
      : "FAILED"
  }
  if (codes.includes(leadNotFound)) return "FAILED"
  if (sync === "INSERT") return codes.some((c) => exists.has(c)) ? "SKIPPED" : "FAILED"
  if (sync === "UPDATE") return codes.some((c) => notFound.has(c)) ? "SKIPPED" : "FAILED"
  return "FAILED"
}

/** A record's REST status as a SOAP status of a sync (`sync`) or a delete (`undefined`). */
export const statusOf = (
  r: RestWire.RecordStatus,
  id: number,
  sync: Wire.SyncOperation | undefined,
  sent: Wire.Attrib | undefined
): Wire.MObjStatus => {
  // The status names the object by the key it was sent with (core pairs statuses by it); a
  // record sent without one (a role by its compound key) is named by its marketoGUID. A
  // skipped record may carry an empty marketoGUID: no record, so no key.
  const key = sent !== undefined
    ? sent
    : r.marketoGUID === undefined || r.marketoGUID === ""
    ? undefined
    : { name: guidKey, value: r.marketoGUID }
  switch (r.status) {
    case "created":
      return statusNamed(id, key, "CREATED")
    case "updated":
      return statusNamed(id, key, "UPDATED")
    case "deleted":
      return statusNamed(id, key, "DELETED")
    case "skipped": {
      const codes = (r.reasons ?? []).map((x) => String(x.code))
      const error = reasonText(r.reasons)
      return statusNamed(id, key, skippedAs(codes, sync), error === "" ? "skipped, with no reason given" : error)
    }
  }
}

// Built by assignment, without spreads or a key wrapper: this runs for every record answered.
const statusNamed = (
  id: number,
  key: Wire.Attrib | undefined,
  status: Wire.MObjStatus["status"],
  error?: string
): Wire.MObjStatus => {
  const out: Mutable<Wire.MObjStatus> = key === undefined ? { id, status } : { id, externalKey: key, status }
  if (error !== undefined) out.error = error
  return out
}
