/**
 * Hand-written checks of the two answers that carry a record each (sync and delete statuses,
 * query records), equal to their RestWire Schemas on what they accept: a JSON value that
 * passes is already of the Schema's type, so the hot path skips the Schema decoder (ten
 * times slower per record). A value that fails goes through the Schema, which says why.
 *
 * @internal
 */
import type * as RestWire from "../RestWire.js"

type Json = Readonly<Record<string, unknown>>

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)
const optionalOf = (v: unknown, type: "string" | "boolean"): boolean => v === undefined || typeof v === type

const isReason = (v: unknown): boolean =>
  isObject(v) && (typeof v["code"] === "string" || typeof v["code"] === "number") &&
  typeof v["message"] === "string"

const everyOf = (v: unknown, item: (x: unknown) => boolean): boolean => {
  if (!Array.isArray(v)) return false
  for (let i = 0; i < v.length; i++) if (!item(v[i])) return false
  return true
}

const statuses = new Set(["created", "updated", "deleted", "skipped"])

const isRecordStatus = (v: unknown): boolean =>
  isObject(v) && Number.isSafeInteger(v["seq"]) && statuses.has(v["status"] as string) &&
  optionalOf(v["marketoGUID"], "string") && (v["reasons"] === undefined || everyOf(v["reasons"], isReason))

const isFieldValue = (v: unknown): boolean =>
  v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))

const isFields = (v: unknown): boolean => {
  if (!isObject(v)) return false
  for (const key in v) if (!isFieldValue(v[key])) return false
  return true
}

// A lookup's key that found no record: its reasons, and its seq when it has one.
const isQueryMiss = (v: unknown): boolean =>
  isObject(v) && everyOf(v["reasons"], isReason) && (v["seq"] === undefined || Number.isSafeInteger(v["seq"]))

const envelope = (item: (x: unknown) => boolean) => (v: unknown): boolean =>
  isObject(v) && typeof v["success"] === "boolean" && optionalOf(v["requestId"], "string") &&
  optionalOf(v["moreResult"], "boolean") && optionalOf(v["nextPageToken"], "string") &&
  (v["errors"] === undefined || everyOf(v["errors"], isReason)) &&
  (v["warnings"] === undefined || Array.isArray(v["warnings"])) &&
  (v["result"] === undefined || everyOf(v["result"], item))

/** Whether `v` is a `RestWire.StatusResponse` as its Schema decodes it. */
export const isStatusResponse = envelope(isRecordStatus) as (v: unknown) => v is typeof RestWire.StatusResponse.Type

/** Whether `v` is a `RestWire.QueryResponse` as its Schema decodes it. */
export const isQueryResponse = envelope((v) => isFields(v) || isQueryMiss(v)) as (
  v: unknown
) => v is typeof RestWire.QueryResponse.Type
