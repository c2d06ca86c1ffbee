/**
 * Client options with their defaults and Marketo's hard limits applied.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import type { Options } from "../MarketoClient.js"
import type { Settings } from "./client.js"

/** Marketo takes at most 100 objects per syncMObjects or deleteMObjects call. */
export const maxChunkSize = 100
/** Marketo allows at most 10 calls at once per instance. */
export const maxConcurrency = 10

const clampInt = (value: number | undefined, fallback: number, min: number, max: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.min(max, Math.max(min, Math.floor(value)))

/** @internal */
export const resolve = (options: Options = {}, maxObjectsPerCall: number = maxChunkSize): Settings => ({
  // A transport may carry more objects per call than SOAP's 100 (REST takes 300).
  chunkSize: clampInt(options.chunkSize, maxObjectsPerCall, 1, maxObjectsPerCall),
  concurrency: clampInt(options.concurrency, maxConcurrency, 1, maxConcurrency),
  rateLimit: {
    calls: clampInt(options.rateLimit?.calls, 100, 1, Number.MAX_SAFE_INTEGER),
    window: Duration.decode(options.rateLimit?.window ?? Duration.seconds(20)),
    inFlight: clampInt(options.rateLimit?.inFlight, maxConcurrency, 1, Number.MAX_SAFE_INTEGER)
  },
  retry: {
    maxAttempts: clampInt(options.retry?.maxAttempts, 5, 1, Number.MAX_SAFE_INTEGER),
    baseDelay: Duration.decode(options.retry?.baseDelay ?? Duration.seconds(1)),
    maxDelay: Duration.decode(options.retry?.maxDelay ?? Duration.seconds(30))
  },
  callTimeout: Duration.decode(options.callTimeout ?? Duration.seconds(60))
})
