/**
 * Where and as whom to call Marketo: endpoint, user id and encryption key.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as HttpEdge from "./HttpEdge.js"
import type { Credentials } from "./Signature.js"

/**
 * The settings of one Marketo instance.
 *
 * @since 0.1.0
 * @category models
 */
export interface MarketoConfigShape extends Credentials {
  /** The SOAP endpoint, e.g. `https://123-ABC-456.mktoapi.com/soap/mktows/2_9`. */
  readonly endpoint: string
}

/**
 * The settings of the Marketo instance to call, as a service: transports read it to sign
 * and address every call.
 *
 * @since 0.1.0
 * @category tags
 */
export class MarketoConfig extends Context.Tag("@mktows/core/MarketoConfig")<MarketoConfig, MarketoConfigShape>() {}

/**
 * Options of {@link layer}; the key may be given plain and is wrapped in `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly endpoint: string
  readonly userId: string
  readonly encryptionKey: Redacted.Redacted<string> | string
  readonly timeZone?: DateTime.TimeZone | string
}

/** Where each setting came from, for error messages: an option name or a variable. */
interface Names {
  readonly endpoint: string
  readonly userId: string
  readonly encryptionKey: string
  readonly timeZone: string
}

const optionNames: Names = {
  endpoint: "endpoint",
  userId: "userId",
  encryptionKey: "encryptionKey",
  timeZone: "timeZone"
}

/**
 * The environment variables {@link config} reads.
 *
 * @since 0.1.0
 * @category constants
 */
export const variables = {
  endpoint: "MARKETO_SOAP_ENDPOINT",
  userId: "MARKETO_USER_ID",
  encryptionKey: "MARKETO_ENCRYPTION_KEY",
  timeZone: "MARKETO_TIME_ZONE"
} as const

const check = (
  options: Options,
  names: Names = optionNames
): Either.Either<MarketoConfigShape, ConfigError.ConfigError> => {
  // Typed callers cannot pass anything else, but options may come from JSON or plain JS.
  if (typeof options.endpoint !== "string") {
    return Either.left(ConfigError.MissingData([names.endpoint], "the Marketo SOAP endpoint is missing"))
  }
  if (HttpEdge.httpUrl(options.endpoint) === undefined) {
    return Either.left(
      ConfigError.InvalidData([names.endpoint], HttpEdge.notHttpUrl(options.endpoint))
    )
  }
  if (typeof options.userId !== "string") {
    return Either.left(ConfigError.MissingData([names.userId], "the Marketo user id is missing"))
  }
  if (options.userId.trim() === "") {
    return Either.left(ConfigError.InvalidData([names.userId], "the Marketo user id is empty"))
  }
  if (options.encryptionKey === undefined || options.encryptionKey === null) {
    return Either.left(ConfigError.MissingData([names.encryptionKey], "the Marketo encryption key is missing"))
  }
  const encryptionKey = Redacted.isRedacted(options.encryptionKey)
    ? options.encryptionKey
    : Redacted.make(String(options.encryptionKey))
  if (Redacted.value(encryptionKey) === "") {
    return Either.left(ConfigError.InvalidData([names.encryptionKey], "the Marketo encryption key is empty"))
  }
  let timeZone: DateTime.TimeZone | undefined
  if (typeof options.timeZone === "string") {
    const zone = DateTime.zoneFromString(options.timeZone)
    if (Option.isNone(zone)) {
      return Either.left(
        ConfigError.InvalidData(
          [names.timeZone],
          `expected an IANA zone or an offset like -07:00, got "${options.timeZone}"`
        )
      )
    }
    timeZone = zone.value
  } else {
    timeZone = options.timeZone
  }
  return Either.right({
    endpoint: options.endpoint,
    userId: options.userId,
    encryptionKey,
    ...(timeZone === undefined ? {} : { timeZone })
  })
}

/**
 * Checks options and builds the settings: an http(s) endpoint, a non-empty user id and key,
 * a known time zone.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<MarketoConfigShape, ConfigError.ConfigError> => check(options)

/**
 * The settings from the environment: `MARKETO_SOAP_ENDPOINT`, `MARKETO_USER_ID`,
 * `MARKETO_ENCRYPTION_KEY` (read as `Redacted`) and optionally `MARKETO_TIME_ZONE`. An error
 * names the variable that is missing or wrong.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<MarketoConfigShape> = Config.all({
  endpoint: Config.string(variables.endpoint),
  userId: Config.string(variables.userId),
  // Read as a string and wrapped at once: `Config.redacted` would also redact the error of
  // a missing variable, which then reads "<redacted>" as if a value were set.
  encryptionKey: Config.map(Config.string(variables.encryptionKey), Redacted.make),
  timeZone: Config.option(Config.string(variables.timeZone))
}).pipe(
  Config.mapOrFail(({ timeZone, ...rest }) =>
    check(
      Option.match(timeZone, { onNone: () => rest, onSome: (zone) => ({ ...rest, timeZone: zone }) }),
      variables
    )
  )
)

/**
 * The settings from `options`, checked as {@link make} checks them; a bad option fails the
 * layer with a `ConfigError` naming it, before any call is made.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<MarketoConfig, ConfigError.ConfigError> =>
  Layer.effect(MarketoConfig, make(options))

/**
 * The settings read from `Config` ({@link config}, the environment, when not given) and
 * checked when the layer is built.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  settings: Config.Config<MarketoConfigShape> = config
): Layer.Layer<MarketoConfig, ConfigError.ConfigError> => Layer.effect(MarketoConfig, settings)
