/**
 * A cheap, linear guard pass over a document before any parser sees it.
 *
 * fast-xml-parser builds a tree without checking that the document is well formed (it
 * accepts truncated and mismatched tags), and it would expand or choke on DOCTYPE
 * entities. This pass walks the text once, without recursion and without building
 * anything but a stack bounded by `maxDepth`, and rejects everything we never accept:
 * oversized bodies, deep nesting, DOCTYPE/ENTITY declarations, names that could reach
 * an object's prototype, documents that are not well formed at the tag level, references
 * other than XML's own, and prefixes no `xmlns` declaration binds. What passes is a
 * namespace-well-formed document, so the readers after it only decide whether it is the
 * SOAP they expect, and may skip what they do not read without looking inside.
 *
 * @internal
 */
import { maxMessageBytes } from "@mktows/core/Limits"
import { firstInvalidIndex } from "@mktows/core/XmlText"
import * as Either from "effect/Either"
import { isProblem, referenceAt } from "./references.js"

/** Why a body was refused before (or while) it was parsed. */
export interface XmlProblem {
  readonly kind: "NotXml" | "Forbidden" | "TooLarge"
  readonly detail: string
}

/** @internal */
export const problem = (kind: XmlProblem["kind"], detail: string): Either.Either<never, XmlProblem> =>
  Either.left({ kind, detail })

/** Default cap on the body size: 10 MiB. */
export const defaultMaxBytes = maxMessageBytes
/** Default cap on element nesting; a SOAP body of this protocol nests about 12 deep. */
export const defaultMaxDepth = 64
/**
 * Default cap on the nodes of one document: elements, attributes (namespace declarations
 * included), comments, CDATA sections and processing instructions. 100 objects of a call
 * with a thousand nodes each; a 10 MiB body could otherwise hold two million.
 */
export const defaultMaxNodes = 100_000
/**
 * Default cap on the attributes of one element, namespace declarations included. This
 * protocol uses at most a handful (xmlns declarations, xsi:nil).
 */
export const defaultMaxAttributes = 32
/**
 * Default cap on the characters of one element's own text (all its text and CDATA runs
 * together) and of one attribute value: 1 MiB, far above any Marketo field.
 */
export const defaultMaxTextLength = 1024 * 1024

/** The bounds a scan runs under. */
export interface ScanLimits {
  readonly maxBytes: number
  readonly maxDepth: number
  readonly maxNodes: number
  readonly maxAttributes: number
  readonly maxTextLength: number
}

/** Names that must never become object keys, whatever the parser does with them. */
const dangerous: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"])
const dangerousStart = (c: number): boolean => c === 95 /* _ */ || c === 99 /* c */ || c === 112 /* p */

// Name characters: ASCII letters, digits, "_", "-", ".", ":" and everything from U+00B7 up.
// Not the full XML production, but it refuses every ASCII character XML forbids in names.
const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 ||
  c === 58 || c >= 0xB7
const isNameStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0xC0
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13

/** UTF-8 length of `text`, counted without allocating. Stops counting once past `limit`. */
export const utf8Length = (text: string, limit: number): number => {
  let bytes = 0
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xD800 && c <= 0xDBFF) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

const checkName = (name: string, what: string): Either.Either<void, XmlProblem> => {
  const colon = name.indexOf(":")
  const local = colon === -1 ? name : name.slice(colon + 1)
  if (dangerous.has(local) || dangerous.has(name)) {
    return problem("Forbidden", `the ${what} name "${name}" is not accepted`)
  }
  if (colon !== -1 && (colon === 0 || local.length === 0 || local.includes(":"))) {
    return problem("NotXml", `"${name}" is not a valid qualified ${what} name`)
  }
  if (!isNameStart(name.charCodeAt(0)) || (colon !== -1 && !isNameStart(local.charCodeAt(0)))) {
    return problem("NotXml", `"${name}" is not a valid ${what} name`)
  }
  return Either.void
}

