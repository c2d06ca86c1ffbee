/**
 * The Marketo MObject client: typed objects in, one outcome per object out.
 *
 * It splits any number of objects into calls of at most the transport's limit (100 over
 * SOAP, 300 over REST), runs them with bounded
 * concurrency, stays inside Marketo's limits (100 calls per 20 s, 10 at once) with one
 * limiter per client, signs every attempt afresh (through the transport), retries by fault
 * code, and never repeats an INSERT whose answer was lost: those objects come back
 * `IN_DOUBT`.
 *
 * ```ts
 * const outcomes = yield* MarketoClient.syncMObjects([program], "UPDATE")
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"
import * as Engine from "./internal/client.js"
import * as Settings from "./internal/clientSettings.js"
import * as Mapping from "./internal/mapping.js"
import * as Params from "./internal/params.js"
import * as Timeout from "./internal/timeout.js"
import type { CallError, PartialFailure, ValidationIssue } from "./MarketoError.js"
import { ProtocolError, ValidationError } from "./MarketoError.js"
import { MarketoTransport } from "./MarketoTransport.js"
import * as MObject from "./MObject.js"
import type { Outcome } from "./Outcome.js"
import * as Validation from "./Validation.js"
import type * as Wire from "./Wire.js"

/**
 * How a client calls Marketo. Every field is optional; the defaults are Marketo's limits.
 * The options are checked when the client is built: a value that makes no sense (a
 * `rateLimit.window` that is no duration, a `callTimeout` of zero, a `chunkSize` of 0 or 2.5)
 * fails the layer with a `ConfigError` naming the option.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Objects per syncMObjects/deleteMObjects call, at least 1; default and maximum: what the
   * transport carries per call (`MarketoTransport.maxObjectsPerCall`, 100 for SOAP). A larger
   * value is capped at that maximum.
   */
  readonly chunkSize?: number
  /** Calls of one job at once: 1 to 10, default 10 (a larger value is capped at 10). */
  readonly concurrency?: number
  /**
   * Client-side limits shared by every call of the client; default 100 calls in any 20 s
   * window (each counted from when it ends, the latest it can have reached Marketo) and 10
   * calls in flight (Marketo's limits per instance: lower them when other programs use the
   * same instance).
   */
  readonly rateLimit?: {
    readonly calls?: number
    readonly window?: Duration.DurationInput
    readonly inFlight?: number
  }
  /**
   * Retries of one call (20016, 20023/20024, 10001/20011, transport errors that allow it):
   * default 5 attempts in all, backoff from 1 s doubling up to 30 s, with jitter.
   */
  readonly retry?: {
    readonly maxAttempts?: number
    readonly baseDelay?: Duration.DurationInput
    readonly maxDelay?: Duration.DurationInput
  }
  /**
   * Time allowed for one attempt of one call, reading and decoding the answer included: above
   * zero, default 60 s, `Duration.infinity` for none. It is the only timeout: transports
   * have none of their own. A timeout counts as ambiguous.
   * A call that may have reached Marketo without an answer is repeated only where that is
   * harmless (UPDATE, deletes, UPSERT of objects that all have ids); otherwise its objects
   * come back `IN_DOUBT`.
   */
  readonly callTimeout?: Duration.DurationInput
}

/**
 * Per-batch settings of a sync or delete.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions {
  /**
   * Fail with `PartialFailure` (carrying every outcome) when an object FAILED or is
   * IN_DOUBT; default true. With false, the outcomes are returned as they are, and the
   * call's error type has no `PartialFailure`.
   */
  readonly failOnPartial?: boolean
}

/**
 * Batch options that keep the outcomes whatever they are: the call cannot fail with
 * `PartialFailure`, and its error type says so.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeepOutcomes extends BatchOptions {
  readonly failOnPartial: false
}

/**
 * An object to delete: by Marketo id (SOAP), or by external key (REST names records by
 * `marketoGUID`, and opportunities also by `externalOpportunityId`).
 *
 * @since 0.1.0
 * @category models
 */
