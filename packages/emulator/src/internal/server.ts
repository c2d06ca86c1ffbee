/**
 * The emulator's HTTP side: routes, request reading with a size cap, signature and
 * timestamp checks, limits, injected latency and faults, and Marketo-shaped answers.
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
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Wsdl from "@mktows/xml/Wsdl"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { randomBytes, timingSafeEqual } from "node:crypto"
import { createServer, IncomingMessage } from "node:http"
import { EmulatorFault, fault } from "./fault.js"
import { makeLimiter } from "./limits.js"
import { defaultSeed, type State } from "./state.js"
import { type Answer, type Call, makeStore } from "./store.js"
import { unknownOperation } from "./unimplemented.js"

// The options are documented once, in the public module.
import type { Options } from "../Emulator.js"

/** @internal */
export interface Stats {
  readonly calls: { readonly [operation: string]: number }
  readonly faults: { readonly [code: string]: number }
  readonly objects: { readonly [type: string]: { readonly [status: string]: number } }
  readonly stored: { readonly [type: string]: number }
}

/** @internal */
export interface EmulatorShape {
  readonly url: string
  readonly stats: Effect.Effect<Stats>
  readonly reset: Effect.Effect<void>
}

/** @internal */
export const defaults = {
  host: "127.0.0.1",
  port: 0,
  userId: "demo17_1_809934544BFABAE58E5D27",
  encryptionKey: "27272727aa",
  signatureTtlSeconds: 15 * 60,
  dailyQuota: 10_000,
  maxBodyBytes: 10 * 1024 * 1024
} as const

/** @internal */
export const soapPath = "/soap/mktows/2_2"

const soapPathPattern = /^\/soap\/mktows\/[A-Za-z0-9_.-]+\/?$/

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

interface Counts {
  readonly calls: Map<string, number>
  readonly faults: Map<string, number>
  readonly objects: Map<string, Map<string, number>>
}

const emptyCounts = (): Counts => ({ calls: new Map(), faults: new Map(), objects: new Map() })

const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by)

const xmlHeaders = { contentType: "text/xml; charset=utf-8" } as const

const faultResponse = (error: EmulatorFault) =>
  HttpServerResponse.text(
    SoapCodec.encodeFault({
      code: error.code,
      text: error.text,
      message: error.detail,
      ...(error.code === 10001 || error.code === 20011 ? { faultCode: "Server" as const } : {})
    }),
    { status: 500, ...xmlHeaders }
  )

type Body = { readonly _tag: "Text"; readonly text: string } | { readonly _tag: "TooLarge"; readonly size: number } | {
  readonly _tag: "Aborted"
}

// Reads at most `cap` bytes and drains the rest, so an oversize request is still answered
// (with a fault) on a connection that stays usable, and never held in memory.
const readBody = (message: IncomingMessage, cap: number): Effect.Effect<Body> =>
  Effect.async<Body>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > cap) chunks.length = 0
      else chunks.push(chunk)
    }
    const onEnd = () =>
      resume(Effect.succeed(
        size > cap ? { _tag: "TooLarge", size } : { _tag: "Text", text: Buffer.concat(chunks).toString("utf8") }
      ))
    const onClose = () => resume(Effect.succeed({ _tag: "Aborted" }))
    const onError = () => resume(Effect.succeed({ _tag: "Aborted" }))
    message.on("data", onData)
    message.once("end", onEnd)
    message.once("error", onError)
    message.once("close", onClose)
    return Effect.sync(() => {
      message.off("data", onData)
      message.off("end", onEnd)
      message.off("error", onError)
      message.off("close", onClose)
    })
  })

// The same for a request that did not come through a Node server (the in-memory app).
const readWebBody = (request: HttpServerRequest.HttpServerRequest, cap: number): Effect.Effect<Body> =>
  Stream.runFold(request.stream, { chunks: [] as Array<Uint8Array>, size: 0 }, (acc, chunk) => {
    if (acc.size + chunk.length <= cap) acc.chunks.push(chunk)
    else acc.chunks.length = 0
    return { chunks: acc.chunks, size: acc.size + chunk.length }
  }).pipe(
    Effect.map(({ chunks, size }): Body =>
      size > cap ? { _tag: "TooLarge", size } : { _tag: "Text", text: Buffer.concat(chunks).toString("utf8") }
    ),
    Effect.orElseSucceed((): Body => ({ _tag: "Aborted" }))
  )

/**
 * What the in-memory app answers where a server would cut the connection unanswered; the
 * test kit recognises it by identity and reports a lost connection.
 *
 * @internal
 */
