/**
 * The emulator's HTTP side: a table of routes, and the SOAP call from body to answer.
 *
 * Every answer to a SOAP POST is either a success envelope (HTTP 200) or a fault envelope
 * (HTTP 500, as SOAP 1.1 wants), both `text/xml; charset=utf-8`; nothing a client sends can
 * end the server, a defect in the emulator itself is answered with fault 10001.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpApp from "@effect/platform/HttpApp"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Limits from "@mktows/core/Limits"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Wsdl from "@mktows/xml/Wsdl"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { randomBytes } from "node:crypto"
import { createServer, IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { EmulatorShape, Options, Stats } from "../Emulator.js"
import * as Seed from "../Seed.js"
import { type Authenticate, makeAuthenticate } from "./auth.js"
import { type Body, decodeText, readBody } from "./body.js"
import { type CallLog, makeCallLog } from "./calls.js"
import * as Control from "./control.js"
import { type Counter, makeCounter } from "./counts.js"
import { type EmulatorFault, fault } from "./fault.js"
import { type Guard, makeGuard, makeScript, type Script } from "./guard.js"
import { makeInjector } from "./inject.js"
import { type Limiter, makeLimiter } from "./limits.js"
import { precheck, precheckBytes } from "./precheck.js"
import { type Identity, identityPath, makeIdentity } from "./rest/identity.js"
import * as Rest from "./rest/routes.js"
import { fromSeed, toSeed } from "./seed.js"
import { type Answer, type Call, makeStore, type Store } from "./store.js"
import { unknownOperation } from "./unimplemented.js"

/** @internal */
export const defaults = {
  host: "127.0.0.1",
  port: 0,
  userId: "demo17_1_809934544BFABAE58E5D27",
  encryptionKey: "27272727aa",
  signatureTtlSeconds: 15 * 60,
  dailyQuota: 10_000
} as const

/** @internal */
export const soapPath = "/soap/mktows/2_2"

/** The paths the SOAP routes answer on. @internal */
export const soapPathPattern = /^\/soap\/mktows\/[A-Za-z0-9_.-]+\/?$/

// A Host header worth advertising: DNS labels (or an IPv4 address) or a bracketed IPv6
// address, and an optional port. Anything else falls back to the bound origin.
const hostHeaderPattern =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?$/

/**
 * The origin a client reached the emulator at, from its Host header, so the WSDL of an
 * emulator bound to 0.0.0.0 advertises an address that works; `fallback` when the header is
 * missing or not a plausible `host[:port]`.
 *
 * @internal
 */
export const advertisedOrigin = (host: string | undefined, fallback: string): string => {
  if (host === undefined || host.length > 261) return fallback
  const match = hostHeaderPattern.exec(host)
  if (match === null || (match[1] !== undefined && Number(match[1]) > 65535)) return fallback
  return `http://${host.toLowerCase()}`
}

// Bodies above this are decoded one at a time, so several large (or hostile) requests cannot
// hold the event loop and memory together, while small calls pass beside them.
const largeBodyBytes = 256 * 1024

// Large bodies are read only while the ones already held (being read, decoded or applied) come to
// at most this many MiB: each takes its declared size (or the cap, when it declares none) before
// its first byte is read, whole or not at all, so held bodies can never wait on each other, and
// 150 connections sending 10 MiB each do not hold 1.5 GB.
const largeBodyBudgetMiB = 64

/** The MiB of the budget a body takes: none for a small one, its declared size, or the cap. */
const budgetOf = (declared: string | undefined, cap: number): number => {
  const bytes = declared === undefined || !/^\d+$/.test(declared) ? cap : Math.min(Number(declared), cap)
  return bytes <= largeBodyBytes ? 0 : Math.min(largeBodyBudgetMiB, Math.ceil(bytes / 2 ** 20))
}

const xmlHeaders = { contentType: "text/xml; charset=utf-8" } as const

const faultEnvelope = (error: EmulatorFault): string =>
  SoapCodec.encodeFault({
    code: error.code,
    text: error.text,
    message: error.detail,
    ...(error.code === 10001 || error.code === 20011 ? { faultCode: "Server" as const } : {})
  })

const faultResponse = (error: EmulatorFault) =>
  HttpServerResponse.text(faultEnvelope(error), { status: 500, ...xmlHeaders })

