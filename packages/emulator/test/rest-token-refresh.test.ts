/**
 * The REST client's token refresh against the emulator: a server that forgets a token before
 * the time it announced (and so before the client's refresh margin) answers 602; the call
 * still succeeds, after exactly two token requests. (Issue 19: a planted "no refresh on 602"
 * passed every other test, which only looked at the final error type.)
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as RestTransport from "@mktows/rest/RestTransport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"

/**
 * The emulator's HTTP client, except that every token answer announces an hour of life: the
 * client then trusts a token the emulator (`tokenTtl`) forgets much sooner.
 */
const announcingAnHour = (counter: { fetches: number }) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transformResponse(client, (response) =>
        Effect.flatMap(response, (r) => {
          if (!r.request.url.endsWith("/oauth/token")) {
            return Effect.succeed(r)
          }
          counter.fetches++
          return Effect.map(r.json, (body) =>
            HttpClientResponse.fromWeb(
              r.request,
              new Response(JSON.stringify({ ...(body as object), expires_in: 3600 }), {
                status: r.status,
                headers: { "content-type": "application/json" }
              })
            ))
        }).pipe(Effect.orDie)))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))

describe("REST token refresh against the emulator", () => {
  it.scoped("a token the server expires before the client's refresh margin: 602, one new token, the call succeeds", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ tokenTtl: 30 })
      const counter = { fetches: 0 }
      const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
        Layer.provide(RestTransport.layer()),
        Layer.provide(
          RestConfig.layer({
            endpoint: emulator.restUrl,
            clientId: "mktows-demo-client",
            clientSecret: "mktows-demo-secret"
          })
        ),
        Layer.provide(announcingAnHour(counter)),
        Layer.orDie
      )
      const opp = (value: string) =>
        Opportunity.make({ externalKey: { name: "externalOpportunityId", value }, name: value })
      yield* Effect.gen(function*() {
        const first = yield* MarketoClient.syncMObjects([opp("T-1")], "INSERT")
        expect(first.map((o) => o.status)).toEqual(["CREATED"])
        expect(counter.fetches).toBe(1)
        // The server forgot the token (30 s); the client believes it has most of an hour left.
        yield* TestClock.adjust("45 seconds")
        const second = yield* MarketoClient.syncMObjects([opp("T-2")], "INSERT")
        expect(second.map((o) => o.status)).toEqual(["CREATED"])
        expect(counter.fetches).toBe(2)
      }).pipe(Effect.provide(client))
    }))
})
