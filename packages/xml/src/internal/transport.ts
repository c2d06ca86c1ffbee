// The SOAP transport: one signed POST per call, over whatever HttpClient the context holds.
// It moves bytes and reports what it saw; the client owns the timeout, the status count and
// the pairing of statuses with objects.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpEdge from "@mktows/core/HttpEdge"
import * as Limits from "@mktows/core/Limits"
import { deleteRefToWire } from "@mktows/core/MarketoClient"
import { MarketoConfig } from "@mktows/core/MarketoConfig"
import { ProtocolError } from "@mktows/core/MarketoError"
import type { TransportCallError } from "@mktows/core/MarketoError"
import type { MarketoTransportShape, ModelPath } from "@mktows/core/MarketoTransport"
import * as Signature from "@mktows/core/Signature"
import { type AuthenticationHeaderInfo, Operation, type ParamsOf, type ResultOf } from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as LogLevel from "effect/LogLevel"
import * as SoapCodec from "../SoapCodec.js"
import { encodeSyncModels } from "./codec.js"
import { soapAction } from "./wsdl.js"

export interface Options {
  readonly maxResponseBytes?: number
  readonly wireLog?: boolean
}

const operations: ReadonlyArray<Operation> = Operation.literals

export const defaultMaxResponseBytes = Limits.maxMessageBytes

/** How much of each body the wire log shows. */
export const wireLogCharacters = 65_536

// The signature is the only secret-derived part of a body; the key itself is never in one.
const redactSignature = (xml: string): string =>
  xml.replace(/(<(?:[\w.-]+:)?requestSignature\b[^>]*>)[^<]*/g, "$1[redacted]")

const forLog = (text: string): string =>
  text.length > wireLogCharacters
    ? `${text.slice(0, wireLogCharacters)}… (${text.length - wireLogCharacters} more characters)`
    : text

/**
 * A log line of one call, annotated with its operation. The message is made, and the
 * annotation set, only when the fiber's minimum level lets the line through (Effect drops it
 * there otherwise): the debug line of every call is then nearly free while debug logging is
 * off, as it is by default, instead of a message and two log-annotation updates per call.
 */
