/**
 * Hostile requests are refused early, with the right code, and change nothing: more than
 * 100 mObjects, an element with hundreds of thousands of attributes, millions of elements,
 * bodies over the cap. Outcomes only; how fast the emulator stays for other clients is
 * measured by `pnpm bench:emulator:hostile`, never asserted.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Limits from "@mktows/core/Limits"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Http from "node:http"
import * as Emulator from "../src/Emulator.js"
import { precheck, precheckBytes } from "../src/internal/precheck.js"
import { post } from "./helpers/soap.js"

const header = `<ns1:AuthenticationHeader><mktowsUserId>demo17_1_809934544BFABAE58E5D27</mktowsUserId>` +
  `<requestSignature>40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7</requestSignature>` +
  `<requestTimestamp>2013-08-05T14:22:45-07:00</requestTimestamp></ns1:AuthenticationHeader>`

const envelope = (mObjects: string) =>
  `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:ns1="http://www.marketo.com/mktows/"><SOAP-ENV:Header>${header}</SOAP-ENV:Header><SOAP-ENV:Body>` +
  `<ns1:paramsSyncMObjects><mObjectList>${mObjects}</mObjectList><operation>INSERT</operation>` +
  `</ns1:paramsSyncMObjects></SOAP-ENV:Body></SOAP-ENV:Envelope>`

const opportunity = (name: string, inside = "", attributes = "") =>
  `<mObject${attributes}><type>Opportunity</type><attribList><attrib><name>Name</name><value>${name}</value>` +
  `</attrib></attribList>${inside}</mObject>`

const code = (text: string) => Number(/<code>(\d+)<\/code>/.exec(text)?.[1])

describe("Emulator: hostile requests", () => {
  it.live("refuses each with its code and leaves the store unchanged", () =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* Emulator.make({ signatureTtl: 0 })
      const before = yield* emulator.objects
      const many = envelope(opportunity("x").repeat(60_000))
      const attributes = envelope(
        opportunity("x", "", Array.from({ length: 700_000 }, (_, i) => ` a${i}=""`).join(""))
      )
      const elements = envelope(opportunity("x", "<x/>".repeat(2_000_000)))
      const cases: ReadonlyArray<[string, string, number]> = [
        ["60,000 mObjects", many, 20110],
        ["101 mObjects", envelope(opportunity("x").repeat(Limits.maxObjectsPerCall + 1)), 20110],
        ["700,000 attributes", attributes, 20012],
        ["2,000,000 elements", elements, 20012],
        ["over the size cap", envelope(opportunity("x".repeat(Limits.maxMessageBytes))), 20012]
      ]
      for (const [name, body, expected] of cases) {
        const answer = yield* post(emulator.url, body)
        expect([name, answer.status, code(answer.text)]).toEqual([name, 500, expected])
      }
      expect(yield* emulator.objects).toEqual(before)
      // 100 objects is still a call.
      const hundred = yield* post(emulator.url, envelope(opportunity("ok").repeat(Limits.maxObjectsPerCall)))
      expect(hundred.status).toBe(200)
    })), 120_000)
})

describe("precheck", () => {
  // The text and the bytes of a body give the same verdict.
  const check = (text: string) => {
    const verdict = precheck(text)._tag
    expect(precheckBytes(Buffer.from(text))._tag).toBe(verdict)
    return { _tag: verdict }
  }

  it("counts what a parser would see: not comments, CDATA, quoted '>' or '=' in text", () => {
    const text = (body: string) => `<a>${body}</a>`
    const mObjects = (n: number) => "<mObject/>".repeat(n)
    expect(check(text(mObjects(100)))._tag).toBe("Right")
    expect(check(text(mObjects(101)))._tag).toBe("Left")
    expect(check(text(`<!-- ${mObjects(200)} -->`))._tag).toBe("Right")
    expect(check(text(`<![CDATA[${mObjects(200)}]]>`))._tag).toBe("Right")
    expect(check(text("a=b ".repeat(1000)))._tag).toBe("Right")
    const attributes = (n: number) => `<b ${Array.from({ length: n }, (_, i) => `x${i}="v>="`).join(" ")}/>`
    expect(check(text(attributes(64)))._tag).toBe("Right")
    expect(check(text(attributes(65)))._tag).toBe("Left")
    expect(check(text(`<ns:mObject/>`.repeat(101)))._tag).toBe("Left")
  })
})

describe("Emulator: large bodies held at once", () => {
  it.live("a large body waits while the ones held would pass the budget: a slow 60 MiB upload holds a 5 MiB call", () =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* Emulator.make({ signatureTtl: 0, maxBodyBytes: 64 * 2 ** 20 })
      const url = new URL(emulator.url)
      const events: Array<string> = []
      // A: declares 60 MiB and sends a first piece only, then stalls.
      const slow = Http.request(url, {
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8", "content-length": String(60 * 2 ** 20) }
      })
      slow.on("error", () => {})
      slow.write("<".repeat(1024))
      // B: a whole, valid call of 5 MiB (an XML comment pads it).
      const padded = envelope(opportunity("Held")).replace(
        "<SOAP-ENV:Body>",
        `<SOAP-ENV:Body><!--${"x".repeat(5 * 2 ** 20)}-->`
      )
      const answered = Effect.runFork(
        Effect.tap(post(emulator.url, padded), () => Effect.sync(() => events.push("B answered")))
      )
      yield* Effect.sleep("1500 millis")
      events.push("A gone")
      slow.destroy()
      const b = yield* Fiber.join(answered)
      expect(b.status).toBe(200)
      expect(events).toEqual(["A gone", "B answered"])
    })))
})
