/**
 * MarketoClient stacks over the two transports, pointed at an emulator: the same program runs
 * against either.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as RestTransport from "@mktows/rest/RestTransport"
import * as SoapTransport from "@mktows/xml/SoapTransport"
import * as Layer from "effect/Layer"
import type * as Emulator from "../../src/Emulator.js"

const options: MarketoClient.Options = { retry: { maxAttempts: 1 } }

export const soapClient = (emulator: Emulator.EmulatorShape) =>
  MarketoClient.layer(options).pipe(
    Layer.provide(SoapTransport.layer()),
    Layer.provide(MarketoConfig.layer({
      endpoint: emulator.url,
      userId: "demo17_1_809934544BFABAE58E5D27",
      encryptionKey: "27272727aa"
    })),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.orDie
  )

export const restClient = (emulator: Emulator.EmulatorShape, secret = "mktows-demo-secret") =>
  MarketoClient.layer(options).pipe(
    Layer.provide(RestTransport.layer),
    Layer.provide(
      RestConfig.layer({ endpoint: emulator.restUrl, clientId: "mktows-demo-client", clientSecret: secret })
    ),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.orDie
  )
