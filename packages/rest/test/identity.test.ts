import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as RestIdentity from "../src/RestIdentity.js"
import { fake, json, secret, tokens } from "./helpers/fakeMarketo.js"

const identityWith = (route: Parameters<typeof fake>[0]) => {
  const f = fake(route)
  return { ...f, identity: Effect.provide(RestIdentity.make, f.layer) }
}

describe("RestIdentity", () => {
  it.effect("caches the token until a margin before expires_in, by the Clock", () =>
    Effect.gen(function*() {
      const t = tokens(3600)
      const { identity } = identityWith(t.route)
      const id = yield* identity
      expect(Redacted.value(yield* id.token)).toBe("t1")
      expect(Redacted.value(yield* id.token)).toBe("t1")
      // 3600 s of life, refreshed 60 s early.
      yield* TestClock.adjust("3539 seconds")
      expect(Redacted.value(yield* id.token)).toBe("t1")
      yield* TestClock.adjust("1 second")
      expect(Redacted.value(yield* id.token)).toBe("t2")
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
      expect(new Set(got.map(Redacted.value))).toEqual(new Set(["t1"]))
      expect(t.count()).toBe(1)
    }))

  it.effect("invalidate forgets only the token it names", () =>
    Effect.gen(function*() {
      const t = tokens()
      const id = yield* identityWith(t.route).identity
      const first = yield* id.token
      yield* id.invalidate(Redacted.make("someone-else"))
      expect(Redacted.value(yield* id.token)).toBe("t1")
      yield* id.invalidate(first)
      expect(Redacted.value(yield* id.token)).toBe("t2")
      // A stale invalidation (of t1) after the refresh costs nothing more.
      yield* id.invalidate(first)
      expect(Redacted.value(yield* id.token)).toBe("t2")
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

  it.effect("the layer needs only an HttpClient and RestConfig", () =>
    Effect.gen(function*() {
      const { layer } = fake(tokens().route)
      const id = yield* Effect.provide(RestIdentity.RestIdentity, RestIdentity.layer.pipe(Layer.provide(layer)))
      expect(Redacted.value(yield* id.token)).toBe("t1")
    }))
})
