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

/** The most elements a request may hold: 100 objects of a few thousand elements each. @internal */
export const maxElements = 300_000

const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 58 || c === 95 || c === 45 ||
  c === 46 || c > 127

const skip = (text: string, from: number, open: string, close: string): number => {
  if (!text.startsWith(open, from)) return -1
  const end = text.indexOf(close, from + open.length)
  return end === -1 ? text.length : end + close.length
}

/** Where the start tag at `from` (just after its name) ends, and how many attributes it has. */
const tagEnd = (text: string, from: number): { end: number; attributes: number } => {
  let attributes = 0
  let quote = 0
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === 34 || c === 39) {
      quote = c
    } else if (c === 61) {
      attributes++
    } else if (c === 62) {
      return { end: i + 1, attributes }
    }
  }
  return { end: text.length, attributes }
}

/**
 * Refuses a request whose shape no legitimate call has, before any parsing.
 *
 * @internal
 */
export const precheck = (text: string): Either.Either<void, EmulatorFault> => {
  let elements = 0
  let mObjects = 0
  let i = text.indexOf("<")
  while (i !== -1 && i < text.length) {
    const next = text.charCodeAt(i + 1)
    if (next === 33 /* ! */) {
      const end = [skip(text, i, "<!--", "-->"), skip(text, i, "<![CDATA[", "]]>")].find((e) => e !== -1)
      i = text.indexOf("<", end ?? i + 2)
      continue
    }
    if (next === 63 /* ? */ || next === 47 /* / */) {
      i = text.indexOf("<", i + 2)
      continue
    }
    let nameEnd = i + 1
    while (nameEnd < text.length && isNameChar(text.charCodeAt(nameEnd))) nameEnd++
    const name = text.slice(i + 1, nameEnd)
    const local = name.slice(name.indexOf(":") + 1)
    elements++
    if (local === "mObject" && ++mObjects > Limits.maxObjectsPerCall) {
      return Either.left(fault(20110, `at most ${Limits.maxObjectsPerCall} MObjects per call, got more`))
    }
    if (elements > maxElements) {
      return Either.left(fault(20012, `Unexpected SOAP message: more than ${maxElements} elements`))
    }
    const tag = tagEnd(text, nameEnd)
    if (tag.attributes > maxAttributesPerElement) {
      return Either.left(
        fault(20012, `Unexpected SOAP message: <${name}> has more than ${maxAttributesPerElement} attributes`)
      )
    }
    i = text.indexOf("<", tag.end)
  }
  return Either.right(undefined)
}
