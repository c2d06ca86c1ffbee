/**
 * What every REST endpoint of the emulator shares: the answer envelope, the response-level
 * refusal, the request as an endpoint sees it (its parameters from the query string, or
 * from the body of a `POST …?_method=GET`), and the body read as JSON within bounds.
 *
 * JSON work is bounded before `JSON.parse` runs: the body is capped in size, must be valid
 * UTF-8 (bytes are never replaced by U+FFFD), and a linear scan refuses a nesting deeper or a
 * token count larger than any REST call needs, so a hostile body costs a scan and a parse of
 * bounded size, never a long hold of the event loop.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as XmlText from "@mktows/core/XmlText"
import * as RestWire from "@mktows/rest/RestWire"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { isUtf8 } from "node:buffer"
import { randomBytes } from "node:crypto"
import type { Body } from "../body.js"
import type { Counter } from "../counts.js"
import type { EmulatorFault } from "../fault.js"
import type { Guard } from "../guard.js"
import type { Store } from "../store.js"

/** A response-level REST error the emulator answers with. @internal */
export class RestRefusal extends Data.TaggedError("RestRefusal")<{ readonly code: string; readonly text: string }> {}

/** @internal */
export const reject = (code: string, text: string): Effect.Effect<never, RestRefusal> =>
  Effect.fail(new RestRefusal({ code, text }))

/** Refused with one of Adobe's codes, its message, and what it concerns. @internal */
export const refuse = (
  error: { readonly code: string; readonly message: string },
  detail?: string
): Effect.Effect<never, RestRefusal> =>
  reject(error.code, detail === undefined ? error.message : `${error.message}: ${detail}`)

const requestId = () => `${randomBytes(3).toString("hex")}#${randomBytes(5).toString("hex")}`

/** A success answer. @internal */
export const envelope = (
  result: ReadonlyArray<unknown>,
  extra: Record<string, unknown> = {}
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson({ requestId: requestId(), success: true, errors: [], warnings: [], result, ...extra })

/** The warning of {@link noAssetsFound}, in Adobe's words. @internal */
export const noAssetsWarning = "No assets found for the given search criteria."

/**
 * What an Asset API read that finds nothing answers: success, Adobe's warning, and no
 * `result`. Adobe's emails page gives this answer for an asset's by-id, by-name and browse
 * reads, and its error-code table notes under 702 that many searches succeed with a warning
 * instead.
 *
 * @internal
 */
export const noAssetsFound = (): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson({
    requestId: requestId(),
    success: true,
    errors: [],
    warnings: [noAssetsWarning]
  })

/**
 * A refusal answer: HTTP 200, `success: false`, no `result` (as Adobe's docs show error
 * answers; the Swagger lists `result` as required everywhere, see the README).
 *
 * @internal
 */
export const refused = (code: string, message: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson({ requestId: requestId(), success: false, errors: [{ code, message }], warnings: [] })

/** What an endpoint answers: a response, or "drop" to cut the connection unanswered. @internal */
export type Outcome = HttpServerResponse.HttpServerResponse | "drop"

/**
 * Query parameters, as names to every value given (a repeated parameter is Swagger's
 * `collectionFormat: multi`; comma-separated values within one are split by the endpoint).
 *
 * @internal
 */
export type Params = ReadonlyMap<string, ReadonlyArray<string>>

/** @internal */
export const paramsOf = (search: URLSearchParams): Params => {
  const params = new Map<string, Array<string>>()
  for (const [name, value] of search) params.set(name, [...(params.get(name) ?? []), value])
  return params
}

/** Every value of a list parameter, repeated or comma-separated, blanks left out. @internal */
export const listParam = (params: Params, name: string): ReadonlyArray<string> =>
  (params.get(name) ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "")

/** The last value of a parameter. @internal */
export const param = (params: Params, name: string): string | undefined => params.get(name)?.at(-1)

/** A parameter a search cannot go without: absent or empty is 701 (cannot be blank). @internal */
export const requiredParam = (params: Params, name: string): Effect.Effect<string, RestRefusal> => {
  const value = param(params, name) ?? ""
  return value === "" ? refuse(RestWire.errorCodes.cannotBeBlank, name) : Effect.succeed(value)
}

/**
 * An integer paging parameter within `[min, max]`, `fallback` when absent: anything else is
 * 1001 (not an integer) or 1003 (out of range), never silently replaced.
 *
 * @internal
 */
export const intParam = (
  params: Params,
  name: string,
  bounds: { readonly min: number; readonly max: number; readonly fallback: number }
): Effect.Effect<number, RestRefusal> => {
  const raw = param(params, name)
  if (raw === undefined) return Effect.succeed(bounds.fallback)
  if (!/^\d{1,9}$/.test(raw.trim())) {
    return refuse(RestWire.errorCodes.invalidValue, `'${raw}' for ${name}, required of type integer`)
  }
  const n = Number(raw)
  return n < bounds.min || n > bounds.max
    ? refuse(RestWire.errorCodes.invalidData, `${name} must be between ${bounds.min} and ${bounds.max}, got ${n}`)
    : Effect.succeed(n)
}

/** The media type of a Content-Type header, lower-cased, without its parameters. @internal */
export const mediaType = (contentType: string | undefined): string =>
  (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? ""

/**
 * The most bytes of an identity request's form the emulator reads (a REST call's body has
 * Marketo's own bound, `RestWire.maxRequestBytes`, answered 413 above it). @internal
 */
export const maxIdentityBytes = 2 * 1024 * 1024

// Far more than any REST call of the Swagger needs (a record is two levels down), far less
// than what makes a parse or a decode costly.
const maxDepth = 16
const maxTokens = 200_000

/**
 * The shape a body can be refused for before any parse: depth and token count, counted in
 * one pass that skips strings.
 */
const scan = (text: string): string | undefined => {
  let depth = 0
  let tokens = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) {
      inString = true
      tokens++
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return `nested deeper than ${maxDepth}`
      tokens++
    } else if (c === 0x7d || c === 0x5d) depth--
    else if (c === 0x2c || c === 0x3a) {
      if (++tokens > maxTokens) return `more than ${maxTokens} tokens`
    }
  }
  return undefined
}

/**
 * The text of a body: valid UTF-8 within the cap, else a refusal (609 for bytes that are not
 * UTF-8, 1003 for a body too large).
 *
 * @internal
 */
export const bodyText = (body: Body): Effect.Effect<string | "drop", RestRefusal> => {
  switch (body._tag) {
    case "Aborted":
      return Effect.succeed("drop")
    case "TooLarge":
      return refuse(RestWire.errorCodes.invalidData, `the body is over ${RestWire.maxRequestBytes} bytes`)
    case "Bytes":
      return isUtf8(body.bytes)
        ? Effect.succeed(body.bytes.toString("utf8").replace(/^\uFEFF/, ""))
        : refuse(RestWire.errorCodes.invalidJson, "the body is not valid UTF-8")
  }
}

const invalidJson = (detail?: string) =>
  new RestRefusal({
    code: RestWire.errorCodes.invalidJson.code,
    text: detail === undefined
      ? RestWire.errorCodes.invalidJson.message
      : `${RestWire.errorCodes.invalidJson.message}: ${detail}`
  })

/** A JSON body's value (boxed, so that no value is mistaken for "drop"). @internal */
export interface Parsed {
  readonly value: unknown
}

/**
 * A JSON body's value, bounded (see the module note); 609 when it is not JSON. A request's
 * body is parsed once (`RestRequest.json`): the call log and the endpoint read the same value.
 *
 * @internal
 */
export const parseJson = (text: string): Either.Either<Parsed, RestRefusal> => {
  const bad = scan(text)
  if (bad !== undefined) return Either.left(invalidJson(bad))
  return Either.try({ try: (): Parsed => ({ value: JSON.parse(text) }), catch: () => invalidJson() })
}

/**
 * Where a JSON value first departs from a schema and what was expected there, e.g.
 * `input: Expected ReadonlyArray<unknown>, actual {}` or `[0].cost: Expected Int, actual 1.5`
 * (the path is empty for the value itself).
 *
 * @internal
 */
export const schemaIssue = (error: ParseResult.ParseError): { readonly path: string; readonly message: string } => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  const path = (issue?.path ?? []).map((key) => typeof key === "number" ? `[${key}]` : `.${String(key)}`).join("")
  return { path, message: issue?.message ?? "not the value expected" }
}

