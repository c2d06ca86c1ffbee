/**
 * The machinery of MarketoClient, as small functions that compose:
 *
 * - `call.ts`: one attempt through the limiter, timed out and traced; one logical call with
 *   its retries; the stop signal of a batch;
 * - `pairing.ts`: statuses paired with the objects sent, checked by count and identity;
 * - here, {@link settleChunk}: one chunk sent and turned into outcomes whatever happens to
 *   it, the one place where a failed chunk becomes FAILED or IN_DOUBT and a fatal error stops
 *   the batch, shared by {@link runAll} and {@link stream};
 * - `paging.ts`: getMObjects page by page.
 *
 * It is generic over what the caller passes in (an `encode` to the wire or to the transport's
 * model path, and a `check` for validation issues), so it knows nothing of the domain model.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Limits from "../Limits.js"
import type { CallError, ValidationIssue } from "../MarketoError.js"
import { PartialFailure, ValidationError } from "../MarketoError.js"
import * as MarketoError from "../MarketoError.js"
import type { MarketoTransportShape, ModelCall, ModelPath } from "../MarketoTransport.js"
import type { Outcome } from "../Outcome.js"
import { isProblem } from "../Outcome.js"
import * as Wire from "../Wire.js"
import type { CallMeta, NotSent, Runtime, Stop } from "./call.js"
import * as Call from "./call.js"
import type { Settings } from "./clientSettings.js"
import * as Limiter from "./limiter.js"
import * as Paging from "./paging.js"
import type { Sent, Slice, StatusRequest } from "./pairing.js"
import { chunked, failedChunk, inDoubt, pair } from "./pairing.js"

export type { Settings } from "./clientSettings.js"
export type { StatusRequest } from "./pairing.js"

/** What checks a batch: issues with indexes counted from `startIndex`. */
export type Check<A> = (
  objects: ReadonlyArray<A>,
  startIndex: number
) => ReadonlyArray<ValidationIssue>

/** The client's counters, tagged per use (operation, status, reason, code). */
export const metrics = { calls: Call.calls, objects: Call.objects, retries: Call.retries, faults: Call.faults } as const

/**
 * A chunk's outcomes, one per object, whatever happened to its call; `failure` is the call
 * error when the chunk's call failed for good (`sent: false` when a stopped batch never sent
 * it). Never fails: this is the one place where failures become outcomes and where a fatal
 * error stops the batch.
 */
interface Settled<A> {
  readonly outcomes: ReadonlyArray<Outcome<A>>
  readonly failure?: { readonly error: CallError; readonly sent: boolean }
  /** Whether some objects of a failed call have the statuses the transport was answered. */
  readonly answered?: true
}

/**
 * How the objects of a chunk go out: each mapped to a wire record for the transport's `call`,
 * or handed as they are to the transport's model path, which maps them itself; then only
 * their identities (id and external key) are read here, for the pairing and the repeat rule.
 */
export type Encode<A> =
  & (
    | { readonly _tag: "Wire"; readonly encode: (a: A) => Wire.MObject }
    | {
      readonly _tag: "Models"
      readonly models: ModelPath
      readonly identify: (a: A) => Sent
      readonly call: (items: ReadonlyArray<A>) => ModelCall
    }
  )
  & {
    /**
     * Why sending the object again would add to what Marketo holds, whatever the operation, or
     * undefined when it would not: a chunk with such an object is never repeated.
     */
    readonly addsAgain?: (a: A) => string | undefined
  }

/**
 * Why sending the same chunk twice could do harm, or undefined when it cannot: a repeat is
 * harmless only where Marketo keys on ids: deletes, UPDATE (which never creates), and an UPSERT
 * whose every object has an id. An UPSERT without one may create, and external keys are not
 * unique, so a repeat could create a duplicate. And whatever the operation, a chunk with an
 * object that adds on every sending (`Encode.addsAgain`) would add it twice.
 */
const notRepeatable = <A>(
  request: StatusRequest,
  sent: ReadonlyArray<Sent>,
  items: ReadonlyArray<A>,
  addsAgain: ((a: A) => string | undefined) | undefined
): string | undefined => {
  if (request.operation === "deleteMObjects") return undefined
  if (addsAgain !== undefined) {
    for (const item of items) {
      const why = addsAgain(item)
      if (why !== undefined) return why
    }
  }
  return request.sync === "UPDATE" || (request.sync === "UPSERT" && sent.every((o) => o.id !== undefined))
    ? undefined
    : "it could create duplicates (INSERT, or UPSERT without ids)"
}

