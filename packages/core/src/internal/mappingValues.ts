/**
 * How single values are written on the wire, and read back from it.
 *
 * Writers assume a value `Validation` accepted. Readers take untrusted text and answer
 * `undefined` when it is not what the field holds; they accept the spellings Marketo
 * itself uses (`true`/`false`, exponents in decimals, a full date for a cost month).
 */
import * as Limits from "../Limits.js"

const DAY = 86_400_000

export const isXsInt = (n: unknown): n is number =>
  typeof n === "number" && Number.isInteger(n) && n >= Limits.xsIntMin && n <= Limits.xsIntMax

export const formatInt = (n: number): string => String(n)

/**
 * A number as a plain decimal (never `1e+21`), with the digits of the shortest text that
 * reads back as the same double, so `Number(formatDecimal(n)) === n` for every finite n
 * (including -0).
 */
export const formatDecimal = (n: number): string => {
  if (Object.is(n, -0)) return "-0"
  const text = String(n)
  // Only an exponent needs rewriting; most numbers print without one.
  if (!text.includes("e")) return text
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (match === null) return text
  const [, sign = "", lead = "", fraction = "", exponent = "0"] = match
  const digits = lead + fraction
  const point = 1 + Number(exponent)
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

export const formatBoolean = (b: boolean): string => (b ? "1" : "0")

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

// "-MM-DD" of every month and day, made once: a date is then its year and one piece, one
// string made per date written (this runs for every date of every object sent).
const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n))
const monthDays: ReadonlyArray<string> = Array.from(
  { length: 13 * 32 },
  (_, i) => `-${twoDigits(Math.floor(i / 32))}-${twoDigits(i % 32)}`
)

/** `YYYY-MM-DD` of a date's UTC calendar day. */
export const formatDate = (d: Date): string => {
  const year = d.getUTCFullYear()
  const month = d.getUTCMonth() + 1
  const day = d.getUTCDate()
  const text = year >= 1000 && year <= 9999 ? String(year) : pad(year, 4)
  // A month or day out of range (an invalid date's NaN, a subclass's own answer) finds no piece:
  // written field by field.
  return Number.isInteger(month) && month >= 1 && month <= 12 && Number.isInteger(day) && day >= 0 && day <= 31
    ? text + (monthDays[month * 32 + day] as string)
    : `${text}-${twoDigits(month)}-${twoDigits(day)}`
}

// UTC midnight of 0001-01-01 and of 9999-12-31 (`Date.UTC` would read year 1 as 1901): the years
// are compared as instants, without reading the year, since this runs for every date checked.
const firstDay = -62_135_596_800_000
const lastDay = 253_402_214_400_000

/** Whether a date is a valid instant at UTC midnight, in years 1 to 9999. */
export const isCalendarDate = (d: unknown): d is Date => {
  if (!(d instanceof Date)) return false
  const time = d.getTime()
  // NaN (an invalid date) fails every comparison.
  return time % DAY === 0 && time >= firstDay && time <= lastDay
}

/** Whether a value is a valid instant in years 1 to 9999 (a datetime field's). */
export const isInstant = (d: unknown): d is Date => {
  if (!(d instanceof Date)) return false
  const time = d.getTime()
  return time >= firstDay && time < lastDay + DAY
}

/**
 * An instant as the SOAP examples write a date-time: `YYYY-MM-DDThh:mm:ss+00:00`, in UTC, to
 * the second (Marketo keeps no fractions of one; a fraction is dropped).
 */
export const formatDateTime = (d: Date): string => {
  const time = d.getTime()
  const whole = new Date(time - (((time % 1000) + 1000) % 1000))
  return `${formatDate(whole)}T${twoDigits(whole.getUTCHours())}:${twoDigits(whole.getUTCMinutes())}:${
    twoDigits(whole.getUTCSeconds())
  }+00:00`
}

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z(?:[+-]00:?00)?|[+-]\d{2}:?\d{2})?)?$/

/**
 * A date-time as Marketo answers one (`2015-05-07T20:47:30-08:00`, `…Z`, `…+0000`, a plain
 * `YYYY-MM-DD` for midnight UTC), as the instant it names; no zone is UTC.
 */
export const parseDateTime = (text: string): Date | undefined => {
  const match = dateTimePattern.exec(text.trim())
  if (match === null) return undefined
  const [, y, mo, d, h = "00", mi = "00", sec = "00", zone = "Z"] = match
  const day = calendarDay(Number(y), Number(mo), Number(d))
  if (day === undefined || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined
  // An offset is at most 23:59 either way (ISO 8601; real zones keep within 14 hours).
  if (!zone.startsWith("Z") && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(-2)) > 59)) return undefined
  const offset = zone.startsWith("Z")
    ? 0
    : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)))
  const instant = new Date(day.getTime() + ((Number(h) * 60 + Number(mi)) * 60 + Number(sec)) * 1000 - offset * 60_000)
  return isInstant(instant) ? instant : undefined
}

/** `YYYY-MM`, months 01 to 12. */
export const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/

export const parseInteger = (text: string): number | undefined => {
  const trimmed = text.trim()
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined
  const n = Number(trimmed)
  return isXsInt(n) ? (Object.is(n, -0) ? 0 : n) : undefined
}

export const parseDecimal = (text: string): number | undefined => {
  const trimmed = text.trim()
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined
  const n = Number(trimmed)
  return Number.isFinite(n) ? n : undefined
}

export const parseBoolean = (text: string): boolean | undefined => {
  const trimmed = text.trim().toLowerCase()
  return trimmed === "1" || trimmed === "true" ? true : trimmed === "0" || trimmed === "false" ? false : undefined
}

const calendarDay = (year: number, month: number, day: number): Date | undefined => {
  const date = new Date(0)
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day)
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? date
    : undefined
}

/** `YYYY-MM-DD`, a real calendar day, as a `Date` at UTC midnight. */
export const parseDate = (text: string): Date | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim())
  if (match === null) return undefined
  const date = calendarDay(Number(match[1]), Number(match[2]), Number(match[3]))
  return date !== undefined && isCalendarDate(date) ? date : undefined
}

/** `YYYY-MM`, or the `YYYY-MM-01`-style day getMObjects answers with. */
export const parseMonth = (text: string): string | undefined => {
  const trimmed = text.trim()
  if (monthPattern.test(trimmed)) return trimmed
  const day = parseDate(trimmed)
  return day === undefined ? undefined : trimmed.slice(0, 7)
}