export type DeleteRef =
  | { readonly type: "Opportunity" | "OpportunityPersonRole"; readonly id: number }
  | { readonly type: "Opportunity" | "OpportunityPersonRole"; readonly externalKey: Wire.Attrib }

/**
 * A delete reference as `deleteMObjects` carries it on the wire: its type and its id or
 * external key, nothing else.
 *
 * @since 0.1.0
 * @category mapping
 */
export const deleteRefToWire = (ref: DeleteRef): Wire.MObject =>
  // As validation reads a ref: by its external key when it holds one, else by id.
  "externalKey" in ref && ref.externalKey !== undefined
    ? { type: ref.type, externalKey: ref.externalKey }
    : { type: ref.type, id: (ref as { readonly id: number }).id }

/**
 * The object types getMObjects reads: `"Program"`, `"Opportunity"`, `"OpportunityPersonRole"`.
 *
 * @since 0.1.0
 * @category models
 */
export type MObjectType = MObject.MObject["_tag"]

/**
 * The model of an object type: `ModelOf<"Program">` is `Program`, and the model of a union
 * of types is the union of their models.
 *
 * @since 0.1.0
 * @category models
 */
export type ModelOf<T extends MObjectType> = Extract<MObject.MObject, { readonly _tag: T }>

/**
 * What getMObjects reads: one type, optionally narrowed by id, external key, attribute
 * criteria and associations; `streamPosition` resumes a read after a saved page.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetParams<T extends MObjectType = MObjectType> {
  readonly type: T
  readonly id?: number
  readonly externalKey?: Wire.Attrib
  readonly criteria?: ReadonlyArray<Wire.MObjCriteria>
  readonly associations?: ReadonlyArray<Wire.MObjAssociation>
  readonly includeDetails?: boolean
  readonly streamPosition?: string
}

/**
 * One page of getMObjects. Save `streamPosition` to resume after this page later.
 * (`A` is the model of its objects; the client's pages hold `MObject`s.)
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A = MObject.MObject> {
  readonly objects: ReadonlyArray<A>
  /** The position after this page (Marketo's `newStreamPosition`). */
  readonly streamPosition: string
  readonly hasMore: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MarketoClientShape {
  /**
   * Syncs any number of objects of mixed types: all validated first (nothing is sent if
   * any is invalid), one outcome per object in input order. A chunk whose call fails for
   * good (after retries) does not cost the others their outcomes: its objects are FAILED
   * (IN_DOUBT when an answer could not be read), and after an authentication fault or a
   * spent quota no further chunk is sent. Only when no chunk got through and nothing may have
   * been applied (the call error says it was not sent: a refused connection, an authentication
   * fault) does the batch fail with the call error itself; an object that may have been
   * applied (a lost answer, a timeout after sending) is always an IN_DOUBT outcome. Every
   * object must be a model (a `ValidationError` names any
   * other value). An INSERT or UPSERT of an object whose id names no stored object is CREATED
   * under Marketo's new id, and its outcome's `error` notes it. With `failOnPartial: false`
   * the error type has no `PartialFailure`.
   */
  readonly syncMObjects: {
    (
      objects: ReadonlyArray<MObject.MObject>,
      operation: Wire.SyncOperation,
      options: KeepOutcomes
    ): Effect.Effect<ReadonlyArray<Outcome<MObject.MObject>>, ValidationError | CallError>
    (
      objects: ReadonlyArray<MObject.MObject>,
      operation: Wire.SyncOperation,
      options?: BatchOptions
    ): Effect.Effect<
      ReadonlyArray<Outcome<MObject.MObject>>,
      ValidationError | PartialFailure<MObject.MObject> | CallError
    >
  }
  /**
   * Syncs a stream of objects with memory bounded by concurrency × chunkSize, emitting
   * outcomes (FAILED and IN_DOUBT included) in input order. A chunk with invalid objects
   * ends the stream with a ValidationError naming their global indexes, after the outcomes
   * of every earlier chunk; it and what follows are never sent.
   */
  readonly syncStream: (
    operation: Wire.SyncOperation
  ) => <E, R>(
    objects: Stream.Stream<MObject.MObject, E, R>
  ) => Stream.Stream<Outcome<MObject.MObject>, E | ValidationError | CallError, R>
  /**
   * Every page of a read, following Marketo's stream position. The params are checked
   * first (a ValidationError naming `params.<path>`, nothing sent); an object that cannot be
   * read into a model of the type asked for fails the stream with a ProtocolError naming it.
   * The pages hold the model of that type: `{ type: "Program" }` reads `Program`s.
   */
  readonly getMObjectsPages: <T extends MObjectType>(
    params: GetParams<T>
  ) => Stream.Stream<Page<ModelOf<T>>, ValidationError | CallError>
  /** Every object of a read, over all pages: `{ type: "Opportunity" }` reads `Opportunity`s. */
  readonly getMObjects: <T extends MObjectType>(
    params: GetParams<T>
  ) => Stream.Stream<ModelOf<T>, ValidationError | CallError>
  /** The metadata and field list of one object type; the name must be non-empty text. */
  readonly describeMObject: (
    objectName: string
  ) => Effect.Effect<Wire.MObjectMetadata, ValidationError | CallError>
  /**
   * Deletes by id (SOAP) or by external key (REST, which has no integer ids for opportunities
   * and roles), chunked like a sync, one outcome per reference.
   */
  readonly deleteMObjects: {
    (
      refs: ReadonlyArray<DeleteRef>,
      options: KeepOutcomes
    ): Effect.Effect<ReadonlyArray<Outcome<DeleteRef>>, ValidationError | CallError>
    (
      refs: ReadonlyArray<DeleteRef>,
      options?: BatchOptions
    ): Effect.Effect<ReadonlyArray<Outcome<DeleteRef>>, ValidationError | PartialFailure<DeleteRef> | CallError>
  }
  /** The names of the object types the instance knows. */
  readonly listMObjects: () => Effect.Effect<ReadonlyArray<string>, CallError | ValidationError>
}

