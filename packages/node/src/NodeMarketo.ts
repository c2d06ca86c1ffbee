/**
 * mktows on Node: the MarketoClient over the REST or the SOAP transport, over
 * `node:http`/`node:https` with keep-alive connections (a quarter of the CPU of Node's fetch per
 * call), so a client install needs no `@effect/platform-node` and no server stack.
 *
 * ```ts
 * import { NodeMarketo } from "@mktows/node"
 * // REST when MARKETO_REST_ENDPOINT is set (with MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET),
 * // else SOAP (MARKETO_SOAP_ENDPOINT, MARKETO_USER_ID, MARKETO_ENCRYPTION_KEY)
 * program.pipe(Effect.provide(NodeMarketo.layerConfig()))
 * ```
 *
 * @since 0.1.0
 */
import * as HttpEdge from "@mktows/core/HttpEdge"
import * as Limits from "@mktows/core/Limits"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as RestTransport from "@mktows/rest/RestTransport"
import * as RestWire from "@mktows/rest/RestWire"
import * as SoapTransport from "@mktows/xml/SoapTransport"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeHttpClient from "./internal/httpClient.js"

/**
 * Everything the Node stack takes: where and as whom to call, how the client behaves, and
 * how the transport reads answers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends MarketoConfig.Options {
  readonly client?: MarketoClient.Options
  readonly transport?: SoapTransport.Options
}

// The client's `callTimeout` is the one timeout of a call; the transport has none to align.
const stack = <E>(
  config: Layer.Layer<MarketoConfig.MarketoConfig, E>,
  client: MarketoClient.Options | undefined,
  transport: SoapTransport.Options | undefined
): Layer.Layer<MarketoClient.MarketoClient, E | ConfigError.ConfigError> =>
  MarketoClient.layer(client).pipe(
    Layer.provide(SoapTransport.layer(transport)),
    Layer.provide(Layer.merge(config, NodeHttpClient.layer))
  )

/**
 * A MarketoClient for the given endpoint and credentials.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError> =>
  stack(MarketoConfig.layer(options), options.client, options.transport)

/**
 * A MarketoClient over REST: the instance's REST base, identity and LaunchPoint credentials,
 * with the client's options and the REST transport's (`maxResponseBytes`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRest = (
  config: Layer.Layer<RestConfig.RestConfig, ConfigError.ConfigError>,
  client?: MarketoClient.Options,
  transport?: RestTransport.Options
): Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError> =>
  MarketoClient.layer(client).pipe(
    Layer.provide(RestTransport.layer(transport)),
    Layer.provide(Layer.merge(config, NodeHttpClient.layer))
  )

// Blank counts as unset, so a parent process can switch REST off for a child.
const restEndpoint = Config.string("MARKETO_REST_ENDPOINT").pipe(
  Config.option,
  Config.map(Option.filter((endpoint) => endpoint.trim() !== ""))
)

/**
 * The transport {@link layerConfig} picks from the environment (without an explicit
 * `config`): `"rest"` when `MARKETO_REST_ENDPOINT` is set and not blank, else `"soap"`. For a
 * program that must know before it builds the client (a command line's defaults and help).
 *
 * @since 0.1.0
 * @category transports
 */
export const configuredTransport: Effect.Effect<"soap" | "rest"> = Effect.map(
  Effect.orElseSucceed(restEndpoint, () => Option.none<string>()),
  (rest) => (Option.isSome(rest) ? "rest" : "soap")
)

/**
 * The most objects one syncMObjects or deleteMObjects call carries over each transport, the
 * client's chunk size unless told less: Marketo's 100 over SOAP, a REST request's 300 over
 * REST (each transport's own `maxObjectsPerCall`).
 *
 * @since 0.1.0
 * @category transports
 */
export const maxObjectsPerCall: { readonly soap: number; readonly rest: number } = {
  soap: Limits.maxObjectsPerCall,
  rest: RestWire.maxRecordsPerCall
}

/**
 * A MarketoClient configured from the environment, over REST when `MARKETO_REST_ENDPOINT` is
 * set (with `MARKETO_IDENTITY_ENDPOINT`, `MARKETO_CLIENT_ID`, `MARKETO_CLIENT_SECRET`), else
 * over SOAP: `MARKETO_SOAP_ENDPOINT`, `MARKETO_USER_ID`, `MARKETO_ENCRYPTION_KEY` (read as
 * `Redacted`) and optionally `MARKETO_TIME_ZONE`. It logs which transport it picked. An
 * explicit `config` is a SOAP configuration and picks SOAP.
 *
 * @example
 * import * as MarketoClient from "@mktows/core/MarketoClient"
 * import * as NodeMarketo from "@mktows/node/NodeMarketo"
 * import * as Effect from "effect/Effect"
 *
 * // REST when MARKETO_REST_ENDPOINT is set, else SOAP from MARKETO_SOAP_ENDPOINT and its credentials.
 * export const main = MarketoClient.listMObjects().pipe(Effect.provide(NodeMarketo.layerConfig()))
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: {
    readonly config?: Config.Config<MarketoConfig.MarketoConfigShape>
    readonly client?: MarketoClient.Options
    /** The SOAP transport's options, when SOAP is picked. */
    readonly transport?: SoapTransport.Options
    /** The REST transport's options, when REST is picked. */
    readonly restTransport?: RestTransport.Options
  }
): Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const rest = options?.config === undefined ? yield* restEndpoint : Option.none()
    if (Option.isSome(rest)) {
      yield* Effect.logInfo(`mktows: REST transport (MARKETO_REST_ENDPOINT ${HttpEdge.shownUrl(rest.value)})`)
      return layerRest(RestConfig.layerConfig(), options?.client, options?.restTransport)
    }
    yield* Effect.logInfo("mktows: SOAP transport (MARKETO_REST_ENDPOINT is not set)")
    return stack(MarketoConfig.layerConfig(options?.config), options?.client, options?.transport)
  }))
