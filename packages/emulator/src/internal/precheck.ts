/**
 * A cheap look at a request before it is decoded, so a hostile body is refused in one
 * linear pass instead of after a full parse: more than 100 `mObject` elements (20110, the
 * answer a decoded call of that size gets), an element with more attributes than any SOAP
 * request needs, or more elements than a 100-object call can hold (20012). Comments,
 * processing instructions and CDATA are skipped as the parser would; the counts are upper
 * bounds, never lower, so nothing the decoder would accept is refused for being small.
 */
import * as Limits from "@mktows/core/Limits"
import * as Either from "effect/Either"
import { type EmulatorFault, fault } from "./fault.js"

/** The most attributes one element of a request may carry (namespace declarations included). @internal */
export const maxAttributesPerElement = 64

/** The most elements a request may hold: 100 objects of a thousand elements each. @internal */
export const maxElements = 100_000

const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 58 || c === 95 || c === 45 ||
  c === 46 || c > 127

/**
 * The scan reads a string: a decoded text, or the bytes of an ASCII-compatible encoding read
 * as ISO-8859-1 (one character per byte, made natively in one copy; a multi-byte UTF-8
 * character reads as several characters above 127, all name characters, as its bytes would).
 * One kind of source keeps the loop below monomorphic, on every call's path.
 */
type NameOf = (from: number, to: number) => string

const skip = (source: string, from: number, open: string, close: string): number => {
  if (!source.startsWith(open, from)) return -1
  const end = source.indexOf(close, from + open.length)
  return end === -1 ? source.length : end + close.length
}

/**
 * Where the start tag at `from` (just after its name) ends, and how many attributes it has;
 * the count stops (and `end` is -1) once it is over the limit, so a hostile tag is not read
 * to its end.
 */
const tagEnd = (source: string, from: number): { end: number; attributes: number } => {
  let attributes = 0
  let quote = 0
  for (let i = from; i < source.length; i++) {
    const c = source.charCodeAt(i)
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === 34 || c === 39) {
      quote = c
    } else if (c === 61) {
      if (++attributes > maxAttributesPerElement) return { end: -1, attributes }
    } else if (c === 62) {
      return { end: i + 1, attributes }
    }
  }
  return { end: source.length, attributes }
}

const scan = (source: string, nameOf: NameOf): Either.Either<void, EmulatorFault> => {
  let elements = 0
  let mObjects = 0
  let i = source.indexOf("<", 0)
  while (i !== -1 && i < source.length) {
    const next = source.charCodeAt(i + 1)
    if (next === 33 /* ! */) {
      const end = [skip(source, i, "<!--", "-->"), skip(source, i, "<![CDATA[", "]]>")].find((e) => e !== -1)
      i = source.indexOf("<", end ?? i + 2)
      continue
    }
    if (next === 63 /* ? */ || next === 47 /* / */) {
      i = source.indexOf("<", i + 2)
      continue
    }
    let nameEnd = i + 1
    let localStart = nameEnd
    for (
      let c = source.charCodeAt(nameEnd);
      nameEnd < source.length && isNameChar(c);
      c = source.charCodeAt(++nameEnd)
    ) {
      if (c === 58 /* : */) localStart = nameEnd + 1
    }
    elements++
    const isMObject = nameEnd - localStart === 7 && source.startsWith("mObject", localStart)
    if (isMObject && ++mObjects > Limits.maxObjectsPerCall) {
      return Either.left(fault(20110, `at most ${Limits.maxObjectsPerCall} MObjects per call, got more`))
    }
    if (elements > maxElements) {
      return Either.left(fault(20012, `Unexpected SOAP message: more than ${maxElements} elements`))
    }
    const tag = tagEnd(source, nameEnd)
    if (tag.attributes > maxAttributesPerElement) {
      return Either.left(
        fault(
          20012,
          `Unexpected SOAP message: <${nameOf(i + 1, nameEnd)}> has more than ${maxAttributesPerElement} attributes`
        )
      )
    }
    i = source.indexOf("<", tag.end)
  }
  return Either.right(undefined)
}

/**
 * Refuses a request whose shape no legitimate call has, before any parsing.
 *
 * @internal
 */
export const precheck = (text: string): Either.Either<void, EmulatorFault> =>
  scan(text, (from, to) => text.slice(from, to))

/**
 * The same check on the raw bytes of a body in an ASCII-compatible encoding (UTF-8,
 * ISO-8859-1, windows-1252, US-ASCII), so a hostile body is refused before it is decoded.
 *
 * @internal
 */
export const precheckBytes = (bytes: Buffer): Either.Either<void, EmulatorFault> =>
  scan(bytes.toString("latin1"), (from, to) => bytes.toString("utf8", from, to))
