// The SOAP transport: one signed POST per call, over whatever HttpClient the context holds.
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { MarketoConfig } from "@mktows/core/MarketoConfig"
import { ProtocolError, TimeoutError, TransportError } from "@mktows/core/MarketoError"
import type { TransportCallError } from "@mktows/core/MarketoError"
import type { MarketoTransportShape } from "@mktows/core/MarketoTransport"
import * as Signature from "@mktows/core/Signature"
import type { Operation, ParamsOf, ResultOf } from "@mktows/core/Wire"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SoapCodec from "../SoapCodec.js"
import { soapAction } from "./wsdl.js"

export interface Options {
  readonly timeout?: Duration.DurationInput
  readonly maxResponseBytes?: number
}

export const defaultTimeout: Duration.DurationInput = "60 seconds"
export const defaultMaxResponseBytes = 10 * 1024 * 1024

const excerptLength = 200

// What an error may quote of a response: its start, on one line.
const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > excerptLength ? `${flat.slice(0, excerptLength)}…` : flat
}

interface Body {
  readonly text: string
  /** The response was longer than the limit; `text` holds only its start. */
  readonly truncated: boolean
}

// Reads at most `maxBytes` (plus the chunk that crosses the line) and stops there, so an
// endless or huge answer costs bounded memory. The declared length, when present, lets us
// refuse without reading at all.
const readBounded = (
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number
): Effect.Effect<Body, HttpClientError.ResponseError> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Effect.succeed({ text: "", truncated: true })
  }
  return Stream.runFoldWhile(
    response.stream,
    { chunks: [] as Array<Uint8Array>, size: 0 },
    (acc) => acc.size <= maxBytes,
    (acc, chunk) => {
      acc.chunks.push(chunk)
      return { chunks: acc.chunks, size: acc.size + chunk.length }
    }
  ).pipe(Effect.map(({ chunks, size }) => {
    const bytes = new Uint8Array(Math.min(size, maxBytes))
    let offset = 0
    for (const chunk of chunks) {
      if (offset >= bytes.length) break
      const part = chunk.subarray(0, bytes.length - offset)
      bytes.set(part, offset)
      offset += part.length
    }
    return { text: new TextDecoder("utf-8").decode(bytes), truncated: size > maxBytes }
  }))
}

// Codes that say the connection was never made, so the request cannot have been received.
const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"])

// Error codes along a cause chain (undici nests the socket error under `cause`).
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

const causeMessage = (cause: unknown): string | undefined =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : undefined

const connectionError = (operation: Operation) => (error: HttpClientError.HttpClientError): TransportError => {
  if (error._tag === "ResponseError") {
    // The status line arrived, so the request was received: whatever broke, it may have run.
    return new TransportError({
      reason: "Connection",
      operation,
      description: excerpt(`reading the response failed: ${error.description ?? causeMessage(error.cause) ?? ""}`),
      ambiguous: true
    })
  }
  const codes = causeCodes(error.cause)
  const notSent = error.reason !== "Transport" || codes.some((code) => notSentCodes.has(code))
  const what = error.description ?? causeMessage(error.cause) ?? error.reason
  return new TransportError({
    reason: "Connection",
    operation,
    description: excerpt([codes[codes.length - 1], what].filter((s) => s !== undefined).join(": ")),
    ambiguous: !notSent
  })
}

const statusError = (operation: Operation, status: number, body: Body): TransportError =>
  new TransportError({
    reason: "Status",
    operation,
    status,
    excerpt: excerpt(body.text),
    ambiguous: status >= 500
  })

const interpret = <Op extends Operation>(
  operation: Op,
  status: number,
  body: Body,
  maxBytes: number,
  expectedCount: { readonly expectedCount?: number }
): Effect.Effect<ResultOf<Op>, TransportCallError> => {
  if (status === 200) {
    return body.truncated
      ? Effect.fail(
        new ProtocolError({
          reason: "TooLarge",
          detail: `the ${operation} response is larger than ${maxBytes} bytes`,
          received: excerpt(body.text)
        })
      )
      : SoapCodec.decodeResponse(operation, body.text, { maxBytes, ...expectedCount })
  }
  if (status === 500 && !body.truncated) {
    // SOAP 1.1 sends faults with 500; anything else behind a 500 (a proxy's error page, or a
    // success body) says the exchange went wrong somewhere we cannot see.
    return SoapCodec.decodeFault(body.text, { maxBytes, operation }).pipe(
      Effect.matchEffect({
        onFailure: () => Effect.fail(statusError(operation, status, body)),
        onSuccess: (fault) => Effect.fail(fault)
      })
    )
  }
  return Effect.fail(statusError(operation, status, body))
}

// A sync or delete answers with one status per object sent; a different count is a protocol
// error, caught here where the request is still at hand.
const countOf = (operation: Operation, params: unknown): { readonly expectedCount?: number } =>
  (operation === "syncMObjects" || operation === "deleteMObjects") && typeof params === "object" && params !== null &&
    "mObjectList" in params && Array.isArray(params.mObjectList)
    ? { expectedCount: params.mObjectList.length }
    : {}

export const make = (
  options: Options = {}
): Effect.Effect<MarketoTransportShape, never, HttpClient.HttpClient | MarketoConfig> =>
  Effect.gen(function*() {
    const config = yield* MarketoConfig
    const client = yield* HttpClient.HttpClient
    const timeout = Duration.decode(options.timeout ?? defaultTimeout)
    const maxBytes = options.maxResponseBytes ?? defaultMaxResponseBytes

    const call = <Op extends Operation>(
      operation: Op,
      params: ParamsOf<Op>
    ): Effect.Effect<ResultOf<Op>, TransportCallError> =>
      Effect.gen(function*() {
        // Signed now, for this attempt only: a retry gets a new timestamp and signature.
        const header = yield* Signature.authenticationHeader(config)
        const request = HttpClientRequest.post(config.endpoint).pipe(
          HttpClientRequest.setHeader("SOAPAction", `"${soapAction(operation)}"`),
          HttpClientRequest.bodyText(SoapCodec.encodeRequest(operation, header, params), "text/xml; charset=utf-8")
        )
        const response = yield* client.execute(request).pipe(Effect.mapError(connectionError(operation)))
        // Other statuses are only quoted, so their bodies need not be read far.
        const limit = response.status === 200 || response.status === 500 ? maxBytes : Math.min(maxBytes, 65_536)
        const body = yield* readBounded(response, limit).pipe(Effect.mapError(connectionError(operation)))
        // Status and size only: bodies carry the signature and the caller's data.
        yield* Effect.logDebug(
          `HTTP ${response.status}, ${body.text.length} characters read${
            body.truncated ? ", cut at the size limit" : ""
          }`
        )
        return yield* interpret(operation, response.status, body, maxBytes, countOf(operation, params))
      }).pipe(
        Effect.timeoutFail({ duration: timeout, onTimeout: () => new TimeoutError({ operation, timeout }) }),
        Effect.annotateLogs({ "mktows.operation": operation }),
        Effect.withSpan("mktows.SoapTransport.call", { attributes: { "mktows.operation": operation } })
      )

    return { call }
  })
