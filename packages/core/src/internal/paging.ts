/**
 * getMObjects page by page, guarded against stream positions that do not move forward.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Limits from "../Limits.js"
import type { Page } from "../MarketoClient.js"
import type { CallError } from "../MarketoError.js"
import { ProtocolError, quote } from "../MarketoError.js"
import type * as Wire from "../Wire.js"
import { call, type Runtime } from "./call.js"
import * as Retry from "./retry.js"

/**
 * A 53-bit hash of a stream position (cyrb53): the positions of one read are remembered by
 * hash, so a read of any length costs a few bytes per page, and two positions collide with a
 * chance near n² / 2⁵⁴ (about 10⁻⁸ for 10,000 pages).
 */
const positionHash = (text: string): number => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}

const positionCycle = (detail: string, position: string): ProtocolError =>
  new ProtocolError({ reason: "PositionCycle", detail, received: `newStreamPosition "${position.slice(0, 80)}"` })

const tooLong = (detail: string, position: string): ProtocolError =>
  new ProtocolError({
    reason: "TooLarge",
    detail,
    received: `newStreamPosition "${position.slice(0, 80)}…" (${position.length} characters)`
  })

// Keys compared as Marketo may match them: its lookups are not documented as case-sensitive.
const sameKey = (a: string, b: string): boolean => a === b || a.trim().toLowerCase() === b.trim().toLowerCase()

/**
 * Why `wire` cannot be an answer to a read of `params`: another id or external key than the one
 * asked for (a read-back that took another object for the one it looked for would report it
 * created). Undefined when it can be. (Another type is the decode's `ModelMapping`.)
 */
const notAsked = (params: Omit<Wire.ParamsGetMObjects, "streamPosition">, wire: Wire.MObject): string | undefined => {
  if (params.id !== undefined && wire.id !== undefined && wire.id !== params.id) {
    return `id ${wire.id} in a read of id ${params.id}`
  }
  const asked = params.externalKey
  // Compared when the answer names the object by the same key (REST names an opportunity read
  // by its marketoGUID by its externalOpportunityId, when it has one).
  const got = wire.externalKey
  if (asked !== undefined && got !== undefined && sameKey(got.name, asked.name) && !sameKey(got.value, asked.value)) {
    return `external key ${got.name}=${got.value} in a read of ${asked.name}=${asked.value}`
  }
  return undefined
}

/**
 * getMObjects page by page, following `hasMore` and `newStreamPosition`. A position that
 * does not move forward (empty, the same, or one this read already followed: A, B, A, …)
 * would read the same pages forever: it ends the read with ProtocolError `PositionCycle`.
 * A position that is new on every page is bounded too, the same over every transport: a read
 * follows at most `Limits.maxPagesPerRead` pages, `Limits.maxEmptyPagesInRow` empty pages in
 * a row that say there is more, and positions of at most `Limits.maxStreamPositionChars`;
 * beyond, it ends with ProtocolError `TooLarge` (or `PositionCycle` for the empty pages). An
 * object of another id or external key than the one asked for ends it with ProtocolError
 * `IdentityMismatch`.
 */
export const pages = <B, DE>(
  rt: Runtime,
  params: Omit<Wire.ParamsGetMObjects, "streamPosition">,
  streamPosition: string | undefined,
  decode: (wire: Wire.MObject) => Either.Either<B, DE>
): Stream.Stream<Page<B>, CallError | DE> =>
  Stream.unwrap(Effect.map(FiberRef.get(Limits.maxPagesPerRead), (maxPages) => {
    const seen = new Set<number>()
    let pagesRead = 0
    let emptyInRow = 0
    if (streamPosition !== undefined) seen.add(positionHash(streamPosition))
    const next = (
      position: string | undefined
    ): Effect.Effect<readonly [Page<B>, Option.Option<string | undefined>], CallError | DE> =>
      call(rt, "getMObjects", position === undefined ? params : { ...params, streamPosition: position }, {
        count: 0,
        repeatable: true
      }).pipe(
        // Resuming from the position after the last page, Marketo answers 20123 "Stream
        // at End": nothing more to read, not a failure.
        Effect.catchIf(Retry.isStreamAtEnd, () => Effect.succeed(undefined)),
        Effect.flatMap(
          (result): Effect.Effect<readonly [Page<B>, Option.Option<string | undefined>], ProtocolError | DE> => {
            if (result === undefined) {
              return Effect.succeed(
                [{ objects: [], streamPosition: position ?? "", hasMore: false }, Option.none()] as const
              )
            }
            const moved = result.newStreamPosition
            pagesRead++
            emptyInRow = (result.mObjectList ?? []).length === 0 ? emptyInRow + 1 : 0
            if (result.hasMore) {
              if (moved.length > Limits.maxStreamPositionChars) {
                return Effect.fail(
                  tooLong(
                    `getMObjects answered a stream position longer than ${Limits.maxStreamPositionChars} characters`,
                    moved
                  )
                )
              }
              if (pagesRead >= maxPages) {
                return Effect.fail(
                  tooLong(
                    `getMObjects still answered hasMore=true after ${pagesRead} page(s), the most one read follows`,
                    moved
                  )
                )
              }
              if (emptyInRow >= Limits.maxEmptyPagesInRow) {
                return Effect.fail(
                  positionCycle(`getMObjects answered ${emptyInRow} empty pages in a row with hasMore=true`, moved)
                )
              }
              if (moved === "" || moved === position) {
                return Effect.fail(
                  positionCycle("getMObjects answered hasMore=true without a new stream position", moved)
                )
              }
              const hash = positionHash(moved)
              if (seen.has(hash)) {
                return Effect.fail(
                  positionCycle(
                    `getMObjects answered hasMore=true with a stream position this read already followed (after ${seen.size} page(s))`,
                    moved
                  )
                )
              }
              seen.add(hash)
            }
            // A plain loop over the page, not an Effect per object: it runs for every object read.
            const wires = result.mObjectList ?? []
            const decoded: Array<B> = []
            for (const wire of wires) {
              const unasked = notAsked(params, wire)
              if (unasked !== undefined) {
                return Effect.fail(
                  new ProtocolError({
                    reason: "IdentityMismatch",
                    detail: `getMObjects answered ${quote(unasked, 300)}`,
                    received: ""
                  })
                )
              }
              const object = decode(wire)
              if (Either.isLeft(object)) return Effect.fail(object.left)
              decoded.push(object.right)
            }
            return Effect.succeed(
              [
                { objects: decoded, streamPosition: moved, hasMore: result.hasMore },
                result.hasMore ? Option.some(moved) : Option.none()
              ] as const
            )
          }
        )
      )
    return Stream.paginateEffect(streamPosition, next)
  }))
