/**
 * Stream positions of getMObjects. A position is base64url JSON `{ q, a, e }` (the query's
 * hash, the last id returned, and whether that page was the last) followed by an HMAC of it
 * under the emulator's secret: opaque to a client, stable while objects are added or
 * removed (pages follow ids, not offsets). A forged or edited position, or one sent with a
 * different query, is 20122; the position of the last page, sent again, is 20123.
 */
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import { type EmulatorFault, fault } from "./fault.js"

/** Where a page ended. @internal */
export interface Position {
  /** The hash of the query the position belongs to. */
  readonly q: string
  /** The last id returned. */
  readonly a: number
  /** True when that page was the last one. */
  readonly e: boolean
}

/**
 * A short hash of a getMObjects query without its position, so a position can only
 * continue the query it came from.
 *
 * @internal
 */
export const queryHash = (params: Wire.ParamsGetMObjects): string => {
  const { streamPosition: _, ...query } = params
  return createHash("sha256").update(JSON.stringify(query)).digest("base64url").slice(0, 16)
}

const mac = (secret: string, payload: string): string =>
  createHmac("sha256", secret).update(payload).digest("base64url")

/** @internal */
export const writePosition = (secret: string, position: Position): string => {
  const payload = Buffer.from(JSON.stringify(position)).toString("base64url")
  return `${payload}.${mac(secret, payload)}`
}

const isPosition = (u: unknown): u is Position =>
  typeof u === "object" && u !== null && "q" in u && "a" in u && "e" in u &&
  typeof u.q === "string" && typeof u.a === "number" && typeof u.e === "boolean"

const parse = (payload: string): unknown => {
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))
  } catch {
    return undefined
  }
}

/**
 * The position `token` stands for, checked against the query hash `q`.
 *
 * @internal
 */
export const readPosition = (secret: string, token: string, q: string): Either.Either<Position, EmulatorFault> => {
  const bad = (why: string) => Either.left(fault(20122, `Stream position is bad: ${why}`))
  const [payload, signature, ...rest] = token.trim().split(".")
  if (payload === undefined || signature === undefined || rest.length > 0) return bad("not a stream position")
  const expected = Buffer.from(mac(secret, payload))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return bad("not issued by this server, or modified")
  }
  const position = parse(payload)
  if (!isPosition(position)) return bad("not a stream position")
  if (position.q !== q) return bad("issued for a different query")
  if (position.e) {
    return Either.left(fault(20123, "Stream position indicates that no more records are available"))
  }
  return Either.right(position)
}
