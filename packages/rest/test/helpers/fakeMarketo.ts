/**
 * A fake HttpClient answering like Marketo's REST and identity endpoints, scripted per test,
 * and recording every request it was sent.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RestConfig from "../../src/RestConfig.js"

export const secret = "s3cret-that-must-never-leak"
export const settings = {
  endpoint: "https://123-ABC-456.mktorest.com/rest",
  clientId: "client-1",
  clientSecret: secret
}

export interface Sent {
  readonly method: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export type Route = (sent: Sent) => Effect.Effect<{ readonly status: number; readonly body: unknown }>

export const json = (body: unknown, status = 200) => Effect.succeed({ status, body })

/** Status 0: the connection failed with `body` as the HTTP client's cause. */
export const connectionFailure = (cause: unknown) => Effect.succeed({ status: 0, body: cause })

export const ok = (result: ReadonlyArray<unknown>, extra: Record<string, unknown> = {}) =>
  json({ requestId: "r#1", success: true, errors: [], warnings: [], result, ...extra })

export const fail = (code: string, message: string) =>
  json({ requestId: "r#1", success: false, errors: [{ code, message }], warnings: [] })

/** The `n`th token handed out: as long as Marketo's (a GUID, `:` and the pod), so the client takes it. */
export const tokenOf = (n: number) => `${String(n).padStart(8, "0")}-110d-4155-99a7-f986b2ff13a0:ab`

/** Tokens `tokenOf(1)`, `tokenOf(2)`, … one per identity request, each valid `ttl` seconds. */
export const tokens = (ttl = 3600) => {
  let n = 0
  return {
    count: () => n,
    route:
      (() =>
        json({ access_token: tokenOf(++n), token_type: "bearer", expires_in: ttl, scope: "api@x" })) satisfies Route
  }
}

export const fake = (route: Route) => {
  const sent: Array<Sent> = []
  const client = HttpClient.make((request: HttpClientRequest.HttpClientRequest) => {
    const url = new URL(request.url)
    const params: Record<string, string> = {}
    for (const [k, v] of request.urlParams) params[k] = v
    const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
    const s: Sent = { method: request.method, path: url.pathname, params, headers: request.headers, body }
    sent.push(s)
    return Effect.flatMap(route(s), (answer) =>
      answer.status === 0
        ? Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: answer.body }))
        : Effect.succeed(HttpClientResponse.fromWeb(
          request,
          new Response(
            // Bytes as given (a test of bodies that are not UTF-8), text as is, the rest as JSON.
            answer.body instanceof Uint8Array
              ? new Uint8Array(answer.body).buffer
              : typeof answer.body === "string"
              ? answer.body
              : JSON.stringify(answer.body),
            {
              status: answer.status,
              headers: { "content-type": "application/json" }
            }
          )
        )))
  })
  const layer = Layer.merge(Layer.succeed(HttpClient.HttpClient, client), RestConfig.layer(settings))
  return { sent, layer }
}
