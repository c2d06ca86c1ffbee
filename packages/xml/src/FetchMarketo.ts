/**
 * mktows wherever `fetch` and Web Crypto are: the MarketoClient over the SOAP transport over
 * `@effect/platform`'s `FetchHttpClient`. No Node imports, so it runs on Bun, Deno, Cloudflare
 * Workers and in browsers (where Marketo's CORS rules allow) as well as on Node.
 *
 * ```ts
 * import * as FetchMarketo from "@mktows/xml/FetchMarketo"
 *
 * // A Worker: the settings come from its env bindings.
 * export default {
 *   fetch: (request: Request, env: Env) =>
 *     handle(request).pipe(
 *       Effect.provide(FetchMarketo.layer({
 *         endpoint: env.MARKETO_SOAP_ENDPOINT,
 *         userId: env.MARKETO_USER_ID,
 *         encryptionKey: Redacted.make(env.MARKETO_ENCRYPTION_KEY)
 *       })),
 *       Effect.runPromise
 *     )
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SoapTransport from "./SoapTransport.js"

/**
 * Where and as whom to call, how the client behaves, how the transport reads answers, and
 * optionally the `fetch` to call with (a Worker's service binding, an instrumented fetch);
 * the runtime's global `fetch` when absent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends MarketoConfig.Options {
  readonly client?: MarketoClient.Options
  readonly transport?: SoapTransport.Options
  readonly fetch?: typeof globalThis.fetch
}

/**
 * `FetchHttpClient` over the global `fetch`, or over `fetch` when given (the platform reads
 * it from the calling fiber, so it is provided around each request).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient = (fetch?: typeof globalThis.fetch): Layer.Layer<HttpClient.HttpClient> =>
  fetch === undefined ? FetchHttpClient.layer : Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      HttpClient.HttpClient,
      HttpClient.transformResponse(Effect.provideService(FetchHttpClient.Fetch, fetch))
    )
  ).pipe(Layer.provide(FetchHttpClient.layer))

// As in NodeMarketo: the client's `callTimeout` is the one timeout of a call.
const stack = <E>(
  config: Layer.Layer<MarketoConfig.MarketoConfig, E>,
  options: Omit<Options, keyof MarketoConfig.Options> | undefined
): Layer.Layer<MarketoClient.MarketoClient, E | ConfigError.ConfigError> =>
  MarketoClient.layer(options?.client).pipe(
    Layer.provide(SoapTransport.layer(options?.transport)),
    Layer.provide(Layer.merge(config, layerHttpClient(options?.fetch)))
  )

/**
 * A MarketoClient over `fetch` for the given endpoint and credentials.
 *
 * @example
 * import * as MarketoClient from "@mktows/core/MarketoClient"
 * import * as FetchMarketo from "@mktows/xml/FetchMarketo"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const client = FetchMarketo.layer({
 *   endpoint: "http://127.0.0.1:8080/soap/mktows/2_2",
 *   userId: "demo17_1_809934544BFABAE58E5D27",
 *   encryptionKey: Redacted.make("27272727aa") // in an application: from the runtime's secrets
 * })
 * export const main = MarketoClient.listMObjects().pipe(Effect.provide(client))
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError> =>
  stack(MarketoConfig.layer(options), options)

/**
 * A MarketoClient over `fetch` configured through Effect's `Config` (by default
 * `MARKETO_SOAP_ENDPOINT`, `MARKETO_USER_ID`, `MARKETO_ENCRYPTION_KEY` and optionally
 * `MARKETO_TIME_ZONE`, from whatever `ConfigProvider` is set: the environment on Node, Bun and
 * Deno; `ConfigProvider.fromJson(env)` on Workers).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: Omit<Options, keyof MarketoConfig.Options> & {
    readonly config?: Config.Config<MarketoConfig.MarketoConfigShape>
  }
): Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError> =>
  stack(MarketoConfig.layerConfig(options?.config), options)
