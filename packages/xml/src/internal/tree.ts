/**
 * Hardened parsing into a small namespace-resolved element tree.
 *
 * The guard pass (`scan.ts`) runs first; fast-xml-parser then builds an ordered tree with
 * entity processing switched off, so it never expands anything. We decode the five
 * predefined entities and numeric character references ourselves, resolve every prefix
 * against the `xmlns` declarations in scope, and hand out plain arrays: element names
 * never become object keys on our side.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { XMLParser } from "fast-xml-parser"
import {
  defaultMaxAttributes,
  defaultMaxBytes,
  defaultMaxDepth,
  defaultMaxNodes,
  defaultMaxTextLength,
  problem,
  scan,
  type XmlProblem
} from "./scan.js"

/** One attribute, with its namespace resolved (unprefixed attributes have none). */
export interface XmlAttribute {
  readonly ns: string
  readonly local: string
  readonly value: string
}

/** One element: resolved name, attributes, child elements and its own character data. */
export interface XmlElement {
  readonly ns: string
  readonly local: string
  /** The name as written, for messages. */
  readonly name: string
  readonly attributes: ReadonlyArray<XmlAttribute>
  readonly children: ReadonlyArray<XmlElement>
  /** Text and CDATA directly inside this element, decoded and concatenated, untrimmed. */
  readonly text: string
}

/** The limits a parse runs under (see `scan.ts` for the defaults). */
export interface Limits {
  readonly maxBytes?: number | undefined
  readonly maxDepth?: number | undefined
  readonly maxNodes?: number | undefined
  readonly maxAttributes?: number | undefined
  readonly maxTextLength?: number | undefined
}

// The prefixes in scope, as a chain of the declarations of each element: an element that
// declares nothing shares its parent's scope, and a declaration copies nothing, so a
// document declaring namespaces on every element costs no more than one that does not.
interface Scope {
  readonly declared: ReadonlyArray<readonly [prefix: string, uri: string]>
  readonly parent: Scope | undefined
}

const lookup = (scope: Scope | undefined, prefix: string): string | undefined => {
  for (let at = scope; at !== undefined; at = at.parent) {
    for (let i = at.declared.length - 1; i >= 0; i--) {
      const entry = at.declared[i]
      if (entry !== undefined && entry[0] === prefix) return entry[1]
    }
  }
  return undefined
}

const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

const parser = (maxDepth: number) =>
  new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    removeNSPrefix: false,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    cdataPropName: "#cdata",
    commentPropName: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth + 1,
    // No callback of ours reads paths; not building path strings saves a good part of the parse.
    jPath: false,
    // Keep names exactly as written: in preserveOrder output each element is a one-key
    // object and we only read keys we enumerate, so e.g. "toString" is harmless here.
    onDangerousProperty: (name: string) => name
  })

const parsers = new Map<number, XMLParser>()
const parserFor = (maxDepth: number): XMLParser => {
  const cached = parsers.get(maxDepth)
  if (cached !== undefined) return cached
  const made = parser(maxDepth)
  if (parsers.size < 8) parsers.set(maxDepth, made)
  return made
}

const isXmlCodePoint = (c: number): boolean =>
  c === 0x9 || c === 0xA || c === 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
  (c >= 0x10000 && c <= 0x10FFFF)

const predefined: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: "\"", apos: "'" }

/** Decodes the five predefined entities and numeric references; anything else is refused. */
export const decodeEntities = (raw: string): Either.Either<string, XmlProblem> => {
  let at = raw.indexOf("&")
  if (at === -1) return Either.right(raw)
  let out = ""
  let from = 0
  while (at !== -1) {
    const semi = raw.indexOf(";", at + 1)
    if (semi === -1 || semi - at > 12) return problem("NotXml", `a bare "&" in text: "${raw.slice(at, at + 12)}"`)
    const ref = raw.slice(at + 1, semi)
    let char: string | undefined
    if (ref.startsWith("#")) {
      const code = /^#x[0-9a-fA-F]+$/.test(ref)
        ? parseInt(ref.slice(2), 16)
        : /^#[0-9]+$/.test(ref)
        ? parseInt(ref.slice(1), 10)
        : NaN
      if (!isXmlCodePoint(code)) return problem("NotXml", `"&${ref};" is not a character XML 1.0 allows`)
      char = String.fromCodePoint(code)
    } else if (Object.hasOwn(predefined, ref)) {
      char = predefined[ref]
    } else {
      return problem("Forbidden", `the entity "&${ref};" is not one of XML's five predefined entities`)
    }
    out += raw.slice(from, at) + char
    from = semi + 1
    at = raw.indexOf("&", from)
  }
  return Either.right(out + raw.slice(from))
}

type FxpNode = Readonly<Record<string, unknown>>

const isNodeArray = (u: unknown): u is ReadonlyArray<FxpNode> => Array.isArray(u)