export const droppedConnection: HttpServerResponse.HttpServerResponse = HttpServerResponse.empty({ status: 500 })

/**
 * The emulator without a server: its HTTP app, answering as if reached at `origin`.
 *
 * @internal
 */
export interface EmulatorApp {
  readonly app: HttpApp.Default<never, HttpServerRequest.HttpServerRequest | Scope.Scope>
  readonly stats: Effect.Effect<Stats>
  readonly reset: Effect.Effect<void>
}

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
      return fault(20017, `Request is missing an expected parameter${where}: ${error.detail}`)
    case "BadValue":
      return fault(20110, `Bad parameter value${where}: ${error.detail}`)
  }
}

// The codec is generic in the operation; an Answer pairs each operation with its result.
const encodeAnswer = (answer: Answer): string =>
  SoapCodec.encodeResponse(answer.operation, answer.result as Wire.ResultOf<typeof answer.operation>)

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** @internal */
export const make = (options: Options = {}): Effect.Effect<EmulatorShape, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => createServer(), {
      host: options.host ?? defaults.host,
      port: options.port ?? defaults.port
    })
    const address = server.address
    const origin = address._tag === "TcpAddress"
      ? `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`
      : "http://localhost"
    const { app, reset, stats } = yield* makeApp(options, origin)
    yield* server.serve(app)
    return { url: origin + soapPath, stats, reset }
  })

