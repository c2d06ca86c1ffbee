/**
 * The access token of Marketo's REST APIs: client credentials exchanged at
 * `<identity>/oauth/token`, cached, and shared by every call.
 *
 * One refresh at a time: concurrent callers that find no valid token wait for the same
 * request. A token is refreshed before `expires_in` runs out (by the `Clock`, with a margin
 * of a tenth of its life, at most 60 s) and when Marketo calls it invalid or expired
 * (601/602, see {@link RestIdentityShape.invalidate}). The secret travels only in the body
 * of the token request, never in a URL; the token only in `Authorization: Bearer`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { AuthFault, type ProtocolError, type TransportError } from "@mktows/core/MarketoError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as SynchronizedRef from "effect/SynchronizedRef"
import * as Http from "./internal/http.js"
import { RestConfig } from "./RestConfig.js"
import * as RestWire from "./RestWire.js"

/**
 * The errors of getting a token.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenError = AuthFault | TransportError | ProtocolError

/**
 * @since 0.1.0
 * @category models
 */
export interface RestIdentityShape {
  /** A token valid now: the cached one, or a fresh one (one request for all waiting callers). */
  readonly token: Effect.Effect<Redacted.Redacted<string>, TokenError>
  /** Forgets `token` if it is still the cached one, so the next caller gets a new one. */
  readonly invalidate: (token: Redacted.Redacted<string>) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class RestIdentity extends Context.Tag("@mktows/rest/RestIdentity")<RestIdentity, RestIdentityShape>() {}

interface Cached {
  readonly token: Redacted.Redacted<string>
  /** When to stop using it (epoch ms): before it expires, by the margin. */
  readonly refreshAt: number
}

const operation = "identity"

/**
 * Builds the identity service from the `HttpClient` and `RestConfig` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<RestIdentityShape, never, HttpClient.HttpClient | RestConfig> = Effect.gen(
  function*() {
    const config = yield* RestConfig
    const client = yield* HttpClient.HttpClient
    const cache = yield* SynchronizedRef.make<Cached | undefined>(undefined)

    const fetch: Effect.Effect<Cached, TokenError> = Effect.gen(function*() {
      const request = HttpClientRequest.post(`${config.identityEndpoint}/oauth/token`).pipe(
        HttpClientRequest.acceptJson,
        HttpClientRequest.bodyUrlParams({
          grant_type: "client_credentials",
          client_id: config.clientId,
          client_secret: Redacted.value(config.clientSecret)
        })
      )
      const started = yield* Clock.currentTimeMillis
      const response = yield* client.execute(request).pipe(Effect.mapError(Http.connectionError(operation)))
      const text = yield* Http.readText(response, operation)
      if (response.status === 401 || response.status === 403 || response.status === 400) {
        // OAuth answers `{"error":"unauthorized","error_description":"Bad client credentials"}`.
        return yield* Effect.fail(
          new AuthFault({
            code: 20014,
            faultString: `identity refused the client credentials (HTTP ${response.status}): ${text.slice(0, 200)}`
          })
        )
      }
      if (response.status !== 200) return yield* Effect.fail(Http.statusError(operation, response.status, text))
      const answer = yield* Http.decodeJson(RestWire.IdentityResponse, text, operation)
      const life = answer.expires_in * 1000
      // Counted from before the request, so the token is never older than we think.
      return { token: Redacted.make(answer.access_token), refreshAt: started + life - Math.min(60_000, life / 10) }
    }).pipe(Effect.withSpan("mktows.RestIdentity.fetch"))

    const valid = (cached: Cached | undefined, now: number): cached is Cached =>
      cached !== undefined && now < cached.refreshAt

    const token = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const cached = yield* SynchronizedRef.get(cache)
      if (valid(cached, now)) return cached.token
      // Whoever takes the lock first fetches; the others find its token when they get it.
      return yield* SynchronizedRef.modifyEffect(
        cache,
        (current) =>
          Effect.flatMap(Clock.currentTimeMillis, (at) =>
            valid(current, at)
              ? Effect.succeed([current.token, current] as const)
              : Effect.map(fetch, (fresh) => [fresh.token, fresh] as const))
      )
    })

    const invalidate = (bad: Redacted.Redacted<string>) =>
      SynchronizedRef.update(
        cache,
        (current) =>
          current !== undefined && Redacted.value(current.token) === Redacted.value(bad) ? undefined : current
      )

    return { token, invalidate }
  }
)

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RestIdentity, never, HttpClient.HttpClient | RestConfig> = Layer.effect(
  RestIdentity,
  make
)
