/**
 * Where an example runs: the Marketo instance named by `MARKETO_SOAP_ENDPOINT` (with
 * `MARKETO_USER_ID` and `MARKETO_ENCRYPTION_KEY`), or, when that variable is unset or blank,
 * an emulator started in-process on a free port with its default data and Marketo's
 * documented demo credentials.
 *
 * @since 0.1.0
 */
import type { ServeError } from "@effect/platform/HttpServerError"
import type * as MarketoClient from "@mktows/core/MarketoClient"
import * as Emulator from "@mktows/emulator/Emulator"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

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

// Blank counts as unset, so a caller (the demo) can switch the real instance off for a child process.
const configuredEndpoint = Config.string("MARKETO_SOAP_ENDPOINT").pipe(
  Config.option,
  Config.map(Option.filter((endpoint) => endpoint.trim() !== ""))
)

/**
 * The client an example runs with; says on stderr which Marketo it talks to.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<MarketoClient.MarketoClient, ConfigError.ConfigError | ServeError> = Layer
  .unwrapScoped(
    Effect.gen(function*() {
      const endpoint = yield* configuredEndpoint
      if (Option.isSome(endpoint)) {
        yield* Console.error(`Marketo: ${endpoint.value} (from MARKETO_SOAP_ENDPOINT)`)
        return NodeMarketo.layerConfig()
      }
      const emulator = yield* Emulator.make()
      yield* Console.error(`Marketo: in-process emulator at ${emulator.url} (MARKETO_SOAP_ENDPOINT is not set)`)
      return emulatorClient(emulator.url)
    })
  )
