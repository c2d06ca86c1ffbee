/**
 * Where and as whom the REST transport calls: the instance's REST base URL, its identity
 * URL, and a LaunchPoint client id and secret (the secret `Redacted` everywhere).
 *
 * ```ts
 * // MARKETO_REST_ENDPOINT=https://123-ABC-456.mktorest.com/rest
 * // MARKETO_IDENTITY_ENDPOINT (optional; default …/identity beside …/rest)
 * // MARKETO_CLIENT_ID, MARKETO_CLIENT_SECRET, MARKETO_IDENTITY_TIMEOUT (optional; default 20 seconds)
 * RestTransport.layer().pipe(Layer.provide(RestConfig.layerConfig()))
 * ```
 *
 * @since 0.1.0
 */
import * as HttpEdge from "@mktows/core/HttpEdge"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * @since 0.1.0
 * @category models
 */
export interface RestConfigShape {
  /** The REST base, e.g. `https://123-ABC-456.mktorest.com/rest`, without a trailing slash. */
  readonly endpoint: string
  /** The identity base, e.g. `https://123-ABC-456.mktorest.com/identity`. */
  readonly identityEndpoint: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /**
   * How long a token request may take before it fails (as not sent: no record request has
   * gone out yet). The client's `callTimeout` covers it too: whichever ends first, a call
   * whose token never came fails as not sent (a `TimeoutError` with `ambiguous: false` when
   * it is the call's), and nothing is IN_DOUBT.
   *
   * @since 0.1.0
   */
  readonly identityTimeout: Duration.Duration
}

/**
 * The default {@link RestConfigShape.identityTimeout}: 20 seconds, a third of the client's
 * default call timeout.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultIdentityTimeout: Duration.Duration = Duration.seconds(20)

/**
 * @since 0.1.0
 * @category tags
 */
export class RestConfig extends Context.Tag("@mktows/rest/RestConfig")<RestConfig, RestConfigShape>() {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly endpoint: string
  /** Default: the endpoint with its last `/rest` segment replaced by `/identity`. */
  readonly identityEndpoint?: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string> | string
  /** Default {@link defaultIdentityTimeout}. */
  readonly identityTimeout?: Duration.DurationInput
}

const trimSlash = (text: string): string => text.replace(/\/+$/, "")

/**
 * The identity base Marketo pairs with a REST base: `…/rest` becomes `…/identity`; any
 * other path is replaced by `/identity` at the origin.
 *
 * @since 0.1.0
 * @category constructors
 */
export const identityFor = (endpoint: string): string => {
  const base = trimSlash(endpoint)
  return /\/rest$/.test(base) ? base.replace(/\/rest$/, "/identity") : `${new URL(base).origin}/identity`
}

/** Where each setting came from, as a `ConfigError` names it: an option, or an environment variable. */
type Names = Readonly<Record<"endpoint" | "identityEndpoint" | "clientId" | "clientSecret" | "identityTimeout", string>>

const optionNames: Names = {
  endpoint: "endpoint",
  identityEndpoint: "identityEndpoint",
  clientId: "clientId",
  clientSecret: "clientSecret",
  identityTimeout: "identityTimeout"
}

const variableNames: Names = {
  endpoint: "MARKETO_REST_ENDPOINT",
  identityEndpoint: "MARKETO_IDENTITY_ENDPOINT",
  clientId: "MARKETO_CLIENT_ID",
  clientSecret: "MARKETO_CLIENT_SECRET",
  identityTimeout: "MARKETO_IDENTITY_TIMEOUT"
}

const check = (
  options: Options,
  names: Names = optionNames
): Either.Either<RestConfigShape, ConfigError.ConfigError> => {
  if (HttpEdge.httpUrl(options.endpoint) === undefined) {
    return Either.left(
      ConfigError.InvalidData(
        [names.endpoint],
        HttpEdge.notHttpUrl(options.endpoint, "https://123-ABC-456.mktorest.com/rest")
      )
    )
  }
  const identity = options.identityEndpoint ?? identityFor(options.endpoint)
  if (HttpEdge.httpUrl(identity) === undefined) {
    // Derived from the REST endpoint when not given: that is the setting to fix.
    const name = options.identityEndpoint === undefined ? names.endpoint : names.identityEndpoint
    return Either.left(ConfigError.InvalidData([name], HttpEdge.notHttpUrl(identity)))
  }
  if (options.clientId.trim() === "") {
    return Either.left(ConfigError.InvalidData([names.clientId], "the client id is empty"))
  }
  const clientSecret = Redacted.isRedacted(options.clientSecret)
    ? options.clientSecret
    : Redacted.make(options.clientSecret)
  if (Redacted.value(clientSecret) === "") {
    return Either.left(ConfigError.InvalidData([names.clientSecret], "the client secret is empty"))
  }
  const identityTimeout = options.identityTimeout === undefined
    ? defaultIdentityTimeout
    : Duration.decodeUnknown(options.identityTimeout).pipe((d) => d._tag === "Some" ? d.value : undefined)
  if (identityTimeout === undefined || !Duration.greaterThan(identityTimeout, Duration.zero)) {
    return Either.left(ConfigError.InvalidData([names.identityTimeout], "expected a duration above zero"))
  }
  return Either.right({
    endpoint: trimSlash(options.endpoint),
    identityEndpoint: trimSlash(identity),
    clientId: options.clientId,
    clientSecret,
    identityTimeout
  })
}

/**
 * Checks options: http(s) URLs, a client id and a non-empty secret.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<RestConfigShape, ConfigError.ConfigError> => check(options)

/**
 * From `MARKETO_REST_ENDPOINT`, `MARKETO_IDENTITY_ENDPOINT` (optional), `MARKETO_CLIENT_ID`,
 * `MARKETO_CLIENT_SECRET` (read as `Redacted`) and `MARKETO_IDENTITY_TIMEOUT` (optional, a
 * duration such as `20 seconds`, the default).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<RestConfigShape> = Config.all({
  identityTimeout: Config.option(Config.duration("MARKETO_IDENTITY_TIMEOUT")),
  endpoint: Config.string("MARKETO_REST_ENDPOINT"),
  identityEndpoint: Config.option(Config.string("MARKETO_IDENTITY_ENDPOINT")),
  clientId: Config.string("MARKETO_CLIENT_ID"),
  // Read as a string and wrapped at once: `Config.redacted` would also redact the error of a
  // missing variable, which then reads "<redacted>" as if a value were set.
  clientSecret: Config.map(Config.string("MARKETO_CLIENT_SECRET"), Redacted.make)
}).pipe(
  Config.mapOrFail(({ identityEndpoint, identityTimeout, ...rest }) =>
    check({
      ...rest,
      ...Option.match(identityEndpoint, { onNone: () => ({}), onSome: (url) => ({ identityEndpoint: url }) }),
      ...Option.match(identityTimeout, { onNone: () => ({}), onSome: (d) => ({ identityTimeout: d }) })
    }, variableNames)
  )
)

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<RestConfig, ConfigError.ConfigError> =>
  Layer.effect(RestConfig, make(options))

/**
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  settings: Config.Config<RestConfigShape> = config
): Layer.Layer<RestConfig, ConfigError.ConfigError> => Layer.effect(RestConfig, settings)
