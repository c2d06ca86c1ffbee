/**
 * The emulator's store: the current State in a SynchronizedRef, and the five operations as
 * Effects over it. A call either applies entirely or (on a fault) not at all, and calls are
 * applied one at a time, as a single Marketo instance would.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type { EmulatorFault } from "./fault.js"
import { describeMObject, getMObjects, listMObjects } from "./query.js"
import { fromSeed, type SeedData, type State } from "./state.js"
import { deleteMObjects, syncMObjects } from "./sync.js"

/** An operation with its params, as the request decoder yields it. @internal */
export type Call = { readonly [Op in Wire.Operation]: { readonly operation: Op; readonly params: Wire.ParamsOf<Op> } }[
  Wire.Operation
]

/** An operation with its result. @internal */
export type Answer = {
  readonly [Op in Wire.Operation]: { readonly operation: Op; readonly result: Wire.ResultOf<Op> }
}[
  Wire.Operation
]

/** @internal */
export interface Store {
  readonly call: (call: Call) => Effect.Effect<Answer, EmulatorFault>
  readonly state: Effect.Effect<State>
  readonly reset: Effect.Effect<void>
}

/**
 * A store holding the seed's objects. `secret` keys the stream positions it issues.
 *
 * @internal
 */
export const makeStore = (seed: SeedData, secret: string): Effect.Effect<Store> =>
  Effect.gen(function*() {
    const initial = fromSeed(seed)
    const ref = yield* SynchronizedRef.make(initial)
    const now = Effect.map(Clock.currentTimeMillis, (millis) => Signature.formatTimestamp(millis))

    const write = <A>(
      f: (state: State, now: string) => Either.Either<readonly [A, State], EmulatorFault>
    ): Effect.Effect<A, EmulatorFault> =>
      SynchronizedRef.modifyEffect(ref, (state) => Effect.flatMap(now, (time) => f(state, time)))

    const read = <A>(f: (state: State) => Either.Either<A, EmulatorFault>): Effect.Effect<A, EmulatorFault> =>
      Effect.flatMap(SynchronizedRef.get(ref), f)

    const call = (call: Call): Effect.Effect<Answer, EmulatorFault> => {
      switch (call.operation) {
        case "syncMObjects":
          return write((state, time) => syncMObjects(state, call.params, time)).pipe(
            Effect.map((result) => ({ operation: "syncMObjects", result }))
          )
        case "deleteMObjects":
          return write((state) => deleteMObjects(state, call.params)).pipe(
            Effect.map((result) => ({ operation: "deleteMObjects", result }))
          )
        case "getMObjects":
          return read((state) => getMObjects(state, call.params, secret)).pipe(
            Effect.map((result) => ({ operation: "getMObjects", result }))
          )
        case "describeMObject":
          return read((state) => describeMObject(state, call.params)).pipe(
            Effect.map((result) => ({ operation: "describeMObject", result }))
          )
        case "listMObjects":
          return Effect.succeed({ operation: "listMObjects", result: listMObjects() })
      }
    }

    return {
      call,
      state: SynchronizedRef.get(ref),
      reset: SynchronizedRef.set(ref, initial)
    }
  })
