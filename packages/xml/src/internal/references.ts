/**
 * Character and entity references: the five predefined entities and numeric references
 * are the only ones XML without a DOCTYPE has, and the only ones decoded here. The scan
 * (`scan.ts`) checks every reference of a document once, so the readers decode text that
 * is known to be valid; decoding still refuses a bad reference rather than guess.
 *
 * @internal
 */

/** Why a reference is refused: not XML at all, or an entity nobody declared. */
export interface ReferenceProblem {
  readonly kind: "NotXml" | "Forbidden"
  readonly detail: string
}

const isXmlCodePoint = (c: number): boolean =>
  c === 0x9 || c === 0xA || c === 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
  (c >= 0x10000 && c <= 0x10FFFF)

const predefined: ReadonlyMap<string, string> = new Map([
  ["lt", "<"],
  ["gt", ">"],
  ["amp", "&"],
  ["quot", "\""],
  ["apos", "'"]
])

const hex = /^#x[0-9a-fA-F]{1,8}$/
const decimal = /^#[0-9]{1,9}$/

// The longest reference accepted, "&" to ";": "&#x10FFFF;" and "&#1114111;" fit.
const longest = 12

/**
 * The character of the reference at `at` (an "&") in `s`, and where it ends (its ";"), or
 * why it is refused. Reads nothing past `to`.
 */
export const referenceAt = (
  s: string,
  at: number,
  to: number
): { readonly char: string; readonly semi: number } | ReferenceProblem => {
  const semi = s.indexOf(";", at + 1)
  if (semi === -1 || semi >= to || semi - at > longest) {
    return { kind: "NotXml", detail: `a bare "&" in text: "${s.slice(at, Math.min(to, at + longest))}"` }
  }
  const ref = s.slice(at + 1, semi)
  if (ref.charCodeAt(0) === 35 /* # */) {
    const code = hex.test(ref) ? parseInt(ref.slice(2), 16) : decimal.test(ref) ? parseInt(ref.slice(1), 10) : NaN
    if (!isXmlCodePoint(code)) return { kind: "NotXml", detail: `"&${ref};" is not a character XML 1.0 allows` }
    return { char: String.fromCodePoint(code), semi }
  }
  const char = predefined.get(ref)
  if (char === undefined) {
    return { kind: "Forbidden", detail: `the entity "&${ref};" is not one of XML's five predefined entities` }
  }
  return { char, semi }
}

/** Whether {@link referenceAt} refused the reference. */
export const isProblem = (r: { readonly char: string } | ReferenceProblem): r is ReferenceProblem => "kind" in r

/** Text with its references decoded, or why a reference is refused. */
export const decodeReferences = (raw: string): string | ReferenceProblem => {
  let at = raw.indexOf("&")
  if (at === -1) return raw
  let out = ""
  let from = 0
  while (at !== -1) {
    const r = referenceAt(raw, at, raw.length)
    if (isProblem(r)) return r
    out += raw.slice(from, at) + r.char
    from = r.semi + 1
    at = raw.indexOf("&", from)
  }
  return out + raw.slice(from)
}
