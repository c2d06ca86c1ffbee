import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import * as Value from "../src/internal/mappingValues.js"

const DAY = 86_400_000

// Every calendar day the models allow: years 1 to 9999, at UTC midnight.
const calendarDay = FastCheck.integer({
  min: Date.parse("0001-01-01T00:00:00Z") / DAY,
  max: Date.parse("9999-12-31T00:00:00Z") / DAY
}).map((day) => new Date(day * DAY))

describe("mapping values", () => {
  it.prop(
    "a date is written as its UTC day, YYYY-MM-DD, and read back as the same instant",
    [calendarDay],
    ([date]) => {
      const text = Value.formatDate(date)
      expect(text).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      // toISOString writes years 0-9999 with four digits, as the wire wants them.
      expect(text).toBe(date.toISOString().slice(0, 10))
      expect(Value.parseDate(text)?.getTime()).toBe(date.getTime())
    }
  )

  it.prop("a decimal is written without an exponent and reads back as the same number", [
    FastCheck.double({ noNaN: true, noDefaultInfinity: true })
  ], ([n]) => {
    const text = Value.formatDecimal(n)
    expect(text).not.toMatch(/e/i)
    expect(Object.is(Number(text), n)).toBe(true)
  })
})
