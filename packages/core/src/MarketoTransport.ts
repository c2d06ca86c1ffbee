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
import * as FieldValues from "./internal/fieldValues.js"
import * as Mapping from "./internal/mapping.js"
import * as Timeout from "./internal/timeout.js"
import type { DeleteRef } from "./MarketoClient.js"
import type { TransportCallError, ValidationIssue } from "./MarketoError.js"
import type { MObject } from "./MObject.js"
import type { Opportunity } from "./Opportunity.js"
import type { OpportunityPersonRole } from "./OpportunityPersonRole.js"
import type { Kind } from "./StandardFields.js"
import type {
  MObjStatus,
  Operation,
  ParamsDeleteMObjects,
  ParamsGetMObjects,
  ParamsOf,
  ParamsSyncMObjects,
  ResultOf,
  SyncOperation
} from "./Wire.js"

/**
 * Runs `self` as the part of a call that comes before its request is sent (REST: the access
 * token, fetched or refreshed). When the client's `callTimeout` runs out there, its
 * `TimeoutError` says nothing was sent (`ambiguous: false`), so the call's objects are not
 * IN_DOUBT. Outside the client's attempts it is `self`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const beforeSending: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = Timeout.beforeSending

/**
 * Taken before each HTTP request a transport sends for a call. The first request is the call's
 * own place at the client's rate limit; a transport that sends more than one for a call (REST:
 * one to three per Program, a describe, a body cut in halves) has each further one wait for a
 * place in the rate window of its own, since Marketo counts requests, not calls. That wait is not counted
 * against the client's `callTimeout`, which starts again for each further request: the limit is
 * each request's. The transport sends a call's requests one after the other and keeps what each
 * was answered (`answered`). Outside the client's calls it does nothing.
 *
 * @since 0.1.0
 * @category combinators
 */
export const eachRequest: Effect.Effect<void> = Timeout.eachRequest

/**
 * Runs `self` after a request the server refused without applying anything (REST 601/602, a
 * token it would not take), before the transport sends that request again (a new token
 * fetched, or waited for). When the client's `callTimeout` runs out there, its `TimeoutError`
 * says nothing was sent for the objects of that request, so they are not IN_DOUBT. Outside the
 * client's attempts it is `self`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const afterRefusal: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = Timeout.afterRefusal

/**
 * Runs `self` as a part of a call that changes nothing at Marketo (REST: the describe read
 * before custom fields are written). When the client's `callTimeout` runs out there, and no
 * request that changes anything went out before, its `TimeoutError` says nothing was sent
 * (`ambiguous: false`), so the call's objects are not IN_DOUBT. Outside the client's attempts
 * it is `self`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const changesNothing: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = Timeout.changesNothing

/**
 * A sync or delete as the caller gave it, models and references, not wire records: what a
 * transport's {@link ModelPath} is handed.
 *
 * @since 0.1.0
 * @category models
 */
export type ModelCall =
  | { readonly operation: "syncMObjects"; readonly sync: SyncOperation; readonly objects: ReadonlyArray<MObject> }
  | { readonly operation: "deleteMObjects"; readonly objects: ReadonlyArray<DeleteRef> }

/**
 * A transport's own way to send syncs and deletes, from the models straight to its format
 * (REST JSON), with no SOAP wire records in between. When a transport has one, the client
 * sends every sync and delete through it and never maps an object to the wire; the client's
 * rules (limits, timeout, retries, pairing by position and identity, IN_DOUBT) are the same.
 *
 * @since 0.1.0
 * @category models
 */
export interface ModelPath {
  /**
   * Send one call: one status per object, in order (the client checks the count and that each
   * status names its object). Every attempt of one call is handed the same `ModelCall` object.
   */
  readonly send: (call: ModelCall) => Effect.Effect<ReadonlyArray<MObjStatus>, TransportCallError>
  /** What this transport cannot express of a call, as `MarketoTransportShape.refuse` for the wire. */
  readonly refuse?: (call: ModelCall) => ReadonlyArray<ValidationIssue>
  /** What a call that failed was already answered, as `MarketoTransportShape.answered`, by `ModelCall`. */
  readonly answered?: (call: ModelCall) => ReadonlyArray<MObjStatus | undefined> | undefined
}

