import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Limits from "@mktows/core/Limits"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import { Opportunity } from "@mktows/core/Opportunity"
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Capture from "../../core/test/helpers/capture.js"
import * as SoapCodec from "../src/SoapCodec.js"
import * as SoapTransport from "../src/SoapTransport.js"

const key = "k3y-that-must-never-leak-2727"
const settings = {
  endpoint: "https://123-ABC-456.mktoapi.com/soap/mktows/2_9",
  userId: "demo17_1_809934544BFABAE58E5D27",
  encryptionKey: key
}
// 2013-08-05T14:22:45-07:00, the instant of Marketo's documented example.
const documentedInstant = Date.UTC(2013, 7, 5, 21, 22, 45)

interface Sent {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

type Respond = (
  request: HttpClientRequest.HttpClientRequest
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

const answer = (status: number, body: string, headers: Record<string, string> = {}): Respond => (request) =>
  Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status, headers })))

// A transport over a fake HttpClient that records what it was sent.
const transportWith = (respond: Respond, options?: SoapTransport.Options) => {
  const sent: Array<Sent> = []
  const client = HttpClient.make((request) => {
    const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
    sent.push({ method: request.method, url: request.url, headers: request.headers, body })
    return respond(request)
  })
  return SoapTransport.make(options).pipe(
    Effect.provideService(HttpClient.HttpClient, client),
    Effect.provide(MarketoConfig.layer(settings)),
    Effect.map((transport) => ({ transport, sent }))
  )
}

// The client over the transport over a fake HttpClient: the rules the client owns.
const clientWith = (respond: Respond, options?: MarketoClient.Options) =>
  MarketoClient.make(options).pipe(
    Effect.provide(
      SoapTransport.layer().pipe(
        Layer.provide(MarketoConfig.layer(settings)),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, HttpClient.make(respond)))
      )
    )
  )

const syncParams: Wire.ParamsOf<"syncMObjects"> = {
  mObjectList: [{ type: "Program", id: 1970 }],
  operation: "UPDATE"
}
const syncResult: Wire.ResultOf<"syncMObjects"> = { mObjStatusList: [{ id: 1970, status: "UPDATED" }] }

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

