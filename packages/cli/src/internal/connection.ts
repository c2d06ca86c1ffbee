/**
 * The MarketoClient of a command, built the way the library builds it
 * (`NodeMarketo.layerConfig`, so every transport it knows works), with the endpoint and
 * user id optionally given as flags. The key or secret comes only from the environment or,
 * on a terminal, from a prompt that does not echo it; it is held as `Redacted` throughout.
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Prompt from "@effect/cli/Prompt"
import * as Limits from "@mktows/core/Limits"
import type * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoError from "@mktows/core/MarketoError"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Stop } from "./failure.js"
import type * as Journal from "./journal.js"

/** Where and as whom to connect, from the command line. */
export interface Flags {
  readonly endpoint: Option.Option<string>
  readonly userId: Option.Option<string>
}

/** The transport the environment configures: REST whenever MARKETO_REST_ENDPOINT is set (and not blank). */
export type Transport = "soap" | "rest"

/** The transport the environment configures: the library's own choice (`NodeMarketo.layerConfig`). */
export const configured: Effect.Effect<Transport> = NodeMarketo.configuredTransport

/** The most objects one call of `transport` carries: 100 over SOAP, 300 over REST. */
export const maxObjectsPerCall = (transport: Transport): number => NodeMarketo.maxObjectsPerCall[transport]

/** Marketo's rate limit, the client's default: 100 calls in any 20 s. */
export const marketoRateLimit = { calls: Limits.maxCallsPerWindow, seconds: Limits.rateWindowSeconds } as const

/** A client-side rate limit: at most `calls` calls in any `seconds`. */
export interface RateLimit {
  readonly calls: number
  readonly seconds: number
}

/**
 * Reads `--rate-limit CALLS/SECONDS` (e.g. `100/20`): whole calls from 1, seconds above
 * zero (fractions allowed, e.g. `1000/0.5`).
 */
export const parseRateLimit = (text: string): Effect.Effect<RateLimit, Stop> => {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(text)
  const calls = match === null ? NaN : Number(match[1])
  const seconds = match === null ? NaN : Number(match[2])
  return Number.isSafeInteger(calls) && calls >= 1 && Number.isFinite(seconds) && seconds > 0
    ? Effect.succeed({ calls, seconds })
    : Effect.fail(
      new Stop({
        code: 2,
        detail:
          `--rate-limit ${text}: expected CALLS/SECONDS with at least 1 call and more than 0 seconds, e.g. 100/20 (Marketo's limit)`
      })
    )
}

/** The client's options for a rate limit. */
export const rateLimitOptions = (limit: RateLimit): NonNullable<MarketoClient.Options["rateLimit"]> => ({
  calls: limit.calls,
  window: Duration.seconds(limit.seconds)
})

const present = (name: string) =>
  Effect.map(Effect.orElseSucceed(Config.option(Config.string(name)), () => Option.none()), Option.isSome)

const settingsHint =
  "Over SOAP, set MARKETO_SOAP_ENDPOINT (or --endpoint), MARKETO_USER_ID (or --user-id) and MARKETO_ENCRYPTION_KEY in the environment; over REST, set MARKETO_REST_ENDPOINT, MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET, and MARKETO_IDENTITY_ENDPOINT unless it is …/identity beside …/rest (REST is used whenever MARKETO_REST_ENDPOINT is set)."

const setting = (name: string) =>
  Effect.orElseSucceed(Config.option(Config.string(name)), () => Option.none<string>()).pipe(
    Effect.map(Option.filter((value) => value.trim() !== ""))
  )

/**
 * An endpoint as a journal records it: without credentials, query or fragment (they are no part
 * of where the calls go, and may be secret), the host in lower case, no trailing slash, so that
 * one endpoint written two ways is one destination. Text that is no URL is kept as it is: the
 * connection refuses it before a journal is read.
 */
