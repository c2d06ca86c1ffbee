/**
 * What every transport does where HTTP meets Marketo, written once: the bounded body read,
 * strict UTF-8, the excerpt an error may quote (bounded, secrets scrubbed), and HTTP failures
 * as a `TransportError` that says whether the request may have been received and keeps its
 * cause; the turns of the event loop that let calls started together go out one by one; and
 * the transport's span around each exchange, made only when someone traces.
 *
 * For transport authors (`@mktows/xml`'s SOAP transport and `@mktows/rest` use it). It is
 * written against Effect alone and the shape of an HTTP client's failure, so that core stays
 * free of `@effect/platform`: `@effect/platform`'s `HttpClientError` has that shape.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Spans from "./internal/spans.js"
import * as Turn from "./internal/turn.js"
import * as Limits from "./Limits.js"
import { quote, TransportError } from "./MarketoError.js"

const redacted = "<redacted>"

/**
 * `text` without any of `secrets`, in every form a request carries them (raw, URL- and
 * form-encoded, JSON-escaped): a server that echoes a request (an identity form with a client
 * secret, a bearer header, a SOAP header's signature) must not put them into an error. Each is
 * replaced by `marker` (`<redacted>`; a body still to be read as XML takes one that is no markup).
 *
 * @since 0.1.0
 * @category excerpts
 */
export const scrub = (text: string, secrets: ReadonlyArray<string>, marker: string = redacted): string => {
  let out = text
  for (const secret of secrets) {
    if (secret === "") continue
    // A secret of letters, digits and `-._` (a hex signature) has no other form: this runs on
    // every answer, so the forms are only made for one that has. (`~` has: a form encodes it.)
    const forms = unreserved.test(secret) ? [secret] : new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1)
    ])
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(marker)
  }
  return out
}

// What URL encoding, form encoding and JSON all leave as it is.
const unreserved = /^[A-Za-z0-9._-]+$/

/**
 * A server's text as an error or an outcome may quote it: on one line, without `secrets`, at
 * most `Limits.maxQuotedChars` characters, the full length noted when it was cut. Whatever a
 * server sent, the quote stays small, and only the start of a long text is flattened.
 *
 * @since 0.1.0
 * @category excerpts
 */
export const excerpt = (text: string, secrets: ReadonlyArray<string> = []): string => {
  // Scrubbed before it is cut, so no prefix of a secret survives at the cut either.
  const clean = secrets.length === 0 ? text : scrub(text, secrets)
  const max = Limits.maxQuotedChars
  const head = clean.length > 4 * max ? clean.slice(0, 4 * max) : clean
  const flat = head.replace(/\s+/g, " ").trim()
  return head.length === clean.length ? quote(flat, max) : `${flat.slice(0, max)}… (${clean.length} characters in all)`
}

/**
 * `text` as an http(s) URL, or `undefined`: what an endpoint setting must be.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const httpUrl = (text: string): URL | undefined => {
  // White space anywhere is refused: the URL parser drops it at the ends (and tabs and line
  // breaks inside), but a transport that joins paths to the setting's text would send it, as
  // `/rest%20/v1/…`, the path of a space read off the end of an .env line.
  if (/\s/.test(text)) return undefined
  const url = URL.canParse(text) ? new URL(text) : undefined
  return url !== undefined && (url.protocol === "http:" || url.protocol === "https:") ? url : undefined
}

/**
 * What a `ConfigError` says of an endpoint setting that is not an {@link httpUrl}: what was
 * expected (with `example`, when given), white space named when that is what is wrong, and the
 * setting quoted as {@link shownUrl} shows it.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const notHttpUrl = (text: string, example?: string): string =>
  `expected an http(s) URL${example === undefined ? "" : ` such as ${example}`}${
    /\s/.test(text) ? ", with no white space in it" : ""
  }, got "${shownUrl(text)}"`

/**
 * An endpoint setting as an error may quote it: a user and password written into it
 * (`scheme://u:p@host`) left out, as `scheme://…@host`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const shownUrl = (text: string): string => text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1…@")

// Fatal: bytes that are not UTF-8 are refused, never read with U+FFFD in their place (a name
// read that way would be synced back changed). The lossy one only makes excerpts.
const strict = new TextDecoder("utf-8", { fatal: true })
const lossy = new TextDecoder("utf-8")

/**
 * Bytes as text, or `undefined` when they are not UTF-8.
 *
 * @since 0.1.0
 * @category decoding
 */
