/**
 * One REST request as the transport sends it: the current token (a failure to get one is
 * certain to have applied nothing), the bearer header, the capped read, the JSON decoded, one
 * token refresh on 601/602, call-level codes as core's errors and the rest as `Refused`.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpEdge from "@mktows/core/HttpEdge"
import type { TransportCallError } from "@mktows/core/MarketoError"
import { ProtocolError, TransportError } from "@mktows/core/MarketoError"
import * as MarketoTransport from "@mktows/core/MarketoTransport"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import { RestConfig } from "../RestConfig.js"
import { RestIdentity } from "../RestIdentity.js"
import * as RestWire from "../RestWire.js"
import * as Http from "./http.js"

export type Envelope<A> = {
  readonly success: boolean
  readonly errors?: ReadonlyArray<RestWire.Reason>
  readonly result?: ReadonlyArray<A>
  readonly moreResult?: boolean
  readonly nextPageToken?: string
}

/** An answer whose errors are about the request's target, not the call (e.g. no such program). */
export type Answer<A> =
  | { readonly _tag: "Ok"; readonly value: Envelope<A> }
  | { readonly _tag: "Refused"; readonly reasons: ReadonlyArray<RestWire.Reason> }

/** Response-level codes that end the whole call; any other belongs to its target. */
const callLevel = (code: string) =>
  Http.tokenCodes.has(code) || Http.soapCodeOf.has(code) || Http.transientCodes.has(code)

export type Send = <A, I>(
  operation: string,
  build: (base: string) => HttpClientRequest.HttpClientRequest,
  schema: Schema.Schema<Envelope<A>, I>,
  guard?: (value: unknown) => value is Envelope<A>
) => Effect.Effect<Answer<A>, TransportCallError>

export interface Sender {
  readonly send: Send
}

export const make = (
  maxResponseBytes: number
): Effect.Effect<Sender, never, HttpClient.HttpClient | RestConfig | RestIdentity> =>
  Effect.gen(function*() {
    const config = yield* RestConfig
    const identity = yield* RestIdentity
    const client = yield* HttpClient.HttpClient
    // A server may also know the client secret and quote it. Scrubbed from the whole answer
    // only when it is long enough not to be ordinary text (Marketo's are 32 characters): a
    // secret of a few letters would be cut out of every answer's own words.
    const clientSecret = Redacted.value(config.clientSecret)
    const scrubsAnswers = clientSecret.length >= 8

    /**
     * The current token. A failure to get one is certain to have applied nothing (no record
     * request went out with it): an identity answer that is not a token becomes a
     * `TransportError` that says so, with the ProtocolError as its cause.
     */
    const token = identity.token.pipe(
      Effect.catchTag("ProtocolError", (error) =>
        Effect.fail(
          new TransportError({
            reason: "Connection",
            operation: "identity",
            description: `no access token: ${error.message}`,
            ambiguous: false,
            cause: error
          })
        ))
    )

    /**
     * One REST request with the current token; 601/602 refresh the token and send it once
     * more. Call-level errors fail; errors about the target come back as `Refused`.
     */
    const send: Send = <A, I>(
      operation: string,
      build: (base: string) => HttpClientRequest.HttpClientRequest,
      schema: Schema.Schema<Envelope<A>, I>,
      guard?: (value: unknown) => value is Envelope<A>
    ): Effect.Effect<Answer<A>, TransportCallError> => {
      const attempt = (refreshed: boolean, span: HttpEdge.ExchangeSpan): Effect.Effect<Answer<A>, TransportCallError> =>
        Effect.gen(function*() {
          // Nothing is sent until the token is there: an attempt that times out waiting for its
          // first request's token applied nothing, nor one waiting for the token that replaces
          // one Marketo refused (601/602: that request applied nothing either).
          const current =
            yield* (refreshed ? MarketoTransport.afterRefusal(token) : MarketoTransport.beforeSending(token))
          // A server that echoes the request (its bearer header) must not put the token into an error.
          const secrets = [Redacted.value(current), clientSecret]
          const request = build(config.endpoint).pipe(
            HttpClientRequest.acceptJson,
            HttpClientRequest.bearerToken(Redacted.value(current))
          )
          // Marketo counts every request against the rate limit: a call's further requests (a
          // Program each, a describe, a body in halves, a request sent again with a new token)
          // each wait for a place in the client's rate window.
          yield* MarketoTransport.eachRequest
          const response = yield* client.execute(request).pipe(
            Effect.mapError(Http.connectionError(operation, secrets))
          )
          span.attribute("http.response.status_code", response.status)
          // Scrubbed before it is read, so that a token echoed inside the JSON (an error's message,
          // a skipped record's reason) reaches no outcome or error either.
          const text = HttpEdge.scrub(
            yield* Http.readText(response, operation, secrets, true, maxResponseBytes),
            scrubsAnswers ? secrets : secrets.slice(0, 1)
          )
          // Only when Debug is on: its annotation, made per request, would cost every request.
          yield* Effect.whenLogLevel(
            Effect.logDebug(`HTTP ${response.status}, ${text.length} characters read`).pipe(
              Effect.annotateLogs({ "mktows.operation": operation })
            ),
            "Debug"
          )
          if (response.status !== 200) {
            return yield* Effect.fail(Http.statusError(operation, response.status, text, secrets))
          }
          const answer = yield* Http.decodeJson(schema, text, operation, secrets, guard)
          if (answer.success) return { _tag: "Ok", value: answer } as const
          const errors = answer.errors ?? []
          const first = errors[0]
          if (first === undefined) {
            return yield* Effect.fail(
              new ProtocolError({
                reason: "SchemaMismatch",
                detail: `${operation}: success false without errors`,
                received: HttpEdge.excerpt(text, secrets)
              })
            )
          }
          const code = String(first.code)
          if (Http.tokenCodes.has(code) && !refreshed) {
            yield* identity.invalidate(current, code === RestWire.errorCodes.expiredAccessToken.code)
            return yield* attempt(true, span)
          }
          if (callLevel(code)) return yield* Effect.fail(Http.restError(operation, code, first.message))
          return { _tag: "Refused", reasons: errors } as const
        })
      // A leaf span (the token's span, when one is fetched, is the call's child beside it),
      // made only when someone traces.
      return HttpEdge.exchangeSpan(
        "mktows.RestTransport.request",
        { "mktows.operation": operation },
        (span) => attempt(false, span)
      )
    }

    return { send }
  })
