/**
 * Where an example runs, and over which transport:
 * - `MARKETO_REST_ENDPOINT` set: that instance over REST (with `MARKETO_CLIENT_ID`,
 *   `MARKETO_CLIENT_SECRET`, optionally `MARKETO_IDENTITY_ENDPOINT`);
 * - else `MARKETO_SOAP_ENDPOINT` set: that instance over SOAP (with `MARKETO_USER_ID` and
 *   `MARKETO_ENCRYPTION_KEY`);
 * - else an emulator started in-process on a free port with its default data and demo
 *   credentials, over SOAP, or over REST when `MKTOWS_EXAMPLE_TRANSPORT=rest`.
 *
 * @since 0.1.0
 */
import type { ServeError } from "@effect/platform/HttpServerError"
import type * as MarketoClient from "@mktows/core/MarketoClient"
import * as Emulator from "@mktows/emulator/Emulator"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * The transports an example can run over.
 *
 * @since 0.1.0
 * @category models
 */
export type Transport = "SOAP" | "REST"

/**
 * Marketo's documented demo user and key: the emulator accepts them by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const demoCredentials = {
  userId: "demo17_1_809934544BFABAE58E5D27",
  encryptionKey: Redacted.make("27272727aa")
} as const

/**
 * A client for an emulator at `url` that accepts the demo credentials.
 *
 * @since 0.1.0
 * @category layers
 */
export const emulatorClient = (url: string): Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError> =>
  NodeMarketo.layer({ endpoint: url, ...demoCredentials })

/**
 * A client for an emulator's REST side, with the emulator's default client credentials.
 *
 * @since 0.1.0
 * @category layers
 */
export const emulatorRestClient = (
  restUrl: string
): Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError> =>
  NodeMarketo.layerRest(
    RestConfig.layer({ endpoint: restUrl, clientId: "mktows-demo-client", clientSecret: "mktows-demo-secret" })
  )

// Blank counts as unset, so a caller (the demo) can switch the real instance off for a child process.
const setting = (name: string) =>
  Config.string(name).pipe(Config.option, Config.map(Option.filter((value) => value.trim() !== "")))

const emulatorTransport = Config.string("MKTOWS_EXAMPLE_TRANSPORT").pipe(
  Config.withDefault("soap"),
  Config.map((text): Transport => text.trim().toLowerCase() === "rest" ? "REST" : "SOAP")
)

/**
 * The transport the examples' environment picks (by the same rules as {@link layer}), so an
 * example can name its objects the way that transport can: SOAP keys on Marketo ids and any
 * custom field, REST on `externalOpportunityId`, `externalCompanyId` and `marketoGUID`.
 *
 * @since 0.1.0
 * @category getters
 */
export const transport: Effect.Effect<Transport> = Effect.gen(function*() {
  if (Option.isSome(yield* setting("MARKETO_REST_ENDPOINT"))) return "REST" as const
  if (Option.isSome(yield* setting("MARKETO_SOAP_ENDPOINT"))) return "SOAP" as const
  return yield* emulatorTransport
}).pipe(Effect.orElseSucceed((): Transport => "SOAP"))

/**
 * The external key of an opportunity: a custom field over SOAP, REST's dedupe field over REST.
 *
 * @since 0.1.0
 * @category constructors
 */
export const opportunityKey = (transport: Transport, value: string) =>
  ({ name: transport === "REST" ? "externalOpportunityId" : "opportunityId", value }) as const

/**
 * The external key of a company: the emulator's custom field over SOAP, `externalCompanyId` over REST.
 *
 * @since 0.1.0
 * @category constructors
 */
export const companyKey = (transport: Transport, value: string) =>
  ({ name: transport === "REST" ? "externalCompanyId" : "companyId", value }) as const

/**
 * The client an example runs with; says on stderr which Marketo it talks to.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError | ServeError> = Layer
  .unwrapScoped(
    Effect.gen(function*() {
      const rest = yield* setting("MARKETO_REST_ENDPOINT")
      if (Option.isSome(rest)) {
        yield* Console.error(`Marketo: ${rest.value} over REST (from MARKETO_REST_ENDPOINT)`)
        return NodeMarketo.layerConfig()
      }
      const endpoint = yield* setting("MARKETO_SOAP_ENDPOINT")
      if (Option.isSome(endpoint)) {
        yield* Console.error(`Marketo: ${endpoint.value} over SOAP (from MARKETO_SOAP_ENDPOINT)`)
        return NodeMarketo.layerConfig()
      }
      const emulator = yield* Emulator.make()
      if ((yield* emulatorTransport) === "REST") {
        yield* Console.error(
          `Marketo: in-process emulator over REST at ${emulator.restUrl} (no MARKETO_*_ENDPOINT set)`
        )
        return emulatorRestClient(emulator.restUrl)
      }
      yield* Console.error(`Marketo: in-process emulator over SOAP at ${emulator.url} (no MARKETO_*_ENDPOINT set)`)
      return emulatorClient(emulator.url)
    })
  )