export const textOf = (bytes: Uint8Array): string | undefined => {
  try {
    return strict.decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * An excerpt of bytes whatever they hold: invalid UTF-8 shows as U+FFFD. Only the start of
 * the bytes is decoded (so a cut one notes the length of that start, not of the whole).
 *
 * @since 0.1.0
 * @category excerpts
 */
export const excerptOf = (bytes: Uint8Array, secrets: ReadonlyArray<string> = []): string =>
  excerpt(lossy.decode(bytes.subarray(0, 4 * Limits.maxQuotedChars + 4)), secrets)

/**
 * A response body read with a bound.
 *
 * @since 0.1.0
 * @category models
 */
export interface Body {
  readonly bytes: Uint8Array
  /** The body was longer than the bound; `bytes` holds only its start (or nothing). */
  readonly truncated: boolean
}

/**
 * What the edge needs of a response: its declared length, its bytes as a stream, and its
 * bytes at once (the usual case, when a length is declared).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseBody<E> {
  readonly headers: { readonly [name: string]: string | undefined }
  readonly stream: Stream.Stream<Uint8Array, E>
  readonly arrayBuffer: Effect.Effect<ArrayBuffer, E>
}

const empty = new Uint8Array(0)

/**
 * Reads a body once, at most `maxBytes`. A declared length is the usual case (Marketo and
 * the emulator send one): over the bound the body is refused unread, otherwise the HTTP
 * framing bounds the one read. Without one (chunked), the stream is read until the bound is
 * crossed, and what was read is kept up to the bound.
 *
 * @since 0.1.0
 * @category reading
 */
export const readBounded = <E>(response: ResponseBody<E>, maxBytes: number): Effect.Effect<Body, E> => {
  const header = response.headers["content-length"]
  const declared = header === undefined ? Number.NaN : Number(header)
  if (Number.isSafeInteger(declared) && declared >= 0) {
    return declared > maxBytes
      ? Effect.succeed({ bytes: empty, truncated: true })
      : Effect.map(response.arrayBuffer, (buffer) => ({ bytes: new Uint8Array(buffer), truncated: false }))
  }
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Stream.runForEachWhile(response.stream, (chunk) =>
      Effect.sync(() => {
        chunks.push(chunk)
        size += chunk.length
        return size <= maxBytes
      })).pipe(Effect.map(() => {
        const bytes = new Uint8Array(Math.min(size, maxBytes))
        let offset = 0
        for (const chunk of chunks) {
          if (offset >= bytes.length) break
          const part = chunk.subarray(0, bytes.length - offset)
          bytes.set(part, offset)
          offset += part.length
        }
        return { bytes, truncated: size > maxBytes }
      }))
  })
}

/**
 * The shape of an HTTP client's failure that the edge reads: `@effect/platform`'s
 * `HttpClientError` (a `RequestError` before any answer, a `ResponseError` after the status
 * line) has it.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpFailure {
  readonly _tag: "RequestError" | "ResponseError"
  readonly reason: string
  readonly description?: string | undefined
  readonly cause?: unknown
}

// Codes that say the connection was never made, so the request cannot have been received:
// no route or name, a refusal, or a TLS handshake that failed (a certificate the client does
// not trust, or a server that speaks no TLS there): no byte of the request goes out before it.
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER"
])

// OpenSSL's "wrong version number" (https to a plain-HTTP port) comes as EPROTO: a handshake
// that never completed. Other EPROTO errors may come after a request went out.
const handshakeFailed = (cause: unknown): boolean => {
  let current: unknown = cause
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const { code, message } = current as { readonly code?: unknown; readonly message?: unknown }
    if (code === "EPROTO" && typeof message === "string" && message.includes("wrong version number")) return true
    current = (current as { readonly cause?: unknown }).cause
  }
  return false
}

// Error codes along a cause chain (undici nests the socket error under `cause`).
const causeCodes = (cause: unknown): ReadonlyArray<string> => {
  const codes: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const code: unknown = (current as { readonly code?: unknown }).code
    if (typeof code === "string") codes.push(code)
    current = (current as { readonly cause?: unknown }).cause
  }
  return codes
}

const causeMessage = (cause: unknown): string | undefined =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : undefined

/**
 * Where a request stands, for the errors of its exchange: the secrets it carried (never quoted
 * back), and whether a record request may have gone out (`sent: false` for a request made
 * before any, such as an identity request: then nothing of the call can have been applied).
 *
 * @since 0.1.0
 * @category models
 */
export interface Exchange {
  readonly secrets?: ReadonlyArray<string>
  readonly sent?: boolean
}

