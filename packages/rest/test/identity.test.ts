import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as RestConfig from "../src/RestConfig.js"
import * as RestIdentity from "../src/RestIdentity.js"
import { fake, json, secret, settings, tokenOf, tokens } from "./helpers/fakeMarketo.js"

const identityWith = (route: Parameters<typeof fake>[0], options: Partial<RestConfig.Options> = {}) => {
  const f = fake(route)
  const layer = Layer.merge(f.layer, RestConfig.layer({ ...settings, ...options }))
  return { ...f, identity: Effect.provide(RestIdentity.make, layer) }
}

describe("RestIdentity", () => {
  it.effect("caches the token until a margin before expires_in, by the Clock", () =>
    Effect.gen(function*() {
      const t = tokens(3600)
      const { identity } = identityWith(t.route)
      const id = yield* identity
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(1))
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(1))
      // 3600 s of life, refreshed 60 s early.
      yield* TestClock.adjust("3539 seconds")
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(1))
      yield* TestClock.adjust("1 second")
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(2))
      expect(t.count()).toBe(2)
    }))

  it.effect("a short-lived token is refreshed a tenth of its life early", () =>
    Effect.gen(function*() {
      const t = tokens(10)
      const id = yield* identityWith(t.route).identity
      yield* id.token
      yield* TestClock.adjust("8999 millis")
      yield* id.token
      expect(t.count()).toBe(1)
      yield* TestClock.adjust("1 millis")
      yield* id.token
      expect(t.count()).toBe(2)
    }))

  it.effect("concurrent callers share one refresh", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const t = tokens()
      const id = yield* identityWith(() => Effect.zipRight(Deferred.await(gate), t.route())).identity
      const fibers = yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.fork(id.token))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      const got = yield* Effect.forEach(fibers, Fiber.join)
      expect(new Set(got.map(Redacted.value))).toEqual(new Set([tokenOf(1)]))
      expect(t.count()).toBe(1)
    }))

  for (const [status, tag] of [[401, "AuthFault"], [503, "TransportError"]] as const) {
    it.effect(`callers waiting on a token request share its failure (identity HTTP ${status}): one request, one error, not kept`, () =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        let asked = 0
        const id = yield* identityWith(() => {
          asked++
          return Effect.zipRight(Deferred.await(gate), json({ error: "unavailable" }, status))
        }).identity
        const fibers = yield* Effect.forEach(Array.from({ length: 10 }), () => Effect.fork(Effect.flip(id.token)))
        yield* Effect.yieldNow()
        yield* Deferred.succeed(gate, undefined)
        const errors = yield* Effect.forEach(fibers, Fiber.join)
        expect(asked).toBe(1)
        expect(new Set(errors).size).toBe(1)
        expect(errors[0]?._tag).toBe(tag)
        // The failure is not kept: a caller that asks after it asks the identity endpoint again.
        expect((yield* Effect.flip(id.token))._tag).toBe(tag)
        expect(asked).toBe(2)
      }))
  }

  it.effect("an identity endpoint slower than identityTimeout fails every waiting caller at once, after one request", () =>
    Effect.gen(function*() {
      const t = tokens()
      // It answers, but after 1.5 s: past the 1 s allowed.
      const id = yield* identityWith(() => Effect.delay(t.route(), "1500 millis"), { identityTimeout: "1 second" })
        .identity
      const fibers = yield* Effect.forEach(
        Array.from({ length: 10 }),
        () => Effect.fork(Effect.zip(Effect.flip(id.token), Clock.currentTimeMillis))
      )
      // Long enough for ten requests one after another: all ten must have ended at the first's end.
      yield* TestClock.adjust("11 seconds")
      const ended = yield* Effect.forEach(fibers, Fiber.join)
      expect(t.count()).toBe(1)
      expect(ended.map(([, at]) => at)).toEqual(Array.from({ length: 10 }, () => 1000))
      expect(new Set(ended.map(([error]) => error)).size).toBe(1)
      expect(ended[0]?.[0]._tag).toBe("TransportError")
      expect(ended[0]?.[0].message).toContain("did not answer within 1s")
    }))

  it.effect("a caller interrupted while it waits leaves the token request to the others", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const t = tokens()
      const id = yield* identityWith(() => Effect.zipRight(Deferred.await(gate), t.route())).identity
      const [first, ...others] = yield* Effect.forEach(Array.from({ length: 3 }), () => Effect.fork(id.token))
      yield* Effect.yieldNow()
      // The caller whose arrival started the request goes (its call's time limit, say).
      if (first !== undefined) yield* Fiber.interrupt(first)
      yield* Deferred.succeed(gate, undefined)
      const got = yield* Effect.forEach(others, Fiber.join)
      expect(got.map(Redacted.value)).toEqual([tokenOf(1), tokenOf(1)])
      expect(t.count()).toBe(1)
    }))

  it.effect("a token request no caller waits for any more is abandoned; the next caller asks again", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const asked = yield* Deferred.make<void>()
      const abandoned = yield* Deferred.make<void>()
      const t = tokens()
      const id = yield* identityWith(() =>
        Effect.zipRight(Deferred.succeed(asked, undefined), Deferred.await(gate)).pipe(
          Effect.zipRight(t.route()),
          Effect.onInterrupt(() => Deferred.succeed(abandoned, undefined))
        )
      ).identity
      const fibers = yield* Effect.forEach(Array.from({ length: 2 }), () => Effect.fork(id.token))
      yield* Deferred.await(asked)
      yield* Fiber.interruptAll(fibers)
      yield* Deferred.await(abandoned)
      yield* Deferred.succeed(gate, undefined)
      // A request of its own, the abandoned one's end not awaited.
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(2))
      expect(t.count()).toBe(2)
    }))

  it.effect("invalidate forgets only the token it names", () =>
    Effect.gen(function*() {
      const t = tokens()
      const id = yield* identityWith(t.route).identity
      const first = yield* id.token
      yield* id.invalidate(Redacted.make("someone-else"))
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(1))
      yield* id.invalidate(first)
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(2))
      // A stale invalidation (of the first) after the refresh costs nothing more.
      yield* id.invalidate(first)
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(2))
    }))

  it.effect("posts the client credentials in the body, never in the URL", () =>
    Effect.gen(function*() {
      const t = tokens()
      const { identity, sent } = identityWith(t.route)
      yield* Effect.flatMap(identity, (id) => id.token)
      expect(sent).toHaveLength(1)
      const [request] = sent
      expect(request?.method).toBe("POST")
      expect(request?.path).toBe("/identity/oauth/token")
      expect(request?.params).toEqual({})
      expect(new URLSearchParams(request?.body).get("client_secret")).toBe(secret)
      expect(new URLSearchParams(request?.body).get("grant_type")).toBe("client_credentials")
    }))

  it.effect("bad credentials are an AuthFault that does not carry the secret", () =>
    Effect.gen(function*() {
      const id = yield* identityWith(() =>
        json({ error: "unauthorized", error_description: "Bad client credentials" }, 401)
      ).identity
      const error = yield* Effect.flip(id.token)
      expect(error._tag).toBe("AuthFault")
      expect(error.message).toContain("Bad client credentials")
      expect(JSON.stringify(error) + error.message).not.toContain(secret)
    }))

  it.effect("an answer that is not a token is a ProtocolError", () =>
    Effect.gen(function*() {
      const id = yield* identityWith(() => json({ access_token: "", expires_in: "soon" })).identity
      const error = yield* Effect.flip(id.token)
      expect(error._tag).toBe("ProtocolError")
    }))

  it.effect("an access_token too short to be kept out of the answers is refused, its text not quoted", () =>
    Effect.gen(function*() {
      // Words an answer holds (an opportunity "Big Deal 2024", a status `created`), and one under the minimum.
      for (const short of ["Deal", "1", "created", "z".repeat(RestIdentity.minTokenLength - 1)]) {
        const { identity, sent } = identityWith(() =>
          json({ access_token: short, token_type: "bearer", expires_in: 3600, scope: "api@x" })
        )
        const error = yield* Effect.flip((yield* identity).token)
        expect(error._tag).toBe("ProtocolError")
        expect(error.message).toContain(
          `too short to be kept out of the answers it could appear in: ${short.length} characters, under ${RestIdentity.minTokenLength}`
        )
        expect(error._tag === "ProtocolError" && error.received).not.toContain(short)
        if (short.length > 1) expect(error.message).not.toContain(short)
        expect(sent).toHaveLength(1)
      }
      // One of the minimum length is taken.
      const enough = "z".repeat(RestIdentity.minTokenLength)
      const id = yield* identityWith(() => json({ access_token: enough, token_type: "bearer", expires_in: 3600 }))
        .identity
      expect(Redacted.value(yield* id.token)).toBe(enough)
    }))

  it.effect("the layer needs only an HttpClient and RestConfig", () =>
    Effect.gen(function*() {
      const { layer } = fake(tokens().route)
      const id = yield* Effect.provide(RestIdentity.RestIdentity, RestIdentity.layer.pipe(Layer.provide(layer)))
      expect(Redacted.value(yield* id.token)).toBe(tokenOf(1))
    }))
})