/** @internal */
export const makeApp = (options: Options, origin: string): Effect.Effect<EmulatorApp> =>
  Effect.gen(function*() {
    const userId = options.userId ?? defaults.userId
    const encryptionKey = options.encryptionKey ?? Redacted.make(defaults.encryptionKey)
    const ttlMillis = (options.signatureTtl ?? defaults.signatureTtlSeconds) * 1000
    const maxBodyBytes = options.maxBodyBytes ?? defaults.maxBodyBytes
    const latency = Duration.decode(options.latency ?? 0)
    const faultRate = options.faultRate ?? 0
    // Random is taken once here, so a caller can seed the injected faults with Effect.withRandom.
    const random = yield* Effect.random
    const secret = randomBytes(32).toString("hex")
    const store = yield* makeStore(options.seed ?? defaultSeed, secret)
    const limiter = yield* makeLimiter(options.dailyQuota ?? defaults.dailyQuota)
    const counts = yield* Ref.make(emptyCounts())
    const count = (f: (counts: Counts) => void) =>
      Ref.update(counts, (c) => {
        const next = {
          calls: new Map(c.calls),
          faults: new Map(c.faults),
          objects: new Map([...c.objects].map(([k, v]) => [k, new Map(v)]))
        }
        f(next)
        return next
      })

    const authenticate = (header: Option.Option<Wire.AuthenticationHeaderInfo>) =>
      Effect.gen(function*() {
        if (Option.isNone(header)) {
          return yield* Effect.fail(fault(20014, "Authentication failed: the request has no AuthenticationHeader"))
        }
        const { mktowsUserId, requestSignature, requestTimestamp } = header.value
        if (mktowsUserId !== userId) {
          return yield* Effect.fail(fault(20014, "Authentication failed: unknown mktowsUserId"))
        }
        const expected = yield* Signature.sign(encryptionKey, requestTimestamp, mktowsUserId)
        if (!sameText(expected, requestSignature.trim().toLowerCase())) {
          return yield* Effect.fail(fault(20014, "Authentication failed: the request signature does not match"))
        }
        if (ttlMillis > 0) {
          const stamp = Signature.parseTimestamp(requestTimestamp.trim())
          const now = yield* Clock.currentTimeMillis
          if (stamp === undefined) {
            return yield* Effect.fail(fault(20016, "Request Expired: requestTimestamp is not a W3C timestamp"))
          }
          if (Math.abs(now - stamp) > ttlMillis) {
            return yield* Effect.fail(
              fault(20016, `Request signature is too old: the timestamp is more than ${ttlMillis / 1000} s from now`)
            )
          }
        }
      })

    type Injected = "none" | "drop" | EmulatorFault
    const inject: Effect.Effect<Injected> = faultRate <= 0
      ? Effect.succeed("none")
      : Effect.gen(function*() {
        if ((yield* random.next) >= faultRate) return "none"
        switch (yield* random.nextIntBetween(0, 4)) {
          case 0:
            return fault(20023, "The number of calls in the past 20 seconds was greater than 100 (injected)")
          case 1:
            return fault(20024, "The number of concurrent calls was greater than 10 (injected)")
          case 2:
            return fault(20011, "API service failure (injected)")
          default:
            return "drop"
        }
      })

    const countAnswer = (call: Call, answer: Answer) =>
      answer.operation === "syncMObjects" || answer.operation === "deleteMObjects"
        ? count((c) => {
          const objects = call.operation === "syncMObjects" || call.operation === "deleteMObjects"
            ? call.params.mObjectList
            : []
          answer.result.mObjStatusList.forEach((status, i) => {
            const type = objects[i]?.type ?? "unknown"
            const byStatus = c.objects.get(type) ?? new Map<string, number>()
            bump(byStatus, status.status)
            c.objects.set(type, byStatus)
          })
        })
        : Effect.void

    // One SOAP call: the answer, or "drop" when the connection is to be cut unanswered.
    const soap = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const body = yield* (request.source instanceof IncomingMessage
          ? readBody(request.source, maxBodyBytes)
          : readWebBody(request, maxBodyBytes))
        if (body._tag === "Aborted") return "drop" as const
        if (body._tag === "TooLarge") {
          return yield* Effect.fail(fault(20012, `Unexpected SOAP message: body over ${maxBodyBytes} bytes`))
        }
        const decoded = yield* SoapCodec.decodeRequest(body.text, { maxBytes: maxBodyBytes }).pipe(
          Effect.mapError(requestFault)
        )
        yield* count((c) => bump(c.calls, decoded.operation))
        yield* authenticate(decoded.header)
        const call = decoded as Call
        const run = Effect.gen(function*() {
          if (Duration.toMillis(latency) > 0) yield* Effect.sleep(latency)
          const injected = yield* inject
          if (injected instanceof EmulatorFault) return yield* Effect.fail(injected)
          const answer = yield* store.call(call)
          yield* countAnswer(call, answer)
          // A dropped connection after the call was applied: the client cannot know it was.
          if (injected === "drop") return "drop" as const
          return answer
        })
        return yield* options.enforceLimits === true ? limiter.guard(run) : run
      })

    const stats: Effect.Effect<Stats> = Effect.gen(function*() {
      const c = yield* Ref.get(counts)
      const state: State = yield* store.state
      return {
        calls: Object.fromEntries(c.calls),
        faults: Object.fromEntries(c.faults),
        objects: Object.fromEntries([...c.objects].map(([type, m]) => [type, Object.fromEntries(m)])),
        stored: {
          Program: state.programs.size,
          Opportunity: state.opportunities.size,
          OpportunityPersonRole: state.roles.size,
          Lead: state.leads.size,
          Company: state.companies.size
        }
      }
    })

    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const url = new URL(request.url, origin)
      if (url.pathname === "/emulator/stats" && request.method === "GET") {
        return HttpServerResponse.unsafeJson(yield* stats)
      }
      const reachedAt = advertisedOrigin(request.headers["host"], origin)
      if (!soapPathPattern.test(url.pathname)) {
        return HttpServerResponse.text("Not found: the SOAP endpoint is " + reachedAt + soapPath, { status: 404 })
      }
      if (request.method === "GET") {
        const wantsWsdl = [...url.searchParams.keys()].some((key) => key.toLowerCase() === "wsdl")
        // Wsdl.render escapes the address for XML.
        return wantsWsdl
          ? HttpServerResponse.text(Wsdl.render(reachedAt + url.pathname), xmlHeaders)
          : HttpServerResponse.text(`mktows emulator: POST SOAP here, or GET ${url.pathname}?WSDL`, { status: 200 })
      }
      if (request.method !== "POST") {
        return HttpServerResponse.text("Method not allowed", { status: 405, headers: { allow: "GET, POST" } })
      }
      const outcome = yield* soap(request).pipe(
        Effect.catchAllDefect(() => Effect.fail(fault(10001, "Severe system failure in the emulator")))
      )
      if (outcome === "drop") {
        if (!(request.source instanceof IncomingMessage)) return droppedConnection
        request.source.socket.destroy()
        return HttpServerResponse.empty({ status: 500 })
      }
      return HttpServerResponse.text(encodeAnswer(outcome), xmlHeaders)
    }).pipe(
      Effect.catchAll((error) => Effect.as(count((c) => bump(c.faults, String(error.code))), faultResponse(error))),
      Effect.catchAllCause(() => Effect.succeed(faultResponse(fault(10001, "Severe system failure in the emulator"))))
    )

    return {
      app,
      stats,
      reset: Effect.all([store.reset, limiter.reset, Ref.set(counts, emptyCounts())], { discard: true })
    }
  })
