// The SOAP transport: one signed POST per call, over whatever HttpClient the context holds.
// It moves bytes and reports what it saw; the client owns the timeout, the status count and
// the pairing of statuses with objects.
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Limits from "@mktows/core/Limits"
import { MarketoConfig } from "@mktows/core/MarketoConfig"
import { ProtocolError, TransportError } from "@mktows/core/MarketoError"
import type { TransportCallError } from "@mktows/core/MarketoError"
import type { MarketoTransportShape } from "@mktows/core/MarketoTransport"
import * as Signature from "@mktows/core/Signature"
import type { Operation, ParamsOf, ResultOf } from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SoapCodec from "../SoapCodec.js"
import { soapAction } from "./wsdl.js"

export interface Options {
  readonly maxResponseBytes?: number
  readonly wireLog?: boolean
}

export const defaultMaxResponseBytes = Limits.maxMessageBytes

/** How much of each body the wire log shows. */
export const wireLogCharacters = 65_536

const excerptLength = 200

// What an error may quote of a response: its start, on one line.
const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > excerptLength ? `${flat.slice(0, excerptLength)}…` : flat
}

interface Body {
  readonly bytes: Uint8Array
  /** The response was longer than the limit; `bytes` holds only its start (or nothing). */
  readonly truncated: boolean
}

const empty = new Uint8Array(0)

// Reads the body once, at most `maxBytes`. A declared length is the usual case (Marketo and
// the emulator send one): over the limit it is refused unread, otherwise the HTTP framing
// bounds the one read. Without one (chunked), the stream is read until the limit is crossed.
const readBounded = (
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number
): Effect.Effect<Body, HttpClientError.ResponseError> => {
  const header = response.headers["content-length"]
  const declared = header === undefined ? Number.NaN : Number(header)
  if (Number.isSafeInteger(declared) && declared >= 0) {
    return declared > maxBytes
      ? Effect.succeed({ bytes: empty, truncated: true })
      : Effect.map(response.arrayBuffer, (buffer) => ({ bytes: new Uint8Array(buffer), truncated: false }))
  }
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Stream.runForEachWhile(response.stream, (chunk) =>
      Effect.sync(() => {
        chunks.push(chunk)
        size += chunk.length
        return size <= maxBytes
      })).pipe(Effect.map(() => {
        const bytes = new Uint8Array(Math.min(size, maxBytes))
        let offset = 0
        for (const chunk of chunks) {
          if (offset >= bytes.length) break
          const part = chunk.subarray(0, bytes.length - offset)
          bytes.set(part, offset)
          offset += part.length
        }
        return { bytes, truncated: size > maxBytes }
      }))
  })
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

// The cause kept is the HTTP client's own (a socket error, say), never the HttpClientError,
// which holds the request and so the signed body.
const connectionError = (operation: Operation) => (error: HttpClientError.HttpClientError): TransportError => {
  if (error._tag === "ResponseError") {
    // The status line arrived, so the request was received: whatever broke, it may have run.
    return new TransportError({
      reason: "Connection",
      operation,
      description: excerpt(`reading the response failed: ${error.description ?? causeMessage(error.cause) ?? ""}`),
      ambiguous: true,
      cause: error.cause
    })
  }
  const codes = causeCodes(error.cause)
  const notSent = error.reason !== "Transport" || codes.some((code) => notSentCodes.has(code))
  const what = error.description ?? causeMessage(error.cause) ?? error.reason
  return new TransportError({
    reason: "Connection",
    operation,
    description: excerpt([codes[codes.length - 1], what].filter((s) => s !== undefined).join(": ")),
    ambiguous: !notSent,
    cause: error.cause
  })
}

// The signature is the only secret-derived part of a body; the key itself is never in one.
const redactSignature = (xml: string): string =>
  xml.replace(/(<(?:[\w.-]+:)?requestSignature\b[^>]*>)[^<]*/g, "$1[redacted]")

const forLog = (text: string): string =>
  text.length > wireLogCharacters
    ? `${text.slice(0, wireLogCharacters)}… (${text.length - wireLogCharacters} more characters)`
    : text