/** A chunk ready to send: what names each object, and what sends it. */
interface Prepared {
  readonly sent: ReadonlyArray<Sent>
  /**
   * One attempt of the chunk's call: the transport's `call` of the wire records, or its model
   * path. The same params object (or ModelCall) for every attempt: a transport remembers by it
   * what it was answered.
   */
  readonly send: Call.Send<"syncMObjects" | "deleteMObjects">
  /** What the transport was answered for the objects of a call that failed. */
  readonly answered: () => ReadonlyArray<Wire.MObjStatus | undefined> | undefined
}

const prepare = <A>(rt: Runtime, request: StatusRequest, items: ReadonlyArray<A>, encode: Encode<A>): Prepared => {
  if (encode._tag === "Wire") {
    const sent = items.map(encode.encode)
    const params: Wire.ParamsSyncMObjects | Wire.ParamsDeleteMObjects = request.operation === "syncMObjects"
      ? { mObjectList: sent, operation: request.sync }
      : { mObjectList: sent }
    return {
      sent,
      send: request.operation === "syncMObjects"
        ? Call.sendWire(rt, "syncMObjects", params as Wire.ParamsSyncMObjects)
        : Call.sendWire(rt, "deleteMObjects", params),
      answered: () => rt.transport.answered?.(params)
    }
  }
  const { models } = encode
  // The engine's call is the same on both paths (limiter, timeout, retries, span, metrics);
  // only what sends an attempt differs.
  const modelCall = encode.call(items)
  return {
    sent: items.map(encode.identify),
    send: Effect.suspend(() => Effect.map(models.send(modelCall), (mObjStatusList) => ({ mObjStatusList }))),
    answered: () => models.answered?.(modelCall)
  }
}

/**
 * One chunk of several, in its turn (`turn.ts`): chunks run concurrently, and each should go
 * out as soon as it is encoded, not after the others are.
 */
const settleInTurn = <A>(
  rt: Runtime,
  request: StatusRequest,
  chunk: Slice<A>,
  encode: Encode<A>,
  stop: Stop
): Effect.Effect<Settled<A>> =>
  Effect.zipRight(rt.turn, Effect.suspend(() => settleChunk(rt, request, chunk, encode, stop)))

const settleChunk = <A>(
  rt: Runtime,
  request: StatusRequest,
  chunk: Slice<A>,
  encode: Encode<A>,
  stop: Stop
): Effect.Effect<Settled<A>> => {
  const { answered, send, sent } = prepare(rt, request, chunk.items, encode)
  const notRepeated = notRepeatable(request, sent, chunk.items, encode.addsAgain)
  const afterDoubt = { value: false }
  const meta = { count: chunk.items.length, repeatable: notRepeated === undefined, afterDoubt }
  const answer: Effect.Effect<Wire.ResultSyncMObjects | Wire.ResultDeleteMObjects, CallError | NotSent> = Call
    .callStoppable(rt, request.operation, send, meta, stop)
  // A failed call keeps the statuses the transport was answered before it failed.
  const withAnswered = (outcomes: ReadonlyArray<Outcome<A>>): Settled<A>["outcomes"] => {
    const statuses = answered()
    if (statuses === undefined) return outcomes
    return outcomes.map((o, i) => {
      const status = statuses[i]
      return status === undefined ? o : answeredOutcome(o, status)
    })
  }
  return answer.pipe(
    Effect.flatMap((result) => pair(request, chunk, sent, result.mObjStatusList)),
    Effect.matchEffect({
      onSuccess: (outcomes): Effect.Effect<Settled<A>> =>
        Effect.succeed({
          outcomes: afterDoubt.value && request.operation === "deleteMObjects" ? notedAfterDoubt(outcomes) : outcomes
        }),
      onFailure: (error): Effect.Effect<Settled<A>> => {
        if (error._tag === "NotSent") {
          // Not sent this time; an earlier attempt may have been answered in part.
          const outcomes = withAnswered(failedChunk(chunk, error.cause, false))
          return Effect.succeed(
            somethingApplied(outcomes)
              ? { outcomes, failure: { error: error.cause, sent: true }, answered: true }
              : { outcomes, failure: { error: error.cause, sent: false } }
          )
        }
        if (MarketoError.isAmbiguous(error)) {
          return Effect.succeed({ outcomes: withAnswered(inDoubt(chunk, error, notRepeated)) })
        }
        const outcomes = withAnswered(failedChunk(chunk, error, true))
        const settled: Settled<A> = somethingApplied(outcomes)
          ? { outcomes, failure: { error, sent: true }, answered: true }
          : { outcomes, failure: { error, sent: true } }
        return MarketoError.isFatal(error) ? Effect.as(Call.stopWith(stop, error), settled) : Effect.succeed(settled)
      }
    })
  )
}

/**
 * A delete sent again after an attempt whose answer was lost: an object not there any more may
 * be that attempt's doing. It stays UNCHANGED (either way it is gone), said so.
 */
