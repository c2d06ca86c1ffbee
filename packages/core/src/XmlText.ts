/**
 * Strings that XML 1.0 can carry.
 *
 * XML 1.0 allows tab, line feed, carriage return and the characters from U+0020 up,
 * except lone surrogates and U+FFFE/U+FFFF. Everything else cannot be written in a
 * document at all, not even as a character reference, so it is rejected before a
 * request is built rather than corrupted on the wire.
 *
 * @since 0.1.0
 */
import * as Arbitrary from "effect/Arbitrary"
import * as Schema from "effect/Schema"

// Code points XML 1.0 forbids, and lone surrogates (a high not followed by a low, or a low
// not preceded by a high).
const forbidden =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u

// Every character `forbidden` can match, and the surrogates of well-formed pairs with them.
// eslint-disable-next-line no-control-regex
const suspicious = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/

/**
 * The first position in `text` holding a character XML 1.0 cannot represent, if any.
 *
 * @since 0.1.0
 * @category validation
 */
export const firstInvalidIndex = (text: string): number | undefined => {
  // Most texts hold no control character, no surrogate and no U+FFFE/U+FFFF at all: one
  // search without look-arounds says so, and only a text that holds one (an astral
  // character's pair, say) is searched again with the exact rule, from there on.
  const suspect = text.search(suspicious)
  if (suspect === -1) return undefined
  const match = forbidden.exec(suspect === 0 ? text : text.slice(suspect))
  return match === null ? undefined : match.index + suspect
}

/**
 * Whether every character of `text` can be written in an XML 1.0 document.
 *
 * @since 0.1.0
 * @category validation
 */
export const isXmlText = (text: string): boolean => firstInvalidIndex(text) === undefined

const describe = (text: string): string => {
  const index = firstInvalidIndex(text) ?? 0
  const code = text.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0")
  return `U+${code} at position ${index} cannot be written in XML 1.0`
}

// Characters the generator draws from: every XML 1.0 class, with the awkward ones
// (markup, whitespace, astral) weighted up so properties meet them often.
const xmlChar = (fc: typeof import("effect/FastCheck")) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("&", "<", ">", "\"", "'", "]", " ", "\t", "\n", "\r", "]]>", "&amp;") },
    { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0xA0, max: 0xD7FF }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0xE000, max: 0xFFFD }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10FFFF }).map((c) => String.fromCodePoint(c)) }
  )

/**
 * A string made only of characters XML 1.0 can carry.
 *
 * @since 0.1.0
 * @category schemas
 */
export const XmlString = Schema.String.pipe(
  Schema.filter((text) => isXmlText(text) || describe(text)),
  Schema.annotations({
    identifier: "XmlString",
    arbitrary: (): Arbitrary.LazyArbitrary<string> => (fc) =>
      fc.array(xmlChar(fc), { maxLength: 12 }).map((parts) => parts.join(""))
  })
)
