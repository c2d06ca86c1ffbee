import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Emulator from "@mktows/emulator/Emulator"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Capture from "../../core/test/helpers/capture.js"
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
      // The emulator counts REST calls as `REST <endpoint>`: none went over SOAP.
      expect(Object.keys((yield* emulator.stats).calls).filter((name) => !name.startsWith("REST "))).toEqual([])
    }).pipe(Effect.scoped))

  it.live("the endpoint it says it picked is written without the user and password in it", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.fromMap(
        new Map([
          ["MARKETO_REST_ENDPOINT", "http://proxyuser:hunter2-password@127.0.0.1:9/rest"],
          ["MARKETO_CLIENT_ID", "mktows-demo-client"],
          ["MARKETO_CLIENT_SECRET", "mktows-demo-secret"]
        ])
      )
      const { lines, logger } = logged()
      yield* Layer.build(
        NodeMarketo.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env)), Layer.provide(logger))
      )
      expect(lines.filter((line) => line.includes("REST transport"))).toEqual([
        expect.stringContaining("http://…@127.0.0.1:9/rest")
      ])
      expect(lines.join("\n")).not.toContain("hunter2")
    }).pipe(Effect.scoped))

  it.live("a REST setting that is wrong is a ConfigError naming its variable, never the option behind it", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [ReadonlyArray<readonly [string, string]>, string]> = [
        [[["MARKETO_REST_ENDPOINT", "127.0.0.1:8080/rest"]], "MARKETO_REST_ENDPOINT"],
        // A space read off the end of an .env line: every request's path would carry it.
        [[["MARKETO_REST_ENDPOINT", "http://127.0.0.1:8080/rest "]], "MARKETO_REST_ENDPOINT"],
        [
          [["MARKETO_REST_ENDPOINT", "http://127.0.0.1:8080/rest"], ["MARKETO_IDENTITY_ENDPOINT", "nope"]],
          "MARKETO_IDENTITY_ENDPOINT"
        ],
        [[["MARKETO_REST_ENDPOINT", "http://127.0.0.1:8080/rest"], ["MARKETO_CLIENT_ID", " "]], "MARKETO_CLIENT_ID"]
      ]
      for (const [variables, named] of cases) {
        const env = ConfigProvider.fromMap(
          new Map([["MARKETO_CLIENT_ID", "id"], ["MARKETO_CLIENT_SECRET", "secret-0123456789"], ...variables])
        )
        const result = yield* MarketoClient.listMObjects().pipe(
          Effect.provide(NodeMarketo.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(env)))),
          Effect.either
        )
        const text = Either.isLeft(result) ? String(result.left) : ""
        expect(text).toContain(named)
        expect(text).not.toMatch(/at (endpoint|identityEndpoint|clientId)\b/)
      }
      const failure = (variables: ReadonlyArray<readonly [string, string]>) =>
        MarketoClient.listMObjects().pipe(
          Effect.provide(
            NodeMarketo.layerConfig().pipe(
              Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(variables))))
            )
          ),
          Effect.flip,
          Effect.map(String)
        )
      // A secret not set is said to be missing, not shown as "<redacted>" as if one were set.
      const missing = yield* failure([["MARKETO_REST_ENDPOINT", "http://127.0.0.1:8080/rest"], [
        "MARKETO_CLIENT_ID",
        "id"
      ]])
      expect(missing).toContain("MARKETO_CLIENT_SECRET")
      expect(missing).not.toContain("<redacted>")
      // A password written into a wrong URL is not quoted back.
      const userinfo = yield* failure([
        ["MARKETO_REST_ENDPOINT", "ftp://u:s3cr3t-value@host/rest"],
        ["MARKETO_CLIENT_ID", "id"],
        ["MARKETO_CLIENT_SECRET", "secret-0123456789"]
      ])
      expect(userinfo).toContain("MARKETO_REST_ENDPOINT")
      expect(userinfo).toContain("ftp://…@host/rest")
      expect(userinfo).not.toContain("s3cr3t")
      const soap = yield* failure([
        ["MARKETO_SOAP_ENDPOINT", "ftp://u:s3cr3t-value@host/soap"],
        ["MARKETO_USER_ID", "u"],
        ["MARKETO_ENCRYPTION_KEY", "k"]
      ])
      expect(soap).toContain("MARKETO_SOAP_ENDPOINT")
      expect(soap).not.toContain("s3cr3t")
    }))

  it.live("with REST picked, the REST transport's options apply (maxResponseBytes)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const env = ConfigProvider.fromMap(
        new Map([
          ["MARKETO_REST_ENDPOINT", emulator.restUrl],
          ["MARKETO_CLIENT_ID", "mktows-demo-client"],
          ["MARKETO_CLIENT_SECRET", "mktows-demo-secret"]
        ])
      )
      const list = (restTransport?: { readonly maxResponseBytes: number }) =>
        MarketoClient.listMObjects().pipe(
          Effect.provide(
            NodeMarketo.layerConfig(restTransport === undefined ? {} : { restTransport }).pipe(
              Layer.provide(Layer.setConfigProvider(env))
            )
          )
        )
      expect(yield* list()).toContain("Opportunity")
      // A describe is larger than 64 bytes: refused unread.
      const error = yield* Effect.flip(list({ maxResponseBytes: 64 }))
      expect(error._tag === "ProtocolError" && error.reason).toBe("TooLarge")
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

