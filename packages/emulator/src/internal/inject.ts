/**
 * Injected faults: with probability `faultRate`, an authenticated call meets 20023, 20024,
 * 20011 (equally likely) or a connection dropped without an answer after the call was
 * applied, as a real lost answer would be. Drawn from the Random given, so a seeded Random
 * makes a run repeatable.
 */
import * as Effect from "effect/Effect"
import type * as Random from "effect/Random"
import { EmulatorFault, fault } from "./fault.js"

/** What a call meets: nothing, a fault, or a dropped connection. @internal */
export type Injected = "none" | "drop" | EmulatorFault

/** @internal */
export const isFault = (injected: Injected): injected is EmulatorFault => injected instanceof EmulatorFault

/** @internal */
export const makeInjector = (random: Random.Random, faultRate: number): Effect.Effect<Injected> =>
  faultRate <= 0
    ? Effect.succeed("none")
    : Effect.gen(function*() {
      if ((yield* random.next) >= faultRate) return "none"
      switch (yield* random.nextIntBetween(0, 4)) {
        case 0:
          return fault(20023, "The number of calls in the past 20 seconds was greater than 100 (injected)")
        case 1:
          return fault(20024, "The number of concurrent calls was greater than 10 (injected)")
        case 2:
          return fault(20011, "API service failure (injected)")
        default:
          return "drop"
      }
    })
