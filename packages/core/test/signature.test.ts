import { describe, expect, it, vi } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Signature from "../src/Signature.js"
import * as Wire from "../src/Wire.js"
import { demoKey, demoUserId } from "./helpers/demo.js"

const demoUser = demoUserId

// Marketo's documented requests, signed with its published demo key.
const documented = [
  { timestamp: "2013-08-05T14:22:45-07:00", signature: "40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7" },
  { timestamp: "2013-08-05T13:03:58-07:00", signature: "3f1becf66fac77423fa7af0710f710f9adefb3fc" }
]

const referenceVectors = fileURLToPath(
  new URL("../../../../shared/reference/marketo/signature-test-vectors.txt", import.meta.url)
)

describe("Signature", () => {
  for (const vector of documented) {
    it.effect(`signs ${vector.timestamp} as documented`, () =>
      Effect.gen(function*() {
        expect(yield* Signature.sign(demoKey, vector.timestamp, demoUser)).toBe(vector.signature)
      }))
  }

  it.effect.skipIf(!existsSync(referenceVectors))(
    "reproduces every vector of the reference file",
    () =>
      Effect.gen(function*() {
        const rows = readFileSync(referenceVectors, "utf8").split("\n")
          .map((line) => line.split("|").map((cell) => cell.trim()))
          .filter((cells) => cells.length === 4 && /^[0-9a-f]{40}$/.test(cells[3]!))
        expect(rows.length).toBeGreaterThan(0)
        for (const [, user, timestamp, signature] of rows) {
          expect(yield* Signature.sign(demoKey, timestamp!, user!)).toBe(signature)
        }
      })
  )

  it.effect("a different key or user gives a different signature", () =>
    Effect.gen(function*() {
      const base = yield* Signature.sign(demoKey, documented[0]!.timestamp, demoUser)
      expect(yield* Signature.sign(Redacted.make("27272727ab"), documented[0]!.timestamp, demoUser)).not.toBe(base)
      expect(yield* Signature.sign(demoKey, documented[0]!.timestamp, demoUser + "x")).not.toBe(base)
    }))

  it.effect("timestamps the header from Clock, in UTC by default", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2013, 7, 5, 21, 22, 45, 987))
      const header = yield* Signature.authenticationHeader({ userId: demoUser, encryptionKey: demoKey })
      expect(header.requestTimestamp).toBe("2013-08-05T21:22:45+00:00")
      expect(header.mktowsUserId).toBe(demoUser)
      expect(header.requestSignature).toBe(yield* Signature.sign(demoKey, header.requestTimestamp, demoUser))
    }))

  it.effect("writes a non-UTC offset and reproduces the documented signature", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2013, 7, 5, 21, 22, 45))
      const header = yield* Signature.authenticationHeader({
        userId: demoUser,
        encryptionKey: demoKey,
        timeZone: DateTime.zoneUnsafeMakeNamed("America/Los_Angeles")
      })
      expect(header.requestTimestamp).toBe("2013-08-05T14:22:45-07:00")
      expect(header.requestSignature).toBe("40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7")
    }))

  it.effect("signs afresh when the clock moves", () =>
    Effect.gen(function*() {
      const credentials = {
        userId: demoUser,
        encryptionKey: demoKey,
        timeZone: DateTime.zoneMakeOffset(5.5 * 3600_000)
      }
      const first = yield* Signature.authenticationHeader(credentials)
      yield* TestClock.adjust("1 second")
      const second = yield* Signature.authenticationHeader(credentials)
      expect(first.requestTimestamp).toBe("1970-01-01T05:30:00+05:30")
      expect(second.requestTimestamp).toBe("1970-01-01T05:30:01+05:30")
      expect(second.requestSignature).not.toBe(first.requestSignature)
    }))

  it.prop(
    "formatTimestamp and parseTimestamp agree to the second in any whole-minute offset",
    // Instants from the Wire's own xs:dateTime arbitrary, with a sub-second part added.
    [
      Arbitrary.make(Wire.XsDateTime),
      FastCheck.integer({ min: 0, max: 999 }),
      FastCheck.integer({ min: -14 * 60, max: 14 * 60 })
    ],
    ([instant, subsecond, offsetMinutes]) => {
      const millis = Date.parse(instant) + subsecond
      const text = Signature.formatTimestamp(millis, DateTime.zoneMakeOffset(offsetMinutes * 60_000))
      expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/)
      expect(Signature.parseTimestamp(text)).toBe(Math.floor(millis / 1000) * 1000)
    }
  )

  it("rejects timestamps that are not W3C with an offset", () => {
    expect(Signature.parseTimestamp("2013-08-05 14:22:45")).toBeUndefined()
    expect(Signature.parseTimestamp("2013-08-05T14:22:45")).toBeUndefined()
    expect(Signature.parseTimestamp("yesterday")).toBeUndefined()
    expect(Signature.parseTimestamp("2013-08-05T14:22:45Z")).toBe(Date.UTC(2013, 7, 5, 14, 22, 45))
  })

  it.effect("a signer imports the key once and signs each header afresh, as authenticationHeader does", () =>
    Effect.gen(function*() {
      // Imports are counted for a key no other test uses: fibers another file left running in
      // this worker may sign with theirs meanwhile.
      const keyText = "signer-test-key-5f1c"
      const imports = vi.spyOn(globalThis.crypto.subtle, "importKey")
      const importsOfKey = () =>
        imports.mock.calls.filter(([, data]) =>
          ArrayBuffer.isView(data) && Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString() === keyText
        ).length
      try {
        const credentials = { userId: demoUser, encryptionKey: Redacted.make(keyText) }
        const header = yield* Signature.signer(credentials)
        expect(importsOfKey()).toBe(0)
        const headers = []
        for (const instant of ["2013-08-05T21:22:45Z", "2013-08-05T21:22:46Z", "2013-08-05T21:24:15Z"]) {
          yield* TestClock.setTime(Date.parse(instant))
          const made = yield* header
          expect(made).toEqual(yield* Signature.authenticationHeader(credentials))
          headers.push(made)
        }
        // One import for the signer; one per header for the reference authenticationHeader.
        expect(importsOfKey()).toBe(1 + headers.length)
        expect(new Set(headers.map((h) => h.requestSignature)).size).toBe(3)
      } finally {
        imports.mockRestore()
      }
    }))

  it.effect.prop(
    "a signer's header is always the one of the current second, and it signs once per second it sees",
    // Steps of the clock from 0 to 2.5 s: many land in the same second as the one before.
    [FastCheck.array(FastCheck.integer({ min: 0, max: 2_500 }), { minLength: 1, maxLength: 40 })],
    ([steps]) =>
      Effect.gen(function*() {
        // A user id no other test uses, so this test counts only its own HMACs.
        const userId = "signer-second-test-user-9b2e"
        const signs = vi.spyOn(globalThis.crypto.subtle, "sign")
        const signsOfUser = () =>
          signs.mock.calls.filter(([, , data]) =>
            ArrayBuffer.isView(data) &&
            Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString().endsWith(userId)
          ).length
        try {
          const credentials = { userId, encryptionKey: demoKey }
          const header = yield* Signature.signer(credentials)
          const seconds = new Set<number>()
          let signerSigns = 0
          for (const step of steps) {
            yield* TestClock.adjust(step)
            const before = signsOfUser()
            const made = yield* header
            signerSigns += signsOfUser() - before
            seconds.add(Math.floor((yield* Clock.currentTimeMillis) / 1000))
            // The reference signs afresh; the signer's (maybe kept) header must equal it.
            expect(made).toEqual(yield* Signature.authenticationHeader(credentials))
          }
          // The clock only moves forward, so each second it sees is one run of calls.
          expect(signerSigns).toBe(seconds.size)
        } finally {
          signs.mockRestore()
        }
      }),
    { fastCheck: { numRuns: 40 } }
  )
})
