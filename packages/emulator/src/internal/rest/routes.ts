/**
 * The emulator's REST side as routes of the server's one table: the identity endpoint, one
 * route per REST path (its endpoints by method), and 610 for any other `/rest` path.
 *
 * Every REST call goes through the same steps, in the order Adobe's answers imply: a path
 * that exists (610), a token (600, 601, 602), a method the path takes (605; a
 * `POST …?_method=GET` is a GET), a body of the right type (612), then the endpoint, guarded
 * once (latency, scripted and injected faults, limits as 606, 615, 607). Each call is counted
 * in the stats by endpoint and recorded in the call log.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { isUtf8 } from "node:buffer"
import type { Body } from "../body.js"
import type { CallLog, CallOutcome } from "../calls.js"
import type { Counter } from "../counts.js"
import { EmulatorFault } from "../fault.js"
import type { Guard } from "../guard.js"
import type { Context, Route } from "../server.js"
import type { Store } from "../store.js"
import * as Channels from "./channels.js"
import {
  bodyText,
  type Endpoint,
  maxIdentityBytes,
  mediaType,
  type Outcome,
  type Params,
  paramsOf,
  type Parsed,
  parseJson,
  refuse,
  refused,
  type RestRefusal,
  type RestRequest
} from "./common.js"
import * as Delete from "./delete.js"
import * as Describe from "./describe.js"
import { type Identity, identityPath, tokenPath } from "./identity.js"
import * as OpportunityFields from "./opportunityFields.js"
import * as Program from "./program.js"
import * as ProgramByName from "./programByName.js"
import * as ProgramByTag from "./programByTag.js"
import * as Programs from "./programs.js"
import * as Query from "./query.js"
import * as Sync from "./sync.js"
import * as TagTypes from "./tagTypes.js"

/** @internal */
export const restPath = "/rest"

/** Every REST endpoint, one module each. @internal */
export const endpoints: ReadonlyArray<Endpoint> = [
  ...Query.endpoints,
  ...Sync.endpoints,
  ...Delete.endpoints,
  ...Describe.endpoints,
  ...OpportunityFields.endpoints,
  ...Program.endpoints,
  ...Programs.endpoints,
  ...ProgramByName.endpoints,
  ...ProgramByTag.endpoints,
  ...TagTypes.endpoints,
  ...Channels.endpoints
]

/** Whether a path belongs to the REST side. @internal */
export const handles = (pathname: string): boolean =>
  pathname.startsWith(`${restPath}/`) || pathname.startsWith(`${identityPath}/`)

/** SOAP codes of the server's limits and faults, as REST says them. */
/**
 * A scripted or injected SOAP fault in REST's words: RestWire's table read backwards (20014 as
 * 601, 20023 as 606, …), a request expired (20016) as an expired token (602), and the internal
 * errors (20011, 10001) as REST's system error (611).
 */
const restCode: ReadonlyMap<number, string> = new Map([
  // Reversed, so that where two REST codes share a SOAP one (601 and 602: 20014), the first wins.
  ...[...RestWire.soapCodeOf].reverse().map(([rest, soap]): [number, string] => [soap, rest]),
  [20016, "602"],
  [20011, "611"],
  [10001, "611"]
])

/** What the REST routes take from the server. @internal */
export interface RestParts {
  readonly store: Store
  readonly guard: Guard
  readonly identity: Identity
  readonly counter: Counter
  readonly calls: CallLog
  /** Reads the body of a request, capped. */
  readonly body: (context: Context, cap: number) => Effect.Effect<Body>
  /** Cuts the connection of a request unanswered. */
  readonly drop: (context: Context) => HttpServerResponse.HttpServerResponse
}

const matches = (endpoint: Endpoint, path: string): RegExpExecArray | boolean =>
  typeof endpoint.path === "string" ? endpoint.path === path : endpoint.path.exec(path) ?? false

// What the call log shows of a REST answer: the statuses of the records, or the error.
const outcomeOf = (response: HttpServerResponse.HttpServerResponse): CallOutcome => {
  // An HTTP-level refusal (413, 414): no JSON.
  if (response.status !== 200) return { result: "refused", code: `HTTP ${response.status}`, message: "" }
  if (response.body._tag !== "Uint8Array") return { result: "answered" }
  const answer = JSON.parse(new TextDecoder().decode(response.body.body)) as {
    readonly success?: boolean
    readonly errors?: ReadonlyArray<{ readonly code: string; readonly message: string }>
    readonly result?: ReadonlyArray<{ readonly status?: unknown }>
  }
  const error = answer.errors?.[0]
  if (answer.success === false && error !== undefined) {
    return { result: "refused", code: error.code, message: error.message }
  }
  const statuses = (answer.result ?? []).flatMap((r) => typeof r.status === "string" ? [r.status] : [])
  return statuses.length > 0 ? { result: "answered", statuses } : { result: "answered" }
}

// What the call log shows of a JSON body: its `input` records.
const inputOf = (parsed: Either.Either<Parsed | "drop", RestRefusal>): ReadonlyArray<unknown> => {
  if (Either.isLeft(parsed) || parsed.right === "drop") return []
  const value = parsed.right.value
  const input = typeof value === "object" && value !== null && "input" in value ? value.input : undefined
  return Array.isArray(input) ? input : []
}

