/**
 * The calls the emulator received, in order, for `GET /emulator/calls`: protocol,
 * operation, the objects sent and the outcome. Nothing secret is kept: a SOAP call's header
 * (user id, signature) and a REST call's token are never recorded. The newest
 * {@link maxRecorded} are kept; a reset clears them.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

/** @internal */
export const maxRecorded = 1000

/** How a call ended. @internal */
export type CallOutcome =
  | { readonly result: "answered"; readonly statuses?: ReadonlyArray<string> }
  | { readonly result: "refused"; readonly code: string; readonly message: string }
  | { readonly result: "dropped" }

/** @internal */
export interface CallRecord {
  readonly at: string
  readonly protocol: "soap" | "rest"
  readonly operation: string
  readonly objects: ReadonlyArray<unknown>
  readonly outcome: CallOutcome
}

/** @internal */
export interface CallLog {
  readonly record: (call: Omit<CallRecord, "at">) => Effect.Effect<void>
  readonly calls: Effect.Effect<ReadonlyArray<CallRecord>>
  readonly reset: Effect.Effect<void>
}

/** @internal */
export const makeCallLog: Effect.Effect<CallLog> = Effect.map(Ref.make<ReadonlyArray<CallRecord>>([]), (ref) => ({
  record: (call) =>
    Effect.flatMap(Clock.currentTimeMillis, (millis) =>
      Ref.update(ref, (calls) => {
        const next = [...calls, { at: new Date(millis).toISOString(), ...call }]
        return next.length > maxRecorded ? next.slice(next.length - maxRecorded) : next
      })),
  calls: Ref.get(ref),
  reset: Ref.set(ref, [])
}))
