/**
 * The HTTP side of the REST transport: bounded reading, JSON decoding against a Schema, and
 * the one table of REST error codes to core's errors.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Limits from "@mktows/core/Limits"
import type { AuthFault, MarketoFault } from "@mktows/core/MarketoError"
import { fromFault, ProtocolError, TransportError } from "@mktows/core/MarketoError"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat
}

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

export const connectionError = (operation: string) => (error: HttpClientError.HttpClientError): TransportError => {
  if (error._tag === "ResponseError") {
    return new TransportError({
      reason: "Connection",
      operation,
      description: excerpt(`reading the response failed: ${error.description ?? ""}`),
      ambiguous: true
    })
  }
  const codes = causeCodes(error.cause)
  const notSent = error.reason !== "Transport" || codes.some((code) => notSentCodes.has(code))
  return new TransportError({
    reason: "Connection",
    operation,
    description: excerpt([codes[codes.length - 1], error.description ?? error.reason].filter(Boolean).join(": ")),
    ambiguous: !notSent
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
 * The body as text, at most `Limits.maxMessageBytes`; longer is a ProtocolError, and so is a
 * success body that is not UTF-8 (`InvalidEncoding`).
 */
export const readText = (
  response: HttpClientResponse.HttpClientResponse,
  operation: string
): Effect.Effect<string, TransportError | ProtocolError> => {
  const max = Limits.maxMessageBytes
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
    Effect.mapError(connectionError(operation)),
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
              received: excerpt(lossy.decode(bytes.subarray(0, 800)))
            })
          )
          : Effect.succeed(lossy.decode(bytes))
      }
    })
  )
}

/** A JSON text decoded by `schema`, or a ProtocolError naming where it differs. */
export const decodeJson = <A, I>(
  schema: Schema.Schema<A, I>,
  text: string,
  operation: string
): Effect.Effect<A, ProtocolError> =>
  Schema.decodeUnknown(Schema.parseJson(schema))(text).pipe(
    Effect.mapError((error) =>
      new ProtocolError({
        reason: "SchemaMismatch",
        detail: `the ${operation} answer is not the expected JSON: ${
          excerpt(ParseResult.TreeFormatter.formatErrorSync(error))
        }`,
        received: excerpt(text)
      })
    )
  )

/**
 * A status other than 200: 5xx may have been applied (ambiguous), 4xx was refused.
 *
 * @internal
 */
export const statusError = (operation: string, status: number, body: string): TransportError =>
  new TransportError({ reason: "Status", operation, status, excerpt: excerpt(body), ambiguous: status >= 500 })

/** Codes refreshed once by a new token before they count as an authentication failure. */
export const tokenCodes: ReadonlySet<string> = new Set(["601", "602"])

/**
 * REST response-level codes and the SOAP code whose handling they share, so the client's
 * one classification (`MarketoError.fromFault`) and retry rules apply unchanged:
 * 601/602 (after one refresh) and 603 are authentication failures; 606 and 615 back off
 * like 20023/20024 through the same limiter; 607 is the daily quota (20015, `QuotaExceeded`).
 * 604, 608, 611 and 1029 are not here: they are transient failures that may have been
 * applied, reported as an ambiguous `TransportError` like an HTTP 5xx.
 */
export const soapCodeOf: ReadonlyMap<string, number> = new Map([
  ["601", 20014],
  ["602", 20014],
  ["603", 20013],
  ["606", 20023],
  ["615", 20024],
  ["607", 20015]
])

/** Transient REST codes: the request may or may not have been applied. */
export const transientCodes: ReadonlySet<string> = new Set(["604", "608", "611", "1029"])

/** A response-level REST error as core's error. */
export const restError = (
  operation: string,
  code: string,
  message: string
): AuthFault | MarketoFault | TransportError => {
  const text = `REST ${code}: ${message}`
  if (transientCodes.has(code)) {
    // No HTTP status: core treats the failure as transient, and as ambiguous for in-doubt rules.
    return new TransportError({ reason: "Status", operation, excerpt: text, ambiguous: true })
  }
  const soap = soapCodeOf.get(code)
  const numeric = Number(code)
  return fromFault({
    code: soap ?? (Number.isInteger(numeric) ? numeric : 0),
    faultString: text,
    detail: "REST",
    operation
  })
}
