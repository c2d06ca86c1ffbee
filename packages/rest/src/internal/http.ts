/**
 * The HTTP side of the REST transport: bounded reading, JSON parsing with a depth bound,
 * decoding against a Schema, quoting server text (bounded, secrets scrubbed), and the one
 * table of REST error codes to core's errors.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Limits from "@mktows/core/Limits"
import type { MarketoFault } from "@mktows/core/MarketoError"
import { AuthFault, fromFault, ProtocolError, quote, TransportError } from "@mktows/core/MarketoError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as RestWire from "../RestWire.js"

const redacted = "<redacted>"

/**
 * `text` without any of `secrets`, as sent (raw, URL- and form-encoded, JSON-escaped): a
 * server that echoes a request (the identity form with the client secret, the bearer header)
 * must not put them into an error. Scrubbed before it is cut, so no prefix survives either.
 */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret === "") continue
    const forms = new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1)
    ])
    for (const form of forms) out = out.split(form).join(redacted)
  }
  return out
}

/** Server text as an error quotes it: whitespace flattened, secrets scrubbed, bounded. */
export const excerpt = (text: string, secrets: ReadonlyArray<string> = []): string =>
  quote(scrub(text.replace(/\s+/g, " ").trim(), secrets))

// Codes that say the connection was never made, so the request cannot have been received.
const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"])

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

/**
 * A failed exchange as a `TransportError` whose `cause` is what the connection failed with:
 * the HTTP client's own cause, never its error, whose request holds the bearer token or the
 * client secret. `sent: false` (the identity request, before any record request) makes it
 * certain that nothing of the call was applied.
 */
export const connectionError =
  (operation: string, secrets: ReadonlyArray<string> = [], sent = true) =>
  (error: HttpClientError.HttpClientError): TransportError => {
    const cause = error.cause === undefined ? {} : { cause: error.cause }
    if (error._tag === "ResponseError") {
      return new TransportError({
        reason: "Connection",
        operation,
        description: excerpt(`reading the response failed: ${error.description ?? ""}`, secrets),
        ambiguous: sent,
        ...cause
      })
    }
    const codes = causeCodes(error.cause)
    const notSent = error.reason !== "Transport" || codes.some((code) => notSentCodes.has(code))
    return new TransportError({
      reason: "Connection",
      operation,
      description: excerpt(
        [codes[codes.length - 1], error.description ?? error.reason].filter(Boolean).join(": "),
        secrets
      ),
      ambiguous: sent && !notSent,
      ...cause
    })
  }

const joined = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

// Fatal: a body that is not UTF-8 is refused, never read with U+FFFD in place of its bytes
// (a name read that way would be synced back changed). The lossy one only makes excerpts.
const strict = new TextDecoder("utf-8", { fatal: true })
const lossy = new TextDecoder("utf-8")

/**
 * The body as text, at most `max` bytes (`Limits.maxMessageBytes`); longer is a ProtocolError, and so is a
 * success body that is not UTF-8 (`InvalidEncoding`).
 */
export const readText = (
  response: HttpClientResponse.HttpClientResponse,
  operation: string,
  secrets: ReadonlyArray<string> = [],
  sent = true,
  max: number = Limits.maxMessageBytes
): Effect.Effect<string, TransportError | ProtocolError> => {
  const tooLarge = new ProtocolError({
    reason: "TooLarge",
    detail: `the ${operation} response is larger than ${max} bytes`,
    received: ""
  })
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > max) return Effect.fail(tooLarge)
  return Stream.runFoldWhile(
    response.stream,
    { chunks: [] as Array<Uint8Array>, size: 0 },
    (acc) => acc.size <= max,
    (acc, chunk) => {
      acc.chunks.push(chunk)
      return { chunks: acc.chunks, size: acc.size + chunk.length }
    }
  ).pipe(
    Effect.mapError(connectionError(operation, secrets, sent)),
    Effect.flatMap(({ chunks, size }) => {
      if (size > max) return Effect.fail(tooLarge)
      const bytes = joined(chunks, size)
      try {
        return Effect.succeed(strict.decode(bytes))
      } catch {
        // Only a success is read as data; any other status is only quoted in its error.
        return response.status === 200
          ? Effect.fail(
            new ProtocolError({
              reason: "InvalidEncoding",
              detail: `the ${operation} response is not valid UTF-8`,
              received: excerpt(lossy.decode(bytes.subarray(0, 4096)), secrets)
            })
          )
          : Effect.succeed(lossy.decode(bytes))
      }
    })
  )
}

