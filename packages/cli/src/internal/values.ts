/**
 * Cell values as spreadsheets write them, read into what the models hold: numbers with a
 * currency symbol, thousands separators or a trailing `%`; dates and date-times in the
 * order the user names (`--date-format`), with AM/PM; booleans as Yes/No, True/False, 1/0.
 *
 * Each reader answers with the value or a problem in the user's words (the cell as written,
 * what it is not), so a message can quote the column and the cell and nothing else.
 */
import * as Either from "effect/Either"

/** The order of day, month and year in a date: `2026-12-31` (YMD), `12/31/2026` (MDY), `31/12/2026` (DMY). */
export type { DateFormat } from "../CliError.js"
import type { DateFormat } from "../CliError.js"

/** The date formats, for `--date-format`. */
export const dateFormats: ReadonlyArray<DateFormat> = ["YMD", "MDY", "DMY"]

/** How cells are read. */
export interface Settings {
  readonly dateFormat: DateFormat
  /** An IANA time zone (e.g. `America/New_York`) for date-times with an offset; `UTC` by default. */
  readonly timeZone: string
}

/** The settings when the user gives none: ISO dates, UTC. */
export const defaults: Settings = { dateFormat: "YMD", timeZone: "UTC" }

const quoteCell = (cell: string) => `'${cell}'`

// Currency symbols a spreadsheet puts before or after an amount (and ISO codes such as USD).
const currency = /^(?:[$€£¥₹₩₽₺₫₪฿¢]|[A-Z]{3}\s)|(?:[$€£¥₹₩₽₺₫₪฿¢]|\s[A-Z]{3})$/u

/**
 * A number: `1234.5`, `-3`, `1e3`, `$104,000.99`, `€ 12`, `(1,200.00)` (an accounting
 * negative), `45%` (the number 45: Marketo's percentages are 0–100, as written).
 */
export const number = (cell: string): Either.Either<number, string> => {
  let text = cell.trim()
  let negative = false
  if (/^\(.*\)$/.test(text)) {
    negative = true
    text = text.slice(1, -1).trim()
  }
  if (text.startsWith("-") || text.startsWith("+")) {
    negative = negative !== text.startsWith("-")
    text = text.slice(1).trim()
  }
  for (let i = 0; i < 2 && currency.test(text); i++) text = text.replace(currency, "").trim()
  if (text.endsWith("%")) text = text.slice(0, -1).trim()
  if (text.startsWith("-") && !negative) {
    // `$-5`: the sign after the symbol.
    negative = true
    text = text.slice(1)
  }
  // Thousands separators only in groups of three, so `1,5` (a decimal comma) is not read as 15.
  if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) text = text.replaceAll(",", "")
  if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Either.left(`${quoteCell(cell)} is not a number`)
  const value = Number(text)
  return Number.isFinite(value)
    ? Either.right(negative ? -value : value)
    : Either.left(`${quoteCell(cell)} is too large a number`)
}

const yes = new Set(["true", "yes", "y", "1", "t"])
const no = new Set(["false", "no", "n", "0", "f"])

/** A boolean: Yes/No, True/False, Y/N, 1/0 in any case. */
export const boolean = (cell: string): Either.Either<boolean, string> => {
  const word = cell.trim().toLowerCase()
  return yes.has(word)
    ? Either.right(true)
    : no.has(word)
    ? Either.right(false)
    : Either.left(`${quoteCell(cell)} is not yes or no (Yes/No, True/False or 1/0)`)
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

const isRealDay = (year: number, month: number, day: number): boolean => {
  if (month < 1 || month > 12 || day < 1 || year < 1 || year > 9999) return false
  const date = new Date(Date.UTC(2000, month - 1, day))
  date.setUTCFullYear(year)
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]

/** Why a year, month and day in the right order are no day of the calendar: the month, or the day, is not there. */
const noSuchDay = (year: number, month: number, day: number): string => {
  if (month < 1 || month > 12) return `there is no month ${month}`
  if (day < 1) return `there is no day ${day}`
  const last = new Date(Date.UTC(2000, month, 0))
  last.setUTCFullYear(year, month, 0)
  return `${monthNames[month - 1]} ${year} has ${last.getUTCDate()} days, no day ${day}`
}

const datePart = /^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})$/
const timePart = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?\s*(Z|[+-]\d{2}:?\d{2})?$/

/** The calendar day of `millis` (an instant) in `timeZone`, as `YYYY-MM-DD`. */
const dayIn = (millis: number, timeZone: string): string => {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date(millis))
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ""
  return `${get("year")}-${get("month")}-${get("day")}`
}

/** Whether `zone` is a time zone this runtime knows. */
export const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** A cell read as a day, and its time of day and offset when it has them. */
interface Written {
  readonly iso: string
  readonly time?: { readonly hours: number; readonly minutes: number; readonly seconds: number }
  /** Minutes east of UTC, when the cell gives an offset (`Z`, `-08:00`). */
  readonly offset?: number
}