/**
 * The client's counters, in Effect's metric registry (and so in any exporter): calls
 * attempted by `operation`, objects by `status` (IN_DOUBT included), retries by `operation`
 * and `reason`, and faults received by `code`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics: {
  readonly calls: Metric.Metric.Counter<number>
  readonly objects: Metric.Metric.Counter<number>
  readonly retries: Metric.Metric.Counter<number>
  readonly faults: Metric.Metric.Counter<number>
} = Engine.metrics

/**
 * @since 0.1.0
 * @category tags
 */
export class MarketoClient extends Context.Tag("@mktows/core/MarketoClient")<MarketoClient, MarketoClientShape>() {}

/** Issues of a part of the input, indexed from the whole input's start. */
const shift = (issues: ReadonlyArray<ValidationIssue>, start: number): ReadonlyArray<ValidationIssue> =>
  start === 0 ? issues : issues.map((issue) => ({ ...issue, index: start + issue.index }))

const isOfType = <T extends MObjectType>(object: MObject.MObject, type: T): object is ModelOf<T> => object._tag === type

/**
 * A record read as the model of the type asked for. One of another type is refused: the
 * stream's type promises that model (and a query names one type).
 */
const decodeAs = <T extends MObjectType>(type: T) => (wire: Wire.MObject): Either.Either<ModelOf<T>, ProtocolError> =>
  Either.flatMap(MObject.fromWire(wire), (object) =>
    isOfType(object, type)
      ? Either.right(object)
      : Either.left(
        new ProtocolError({
          reason: "ModelMapping",
          detail: `getMObjects of ${type} answered a ${object._tag}`,
          received: `mObject type ${object._tag}`
        })
      ))

