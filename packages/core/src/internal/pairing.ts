/**
 * The statuses of a sync or delete paired with the objects sent, and the outcomes of a chunk
 * whose call failed: what every object of a chunk becomes.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { Mutable } from "effect/Types"
import type { CallError } from "../MarketoError.js"
import { ProtocolError, quote } from "../MarketoError.js"
import type { Outcome } from "../Outcome.js"
import type * as Wire from "../Wire.js"

/** The status-returning operations, and what each needs besides the objects. */
export type StatusRequest =
  | { readonly operation: "syncMObjects"; readonly sync: Wire.SyncOperation }
  | { readonly operation: "deleteMObjects" }

/** What names an object sent, all the pairing reads of it: a wire record, or a model's identity. */
export interface Sent {
  readonly id?: number
  readonly externalKey?: Wire.Attrib
}

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

// The same names are compared without lower-casing them (two strings made per object paired).
const sameKey = (a: Wire.Attrib, b: Wire.Attrib): boolean =>
  a === b || (a.value === b.value && (a.name === b.name || a.name.toLowerCase() === b.name.toLowerCase()))

const showKey = (key: Wire.Attrib): string => `${key.name}=${JSON.stringify(key.value)}`

/** How a status names the object sent at its position. */
type Identity =
  /** As sent (or not at all: Marketo answers id 0 for an object it did not store). */
  | { readonly _tag: "Same" }
  /** Created under a new id, though sent with one (which named no stored object). */
  | { readonly _tag: "NewId" }
  /** As another object: its status cannot be this object's. */
  | { readonly _tag: "Other"; readonly why: string }

const same: Identity = { _tag: "Same" }
const newId: Identity = { _tag: "NewId" }

/**
 * Only an operation that may create can give an object a new id: an INSERT or UPSERT of an
 * object whose id names no stored object creates it under an id of Marketo's choosing.
 */
const mayCreate = (request: StatusRequest): boolean => request.operation === "syncMObjects" && request.sync !== "UPDATE"

const identify = (request: StatusRequest, sent: Sent, status: Wire.MObjStatus): Identity => {
  // An external key the status echoes must be the one sent, whatever the ids say.
  const keyMismatch = sent.externalKey !== undefined && status.externalKey !== undefined &&
      !sameKey(sent.externalKey, status.externalKey)
    ? `it names ${showKey(status.externalKey)}, sent as ${showKey(sent.externalKey)}`
    : undefined
  // Marketo answers id 0 for an object it did not store: that names no object.
  if (sent.id !== undefined && status.id > 0 && status.id !== sent.id) {
    if (keyMismatch !== undefined) return { _tag: "Other", why: keyMismatch }
    return status.status === "CREATED" && mayCreate(request)
      ? newId
      : {
        _tag: "Other",
        why: `it names id ${status.id} (${status.status}), sent as id ${sent.id}${
          status.status === "CREATED"
            ? `, and ${request.operation === "syncMObjects" ? "UPDATE" : "a delete"} never creates`
            : ""
        }`
      }
  }
  // Without an id, the external key is what names the object.
  return sent.id === undefined && keyMismatch !== undefined ? { _tag: "Other", why: keyMismatch } : same
}

const toOutcome = <A>(index: number, input: A, status: Wire.MObjStatus): Mutable<Outcome<A>> => {
  // The usual outcome over REST (no id, the key sent, no error) as one literal: its fields in
  // the object itself, not added one by one into a store that grows. This runs for every object synced.
  if (status.id <= 0 && status.externalKey !== undefined && status.error === undefined) {
    return { index, input, status: status.status, externalKey: status.externalKey }
  }
  // Built by assignment, not by conditional spreads: spreads of small objects are far slower in V8.
  const outcome: Mutable<Outcome<A>> = { index, input, status: status.status }
  // Marketo answers id 0 for an object it did not store; that is no id.
  if (status.id > 0) outcome.id = status.id
  if (status.externalKey !== undefined) outcome.externalKey = status.externalKey
  // A server's text is quoted with the one bound: 300 outcomes of a 2 MiB message are no 600 MB report.
  if (status.error !== undefined) outcome.error = quote(status.error)
  return outcome
}