/**
 * The deepest nesting of arrays and objects an answer may have. Marketo's answers nest four
 * or five levels; a deeper one is refused before it is parsed, so no answer can exhaust the
 * stack of the parser, the decoder or the error formatter.
 */
export const maxJsonDepth = 64

/** The nesting depth of a JSON text, counted outside strings, up to `limit` + 1. */
const depthOf = (text: string, limit: number): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // a backslash escapes the next character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest
    } else if (c === 93 || c === 125) depth--
  }
  return deepest
}

/** A JSON text parsed, nested at most {@link maxJsonDepth} deep, or a ProtocolError. */
export const parseJson = (
  text: string,
  operation: string,
  secrets: ReadonlyArray<string> = []
): Either.Either<unknown, ProtocolError> => {
  if (depthOf(text, maxJsonDepth) > maxJsonDepth) {
    return Either.left(
      new ProtocolError({
        reason: "TooLarge",
        detail: `the ${operation} answer nests JSON deeper than ${maxJsonDepth} levels`,
        received: excerpt(text.slice(0, 200), secrets)
      })
    )
  }
  try {
    return Either.right(JSON.parse(text) as unknown)
  } catch (error) {
    return Either.left(
      new ProtocolError({
        reason: "SchemaMismatch",
        detail: `the ${operation} answer is not JSON: ${error instanceof Error ? error.message : "unparsable"}`,
        received: excerpt(text, secrets)
      })
    )
  }
}

/** A parsed JSON value decoded by `schema`, or a ProtocolError naming where it differs. */
export const decodeValue = <A, I>(
  schema: Schema.Schema<A, I>,
  value: unknown,
  text: string,
  operation: string,
  secrets: ReadonlyArray<string> = []
): Either.Either<A, ProtocolError> =>
  Either.mapLeft(ParseResult.decodeUnknownEither(schema)(value), (error) =>
    new ProtocolError({
      reason: "SchemaMismatch",
      detail: `the ${operation} answer is not the expected JSON: ${
        excerpt(ParseResult.TreeFormatter.formatIssueSync(error), secrets)
      }`,
      received: excerpt(text, secrets)
    }))

/**
 * A JSON text decoded by `schema`: {@link parseJson}, then {@link decodeValue}; a value that
 * passes `guard` (a check equal to the Schema on what it accepts) skips the decoder.
 */
export const decodeJson = <A, I>(
  schema: Schema.Schema<A, I>,
  text: string,
  operation: string,
  secrets: ReadonlyArray<string> = [],
  guard?: (value: unknown) => value is A
): Either.Either<A, ProtocolError> =>
  Either.flatMap(
    parseJson(text, operation, secrets),
    (value) =>
      guard !== undefined && guard(value) ? Either.right(value) : decodeValue(schema, value, text, operation, secrets)
  )

/**
 * A status other than 200: 5xx may have been applied (ambiguous), 4xx was refused.
 *
 * @internal
 */
export const statusError = (
  operation: string,
  status: number,
  body: string,
  secrets: ReadonlyArray<string> = [],
  sent = true
): TransportError =>
  new TransportError({
    reason: "Status",
    operation,
    status,
    excerpt: excerpt(body, secrets),
    ambiguous: sent && status >= 500
  })

/**
 * What a REST authentication failure asks to check: REST has no user id or encryption key.
 *
 * @internal
 */
export const authAdvice =
  "check the LaunchPoint service's client id and secret (Admin > Integration > LaunchPoint > View Details) and that its API-only user has a role with the API permissions this call needs (Admin > Users & Roles)"

export const { soapCodeOf, tokenCodes, transientCodes } = RestWire

/** A response-level REST error as core's error. */
export const restError = (
  operation: string,
  code: string,
  message: string
): AuthFault | MarketoFault | TransportError => {
  const text = `REST ${code}: ${excerpt(message)}`
  if (transientCodes.has(code)) {
    // No HTTP status: core treats the failure as transient, and as ambiguous for in-doubt rules.
    return new TransportError({ reason: "Status", operation, excerpt: text, ambiguous: true })
  }
  const soap = soapCodeOf.get(code)
  const numeric = Number(code)
  const fault = fromFault({
    code: soap ?? (Number.isInteger(numeric) ? numeric : 0),
    faultString: text,
    detail: "REST",
    operation
  })
  return fault._tag === "AuthFault"
    ? new AuthFault({ code: fault.code, faultString: fault.faultString, advice: authAdvice })
    : fault
}
