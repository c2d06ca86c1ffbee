/**
 * An `HttpClient` over `node:http` and `node:https`, with keep-alive agents owned by the layer.
 *
 * Node's fetch (undici) costs about four times the CPU of `node:http` per SOAP call (its
 * request and body streams, the web `Request`/`Response` objects): a raw POST of a 100-object
 * syncMObjects envelope measured ~22 µs of CPU per object over fetch, ~5 µs over `node:http`
 * (`packages/node/bench/client-cpu.ts`). This client keeps to what the SOAP transport needs:
 * a request body of bytes or text, the status and headers, and the body read once, whole or
 * as a stream (so a size limit can stop reading).
 *
 * Interruption destroys the request (while waiting for the answer) or the response (while
 * reading its body); a body nobody reads is dropped when the request's signal aborts (the
 * platform aborts it when the response is interrupted or collected).
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import type * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"

class NodeResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly status: number
  readonly headers: Headers.Headers
  readonly remoteAddress: Option.Option<string>

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly source: Http.IncomingMessage,
    signal: AbortSignal
  ) {
    super()
    this.status = source.statusCode ?? 0
    this.headers = Headers.fromInput(source.headers as Headers.Input)
    this.remoteAddress = Option.fromNullable(source.socket?.remoteAddress)
    // Readers listen for errors while they read; this one keeps an error that comes when no
    // one reads (a connection reset after the body was dropped) from crashing the process.
    source.on("error", () => {})
    // A body nobody reads would hold the connection: dropped when the request is given up.
    const drop = () => source.destroy()
    signal.addEventListener("abort", drop, { once: true })
    source.once("close", () => signal.removeEventListener("abort", drop))
  }

  get cookies(): Cookies.Cookies {
    const setCookie = this.source.headers["set-cookie"]
    return setCookie === undefined ? Cookies.empty : Cookies.fromSetCookie(setCookie)
  }

  private error(reason: "Decode" | "EmptyBody", cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason, cause })
  }

  /** The whole body, once. */
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.async<ArrayBuffer, HttpClientError.ResponseError>((resume) => {
      const source = this.source
      const chunks: Array<Buffer> = []
      const onData = (chunk: Buffer) => chunks.push(chunk)
      const onEnd = () => {
        const whole = Buffer.concat(chunks)
        // A Buffer may be a view of a shared pool: the answer is its own ArrayBuffer.
        resume(Effect.succeed(
          whole.byteOffset === 0 && whole.byteLength === whole.buffer.byteLength
            ? whole.buffer as ArrayBuffer
            : whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength) as ArrayBuffer
        ))
      }
      const onError = (cause: Error) => resume(Effect.fail(this.error("Decode", cause)))
      source.on("data", onData)
      source.once("end", onEnd)
      source.once("error", onError)
      return Effect.sync(() => {
        source.off("data", onData)
        source.off("end", onEnd)
        source.off("error", onError)
        source.destroy()
      })
    })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.arrayBuffer, (buffer) => Buffer.from(buffer).toString("utf8"))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) =>
        Effect.try({
          try: () => text === "" ? null : JSON.parse(text) as unknown,
          catch: (e) => this.error("Decode", e)
        })
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.map(this.text, (text) => [...new URLSearchParams(text)])
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.fail(this.error("Decode", "this client does not read form data"))
  }

  /** The body as it arrives; ending the stream early drops the rest of it. */
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    const source = this.source
    return Stream.asyncPush<Uint8Array, HttpClientError.ResponseError>((emit) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const onData = (chunk: Buffer) => emit.single(chunk)
          const onEnd = () => emit.end()
          const onError = (cause: Error) => emit.fail(this.error("Decode", cause))
          source.on("data", onData)
          source.once("end", onEnd)
          source.once("error", onError)
          return { onData, onEnd, onError }
        }),
        ({ onData, onEnd, onError }) =>
          Effect.sync(() => {
            source.off("data", onData)
            source.off("end", onEnd)
            source.off("error", onError)
            if (!source.complete) source.destroy()
          })
      )
    )
  }

  toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", request: this.request.toJSON(), status: this.status }
  }
}

const requestError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause })

const bodyOf = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Uint8Array | string | undefined, HttpClientError.RequestError> => {
  switch (request.body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed(request.body.body)
    case "Raw":
      return typeof request.body.body === "string" || request.body.body instanceof Uint8Array
        ? Effect.succeed(request.body.body)
        : Effect.fail(requestError(request, "this client sends bodies of bytes or text only"))
    default:
      return Effect.fail(requestError(request, `this client does not send ${request.body._tag} bodies`))
  }
}

/**
 * The client over the given agents.
 *
 * It makes no span of its own, so requests carry no trace headers either (`traceparent`,
 * `b3`, which would only hand the application's trace and span ids to Marketo, a third party
 * that takes no part in a trace). Each request already has the transport's span
 * (`mktows.SoapTransport.call`, `mktows.RestTransport.request`), under the call's, with the
 * HTTP status; `@effect/platform`'s `http.client` span beside it was a second span per
 * request, and a span costs a copy of the fiber's context and references on entry and on exit:
 * about 8 % of a REST sync's client CPU (`pnpm bench:rest`).
 *
 * @internal
 */
export const fromAgents = (agents: { readonly http: Http.Agent; readonly https: Https.Agent }): HttpClient.HttpClient =>
  HttpClient.withTracerDisabledWhen(exchange(agents), () => true)

const exchange = (agents: { readonly http: Http.Agent; readonly https: Https.Agent }): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) =>
    Effect.flatMap(
      bodyOf(request),
      (body) =>
        Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>((resume) => {
          const headers: Record<string, string | number> = { ...request.headers }
          if (body !== undefined) {
            headers["content-length"] = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength
          }
          const options = { method: request.method, headers }
          const nodeRequest = url.protocol === "https:"
            ? Https.request(url, { ...options, agent: agents.https })
            : Http.request(url, { ...options, agent: agents.http })
          // `on`, not `once`: a request torn down after an error may emit another, and an error
          // without a listener would crash the process (a late one resumes nothing).
          nodeRequest.on("error", (cause) => resume(Effect.fail(requestError(request, cause))))
          nodeRequest.once(
            "response",
            (response) => resume(Effect.succeed(new NodeResponse(request, response, signal)))
          )
          nodeRequest.end(body)
          // Given up while waiting for the answer: the request is torn down, not left running.
          return Effect.sync(() => nodeRequest.destroy())
        })
    )
  )

/**
 * Connections are kept for the next call, but closed after 2 s idle, well before a server
 * closes them (Node servers after 5 s): a call sent on a connection the server is closing fails
 * as a lost answer, and an INSERT or an UPSERT without ids would come back IN_DOUBT. A call
 * waiting at the rate limit leaves connections idle for up to 20 s. (With 4 s, undici's
 * default, a loaded machine still lost a call now and then: the server's clock starts first.)
 * Node's agent also closes sooner, a second before, when a server announces a shorter
 * `Keep-Alive: timeout=…`. The timeout only ever closes idle connections: a call in flight is
 * not cut.
 */
const agentOptions: Http.AgentOptions = { keepAlive: true, timeout: 2_000 }

/**
 * The client with keep-alive agents made for the layer and destroyed with it.
 *
 * @internal
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(
  HttpClient.HttpClient,
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => ({
        http: new Http.Agent(agentOptions),
        https: new Https.Agent(agentOptions)
      })),
      (agents) =>
        Effect.sync(() => {
          agents.http.destroy()
          agents.https.destroy()
        })
    ),
    fromAgents
  )
)
