import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Emulator from "../src/Emulator.js"
import * as NodeMarketo from "../src/NodeMarketo.js"

const demo = { userId: "demo17_1_809934544BFABAE58E5D27", encryptionKey: "27272727aa" }

describe("NodeMarketo", () => {
  it.live("layerConfig reads MARKETO_* and talks to the endpoint over undici", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const env = ConfigProvider.fromMap(
        new Map([
          ["MARKETO_SOAP_ENDPOINT", emulator.url],
          ["MARKETO_USER_ID", demo.userId],
          ["MARKETO_ENCRYPTION_KEY", demo.encryptionKey],
          ["MARKETO_TIME_ZONE", "America/Los_Angeles"]
        ])
      )
      const names = yield* MarketoClient.listMObjects().pipe(
        Effect.provide(NodeMarketo.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env))))
      )
      expect(names).toContain("Opportunity")
      expect((yield* emulator.stats).calls).toMatchObject({ listMObjects: 1 })
    }).pipe(Effect.scoped))

  it.live("layer takes explicit settings; a wrong key is an AuthFault that does not show the key", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const wrongKey = "not-the-key-0123"
      const result = yield* MarketoClient.listMObjects().pipe(
        Effect.provide(NodeMarketo.layer({ endpoint: emulator.url, userId: demo.userId, encryptionKey: wrongKey })),
        Effect.either
      )
      const error = Either.isLeft(result) ? result.left : undefined
      expect(error?._tag).toBe("AuthFault")
      expect(error?.message).toContain("20014")
      expect(error?.message).not.toContain(wrongKey)
    }).pipe(Effect.scoped))

  it.live("a missing variable is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.fromMap(new Map([["MARKETO_USER_ID", demo.userId]]))
      const result = yield* MarketoClient.listMObjects().pipe(
        Effect.provide(NodeMarketo.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env)))),
        Effect.either
      )
      expect(Either.isLeft(result) ? String(result.left) : "").toContain("MARKETO_SOAP_ENDPOINT")
    }))
})
