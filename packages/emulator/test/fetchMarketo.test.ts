/**
 * FetchMarketo, the client for runtimes with `fetch` (Bun, Deno, Workers), run here with
 * Node's own fetch against the emulator over real HTTP. (It lives with the emulator's tests
 * because @mktows/xml cannot depend on the emulator, which depends on it.)
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Program from "@mktows/core/Program"
import * as FetchMarketo from "@mktows/xml/FetchMarketo"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Emulator from "../src/Emulator.js"

const demo = { userId: "demo17_1_809934544BFABAE58E5D27", encryptionKey: Redacted.make("27272727aa") }

describe("FetchMarketo", () => {
  it.live("syncs and lists through the global fetch", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const client = FetchMarketo.layer({ endpoint: emulator.url, ...demo })
      const [outcomes, names] = yield* Effect.all([
        MarketoClient.syncMObjects(
          [Program.make({ id: 1970, costs: [{ id: 153, month: "2013-06", amount: 2000 }] })],
          "UPDATE"
        ),
        MarketoClient.listMObjects()
      ]).pipe(Effect.provide(client))
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED"])
      expect(names).toContain("Opportunity")
      expect((yield* emulator.stats).calls).toEqual({ syncMObjects: 1, listMObjects: 1 })
    }).pipe(Effect.scoped))

  it.live("calls through the fetch it is given, with the operation's SOAPAction", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const seen: Array<string> = []
      const fetch: typeof globalThis.fetch = (input, init) => {
        seen.push(new Headers(init?.headers).get("soapaction") ?? "none")
        return globalThis.fetch(input, init)
      }
      yield* MarketoClient.describeMObject("Opportunity").pipe(
        Effect.provide(FetchMarketo.layer({ endpoint: emulator.url, ...demo, fetch }))
      )
      expect(seen).toEqual(["\"http://www.marketo.com/mktows/describeMObject\""])
    }).pipe(Effect.scoped))

  it.live("layerConfig reads the settings from the ConfigProvider, as a Worker's env would give them", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const env = ConfigProvider.fromJson({
        MARKETO_SOAP_ENDPOINT: emulator.url,
        MARKETO_USER_ID: demo.userId,
        MARKETO_ENCRYPTION_KEY: Redacted.value(demo.encryptionKey)
      })
      const names = yield* MarketoClient.listMObjects().pipe(
        Effect.provide(FetchMarketo.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env))))
      )
      expect(names).toContain("Opportunity")
    }).pipe(Effect.scoped))

  it.live("a refused connection is a TransportError that certainly did not send", () =>
    Effect.gen(function*() {
      // An address nothing listens on any more: an emulator's, after its scope closed.
      const url = yield* Effect.scoped(Effect.map(Emulator.make(), (emulator) => emulator.url))
      const error = yield* MarketoClient.listMObjects().pipe(
        Effect.provide(FetchMarketo.layer({
          endpoint: url,
          ...demo,
          client: { retry: { maxAttempts: 1 } }
        })),
        Effect.flip
      )
      expect(error._tag).toBe("TransportError")
      expect(error._tag === "TransportError" && error.ambiguous).toBe(false)
    }))
})