/**
 * Builds a client over the `MarketoTransport` in context, with its own limiter. Fails with a
 * `ConfigError` naming the option when `options` make no sense (see {@link Options}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options?: Options
): Effect.Effect<MarketoClientShape, ConfigError.ConfigError, MarketoTransport> =>
  Effect.gen(function*() {
    const settings = yield* Settings.validate(options)
    const transport = yield* MarketoTransport
    const engine = yield* Engine.make(transport, settings)
    // With a model path, the transport maps the models itself: no object is mapped to the wire,
    // for its refusals or to send it (mapping is the costliest step per object).
    const models = transport.models
    const encode = (sync: Wire.SyncOperation): Engine.Encode<MObject.MObject> =>
      models === undefined
        ? { _tag: "Wire", encode: MObject.toWire, addsAgain: Mapping.addedAgain }
        : {
          _tag: "Models",
          models,
          identify: Mapping.identityOf,
          call: (objects) => ({ operation: "syncMObjects", sync, objects }),
          addsAgain: Mapping.addedAgain
        }
    const encodeRefs: Engine.Encode<DeleteRef> = models === undefined
      ? { _tag: "Wire", encode: deleteRefToWire }
      : {
        _tag: "Models",
        models,
        identify: deleteRefToWire,
        call: (objects) => ({ operation: "deleteMObjects", objects })
      }
    // What the transport cannot express, refused like invalid input, before anything is sent.
    const refused = <Op extends Wire.Operation>(operation: Op, params: Wire.ParamsOf<Op>, start = 0) =>
      shift(transport.refuse?.(operation, params) ?? [], start)
    const refuseRead = <Op extends Wire.Operation>(operation: Op, params: Wire.ParamsOf<Op>) => {
      const issues = refused(operation, params)
      return issues.length === 0 ? Effect.void : Effect.fail(new ValidationError({ issues }))
    }
    // Objects are mapped to the wire for `refuse` only when the transport has one and no model
    // path: mapping is the costliest step per object, and the engine maps every object again.
    const syncCheck = (operation: Wire.SyncOperation) => (items: ReadonlyArray<MObject.MObject>, start: number) => {
      const issues = Validation.issues(items, operation, start)
      if (issues.length > 0) return issues
      if (models !== undefined) {
        return shift(models.refuse?.({ operation: "syncMObjects", sync: operation, objects: items }) ?? [], start)
      }
      return transport.refuse === undefined
        ? issues
        : refused("syncMObjects", { mObjectList: items.map(MObject.toWire), operation }, start)
    }
    const deleteCheck = (refs: ReadonlyArray<DeleteRef>, start: number) => {
      const issues = Params.deleteIssues(refs, start)
      if (issues.length > 0) return issues
      if (models !== undefined) {
        return shift(models.refuse?.({ operation: "deleteMObjects", objects: refs }) ?? [], start)
      }
      return transport.refuse === undefined
        ? issues
        : refused("deleteMObjects", { mObjectList: refs.map(deleteRefToWire) }, start)
    }
    const pages = <T extends MObjectType>(
      params: GetParams<T>
    ): Stream.Stream<Page<ModelOf<T>>, ValidationError | CallError> =>
      Either.match(Params.getRequest(params), {
        onLeft: (error) => Stream.fail(error),
        onRight: (request) => {
          const wire: Wire.ParamsGetMObjects = {
            ...request.params,
            ...(request.streamPosition === undefined ? {} : { streamPosition: request.streamPosition })
          }
          // What the transport cannot express at all, then what this instance cannot (asked of it,
          // as a call is: at the limiter, within the call's time limit).
          const instanceRefuses = transport.refuseRead === undefined
            ? Effect.void
            : Effect.flatMap(
              engine.check("getMObjects", transport.refuseRead(wire), []),
              (issues) => issues.length === 0 ? Effect.void : Effect.fail(new ValidationError({ issues }))
            )
          return Stream.unwrap(Effect.as(
            Effect.zipRight(refuseRead("getMObjects", wire), instanceRefuses),
            engine.pages(request.params, request.streamPosition, decodeAs(params.type))
          ))
        }
      })
    // Declared with the shape's overloads: with `failOnPartial: false` nothing fails with
    // PartialFailure, and the type says so.
    function syncMObjects(
      objects: ReadonlyArray<MObject.MObject>,
      operation: Wire.SyncOperation,
      batch: KeepOutcomes
    ): Effect.Effect<ReadonlyArray<Outcome<MObject.MObject>>, ValidationError | CallError>
    function syncMObjects(
      objects: ReadonlyArray<MObject.MObject>,
      operation: Wire.SyncOperation,
      batch?: BatchOptions
    ): Effect.Effect<
      ReadonlyArray<Outcome<MObject.MObject>>,
      ValidationError | PartialFailure<MObject.MObject> | CallError
    >
    function syncMObjects(
      objects: ReadonlyArray<MObject.MObject>,
      operation: Wire.SyncOperation,
      batch?: BatchOptions
    ) {
      const outcomes = engine.runAll(
        { operation: "syncMObjects", sync: operation },
        objects,
        encode(operation),
        syncCheck(operation)
      )
      return batch?.failOnPartial === false ? outcomes : Effect.flatMap(outcomes, Engine.failIfPartial)
    }
    function deleteMObjects(
      refs: ReadonlyArray<DeleteRef>,
      batch: KeepOutcomes
    ): Effect.Effect<ReadonlyArray<Outcome<DeleteRef>>, ValidationError | CallError>
    function deleteMObjects(
      refs: ReadonlyArray<DeleteRef>,
      batch?: BatchOptions
    ): Effect.Effect<ReadonlyArray<Outcome<DeleteRef>>, ValidationError | PartialFailure<DeleteRef> | CallError>
    function deleteMObjects(refs: ReadonlyArray<DeleteRef>, batch?: BatchOptions) {
      const outcomes = engine.runAll({ operation: "deleteMObjects" }, refs, encodeRefs, deleteCheck)
      return batch?.failOnPartial === false ? outcomes : Effect.flatMap(outcomes, Engine.failIfPartial)
    }
    return MarketoClient.of({
      syncMObjects,
      syncStream: (operation) => {
        const invalid = Params.operationError(operation)
        return invalid === undefined
          ? engine.stream({ operation: "syncMObjects", sync: operation })(encode(operation), syncCheck(operation))
          : () => Stream.fail(invalid)
      },
      getMObjectsPages: pages,
      getMObjects: (params) => Stream.mapConcat(pages(params), (page) => page.objects),
      describeMObject: (objectName) =>
        Effect.flatMap(
          Params.describeRequest(objectName),
          (params) =>
            Effect.zipRight(
              refuseRead("describeMObject", params),
              Effect.map(
                engine.call("describeMObject", params, { count: 0, repeatable: true }),
                (result) => result.metadata
              )
            )
        ),
      deleteMObjects,
      listMObjects: () =>
        Effect.zipRight(
          refuseRead("listMObjects", {}),
          Effect.map(engine.call("listMObjects", {}, { count: 0, repeatable: true }), (result) => result.objects)
        )
    })
  })

/**
 * The client over the `MarketoTransport` in context; options are checked when the layer is
 * built (see {@link make}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<MarketoClient, ConfigError.ConfigError, MarketoTransport> =>
  Layer.effect(MarketoClient, make(options))

/**
 * The client with options read from `Config`: one `Config` of all options, or any of them as
 * its own `Config` (`{ callTimeout: Config.duration("MARKETO_CALL_TIMEOUT") }`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<MarketoClient, ConfigError.ConfigError, MarketoTransport> =>
  Layer.effect(MarketoClient, Effect.flatMap(Config.unwrap(config), make))

/**
 * Syncs objects through the client in context (see {@link MarketoClientShape.syncMObjects}).
 *
 * @example
 * import * as MarketoClient from "@mktows/core/MarketoClient"
 * import * as Opportunity from "@mktows/core/Opportunity"
 * import * as Effect from "effect/Effect"
 *
 * // An Effect that needs a MarketoClient: one outcome per object, in input order.
 * export const upsert = Effect.gen(function*() {
 *   const outcomes = yield* MarketoClient.syncMObjects(
 *     [Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "OPP-1" }, name: "Big deal" })],
 *     "UPSERT",
 *     // FAILED and IN_DOUBT objects come back as outcomes, not as a PartialFailure; a call that
 *     // certainly sent nothing (a refused connection, a bad secret) still fails with its error.
 *     { failOnPartial: false }
 *   )
 *   for (const outcome of outcomes) yield* Effect.log(`${outcome.index}: ${outcome.status}`)
 * })
 *
 * @since 0.1.0
 * @category accessors
 */
