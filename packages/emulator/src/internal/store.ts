/**
 * The emulator's store: the current State in a SynchronizedRef, and the five operations as
 * Effects over it. A call either applies entirely or (on a fault) not at all, and calls are
 * applied one at a time, as a single Marketo instance would. With a data file, a changed
 * State is written before the call that changed it is answered.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { removeStale, save } from "./dataFile.js"
import { describeMObject, listMObjects } from "./describe.js"
import type { EmulatorFault } from "./fault.js"
import { getMObjects } from "./getMObjects.js"
import type { State } from "./state.js"
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
  /**
   * A change of the State computed from the current one, applied whole or (on a fault) not
   * at all, one at a time with every other call: what REST writes use, so a write that
   * first looks a record up and then creates it cannot race another.
   */
  readonly transact: <A>(
    f: (state: State, now: string) => Either.Either<readonly [A, State], EmulatorFault>
  ) => Effect.Effect<A, EmulatorFault>
  /** Replaces the State (`POST /emulator/seed`); a reset still goes back to the initial one. */
  readonly load: (state: State) => Effect.Effect<void, EmulatorFault>
  /** Back to the initial State (written to the data file, if any). */
  readonly reset: Effect.Effect<void, EmulatorFault>
}

/** @internal */
export interface StoreOptions {
  /** The State a reset goes back to. */
  readonly initial: State
  /** The State to start from (a data file's), default `initial`. */
  readonly current?: State
  /** Keys the stream positions the store issues. */
  readonly secret: string
  /** Where to keep the State across restarts. */
  readonly dataFile?: string | undefined
}

/** @internal */
export const makeStore = (options: StoreOptions): Effect.Effect<Store> =>
  Effect.gen(function*() {
    const ref = yield* SynchronizedRef.make(options.current ?? options.initial)
    // Formatting a timestamp costs more than many a call's changes, and every call within one
    // second writes the same text: the last one is kept (local to this store).
    let stamp = { second: Number.NaN, text: "" }
    const now = Effect.map(Clock.currentTimeMillis, (millis) => {
      const second = Math.floor(millis / 1000)
      if (second !== stamp.second) stamp = { second, text: Signature.formatTimestamp(millis) }
      return stamp.text
    })
    const dataFile = options.dataFile
    if (dataFile !== undefined) yield* removeStale(dataFile)
    const persist = (before: State, after: State): Effect.Effect<void, EmulatorFault> =>
      dataFile === undefined || before === after ? Effect.void : save(dataFile, after)

    const write = <A>(
      f: (state: State, now: string) => Either.Either<readonly [A, State], EmulatorFault>
    ): Effect.Effect<A, EmulatorFault> =>
      SynchronizedRef.modifyEffect(ref, (state) =>
        Effect.flatMap(now, (time) => f(state, time)).pipe(
          Effect.tap(([, next]) => persist(state, next))
        ))

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
          return read((state) => getMObjects(state, call.params, options.secret)).pipe(
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
      transact: write,
      load: (next) => SynchronizedRef.updateEffect(ref, (state) => Effect.as(persist(state, next), next)),
      reset: SynchronizedRef.updateEffect(
        ref,
        (state) => Effect.as(persist(state, options.initial), options.initial)
      )
    }
  })