/** The note on an object Marketo created under a new id, for the caller to record that id. */
export const createdUnderNewId = (sentId: number, id: number): string =>
  `Marketo created this object under the new id ${id}: the id ${sentId} it was sent with named no stored object`

/**
 * The statuses of a sync or delete paired with the objects sent, by position, and checked:
 * the same count, and each status naming the object at its position where it names one. A
 * CREATED status with a new id, under INSERT or UPSERT, is the object's own: Marketo
 * created it under that id (the id it was sent with named no stored object), and its outcome
 * says so. A pairing that does not hold is never guessed: it is an IdentityMismatch
 * ProtocolError, and the chunk's objects become IN_DOUBT.
 */
export const pair = <A>(
  request: StatusRequest,
  chunk: Slice<A>,
  sent: ReadonlyArray<Sent>,
  statuses: ReadonlyArray<Wire.MObjStatus>
): Either.Either<ReadonlyArray<Outcome<A>>, ProtocolError> => {
  const operation = request.operation
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
  // The ids sent, made only when a status gives a new id (rare).
  let sentIds: ReadonlySet<number | undefined> | undefined
  for (let i = 0; i < statuses.length; i++) {
    const status = statuses[i] as Wire.MObjStatus
    const object = sent[i]
    let identity = object === undefined ? same : identify(request, object, status)
    // A "new" id that another object of the call was sent with is that object's, not new.
    if (identity._tag === "NewId" && (sentIds ??= new Set(sent.map((o) => o.id))).has(status.id)) {
      identity = { _tag: "Other", why: `it names id ${status.id}, the id another object of this call was sent with` }
    }
    if (identity._tag === "Other") {
      const at = `objects[${chunk.start + i}]`
      return Either.left(
        new ProtocolError({
          reason: "IdentityMismatch",
          detail: `Marketo's answer to ${operation} of ${
            range(chunk)
          } does not match what was sent: its status ${i} cannot be ${at}'s (${identity.why}), so no status of this call can be trusted to be its object's`,
          received: `mObjStatus ${i}: ${identity.why}`.slice(0, 200)
        })
      )
    }
    const outcome = toOutcome(chunk.start + i, chunk.items[i] as A, status)
    if (identity._tag === "NewId" && object?.id !== undefined) {
      const note = createdUnderNewId(object.id, status.id)
      outcome.error = status.error === undefined ? note : `${note}; Marketo said: ${status.error}`
    }
    outcomes.push(outcome)
  }
  return Either.right(outcomes)
}

export const inDoubt = <A>(
  chunk: Slice<A>,
  error: CallError,
  notRepeated: string | undefined
): ReadonlyArray<Outcome<A>> => {
  const unknown = error._tag === "MarketoFault"
    ? "Marketo's internal error does not say whether it applied this object"
    : "no answer came, so it is unknown whether Marketo applied this object"
  const why = notRepeated === undefined
    ? `${error.message}; ${unknown}, after the last retry`
    : `${error.message}; the request may have reached Marketo, and it is not repeated because ${notRepeated}: check before re-sending`
  return chunk.items.map((input, i) => ({ index: chunk.start + i, input, status: "IN_DOUBT", error: why }))
}

/** The outcomes of a chunk whose call failed for good with an answer (or was not sent). */
export const failedChunk = <A>(chunk: Slice<A>, error: CallError, sent: boolean): ReadonlyArray<Outcome<A>> => {
  // A response we could not read may still mean Marketo applied the call.
  const status = error._tag === "ProtocolError" ? "IN_DOUBT" : "FAILED"
  const why = !sent
    ? `not sent, because an earlier call failed: ${error.message}`
    : status === "IN_DOUBT"
    ? `${error.message}; Marketo may have applied this object: read it back before re-sending`
    : error.message
  return chunk.items.map((input, i) => ({ index: chunk.start + i, input, status, error: why }))
}
