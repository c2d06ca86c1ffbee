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

  it.prop(
    "any date is written field by field as its UTC year, month and day, whatever they answer",
    [
      FastCheck.oneof(
        // Any instant a Date can hold, and an invalid one.
        FastCheck.integer({ min: -8.64e15, max: 8.64e15 }).map((t) => new Date(t)),
        FastCheck.constant(new Date(Number.NaN)),
        // A subclass whose fields answer anything (a day of 40, a month of 1.5, NaN).
        FastCheck.tuple(
          FastCheck.integer({ min: -20_000, max: 20_000 }),
          FastCheck.oneof(FastCheck.integer({ min: -3, max: 14 }), FastCheck.double()),
          FastCheck.oneof(FastCheck.integer({ min: -3, max: 40 }), FastCheck.double())
        ).map(([year, month, day]) =>
          Object.assign(new Date(0), {
            getUTCFullYear: () => year,
            getUTCMonth: () => month,
            getUTCDate: () => day
          })
        )
      )
    ],
    ([date]) => {
      const two = (n: number) => (n < 10 ? `0${n}` : String(n))
      const year = date.getUTCFullYear()
      const expected = `${year >= 1000 && year <= 9999 ? year : String(year).padStart(4, "0")}-${
        two(date.getUTCMonth() + 1)
      }-${two(date.getUTCDate())}`
      expect(Value.formatDate(date)).toBe(expected)
    }
  )

  it.prop(
    "a calendar date is exactly an instant at UTC midnight in years 1 to 9999, whatever the instant",
    [
      FastCheck.oneof(
        // Any instant a Date can hold, days around the two ends, and midnights of far years.
        FastCheck.integer({ min: -8.64e15, max: 8.64e15 }),
        FastCheck.integer({ min: -2, max: 2 }).chain((d) =>
          FastCheck.constantFrom(
            Date.parse("0001-01-01T00:00:00Z") + d * DAY,
            Date.parse("9999-12-31T00:00:00Z") + d * DAY,
            Date.parse("0001-01-01T00:00:00Z") + d,
            Date.parse("9999-12-31T00:00:00Z") + d
          )
        ),
        FastCheck.integer({ min: -100_000_000, max: 100_000_000 }).map((day) => day * DAY)
      ).map((time) => new Date(time)),
      FastCheck.constantFrom(new Date(Number.NaN), new Date(0))
    ],
    ([date, other]) => {
      for (const d of [date, other]) {
        const year = d.getUTCFullYear()
        const expected = !Number.isNaN(d.getTime()) && d.getTime() % DAY === 0 && year >= 1 && year <= 9999
        expect(Value.isCalendarDate(d)).toBe(expected)
      }
    }
  )

  it("a calendar date's first and last days are in, and the instants next to them are not", () => {
    for (const end of [Date.parse("0001-01-01T00:00:00Z"), Date.parse("9999-12-31T00:00:00Z")]) {
      expect(Value.isCalendarDate(new Date(end))).toBe(true)
      for (const step of [1, DAY]) {
        const outside = end < 0 ? end - step : end + step
        expect([step, Value.isCalendarDate(new Date(outside))]).toEqual([step, false])
      }
      expect(Value.isCalendarDate(new Date(end < 0 ? end + DAY : end - DAY))).toBe(true)
    }
  })

  it.prop("a decimal is written without an exponent and reads back as the same number", [
    FastCheck.double({ noNaN: true, noDefaultInfinity: true })
  ], ([n]) => {
    const text = Value.formatDecimal(n)
    expect(text).not.toMatch(/e/i)
    expect(Object.is(Number(text), n)).toBe(true)
  })
})