/**
 * {@link checkName} on the name at `s[from, to)`, whose first ":" is at `colon` (or -1),
 * without cutting it out of the body: every element name is checked, and a slice per tag
 * was a good part of the scan's garbage. Answers the problem, or undefined when the name
 * is fine.
 */
const nameProblemAt = (s: string, from: number, to: number, colon: number, what: string): XmlProblem | undefined => {
  const localFrom = colon === -1 ? from : colon + 1
  const localLength = to - localFrom
  // The dangerous names are 9 or 11 characters long and start with "_", "p" or "c": a
  // name of another length or start is none of them, and is not cut out to be looked up.
  if ((localLength === 9 || localLength === 11) && dangerousStart(s.charCodeAt(localFrom))) {
    if (dangerous.has(s.slice(localFrom, to))) {
      return { kind: "Forbidden", detail: `the ${what} name "${s.slice(from, to)}" is not accepted` }
    }
  }
  if (colon !== -1 && (colon === from || localLength === 0 || colonAt(s, localFrom, to) !== -1)) {
    return { kind: "NotXml", detail: `"${s.slice(from, to)}" is not a valid qualified ${what} name` }
  }
  if (!isNameStart(s.charCodeAt(from)) || (colon !== -1 && !isNameStart(s.charCodeAt(localFrom)))) {
    return { kind: "NotXml", detail: `"${s.slice(from, to)}" is not a valid ${what} name` }
  }
  return undefined
}

/** Where the first ":" of `s[from, to)` is, or -1 (never looking past `to`). */
const colonAt = (s: string, from: number, to: number): number => {
  for (let k = from; k < to; k++) {
    if (s.charCodeAt(k) === 58 /* : */) return k
  }
  return -1
}

/** Whether `s[a, a + length)` and `s[b, b + length)` hold the same characters. */
const sameAt = (s: string, a: number, b: number, length: number): boolean => {
  for (let k = 0; k < length; k++) {
    if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false
  }
  return true
}

const readName = (s: string, from: number): number => {
  let i = from
  while (i < s.length && isNameChar(s.charCodeAt(i))) i++
  return i
}

const skipSpace = (s: string, from: number): number => {
  let i = from
  while (i < s.length && isSpace(s.charCodeAt(i))) i++
  return i
}

const looksLikeHtml = (s: string): boolean => /^\s*(<!doctype\s+html|<html[\s>])/i.test(s.slice(0, 200))

/**
 * Where the CDATA sections of a document are: for each, the position of its "<![CDATA[" and
 * of its "]]>", in document order. Undefined for a document without any, as most are.
 */
export type CdataSections = ReadonlyArray<number> | undefined

/**
 * Checks `text` (a whole document, BOM already removed) against the limits and the
 * tag-level well-formedness rules. Linear in the length, constant stack. Answers where the
 * document's CDATA sections are, the one thing of its markup a reader may need to know.
 */
export const scan = (s: string, limits: ScanLimits): Either.Either<CdataSections, XmlProblem> => {
  // No UTF-16 unit takes more than three UTF-8 bytes: a body of at most a third of the
  // bound in units is within it, and counting its bytes would be a pass for nothing.
  if (
    s.length > limits.maxBytes || (s.length * 3 > limits.maxBytes && utf8Length(s, limits.maxBytes) > limits.maxBytes)
  ) {
    return problem("TooLarge", `the body is larger than ${limits.maxBytes} bytes`)
  }
  if (looksLikeHtml(s)) return problem("NotXml", "received an HTML page, not a SOAP envelope")
  const checked = scanMarkup(s, limits)
  if (Either.isLeft(checked)) return Either.left(checked.left)
  // Characters after the markup: the markup pass stops at the first excess of a hostile
  // body, and a character check first would cost a pass over all of it.
  const bad = firstInvalidIndex(s)
  if (bad !== undefined) {
    return problem("NotXml", `a character XML 1.0 forbids at position ${bad}`)
  }
  // References and prefixes last: a truncated body is reported as truncated, whatever it
  // held before the cut.
  return checked.right.deferred === undefined ? Either.right(checked.right.cdata) : Either.left(checked.right.deferred)
}