const requestFault = (error: SoapCodec.SoapRequestError): EmulatorFault => {
  const where = error.path === undefined ? "" : ` at ${error.path}`
  switch (error.reason) {
    case "Malformed":
    case "Forbidden":
    case "TooLarge":
    case "NotSoap":
      return fault(20012, `Unexpected SOAP message: ${error.detail}`)
    case "UnknownOperation":
      return unknownOperation(error)
    case "MissingParameter":
      // A header without its user id, timestamp or signature provides no credentials.
      return error.path?.startsWith("AuthenticationHeader") === true
        ? fault(20014, `Authentication failed: the AuthenticationHeader${where} is missing: ${error.detail}`)
        : fault(20017, `Request is missing an expected parameter${where}: ${error.detail}`)
    case "BadValue":
      return fault(20110, `Bad parameter value${where}: ${error.detail}`)
  }
}

// The codec is generic in the operation; an Answer pairs each operation with its result.
const encodeAnswer = (answer: Answer): string =>
  SoapCodec.encodeResponse(answer.operation, answer.result as Wire.ResultOf<typeof answer.operation>)

/** Everything a route may use. @internal */
export interface Context {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly url: URL
  /** The origin the client reached the emulator at (see {@link advertisedOrigin}). */
  readonly reachedAt: string
}

/**
 * A route: a method (or `*` for any), a test of the path, and the answer. The first route
 * that matches answers.
 *
 * @internal
 */
export interface Route {
  readonly method: string
  readonly path: (pathname: string) => boolean
  readonly handle: (context: Context) => Effect.Effect<HttpServerResponse.HttpServerResponse>
}

const route = (method: string, path: string | RegExp, handle: Route["handle"]): Route => ({
  method,
  path: typeof path === "string" ? (p) => p === path : (p) => path.test(p),
  handle
})

interface Parts {
  readonly store: Store
  readonly limiter: Limiter
  readonly counter: Counter
  readonly authenticate: Authenticate
  readonly options: Options
  readonly largeBodies: Effect.Semaphore
  /** {@link largeBodyBudgetMiB}, a permit per MiB. */
  readonly bodyBudget: Effect.Semaphore
  readonly script: Script
  readonly guard: Guard
  readonly calls: CallLog
  readonly identity: Identity
}

// The body of a request that did not come through a Node server (the in-memory app of the
// test kit), with the same cap: an oversize body is read to its end but not kept.
const readWebBody = (request: HttpServerRequest.HttpServerRequest, cap: number): Effect.Effect<Body> =>
  Stream.runFold(request.stream, { chunks: [] as Array<Uint8Array>, size: 0 }, (acc, chunk) => {
    if (acc.size + chunk.length <= cap) acc.chunks.push(chunk)
    else acc.chunks.length = 0
    return { chunks: acc.chunks, size: acc.size + chunk.length }
  }).pipe(
    Effect.map(({ chunks, size }): Body =>
      size > cap ? { _tag: "TooLarge", size } : { _tag: "Bytes", bytes: Buffer.concat(chunks) }
    ),
    Effect.orElseSucceed((): Body => ({ _tag: "Aborted" }))
  )

const maxBodyBytes = (parts: Parts): number => parts.options.maxBodyBytes ?? Limits.maxMessageBytes

// The body of a request, from the Node server's message when there is one: the one body reader
// of every route.
const requestBody = (request: HttpServerRequest.HttpServerRequest, cap: number): Effect.Effect<Body> =>
  request.source instanceof IncomingMessage ? readBody(request.source, cap) : readWebBody(request, cap)

/**
 * What the in-memory app answers where a server would cut the connection unanswered; the
 * test kit recognises it by identity and reports a lost connection.
 *
 * @internal
 */
export const droppedConnection: HttpServerResponse.HttpServerResponse = HttpServerResponse.empty({ status: 500 })

