/**
 * A test kit: a `MarketoTransport` with the emulator's semantics, in memory. No HTTP server,
 * no port: each call goes through the real SOAP transport and codec (or, with `layerRest` and
 * `layerRestClient`, the real REST transport) to the emulator's app
 * in the calling fiber, so the emulator's signature window and latency follow the test's
 * `Clock` (`TestClock` under `it.effect`). Every call is recorded with its outcome, and the
 * next calls can be scripted to meet a fault, a delay, or a lost connection.
 *
 * ```ts
 * import { it, expect } from "@effect/vitest"
 * import * as Testing from "@mktows/emulator/Testing"
 *
 * it.effect("retries a throttled call", () =>
 *   Effect.gen(function*() {
 *     const kit = yield* Testing.TestMarketo
 *     yield* kit.script(Testing.fault(20023))
 *     const fiber = yield* Effect.fork(MarketoClient.listMObjects())
 *     // The client's backoff sleeps on the TestClock: settle moves it until the call is done
 *     // (one large TestClock.adjust can pass before the call has reached its sleep).
 *     expect(yield* Testing.settle(fiber)).toContain("Opportunity")
 *     expect((yield* kit.calls).length).toBe(2)
 *   }).pipe(Effect.provide(Testing.layerClient())))
 * ```
 *
 * @since 0.1.0
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import type { TransportCallError } from "@mktows/core/MarketoError"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import type { Operation, ParamsOf, ResultOf } from "@mktows/core/Wire"
import type * as RestTransport from "@mktows/rest/RestTransport"
import type * as SoapTransport from "@mktows/xml/SoapTransport"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Emulator from "./Emulator.js"
import * as internal from "./internal/testing.js"

/**
 * What happens to one call before (or instead of) the emulator answering it. Build steps
 * with {@link fault}, {@link delay}, {@link drop} and {@link refuse}.
 *
 * @since 0.1.0
 * @category models
 */
export type Step =
  | { readonly _tag: "Fault"; readonly code: number; readonly message: string }
  | { readonly _tag: "Delay"; readonly duration: Duration.Duration }
  | { readonly _tag: "Drop"; readonly applied: boolean }
  | { readonly _tag: "Refuse" }

/**
 * One call as the transport made it: the operation, its parameters, and how it ended (the
 * decoded result, or the typed error the client saw). A union over the operations, so
 * narrowing on `operation` types `params` and `exit`.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordedCall = {
  readonly [Op in Operation]: {
    readonly operation: Op
    readonly params: ParamsOf<Op>
    readonly exit: Exit.Exit<ResultOf<Op>, TransportCallError>
  }
}[Operation]

/**
 * The kit's controls, beside the emulator's own `url`, `stats` and `reset` (which also
 * clears the script and the recorded calls).
 *
 * @since 0.1.0
 * @category models
 */
export interface TestMarketoShape extends Emulator.EmulatorShape {
  readonly calls: Effect.Effect<ReadonlyArray<RecordedCall>>
  readonly script: (...steps: ReadonlyArray<Step>) => Effect.Effect<void>
}

/**
 * The kit in context: read `calls`, queue steps with `script`.
 *
 * @since 0.1.0
 * @category tags
 */
export class TestMarketo extends Context.Tag("@mktows/emulator/Testing/TestMarketo")<TestMarketo, TestMarketoShape>() {}

/**
 * The emulator's options (no host or port: nothing listens), and the SOAP transport's.
 * The client signs with the emulator's `userId` and `encryptionKey`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<Emulator.Options, "host" | "port"> {
  readonly transport?: SoapTransport.Options
}

/**
 * The emulator's options (no host or port), and the REST transport's: the kit over REST
 * ({@link layerRest}). The client authenticates with the emulator's `clientId` and
 * `clientSecret`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RestOptions extends Omit<Emulator.Options, "host" | "port"> {
  readonly restTransport?: RestTransport.Options
}

/**
 * The next call gets Marketo's fault `code` without reaching the emulator: over SOAP HTTP 500
 * with Marketo's fault envelope; over REST ({@link layerRest}) REST's error envelope, `code` a
 * REST code (e.g. 606, 1003). `message` defaults to the SOAP code's documented name.
 *
 * @since 0.1.0
 * @category steps
 */
export const fault: (code: number, message?: string) => Step = internal.fault

/**
 * The next call waits `duration` (on the `Clock`) and then reaches the emulator.
 *
 * @since 0.1.0
 * @category steps
 */
export const delay: (duration: Duration.DurationInput) => Step = internal.delay

/**
 * The next call loses its connection without an answer, as a dropped socket would: the
 * client cannot know whether it ran. With `applied: true` the emulator did apply it first.
 *
 * @since 0.1.0
 * @category steps
 */