/** A date or a date-time in `format` order (ISO's `2026-12-31T19:36:00Z` too), as written. */
const written = (cell: string, order: DateFormat): Either.Either<Written, string> => {
  const text = cell.trim()
  const split = /^([\d./-]+)(?:(?:T|\s+)(.+))?$/.exec(text)
  const notDate = Either.left(`${quoteCell(cell)} is not a date in ${order} order`)
  if (split === null) return notDate
  const parts = datePart.exec(split[1] ?? "")
  if (parts === null) return notDate
  const [a, b, c] = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
  // A four-digit first part is always a year: ISO dates read the same whatever the order.
  const ymd = (parts[1] ?? "").length === 4
    ? [a, b, c]
    : order === "YMD"
    ? [a, b, c]
    : order === "MDY"
    ? [c, a, b]
    : [c, b, a]
  const [year, month, day] = ymd as [number, number, number]
  const yearText = order !== "YMD" && (parts[1] ?? "").length !== 4 ? parts[3] ?? "" : parts[1] ?? ""
  if (yearText.length !== 4 || year < 1) return notDate
  if (!isRealDay(year, month, day)) {
    // Read in the other order of day and month it would be a day: the order is what is wrong.
    const swappable = (parts[1] ?? "").length !== 4 && order !== "YMD"
    if (swappable && isRealDay(year, day, month)) return notDate
    // The order it was read in: a four-digit first part is year, month, day whatever the option.
    const readIn = (parts[1] ?? "").length === 4 ? "YMD" : order
    return Either.left(`${quoteCell(cell)} is not a date: ${noSuchDay(year, month, day)} (read in ${readIn} order)`)
  }
  const iso = `${pad(year, 4)}-${pad(month)}-${pad(day)}`
  const time = split[2]
  if (time === undefined) return Either.right({ iso })
  const clock = timePart.exec(time.trim())
  if (clock === null) {
    return Either.left(`${quoteCell(cell)} is not a date-time in ${order} order (a time like 7:36 PM)`)
  }
  let hours = Number(clock[1])
  const minutes = Number(clock[2])
  const seconds = clock[3] === undefined ? 0 : Number(clock[3])
  const meridiem = clock[4]?.toUpperCase()
  if (meridiem !== undefined) {
    if (hours < 1 || hours > 12) return Either.left(`${quoteCell(cell)}: ${hours} is not an hour of AM/PM time`)
    hours = (hours % 12) + (meridiem === "PM" ? 12 : 0)
  }
  if (hours > 23 || minutes > 59 || seconds > 59) return Either.left(`${quoteCell(cell)} is not a time of day`)
  const offset = clock[5]
  if (offset !== undefined && offset !== "Z" && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(-2)) > 59)) {
    return Either.left(`${quoteCell(cell)}: ${offset} is not an offset from UTC`)
  }
  return Either.right({
    iso,
    time: { hours, minutes, seconds },
    ...(offset === undefined ? {} : {
      offset: offset === "Z"
        ? 0
        : (offset.startsWith("-") ? -1 : 1) *
          (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(offset.length - 2)))
    })
  })
}

/**
 * The instant a written date-time names: its offset given, or else the wall time in `timeZone`.
 * Around a clock change, a wall time that happens twice is the earlier instant, and one the
 * change skips is read with the offset before it (so it lands as far after the change as it was
 * written after its start), as JavaScript's own `Date` reads local times.
 */
const instantOf = (w: Written, timeZone: string): number => {
  const { hours = 0, minutes = 0, seconds = 0 } = w.time ?? {}
  const wall = Date.parse(`${w.iso}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}Z`)
  if (w.offset !== undefined) return wall - w.offset * 60_000
  // The zone's offsets a day before and a day after: no zone changes its clock twice in a day.
  const before = wall - offsetIn(wall - 86_400_000, timeZone) * 60_000
  const after = wall - offsetIn(wall + 86_400_000, timeZone) * 60_000
  const shows = (at: number) => at + offsetIn(at, timeZone) * 60_000 === wall
  return shows(before) && shows(after) ? Math.min(before, after) : shows(after) && !shows(before) ? after : before
}

/** Minutes `timeZone` is east of UTC at `millis`. */
const offsetIn = (millis: number, timeZone: string): number => {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit"
  }).formatToParts(new Date(millis))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? "0")
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const shown = new Date(0)
  shown.setUTCFullYear(get("year"), get("month") - 1, get("day"))
  shown.setUTCHours(get("hour"), get("minute"), get("second"))
  return Math.round((shown.getTime() - Math.floor(millis / 1000) * 1000) / 60_000)
}

/**
 * A calendar date as `YYYY-MM-DD` text (what the models take), from a date or a date-time
 * in `format` order (ISO's `2026-12-31T19:36:00Z` too). A date-time without an offset is
 * the user's own local time: its day is the day written. One with an offset (`Z`,
 * `-08:00`) is an instant: its day is the day it was in `timeZone`.
 */
export const date = (cell: string, settings: Settings): Either.Either<string, string> =>
  Either.map(
    written(cell, settings.dateFormat),
    (w) => w.offset === undefined ? w.iso : dayIn(instantOf(w, settings.timeZone), settings.timeZone)
  )

/**
 * An instant as ISO 8601 text in UTC (what a datetime field takes, e.g. `externalCreatedDate`),
 * from a date or a date-time in `format` order. One with an offset (`Z`, `-08:00`) is that
 * instant; one without, or a date alone (its midnight), is the wall time in `timeZone`.
 */
export const dateTime = (cell: string, settings: Settings): Either.Either<string, string> =>
  Either.map(written(cell, settings.dateFormat), (w) => new Date(instantOf(w, settings.timeZone)).toISOString())