export const endpointOf = (text: string): string => {
  const trimmed = text.trim()
  if (!URL.canParse(trimmed)) return trimmed
  const url = new URL(trimmed)
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`
}

/**
 * Where the calls of a command with `flags` go, as the layer below configures the client: the
 * transport, its endpoint and the user id (SOAP) or client id (REST). Never the key or secret.
 */
export const destination = (flags: Flags): Effect.Effect<Journal.Destination> =>
  Effect.gen(function*() {
    const transport = yield* configured
    // The flags are SOAP's, and win over the environment as they do in the layer.
    const endpoint = transport === "rest"
      ? yield* setting("MARKETO_REST_ENDPOINT")
      : Option.isSome(flags.endpoint)
      ? flags.endpoint
      : yield* setting("MARKETO_SOAP_ENDPOINT")
    const user = transport === "rest"
      ? yield* setting("MARKETO_CLIENT_ID")
      : Option.isSome(flags.userId)
      ? flags.userId
      : yield* setting("MARKETO_USER_ID")
    return {
      transport,
      endpoint: endpointOf(Option.getOrElse(endpoint, () => "")),
      ...(Option.isSome(user) ? { user: user.value.trim() } : {})
    }
  })

/** The client layer for `flags`, over the environment; asks for the key on a terminal when none is set. */
export const layer = (
  flags: Flags,
  client: MarketoClient.Options,
  interactive: boolean
): Layer.Layer<MarketoClient.MarketoClient, Stop, CliApp.CliApp.Environment> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const values = new Map<string, string>()
    if (Option.isSome(flags.endpoint)) values.set("MARKETO_SOAP_ENDPOINT", flags.endpoint.value)
    if (Option.isSome(flags.userId)) values.set("MARKETO_USER_ID", flags.userId.value)
    const rest = (yield* configured) === "rest"
    const secretName = rest ? "MARKETO_CLIENT_SECRET" : "MARKETO_ENCRYPTION_KEY"
    // The settings the transport cannot do without, named one by one: the ConfigError of the
    // layered providers would say each one twice ("in the provided map" or "in the process context").
    const required = rest
      ? ["MARKETO_REST_ENDPOINT", "MARKETO_CLIENT_ID"]
      : ["MARKETO_SOAP_ENDPOINT", "MARKETO_USER_ID"]
    const missing: Array<string> = []
    for (const name of required) if (!values.has(name) && !(yield* present(name))) missing.push(name)
    const hasKey = yield* present(secretName)
    // The secret is asked for only when nothing else is missing: no prompt before an error.
    if (!hasKey && interactive && missing.length === 0) {
      const what = rest ? "Marketo REST client secret" : "Marketo encryption key"
      const key = yield* Prompt.run(Prompt.hidden({ message: `${what} (not shown)` })).pipe(
        Effect.mapError(() => new Stop({ code: 2, detail: `no ${what} was given` }))
      )
      // Only in this process's configuration: never printed, never written to a file.
      values.set(secretName, Redacted.value(key))
    }
    if (!values.has(secretName) && !hasKey) missing.push(secretName)
    if (missing.length > 0) {
      return yield* Effect.fail(
        new Stop({
          code: 2,
          detail: `cannot connect to Marketo over ${rest ? "REST" : "SOAP"}: ${missing.join(", ")} ${
            missing.length === 1 ? "is" : "are"
          } not set. ${settingsHint}`
        })
      )
    }
    const provider = ConfigProvider.fromMap(values).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
    return NodeMarketo.layerConfig({ client }).pipe(
      Layer.mapError((error) =>
        new Stop({
          code: 2,
          detail: `cannot connect to Marketo: ${configProblem(error)}. ${settingsHint}`
        })
      ),
      Layer.provide(Layer.setConfigProvider(provider))
    )
  }))

/** A configuration error with the setting it is about (`MARKETO_REST_ENDPOINT: expected …`). */
const configProblem = (error: ConfigError.ConfigError): string => {
  const path = "path" in error && Array.isArray(error.path) && error.path.length > 0 ? error.path.join(".") : undefined
  return path === undefined || error.message.includes(path) ? error.message : `${path}: ${error.message}`
}

/**
 * An error as the command says it: an endpoint that could not be reached names the setting
 * that points at it (the identity endpoint has a default the user may not know of).
 */
export const explain = (error: { readonly message: string }, transport?: Transport): string => {
  // Any error the commands print; only a TransportError of a connection, or of a path the
  // endpoint does not have (HTTP 404: a base URL without its /rest), gets the hint.
  if (
    !(error instanceof MarketoError.TransportError) ||
    (error.reason !== "Connection" && !(error.reason === "Status" && error.status === 404))
  ) return error.message
  return `${error.message} (${
    error.operation === "identity"
      ? "check MARKETO_IDENTITY_ENDPOINT: by default the /identity beside MARKETO_REST_ENDPOINT's /rest"
      : transport === "rest"
      ? "check MARKETO_REST_ENDPOINT, which ends in /rest"
      : transport === "soap"
      ? "check MARKETO_SOAP_ENDPOINT (--endpoint)"
      : "check MARKETO_REST_ENDPOINT over REST, MARKETO_SOAP_ENDPOINT (--endpoint) over SOAP"
  })`
}