// One SOAP call: the answer, or "drop" when the connection is to be cut unanswered.
const soapCall = (
  parts: Parts,
  read: Effect.Effect<Body>,
  contentType: string | undefined,
  operation: { name: string },
  objects: { list: ReadonlyArray<unknown> }
) =>
  Effect.gen(function*() {
    const maxBytes = maxBodyBytes(parts)
    const body = yield* read
    if (body._tag === "Aborted") return "drop" as const
    if (body._tag === "TooLarge") {
      return yield* Effect.fail(fault(20012, `Unexpected SOAP message: body over ${maxBytes} bytes`))
    }
    const decode = Effect.gen(function*() {
      // UTF-16 (a byte order mark) is checked once decoded; every other encoding read is ASCII-compatible.
      const utf16 = body.bytes[0] === 0xff || body.bytes[0] === 0xfe
      if (!utf16) yield* precheckBytes(body.bytes)
      const text = yield* decodeText(body.bytes, contentType)
      if (utf16) yield* precheck(text)
      return yield* SoapCodec.decodeRequest(text, { maxBytes }).pipe(Effect.mapError(requestFault))
    })
    const decoded = body.bytes.length > largeBodyBytes
      ? yield* parts.largeBodies.withPermits(1)(Effect.zipRight(Effect.yieldNow(), decode))
      : yield* decode
    operation.name = decoded.operation
    objects.list = "mObjectList" in decoded.params ? decoded.params.mObjectList : []
    yield* parts.counter.call(decoded.operation)
    yield* parts.authenticate(decoded.header)
    const call = decoded as Call
    return yield* parts.guard(Effect.tap(parts.store.call(call), (answer) => parts.counter.answer(call, answer)))
  })

/**
 * What a SOAP POST is answered with: a status and an envelope (a success, or a fault, which
 * is counted), or "drop" to cut the connection unanswered. Never fails: a defect of the
 * emulator itself is fault 10001.
 *
 * @internal
 */
export type SoapOutcome = { readonly status: 200 | 500; readonly envelope: string } | "drop"

const soapOutcome = (
  parts: Parts,
  read: Effect.Effect<Body>,
  contentType: string | undefined,
  contentLength: string | undefined
): Effect.Effect<SoapOutcome> => {
  // What the call log shows: filled in as the call is decoded.
  const operation = { name: "unknown" }
  const objects: { list: ReadonlyArray<unknown> } = { list: [] }
  const budget = budgetOf(contentLength, maxBodyBytes(parts))
  const call = soapCall(parts, read, contentType, operation, objects)
  return (budget === 0 ? call : parts.bodyBudget.withPermits(budget)(call)).pipe(
    Effect.flatMap((outcome): Effect.Effect<SoapOutcome> =>
      outcome === "drop"
        ? Effect.as(logSoap(parts, operation.name, objects.list, { result: "dropped" }), "drop" as const)
        : Effect.as(
          logSoap(parts, operation.name, objects.list, {
            result: "answered",
            ...("mObjStatusList" in outcome.result
              ? { statuses: outcome.result.mObjStatusList.map((s) => s.status) }
              : {})
          }),
          { status: 200 as const, envelope: encodeAnswer(outcome) }
        )
    ),
    Effect.catchAllDefect(() => Effect.fail(fault(10001, "Severe system failure in the emulator"))),
    Effect.catchAll((error) =>
      Effect.as(
        Effect.zipRight(
          parts.counter.fault(error.code),
          logSoap(parts, operation.name, objects.list, {
            result: "refused",
            code: String(error.code),
            message: error.detail
          })
        ),
        { status: 500 as const, envelope: faultEnvelope(error) }
      )
    )
  )
}

const logSoap = (
  parts: Parts,
  operation: string,
  objects: ReadonlyArray<unknown>,
  outcome: Parameters<CallLog["record"]>[0]["outcome"]
) => parts.calls.record({ protocol: "soap", operation, objects, outcome })

const soapPost = (parts: Parts) => ({ request }: Context) =>
  Effect.map(
    soapOutcome(
      parts,
      requestBody(request, maxBodyBytes(parts)),
      request.headers["content-type"],
      request.headers["content-length"]
    ),
    (outcome) => {
      if (outcome !== "drop") {
        return HttpServerResponse.text(outcome.envelope, { status: outcome.status, ...xmlHeaders })
      }
      if (!(request.source instanceof IncomingMessage)) return droppedConnection
      request.source.socket.destroy()
      return HttpServerResponse.empty({ status: 500 })
    }
  )

const dropped = ({ request }: Context): HttpServerResponse.HttpServerResponse => {
  if (!(request.source instanceof IncomingMessage)) return droppedConnection
  request.source.socket.destroy()
  return HttpServerResponse.empty({ status: 500 })
}