const notedAfterDoubt = <A>(outcomes: ReadonlyArray<Outcome<A>>): ReadonlyArray<Outcome<A>> =>
  outcomes.map((o) =>
    o.status === "UNCHANGED"
      ? {
        ...o,
        error: `${
          o.error === undefined ? "" : `${o.error}; `
        }not there when the delete was sent again: the attempt before, whose answer was lost, may have deleted it`
      }
      : o
  )

/** An outcome from a status the transport was answered for its object. */
const answeredOutcome = <A>(failed: Outcome<A>, status: Wire.MObjStatus): Outcome<A> => ({
  index: failed.index,
  input: failed.input,
  status: status.status,
  ...(status.id > 0 ? { id: status.id } : {}),
  ...(status.externalKey === undefined ? {} : { externalKey: status.externalKey }),
  ...(status.error === undefined ? {} : { error: status.error })
})

const somethingApplied = <A>(outcomes: ReadonlyArray<Outcome<A>>): boolean =>
  outcomes.some((o) => o.status !== "FAILED" && o.status !== "IN_DOUBT")

// Tagged once per status rather than per chunk: every chunk is counted on the hot path.
const objectsOf: ReadonlyMap<string, Metric.Metric.Counter<number>> = new Map(
  [...Wire.MObjStatusEnum.literals, "IN_DOUBT"].map((status) => [status, Metric.tagged(Call.objects, "status", status)])
)

const countStatuses = <A>(outcomes: ReadonlyArray<Outcome<A>>): Effect.Effect<void> => {
  // A plain loop and a local map: this runs once per chunk over every outcome.
  const byStatus = new Map<string, number>()
  for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1)
  return Effect.forEach(
    byStatus,
    ([status, n]) => Metric.incrementBy(objectsOf.get(status) ?? Metric.tagged(Call.objects, "status", status), n),
    { discard: true }
  )
}

// ---------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------

/**
 * A whole batch: validated at once, chunked, run with bounded concurrency.
 *
 * A chunk whose call fails for good never costs the outcomes of the others: its objects
 * become FAILED (Marketo refused the call, so nothing of it was applied) or IN_DOUBT (an
 * answer we could not read), and the batch ends in PartialFailure with every outcome.
 * After an error that every later call would meet too (authentication, daily quota), no
 * further chunk is sent; their objects are FAILED with that reason. Only when no chunk
 * got through at all does the batch fail with the call error itself. Whether problems fail
 * the batch is the caller's choice ({@link failIfPartial}).
 */
const runAll = <A>(
  rt: Runtime,
  request: StatusRequest,
  items: ReadonlyArray<A>,
  encode: Encode<A>,
  check: Check<A>
): Effect.Effect<ReadonlyArray<Outcome<A>>, ValidationError | CallError> =>
  Effect.gen(function*() {
    // Batches started together take turns: each is checked and encoded while the requests
    // before it are already on their way (`turn.ts`).
    yield* rt.turn
    const issues = check(items, 0)
    if (issues.length > 0) return yield* Effect.fail(new ValidationError({ issues }))
    const stop = Call.makeStop()
    const chunks = chunked(items, rt.chunkSize)
    // One chunk (most batches of a hundred objects or fewer) runs in this fiber: a concurrent
    // forEach forks a fiber for it, which cost more than the rest of the engine's call.
    const settled = chunks.length === 1
      ? [yield* settleChunk(rt, request, chunks[0] as Slice<A>, encode, stop)]
      : yield* Effect.forEach(
        chunks,
        // The first chunk goes on in the turn the checks took; the others take their own.
        (chunk, i) =>
          i === 0 ? settleChunk(rt, request, chunk, encode, stop) : settleInTurn(rt, request, chunk, encode, stop),
        { concurrency: rt.settings.concurrency }
      )
    const errors = settled.flatMap((s) => s.failure === undefined ? [] : [s.failure.error])
    const [first] = errors
    if (
      first !== undefined && errors.length === settled.length && errors.every((e) => e._tag !== "ProtocolError") &&
      settled.every((s) => s.answered === undefined)
    ) {
      // Nothing got through and nothing may have been applied: the call error says it best,
      // the one that stopped the batch if there is one.
      return yield* Effect.fail(Option.getOrElse(yield* Call.stopped(stop), () => first))
    }
    const outcomes = settled.flatMap((s) => s.outcomes)
    yield* countStatuses(outcomes)
    return outcomes
  })

/** A batch's outcomes, or a PartialFailure carrying them all when one FAILED or is IN_DOUBT. */
export const failIfPartial = <A>(
  outcomes: ReadonlyArray<Outcome<A>>
): Effect.Effect<ReadonlyArray<Outcome<A>>, PartialFailure<A>> =>
  outcomes.some(isProblem) ? Effect.fail(new PartialFailure<A>({ outcomes })) : Effect.succeed(outcomes)

