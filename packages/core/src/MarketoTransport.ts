/**
 * The abstract transport under the client: one signed call of one MObject operation.
 *
 * The client knows nothing of XML or HTTP; `@mktows/xml` provides the SOAP implementation
 * and tests provide fakes. An implementation signs every call afresh, so a retried call
 * always carries a new timestamp and signature.
 *
 * The rules every transport shares live in the client, once: it times out every attempt
 * (`callTimeout`, covering the reading and decoding of the answer), checks that a sync or
 * delete answers one status per object and that each status names its object, classifies
 * faults for retries, and keeps the limits. A transport only moves a call and reports what it
 * saw; it needs no timeout of its own.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { TransportCallError, ValidationIssue } from "./MarketoError.js"
import type { MObjStatus, Operation, ParamsDeleteMObjects, ParamsOf, ParamsSyncMObjects, ResultOf } from "./Wire.js"

/**
 * What a transport does: sign and send one call of one operation, and hand back its
 * decoded result or a typed error.
 *
 * @since 0.1.0
 * @category models
 */
export interface MarketoTransportShape {
  /**
   * Sign, send and decode one call. Faults arrive decoded: 20013/20014 as `AuthFault`,
   * every other code as `MarketoFault`.
   */
  readonly call: <Op extends Operation>(
    operation: Op,
    params: ParamsOf<Op>
  ) => Effect.Effect<ResultOf<Op>, TransportCallError>
  /**
   * The most objects one syncMObjects or deleteMObjects call of this transport may carry
   * (SOAP: 100). The client sends chunks of at most this many; 100 when absent.
   *
   * @since 0.1.0
   */
  readonly maxObjectsPerCall?: number
  /**
   * What this transport cannot express faithfully, as validation issues (indexes into the
   * objects of `params`, or 0 for a read): the client refuses such input with a
   * `ValidationError` before anything is sent. Absent: everything valid can be sent.
   */
  readonly refuse?: <Op extends Operation>(operation: Op, params: ParamsOf<Op>) => ReadonlyArray<ValidationIssue>
  /**
   * The statuses this transport was already answered for objects of a sync or delete whose
   * call then failed (a REST call is several requests: one may fail after another was
   * applied), by position, `undefined` where none. When the call fails for good, the client
   * keeps these statuses, so an object that was created is reported CREATED, never FAILED or
   * IN_DOUBT. The client passes the same `params` object to every attempt of one call, so a
   * transport may remember per `params` what was answered and send only the rest again.
   * Absent: a failed call answered nothing.
   *
   * @since 0.1.0
   */
  readonly answered?: (
    params: ParamsSyncMObjects | ParamsDeleteMObjects
  ) => ReadonlyArray<MObjStatus | undefined> | undefined
}

/**
 * The transport the client calls through, as a service: `@mktows/xml`'s `SoapTransport.layer`
 * in production, a fake in tests.
 *
 * @since 0.1.0
 * @category tags
 */
export class MarketoTransport extends Context.Tag("@mktows/core/MarketoTransport")<
  MarketoTransport,
  MarketoTransportShape
>() {}