// The one route table: REST and identity, the test endpoints, SOAP.
const routes = (
  parts: Parts,
  stats: Effect.Effect<Stats>,
  reset: Effect.Effect<void, EmulatorFault>
): ReadonlyArray<Route> => [
  ...Rest.routes({
    store: parts.store,
    guard: parts.guard,
    identity: parts.identity,
    counter: parts.counter,
    calls: parts.calls,
    body: ({ request }, cap) => requestBody(request, cap),
    drop: dropped
  }),
  ...Control.routes({
    store: parts.store,
    script: parts.script,
    calls: parts.calls,
    stats,
    reset,
    body: ({ request }, cap) => requestBody(request, cap)
  }),
  route("GET", soapPathPattern, ({ reachedAt, url }) => {
    const wantsWsdl = [...url.searchParams.keys()].some((key) => key.toLowerCase() === "wsdl")
    // Wsdl.render escapes the address for XML.
    return Effect.succeed(
      wantsWsdl
        ? HttpServerResponse.text(Wsdl.render(reachedAt + url.pathname), xmlHeaders)
        : HttpServerResponse.text(`mktows emulator: POST SOAP here, or GET ${url.pathname}?WSDL`, { status: 200 })
    )
  }),
  route("POST", soapPathPattern, soapPost(parts)),
  route(
    "*",
    soapPathPattern,
    () =>
      Effect.succeed(HttpServerResponse.text("Method not allowed", { status: 405, headers: { allow: "GET, POST" } }))
  )
]

// The SOAP endpoint as a raw request target (path, optional query), for the Node server's own
// route: `.` and `..` are left out, since a URL would resolve them to another path.
const soapTargetPattern = /^\/soap\/mktows\/(?!\.\.?(?:[/?]|$))[A-Za-z0-9_.-]+\/?(?:\?|$)/

/** True when a Node request is a SOAP POST, which the Node server answers itself. @internal */
export const isSoapPost = (method: string | undefined, target: string | undefined): boolean =>
  method === "POST" && target !== undefined && soapTargetPattern.test(target)

const xmlContentType = xmlHeaders.contentType

// The answer written in one `end`, its length given, as the platform's response would be.
const send = (request: IncomingMessage, response: ServerResponse, outcome: SoapOutcome): void => {
  if (outcome === "drop") {
    request.socket.destroy()
    return
  }
  response.writeHead(outcome.status, {
    "content-type": xmlContentType,
    "content-length": Buffer.byteLength(outcome.envelope)
  })
  response.end(outcome.envelope)
}

const drainGraceMillis = 3_000

const drain = (node: Server): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (!node.listening) return resume(Effect.void)
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearInterval(idle)
      clearTimeout(cut)
      resume(Effect.void)
    }
    const idle = setInterval(() => node.closeIdleConnections(), 50)
    const cut = setTimeout(() => {
      node.closeAllConnections()
      finish()
    }, drainGraceMillis)
    node.close(finish)
    node.closeIdleConnections()
  })

/** @internal */
export const make = (options: Options = {}): Effect.Effect<EmulatorShape, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const node = createServer()
    const server = yield* NodeHttpServer.make(() => node, {
      host: options.host ?? defaults.host,
      port: options.port ?? defaults.port
    })
    // On shutdown, stop listening and let the calls in flight finish, but do not wait on clients:
    // a keep-alive client that goes on sending keeps a Node server open for as long as it sends.
    // Idle connections are closed as soon as they are idle; whatever is still open after a
    // grace period is cut. (Registered after the server, so it runs before the platform's close.)
    yield* Effect.addFinalizer(() => drain(node))
    const address = server.address
    const origin = address._tag === "TcpAddress"
      ? `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`
      : "http://localhost"
    const { app, soap, ...shape } = yield* makeApp(options, origin)
    // SOAP POSTs, nearly every request a test suite sends, go straight from the Node request to
    // the call and back (one fiber, no request or response objects, no span or scope per
    // request); every other route goes through the platform's handler and the route table.
    const platform = yield* NodeHttpServer.makeHandler(app)
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const maxBytes = options.maxBodyBytes ?? Limits.maxMessageBytes
    const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
      if (!isSoapPost(request.method, request.url)) return platform(request, response)
      runFork(
        Effect.flatMap(
          soap(readBody(request, maxBytes), request.headers["content-type"], request.headers["content-length"]),
          (outcome) => Effect.sync(() => send(request, response, outcome))
        ).pipe(Effect.catchAllCause(() => Effect.sync(() => request.socket.destroy())))
      )
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => node.on("request", onRequest)),
      () => Effect.sync(() => node.off("request", onRequest))
    )
    return { url: origin + soapPath, ...shape }
  })

/**
 * The emulator without a server: its HTTP app, answering as if reached at `origin`, and the
 * operations on its data.
 *
 * @internal
 */