const logCall = (level: LogLevel.LogLevel, operation: Operation, message: () => string): Effect.Effect<void> =>
  Effect.asVoid(Effect.whenLogLevel(
    Effect.suspend(() =>
      Effect.logWithLevel(level, message()).pipe(Effect.annotateLogs("mktows.operation", operation))
    ),
    level
  ))

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
    // The request of each operation without its body, made once: a call only adds the envelope.
    const bare = (operation: Operation) =>
      HttpClientRequest.post(config.endpoint).pipe(
        HttpClientRequest.setHeader("SOAPAction", `"${soapAction(operation)}"`)
      )
    const requests = new Map(operations.map((operation) => [operation, bare(operation)]))
    const interpret = <Op extends Operation>(
      operation: Op,
      status: number,
      body: HttpEdge.Body,
      text: string | undefined,
      secrets: ReadonlyArray<string>
    ): Effect.Effect<ResultOf<Op>, TransportCallError> => {
      if (status === 200) {
        if (body.truncated) {
          return Effect.fail(
            new ProtocolError({
              reason: "TooLarge",
              detail: `the ${operation} response is larger than ${maxBytes} bytes`,
              received: HttpEdge.excerptOf(body.bytes, secrets)
            })
          )
        }
        if (text === undefined) {
          return Effect.fail(
            new ProtocolError({
              reason: "InvalidEncoding",
              detail: `the ${operation} response is not valid UTF-8`,
              received: HttpEdge.excerptOf(body.bytes, secrets)
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
            onFailure: () => Effect.fail(HttpEdge.statusError(operation, status, body.bytes, { secrets })),
            onSuccess: (fault) => Effect.fail(fault)
          })
        )
      }
      return Effect.fail(HttpEdge.statusError(operation, status, body.bytes, { secrets }))
    }

    /** One call, its envelope written by `encode` from the header signed for it. */
    const send = <Op extends Operation>(
      operation: Op,
      encode: (header: AuthenticationHeaderInfo) => string
    ): Effect.Effect<ResultOf<Op>, TransportCallError> =>
      // A leaf span, made only when someone traces. Its logs carry the operation themselves
      // (see logCall).
      HttpEdge.exchangeSpan(
        "mktows.SoapTransport.call",
        { "mktows.operation": operation },
        (span) => attempt(operation, encode, span)
      )

    const call = <Op extends Operation>(
      operation: Op,
      params: ParamsOf<Op>
    ): Effect.Effect<ResultOf<Op>, TransportCallError> =>
      send(operation, (header) => SoapCodec.encodeRequest(operation, header, params))

    // Syncs are written from the models straight to XML (the same bytes as the wire records
    // would give): no wire record is made per object. Deletes carry references, mapped as
    // `call` would be handed them.
    const models: ModelPath = {
      send: (modelCall) =>
        modelCall.operation === "syncMObjects"
          ? Effect.map(
            send(
              "syncMObjects",
              (header) => encodeSyncModels(header, modelCall.sync, modelCall.objects)
            ),
            (result) => result.mObjStatusList
          )
          : Effect.map(
            call("deleteMObjects", { mObjectList: modelCall.objects.map(deleteRefToWire) }),
            (result) => result.mObjStatusList
          )
    }

    /**
     * The request of an envelope (logged first when the wire log is on). The envelope's text is
     * no variable of the attempt: a call waiting for its answer holds only the request's bytes
     * (outside the JavaScript heap), not a copy as text that every garbage collection would move.
     */
    const requestOf = (operation: Operation, envelope: string): Effect.Effect<HttpClientRequest.HttpClientRequest> => {
      const request = HttpClientRequest.bodyText(
        requests.get(operation) ?? bare(operation),
        envelope,
        "text/xml; charset=utf-8"
      )
      return wireLog
        ? Effect.as(
          logCall(LogLevel.Info, operation, () => `request ${operation}\n${forLog(redactSignature(envelope))}`),
          request
        )
        : Effect.succeed(request)
    }

    const attempt = <Op extends Operation>(
      operation: Op,
      encode: (header: AuthenticationHeaderInfo) => string,
      span: HttpEdge.ExchangeSpan
    ): Effect.Effect<ResultOf<Op>, TransportCallError> =>
      Effect.gen(function*() {
        // Signed now, for this attempt only: a retry gets a new timestamp and signature.
        const header = yield* signedHeader
        const request = yield* requestOf(operation, encode(header))
        const response = yield* client.execute(request).pipe(Effect.mapError(HttpEdge.connectionError(operation)))
        span.attribute("http.response.status_code", response.status)
        // Other statuses are only quoted, so their bodies need not be read far.
        const limit = response.status === 200 || response.status === 500 ? maxBytes : Math.min(maxBytes, 65_536)
        const body = yield* HttpEdge.readBounded(response, limit).pipe(
          Effect.mapError(HttpEdge.connectionError(operation))
        )
        // A server that echoes the request must not put its signature (valid for minutes) into an
        // outcome, error or log: the answer is scrubbed of it before it is read, with a marker that
        // is no markup.
        const secrets = [header.requestSignature]
        const raw = body.truncated || (response.status !== 200 && response.status !== 500)
          ? undefined
          : HttpEdge.textOf(body.bytes)
        const text = raw === undefined ? undefined : HttpEdge.scrub(raw, secrets, "[redacted]")
        // Status and size only: bodies carry the signature and the caller's data.
        yield* logCall(
          LogLevel.Debug,
          operation,
          () =>
            `HTTP ${response.status}, ${body.bytes.length} bytes read${body.truncated ? ", cut at the size limit" : ""}`
        )
        if (wireLog) {
          yield* logCall(
            LogLevel.Info,
            operation,
            () =>
              `response ${operation}: HTTP ${response.status}\n${
                forLog(
                  HttpEdge.scrub(redactSignature(text ?? new TextDecoder().decode(body.bytes)), secrets, "[redacted]")
                )
              }${body.truncated ? "\n(cut at the size limit)" : ""}`
          )
        }
        // Decoded here, inside the call: the client's callTimeout covers it.
        return yield* interpret(operation, response.status, body, text, secrets)
      })

    return { call, models, maxObjectsPerCall: Limits.maxObjectsPerCall, turn: HttpEdge.makeTurns() }
  })
