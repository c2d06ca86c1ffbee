/**
 * The statuses of a sync or delete paired with the objects sent, and the outcomes of a chunk
 * whose call failed: what every object of a chunk becomes.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { CallError } from "../MarketoError.js"
import { ProtocolError } from "../MarketoError.js"
import type { Outcome } from "../Outcome.js"
import type * as Wire from "../Wire.js"

/** The status-returning operations, and what each needs besides the objects. */
export type StatusRequest =
  | { readonly operation: "syncMObjects"; readonly sync: Wire.SyncOperation }
  | { readonly operation: "deleteMObjects" }

export interface Slice<A> {
  /** Index of the chunk's first object in the caller's input. */
  readonly start: number
  readonly items: ReadonlyArray<A>
}

export const chunked = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<Slice<A>> => {
  const out: Array<Slice<A>> = []
  for (let start = 0; start < items.length; start += size) out.push({ start, items: items.slice(start, start + size) })
  return out
}

const range = (chunk: Slice<unknown>): string => `objects[${chunk.start}..${chunk.start + chunk.items.length - 1}]`

const sameKey = (a: Wire.Attrib, b: Wire.Attrib): boolean =>
  a.value === b.value && a.name.toLowerCase() === b.name.toLowerCase()

/**
 * Why a status cannot be the answer for the object sent at its position, if it cannot: an id
 * other than the object's, or (for an object without id) another external key.
 */
const identityMismatch = (sent: Wire.MObject, status: Wire.MObjStatus): string | undefined => {
  // Marketo answers id 0 for an object it did not store: that names no object.
  if (sent.id !== undefined && status.id > 0 && status.id !== sent.id) return `id ${status.id} for id ${sent.id}`
  if (sent.id === undefined && sent.externalKey !== undefined && status.externalKey !== undefined) {
    return sameKey(sent.externalKey, status.externalKey)
      ? undefined
      : `externalKey ${status.externalKey.name}=${
        JSON.stringify(status.externalKey.value)
      } for ${sent.externalKey.name}=${JSON.stringify(sent.externalKey.value)}`
  }
  return undefined
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const toOutcome = <A>(index: number, input: A, status: Wire.MObjStatus): Outcome<A> => {
  // Built by assignment, not by conditional spreads: this runs for every object synced, and
  // spreads of small objects are far slower in V8.
  const outcome: Mutable<Outcome<A>> = { index, input, status: status.status }
  // Marketo answers id 0 for an object it did not store; that is no id.
  if (status.id > 0) outcome.id = status.id
  if (status.externalKey !== undefined) outcome.externalKey = status.externalKey
  if (status.error !== undefined) outcome.error = status.error
  return outcome
}

/**
 * The statuses of a sync or delete paired with the objects sent, by position, and checked:
 * the same count, and each status naming the object at its position where it names one. A
 * pairing that does not hold is never guessed: it is a ProtocolError.
 */
export const pair = <A>(
  operation: StatusRequest["operation"],
  chunk: Slice<A>,
  sent: ReadonlyArray<Wire.MObject>,
  statuses: ReadonlyArray<Wire.MObjStatus>
): Either.Either<ReadonlyArray<Outcome<A>>, ProtocolError> => {
  if (statuses.length !== chunk.items.length) {
    return Either.left(
      new ProtocolError({
        reason: "CountMismatch",
        detail: `${operation} sent ${chunk.items.length} object(s) (${
          range(chunk)
        }) and received ${statuses.length} status(es)`,
        received: `${statuses.length} mObjStatus`
      })
    )
  }
  const outcomes: Array<Outcome<A>> = []
  for (let i = 0; i < statuses.length; i++) {
    const status = statuses[i] as Wire.MObjStatus
    const object = sent[i]
    const mismatch = object === undefined ? undefined : identityMismatch(object, status)
    if (mismatch !== undefined) {
      return Either.left(
        new ProtocolError({
          reason: "IdentityMismatch",
          detail: `${operation}: status ${i} of ${range(chunk)} names another object than objects[${
            chunk.start + i
          }]: ${mismatch}`,
          received: `mObjStatus ${i}: ${mismatch}`.slice(0, 200)
        })
      )
    }
    outcomes.push(toOutcome(chunk.start + i, chunk.items[i] as A, status))
  }
  return Either.right(outcomes)
}

export const inDoubt = <A>(
  chunk: Slice<A>,
  error: CallError,
  repeatable: boolean
): ReadonlyArray<Outcome<A>> => {
  const unknown = error._tag === "MarketoFault"
    ? "Marketo's internal error does not say whether it applied this object"
    : "no answer came, so it is unknown whether Marketo applied this object"
  const why = repeatable
    ? `${error.message}; ${unknown}, after the last retry`
    : `${error.message}; the request may have reached Marketo, and it is not repeated because it could create duplicates (INSERT, or UPSERT without ids): check before re-sending`
  return chunk.items.map((input, i) => ({ index: chunk.start + i, input, status: "IN_DOUBT", error: why }))
}

/** The outcomes of a chunk whose call failed for good with an answer (or was not sent). */
export const failedChunk = <A>(chunk: Slice<A>, error: CallError, sent: boolean): ReadonlyArray<Outcome<A>> => {
  // A response we could not read may still mean Marketo applied the call.
  const status = error._tag === "ProtocolError" ? "IN_DOUBT" : "FAILED"
  const why = sent ? error.message : `not sent, because an earlier call failed: ${error.message}`
  return chunk.items.map((input, i) => ({ index: chunk.start + i, input, status, error: why }))
}
