/**
 * A record's REST status as the SOAP status of a sync or delete, and reasons as one bounded
 * text.
 *
 * @internal
 */
import { quote } from "@mktows/core/MarketoError"
import type * as Wire from "@mktows/core/Wire"
import type * as RestWire from "../RestWire.js"
import { guidKey } from "./fields.js"

/** Record-level reason codes that SOAP reports as SKIPPED, not FAILED. */
const notFound = new Set(["1013", "1004"])
const exists = new Set(["1017", "1005"])

/** Reasons as one text for an outcome: each message bounded, then the whole (`quote`). */
export const reasonText = (reasons: ReadonlyArray<RestWire.Reason> | undefined): string =>
  quote((reasons ?? []).slice(0, 20).map((r) => `${r.code}: ${quote(r.message, 900)}`).join("; "))

/** A record's REST status as a SOAP status of a sync or delete. */
export const statusOf = (
  r: RestWire.RecordStatus,
  id: number,
  deleting: boolean,
  sent: Wire.Attrib | undefined
): Wire.MObjStatus => {
  // The status names the object by the key it was sent with (core pairs statuses by it); a
  // record sent without one (a role by its compound key) is named by its marketoGUID. A
  // skipped record may carry an empty marketoGUID: no record, so no key.
  const externalKey = sent !== undefined
    ? { externalKey: sent }
    : r.marketoGUID === undefined || r.marketoGUID === ""
    ? {}
    : { externalKey: { name: guidKey, value: r.marketoGUID } }
  const codes = (r.reasons ?? []).map((x) => String(x.code))
  switch (r.status) {
    case "created":
      return { id, ...externalKey, status: "CREATED" }
    case "updated":
      return { id, ...externalKey, status: "UPDATED" }
    case "deleted":
      return { id, ...externalKey, status: "DELETED" }
    case "skipped": {
      const error = reasonText(r.reasons)
      const status = deleting && codes.some((c) => notFound.has(c))
        ? "UNCHANGED"
        : codes.some((c) => notFound.has(c) || exists.has(c))
        ? "SKIPPED"
        : "FAILED"
      return { id, ...externalKey, status, ...(error === "" ? {} : { error }) }
    }
  }
}