/**
 * A parsed JSON body decoded with `schema`. A member of the wrong type is 1001 naming it and
 * what it must be (609 is for text that is not JSON at all, which {@link parseJson} refuses).
 *
 * @internal
 */
export const decodeParsed = <A, I>(schema: Schema.Schema<A, I>, parsed: Parsed): Effect.Effect<A, RestRefusal> =>
  Effect.mapError(Schema.decodeUnknown(schema, { onExcessProperty: "ignore" })(parsed.value), (error) => {
    const { message, path } = schemaIssue(error)
    return new RestRefusal({
      code: RestWire.errorCodes.invalidValue.code,
      text: `${RestWire.errorCodes.invalidValue.message}: ${path === "" ? "the body" : path.slice(1)}: ${message}`
    })
  })

/**
 * Where in a JSON value a string XML 1.0 cannot carry sits (a key or a value), if any: the
 * store also serves SOAP, whose answers must stay XML.
 *
 * @internal
 */
export const notXml = (value: unknown): string | undefined => {
  if (typeof value === "string") return XmlText.isXmlText(value) ? undefined : "a value"
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = notXml(item)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!XmlText.isXmlText(key)) return "a field name"
      const found = notXml(item)
      if (found !== undefined) return `${found} of ${key}`
    }
  }
  return undefined
}

/** What a REST endpoint is given. @internal */
export interface RestRequest {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly url: URL
  /** The query parameters, or a form body's for a `POST …?_method=GET`. */
  readonly params: Params
  /** The body as text (UTF-8 checked), "drop" when the client went away. */
  readonly text: Effect.Effect<string | "drop", RestRefusal>
  /** The body as JSON ({@link parseJson}), parsed once per request. */
  readonly json: Effect.Effect<Parsed | "drop", RestRefusal>
  /** The `id` or `fieldApiName` of a path with one. */
  readonly pathParam: string | undefined
  /** True for a `POST …?_method=GET`: a read, whatever the method. */
  readonly tunnelled: boolean
}

/** What a REST endpoint may use of the server. @internal */
export interface RestServer {
  readonly store: Store
  /** Latency, scripted and injected faults, limits: once per call. */
  readonly guard: Guard
  /** The stats, where a write's records are tallied by type and status as SOAP's are. */
  readonly counter: Counter
}

/** One REST endpoint: its path, the methods it answers, and the answer. @internal */
export interface Endpoint {
  /** The name the stats and the call log give it, e.g. `GET /rest/v1/opportunities.json`. */
  readonly path: string | RegExp
  readonly name: string
  readonly methods: ReadonlyArray<"GET" | "POST">
  /** What the body must be for a POST: JSON, a form, or either. */
  readonly body?: "json" | "form" | "either"
  /** True when the endpoint reads only: guarded around the whole answer. Writes guard where they apply. */
  readonly reads: (request: RestRequest) => boolean
  readonly handle: (server: RestServer, request: RestRequest) => Effect.Effect<Outcome, RestRefusal | EmulatorFault>
}
