import { describe, expect, it } from "@effect/vitest"
import * as Signature from "@mktows/core/Signature"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { makeAuthenticate } from "../src/internal/auth.js"

const userId = "demo17_1_809934544BFABAE58E5D27"
const encryptionKey = Redacted.make("27272727aa")
// ttl 0: any age, so the checks below are about the signature alone.
const authenticate = () => makeAuthenticate({ userId, encryptionKey, ttlMillis: 0 })

const stamp = (i: number) => Signature.formatTimestamp(Date.UTC(2026, 0, 1) + i * 1000)

const header = (requestTimestamp: string, requestSignature: string) =>
  Option.some({ mktowsUserId: userId, requestTimestamp, requestSignature })

const outcome = (effect: Effect.Effect<void, { readonly code: number }>) =>
  Effect.match(effect, { onFailure: (e) => e.code, onSuccess: () => "ok" as const })

describe("Emulator: authentication", () => {
  it.effect("accepts what core's Web Crypto signer signs, and refuses a wrong signature for a timestamp it knows", () =>
    Effect.gen(function*() {
      const check = authenticate()
      const at = stamp(0)
      const good = yield* Signature.sign(encryptionKey, at, userId)
      expect(yield* outcome(check(header(at, good)))).toBe("ok")
      expect(yield* outcome(check(header(at, ` ${good.toUpperCase()} `)))).toBe("ok")
      // The second look at one timestamp is answered from what the first computed.
      const wrong = (good[0] === "0" ? "1" : "0") + good.slice(1)
      expect(yield* outcome(check(header(at, wrong)))).toBe(20014)
      expect(yield* outcome(check(header(at, good.slice(1))))).toBe(20014)
      expect(yield* outcome(check(header(at, "")))).toBe(20014)
      expect(yield* outcome(check(Option.none()))).toBe(20014)
    }))

  it.effect("stays right for timestamps beyond those it keeps, old and new", () =>
    Effect.gen(function*() {
      const check = authenticate()
      const signatures = yield* Effect.forEach(
        Array.from({ length: 150 }, (_, i) => stamp(i)),
        (at) => Signature.sign(encryptionKey, at, userId)
      )
      for (const round of [0, 1]) {
        for (const [i, signature] of signatures.entries()) {
          expect(yield* outcome(check(header(stamp(i), signature)))).toBe("ok")
          // Another timestamp's signature never passes, known or not.
          const other = signatures[(i + 1 + round) % signatures.length] ?? ""
          expect(yield* outcome(check(header(stamp(i), other)))).toBe(20014)
        }
      }
    }))
})
