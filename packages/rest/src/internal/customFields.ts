/**
 * Custom fields typed from the instance's describe: a custom field the describe calls a
 * number or a boolean is sent as a JSON number or boolean, when its text says one faithfully;
 * any other value, and any field the describe does not know, goes as text (REST converts).
 *
 * @internal
 */
import type * as RestWire from "../RestWire.js"

/** What a custom field holds, by its name, as one instance's describe says. */
export type Kinds = ReadonlyMap<string, "number" | "boolean">

const numeric = new Set(["integer", "float", "currency", "percent", "double", "decimal", "number"])

/** The custom fields of a describe answer whose JSON form is not text. */
export const kindsOf = (meta: RestWire.ObjectMetadata): Kinds => {
  const kinds = new Map<string, "number" | "boolean">()
  for (const f of meta.fields) {
    const type = f.dataType.toLowerCase()
    if (numeric.has(type)) kinds.set(f.name, "number")
    else if (type === "boolean") kinds.set(f.name, "boolean")
  }
  return kinds
}

// A decimal literal as SOAP writes it: an optional minus, no leading plus, no leading zeros,
// an optional exponent. Only such a text is sent as a number, and only when the number
// written for it means exactly its value (`faithful`).
const decimal = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/**
 * A decimal text read as sign × d.dd… × 10^power: the positions in the text of its first and
 * last significant digit (`first` < 0 for zero) and the power of ten of the first. Two scratch
 * shapes are refilled per value: this runs on every custom number sent, and synchronously, so
 * no value sees another's.
 */
interface Shape {
  negative: boolean
  first: number
  last: number
  power: number
}
const ofText: Shape = { negative: false, first: -1, last: -1, power: 0 }
const ofNumber: Shape = { negative: false, first: -1, last: -1, power: 0 }

// Beyond this an exponent's value no longer matters (a double's text stays within e±324, a
// text within 2^30 digits), so it stops growing where it is still exact integer arithmetic.
const exponentCap = 1e14

/** Fills `out` from `s`, which matches `decimal` (or is String of a finite number, which does). */
const shapeOf = (s: string, out: Shape): void => {
  const n = s.length
  let i = 0
  out.negative = s.charCodeAt(0) === 45 // "-"
  if (out.negative) i = 1
  let digits = 0 // mantissa digits read so far
  let point = -1 // mantissa digits before the ".", when there is one
  let first = -1
  let last = -1
  let firstDigit = 0 // which mantissa digit the first significant one is
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) { // "."
      point = digits
      continue
    }
    if (c === 101 || c === 69) break // "e", "E"
    if (c !== 48) { // not "0"
      if (first < 0) {
        first = i
        firstDigit = digits
      }
      last = i
    }
    digits++
  }
  let exponent = 0
  if (i < n) {
    i++
    const sign = s.charCodeAt(i)
    if (sign === 45 || sign === 43) i++ // "-", "+"
    for (; i < n; i++) if (exponent < exponentCap) exponent = exponent * 10 + (s.charCodeAt(i) - 48)
    if (sign === 45) exponent = -exponent
  }
  out.first = first
  out.last = last
  out.power = (point < 0 ? digits : point) - 1 - firstDigit + exponent
}

/**
 * Whether `written` (String of a finite number: what JSON.stringify writes for it) stands for
 * exactly the decimal value of `text`, whatever their spelling ("1.50" and 1.5, "1e3" and 1000;
 * "-0" and 0, zero having no sign in JSON's numbers as Marketo reads them). Compared digit by
 * digit, never as floating point: "9007199254740993" and 9007199254740992 are one double.
 */
const faithful = (text: string, written: string): boolean => {
  shapeOf(text, ofText)
  shapeOf(written, ofNumber)
  if (ofText.first < 0 || ofNumber.first < 0) return ofText.first < 0 && ofNumber.first < 0
  if (ofText.negative !== ofNumber.negative || ofText.power !== ofNumber.power) return false
  // From the first significant digit to the last, skipping each side's "." (never the last).
  let i = ofText.first
  let j = ofNumber.first
  for (;;) {
    if (text.charCodeAt(i) === 46) i++
    if (written.charCodeAt(j) === 46) j++
    if (text.charCodeAt(i) !== written.charCodeAt(j)) return false
    if (i === ofText.last || j === ofNumber.last) return i === ofText.last && j === ofNumber.last
    i++
    j++
  }
}

/** A custom field's value as JSON: typed where `kinds` says so and the text is faithful. */
export const valueOf = (kinds: Kinds | undefined, name: string, text: string): RestWire.FieldValue => {
  const kind = kinds?.get(name)
  if (kind === "number" && decimal.test(text)) {
    const n = Number(text)
    if (!Number.isFinite(n)) return text
    // Most texts are already the number's own ("7", "12.5"): no need to compare digits.
    const written = String(n)
    if (written !== text && !faithful(text, written)) return text
    // "-0" is zero: 0, as JSON would write it anyway, so what is returned is what is sent.
    return n === 0 ? 0 : n
  }
  if (kind === "boolean") {
    const t = text.trim().toLowerCase()
    return t === "1" || t === "true" ? true : t === "0" || t === "false" ? false : text
  }
  return text
}

/**
 * Whether a model holds no custom field (most do not): asked before the names are listed, so a
 * call without custom fields makes no list of them per object.
 */
export const isEmpty = (record: { readonly [name: string]: string }): boolean => {
  for (const _ in record) return false
  return true
}
