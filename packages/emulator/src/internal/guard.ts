/**
 * What every authenticated call meets before the store, SOAP or REST alike, once per call:
 * the next scripted step (`POST /emulator/script`), the configured latency, an injected
 * fault, and Marketo's limits when they are enforced. A call's outcome is "drop" when its
 * connection is to be cut unanswered.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { type EmulatorFault, fault, faultText } from "./fault.js"
import { type Injected, isFault } from "./inject.js"
import type { Limiter } from "./limits.js"

/**
 * One scripted step, as the `Testing` kit's `fault`, `delay` and `drop` are: a fault instead
 * of the call, a delay before it, or a connection cut after it (applied or not).
 *
 * @internal
 */
export type ScriptStep =
  | { readonly _tag: "Fault"; readonly code: number; readonly message?: string | undefined }
  | { readonly _tag: "Delay"; readonly millis: number }
  | { readonly _tag: "Drop"; readonly applied: boolean }

/** Runs one call with all that comes before the store. @internal */
export interface Guard {
  <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A | "drop", E | EmulatorFault>
}

/** The steps queued for the next calls. @internal */
export interface Script {
  readonly push: (steps: ReadonlyArray<ScriptStep>) => Effect.Effect<void>
  readonly next: Effect.Effect<ScriptStep | undefined>
  readonly pending: Effect.Effect<number>
  readonly reset: Effect.Effect<void>
}

/** @internal */
export const makeScript: Effect.Effect<Script> = Effect.map(Ref.make<ReadonlyArray<ScriptStep>>([]), (ref) => ({
  push: (steps) => Ref.update(ref, (queue) => [...queue, ...steps]),
  next: Ref.modify(ref, (queue): [ScriptStep | undefined, ReadonlyArray<ScriptStep>] => [queue[0], queue.slice(1)]),
  pending: Effect.map(Ref.get(ref), (queue) => queue.length),
  reset: Ref.set(ref, [])
}))

/** @internal */
export const makeGuard = (options: {
  readonly script: Script
  readonly latency: Duration.Duration
  readonly inject: Effect.Effect<Injected>
  readonly limiter: Limiter
  readonly enforceLimits: boolean
}): Guard =>
<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A | "drop", E | EmulatorFault> => {
  const run = Effect.gen(function*() {
    const step = yield* options.script.next
    if (step?._tag === "Delay") yield* Effect.sleep(Duration.millis(step.millis))
    if (step?._tag === "Fault") {
      return yield* Effect.fail(fault(step.code, step.message ?? `${faultText(step.code)} (scripted)`))
    }
    if (step?._tag === "Drop" && !step.applied) return "drop" as const
    if (Duration.toMillis(options.latency) > 0) yield* Effect.sleep(options.latency)
    const injected = yield* options.inject
    if (isFault(injected)) return yield* Effect.fail(injected)
    const result = yield* effect
    // A dropped connection after the call was applied: the client cannot know it was.
    return injected === "drop" || step?._tag === "Drop" ? "drop" as const : result
  })
  return options.enforceLimits ? options.limiter.guard(run) : run
}
