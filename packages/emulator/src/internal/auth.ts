/**
 * The AuthenticationHeader check: the user, the HMAC-SHA1 signature of timestamp + user
 * under the key (compared in constant time), and the timestamp within the window. No
 * header, an unknown user or a wrong signature is 20014; a timestamp outside the window,
 * or unreadable, is 20016. Time comes from Clock.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { timingSafeEqual } from "node:crypto"
import { type EmulatorFault, fault } from "./fault.js"

/** Who may call, and how old a signature may be (0 for any age). @internal */
export interface Credentials {
  readonly userId: string
  readonly encryptionKey: Redacted.Redacted<string>
  readonly ttlMillis: number
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

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
 * Succeeds when the header is signed by the emulator's user and key, in time.
 *
 * @internal
 */
export const authenticate = (
  credentials: Credentials,
  header: Option.Option<Wire.AuthenticationHeaderInfo>
): Effect.Effect<void, EmulatorFault> =>
  Effect.gen(function*() {
    if (Option.isNone(header)) {
      return yield* Effect.fail(fault(20014, "Authentication failed: the request has no AuthenticationHeader"))
    }
    const { mktowsUserId, requestSignature, requestTimestamp } = header.value
    if (mktowsUserId !== credentials.userId) {
      return yield* Effect.fail(fault(20014, "Authentication failed: unknown mktowsUserId"))
    }
    const expected = yield* Signature.sign(credentials.encryptionKey, requestTimestamp, mktowsUserId)
    if (!sameText(expected, requestSignature.trim().toLowerCase())) {
      return yield* Effect.fail(fault(20014, "Authentication failed: the request signature does not match"))
    }
    yield* checkTime(requestTimestamp, credentials.ttlMillis)
  })
