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
 *   excerpt of the body, ambiguous for 5xx;
 * - no connection: `TransportError` "Connection", not ambiguous only when the request
 *   certainly never left (refused, unresolvable host);
 * - no answer in time: `TimeoutError`.
 *
 * Provide an `HttpClient` (the Node layer does; tests swap in a fake) and `MarketoConfig`.
 * Nothing logged, traced or failed carries the encryption key or a request body.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { MarketoConfig } from "@mktows/core/MarketoConfig"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import type { MarketoTransportShape } from "@mktows/core/MarketoTransport"
import type * as Duration from "effect/Duration"
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
  /** How long one call (send and read) may take; 60 seconds when absent. */
  readonly timeout?: Duration.DurationInput
  /** The largest response body read; 10 MiB when absent. */
  readonly maxResponseBytes?: number
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
