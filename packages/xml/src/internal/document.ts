/**
 * Hardened parsing: the guard pass (`scan.ts`), then fast-xml-parser, and nothing else.
 *
 * fast-xml-parser runs with entity processing switched off, so it never expands anything,
 * and in its ordered form (each element a one-key object holding its content in document
 * order, attributes under ":@"), which is also its cheapest. Its output is the only tree:
 * the readers walk it once, straight into records (`reader.ts`). Here are the few things
 * they share: the parse itself, prefix scopes resolved against the document's own `xmlns`
 * declarations, reference decoding, and a small view of an element for the envelope and
 * the fault, which are read by name rather than by layout.
 *
 * The scan has already refused every document that is not namespace-well-formed or holds a
 * reference XML does not define, so what is read here resolves and decodes; the functions
 * stay total all the same and answer a problem rather than assume.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { XMLParser } from "fast-xml-parser"
import { decodeReferences } from "./references.js"
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

/** The limits a parse runs under (see `scan.ts` for the defaults). */
export interface Limits {
  readonly maxBytes?: number | undefined
  readonly maxDepth?: number | undefined
  readonly maxNodes?: number | undefined
  readonly maxAttributes?: number | undefined
  readonly maxTextLength?: number | undefined
}

/**
 * One node of fast-xml-parser's ordered output: `{ [name]: content, ":@"?: attributes }`
 * for an element, `{ "#text": text }` for text, `{ "#cdata": [{ "#text": text }] }` for
 * CDATA. Element names are only ever read as the key of their own node, never looked up.
 */
export type Node = Readonly<Record<string, unknown>>
/** The content of an element: its child nodes, in document order. */
export type Content = ReadonlyArray<Node>
/** An element's attributes as written, prefixed names as keys. */
export type Attributes = Readonly<Record<string, unknown>>

/** The key fast-xml-parser keeps attributes under. */
export const attributesKey = ":@"
/** The key of a text node. */
export const textKey = "#text"
/** The key of a CDATA node. */
export const cdataKey = "#cdata"

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
    cdataPropName: cdataKey,
    commentPropName: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth + 1,
    // No callback of ours reads paths; not building path strings saves a good part of the parse.
    jPath: false,
    // Keep names exactly as written: each element is a one-key object whose key we only
    // read (the scan has refused __proto__, constructor and prototype anyway).
    onDangerousProperty: (name: string) => name
  })

// One parser per depth bound: its options are fixed, and a parse keeps no state between calls.
const parsers = new Map<number, XMLParser>()
/** fast-xml-parser as the codec drives it (exported for the parser-floor probe). */
export const parserFor = (maxDepth: number): XMLParser => {
  const cached = parsers.get(maxDepth)
  if (cached !== undefined) return cached
  const made = parser(maxDepth)
  if (parsers.size < 8) parsers.set(maxDepth, made)
  return made
}

// ---------------------------------------------------------------------------------------
// Names and scopes

/**
 * The prefixes in scope, as a chain of the declarations of each element: an element that
 * declares nothing shares its parent's scope, and a declaration copies nothing, so a
 * document declaring namespaces on every element costs no more than one that does not.
 */
export interface Scope {
  /** Prefix, URI, prefix, URI, ... in the order declared ("" is the default namespace). */
  readonly declared: ReadonlyArray<string>
  readonly parent: Scope | undefined
  /** The default namespace in this scope, kept apart: unprefixed names are most names. */
  readonly defaultNs: string
}

const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

/** The scope of a document's root: no default namespace, and `xml` bound as XML says. */
export const rootScope: Scope = { declared: ["", "", "xml", xmlNamespace], parent: undefined, defaultNs: "" }

/** The URI `prefix` is bound to in `scope`, if it is bound. */
export const lookup = (scope: Scope, prefix: string): string | undefined => {
  if (prefix === "") return scope.defaultNs
  for (let at: Scope | undefined = scope; at !== undefined; at = at.parent) {
    const declared = at.declared
    for (let i = declared.length - 2; i >= 0; i -= 2) {
      if (declared[i] === prefix) return declared[i + 1]
    }
  }
  return undefined
}

/** The scope inside an element with these attributes: its parent's, plus what it declares. */
export const scopeOf = (attributes: Attributes | undefined, parent: Scope): Scope => {
  if (attributes === undefined) return parent
  let declared: Array<string> | undefined
  let defaultNs = parent.defaultNs
  for (const key in attributes) {
    if (key === "xmlns") {
      defaultNs = valueOf(attributes[key])
      ;(declared ??= []).push("", defaultNs)
    } else if (key.startsWith("xmlns:")) (declared ??= []).push(key.slice(6), valueOf(attributes[key]))
  }
  return declared === undefined ? parent : { declared, parent, defaultNs }
}

