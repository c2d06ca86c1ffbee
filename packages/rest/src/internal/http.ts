/**
 * The HTTP side of the REST transport: bounded reading, JSON parsing with a depth bound,
 * decoding against a Schema, quoting server text (bounded, secrets scrubbed), and the one
 * table of REST error codes to core's errors.
 *
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpEdge from "@mktows/core/HttpEdge"
import * as Limits from "@mktows/core/Limits"
import type { MarketoFault, TransportCallError } from "@mktows/core/MarketoError"
import { AuthFault, fromFault, ProtocolError, TransportError } from "@mktows/core/MarketoError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import * as RestWire from "../RestWire.js"

// Server text as an error quotes it: the one edge's excerpt (flattened, scrubbed, bounded).
const { excerpt } = HttpEdge

/**
 * A failed exchange as a `TransportError` whose `cause` is what the connection failed with
 * (never the HTTP client's error, whose request holds the bearer token or the client secret).
 * `sent: false` (the identity request, before any record request) makes it certain that
 * nothing of the call was applied.
 */
export const connectionError = (operation: string, secrets: ReadonlyArray<string> = [], sent = true) =>
  HttpEdge.connectionError(operation, { secrets, sent })

/**
 * The body as text, at most `max` bytes (`Limits.maxMessageBytes`), read through the one edge;
 * longer is a ProtocolError, and so is a success body that is not UTF-8 (`InvalidEncoding`).
 */
export const readText = (
  response: HttpClientResponse.HttpClientResponse,
  operation: string,
  secrets: ReadonlyArray<string> = [],
  sent = true,
  max: number = Limits.maxMessageBytes
): Effect.Effect<string, TransportError | ProtocolError> =>
  HttpEdge.readBounded(response, max).pipe(
    Effect.mapError(connectionError(operation, secrets, sent)),
    Effect.flatMap((body): Effect.Effect<string, TransportError | ProtocolError> => {
      // A refusal is said as its status whatever its size (an error page over the bound is not
      // a TooLarge answer: a 5xx stays one to retry, a 4xx one refused). The identity request's
      // (`sent: false`) is not quoted: cut short, its token could not be found to hide.
      if (body.truncated && response.status !== 200) {
        return Effect.fail(statusError(operation, response.status, sent ? body.bytes : "", secrets, sent))
      }
      if (body.truncated) {
        return Effect.fail(
          new ProtocolError({
            reason: "TooLarge",
            detail: `the ${operation} response ${oversize} ${max} bytes`,
            received: ""
          })
        )
      }
      const text = HttpEdge.textOf(body.bytes)
      if (text !== undefined) return Effect.succeed(text)
      // Only a success is read as data; any other status is only quoted in its error.
      return response.status === 200
        ? Effect.fail(
          new ProtocolError({
            reason: "InvalidEncoding",
            detail: `the ${operation} response is not valid UTF-8`,
            received: HttpEdge.excerptOf(body.bytes, secrets)
          })
        )
        : Effect.succeed(lossy.decode(body.bytes))
    })
  )

const oversize = "is larger than"

/**
 * Whether `error` is a success answer over the response bound (`readText`), not another
 * TooLarge (JSON nested too deep): a read may ask a smaller page for the same place.
 */
export const isOversize = (error: TransportCallError): boolean =>
  error._tag === "ProtocolError" && error.reason === "TooLarge" && error.detail.includes(` ${oversize} `)

// Only for quoting a refusal whose body is not UTF-8: never read as data.
const lossy = new TextDecoder("utf-8")

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
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      // A string is skipped to its closing quote by the native search, not character by
      // character: strings are most of an answer, and this runs over every answer.
      let end = text.indexOf("\"", i + 1)
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf("\"", end + 1)
      // Unterminated: no bracket after it counts, and JSON.parse refuses the text.
      if (end === -1) return deepest
      i = end
    } else if (c === 91 || c === 123) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest
    } else if (c === 93 || c === 125) depth--
  }
  return deepest
}

