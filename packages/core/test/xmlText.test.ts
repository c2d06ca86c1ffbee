import { describe, expect, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import * as XmlText from "../src/XmlText.js"

// The rule as XML 1.0 states it, one code unit at a time: the reference `firstInvalidIndex`
// must agree with, whatever shortcut it takes.
const isAllowedUnit = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i)
  if (c >= 0xD800 && c <= 0xDBFF) {
    const next = text.charCodeAt(i + 1)
    return next >= 0xDC00 && next <= 0xDFFF
  }
  if (c >= 0xDC00 && c <= 0xDFFF) {
    const previous = i === 0 ? -1 : text.charCodeAt(i - 1)
    return previous >= 0xD800 && previous <= 0xDBFF
  }
  return c === 0x9 || c === 0xA || c === 0xD || (c >= 0x20 && c <= 0xFFFD)
}
const reference = (text: string): number | undefined => {
  for (let i = 0; i < text.length; i++) {
    if (!isAllowedUnit(text, i)) return i
  }
  return undefined
}

// Code units weighted towards the awkward ones: controls, both halves of surrogate pairs
// (paired and lone), U+FFFE/U+FFFF, and plain text around them.
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", " ", "<", "&", "\t", "\n", "\r", "é", "\u20AC") },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x1F }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0xD800, max: 0xDFFF }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom("\uFFFE", "\uFFFF", "\uFFFD", "\uD83D\uDE00") }
)
const text = fc.array(unit, { maxLength: 24 }).map((units) => units.join(""))

describe("XmlText.firstInvalidIndex", () => {
  it("agrees with the XML 1.0 rule, unit by unit, on any text", () =>
    fc.assert(
      fc.property(text, (t) => {
        expect(XmlText.firstInvalidIndex(t)).toBe(reference(t))
        expect(XmlText.isXmlText(t)).toBe(reference(t) === undefined)
      }),
      { numRuns: 5000 }
    ))

  it("finds a lone surrogate or a control character after valid astral text", () => {
    expect(XmlText.firstInvalidIndex("ok \uD83D\uDE00 \uDE00")).toBe(6)
    expect(XmlText.firstInvalidIndex("\uD83D\uDE00\uD83D")).toBe(2)
    expect(XmlText.firstInvalidIndex("\uD83D\uDE00 \u0001")).toBe(3)
    expect(XmlText.firstInvalidIndex("\uD83D\uDE00 fine")).toBeUndefined()
    expect(XmlText.firstInvalidIndex("fine\r\n\ttoo")).toBeUndefined()
  })
})
