/**
 * The access token of Marketo's REST APIs: client credentials exchanged at
 * `<identity>/oauth/token`, cached, and shared by every call.
 *
 * One refresh at a time: concurrent callers that find no valid token wait for the same
 * request, and share its end, a token or an error: ten calls that meet an identity endpoint
 * that is down fail together, after one request, not one after another. A failure is not kept:
 * the next caller to ask after it starts a new request. A caller interrupted while it waits
 * (its call's time limit) leaves the request to the others; once no caller waits for it, it is
 * abandoned. A token is refreshed before `expires_in` runs out (by the `Clock`, with a margin
 * of a tenth of its life, at most 60 s) and when Marketo calls it invalid or expired
 * (601/602, see {@link RestIdentityShape.invalidate}). The secret travels only in the body
 * of the token request, never in a URL; the token only in `Authorization: Bearer`.
 *
 * A token shorter than {@link minTokenLength} is refused (a `ProtocolError`): the REST transport
 * removes the token's text from every answer before reading it, so a short one would cut
 * record data (a token `Deal` would read an opportunity "Big Deal" as "Big <redacted>").
 *
 * Marketo's identity endpoint hands back the same token until it expires. A token Marketo has
 * just called expired (602) that comes back from it is one at the very end of its life: the
 * next fetch waits out what it says is left (ten seconds at most, by the `Clock`) and asks again,
 * once; handed back again, or with more than ten seconds left, it is an `AuthFault`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpEdge from "@mktows/core/HttpEdge"
import { AuthFault, ProtocolError, TransportError } from "@mktows/core/MarketoError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
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
  /**
   * A token valid now: the cached one, or a fresh one. One request for all the callers that wait
   * for it, who share its end, a token or an error; a failure is not kept.
   */
  readonly token: Effect.Effect<Redacted.Redacted<string>, TokenError>
  /**
   * Forgets `token` if it is still the cached one, so the next caller gets a new one. `expired`:
   * Marketo called it expired (602), so the identity endpoint handing it back is waited out.
   */
  readonly invalidate: (token: Redacted.Redacted<string>, expired?: boolean) => Effect.Effect<void>
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
  /** The life the identity endpoint said it had left, in seconds (`expires_in`). */
  readonly life: number
}

/** A token request under way: its end, the fiber running it, and how many callers wait for it. */
interface InFlight {
  readonly done: Deferred.Deferred<Cached, TokenError>
  readonly fiber: Fiber.RuntimeFiber<Cached, TokenError>
  readonly waiting: number
}

/** What the identity service holds: nothing (no token yet, or the last request failed), a token, or a request. */
type State =
  | { readonly _tag: "None" }
  | { readonly _tag: "Cached"; readonly cached: Cached }
  | { readonly _tag: "Fetching"; readonly flight: InFlight }

const none: State = { _tag: "None" }

/**
 * The shortest access token taken. The REST transport removes the token's text from every answer
 * before it reads it (so that a server echoing the request cannot leak it into an outcome or an
 * error), which cuts whatever else in the answer holds that text: a token `Deal` would make an
 * opportunity "Big Deal 2024" read "Big <redacted> 2024", a token `1` break every read. Sixteen
 * visible characters do not turn up in record data or Marketo's own words unless the token is
 * made of them, and every real token is longer: Marketo's are a GUID, `:` and the pod (about 40
 * characters), and an opaque token as hard to guess as RFC 6749 (10.10) asks, 128 bits, is 22 or
 * more in base64. So a shorter one is refused rather than used.
 *
 * @since 0.2.0
 * @category constants
 */
export const minTokenLength = 16

/**
 * The longest wait for the identity endpoint to stop handing back a token Marketo called
 * expired: a token at the end of its life has seconds left, and the wait must stay well inside
 * a call's time limit (a minute by default), as every other call waits for the same token.
 */
const maxRolloverSeconds = 10

const operation = "identity"

/**
 * What an access token may hold: visible ASCII (Marketo's are a GUID and `:` and a pod), at
 * most 4 KiB, since it goes into the `Authorization` header; CR or LF would split the header.
 */
const headerSafe = /^[\x21-\x7e]{1,4096}$/