export function syncMObjects(
  objects: ReadonlyArray<MObject.MObject>,
  operation: Wire.SyncOperation,
  options: KeepOutcomes
): Effect.Effect<ReadonlyArray<Outcome<MObject.MObject>>, ValidationError | CallError, MarketoClient>
export function syncMObjects(
  objects: ReadonlyArray<MObject.MObject>,
  operation: Wire.SyncOperation,
  options?: BatchOptions
): Effect.Effect<
  ReadonlyArray<Outcome<MObject.MObject>>,
  ValidationError | PartialFailure<MObject.MObject> | CallError,
  MarketoClient
>
export function syncMObjects(
  objects: ReadonlyArray<MObject.MObject>,
  operation: Wire.SyncOperation,
  options?: BatchOptions
) {
  return Effect.flatMap(MarketoClient, (client) => client.syncMObjects(objects, operation, options))
}

/**
 * Syncs a stream through the client in context (see {@link MarketoClientShape.syncStream}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const syncStream = (operation: Wire.SyncOperation) =>
<E, R>(
  objects: Stream.Stream<MObject.MObject, E, R>
): Stream.Stream<Outcome<MObject.MObject>, E | ValidationError | CallError, R | MarketoClient> =>
  Stream.unwrap(Effect.map(MarketoClient, (client) => client.syncStream(operation)(objects)))

/**
 * @since 0.1.0
 * @category accessors
 */