/**
 * A standard field's value as the SOAP wire's text (as `MObject.toWire` writes it), for a
 * model path that must send the values the wire path would.
 *
 * @since 0.1.0
 * @category mapping
 */
export const fieldText: (kind: Kind, value: unknown) => string = Mapping.writeValue

/**
 * The values of a model's standard fields, each at its field's position in the model's
 * `StandardFields` table (`undefined` where the model holds none), read the way `Validation`
 * read them when it checked the model. A model path reads a model's standard fields through
 * this, so that it sends only what was checked.
 *
 * @since 0.1.0
 * @category mapping
 */
export const standardValues: (model: Opportunity | OpportunityPersonRole) => ReadonlyArray<unknown> =
  FieldValues.standardValues

/**
 * {@link standardValues} without the array: `visit` is called with the position and the value
 * of each standard field the model holds, read the same way, and `state` is handed through
 * (so that a caller that runs per object needs no closure per object). The order is the
 * model's own for an instance of its class, else the table's.
 *
 * @since 0.1.0
 * @category mapping
 */
export const forEachStandardValue: <S>(
  model: Opportunity | OpportunityPersonRole,
  visit: (position: number, value: unknown, state: S) => void,
  state: S
) => void = FieldValues.forEachStandardValue

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
   * What this transport cannot express of a read on this instance, which only the instance
   * can tell (REST: a search by a field its describe does not list as searchable alone), as
   * validation issues. The client asks it after `refuse` and before the read sends anything,
   * and refuses with a `ValidationError` as for `refuse`. A check that cannot tell (the
   * instance did not answer) answers no issues, and the instance has the last word. The client
   * runs it as it runs a call: within `callTimeout` (a check whose time runs out could not tell),
   * each request it sends taking a place in the rate window as it goes (it takes
   * {@link eachRequest} before each); a check that sends nothing takes none. Absent: `refuse`
   * says it all.
   *
   * @since 0.1.0
   */
  readonly refuseRead?: (params: ParamsGetMObjects) => Effect.Effect<ReadonlyArray<ValidationIssue>>
  /**
   * The statuses this transport was already answered for objects of a sync or delete whose
   * call then failed (a REST call is several requests: one may fail after another was
   * applied), by position, `undefined` where none. When the call fails for good, the client
   * keeps these statuses, so an object that was created is reported CREATED, never FAILED or
   * IN_DOUBT. A transport that knows an object's request never went in any attempt (the call
   * stopped at an earlier request) may give it a FAILED status saying so: it is certainly not
   * applied, where an object sent and not answered is IN_DOUBT. The client passes the same
   * `params` object to every attempt of one call, so a transport may remember per `params` what
   * was answered and send only the rest again.
   * Absent: a failed call answered nothing.
   *
   * @since 0.1.0
   */
  readonly answered?: (
    params: ParamsSyncMObjects | ParamsDeleteMObjects
  ) => ReadonlyArray<MObjStatus | undefined> | undefined
  /**
   * Syncs and deletes sent from the models, without the wire (see {@link ModelPath}); `call`
   * still serves every other operation. With it, the client asks the model path's `refuse`
   * and `answered` for syncs and deletes, and `refuse` only for reads. Absent: every call goes
   * through `call`.
   *
   * @since 0.1.0
   */
  readonly models?: ModelPath
  /**
   * Taken by the client before the CPU-bound work of its syncs and deletes (a batch's checks,
   * each of its other chunks, each chunk of a stream), so that calls started together take
   * turns with this transport's I/O: a request goes out as soon as it is encoded, not after
   * every other call's is. Effect runs fibers in microtasks, and Node writes to its sockets
   * only between them. A transport that does I/O makes one with `HttpEdge.makeTurns()`, once
   * per transport; without it, calls start as they come. Reads take none.
   *
   * @since 0.1.0
   */
  readonly turn?: Effect.Effect<void>
}

/**
 * The transport the client calls through, as a service: `@mktows/xml`'s `SoapTransport.layer`
 * or `@mktows/rest`'s `RestTransport.layer` in production, a fake or the emulator's test kit in
 * tests.
 *
 * @since 0.1.0
 * @category tags
 */
export class MarketoTransport extends Context.Tag("@mktows/core/MarketoTransport")<
  MarketoTransport,
  MarketoTransportShape
>() {}