// Attribute values are decoded when read; a value the scan let through always decodes.
const valueOf = (raw: unknown): string => {
  const decoded = decodeReferences(typeof raw === "string" ? raw : "")
  return typeof decoded === "string" ? decoded : ""
}

/** The element name of a node (its first key that is not the attributes), or "#text"/"#cdata". */
export const nameOf = (node: Node): string | undefined => {
  for (const key in node) {
    if (key !== attributesKey) return key
  }
  return undefined
}

/** The value of the attribute `{ns}local` among `attributes`, decoded, if present. */
export const attribute = (
  attributes: Attributes | undefined,
  scope: Scope,
  ns: string,
  local: string
): string | undefined => {
  if (attributes === undefined) return undefined
  for (const key in attributes) {
    const colon = key.indexOf(":")
    // Unprefixed attributes are in no namespace, whatever the default namespace is.
    const attrNs = colon === -1 ? "" : lookup(scope, key.slice(0, colon))
    if (key.slice(colon + 1) === local && attrNs === ns && key !== "xmlns" && !key.startsWith("xmlns:")) {
      return valueOf(attributes[key])
    }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------
// Text

/**
 * The character data directly inside an element (text decoded, CDATA literal), with the
 * first child element if there is one; `problem` when a reference does not decode.
 */
export interface TextOf {
  readonly text: string
  readonly child: string | undefined
}

/** The text directly in `content`, concatenated and untrimmed, or why it cannot be read. */
export const textOf = (content: Content): TextOf | XmlProblem => {
  let text = ""
  let child: string | undefined
  for (let i = 0; i < content.length; i++) {
    const node = content[i] as Node
    // Keys read by `for...in`: probing a fixed key on nodes of every shape is slow in V8.
    for (const key in node) {
      if (key === attributesKey) continue
      const value = node[key]
      if (key === textKey) {
        const decoded = decodeReferences(typeof value === "string" ? value : "")
        if (typeof decoded !== "string") return decoded
        text += decoded
      } else if (key === cdataKey) {
        // CDATA is literal: no reference decoding.
        if (Array.isArray(value)) {
          for (const part of value as Content) {
            for (const k in part) {
              const t = part[k]
              if (k === textKey && typeof t === "string") text += t
            }
          }
        }
      } else {
        child ??= key
      }
      break
    }
  }
  return { text, child }
}

/** Whether a {@link textOf} result is a problem. */
export const isXmlProblem = (u: TextOf | XmlProblem): u is XmlProblem => "kind" in u

// ---------------------------------------------------------------------------------------
// Element views, for the envelope and the fault

/** An element with its name resolved: a view over fast-xml-parser's node, made on demand. */
export interface Element {
  /** The name as written, for messages. */
  readonly name: string
  readonly ns: string
  readonly local: string
  readonly attributes: Attributes | undefined
  readonly content: Content
  /** The scope inside the element (its own declarations included). */
  readonly scope: Scope
}

const splitName = (name: string): readonly [prefix: string, local: string] => {
  const colon = name.indexOf(":")
  return colon === -1 ? ["", name] : [name.slice(0, colon), name.slice(colon + 1)]
}

/** The view of the element `node` (named `name`) inside `parent`. */
export const elementOf = (node: Node, name: string, parent: Scope): Either.Either<Element, XmlProblem> => {
  const rawAttributes = node[attributesKey]
  const attributes = rawAttributes !== null && typeof rawAttributes === "object"
    ? rawAttributes as Attributes
    : undefined
  const scope = scopeOf(attributes, parent)
  const [prefix, local] = splitName(name)
  const ns = lookup(scope, prefix)
  if (ns === undefined) return problem("NotXml", `the prefix "${prefix}" of <${name}> is not declared`)
  const inner = node[name]
  return Either.right({ name, ns, local, attributes, content: Array.isArray(inner) ? inner : [], scope })
}

/** The child elements of `element`, in document order. */
export const childElements = (element: Element): Either.Either<Array<Element>, XmlProblem> => {
  const out: Array<Element> = []
  for (const node of element.content) {
    const name = nameOf(node)
    if (name === undefined || name === textKey || name === cdataKey) continue
    const child = elementOf(node, name, element.scope)
    if (Either.isLeft(child)) return Either.left(child.left)
    out.push(child.right)
  }
  return Either.right(out)
}

/** Whether an element is named `{ns}local`. */
export const is = (element: Element, ns: string, local: string): boolean => element.local === local && element.ns === ns

// ---------------------------------------------------------------------------------------
// Parsing

/**
 * Parses a whole document into its root element, under the given limits.
 */
export const parseDocument = (body: string, limits: Limits = {}): Either.Either<Element, XmlProblem> => {
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
  const nodes: Content = Array.isArray(parsed.right) ? parsed.right : []
  for (const node of nodes) {
    const name = nameOf(node)
    if (name === undefined || name === textKey || name === cdataKey) continue
    return elementOf(node, name, rootScope)
  }
  return problem("NotXml", "no root element")
}
