/**
 * The Node stack's HttpClient over node:http, against a real local server: bodies both ways,
 * keep-alive, a body read only in part, interruption, and a refused connection.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeHttpClient from "../src/internal/httpClient.js"

interface Seen {
  readonly method: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
  readonly remotePort: number
}

/** A local server answering with `handler`; it records every request and every closed socket. */
const server = (handler: (req: Http.IncomingMessage, res: Http.ServerResponse, body: string) => void) =>
  Effect.acquireRelease(
    Effect.async<
      { readonly url: string; readonly seen: Array<Seen>; readonly closed: Array<number>; readonly http: Http.Server }
    >(
      (resume) => {
        const seen: Array<Seen> = []
        const closed: Array<number> = []
        const http = Http.createServer((req, res) => {
          const chunks: Array<Buffer> = []
          req.on("data", (c: Buffer) => chunks.push(c))
          req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8")
            seen.push({ method: req.method ?? "", headers: req.headers, body, remotePort: req.socket.remotePort ?? 0 })
            handler(req, res, body)
          })
        })
        http.on("connection", (socket) => socket.on("close", () => closed.push(socket.remotePort ?? 0)))
        http.listen(
          0,
          "127.0.0.1",
          () =>
            resume(
              Effect.succeed({
                url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/soap`,
                seen,
                closed,
                http
              })
            )
        )
      }
    ),
    ({ http }) =>
      Effect.async<void>((resume) => {
        http.closeAllConnections()
        http.close(() => resume(Effect.void))
      })
  )

// Built in the test's scope: the agents live as long as the test.
const client = Effect.map(Layer.build(NodeHttpClient.layer), Context.get(HttpClient.HttpClient))

describe("the node:http HttpClient", () => {
  it.scopedLive("POSTs the body with its headers, reads status, headers and body, and keeps the connection", () =>
    Effect.gen(function*() {
      const local = yield* server((_req, res, body) => {
        res.writeHead(500, { "content-type": "text/xml", "x-echo": String(body.length) })
        res.end(`<echo>${body}</echo>`)
      })
      const http = yield* client
      const send = (text: string) =>
        http.execute(
          HttpClientRequest.post(local.url).pipe(
            HttpClientRequest.setHeader("SOAPAction", "\"listMObjects\""),
            HttpClientRequest.bodyText(text, "text/xml; charset=utf-8")
          )
        )
      const first = yield* send("héllo")
      expect(first.status).toBe(500)
      expect(first.headers["x-echo"]).toBe("5")
      expect(yield* first.text).toBe("<echo>héllo</echo>")
      const second = yield* send("again")
      expect(new TextDecoder().decode(yield* second.arrayBuffer)).toBe("<echo>again</echo>")
      expect(local.seen.map((s) => [s.method, s.headers["soapaction"], s.headers["content-type"], s.body])).toEqual([
        ["POST", "\"listMObjects\"", "text/xml; charset=utf-8", "héllo"],
        ["POST", "\"listMObjects\"", "text/xml; charset=utf-8", "again"]
      ])
      expect(local.seen[0]!.headers["content-length"]).toBe(String(Buffer.byteLength("héllo")))
      // Both calls went over one kept-alive connection.
      expect(local.seen[1]!.remotePort).toBe(local.seen[0]!.remotePort)
    }))

  it.scopedLive("sends no trace headers: the application's trace and span ids stay out of Marketo's hands", () =>
    Effect.gen(function*() {
      const local = yield* server((_req, res) => res.end("ok"))
      const http = yield* client
      // Inside a span of the application's, with the tracer on (Effect's default).
      yield* http.execute(HttpClientRequest.post(local.url).pipe(HttpClientRequest.bodyText("a"))).pipe(
        Effect.flatMap((response) => response.text),
        Effect.withSpan("application.sync")
      )
      expect(local.seen.length).toBe(1)
      const names = Object.keys(local.seen[0]!.headers)
      expect(names).not.toContain("traceparent")
      expect(names).not.toContain("b3")
    }))

  it.scopedLive("a body read only in part (a size limit) drops the rest and the connection with it", () =>
    Effect.gen(function*() {
      const local = yield* server((_req, res) => {
        // Chunked, no length: the reader decides when to stop.
        res.writeHead(200, { "content-type": "text/xml" })
        res.write("x".repeat(64 * 1024))
        res.write("y".repeat(64 * 1024))
        // Never ended: only dropping the response frees the reader.
      })
      const http = yield* client
      const response = yield* http.execute(HttpClientRequest.post(local.url).pipe(HttpClientRequest.bodyText("a")))
      const first = yield* Stream.runCollect(Stream.take(response.stream, 1))
      expect(Chunk.size(first)).toBe(1)
      // The server sees its connection closed: the dropped answer holds nothing open.
      while (local.closed.length === 0) yield* Effect.sleep("10 millis")
      expect(local.closed.length).toBe(1)
      const next = yield* http.execute(HttpClientRequest.post(local.url).pipe(HttpClientRequest.bodyText("b")))
      expect(next.status).toBe(200)
    }))

  it.scopedLive("interrupted while waiting for the answer, the request is torn down", () =>
    Effect.gen(function*() {
      const received = yield* Deferred.make<void>()
      const local = yield* server(() => {
        Deferred.unsafeDone(received, Effect.void)
        // No answer.
      })
      const http = yield* client
      const fiber = yield* Effect.fork(
        http.execute(HttpClientRequest.post(local.url).pipe(HttpClientRequest.bodyText("a")))
      )
      yield* Deferred.await(received)
      yield* Fiber.interrupt(fiber)
      while (local.closed.length === 0) yield* Effect.sleep("10 millis")
      expect(local.closed.length).toBe(1)
    }))

  it.scopedLive("a refused connection is a RequestError carrying the socket's code", () =>
    Effect.gen(function*() {
      const local = yield* server((_req, res) => res.end())
      const url = local.url
      yield* Effect.async<void>((resume) => {
        local.http.close(() => resume(Effect.void))
      })
      const http = yield* client
      const error = yield* Effect.flip(http.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyText("a"))))
      expect(error._tag).toBe("RequestError")
      expect(error.reason).toBe("Transport")
      expect((error.cause as { readonly code?: string }).code).toBe("ECONNREFUSED")
    }))
})
