/**
 * Marketo's documented SOAP error codes, what each means, and how a client may react.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"

/**
 * How a client may react to a fault:
 * - `resign`: sign the request again with a fresh timestamp and retry (20016).
 * - `backoff`: retry after an exponential, jittered delay (rate and concurrency limits).
 * - `bounded`: a server-side failure, retried a few times at most.
 * - `quota`: the daily quota is spent; nothing helps before it resets.
 * - `none`: the request itself is wrong or forbidden; retrying cannot help.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryClass = "resign" | "backoff" | "bounded" | "quota" | "none"

/**
 * A documented code with its short name and the reason Marketo gives.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultCodeInfo {
  readonly code: number
  readonly name: string
  readonly reason: string
  readonly retry: RetryClass
}

const entry = (code: number, name: string, reason: string, retry: RetryClass = "none"): FaultCodeInfo => ({
  code,
  name,
  reason,
  retry
})

/**
 * Every error code of Marketo's SOAP API documentation.
 *
 * @since 0.1.0
 * @category constants
 */
export const documented: ReadonlyArray<FaultCodeInfo> = [
  entry(10001, "Internal Error", "severe failure inside Marketo", "bounded"),
  entry(20011, "Internal Error", "the API service failed", "bounded"),
  entry(20012, "Request Not Understood", "the SOAP message was not what the API expects"),
  entry(20013, "Access Denied", "this client is blocked from API access"),
  entry(20014, "Authentication failed", "the user id or encryption key is not valid"),
  entry(20015, "Request Limit Exceeded", "the subscription's daily call quota is spent", "quota"),
  entry(20016, "Request Expired", "the request timestamp is too old; sign again with a fresh one", "resign"),
  entry(20017, "Invalid Request", "the request is missing an expected parameter"),
  entry(20019, "Unsupported Operation", "the operation is not in the Marketo API WSDL"),
  entry(20022, "Time range specified in query filter exceeded limit", "the query's time window is over 30 days"),
  entry(20023, "Rate Limit Exceeded", "more than 100 calls in the past 20 seconds", "backoff"),
  entry(20024, "Concurrency Limit Exceeded", "more than 10 calls at once", "backoff"),
  entry(20101, "Lead Key Required", "a lead key is required but was not given"),
  entry(20102, "Lead Key Bad", "the lead key type is not valid"),
  entry(20103, "Lead Not Found", "the lead key matches no lead"),
  entry(20104, "Lead Detail Required", "a lead record is required but was not given"),
  entry(20105, "Lead Attribute Bad", "the lead record has an attribute with a bad name"),
  entry(20106, "Lead Sync Failed", "the lead record could not be created or updated"),
  entry(20107, "Activity Key Bad", "the activity filter has a bad activity type"),
  entry(20108, "Lead Owner Not Found", "the lead owner does not exist"),
  entry(20109, "Parameter Required", "a parameter value was null or missing"),
  entry(20110, "Bad Parameter", "a parameter value is bad"),
  entry(20111, "List Not Found", "the list does not exist"),
  entry(20113, "Campaign Not Found", "the campaign does not exist"),
  entry(20114, "Bad Parameter", "a parameter value is bad"),
  entry(20122, "Bad Stream Position", "the stream position is not valid"),
  entry(20123, "Stream at End", "no more records are available at this stream position")
]

const byCode: ReadonlyMap<number, FaultCodeInfo> = new Map(documented.map((info) => [info.code, info]))

/**
 * The documented meaning of a code, if Marketo documents it.
 *
 * @since 0.1.0
 * @category getters
 */
export const lookup = (code: number): FaultCodeInfo | undefined => byCode.get(code)

/**
 * How a client may react to a code; an undocumented code is never retried.
 *
 * @since 0.1.0
 * @category getters
 */
export const retryClass = (code: number): RetryClass => byCode.get(code)?.retry ?? "none"

/**
 * Whether repeating the same call can succeed for this code (after re-signing, backing off,
 * or waiting a little); the daily quota is not, as it lasts until midnight.
 *
 * @since 0.1.0
 * @category getters
 */
export const isRetryable = (code: number): boolean => {
  const retry = retryClass(code)
  return retry === "resign" || retry === "backoff" || retry === "bounded"
}

/**
 * Codes that mean the caller is not allowed in, decoded as `AuthFault`. 20016 is not among
 * them: a fresh signature can cure it, so it arrives as a retryable `MarketoFault`.
 *
 * @since 0.1.0
 * @category constants
 */
export const authCodes: ReadonlyArray<number> = [20013, 20014]

/**
 * When a daily quota spent at `epochMillis` resets: the next midnight in America/Chicago
 * (Marketo documents the reset as "12:00AM CST"; the zone's daylight saving is followed).
 * Shared by the client's `QuotaExceeded` and the emulator's quota, so both agree.
 *
 * @since 0.1.0
 * @category getters
 */
export const quotaResetAfter = (epochMillis: number): Date => {
  const local = DateTime.unsafeMakeZoned(epochMillis, { timeZone: quotaZone })
  // toDateUtc: `toDate` of a zoned value gives its wall-clock time as if it were UTC.
  return DateTime.toDateUtc(DateTime.startOf(DateTime.add(local, { days: 1 }), "day"))
}

const quotaZone = DateTime.zoneUnsafeMakeNamed("America/Chicago")