export const drop: (options?: { readonly applied?: boolean }) => Step = internal.drop

/**
 * The next call's connection is refused: certainly not sent.
 *
 * @since 0.1.0
 * @category steps
 */
export const refuse: Step = internal.refuse

/** A kit's transport and controls as a Layer. */
const layerOf = (
  made: Effect.Effect<{ readonly transport: MarketoTransport["Type"]; readonly kit: TestMarketoShape }>
): Layer.Layer<MarketoTransport | TestMarketo> =>
  Layer.effectContext(
    Effect.map(made, ({ kit, transport }) =>
      Context.make(MarketoTransport, transport).pipe(Context.add(TestMarketo, kit)))
  )

/**
 * The in-memory `MarketoTransport` and the kit, for a `MarketoClient.layer` of your own.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<MarketoTransport | TestMarketo> => layerOf(internal.make(options))

/**
 * A `MarketoClient` (with `client` options, e.g. shorter retries) over {@link layer}; it
 * fails with a `ConfigError` when the client options are invalid.
 *
 * @example
 * import * as MarketoClient from "@mktows/core/MarketoClient"
 * import * as Testing from "@mktows/emulator/Testing"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const kit = yield* Testing.TestMarketo
 *   yield* kit.script(Testing.fault(20023)) // the next call meets "rate limit exceeded"
 *   const names = yield* MarketoClient.listMObjects() // retried after the backoff
 *   assert.ok(names.includes("Opportunity"))
 *   assert.deepStrictEqual((yield* kit.calls).map((call) => call.exit._tag), ["Failure", "Success"])
 * })
 *
 * // Outside a TestClock, so short real backoffs keep the example quick.
 * const client = { retry: { baseDelay: "1 millis", maxDelay: "5 millis" } } as const
 * await Effect.runPromise(program.pipe(Effect.provide(Testing.layerClient({ client }))))
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options?: Options & { readonly client?: MarketoClient.Options }
): Layer.Layer<MarketoClient.MarketoClient | MarketoTransport | TestMarketo, ConfigError.ConfigError> =>
  MarketoClient.layer(options?.client).pipe(Layer.provideMerge(layer(options)))

/**
 * The kit over REST: the REST transport in memory, as production runs it (its model path,
 * its refusals, tokens from the emulator's identity endpoint), with the same controls. A
 * scripted step is for a call's request; token requests take none. Calls are recorded as the
 * wire calls they stand for.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRest = (options?: RestOptions): Layer.Layer<MarketoTransport | TestMarketo> =>
  layerOf(internal.makeRest(options))

/**
 * A `MarketoClient` over {@link layerRest}: REST code tested in memory, with REST's refusals.
 *
 * @example
 * import * as MarketoClient from "@mktows/core/MarketoClient"
 * import * as Opportunity from "@mktows/core/Opportunity"
 * import * as Testing from "@mktows/emulator/Testing"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const key = { name: "externalOpportunityId", value: "OPP-1" }
 *   const outcomes = yield* MarketoClient.syncMObjects([Opportunity.make({ name: "Deal", externalKey: key })], "UPSERT")
 *   assert.deepStrictEqual(outcomes.map((o) => o.status), ["CREATED"])
 *   // REST keys opportunities by externalOpportunityId: refused before anything is sent.
 *   const refused = yield* Effect.flip(
 *     MarketoClient.syncMObjects([Opportunity.make({ name: "Deal", externalKey: { name: "externalId", value: "X" } })], "UPSERT")
 *   )
 *   assert.strictEqual(refused._tag, "ValidationError")
 * })
 *
 * await Effect.runPromise(program.pipe(Effect.provide(Testing.layerRestClient())))
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRestClient = (
  options?: RestOptions & { readonly client?: MarketoClient.Options }
): Layer.Layer<MarketoClient.MarketoClient | MarketoTransport | TestMarketo, ConfigError.ConfigError> =>
  MarketoClient.layer(options?.client).pipe(Layer.provideMerge(layerRest(options)))

/**
 * Moves the `TestClock` one step at a time (default 1 second) until `fiber` is done, and returns
 * its result. A retried or delayed call sleeps on the test's clock; moving the clock once by a large
 * amount can pass before the call has reached its sleep (signing is real asynchronous work), and
 * the test would then wait forever. `settle` cannot miss it.
 *
 * ```ts
 * const fiber = yield* Effect.fork(MarketoClient.listMObjects())
 * const names = yield* Testing.settle(fiber)
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const settle: <A, E>(fiber: Fiber.Fiber<A, E>, step?: Duration.DurationInput) => Effect.Effect<A, E> =
  internal.settle
