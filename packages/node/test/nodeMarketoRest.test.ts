import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Emulator from "@mktows/emulator/Emulator"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as NodeMarketo from "../src/NodeMarketo.js"

const logged = () => {
  const lines: Array<string> = []
  const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))
  return { lines, logger }
}

describe("NodeMarketo.layerConfig picks the transport", () => {
  it.live("REST when MARKETO_REST_ENDPOINT is set, and says so", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const env = ConfigProvider.fromMap(
        new Map([
          ["MARKETO_REST_ENDPOINT", emulator.restUrl],
          ["MARKETO_CLIENT_ID", "mktows-demo-client"],
          ["MARKETO_CLIENT_SECRET", "mktows-demo-secret"],
          // SOAP settings present too: REST wins when its endpoint is set.
          ["MARKETO_SOAP_ENDPOINT", emulator.url],
          ["MARKETO_USER_ID", "demo17_1_809934544BFABAE58E5D27"],
          ["MARKETO_ENCRYPTION_KEY", "27272727aa"]
        ])
      )
      const { lines, logger } = logged()
      const outcomes = yield* MarketoClient.syncMObjects([
        Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "N-1" }, name: "n" })
      ], "INSERT").pipe(
        Effect.provide(
          NodeMarketo.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env)), Layer.provide(logger))
        )
      )
      expect(outcomes[0]?.status).toBe("CREATED")
      expect(lines.some((line) => line.includes("REST transport"))).toBe(true)
      // Only REST endpoints were called: no SOAP operation reached the emulator.
      expect(Object.keys((yield* emulator.stats).calls).every((name) => name.startsWith("REST "))).toBe(true)
      expect((yield* emulator.stats).calls).toMatchObject({ "REST sync opportunities": 1 })
    }).pipe(Effect.scoped))

  it.live("SOAP when it is not (or blank)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const env = ConfigProvider.fromMap(
        new Map([
          ["MARKETO_REST_ENDPOINT", " "],
          ["MARKETO_SOAP_ENDPOINT", emulator.url],
          ["MARKETO_USER_ID", "demo17_1_809934544BFABAE58E5D27"],
          ["MARKETO_ENCRYPTION_KEY", "27272727aa"]
        ])
      )
      const { lines, logger } = logged()
      yield* MarketoClient.listMObjects().pipe(
        Effect.provide(
          NodeMarketo.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env)), Layer.provide(logger))
        )
      )
      expect(lines.some((line) => line.includes("SOAP transport"))).toBe(true)
      expect((yield* emulator.stats).calls).toMatchObject({ listMObjects: 1 })
    }).pipe(Effect.scoped))
})