/**
 * An HTTP client's failure as a `TransportError`. It is ambiguous (the request may have been
 * received) unless the connection was certainly never made, the request never left (a bad
 * URL, a body that could not be encoded), or it was not a record request. The cause kept is
 * the HTTP client's own (a socket error, say), never the failure itself, which holds the
 * request and so its body and headers (a signature, a token, a client secret).
 *
 * @since 0.1.0
 * @category errors
 */
export const connectionError =
  (operation: string, exchange: Exchange = {}) => (failure: HttpFailure): TransportError => {
    const secrets = exchange.secrets ?? []
    const sent = exchange.sent ?? true
    if (failure._tag === "ResponseError") {
      // The status line arrived, so the request was received: whatever broke, it may have run.
      return new TransportError({
        reason: "Connection",
        operation,
        description: excerpt(
          `reading the response failed: ${failure.description ?? causeMessage(failure.cause) ?? ""}`,
          secrets
        ),
        ambiguous: sent,
        cause: failure.cause
      })
    }
    const codes = causeCodes(failure.cause)
    const notSent = failure.reason !== "Transport" || codes.some((code) => notSentCodes.has(code)) ||
      handshakeFailed(failure.cause)
    const what = failure.description ?? causeMessage(failure.cause) ?? failure.reason
    return new TransportError({
      reason: "Connection",
      operation,
      description: excerpt([codes[codes.length - 1], what].filter((s) => s !== undefined).join(": "), secrets),
      ambiguous: sent && !notSent,
      cause: failure.cause
    })
  }

/**
 * An HTTP status the transport does not read as an answer. A 5xx may have been applied, and so
 * may another 2xx than the answer's (201, 202 accepted for later, 204 done with nothing said):
 * ambiguous, when the request was a record request. Anything else (a redirect, a 4xx) was
 * refused.
 *
 * @since 0.1.0
 * @category errors
 */
export const statusError = (
  operation: string,
  status: number,
  body: Uint8Array | string,
  exchange: Exchange = {}
): TransportError =>
  new TransportError({
    reason: "Status",
    operation,
    status,
    excerpt: typeof body === "string" ? excerpt(body, exchange.secrets) : excerptOf(body, exchange.secrets),
    ambiguous: (exchange.sent ?? true) && (status >= 500 || (status >= 200 && status < 300))
  })

/**
 * A transport's turns of the event loop, for `MarketoTransportShape.turn`: the first call in a
 * turn of the host's event loop goes on at once, any other waits (first come, first served)
 * for a turn of its own, so that each request is written as soon as it is encoded and answers
 * are read between two calls' encodings. Nothing waits under a Clock other than the live one
 * (a TestClock), nor on a host without `setImmediate` (a browser, whose `fetch` sends without
 * waiting for the microtasks to end). Make one per transport (it holds whose turn it is), when
 * the transport is built.
 *
 * @example
 * import * as HttpEdge from "@mktows/core/HttpEdge"
 * import * as Effect from "effect/Effect"
 *
 * const turn = HttpEdge.makeTurns()
 * // Three calls started together: the first at once, the others each on a later turn.
 * await Effect.runPromise(Effect.all([turn, turn, turn], { concurrency: "unbounded" }))
 *
 * @since 0.1.0
 * @category turns
 */
export const makeTurns: () => Effect.Effect<void> = Turn.make

/**
 * What a transport's span lets it record once the exchange is under way (the HTTP status).
 *
 * @since 0.1.0
 * @category spans
 */
export interface ExchangeSpan {
  readonly attribute: (key: string, value: unknown) => void
}

/**
 * A transport's span around one exchange (`mktows.RestTransport.request`,
 * `mktows.SoapTransport.call`): a leaf (`Effect.useSpan`, not the parent of what runs inside,
 * so the fiber's context is not copied in and out), with no stack trace. It is made only when
 * the fiber's tracer keeps spans (OpenTelemetry's, Effect's DevTools, a test's); under
 * Effect's own tracer, which hands its spans to no one, `use` gets a span that records
 * nothing, and the exchange is the same.
 *
 * @example
 * import * as HttpEdge from "@mktows/core/HttpEdge"
 * import * as Effect from "effect/Effect"
 *
 * const exchange = HttpEdge.exchangeSpan(
 *   "my.Transport.request",
 *   { "mktows.operation": "syncMObjects" },
 *   (span) => Effect.sync(() => span.attribute("http.response.status_code", 200))
 * )
 * await Effect.runPromise(exchange)
 *
 * @since 0.1.0
 * @category spans
 */
export const exchangeSpan = <A, E, R>(
  name: string,
  attributes: Record<string, unknown>,
  use: (span: ExchangeSpan) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Spans.useLeafSpan(name, { attributes, captureStackTrace: false }, use)