describe("SoapTransport", () => {
  it.effect("decodes a successful answer", () =>
    Effect.gen(function*() {
      const { transport } = yield* transportWith(answer(200, SoapCodec.encodeResponse("syncMObjects", syncResult)))
      expect(yield* transport.call("syncMObjects", syncParams)).toEqual(syncResult)
    }))

  it.effect("reports the statuses as they came: counting them against the objects is the client's rule", () =>
    Effect.gen(function*() {
      const { transport } = yield* transportWith(answer(200, SoapCodec.encodeResponse("syncMObjects", syncResult)))
      expect(
        yield* transport.call("syncMObjects", {
          ...syncParams,
          mObjectList: [...syncParams.mObjectList, { type: "Program" }]
        })
      ).toEqual(syncResult)
      expect(transport.maxObjectsPerCall).toBe(100)
    }))

  it.effect("over the client, a status count that does not match makes the chunk IN_DOUBT (CountMismatch)", () =>
    Effect.gen(function*() {
      const client = yield* clientWith(answer(200, SoapCodec.encodeResponse("syncMObjects", syncResult)))
      const outcomes = yield* client.syncMObjects(
        [Opportunity.make({ id: 1 }), Opportunity.make({ id: 1970 })],
        "UPDATE",
        { failOnPartial: false }
      )
      expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT", "IN_DOUBT"])
      expect(outcomes[0]!.error).toContain("CountMismatch")
    }))

  it.effect("POSTs the envelope with SOAP 1.1 headers and a signature for the current time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(documentedInstant)
      const { sent, transport } = yield* transportWith(
        answer(200, SoapCodec.encodeResponse("listMObjects", { objects: ["Opportunity"] }))
      )
      yield* transport.call("listMObjects", {})
      const request = sent[0]
      expect(request?.method).toBe("POST")
      expect(request?.url).toBe(settings.endpoint)
      expect(request?.headers["content-type"]).toBe("text/xml; charset=utf-8")
      expect(request?.headers["soapaction"]).toBe("\"http://www.marketo.com/mktows/listMObjects\"")

      const decoded = yield* SoapCodec.decodeRequest(request?.body ?? "")
      expect(decoded.operation).toBe("listMObjects")
      const header = Option.getOrThrow(decoded.header)
      expect(header.mktowsUserId).toBe(settings.userId)
      expect(header.requestTimestamp).toBe("2013-08-05T21:22:45+00:00")
      expect(header.requestSignature).toBe(
        yield* Signature.sign(Redacted.make(key), header.requestTimestamp, settings.userId)
      )
    }))

  it.effect("signs every call afresh", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(documentedInstant)
      const { sent, transport } = yield* transportWith(
        answer(200, SoapCodec.encodeResponse("syncMObjects", syncResult))
      )
      yield* transport.call("syncMObjects", syncParams)
      yield* TestClock.adjust("90 seconds")
      yield* transport.call("syncMObjects", syncParams)
      const headers = yield* Effect.forEach(sent, (s) =>
        SoapCodec.decodeRequest(s.body).pipe(Effect.map((d) => Option.getOrThrow(d.header))))
      expect(headers.map((h) =>
        h.requestTimestamp
      )).toEqual([
        "2013-08-05T21:22:45+00:00",
        "2013-08-05T21:24:15+00:00"
      ])
      expect(headers[0]?.requestSignature).not.toBe(headers[1]?.requestSignature)
      for (const h of headers) {
        expect(h.requestSignature).toBe(yield* Signature.sign(Redacted.make(key), h.requestTimestamp, settings.userId))
      }
    }))

  it.effect("turns a 500 SOAP fault into AuthFault or MarketoFault with its code", () =>
    Effect.gen(function*() {
      const auth = yield* transportWith(
        answer(500, SoapCodec.encodeFault({ code: 20014, text: "Authentication failed" }))
      )
      expect(yield* Effect.flip(auth.transport.call("syncMObjects", syncParams))).toMatchObject({
        _tag: "AuthFault",
        code: 20014
      })
      const limited = yield* transportWith(
        answer(500, SoapCodec.encodeFault({ code: 20023, text: "Rate Limit Exceeded" }))
      )
      const fault = yield* Effect.flip(limited.transport.call("getMObjects", { type: "Opportunity" }))
      expect(fault).toMatchObject({ _tag: "MarketoFault", code: 20023, retryable: true })
    }))

  it.effect("reports a non-SOAP status with an excerpt, ambiguous only for 5xx", () =>
    Effect.gen(function*() {
      const html = `<html>\n  <head><title>502 Bad Gateway</title></head>\n<body>${"x".repeat(5000)}</body></html>`
      const gateway = yield* transportWith(answer(502, html, { "content-type": "text/html" }))
      const error = yield* Effect.flip(gateway.transport.call("syncMObjects", syncParams))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Status", status: 502, ambiguous: true })
      const excerpt = error._tag === "TransportError" ? error.excerpt ?? "" : ""
      expect(excerpt).toContain("<title>502 Bad Gateway</title>")
      // One bound for every quote of a server's text: Limits.maxQuotedChars, the length noted.
      expect(excerpt.length).toBeLessThan(Limits.maxQuotedChars + 40)
      expect(excerpt).toMatch(/… \(\d+ characters in all\)$/)

      // A 500 that is not a SOAP fault is a status error too, not a protocol error.
      const crashed = yield* transportWith(answer(500, "Internal Server Error"))
      expect(yield* Effect.flip(crashed.transport.call("listMObjects", {}))).toMatchObject({
        _tag: "TransportError",
        reason: "Status",
        status: 500,
        excerpt: "Internal Server Error",
        ambiguous: true
      })

      const missing = yield* transportWith(answer(404, "Not Found"))
      expect(yield* Effect.flip(missing.transport.call("listMObjects", {}))).toMatchObject({
        _tag: "TransportError",
        reason: "Status",
        status: 404,
        ambiguous: false
      })
    }))

  it.effect("refuses a success body over the size limit", () =>
    Effect.gen(function*() {
      const { transport } = yield* transportWith(
        answer(
          200,
          SoapCodec.encodeResponse("listMObjects", { objects: Array.from({ length: 200 }, () => "Opportunity") })
        ),
        { maxResponseBytes: 1024 }
      )
      expect(yield* Effect.flip(transport.call("listMObjects", {}))).toMatchObject({
        _tag: "ProtocolError",
        reason: "TooLarge"
      })
    }))

  it.effect("has no timeout of its own: the client's callTimeout bounds the wait for an answer", () =>
    Effect.gen(function*() {
      // The clock moves only once the request is out: signing is real async work, and moving the
      // clock before the attempt has started its timer would test nothing (and hang under load).
      const sent = yield* Deferred.make<void>()
      const client = yield* clientWith(() => Deferred.succeed(sent, undefined).pipe(Effect.zipRight(Effect.never)), {
        callTimeout: "5 seconds",
        retry: { maxAttempts: 1 }
      })
      const fiber = yield* Effect.fork(client.listMObjects())
      yield* Deferred.await(sent)
      yield* TestClock.adjust("4 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const error = failureOf(yield* Fiber.await(fiber))
      expect(error).toMatchObject({ _tag: "TimeoutError", operation: "listMObjects" })
      expect(error?._tag === "TimeoutError" && Duration.toMillis(error.timeout)).toBe(5_000)
    }))

  it.effect("the client's callTimeout also covers reading a body that stops coming after the status line", () =>
    Effect.gen(function*() {
      const start = new TextEncoder().encode(SoapCodec.encodeResponse("listMObjects", { objects: ["A"] }).slice(0, 50))
      const sent = yield* Deferred.make<void>()
      const stalled: Respond = (request) =>
        Deferred.succeed(sent, undefined).pipe(Effect.as(HttpClientResponse.fromWeb(
          request,
          new Response(new ReadableStream({ start: (controller) => controller.enqueue(start) }), { status: 200 })
        )))
      const client = yield* clientWith(stalled, { callTimeout: "3 seconds", retry: { maxAttempts: 1 } })
      const fiber = yield* Effect.fork(client.listMObjects())
      yield* Deferred.await(sent)
      yield* TestClock.adjust("3 seconds")
      expect(failureOf(yield* Fiber.await(fiber))).toMatchObject({ _tag: "TimeoutError", operation: "listMObjects" })
    }))

  it.effect("refuses a success body that is not valid UTF-8 (InvalidEncoding), with or without a length", () =>
    Effect.gen(function*() {
      const xml = SoapCodec.encodeResponse("listMObjects", { objects: ["Opportunity"] })
      const at = xml.indexOf("Opportunity")
      const encoder = new TextEncoder()
      const bytes = new Uint8Array([
        ...encoder.encode(xml.slice(0, at)),
        0xc3,
        0x28,
        0xff,
        0xfe,
        ...encoder.encode(xml.slice(at))
      ])
      for (const headers of [{}, { "content-length": String(bytes.length) }]) {
        const { transport } = yield* transportWith((request) =>
          Effect.succeed(HttpClientResponse.fromWeb(request, new Response(bytes, { status: 200, headers })))
        )
        const error = yield* Effect.flip(transport.call("listMObjects", {}))
        expect(error).toMatchObject({ _tag: "ProtocolError", reason: "InvalidEncoding" })
      }
    }))

  it.effect("reads a body of a declared length at once, and refuses one declared over the limit unread", () =>
    Effect.gen(function*() {
      const xml = SoapCodec.encodeResponse("listMObjects", { objects: ["Opportunity"] })
      const bytes = new TextEncoder().encode(xml)
      const exact = yield* transportWith(answer(200, xml, { "content-length": String(bytes.length) }))
      expect(yield* exact.transport.call("listMObjects", {})).toEqual({ objects: ["Opportunity"] })
      const over = yield* transportWith(answer(200, xml, { "content-length": String(bytes.length) }), {
        maxResponseBytes: bytes.length - 1
      })
      expect(yield* Effect.flip(over.transport.call("listMObjects", {}))).toMatchObject({
        _tag: "ProtocolError",
        reason: "TooLarge"
      })
    }))

  it.effect("a server that echoes the request puts its signature into no error, outcome or log line", () =>
    Effect.gen(function*() {
      const signatureOf = (request: HttpClientRequest.HttpClientRequest) => {
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        return /<requestSignature>([^<]*)</.exec(body)?.[1] ?? "none"
      }
      const escaped = (text: string) => text.replace(/</g, "&lt;").replace(/>/g, "&gt;")
      const fault = (text: string) =>
        `<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>20110 - ${
          escaped(text)
        }</faultstring><detail><ns1:serviceException xmlns:ns1="http://www.marketo.com/mktows/"><name>mktows.exception</name><message>${
          escaped(text)
        }</message><code>20110</code></ns1:serviceException></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`
      const echoes: ReadonlyArray<(request: HttpClientRequest.HttpClientRequest) => readonly [number, string]> = [
        // An error page, a 400, a fault, and a success whose status quotes the request.
        (request) => [500, `<html>you sent ${signatureOf(request)}</html>`],
        (request) => [400, `bad request: <requestSignature>${signatureOf(request)}</requestSignature>`],
        (request) => [500, fault(`signature ${signatureOf(request)} rejected`)],
        (request) => [
          200,
          SoapCodec.encodeResponse("syncMObjects", {
            mObjStatusList: [{ id: 0, status: "FAILED", error: `bad signature ${signatureOf(request)}` }]
          })
        ]
      ]
      for (const echo of echoes) {
        const lines: Array<string> = []
        const capture = Logger.replace(
          Logger.defaultLogger,
          Logger.make(({ message }) => {
            lines.push(Array.isArray(message) ? message.join(" ") : String(message))
          })
        )
        let signature = ""
        const { transport } = yield* transportWith((request) => {
          signature = signatureOf(request)
          const [status, body] = echo(request)
          return answer(status, body)(request)
        }, { wireLog: true })
        const result = yield* transport.call("syncMObjects", syncParams).pipe(Effect.either, Effect.provide(capture))
        const shown = JSON.stringify(result) + (result._tag === "Left" ? result.left.message : "") + lines.join("\n")
        expect(signature).toMatch(/^[0-9a-f]{40}$/)
        expect(shown).not.toContain(signature)
        expect(shown).toContain("[redacted]")
      }
    }))

  it.effect("the opt-in wire log shows both bodies, with the signature redacted", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message }) => {
          lines.push(Array.isArray(message) ? message.join(" ") : String(message))
        })
      )
      const body = SoapCodec.encodeResponse("listMObjects", { objects: ["Opportunity"] })
      for (const wireLog of [false, true]) {
        lines.length = 0
        const { sent, transport } = yield* transportWith(answer(200, body), { wireLog })
        yield* transport.call("listMObjects", {}).pipe(Effect.provide(capture))
        const signature = /<requestSignature>([^<]*)</.exec(sent[0]!.body)![1]!
        const all = lines.join("\n")
        expect(all).not.toContain(signature)
        expect(all).not.toContain(key)
        if (wireLog) {
          expect(all).toContain("<requestSignature>[redacted]</requestSignature>")
          expect(all).toContain("<mktowsUserId>demo17_1_809934544BFABAE58E5D27</mktowsUserId>")
          expect(all).toContain(body)
        } else {
          expect(all).not.toContain("mktowsUserId")
        }
      }
    }))

  it.effect("logs each call's status and size at debug level, annotated with its operation, and nothing at info", () =>
    Effect.gen(function*() {
      const body = SoapCodec.encodeResponse("listMObjects", { objects: ["Opportunity"] })
      const { transport } = yield* transportWith(answer(200, body))
      const debug = yield* Capture.make
      yield* transport.call("listMObjects", {}).pipe(Capture.within(debug))
      const lines = debug.lines.filter((line) => line.includes("bytes read"))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain("level=DEBUG")
      expect(lines[0]).toContain(`HTTP 200, ${new TextEncoder().encode(body).length} bytes read`)
      expect(lines[0]).toContain("mktows.operation=listMObjects")
      // At Effect's default minimum level (Info) the debug line is not written.
      const info: Array<string> = []
      yield* transport.call("listMObjects", {}).pipe(
        Effect.provide(
          Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void info.push(String(message))))
        ),
        Logger.withMinimumLogLevel(LogLevel.Info)
      )
      expect(info).toStrictEqual([])
    }))

  it.effect("reports a refused connection as certainly not sent, a reset one as ambiguous", () =>
    Effect.gen(function*() {
      const failing = (code: string): Respond => (request) =>
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new TypeError("fetch failed", {
              cause: Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code })
            })
          })
        )
      const refused = yield* transportWith(failing("ECONNREFUSED"))
      const error = yield* Effect.flip(refused.transport.call("syncMObjects", syncParams))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Connection", ambiguous: false })
      expect(error.message).toContain("ECONNREFUSED")
      // The HTTP client's error is kept whole, its nested socket error included.
      const cause = error._tag === "TransportError" ? error.cause : undefined
      expect(cause).toBeInstanceOf(TypeError)
      expect((cause as { readonly cause?: { readonly code?: string } }).cause?.code).toBe("ECONNREFUSED")

      // The status line came, then the body broke off: the call may well have run.
      const cut = yield* transportWith((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(
          request,
          new Response(new ReadableStream({ start: (controller) => controller.error(new Error("socket hang up")) }))
        ))
      )
      expect(yield* Effect.flip(cut.transport.call("syncMObjects", syncParams))).toMatchObject({
        _tag: "TransportError",
        reason: "Connection",
        ambiguous: true
      })

      const reset = yield* transportWith(failing("ECONNRESET"))
      expect(yield* Effect.flip(reset.transport.call("syncMObjects", syncParams))).toMatchObject({
        _tag: "TransportError",
        reason: "Connection",
        ambiguous: true
      })
    }))

  it.effect("never shows the encryption key in an error, a request, a span or the logs", () =>
    Effect.gen(function*() {
      const captured = yield* Capture.make
      const scenarios: ReadonlyArray<Respond> = [
        answer(200, SoapCodec.encodeResponse("syncMObjects", syncResult)),
        answer(500, SoapCodec.encodeFault({ code: 20014, text: "Authentication failed" })),
        answer(502, "<html>Bad Gateway</html>"),
        answer(200, "not xml at all"),
        (request) => Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: "reset" })),
        () => Effect.never
      ]
      const texts: Array<string> = []
      for (const respond of scenarios) {
        const { sent, transport } = yield* transportWith(respond)
        const fiber = yield* transport.call("syncMObjects", syncParams).pipe(
          Effect.timeout("1 second"),
          Capture.within(captured),
          Effect.fork
        )
        yield* TestClock.adjust("1 second")
        const exit = yield* Fiber.await(fiber)
        texts.push(
          ...sent.map((s) => JSON.stringify(s)),
          Exit.isFailure(exit) ? Cause.pretty(exit.cause) + JSON.stringify(failureOf(exit)) : "",
          String(failureOf(exit) ?? "")
        )
      }
      const traced = captured.spans.map((span) =>
        JSON.stringify({ name: span.name, attributes: Object.fromEntries(span.attributes) })
      )
      expect(traced.filter((t) => t.includes("mktows.SoapTransport.call")).length).toBe(scenarios.length)
      expect(captured.lines.length).toBeGreaterThan(0)
      expect(texts.length).toBeGreaterThan(scenarios.length)
      for (const text of [...texts, ...captured.lines, ...traced]) expect(text).not.toContain(key)
    }))

  it.effect("provides core's MarketoTransport through its layer", () =>
    Effect.gen(function*() {
      const transport = yield* MarketoTransport
      expect(yield* transport.call("listMObjects", {})).toEqual({ objects: ["Opportunity"] })
    }).pipe(
      Effect.provide(
        SoapTransport.layer().pipe(
          Layer.provide(MarketoConfig.layer(settings)),
          Layer.provide(
            Layer.succeed(
              HttpClient.HttpClient,
              HttpClient.make(answer(200, SoapCodec.encodeResponse("listMObjects", { objects: ["Opportunity"] })))
            )
          )
        )
      )
    ))
})