describe("the Node stacks, SOAP and REST, over HTTP", () => {
  // A span per request, the transport's, under the call's, with the HTTP status: the HTTP
  // client adds none of its own (and so sends no trace headers).
  const spansOf = (layer: Layer.Layer<MarketoClient.MarketoClient, unknown>) =>
    Effect.gen(function*() {
      const captured = yield* Capture.make
      yield* MarketoClient.syncMObjects([
        Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "S-1" }, name: "s" })
      ], "UPSERT").pipe(Effect.provide(layer), Capture.within(captured), Effect.withSpan("application.sync"))
      const byId = new Map(captured.spans.map((span) => [span.spanId, span]))
      return captured.spans.map((span) => ({
        name: span.name,
        parent: span.parent._tag === "Some" ? byId.get(span.parent.value.spanId)?.name : undefined,
        status: span.attributes.get("http.response.status_code")
      }))
    })

  const stacks = [
    {
      transport: "SOAP",
      span: "mktows.SoapTransport.call",
      layer: (emulator: Emulator.EmulatorShape) =>
        NodeMarketo.layer({
          endpoint: emulator.url,
          userId: "demo17_1_809934544BFABAE58E5D27",
          encryptionKey: "27272727aa"
        })
    },
    {
      transport: "REST",
      span: "mktows.RestTransport.request",
      layer: (emulator: Emulator.EmulatorShape) =>
        NodeMarketo.layerRest(
          RestConfig.layer({
            endpoint: emulator.restUrl,
            clientId: "mktows-demo-client",
            clientSecret: "mktows-demo-secret"
          })
        )
    }
  ] as const
  for (const stack of stacks) {
    it.live(`${stack.transport}: the call's span and the transport's, with its status, and no HTTP client span`, () =>
      Effect.gen(function*() {
        const spans = yield* spansOf(stack.layer(yield* Emulator.make()))
        expect(
          spans.filter((span) =>
            span.name.startsWith("mktows.") && span.name.includes("Transport") || span.name.startsWith("http")
          )
        )
          .toEqual([{ name: stack.span, parent: "MarketoClient.syncMObjects", status: 200 }])
      }).pipe(Effect.scoped))

    it.live(`${stack.transport}: calls started together take turns: each is sent in a turn of the event loop of its own`, () =>
      Effect.gen(function*() {
        const layer = stack.layer(yield* Emulator.make())
        // The turns of the loop, counted by an immediate that queues the next one.
        let turnsOfTheLoop = 0
        let ticker: ReturnType<typeof setImmediate> | undefined
        const tick = () => {
          turnsOfTheLoop++
          ticker = setImmediate(tick)
        }
        yield* Effect.acquireRelease(Effect.sync(tick), () => Effect.sync(() => clearImmediate(ticker)))
        const sentIn: Array<number> = []
        const sync = (key: string) =>
          MarketoClient.syncMObjects(
            [Opportunity.make({ externalKey: { name: "externalOpportunityId", value: key }, name: key })],
            "UPSERT"
          )
        yield* Effect.gen(function*() {
          // One call first, so that REST's token is at hand and every call below sends at once.
          yield* sync("TURN-0")
          yield* Effect.all(["TURN-1", "TURN-2", "TURN-3"].map(sync), { concurrency: "unbounded" }).pipe(
            MarketoClient.withOnSend(Effect.sync(() => sentIn.push(turnsOfTheLoop)))
          )
        }).pipe(Effect.provide(layer))
        // Without turns all three are checked, encoded and handed over in one turn, before any is written.
        expect(sentIn).toHaveLength(3)
        expect(new Set(sentIn).size).toBe(3)
      }).pipe(Effect.scoped))
  }
})
