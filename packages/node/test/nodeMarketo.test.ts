import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Emulator from "@mktows/emulator/Emulator"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Capture from "../../core/test/helpers/capture.js"
import { demoKeyText, demoUserId } from "../../core/test/helpers/demo.js"
import * as NodeMarketo from "../src/NodeMarketo.js"

const demo = { userId: demoUserId, encryptionKey: demoKeyText }

describe("NodeMarketo", () => {
  it.scopedLive("layerConfig reads MARKETO_* and talks to the endpoint over undici", () =>
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
    }))

  it.scopedLive("layer takes explicit settings; a wrong key is an AuthFault that does not show the key", () =>
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
    }))

  it.live("a missing variable is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.fromMap(new Map([["MARKETO_USER_ID", demo.userId]]))
      const result = yield* MarketoClient.listMObjects().pipe(
        Effect.provide(NodeMarketo.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env)))),
        Effect.either
      )
      expect(Either.isLeft(result) ? String(result.left) : "").toContain("MARKETO_SOAP_ENDPOINT")
    }))

  it.scopedLive(
    "the key never shows in the client's logs, spans or metrics, through retries and faults",
    () =>
      Effect.gen(function*() {
        const key = "K3y-that-must-not-leak-4242"
        // Injected faults make the client retry and re-sign; a wrong-key client meets 20014.
        // Seeded, so that faults are met on every run, not on most.
        const emulator = yield* Effect.withRandom(
          Emulator.make({ encryptionKey: Redacted.make(key), faultRate: 0.3, latency: "1 millis" }),
          Random.make(20260731)
        )
        const captured = yield* Capture.make
        const fastRetry = { maxAttempts: 10, baseDelay: "5 millis", maxDelay: "20 millis" } as const
        const run = (encryptionKey: string) =>
          MarketoClient.syncMObjects(
            Array.from({ length: 250 }, (_, i) => Opportunity.make({ name: `Leak check ${i}`, amount: i })),
            "INSERT",
            { failOnPartial: false }
          ).pipe(
            Effect.provide(NodeMarketo.layer({
              endpoint: emulator.url,
              userId: demo.userId,
              encryptionKey,
              client: { retry: fastRetry, chunkSize: 25 }
            })),
            Capture.within(captured),
            Effect.either
          )
        const good = yield* run(key)
        const bad = yield* run("wrong-key")
        expect(Either.isRight(good)).toBe(true)
        expect(Either.isLeft(bad) ? bad.left._tag : "").toBe("AuthFault")
        // The evidence is there: calls were logged, traced, counted and retried.
        expect(captured.lines.length).toBeGreaterThan(0)
        const text = captured.text()
        expect(text).toContain("MarketoClient.syncMObjects")
        expect(text).toContain("mktows_client_calls")
        expect((yield* emulator.stats).faults).not.toEqual({})
        for (const output of [text, JSON.stringify(good), String(Either.getLeft(bad))]) {
          expect(output).not.toContain(key)
        }
      }),
    60_000
  )
})
