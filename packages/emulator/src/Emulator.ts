/**
 * A local Marketo SOAP server: the mktows MObject operations over real HTTP, on loopback.
 *
 * It answers POSTs on any `/soap/mktows/<version>` path, serves its WSDL at
 * `<that path>?WSDL` with the address it was reached at (the request's Host header when it
 * is a plausible `host[:port]`, else where it listens), verifies every AuthenticationHeader, keeps
 * Programs, Opportunities, OpportunityPersonRoles, Leads and Companies in memory with
 * Marketo's documented semantics, and answers faults in Marketo's shape (HTTP 500).
 * Beside SOAP, for tests in any language: `GET /emulator/stats` returns the counters of
 * {@link Stats} as JSON, `POST /emulator/reset` goes back to the seed data with counters
 * and limits cleared, and `GET /emulator/objects[?type=Opportunity]` returns the store in
 * the seed format of the `Seed` module.
 *
 * Choices where Marketo documents nothing:
 * - a request without an AuthenticationHeader, an unknown user or a wrong signature is
 *   20014; a timestamp outside the window (or unreadable) is 20016;
 * - a body over the size cap is fault 20012 (HTTP 500), read to its end but never kept;
 * - a missing parameter is 20017, a bad parameter value 20110, a bad criteria attribute or
 *   value 20114, an unsupported object type 20110, a bad stream position 20122;
 * - INSERT and UPSERT of an object whose id does not exist create it with a fresh id;
 * - deleting an Opportunity deletes its OpportunityPersonRoles;
 * - an injected dropped connection happens after the call was applied, as a real lost
 *   answer would.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as server from "./internal/server.js"
import * as Seed from "./Seed.js"

/**
 * How to run an emulator. Every option has a default.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string
  /** Port; `0` (the default here; the command line's is 8080) picks a free one, see {@link EmulatorShape.url}. */
  readonly port?: number
  /** The accepted mktowsUserId. Default Marketo's documented demo user `demo17_1_809934544BFABAE58E5D27`. */
  readonly userId?: string
  /** The key signatures are checked with. Default the documented demo key. */
  readonly encryptionKey?: Redacted.Redacted<string>
  /** Accepted distance of requestTimestamp from now, either way, in seconds. Default 900; 0 accepts any. */
  readonly signatureTtl?: number
  /**
   * Enforce 100 calls per 20 s (20023), 10 concurrent (20024) and the daily quota (20015),
   * which resets at midnight America/Chicago as `FaultCode.quotaResetAfter` says. Default false.
   */
  readonly enforceLimits?: boolean
  /** The daily quota when limits are enforced. Default 10,000. */
  readonly dailyQuota?: number
  /** Added to every authenticated call before it is applied. Default none. */
  readonly latency?: Duration.DurationInput
  /**
   * Probability (0 to 1) that an authenticated call meets a transient fault: 20023, 20024,
   * 20011, or a connection dropped without an answer. Drawn from Effect's `Random` as it is
   * when the emulator is made, so `Effect.withRandom` makes it repeatable. Default 0.
   */
  readonly faultRate?: number
  /** Largest accepted request body in bytes. Default 10 MiB (`Limits.maxMessageBytes`). */
  readonly maxBodyBytes?: number
  /** The initial data, and what a reset goes back to. Default `Seed.defaultSeed`. */
  readonly seed?: Seed.SeedData
  /**
   * A JSON file (the seed format) that keeps the store: rewritten atomically (temporary file,
   * fsync, rename) after every call that changes something, before that call is answered,
   * so a crash never leaves a file that cannot be loaded. Pass what it holds as `restore` to
   * carry the store across restarts, as the command line's `--data FILE` does. Default none.
   */
  readonly dataFile?: string
  /**
   * The data to start from instead of `seed`, typically what `dataFile` kept (read it with
   * `Seed.load`). A reset still goes back to `seed`. Default `seed`.
   */
  readonly restore?: Seed.SeedData
  /** The REST client id the identity endpoint accepts. Default `mktows-demo-client`. */
  readonly clientId?: string
  /** The REST client secret. Default `mktows-demo-secret`. */
  readonly clientSecret?: Redacted.Redacted<string>
  /** Lifetime of a REST access token, in seconds. Default 3600. */
  readonly tokenTtl?: number
}

/**
 * What the emulator has seen: calls by operation, faults by code, sync/delete outcomes by
 * object type and status, and how many objects of each type it holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly calls: { readonly [operation: string]: number }
  readonly faults: { readonly [code: string]: number }
  readonly objects: { readonly [type: string]: { readonly [status: string]: number } }
  readonly stored: { readonly [type: string]: number }
}

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorShape {
  /** The SOAP endpoint, `http://HOST:PORT/soap/mktows/2_2`; the WSDL is at `url + "?WSDL"`. */
  readonly url: string
  /** The REST base, `http://HOST:PORT/rest`, on the same port and store. */
  readonly restUrl: string
  /** The identity base, `http://HOST:PORT/identity` (`…/oauth/token`). */
  readonly identityUrl: string
  readonly stats: Effect.Effect<Stats>
  /** The store, in the seed format (what `GET /emulator/objects` answers). */
  readonly objects: Effect.Effect<Seed.SeedData>
  /** Back to the seed data, with counters and limits cleared (`POST /emulator/reset`). */
  readonly reset: Effect.Effect<void>
}

/**
 * The running emulator of a Layer.
 *
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@mktows/emulator/Emulator")<Emulator, EmulatorShape>() {}

/**
 * The path of the SOAP endpoint, for version 2_2 (any `/soap/mktows/<version>` is served).
 *
 * @since 0.1.0
 * @category constants
 */
export const soapPath: string = server.soapPath

/**
 * Starts an emulator that runs until the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<EmulatorShape, ServeError, Scope.Scope> = server.make

/**
 * An emulator for the lifetime of the Layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Emulator, ServeError> =>
  Layer.scoped(Emulator, server.make(options))

/**
 * An emulator without a server: its HTTP app, which answers every route of {@link make}
 * (SOAP, `?WSDL`, stats), and the {@link EmulatorShape} operations on its data.
 *
 * @since 0.1.0
 * @category models
 */
export interface App extends EmulatorShape {
  readonly app: HttpApp.Default<never, Scope.Scope>
}

/**
 * The emulator in-process, with no server and no port: requests go to `app` as Effects (as
 * `@mktows/emulator/Testing` does), on the caller's `Clock`. It answers as if reached at
 * `origin` (default `http://emulator.invalid`), which its `url` and WSDL name.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeApp = (options?: Options & { readonly origin?: string }): Effect.Effect<App> => {
  const origin = options?.origin ?? "http://emulator.invalid"
  return server.makeApp(options ?? {}, origin).pipe(
    Effect.map(({ soap: _, ...made }) => ({ ...made, url: origin + server.soapPath }))
  )
}