/** Whether the quote at `at` is escaped: after an odd run of backslashes. */
const isEscaped = (text: string, at: number): boolean => {
  let backslashes = 0
  for (let j = at - 1; text.charCodeAt(j) === 92; j--) backslashes++
  return backslashes % 2 === 1
}

/**
 * What `JSON.parse` found wrong, without the piece of the text V8 quotes, from its first quote on
 * (`Unexpected token 'c', "client_sec"... is not valid JSON`, `…, ..."ss_token":cdf01657-1"...`,
 * `"[object Object]" is not valid JSON`): it may hold a secret cut where no scrub can find it.
 * Messages that quote nothing (`… in JSON at position 6`) are kept whole.
 */
export const parseProblem = (message: string): string => {
  const quote = message.indexOf("\"")
  if (quote === -1) return message
  const head = message.slice(0, quote).replace(/[\s,.]+$/, "")
  return head === "" ? "not valid JSON" : head
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
        received: excerpt(text, secrets)
      })
    )
  }
  try {
    return Either.right(JSON.parse(text) as unknown)
  } catch (error) {
    return Either.left(
      new ProtocolError({
        reason: "SchemaMismatch",
        detail: `the ${operation} answer is not JSON: ${
          error instanceof Error ? parseProblem(error.message) : "unparsable"
        }`,
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

/** A status other than 200: 5xx may have been applied (ambiguous, if `sent`), 4xx was refused. */
export const statusError = (
  operation: string,
  status: number,
  body: Uint8Array | string,
  secrets: ReadonlyArray<string> = [],
  sent = true
): TransportError => HttpEdge.statusError(operation, status, body, { secrets, sent })

/**
 * What a REST authentication failure asks to check: REST has no user id or encryption key.
 *
 * @internal
 */
export const authAdvice =
  "check the LaunchPoint service's client id and secret (Admin > Integration > LaunchPoint > View Details) and that its API-only user has a role with the API permissions this call needs (Admin > Users & Roles)"

export const { soapCodeOf, tokenCodes, transientCodes } = RestWire

/** Adobe's meaning of each REST code in mktows's table (`RestWire.errorCodes`), by code. */
const meaningOf: ReadonlyMap<string, string> = new Map(
  Object.values(RestWire.errorCodes).map((entry) => [entry.code, entry.message])
)

/**
 * Adobe's meaning of a REST code, as its REST error-code table says it; for a code outside
 * mktows's copy of that table, where to look (it is a REST code, never a SOAP one).
 */
const meaningOfCode = (code: string): string =>
  meaningOf.get(code) ?? "a REST code outside mktows's table: see Adobe's REST error codes"

/**
 * A REST error as core's error, its code said once. A code that shares a SOAP code's handling
 * (606 as 20023, 603 as 20013, …) keeps the REST code at the head of the fault's text, since
 * the fault's code is SOAP's; any other REST code (1003, 1006, …) is the fault's code, said
 * with Adobe's meaning, not SOAP's "undocumented code".
 */
export const restError = (
  operation: string,
  code: string,
  message: string
): AuthFault | MarketoFault | TransportError => {
  const text = excerpt(message)
  if (transientCodes.has(code)) {
    // No HTTP status: core treats the failure as transient, and as ambiguous for in-doubt rules.
    return new TransportError({ reason: "Status", operation, excerpt: `REST ${code}: ${text}`, ambiguous: true })
  }
  const soap = soapCodeOf.get(code)
  if (soap !== undefined) {
    const fault = fromFault({ code: soap, faultString: `REST ${code}: ${text}`, operation })
    return fault._tag === "AuthFault"
      ? new AuthFault({ code: fault.code, faultString: text, advice: authAdvice, refusal: `REST ${code}` })
      : fault
  }
  const numeric = Number(code)
  return fromFault({
    code: Number.isInteger(numeric) ? numeric : 0,
    faultString: text,
    detail: "REST",
    operation,
    meaning: meaningOfCode(code)
  })
}
