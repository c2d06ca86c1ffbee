/**
 * The SOAP implementation of core's `MarketoTransport`, over `@effect/platform`'s `HttpClient`.
 *
 * Each call is signed afresh (timestamp from `Clock`), POSTed to the configured endpoint as
 * `text/xml; charset=utf-8` with the operation's quoted `SOAPAction`, and its answer read up
 * to a size limit:
 *
 * - HTTP 200: the decoded result (or the fault or protocol error the body holds);
 * - HTTP 500 with a SOAP fault: `AuthFault` (20013, 20014) or `MarketoFault`;
 * - any other status, or a 500 that is not a SOAP fault: `TransportError` "Status" with an
 *   excerpt of the body, ambiguous for 5xx and for a 2xx other than 200;
 * - no connection: `TransportError` "Connection", not ambiguous only when the request
 *   certainly never left (refused, unresolvable host), with the HTTP client's error as `cause`;
 * - a success body that is not valid UTF-8: `ProtocolError` "InvalidEncoding".
 *
 * Syncs and deletes take its model path (`MarketoTransportShape.models`): the client hands over
 * the models and the transport writes their XML straight from them, the same bytes as
 * `MObject.toWire` then `SoapCodec.encodeRequest` give, with no wire record made per object.
 * `call` takes wire records, for every operation.
 *
 * It has no timeout of its own: the client's `callTimeout` covers every attempt, reading and
 * decoding the answer included. It reports statuses as they came: the client checks their
 * count and pairs them with the objects sent. The Web Crypto key is imported once per
 * transport.
 *
 * Provide an `HttpClient` (the Node layer does; tests swap in a fake) and `MarketoConfig`.
 * Nothing logged, traced or failed carries the encryption key or a request body, unless the
 * wire log is turned on (`wireLog: true`): then each request and response body is logged at
 * Info, the signature replaced by `[redacted]` (the key is never in a body).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { MarketoConfig } from "@mktows/core/MarketoConfig"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import type { MarketoTransportShape } from "@mktows/core/MarketoTransport"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/transport.js"

/**
 * Options of {@link make} and {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The largest response body read; 10 MiB (`Limits.maxMessageBytes`) when absent. */
  readonly maxResponseBytes?: number
  /**
   * Log every request and response body at Info (the first 64 KiB of each), with the request
   * signature replaced by `[redacted]`; for diagnosing a conversation with a server. Off by
   * default.
   *
   * @since 0.1.0
   */
  readonly wireLog?: boolean
}

/**
 * Builds the transport from the `HttpClient` and `MarketoConfig` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<MarketoTransportShape, never, HttpClient.HttpClient | MarketoConfig> = internal.make

/**
 * The SOAP transport as core's `MarketoTransport` service, built by {@link make}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<MarketoTransport, never, HttpClient.HttpClient | MarketoConfig> =>
  Layer.effect(MarketoTransport, make(options))