// The value given to `access_token` wherever it is written (a JSON member, `name: value`,
// `name=value`), for the quotes of an identity answer that is not the expected JSON (cut short,
// or an error page): its text may be a token still.
const tokenMember = /(["']?access_token["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"?|[^\s,}\]&<"']*)/g
const hideToken = (text: string): string => text.replace(tokenMember, `$1"<redacted>"`)

/** `error` with the token hidden in what it quotes. */
const tokenHidden = (error: ProtocolError): ProtocolError =>
  new ProtocolError({ reason: error.reason, detail: hideToken(error.detail), received: hideToken(error.received) })

/** Whether an identity answer is an OAuth error: an `error` text and no `access_token`. */
const isOAuthError = (text: string): boolean => {
  // Small answers only: a token answer is a few hundred characters, and this runs on each one.
  if (text.length > 4096 || !text.includes("\"error\"")) return false
  const parsed = Http.parseJson(text, operation)
  if (Either.isLeft(parsed)) return false
  const value = parsed.right
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof (value as { readonly error?: unknown }).error === "string" && !("access_token" in value)
}

/**
 * An identity answer decoded with its token kept out of every error: the Schema sees, and a
 * ProtocolError quotes, a copy whose `access_token` is redacted. The real token is taken only
 * once the answer is known good, and only when it is safe in a header.
 */
const decodeToken = (
  text: string,
  secrets: ReadonlyArray<string>
): Effect.Effect<{ readonly token: Redacted.Redacted<string>; readonly expires_in: number }, ProtocolError> =>
  Either.flatMap(
    Either.mapLeft(Http.parseJson(text, operation, secrets), tokenHidden),
    (parsed) => {
      const token = typeof parsed === "object" && parsed !== null && "access_token" in parsed
        ? (parsed as { readonly access_token: unknown }).access_token
        : undefined
      // Whatever its type: an array or object may hold the token's text too.
      const shown = token !== undefined ? { ...(parsed as object), access_token: "<redacted>" } : parsed
      // A member of that name deeper down (an answer wrapped in another object) is hidden too.
      const quoted = hideToken(JSON.stringify(shown))
      const all = typeof token === "string" && token !== "" ? [...secrets, token] : secrets
      return Either.flatMap(
        Either.mapLeft(Http.decodeValue(RestWire.IdentityResponse, shown, quoted, operation, all), tokenHidden),
        (answer) =>
          typeof token !== "string" || !headerSafe.test(token)
            ? Either.left(
              new ProtocolError({
                reason: "SchemaMismatch",
                detail:
                  `the identity answer's access_token is not a header-safe token (visible ASCII, at most 4096 characters): ${
                    typeof token === "string" ? `${token.length} characters` : typeof token
                  }`,
                received: HttpEdge.excerpt(quoted, all)
              })
            )
            : token.length < minTokenLength
            // Its length only: its text is what must not be quoted.
            ? Either.left(
              new ProtocolError({
                reason: "SchemaMismatch",
                detail:
                  `the identity answer's access_token is too short to be kept out of the answers it could appear in: ${token.length} characters, under ${minTokenLength}`,
                received: HttpEdge.excerpt(quoted, all)
              })
            )
            : Either.right({ token: Redacted.make(token), expires_in: answer.expires_in })
      )
    }
  )

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
    const cache = yield* SynchronizedRef.make<State>(none)

    // The secret is scrubbed from anything the identity endpoint answers: one that echoes
    // the request would otherwise quote it.
    const secrets = [Redacted.value(config.clientSecret)]

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
      // No record request has been sent while a token is fetched: every failure here is
      // certain not to have applied anything (`sent: false`).
      const response = yield* client.execute(request).pipe(
        Effect.mapError(Http.connectionError(operation, secrets, false))
      )
      // A body that is not UTF-8 is quoted in the error as it is: its token hidden all the same.
      const text = yield* Http.readText(response, operation, secrets, false).pipe(
        Effect.mapError((error) => error._tag === "ProtocolError" ? tokenHidden(error) : error)
      )
      // Some gateways answer an OAuth error (`{"error":"invalid_client"}`) with HTTP 200: it is
      // the same refusal of the credentials.
      if (
        response.status === 401 || response.status === 403 || response.status === 400 ||
        (response.status === 200 && isOAuthError(text))
      ) {
        // OAuth answers `{"error":"unauthorized","error_description":"Bad client credentials"}`.
        return yield* Effect.fail(
          new AuthFault({
            code: 20014,
            faultString: `the identity endpoint refused the client credentials: ${
              HttpEdge.excerpt(hideToken(text), secrets)
            }`,
            advice: Http.authAdvice,
            refusal: `identity HTTP ${response.status}`
          })
        )
      }
      if (response.status !== 200) {
        return yield* Effect.fail(Http.statusError(operation, response.status, hideToken(text), secrets, false))
      }
      const answer = yield* decodeToken(text, secrets)
      const life = answer.expires_in * 1000
      // Counted from before the request, so the token is never older than we think.
      return {
        token: answer.token,
        refreshAt: started + life - Math.min(60_000, life / 10),
        life: answer.expires_in
      }
    }).pipe(
      Effect.timeoutFail({
        duration: config.identityTimeout,
        onTimeout: () =>
          new TransportError({
            reason: "Connection",
            operation,
            description: `the identity endpoint did not answer within ${Duration.format(config.identityTimeout)}`,
            ambiguous: false
          })
      }),
      Effect.withSpan("mktows.RestIdentity.fetch")
    )

    // The token Marketo last called expired (602), until a fetch hands back another.
    const expired = yield* Ref.make<string | undefined>(undefined)

    /**
     * A fetch that does not hand back the token Marketo called expired: that one, handed back,
     * is waited out once (its `expires_in`, and a second), as Adobe's identity endpoint gives
     * the same token until it expires.
     */
    const fresh: Effect.Effect<Cached, TokenError> = Effect.gen(function*() {
      const refused = yield* Ref.get(expired)
      const first = yield* fetch
      if (refused === undefined || Redacted.value(first.token) !== refused) {
        yield* Ref.set(expired, undefined)
        return first
      }
      if (first.life <= maxRolloverSeconds) {
        yield* Effect.sleep(Duration.seconds(first.life + 1))
        const again = yield* fetch
        if (Redacted.value(again.token) !== refused) {
          yield* Ref.set(expired, undefined)
          return again
        }
      }
      return yield* Effect.fail(
        new AuthFault({
          code: 20014,
          faultString:
            `the identity endpoint handed back the token Marketo called expired (602), with ${first.life} s of life left${
              first.life <= maxRolloverSeconds ? `, and again ${first.life + 1} s later` : ""
            }`,
          advice:
            "check that the identity endpoint is the same instance's as the REST endpoint (Admin > Integration > Web Services), and that the clocks agree; then try again",
          refusal: "REST 602"
        })
      )
    })

    const valid = (current: State, now: number): current is Extract<State, { readonly _tag: "Cached" }> =>
      current._tag === "Cached" && now < current.cached.refreshAt

    /**
     * Runs `fresh` for everyone, in a fiber of its own: the caller that starts it may be
     * interrupted (its call's time limit) while others still wait. Its end, a token or an error,
     * goes to every waiting caller at once; a token is kept, a failure is not (the state goes
     * back to none, so the next caller asks again). The state is changed and the waiters woken
     * under the one lock, so no caller joins a request that has ended.
     */
    const start = Effect.gen(function*() {
      const done = yield* Deferred.make<Cached, TokenError>()
      // Interruptible, though started where the caller may not be interrupted (a fiber inherits
      // that): its time limit, and the last caller's leaving, must be able to end it.
      const fiber = yield* Effect.forkDaemon(
        Effect.interruptible(fresh).pipe(
          Effect.onExit((exit) =>
            SynchronizedRef.updateEffect(cache, (current) =>
              Effect.as(
                Deferred.done(done, exit),
                current._tag === "Fetching" && current.flight.done === done
                  ? Exit.isSuccess(exit) ? { _tag: "Cached", cached: exit.value } as const : none
                  : current
              ))
          )
        )
      )
      return { done, fiber, waiting: 1 }
    })

    /** The token, or the request to wait for: the one under way, or one started now. */
    const join = (current: State) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (at): Effect.Effect<readonly [Redacted.Redacted<string> | InFlight, State]> => {
          if (valid(current, at)) return Effect.succeed([current.cached.token, current])
          if (current._tag === "Fetching") {
            const flight = { ...current.flight, waiting: current.flight.waiting + 1 }
            return Effect.succeed([flight, { _tag: "Fetching", flight }])
          }
          return Effect.map(start, (flight) => [flight, { _tag: "Fetching", flight }])
        }
      )

    /**
     * A waiting caller gone (interrupted): the request goes on for the others, and is interrupted
     * only when none is left, as no one would take its token then.
     */
    const leave = (flight: InFlight) =>
      SynchronizedRef.modify(cache, (current): readonly [boolean, State] => {
        if (current._tag !== "Fetching" || current.flight.done !== flight.done) return [false, current]
        return current.flight.waiting <= 1
          ? [true, none]
          : [false, { _tag: "Fetching", flight: { ...current.flight, waiting: current.flight.waiting - 1 } }]
      }).pipe(Effect.flatMap((last) => last ? Fiber.interruptFork(flight.fiber) : Effect.void))

    const token: Effect.Effect<Redacted.Redacted<string>, TokenError> = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      // A valid token is taken without the lock: this runs before every request.
      const current = yield* SynchronizedRef.get(cache)
      if (valid(current, now)) return current.cached.token
      // Joined, and counted, without interruption, so that a caller counted is one that leaves.
      return yield* Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          SynchronizedRef.modifyEffect(cache, join),
          (got) =>
            Redacted.isRedacted(got) ? Effect.succeed(got) : restore(Deferred.await(got.done)).pipe(
              Effect.map((cached) => cached.token),
              Effect.onInterrupt(() => leave(got))
            )
        )
      )
    })

    const invalidate = (bad: Redacted.Redacted<string>, isExpired = false) =>
      Effect.zipRight(
        isExpired ? Ref.set(expired, Redacted.value(bad)) : Effect.void,
        SynchronizedRef.update(
          cache,
          (current) =>
            current._tag === "Cached" && Redacted.value(current.cached.token) === Redacted.value(bad) ? none : current
        )
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
