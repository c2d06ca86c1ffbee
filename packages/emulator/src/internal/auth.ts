/**
 * The AuthenticationHeader check: the user, the HMAC-SHA1 signature of timestamp + user
 * under the key (compared in constant time), and the timestamp within the window. No
 * header, an unknown user or a wrong signature is 20014; a timestamp outside the window,
 * or unreadable, is 20016. Time comes from Clock.
 *
 * The emulator runs on Node only, so it signs with node:crypto (a synchronous HMAC, far
 * cheaper per call than Web Crypto's key import and sign), and it keeps the signatures of
 * the last few timestamps it saw: a client signs at most once a second and sends many calls
 * under one signature, so most calls cost one lookup and one constant-time compare.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createHmac, timingSafeEqual } from "node:crypto"
import { type EmulatorFault, fault } from "./fault.js"

/** Who may call, and how old a signature may be (0 for any age). @internal */
export interface Credentials {
  readonly userId: string
  readonly encryptionKey: Redacted.Redacted<string>
  readonly ttlMillis: number
}

/** Checks one request's header. @internal */
export type Authenticate = (header: Option.Option<Wire.AuthenticationHeaderInfo>) => Effect.Effect<void, EmulatorFault>

// Timestamps whose expected signature is kept: enough for many clients signing each second.
const rememberedTimestamps = 64

const checkTime = (requestTimestamp: string, ttlMillis: number): Effect.Effect<void, EmulatorFault> =>
  ttlMillis <= 0 ? Effect.void : Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const stamp = Signature.parseTimestamp(requestTimestamp.trim())
    if (stamp === undefined) {
      return Effect.fail(fault(20016, "Request Expired: requestTimestamp is not a W3C timestamp"))
    }
    return Math.abs(now - stamp) > ttlMillis
      ? Effect.fail(
        fault(20016, `Request signature is too old: the timestamp is more than ${ttlMillis / 1000} s from now`)
      )
      : Effect.void
  })

/**
 * The header check for one emulator's credentials: succeeds when a header is signed by its
 * user and key, in time.
 *
 * @internal
 */
export const makeAuthenticate = (credentials: Credentials): Authenticate => {
  // Local to this emulator: expected signatures (hex, as bytes) by timestamp, oldest first.
  const expected = new Map<string, Buffer>()
  const expectedFor = (requestTimestamp: string): Buffer => {
    const known = expected.get(requestTimestamp)
    if (known !== undefined) return known
    const signature = Buffer.from(
      createHmac("sha1", Redacted.value(credentials.encryptionKey))
        .update(requestTimestamp + credentials.userId)
        .digest("hex"),
      "latin1"
    )
    if (expected.size >= rememberedTimestamps) expected.delete(expected.keys().next().value ?? "")
    expected.set(requestTimestamp, signature)
    return signature
  }
  return (header) => {
    if (Option.isNone(header)) {
      return Effect.fail(fault(20014, "Authentication failed: the request has no AuthenticationHeader"))
    }
    const { mktowsUserId, requestSignature, requestTimestamp } = header.value
    if (mktowsUserId !== credentials.userId) {
      return Effect.fail(fault(20014, "Authentication failed: unknown mktowsUserId"))
    }
    const given = Buffer.from(requestSignature.trim().toLowerCase())
    const wanted = expectedFor(requestTimestamp)
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return Effect.fail(fault(20014, "Authentication failed: the request signature does not match"))
    }
    return checkTime(requestTimestamp, credentials.ttlMillis)
  }
}
