/**
 * Field schemas shared by the MObject models.
 *
 * They are deliberately permissive at the type level (a month is any string, an amount any
 * number, a date any `Date`): constructing a model never fails for type-correct input, and
 * every semantic problem (a malformed month, a non-finite amount, a control character) is
 * reported by `Validation`, all at once, instead of one exception at a time. Their
 * `arbitrary` annotations generate only valid values, so `Arbitrary.make(Model)` draws
 * objects that `Validation` accepts and that survive the wire.
 */
import * as Arbitrary from "effect/Arbitrary"
import * as Schema from "effect/Schema"
import * as Limits from "../Limits.js"
import * as Wire from "../Wire.js"
import { XmlString } from "../XmlText.js"

const DAY = 86_400_000

const xmlText = () => Arbitrary.make(XmlString)

/** Any string; generated as text XML 1.0 can carry. */
export const Text = Schema.String.annotations({
  arbitrary: () => () => xmlText()
})

/** Text that must not be empty (names of fields, tag types and values). */
export const Name = Schema.String.annotations({
  arbitrary: () => () => xmlText().filter((s) => s.length > 0)
})

/** A number meant to be an `xs:int`. */
export const Int = Schema.Number.annotations({
  arbitrary: () => (fc) => fc.integer({ min: Limits.xsIntMin, max: Limits.xsIntMax })
})

/** A number meant to be finite; written as a plain decimal. */
export const Decimal = Schema.Number.annotations({
  arbitrary: () => (fc) =>
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map((cents) => cents / 100)
    )
})

/** An integer percentage, 0 to 100. */
export const Percent = Schema.Number.annotations({
  arbitrary: () => (fc) => fc.integer({ min: 0, max: 100 })
})

/** A calendar date, as a `Date` at UTC midnight. */
export const CalendarDate = Schema.DateFromSelf.annotations({
  arbitrary: () => (fc) =>
    fc.integer({ min: Date.parse("0001-01-01T00:00:00Z") / DAY, max: Date.parse("9999-12-31T00:00:00Z") / DAY })
      .map((day) => new Date(day * DAY))
})

/**
 * An instant, as a `Date` (a datetime field: `externalCreatedDate`). Marketo keeps it to the
 * second, so the arbitrary gives whole seconds in years 1 to 9999, the instants that read back
 * as they were sent.
 */
export const Instant = Schema.DateFromSelf.annotations({
  identifier: "Instant",
  arbitrary: () => (fc) =>
    fc.integer({ min: Date.parse("0001-01-01T00:00:00Z") / 1000, max: Date.parse("9999-12-31T23:59:59Z") / 1000 })
      .map((second) => new Date(second * 1000))
})

/** A cost period, `YYYY-MM`. */
export const Month = Schema.String.annotations({
  arbitrary: () => (fc) =>
    fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }))
      .map(([year, month]) => `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`)
})

/** An `xs:dateTime`, kept as the text Marketo sent (read-only fields `createdAt`, `updatedAt`). */
export const Timestamp = Schema.String.annotations({
  arbitrary: () => () => Arbitrary.make(Wire.XsDateTime)
})

/**
 * Custom fields: field name to text, in insertion order. The arbitrary avoids the given
 * standard names (those are typed fields) and `__proto__` (not a usable record key).
 */
export const customFields = (standard: ReadonlyArray<string>) =>
  Schema.Record({ key: Schema.String, value: Schema.String }).annotations({
    arbitrary: () => (fc) =>
      fc.dictionary(
        xmlText().filter((s) => s.length > 0 && s !== "__proto__" && !standard.includes(s)),
        xmlText(),
        { maxKeys: 4 }
      )
  })

/** `Schema.optionalWith(schema, { exact: true })`: absent, never `undefined` (defined in Wire). */
export const optional = Wire.optional