export const make = (
  options: Options = {}
): Effect.Effect<MarketoTransportShape, never, HttpClient.HttpClient | MarketoConfig> =>
  Effect.gen(function*() {
    const config = yield* MarketoConfig
    const client = yield* HttpClient.HttpClient
    const maxBytes = options.maxResponseBytes ?? defaultMaxResponseBytes
    const wireLog = options.wireLog === true
    // The Web Crypto key is imported once for this transport, not per call.
    const signedHeader = yield* Signature.signer(config)
    // Fatal: bytes that are not UTF-8 are refused, never replaced with U+FFFD. The lossy one
    // only makes excerpts for error messages.
    const strict = new TextDecoder("utf-8", { fatal: true })
    const lossy = new TextDecoder("utf-8")

    const statusError = (operation: Operation, status: number, body: Body): TransportError =>
      new TransportError({
        reason: "Status",
        operation,
        status,
        excerpt: excerpt(lossy.decode(body.bytes.subarray(0, 4 * excerptLength))),
        ambiguous: status >= 500
      })

    // The body as text, or `undefined` when it is not UTF-8.
    const textOf = (bytes: Uint8Array): string | undefined => {
      try {
        return strict.decode(bytes)
      } catch {
        return undefined
      }
    }

    const interpret = <Op extends Operation>(
      operation: Op,
      status: number,
      body: Body,
      text: string | undefined
    ): Effect.Effect<ResultOf<Op>, TransportCallError> => {
      if (status === 200) {
        if (body.truncated) {
          return Effect.fail(
            new ProtocolError({
              reason: "TooLarge",
              detail: `the ${operation} response is larger than ${maxBytes} bytes`,
              received: excerpt(lossy.decode(body.bytes.subarray(0, 4 * excerptLength)))
            })
          )
        }
        if (text === undefined) {
          return Effect.fail(
            new ProtocolError({
              reason: "InvalidEncoding",
              detail: `the ${operation} response is not valid UTF-8`,
              received: excerpt(lossy.decode(body.bytes.subarray(0, 4 * excerptLength)))
            })
          )
        }
        return SoapCodec.decodeResponse(operation, text, { maxBytes })
      }
      if (status === 500 && text !== undefined) {
        // SOAP 1.1 sends faults with 500; anything else behind a 500 (a proxy's error page, or a
        // success body) says the exchange went wrong somewhere we cannot see.
        return SoapCodec.decodeFault(text, { maxBytes, operation }).pipe(
          Effect.matchEffect({
            onFailure: () => Effect.fail(statusError(operation, status, body)),
            onSuccess: (fault) => Effect.fail(fault)
          })
        )
      }
      return Effect.fail(statusError(operation, status, body))
    }

    const call = <Op extends Operation>(
      operation: Op,
      params: ParamsOf<Op>
    ): Effect.Effect<ResultOf<Op>, TransportCallError> =>
      Effect.gen(function*() {
        // Signed now, for this attempt only: a retry gets a new timestamp and signature.
        const header = yield* signedHeader
        const envelope = SoapCodec.encodeRequest(operation, header, params)
        if (wireLog) yield* Effect.logInfo(`request ${operation}\n${forLog(redactSignature(envelope))}`)
        const request = HttpClientRequest.post(config.endpoint).pipe(
          HttpClientRequest.setHeader("SOAPAction", `"${soapAction(operation)}"`),
          HttpClientRequest.bodyText(envelope, "text/xml; charset=utf-8")
        )
        const response = yield* client.execute(request).pipe(Effect.mapError(connectionError(operation)))
        // Other statuses are only quoted, so their bodies need not be read far.
        const limit = response.status === 200 || response.status === 500 ? maxBytes : Math.min(maxBytes, 65_536)
        const body = yield* readBounded(response, limit).pipe(Effect.mapError(connectionError(operation)))
        const text = body.truncated || (response.status !== 200 && response.status !== 500)
          ? undefined
          : textOf(body.bytes)
        // Status and size only: bodies carry the signature and the caller's data.
        yield* Effect.logDebug(
          `HTTP ${response.status}, ${body.bytes.length} bytes read${body.truncated ? ", cut at the size limit" : ""}`
        )
        if (wireLog) {
          yield* Effect.logInfo(
            `response ${operation}: HTTP ${response.status}\n${
              forLog(redactSignature(text ?? lossy.decode(body.bytes)))
            }${body.truncated ? "\n(cut at the size limit)" : ""}`
          )
        }
        // Decoded here, inside the call: the client's callTimeout covers it.
        return yield* interpret(operation, response.status, body, text)
      }).pipe(
        Effect.annotateLogs({ "mktows.operation": operation }),
        Effect.withSpan("mktows.SoapTransport.call", {
          attributes: { "mktows.operation": operation },
          captureStackTrace: false
        })
      )

    return { call, maxObjectsPerCall: Limits.maxObjectsPerCall }
  })