const splitName = (name: string): readonly [prefix: string, local: string] => {
  const colon = name.indexOf(":")
  return colon === -1 ? ["", name] : [name.slice(0, colon), name.slice(colon + 1)]
}

const textOf = (nodes: ReadonlyArray<FxpNode>): string =>
  nodes.map((n) => (typeof n["#text"] === "string" ? n["#text"] : "")).join("")

const build = (
  name: string,
  rawAttributes: unknown,
  content: ReadonlyArray<FxpNode>,
  parentScope: Scope
): Either.Either<XmlElement, XmlProblem> => {
  const declared: Array<readonly [string, string]> = []
  const pending: Array<readonly [string, string]> = []
  if (rawAttributes !== null && typeof rawAttributes === "object") {
    for (const key of Object.keys(rawAttributes)) {
      const rawValue = (rawAttributes as Readonly<Record<string, unknown>>)[key]
      const decoded = decodeEntities(typeof rawValue === "string" ? rawValue : "")
      if (Either.isLeft(decoded)) return Either.left(decoded.left)
      if (key === "xmlns") declared.push(["", decoded.right])
      else if (key.startsWith("xmlns:")) declared.push([key.slice(6), decoded.right])
      else pending.push([key, decoded.right])
    }
  }
  const scope: Scope = declared.length > 0 ? { declared, parent: parentScope } : parentScope
  const [prefix, local] = splitName(name)
  const ns = lookup(scope, prefix)
  if (ns === undefined) return problem("NotXml", `the prefix "${prefix}" of <${name}> is not declared`)
  const attributes: Array<XmlAttribute> = []
  for (const [key, value] of pending) {
    const [attrPrefix, attrLocal] = splitName(key)
    const attrNs = attrPrefix === "" ? "" : lookup(scope, attrPrefix)
    if (attrNs === undefined) return problem("NotXml", `the prefix "${attrPrefix}" of attribute ${key} is not declared`)
    attributes.push({ ns: attrNs, local: attrLocal, value })
  }
  const children: Array<XmlElement> = []
  let text = ""
  for (const node of content) {
    if (typeof node["#text"] === "string") {
      const decoded = decodeEntities(node["#text"])
      if (Either.isLeft(decoded)) return Either.left(decoded.left)
      text += decoded.right
      continue
    }
    const cdata = node["#cdata"]
    if (cdata !== undefined) {
      // CDATA is literal: no entity decoding.
      text += isNodeArray(cdata) ? textOf(cdata) : ""
      continue
    }
    for (const key of Object.keys(node)) {
      if (key === ":@") continue
      const inner = node[key]
      const child = build(key, node[":@"], isNodeArray(inner) ? inner : [], scope)
      if (Either.isLeft(child)) return child
      children.push(child.right)
    }
  }
  return Either.right({ ns, local, name, attributes, children, text })
}

const rootScope: Scope = { declared: [["", ""], ["xml", xmlNamespace]], parent: undefined }

/**
 * Parses a whole document into its root element, under the given limits.
 */
export const parseDocument = (body: string, limits: Limits = {}): Either.Either<XmlElement, XmlProblem> => {
  const maxBytes = limits.maxBytes ?? defaultMaxBytes
  const maxDepth = limits.maxDepth ?? defaultMaxDepth
  const text = body.charCodeAt(0) === 0xFEFF ? body.slice(1) : body
  const checked = scan(text, {
    maxBytes,
    maxDepth,
    maxNodes: limits.maxNodes ?? defaultMaxNodes,
    maxAttributes: limits.maxAttributes ?? defaultMaxAttributes,
    maxTextLength: limits.maxTextLength ?? defaultMaxTextLength
  })
  if (Either.isLeft(checked)) return Either.left(checked.left)
  // XML end-of-line handling: a literal CR (alone or before LF) reads as LF. A CR that
  // must survive is written as "&#13;", which is decoded only after this step.
  const normalised = text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text
  const parsed = Either.try({
    try: () => parserFor(maxDepth).parse(normalised) as unknown,
    catch: (e) => ({ kind: "NotXml" as const, detail: e instanceof Error ? e.message : "the parser failed" })
  })
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  const nodes = isNodeArray(parsed.right) ? parsed.right : []
  for (const node of nodes) {
    for (const key of Object.keys(node)) {
      if (key === ":@" || key === "#text") continue
      const inner = node[key]
      return build(key, node[":@"], isNodeArray(inner) ? inner : [], rootScope)
    }
  }
  return problem("NotXml", "no root element")
}

/** Whether an element is named `{ns}local`. */
export const is = (element: XmlElement, ns: string, local: string): boolean =>
  element.local === local && element.ns === ns

/** The value of the attribute `{ns}local`, if present. */
export const attribute = (element: XmlElement, ns: string, local: string): string | undefined =>
  element.attributes.find((a) => a.local === local && a.ns === ns)?.value