const xmlPrefix = "xml"

// One linear pass with local mutable state (stacks, counters, cursors): it runs over every
// byte of every body, hostile ones included, so it allocates nothing per character, and
// nothing per tag but what a tag with attributes or a prefix needs (names are compared in
// place, by position). It answers the first problem of the markup itself, or else the
// first reference or prefix problem (reported after the character check, see `scan`).
const scanMarkup = (
  s: string,
  limits: ScanLimits
): Either.Either<{ readonly deferred: XmlProblem | undefined; readonly cdata: CdataSections }, XmlProblem> => {
  let cdata: Array<number> | undefined
  // The open elements, by depth (1 is the root): where each name starts and ends in `s`,
  // what it declares, and the text seen so far directly in it. The arrays are indexed by
  // depth and only ever overwritten, never shrunk: popping is `depth--`.
  let depth = 0
  const nameStarts: Array<number> = [0]
  const nameEnds: Array<number> = [0]
  const openName = () => s.slice(nameStarts[depth] ?? 0, nameEnds[depth] ?? 0)
  // The prefixes each open element declares, and how many open declarations bind each
  // prefix: a name's prefix is bound when its count is above zero.
  const declaredBy: Array<ReadonlyArray<string> | undefined> = [undefined]
  const bound = new Map<string, number>()
  const bind = (prefixes: ReadonlyArray<string>, by: 1 | -1) => {
    for (const prefix of prefixes) bound.set(prefix, (bound.get(prefix) ?? 0) + by)
  }
  const isBound = (prefix: string) => prefix === xmlPrefix || (bound.get(prefix) ?? 0) > 0
  let deferred: XmlProblem | undefined
  // Where the next "&" is, so that checking the references of every text run and attribute
  // value costs one pass over the body in all.
  let nextAmp = s.indexOf("&")
  const checkReferences = (from: number, to: number): void => {
    if (nextAmp !== -1 && nextAmp < from) nextAmp = s.indexOf("&", from)
    while (nextAmp !== -1 && nextAmp < to) {
      const r = referenceAt(s, nextAmp, to)
      if (isProblem(r)) {
        deferred ??= r
        nextAmp = -1
        return
      }
      nextAmp = s.indexOf("&", r.semi + 1)
    }
  }
  const prefixOf = (name: string): string | undefined => {
    const colon = name.indexOf(":")
    return colon === -1 ? undefined : name.slice(0, colon)
  }
  const textLengths: Array<number> = [0]
  // Elements, comments, CDATA sections and processing instructions: each costs a node.
  let nodes = 0
  const tooMuchText = () =>
    problem("TooLarge", `<${openName()}> holds more than ${limits.maxTextLength} characters of text`)
  const addText = (length: number): boolean => {
    if (depth === 0 || length === 0) return true
    const total = (textLengths[depth] ?? 0) + length
    textLengths[depth] = total
    return total <= limits.maxTextLength
  }
  let rootSeen = false
  let i = 0
  const n = s.length
  while (i < n) {
    const lt = s.indexOf("<", i)
    const textEnd = lt === -1 ? n : lt
    if (depth === 0) {
      for (let j = i; j < textEnd; j++) {
        if (!isSpace(s.charCodeAt(j))) return problem("NotXml", `text outside the root element at position ${j}`)
      }
    } else if (textEnd > i) {
      // Most tags follow another directly: no text, nothing to count or check.
      if (!addText(textEnd - i)) return tooMuchText()
      checkReferences(i, textEnd)
    }
    if (lt === -1) break
    const c = s.charCodeAt(lt + 1)
    if (c !== 47 /* / */ && ++nodes > limits.maxNodes) {
      return problem("TooLarge", `more than ${limits.maxNodes} nodes`)
    }
    if (c === 63 /* ? */) {
      const end = s.indexOf("?>", lt + 2)
      if (end === -1) return problem("NotXml", "truncated: a processing instruction is not closed")
      i = end + 2
    } else if (c === 33 /* ! */) {
      // Comments, CDATA and declarations all start "<!": tags, nearly all of a document,
      // are told apart by that one character, not by a string comparison each.
      if (s.startsWith("!--", lt + 1)) {
        const end = s.indexOf("-->", lt + 4)
        if (end === -1) return problem("NotXml", "truncated: a comment is not closed")
        i = end + 3
      } else if (s.startsWith("![CDATA[", lt + 1)) {
        if (depth === 0) return problem("NotXml", "CDATA outside the root element")
        const end = s.indexOf("]]>", lt + 9)
        if (end === -1) return problem("NotXml", "truncated: a CDATA section is not closed")
        if (!addText(end - lt - 9)) return tooMuchText()
        ;(cdata ??= []).push(lt, end)
        i = end + 3
      } else {
        const what = s.slice(lt, lt + 10)
        return problem("Forbidden", `DOCTYPE and ENTITY declarations are not accepted (found "${what}")`)
      }
    } else if (c === 47 /* / */) {
      // An end tag nearly always closes the open element: its name is compared with that
      // one in place (and must end there), and read on its own only when it does not match.
      const openAt = nameStarts[depth] as number
      const openSize = (nameEnds[depth] as number) - openAt
      const closesOpen = depth > 0 && sameAt(s, openAt, lt + 2, openSize) &&
        !isNameChar(s.charCodeAt(lt + 2 + openSize))
      const nameEnd = closesOpen ? lt + 2 + openSize : readName(s, lt + 2)
      const gt = skipSpace(s, nameEnd)
      if (gt >= n) return problem("NotXml", `truncated: the end tag of "${s.slice(lt + 2, nameEnd)}" is not closed`)
      if (s.charCodeAt(gt) !== 62) {
        return problem("NotXml", `malformed end tag "</${s.slice(lt + 2, nameEnd)}" at position ${lt}`)
      }
      if (depth === 0) return problem("NotXml", `end tag "</${s.slice(lt + 2, nameEnd)}>" without a start tag`)
      if (!closesOpen) {
        return problem("NotXml", `end tag "</${s.slice(lt + 2, nameEnd)}>" does not close "<${openName()}>"`)
      }
      const declared = declaredBy[depth]
      if (declared !== undefined) bind(declared, -1)
      depth--
      i = gt + 1
    } else {
      // The name and where its first ":" is, in one pass.
      let nameEnd = lt + 1
      let colon = -1
      for (; nameEnd < n; nameEnd++) {
        const d = s.charCodeAt(nameEnd)
        if (!isNameChar(d)) break
        if (d === 58 /* : */ && colon === -1) colon = nameEnd
      }
      if (nameEnd === lt + 1) return problem("NotXml", `a "<" that starts no tag at position ${lt}`)
      const nameProblem = nameProblemAt(s, lt + 1, nameEnd, colon, "element")
      if (nameProblem !== undefined) return Either.left(nameProblem)
      // The name itself is cut out only for a message (no closure per tag for that either:
      // under a loader that names functions, such as tsx, a closure per tag costs a property
      // definition per tag).
      if (depth === 0 && rootSeen) return problem("NotXml", `a second root element "<${s.slice(lt + 1, nameEnd)}>"`)
      // Attributes: name = "value" pairs until ">" or "/>".
      let j = nameEnd
      let closed: "open" | "empty" | undefined
      // XML forbids an attribute twice on one tag; parsers disagree on which one wins.
      let seen: Set<string> | undefined
      let attributes = 0
      let declares: Array<string> | undefined
      let prefixed: Array<string> | undefined
      while (closed === undefined) {
        const afterSpace = skipSpace(s, j)
        if (afterSpace >= n) {
          return problem("NotXml", `truncated: the start tag "<${s.slice(lt + 1, nameEnd)}" is not closed`)
        }
        const d = s.charCodeAt(afterSpace)
        if (d === 62) {
          closed = "open"
          j = afterSpace + 1
        } else if (d === 47 && s.charCodeAt(afterSpace + 1) === 62) {
          closed = "empty"
          j = afterSpace + 2
        } else {
          if (afterSpace === j) {
            return problem("NotXml", `malformed start tag "<${s.slice(lt + 1, nameEnd)}" at position ${lt}`)
          }
          const attrEnd = readName(s, afterSpace)
          const attr = s.slice(afterSpace, attrEnd)
          if (attr.length === 0) {
            return problem("NotXml", `malformed attribute in "<${s.slice(lt + 1, nameEnd)}" at position ${afterSpace}`)
          }
          if (++attributes > limits.maxAttributes) {
            return problem(
              "TooLarge",
              `"<${s.slice(lt + 1, nameEnd)}" has more than ${limits.maxAttributes} attributes`
            )
          }
          if (++nodes > limits.maxNodes) return problem("TooLarge", `more than ${limits.maxNodes} nodes`)
          const attrOk = checkName(attr, "attribute")
          if (Either.isLeft(attrOk)) return Either.left(attrOk.left)
          seen ??= new Set()
          if (seen.has(attr)) {
            return problem("NotXml", `attribute "${attr}" is written twice on "<${s.slice(lt + 1, nameEnd)}"`)
          }
          seen.add(attr)
          const eq = skipSpace(s, attrEnd)
          if (s.charCodeAt(eq) !== 61) {
            return problem("NotXml", `attribute "${attr}" of "<${s.slice(lt + 1, nameEnd)}" has no value`)
          }
          const q = skipSpace(s, eq + 1)
          const quote = s.charCodeAt(q)
          if (quote !== 34 && quote !== 39) {
            return problem("NotXml", `attribute "${attr}" of "<${s.slice(lt + 1, nameEnd)}" is not quoted`)
          }
          const close = s.indexOf(quote === 34 ? "\"" : "'", q + 1)
          if (close === -1) {
            return problem("NotXml", `truncated: attribute "${attr}" of "<${s.slice(lt + 1, nameEnd)}" is not closed`)
          }
          if (close - q - 1 > limits.maxTextLength) {
            return problem(
              "TooLarge",
              `attribute "${attr}" of "<${s.slice(lt + 1, nameEnd)}" is longer than ${limits.maxTextLength}`
            )
          }
          if (s.slice(q + 1, close).includes("<")) {
            return problem("NotXml", `attribute "${attr}" of "<${s.slice(lt + 1, nameEnd)}" contains "<"`)
          }
          checkReferences(q + 1, close)
          if (attr.startsWith("xmlns:")) (declares ??= []).push(attr.slice(6))
          else if (attr !== "xmlns" && attr.includes(":")) (prefixed ??= []).push(attr)
          j = close + 1
        }
      }
      rootSeen = true
      // Declarations on an element bind its own name and attributes, in any order.
      if (declares !== undefined) bind(declares, 1)
      if (deferred === undefined) {
        const prefix = colon === -1 ? undefined : s.slice(lt + 1, colon)
        if (prefix !== undefined && !isBound(prefix)) {
          deferred = {
            kind: "NotXml",
            detail: `the prefix "${prefix}" of <${s.slice(lt + 1, nameEnd)}> is not declared`
          }
        }
        if (prefixed !== undefined) {
          for (const attr of prefixed) {
            const attrPrefix = prefixOf(attr) ?? ""
            if (deferred === undefined && !isBound(attrPrefix)) {
              deferred = { kind: "NotXml", detail: `the prefix "${attrPrefix}" of attribute ${attr} is not declared` }
            }
          }
        }
      }
      if (closed === "empty" && declares !== undefined) bind(declares, -1)
      if (closed === "open") {
        depth++
        nameStarts[depth] = lt + 1
        nameEnds[depth] = nameEnd
        textLengths[depth] = 0
        declaredBy[depth] = declares
        if (depth > limits.maxDepth) {
          return problem("TooLarge", `elements nest deeper than ${limits.maxDepth} levels`)
        }
      }
      i = j
    }
  }
  if (depth > 0) {
    return problem("NotXml", `truncated: <${openName()}> is not closed`)
  }
  if (!rootSeen) return problem("NotXml", "no root element")
  return Either.right({ deferred, cdata })
}
