/**
 * mktows on Node: the MarketoClient over the SOAP transport over Node's fetch (undici inside
 * Node), so a client install needs no `@effect/platform-node` and no server stack.
 *
 * ```ts
 * import { NodeMarketo } from "@mktows/node"
 * // endpoint, user id and key from MARKETO_SOAP_ENDPOINT, MARKETO_USER_ID, MARKETO_ENCRYPTION_KEY
 * program.pipe(Effect.provide(NodeMarketo.layerConfig()))
 * ```
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import * as SoapTransport from "@mktows/xml/SoapTransport"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"

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
    Layer.provide(Layer.merge(config, FetchHttpClient.layer))
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
 * A MarketoClient configured from the environment: `MARKETO_SOAP_ENDPOINT`,
 * `MARKETO_USER_ID`, `MARKETO_ENCRYPTION_KEY` (read as `Redacted`) and optionally
 * `MARKETO_TIME_ZONE`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: {
    readonly config?: Config.Config<MarketoConfig.MarketoConfigShape>
    readonly client?: MarketoClient.Options
    readonly transport?: SoapTransport.Options
  }
): Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError> =>
  stack(MarketoConfig.layerConfig(options?.config), options?.client, options?.transport)