const answer = (parts: RestParts, group: ReadonlyArray<Endpoint>) => (context: Context) => {
  const { request, url } = context
  const path = url.pathname.slice(restPath.length)
  let name = `${request.method} ${url.pathname}`
  let objects: ReadonlyArray<unknown> = []
  return Effect.gen(function*() {
    // Marketo's only HTTP-level errors (Adobe's REST error codes): a GET whose URI is over 8 KB,
    // and a body over 1 MB, refused before anything else is looked at.
    if (request.method === "GET" && request.url.length > RestWire.maxGetUriChars) {
      return HttpServerResponse.text("Request-URI Too Long", { status: 414 })
    }
    const raw = yield* Effect.cached(parts.body(context, RestWire.maxRequestBytes))
    if (request.method === "POST" && (yield* raw)._tag === "TooLarge") {
      return HttpServerResponse.text("Request Entity Too Large", { status: 413 })
    }
    const text = yield* Effect.cached(Effect.flatMap(raw, bodyText))
    const json = yield* Effect.cached(
      Effect.flatMap(
        text,
        (body): Effect.Effect<Parsed | "drop", RestRefusal> => body === "drop" ? Effect.succeed(body) : parseJson(body)
      )
    )
    yield* parts.identity.authenticate(request, url)
    const tunnelled = request.method === "POST" && url.searchParams.get("_method")?.toUpperCase() === "GET"
    const method = tunnelled ? "GET" : request.method
    const endpoint = group.find((e) => e.methods.some((m) => m === method))
    if (endpoint === undefined) return yield* refuse(RestWire.errorCodes.methodNotSupported, request.method)
    name = endpoint.name
    const type = mediaType(request.headers["content-type"])
    let params: Params = paramsOf(url.searchParams)
    if (request.method === "POST") {
      const accepted = tunnelled
        ? ["application/json", "application/x-www-form-urlencoded"]
        : endpoint.body === "form"
        ? ["application/x-www-form-urlencoded"]
        : ["application/json"]
      if (!accepted.includes(type)) return yield* refuse(RestWire.errorCodes.invalidContentType, type || "none")
      const body = yield* text
      if (body === "drop") return "drop" as const
      if (type === "application/json") objects = inputOf(yield* Effect.either(json))
      // A form's parameters join the URL's: Adobe's way to send a query too long for a URL.
      if (tunnelled && type === "application/x-www-form-urlencoded") {
        const merged = new Map(params)
        for (const [key, values] of paramsOf(new URLSearchParams(body))) merged.set(key, values)
        params = merged
      }
    }
    const match = matches(endpoint, path)
    const restRequest: RestRequest = {
      request,
      url,
      params,
      text,
      json,
      pathParam: typeof match === "object" ? match[1] : undefined,
      tunnelled
    }
    yield* parts.counter.call(`REST ${endpoint.name}`)
    const run = endpoint.handle({ store: parts.store, guard: parts.guard, counter: parts.counter }, restRequest)
    return yield* endpoint.reads(restRequest)
      ? Effect.map(parts.guard(run), (outcome): Outcome => outcome)
      : run
  }).pipe(
    Effect.catchAll((error) =>
      error instanceof EmulatorFault
        ? Effect.as(
          parts.counter.fault(error.code),
          refused(restCode.get(error.code) ?? String(error.code), error.detail)
        )
        : Effect.succeed(refused(error.code, error.text))
    ),
    Effect.tap((outcome) =>
      parts.calls.record({
        protocol: "rest",
        operation: name,
        objects,
        outcome: outcome === "drop" ? { result: "dropped" } : outcomeOf(outcome)
      })
    ),
    Effect.map((outcome) => outcome === "drop" ? parts.drop(context) : outcome)
  )
}

/** The REST and identity routes, for the server's table. @internal */
export const routes = (parts: RestParts): ReadonlyArray<Route> => {
  const paths = new Map<string, { readonly test: (p: string) => boolean; readonly group: Array<Endpoint> }>()
  for (const endpoint of endpoints) {
    const key = String(endpoint.path)
    const entry = paths.get(key) ?? { test: (p: string) => matches(endpoint, p) !== false, group: [] }
    entry.group.push(endpoint)
    paths.set(key, entry)
  }
  return [
    {
      method: "*",
      path: (p) => p === tokenPath,
      handle: ({ request, url }) =>
        Effect.gen(function*() {
          const params = new Map(paramsOf(url.searchParams))
          if (request.method === "POST") {
            const body = yield* parts.body({ request, url, reachedAt: "" }, maxIdentityBytes)
            // Not UTF-8: no parameters, so bad credentials.
            if (body._tag === "Bytes" && isUtf8(body.bytes)) {
              for (const [key, values] of paramsOf(new URLSearchParams(body.bytes.toString("utf8")))) {
                params.set(key, values)
              }
            }
          }
          yield* parts.counter.call("REST identity")
          return yield* parts.identity.token(params)
        })
    },
    ...[...paths.values()].map(({ group, test }): Route => ({
      method: "*",
      path: (p) => p.startsWith(`${restPath}/`) && test(p.slice(restPath.length)),
      handle: answer(parts, group)
    })),
    {
      method: "*",
      path: handles,
      handle: ({ request, url }) =>
        Effect.succeed(
          url.pathname.startsWith(`${identityPath}/`)
            ? HttpServerResponse.text("Not found", { status: 404 })
            : request.method === "OPTIONS"
            ? refused(RestWire.errorCodes.methodNotSupported.code, RestWire.errorCodes.methodNotSupported.message)
            : refused(RestWire.errorCodes.notFound.code, RestWire.errorCodes.notFound.message)
        )
    }
  ]
}
