/**
 * The token refresh, counted: every code that says the token is invalid or expired gets one
 * new token and the request once more; every other code gets no new token. The final error
 * alone cannot tell these apart (a 602 without a refresh ends in the same AuthFault), so each
 * case counts the identity requests and checks which token the repeat carried.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import { ProtocolError } from "@mktows/core/MarketoError"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as RestTransport from "../src/RestTransport.js"
import { fail, fake, json, ok, type Sent, tokenOf, tokens } from "./helpers/fakeMarketo.js"

const identityPath = "/identity/oauth/token"
const [t1, t2] = [tokenOf(1), tokenOf(2)]
const opp = (value: string) => Opportunity.make({ externalKey: { name: "externalOpportunityId", value } })

/** A server that answers `code` to requests bearing the first token, and success to others. */
const staleFirstToken = (code: string) => {
  const t = tokens()
  const f = fake((s) =>
    s.path === identityPath
      ? t.route()
      : s.headers["authorization"] === `Bearer ${t1}`
      ? fail(code, `code ${code}`)
      : ok([{ seq: 0, marketoGUID: "g", status: "updated" }])
  )
  const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
    Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
  )
  return { ...f, tokens: t, client, records: () => f.sent.filter((s: Sent) => s.path !== identityPath) }
}

describe("token refresh, per code", () => {
  for (const code of ["601", "602"]) {
    it.effect(`${code}: one new token, and the request once more with it`, () => {
      const m = staleFirstToken(code)
      return Effect.gen(function*() {
        const outcomes = yield* MarketoClient.syncMObjects([opp("a")], "UPDATE")
        expect(outcomes.map((o) => o.status)).toEqual(["UPDATED"])
        expect(m.tokens.count()).toBe(2)
        expect(m.records().map((s) => s.headers["authorization"])).toEqual([`Bearer ${t1}`, `Bearer ${t2}`])
        // The new token is cached: the next call fetches none.
        yield* MarketoClient.syncMObjects([opp("b")], "UPDATE")
        expect(m.tokens.count()).toBe(2)
      }).pipe(Effect.provide(m.client))
    })
  }

  for (const code of ["603", "606", "607", "615", "604", "1003"]) {
    it.effect(`${code}: no new token`, () => {
      const m = staleFirstToken(code)
      return Effect.gen(function*() {
        yield* Effect.either(MarketoClient.syncMObjects([opp("a")], "UPDATE"))
        expect(m.tokens.count()).toBe(1)
        expect(m.records().every((s) => s.headers["authorization"] === `Bearer ${t1}`)).toBe(true)
      }).pipe(Effect.provide(m.client))
    })
  }

  it.effect("602, and the identity endpoint hands back that token at the end of its life: its last seconds waited out, then a new one", () => {
    // Adobe's identity endpoint gives the same token until it expires: t1 once more (1 s left)
    // when fetched after the 602, then t2.
    let fetches = 0
    const answers = [[t1, 3600], [t1, 1], [t2, 3600]] as const
    const f = fake((s) => {
      if (s.path === identityPath) {
        const [token, life] = answers[Math.min(fetches++, 2)] ?? [t2, 3600]
        return json({ access_token: token, token_type: "bearer", expires_in: life })
      }
      return s.headers["authorization"] === `Bearer ${t1}`
        ? fail("602", "Access token expired")
        : ok([{ seq: 0, marketoGUID: "g", status: "updated" }])
    })
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    return Effect.gen(function*() {
      const running = yield* Effect.fork(MarketoClient.syncMObjects([opp("a")], "UPDATE"))
      yield* TestClock.adjust("1 second")
      // Not before the token's last second and one more have passed.
      expect(fetches).toBe(2)
      yield* TestClock.adjust("1 second")
      const outcomes = yield* Fiber.join(running)
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED"])
      expect(fetches).toBe(3)
      expect(f.sent.filter((s) => s.path !== identityPath).map((s) => s.headers["authorization"])).toEqual([
        `Bearer ${t1}`,
        `Bearer ${t2}`
      ])
    }).pipe(Effect.provide(client))
  })

  it.effect("602, and the identity endpoint hands back that token with a long life: an AuthFault that says so, without waiting", () => {
    let fetches = 0
    const f = fake((s) => {
      if (s.path !== identityPath) return fail("602", "Access token expired")
      fetches++
      return json({ access_token: t1, token_type: "bearer", expires_in: 3000 })
    })
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE"))
      expect(error._tag).toBe("AuthFault")
      expect(error.message).toContain("handed back the token Marketo called expired (602), with 3000 s of life left")
      expect(error.message).not.toContain("client id and secret")
      expect(fetches).toBe(2)
    }).pipe(Effect.provide(client))
  })

  it.effect("602, then no new token within callTimeout: the call is not sent, its objects not IN_DOUBT (a 602 applied nothing)", () => {
    let fetches = 0
    const f = fake((s) => {
      if (s.path === identityPath) {
        // The token that replaces the refused one never comes.
        return ++fetches === 1 ? json({ access_token: t1, token_type: "bearer", expires_in: 3600 }) : Effect.never
      }
      return fail("602", "Access token expired")
    })
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 }, callTimeout: "5 seconds" }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    return Effect.gen(function*() {
      const running = yield* Effect.fork(
        Effect.flip(MarketoClient.syncMObjects([opp("a")], "INSERT", { failOnPartial: false }))
      )
      yield* TestClock.adjust("1 minute")
      // The call's one request applied nothing: the call fails as not sent, no object in doubt.
      const error = yield* Fiber.join(running)
      expect(fetches).toBe(2)
      expect(error._tag).toBe("TimeoutError")
      expect(error.message).toContain("not sent within 5s")
    }).pipe(Effect.provide(client))
  })

  it.effect("ten calls that meet an identity endpoint slower than identityTimeout fail together, after one identity request", () => {
    let fetches = 0
    const f = fake((s) => {
      if (s.path !== identityPath) return ok([{ seq: 0, marketoGUID: "g", status: "updated" }])
      fetches++
      return Effect.never
    })
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    return Effect.gen(function*() {
      const calls = yield* Effect.forEach(
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"],
        (key) =>
          Effect.fork(
            Effect.zip(Effect.flip(MarketoClient.syncMObjects([opp(key)], "UPDATE")), Clock.currentTimeMillis)
          )
      )
      // Time for ten token requests one after another (20 s each, the default identityTimeout).
      yield* TestClock.adjust("5 minutes")
      const ended = yield* Effect.forEach(calls, Fiber.join)
      expect(fetches).toBe(1)
      expect(ended.map(([error, at]) => [error._tag, at])).toEqual(
        Array.from({ length: 10 }, () => ["TransportError", 20_000])
      )
      expect(ended[0]?.[0].message).toContain("did not answer within 20s")
      expect(f.sent.filter((s) => s.path !== identityPath)).toEqual([])
    }).pipe(Effect.provide(client))
  })

  it.effect("a token too short to be kept out of the answers (`Deal`) is refused before any request carries it", () => {
    let fetches = 0
    const f = fake((s) => {
      if (s.path !== identityPath) return ok([{ seq: 0, marketoGUID: "g", status: "updated" }])
      fetches++
      return json({ access_token: "Deal", token_type: "bearer", expires_in: 3600, scope: "api@x" })
    })
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("Big Deal 2024")], "UPDATE"))
      // The identity answer's ProtocolError, as a token request's failure: nothing was sent.
      expect(error._tag).toBe("TransportError")
      expect(error._tag === "TransportError" && error.ambiguous).toBe(false)
      expect(error._tag === "TransportError" && error.cause).toBeInstanceOf(ProtocolError)
      expect(error.message).toContain("too short to be kept out of the answers it could appear in: 4 characters")
      expect(error.message).not.toContain("Deal")
      expect(fetches).toBe(1)
      expect(f.sent.filter((s) => s.path !== identityPath)).toEqual([])
    }).pipe(Effect.provide(client))
  })

  it.effect("a token still refused after its refresh is an AuthFault, after exactly one refresh", () => {
    const t = tokens()
    const f = fake((s) => s.path === identityPath ? t.route() : fail("602", "Access token expired"))
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE"))
      expect(error._tag).toBe("AuthFault")
      expect(t.count()).toBe(2)
    }).pipe(Effect.provide(client))
  })
})