export interface EmulatorApp extends Omit<EmulatorShape, "url"> {
  readonly app: HttpApp.Default<never, Scope.Scope>
  /** A SOAP POST from its body and Content-Type to its answer (the route `app` has for it). */
  readonly soap: (
    read: Effect.Effect<Body>,
    contentType: string | undefined,
    contentLength: string | undefined
  ) => Effect.Effect<SoapOutcome>
}

/** @internal */
export const makeApp = (options: Options, origin: string): Effect.Effect<EmulatorApp> =>
  Effect.gen(function*() {
    const initial = fromSeed(options.seed ?? Seed.defaultSeed)
    const states = { initial, current: options.restore === undefined ? initial : fromSeed(options.restore) }
    // Random is taken once here, so a caller can seed the injected faults with Effect.withRandom.
    const random = yield* Effect.random
    const limiter = yield* makeLimiter(options.dailyQuota ?? defaults.dailyQuota)
    const script = yield* makeScript
    const parts: Parts = {
      store: yield* makeStore({ ...states, secret: randomBytes(32).toString("hex"), dataFile: options.dataFile }),
      limiter,
      counter: yield* makeCounter,
      authenticate: makeAuthenticate({
        userId: options.userId ?? defaults.userId,
        encryptionKey: options.encryptionKey ?? Redacted.make(defaults.encryptionKey),
        ttlMillis: (options.signatureTtl ?? defaults.signatureTtlSeconds) * 1000
      }),
      options,
      largeBodies: yield* Effect.makeSemaphore(1),
      bodyBudget: yield* Effect.makeSemaphore(largeBodyBudgetMiB),
      script,
      guard: makeGuard({
        script,
        latency: Duration.decode(options.latency ?? 0),
        inject: makeInjector(random, options.faultRate ?? 0),
        limiter,
        enforceLimits: options.enforceLimits === true
      }),
      calls: yield* makeCallLog,
      identity: yield* makeIdentity(options)
    }
    const stats = Effect.flatMap(parts.store.state, parts.counter.stats)
    const reset = Effect.all(
      [parts.store.reset, parts.limiter.reset, parts.counter.reset, parts.script.reset, parts.calls.reset],
      { discard: true }
    )
    const table = routes(parts, stats, reset)

    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      // A request target `new URL` cannot read (`http://[zz/…`) names no path of either API:
      // the client's error in HTTP's words, not a SOAP fault of the emulator's own.
      const url = Either.getOrUndefined(Either.try(() => new URL(request.url, origin)))
      if (url === undefined) {
        return HttpServerResponse.text(`Bad Request: the request target '${request.url}' is no URL`, { status: 400 })
      }
      const reachedAt = advertisedOrigin(request.headers["host"], origin)
      const found = table.find((r) => (r.method === "*" || r.method === request.method) && r.path(url.pathname))
      // A path that exists with another method is the method's mistake, not the base URL's:
      // HTTP's 405 with the methods it takes, so a client is not sent looking for the path.
      const allowed = found === undefined
        ? [...new Set(table.filter((r) => r.path(url.pathname)).map((r) => r.method))]
        : []
      if (allowed.length > 0) {
        return HttpServerResponse.text(
          `Method Not Allowed: ${url.pathname} takes ${allowed.join(", ")}, not ${request.method}`,
          { status: 405, headers: { allow: allowed.join(", ") } }
        )
      }
      return found === undefined
        // Whoever got here has a base URL wrong: say where each API is.
        ? HttpServerResponse.text(
          `Not found: ${url.pathname} is no path of the emulator. The SOAP endpoint is ${reachedAt}${soapPath}; ` +
            `the REST API is under ${reachedAt}${Rest.restPath} (MARKETO_REST_ENDPOINT), its identity under ` +
            `${reachedAt}${identityPath}`,
          { status: 404 }
        )
        : yield* found.handle({ request, url, reachedAt })
    }).pipe(
      Effect.catchAllCause(() => Effect.succeed(faultResponse(fault(10001, "Severe system failure in the emulator"))))
    )

    return {
      restUrl: origin + Rest.restPath,
      identityUrl: origin + identityPath,
      app,
      soap: (read, contentType, contentLength) => soapOutcome(parts, read, contentType, contentLength),
      stats,
      objects: Effect.map(parts.store.state, toSeed),
      reset: Effect.orDie(reset)
    }
  })