export const getMObjectsPages = <T extends MObjectType>(
  params: GetParams<T>
): Stream.Stream<Page<ModelOf<T>>, ValidationError | CallError, MarketoClient> =>
  Stream.unwrap(Effect.map(MarketoClient, (client) => client.getMObjectsPages(params)))

/**
 * @since 0.1.0
 * @category accessors
 */
export const getMObjects = <T extends MObjectType>(
  params: GetParams<T>
): Stream.Stream<ModelOf<T>, ValidationError | CallError, MarketoClient> =>
  Stream.unwrap(Effect.map(MarketoClient, (client) => client.getMObjects(params)))

/**
 * @since 0.1.0
 * @category accessors
 */
export const describeMObject = (objectName: string) =>
  Effect.flatMap(MarketoClient, (client) => client.describeMObject(objectName))

/**
 * @since 0.1.0
 * @category accessors
 */
export function deleteMObjects(
  refs: ReadonlyArray<DeleteRef>,
  options: KeepOutcomes
): Effect.Effect<ReadonlyArray<Outcome<DeleteRef>>, ValidationError | CallError, MarketoClient>
export function deleteMObjects(
  refs: ReadonlyArray<DeleteRef>,
  options?: BatchOptions
): Effect.Effect<
  ReadonlyArray<Outcome<DeleteRef>>,
  ValidationError | PartialFailure<DeleteRef> | CallError,
  MarketoClient
>
export function deleteMObjects(refs: ReadonlyArray<DeleteRef>, options?: BatchOptions) {
  return Effect.flatMap(MarketoClient, (client) => client.deleteMObjects(refs, options))
}

/**
 * @since 0.1.0
 * @category accessors
 */
export const listMObjects = () => Effect.flatMap(MarketoClient, (client) => client.listMObjects())

/**
 * Runs `self` with `onSend` run by every attempt of the calls it makes, once the client's rate
 * and concurrency limits have let the attempt go and just before its transport sends anything.
 * It is for a tool that journals what it sends (the command line records a chunk's rows there),
 * so that a record is written no earlier than the call goes out: a call still waiting for the
 * rate window when the process stops was not sent, and its rows are not in doubt.
 *
 * `onSend` runs once per attempt (a retry runs it again), and its time counts against the
 * attempt's `callTimeout`. It cannot fail: should it die or be interrupted, the attempt ends with
 * it, and nothing of that attempt is sent.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withOnSend = (
  onSend: Effect.Effect<void>
) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => Effect.locally(self, Timeout.currentOnSend, onSend)
