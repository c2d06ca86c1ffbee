/**
 * Request signing: Marketo's `AuthenticationHeader`.
 *
 * The signature is the lowercase hex HMAC-SHA1, keyed with the encryption key's bytes, of
 * the request timestamp followed by the user id. The timestamp is W3C format with seconds
 * and a numeric offset (`2013-08-05T14:22:45-07:00`), signed exactly as sent. It runs on
 * Web Crypto, so it works wherever Effect does, and reads time from `Clock` so tests can
 * drive it with `TestClock`.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { AuthenticationHeaderInfo } from "./Wire.js"

/**
 * What signing needs: who calls, with which key, and in which time zone to write the timestamp.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly userId: string
  readonly encryptionKey: Redacted.Redacted<string>
  /** Zone of the written timestamp; UTC (`+00:00`) when absent. */
  readonly timeZone?: DateTime.TimeZone
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

/**
 * Writes an instant as `YYYY-MM-DDThh:mm:ss±hh:mm` in the given zone (seconds precision,
 * numeric offset with a colon: the shape of every Marketo sample; never `Z`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatTimestamp = (
  epochMillis: number,
  timeZone: DateTime.TimeZone = DateTime.zoneMakeOffset(0)
): string => {
  const seconds = Math.floor(epochMillis / 1000) * 1000
  const zoned = DateTime.unsafeMakeZoned(seconds, { timeZone })
  // Whole minutes: historic offsets with seconds cannot be written as ±hh:mm.
  const offsetMinutes = Math.trunc(DateTime.zonedOffset(zoned) / 60_000)
  const local = new Date(seconds + offsetMinutes * 60_000)
  const sign = offsetMinutes < 0 ? "-" : "+"
  const abs = Math.abs(offsetMinutes)
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${
    pad(local.getUTCHours())
  }:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

const encoder = new TextEncoder()

const toHex = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("")

const importKey = (encryptionKey: Redacted.Redacted<string>): Effect.Effect<CryptoKey> =>
  Effect.promise(() =>
    globalThis.crypto.subtle.importKey(
      "raw",
      encoder.encode(Redacted.value(encryptionKey)),
      { name: "HMAC", hash: "SHA-1" },
      false,
      ["sign"]
    )
  )

const signWith = (key: CryptoKey, requestTimestamp: string, userId: string): Effect.Effect<string> =>
  Effect.promise(async () =>
    toHex(await globalThis.crypto.subtle.sign("HMAC", key, encoder.encode(requestTimestamp + userId)))
  )

/**
 * The request signature for a timestamp and user id.
 *
 * @since 0.1.0
 * @category signing
 */
export const sign = (
  encryptionKey: Redacted.Redacted<string>,
  requestTimestamp: string,
  userId: string
): Effect.Effect<string> => Effect.flatMap(importKey(encryptionKey), (key) => signWith(key, requestTimestamp, userId))

const headerAt = (
  credentials: Credentials,
  key: Effect.Effect<CryptoKey>,
  now: number
): Effect.Effect<AuthenticationHeaderInfo> =>
  Effect.gen(function*() {
    const requestTimestamp = formatTimestamp(now, credentials.timeZone)
    const requestSignature = yield* signWith(yield* key, requestTimestamp, credentials.userId)
    return { mktowsUserId: credentials.userId, requestSignature, requestTimestamp }
  })

/**
 * A freshly signed header, timestamped now by `Clock`. It imports the key for this one
 * header; a caller that signs many uses {@link signer}.
 *
 * @since 0.1.0
 * @category signing
 */
export const authenticationHeader = (credentials: Credentials): Effect.Effect<AuthenticationHeaderInfo> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => headerAt(credentials, importKey(credentials.encryptionKey), now))

/**
 * A signer for one set of credentials: an Effect that makes a freshly signed header each
 * time it runs (timestamped now by `Clock`), the Web Crypto key imported once, on first use,
 * and kept for every later header.
 *
 * A header depends only on the second it is made in (the timestamp has seconds precision),
 * so the signer keeps the last one it made and hands it out again within the same second:
 * the header is the one it would have computed, without another HMAC. On a busy client
 * that is one Web Crypto call a second instead of one a request (each costs a round trip
 * to the platform's crypto, far more than the rest of signing).
 *
 * @since 0.1.0
 * @category signing
 */
export const signer = (credentials: Credentials): Effect.Effect<Effect.Effect<AuthenticationHeaderInfo>> =>
  Effect.map(Effect.cached(importKey(credentials.encryptionKey)), (key) => {
    // This signer's own last header, with the second it was made for; fibers racing in a
    // new second may each compute it, and each gets the same, correct header.
    let last: { readonly second: number; readonly header: AuthenticationHeaderInfo } | undefined
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const second = Math.floor(now / 1000)
      if (last !== undefined && last.second === second) return Effect.succeed(last.header)
      return Effect.map(headerAt(credentials, key, now), (header) => {
        last = { second, header }
        return header
      })
    })
  })

/**
 * Reads a W3C timestamp with a numeric offset (or `Z`), as a server checking a request
 * would; `undefined` when it is not one.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseTimestamp = (text: string): number | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text)
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s, , z, sign, oh, om] = match
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (Number.isNaN(utc)) return undefined
  const offset = z === "Z" ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om))
  return utc - offset * 60_000
}
