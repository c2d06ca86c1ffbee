/**
 * Client options checked, with their defaults and Marketo's hard limits applied.
 *
 * Options are checked when the client is built, so a nonsense value (a window that is not a
 * duration, a timeout of zero) fails the layer with a `ConfigError` naming the option, instead
 * of crashing later or timing every call out before it is sent.
 *
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Limits from "../Limits.js"
import type { Options } from "../MarketoClient.js"
import type { LimiterOptions } from "./limiter.js"
import type { RetryPolicy } from "./retry.js"

/** @internal */
export interface Settings {
  /** Objects per call as the caller asked; the engine caps it at the transport's maximum. */
  readonly chunkSize?: number
  readonly concurrency: number
  readonly rateLimit: LimiterOptions
  readonly retry: RetryPolicy
  readonly callTimeout: Duration.Duration
}

/** @internal */
export const defaults = {
  concurrency: Limits.maxConcurrentCalls,
  calls: Limits.maxCallsPerWindow,
  window: Duration.seconds(Limits.rateWindowSeconds),
  inFlight: Limits.maxConcurrentCalls,
  maxAttempts: 5,
  baseDelay: Duration.seconds(1),
  maxDelay: Duration.seconds(30),
  callTimeout: Duration.seconds(60)
} as const

type Path = ReadonlyArray<string>

// Each reader returns the value or what is wrong with it; `undefined` input means the default.
type Read<A> = Either.Either<A, ConfigError.ConfigError>

const show = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value)
  return value === null ? "null" : typeof value
}

const invalid = (path: Path, expected: string, value: unknown): ConfigError.ConfigError =>
  ConfigError.InvalidData([...path], `expected ${expected}, got ${show(value)}`)

const positiveInt = (path: Path, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): Read<number> =>
  value === undefined
    ? Either.right(fallback)
    : typeof value === "number" && Number.isSafeInteger(value) && value >= 1
    ? Either.right(Math.min(max, value))
    : Either.left(invalid(path, "a whole number of at least 1", value))

const duration = (
  path: Path,
  value: unknown,
  fallback: Duration.Duration,
  rule: { readonly positive: boolean; readonly finite: boolean }
): Read<Duration.Duration> => {
  if (value === undefined) return Either.right(fallback)
  const decoded = Duration.decodeUnknown(value)
  const expected = `a ${rule.finite ? "finite " : ""}duration${
    rule.positive ? " above zero" : ""
  } (e.g. "20 seconds" or a number of milliseconds)`
  if (decoded._tag === "None") return Either.left(invalid(path, expected, value))
  const d = decoded.value
  const ok = (!rule.finite || Duration.isFinite(d)) && (!rule.positive || Duration.greaterThan(d, Duration.zero))
  return ok ? Either.right(d) : Either.left(invalid(path, expected, Duration.format(d)))
}

const object = (path: Path, value: unknown): Read<Record<string, unknown>> =>
  value === undefined
    ? Either.right({})
    : typeof value === "object" && value !== null && !Array.isArray(value)
    ? Either.right(value as Record<string, unknown>)
    : Either.left(invalid(path, "an object", value))

/**
 * The settings of `options`, or a `ConfigError` naming every option that is wrong.
 *
 * @internal
 */
export const validate = (options: Options | undefined = {}): Either.Either<Settings, ConfigError.ConfigError> => {
  const errors: Array<ConfigError.ConfigError> = []
  const take = <A>(read: Read<A>, fallback: A): A => {
    if (Either.isRight(read)) return read.right
    errors.push(read.left)
    return fallback
  }
  const root = take(object([], options), {})
  const rateLimit = take(object(["rateLimit"], root.rateLimit), {})
  const retry = take(object(["retry"], root.retry), {})
  const chunkSize = root.chunkSize === undefined ? undefined : take(positiveInt(["chunkSize"], root.chunkSize, 1), 1)
  const settings: Settings = {
    ...(chunkSize === undefined ? {} : { chunkSize }),
    concurrency: take(
      positiveInt(["concurrency"], root.concurrency, defaults.concurrency, Limits.maxConcurrentCalls),
      1
    ),
    rateLimit: {
      calls: take(positiveInt(["rateLimit", "calls"], rateLimit.calls, defaults.calls), 1),
      window: take(
        duration(["rateLimit", "window"], rateLimit.window, defaults.window, { positive: true, finite: true }),
        defaults.window
      ),
      inFlight: take(positiveInt(["rateLimit", "inFlight"], rateLimit.inFlight, defaults.inFlight), 1)
    },
    retry: {
      maxAttempts: take(positiveInt(["retry", "maxAttempts"], retry.maxAttempts, defaults.maxAttempts), 1),
      baseDelay: take(
        duration(["retry", "baseDelay"], retry.baseDelay, defaults.baseDelay, { positive: false, finite: true }),
        defaults.baseDelay
      ),
      maxDelay: take(
        duration(["retry", "maxDelay"], retry.maxDelay, defaults.maxDelay, { positive: false, finite: false }),
        defaults.maxDelay
      )
    },
    // Infinite is allowed (no timeout); zero is not: every call would time out before it is sent.
    callTimeout: take(
      duration(["callTimeout"], root.callTimeout, defaults.callTimeout, { positive: true, finite: false }),
      defaults.callTimeout
    )
  }
  const [first, ...rest] = errors
  return first === undefined ? Either.right(settings) : Either.left(rest.reduce(ConfigError.And, first))
}

/**
 * The settings of options known to be valid (tests and internal callers); invalid options
 * fall back to the defaults. The client itself uses {@link validate}.
 *
 * @internal
 */
export const resolve = (options?: Options): Settings => Either.getOrElse(validate(options), () => defaultSettings)

const defaultSettings: Settings = {
  concurrency: defaults.concurrency,
  rateLimit: { calls: defaults.calls, window: defaults.window, inFlight: defaults.inFlight },
  retry: { maxAttempts: defaults.maxAttempts, baseDelay: defaults.baseDelay, maxDelay: defaults.maxDelay },
  callTimeout: defaults.callTimeout
}
