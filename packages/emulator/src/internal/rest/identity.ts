/**
 * The identity endpoint (`/identity/oauth/token`) and the tokens it issues. As Adobe
 * documents it, a call while the current token is alive answers that token with its
 * remaining lifespan; a new token is minted only when there is none alive. Every token
 * issued stays valid until it expires.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as RestWire from "@mktows/rest/RestWire"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { randomBytes } from "node:crypto"
import { param, type Params, refuse, type RestRefusal } from "./common.js"

/** @internal */
export const defaults = {
  clientId: "mktows-demo-client",
  clientSecret: "mktows-demo-secret",
  tokenTtlSeconds: 3600
} as const

/** @internal */
export const identityPath = "/identity"

/** @internal */
export const tokenPath = `${identityPath}/oauth/token`

/** @internal */
export interface IdentityOptions {
  readonly clientId?: string | undefined
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly tokenTtl?: number | undefined
}

interface Tokens {
  /** Every live token to its expiry (epoch ms). */
  readonly live: ReadonlyMap<string, number>
  /**
   * Tokens that expired, the latest {@link remembered}: a client still holding one is told it
   * expired (602), as Marketo tells it, not that it was never issued (601).
   */
  readonly expired: ReadonlySet<string>
  readonly current: { readonly token: string; readonly expiresAt: number } | undefined
}

const remembered = 1_000

/** @internal */
export interface Identity {
  /** Answers `/identity/oauth/token`, from its query string or form body. */
  readonly token: (params: Params) => Effect.Effect<HttpServerResponse.HttpServerResponse>
  /** The token of a request (Bearer header, else `access_token`), checked: 600, 601 or 602 when not good. */
  readonly authenticate: (request: HttpServerRequest.HttpServerRequest, url: URL) => Effect.Effect<void, RestRefusal>
  readonly reset: Effect.Effect<void>
}

/** @internal */
export const makeIdentity = (options: IdentityOptions): Effect.Effect<Identity> =>
  Effect.gen(function*() {
    const clientId = options.clientId ?? defaults.clientId
    const clientSecret = Redacted.value(options.clientSecret ?? Redacted.make(defaults.clientSecret))
    const ttlMillis = (options.tokenTtl ?? defaults.tokenTtlSeconds) * 1000
    const empty: Tokens = { live: new Map(), expired: new Set(), current: undefined }
    const ref = yield* Ref.make(empty)

    const token = (params: Params) =>
      Effect.gen(function*() {
        if (
          param(params, "grant_type") !== "client_credentials" || param(params, "client_id") !== clientId ||
          param(params, "client_secret") !== clientSecret
        ) {
          return HttpServerResponse.unsafeJson(
            { error: "unauthorized", error_description: "Bad client credentials" },
            { status: 401 }
          )
        }
        const now = yield* Clock.currentTimeMillis
        const fresh = `${randomBytes(16).toString("hex")}:emu`
        const current = yield* Ref.modify(ref, (tokens): [NonNullable<Tokens["current"]>, Tokens] => {
          // Whole seconds left, as expires_in says it: a token with less than one second left is replaced.
          if (tokens.current !== undefined && tokens.current.expiresAt - now >= 1000) return [tokens.current, tokens]
          const live = new Map([...tokens.live].filter(([, expiry]) => expiry > now))
          const gone = [...tokens.live].flatMap(([token, expiry]) => expiry > now ? [] : [token])
          const expired = new Set([...tokens.expired, ...gone].slice(-remembered))
          const next = { token: fresh, expiresAt: now + ttlMillis }
          live.set(next.token, next.expiresAt)
          return [next, { live, expired, current: next }]
        })
        return HttpServerResponse.unsafeJson({
          access_token: current.token,
          token_type: "bearer",
          expires_in: Math.floor((current.expiresAt - now) / 1000),
          scope: "mktows-emulator@example.com"
        })
      })

    const authenticate = (request: HttpServerRequest.HttpServerRequest, url: URL) =>
      Effect.gen(function*() {
        const header = request.headers["authorization"]
        const bearer = header === undefined ? undefined : /^Bearer(?:\s+(\S*))?\s*$/i.exec(header)
        if (header !== undefined && bearer === null) return yield* refuse(RestWire.errorCodes.invalidAccessToken)
        const given = bearer?.[1] ?? url.searchParams.get("access_token") ?? ""
        if (given === "") return yield* refuse(RestWire.errorCodes.emptyAccessToken)
        const tokens = yield* Ref.get(ref)
        const expiry = tokens.live.get(given)
        if (expiry === undefined) {
          return yield* refuse(
            tokens.expired.has(given) ? RestWire.errorCodes.expiredAccessToken : RestWire.errorCodes.invalidAccessToken
          )
        }
        if ((yield* Clock.currentTimeMillis) >= expiry) return yield* refuse(RestWire.errorCodes.expiredAccessToken)
      })

    return { token, authenticate, reset: Ref.set(ref, empty) }
  })