/**
 * The streaming form. Chunks are validated in order before any is sent; a chunk with
 * invalid objects ends the stream with a ValidationError naming their global indexes,
 * after the outcomes of every chunk before it, and neither it nor any later chunk is sent.
 * A chunk whose call fails for good emits its objects as FAILED (IN_DOUBT when an answer
 * could not be read) and the stream goes on, as in a batch. After an error that every
 * later call would meet too (authentication, daily quota), no further chunk is sent: the
 * chunks already sent still emit their outcomes, then the stream ends with that error, so
 * every object after the last outcome was not sent.
 */
const stream = <A, E, R>(
  rt: Runtime,
  request: StatusRequest,
  encode: Encode<A>,
  check: Check<A>,
  input: Stream.Stream<A, E, R>
): Stream.Stream<Outcome<A>, E | ValidationError | CallError, R> =>
  Stream.unwrap(Effect.sync(() => {
    const stop = Call.makeStop()
    return (
      input.pipe(
        Stream.grouped(rt.chunkSize),
        Stream.mapAccum(0, (start, group) => {
          const items = Chunk.toReadonlyArray(group)
          return [start + items.length, { start, items }] as const
        }),
        Stream.map((chunk) => {
          const issues = check(chunk.items, chunk.start)
          return issues.length > 0
            ? Either.left(new ValidationError({ issues, ...(chunk.start > 0 ? { sentBefore: chunk.start } : {}) }))
            : Either.right(chunk)
        }),
        // Stop pulling input at the first invalid chunk, so nothing after it is sent.
        Stream.takeUntil(Either.isLeft),
        Stream.mapEffect(
          (chunk): Effect.Effect<Either.Either<ReadonlyArray<Outcome<A>>, ValidationError | CallError>> =>
            Either.isLeft(chunk)
              ? Effect.succeed(Either.left(chunk.left))
              : Effect.map(settleInTurn(rt, request, chunk.right, encode, stop), (settled) =>
                // Not sent: the stream ends here, with the error that stopped it.
                settled.failure !== undefined && !settled.failure.sent
                  ? Either.left(settled.failure.error)
                  : Either.right(settled.outcomes)),
          { concurrency: rt.settings.concurrency }
        ),
        // Results arrive in input order, so every outcome before the end is emitted first.
        Stream.mapEffect((result) =>
          Either.isLeft(result) ? Effect.fail(result.left) : Effect.as(countStatuses(result.right), result.right)
        ),
        Stream.flattenIterables,
        // A fatal error in the last chunks still ends the stream with that error.
        Stream.concat(
          Stream.unwrap(
            Effect.map(Call.stopped(stop), Option.match({ onNone: () => Stream.empty, onSome: Stream.fail }))
          )
        )
      )
    )
  }))

// ---------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------

const chunkSizeOf = (settings: Settings, transport: MarketoTransportShape): number => {
  const max = transport.maxObjectsPerCall
  const limit = max !== undefined && Number.isSafeInteger(max) && max >= 1 ? max : Limits.maxObjectsPerCall
  return Math.min(settings.chunkSize ?? limit, limit)
}

/**
 * The engine of one client: the functions above bound to its transport, settings and limiter.
 *
 * @internal
 */
export const make = (transport: MarketoTransportShape, settings: Settings) =>
  Effect.map(Limiter.make(settings.rateLimit), (limiter) => {
    const rt: Runtime = {
      transport,
      settings,
      limiter,
      chunkSize: chunkSizeOf(settings, transport),
      turn: transport.turn ?? Effect.void
    }
    return {
      chunkSize: rt.chunkSize,
      call: <Op extends Wire.Operation>(operation: Op, params: Wire.ParamsOf<Op>, meta: CallMeta) =>
        Call.call(rt, operation, params, meta),
      check: <A>(operation: Wire.Operation, self: Effect.Effect<A>, unknown: A) =>
        Call.check(rt, operation, self, unknown),
      runAll: <A>(
        request: StatusRequest,
        items: ReadonlyArray<A>,
        encode: Encode<A>,
        check: Check<A>
      ) => runAll(rt, request, items, encode, check),
      stream:
        (request: StatusRequest) => <A>(encode: Encode<A>, check: Check<A>) => <E, R>(input: Stream.Stream<A, E, R>) =>
          stream(rt, request, encode, check, input),
      pages: <B, DE>(
        params: Omit<Wire.ParamsGetMObjects, "streamPosition">,
        streamPosition: string | undefined,
        decode: (wire: Wire.MObject) => Either.Either<B, DE>
      ) => Paging.pages(rt, params, streamPosition, decode)
    } as const
  })

/** @internal */
export type Engine = Effect.Effect.Success<ReturnType<typeof make>>
