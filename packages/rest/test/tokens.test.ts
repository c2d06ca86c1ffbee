/**
 * The token refresh, counted: every code that says the token is invalid or expired gets one
 * new token and the request once more; every other code gets no new token. The final error
 * alone cannot tell these apart (a 602 without a refresh ends in the same AuthFault), so each
 * case counts the identity requests and checks which token the repeat carried.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RestTransport from "../src/RestTransport.js"
import { fail, fake, ok, type Sent, tokens } from "./helpers/fakeMarketo.js"

const identityPath = "/identity/oauth/token"
const opp = (value: string) => Opportunity.make({ externalKey: { name: "externalOpportunityId", value } })

/** A server that answers `code` to requests bearing the first token, and success to others. */
const staleFirstToken = (code: string) => {
  const t = tokens()
  const f = fake((s) =>
    s.path === identityPath
      ? t.route()
      : s.headers["authorization"] === "Bearer t1"
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
        expect(m.records().map((s) => s.headers["authorization"])).toEqual(["Bearer t1", "Bearer t2"])
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
        expect(m.records().every((s) => s.headers["authorization"] === "Bearer t1")).toBe(true)
      }).pipe(Effect.provide(m.client))
    })
  }

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
