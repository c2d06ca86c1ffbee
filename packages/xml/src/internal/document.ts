/**
 * Hardened parsing: the guard pass (`scan.ts`), then fast-xml-parser, and nothing else.
 *
 * fast-xml-parser runs with entity processing switched off, so it never expands anything.
 * Its output tree is not what the readers walk: it reports each element (`updateTag`, with its
 * depth and attributes) and each run of text (`tagValueProcessor`) as it meets them, and the
 * tree is built here from those reports, every node of one shape (`Node`). Its own tree keys
 * each element by its name, a hidden class per name: building it was the parser's largest
 * single cost, and reading it made every property access of the readers megamorphic. Told
 * that no element is to be kept, it builds none of it. The readers walk this tree once,
 * straight into records (`reader.ts`). Here are the few things they share: the parse itself,
 * prefix scopes resolved against the document's own `xmlns` declarations, reference
 * decoding, and a small view of an element for the envelope and the fault, which are read by
 * name rather than by layout.
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
  type CdataSections,
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

/** An element's attributes as written, prefixed names as keys. */
export type Attributes = Readonly<Record<string, unknown>>

/**
 * One node of a document: an element (its name as written, its attributes if it has any, its
 * first child) or a run of character data (named {@link textKey}, its text as written:
 * references not yet decoded). CDATA is read as the text it stands for (see `parseDocument`).
 *
 * A class, and children as a chain (`first`, then each child's `next`), not an array per
 * element: V8 pretenures the objects of an array or object literal whose earlier objects
 * outlived a collection, and a page's tree lives through its whole parse. Once a process
 * had decoded pages, every later tree (each answer's) was allocated in the old generation,
 * and an answer's decode cost up to twice as much. Measured on Node 20: nodes made by `new`
 * with no array showed none of it (with arrays of children they still did). The parser's
 * own attribute objects stay, on the few elements that have attributes.
 */
export class Node {
  /** An element's first child (undefined for an empty element and for text). */
  first: Node | undefined = undefined
  /** The next node in the parent's content. */
  next: Node | undefined = undefined
  constructor(
    readonly name: string,
    /** A text node's text; undefined for an element. */
    readonly text: string | undefined,
    readonly attributes: Attributes | undefined
  ) {}
}
/**
 * The content of an element: its first child node, the rest following by `next`, in
 * document order (undefined when it has none).
 */
export type Content = Node | undefined

/** The name of a text node (no element can be named so). */
export const textKey = "#text"

/** fast-xml-parser's options as the codec runs it (exported for the parser-floor probe). */
export const parserOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  removeNSPrefix: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // No callback of ours reads paths: the callbacks get the parser's path view, not strings.
  jPath: false,
  // Keep names exactly as written (the scan has refused __proto__, constructor and prototype).
  onDangerousProperty: (name: string) => name
} as const

const hasAny = (attributes: Attributes | undefined): boolean => {
  for (const _ in attributes) return true
  return false
}

/**
 * The nodes at the top level of `text`, parsed by fast-xml-parser under `maxDepth`. One
 * parser per document: its reports go to that document's tree, so nothing is shared
 * between parses (making one is a small part of a parse).
 */
const parseNodes = (text: string, maxDepth: number): Content => {
  const top = new Node("", undefined, undefined)
  // The element open at each depth (0: the document itself), and the last child it has so
  // far. An element at depth d belongs to the one last opened at depth d - 1: reports come
  // in document order.
  const open: Array<Node | undefined> = [top]
  const last: Array<Node | undefined> = [undefined]
  const append = (depth: number, node: Node): void => {
    const parent = open[depth]
    if (parent === undefined) return
    const before = last[depth]
    if (before === undefined) parent.first = node
    else before.next = node
    last[depth] = node
  }
  new XMLParser({
    ...parserOptions,
    maxNestedTags: maxDepth + 1,
    updateTag: (name, path, attributes) => {
      const depth = typeof path === "string" ? 0 : path.getDepth()
      const node = new Node(name, undefined, hasAny(attributes) ? attributes : undefined)
      append(depth - 1, node)
      open[depth] = node
      last[depth] = undefined
      // Not kept in the parser's own tree: this tree is the one read.
      return false
    },
    tagValueProcessor: (_name, text, path) => {
      const depth = typeof path === "string" ? 0 : path.getDepth()
      if (depth > 0) append(depth, new Node(textKey, text, undefined))
      return text
    }
  }).parse(text)
  return top.first
}

/**
 * fast-xml-parser alone, with the codec's options, its reports going nowhere: the parser's
 * own share of a parse, for the parser-floor probes (what the codec adds is the tree it
 * builds from the reports, the scan and the readers).
 */
export const parserFor = (maxDepth: number): XMLParser =>
  new XMLParser({ ...parserOptions, maxNestedTags: maxDepth + 1, updateTag: () => false })

/**
 * fast-xml-parser building its own ordered tree with the codec's options: the parser as the
 * codec drove it before it built its own tree from the reports (the line issue 23 measured),
 * for the same probes.
 */
export const treeParserFor = (maxDepth: number): XMLParser =>
  new XMLParser({ ...parserOptions, maxNestedTags: maxDepth + 1 })

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
 * The character data directly inside an element (references decoded), with the first child
 * element if there is one; `problem` when a reference does not decode.
 */
export interface TextOf {
  readonly text: string
  readonly child: string | undefined
}

/** The text directly in `content`, concatenated and untrimmed, or why it cannot be read. */
export const textOf = (content: Content): TextOf | XmlProblem => {
  let text = ""
  let child: string | undefined
  for (let node = content; node !== undefined; node = node.next) {
    const value = node.text
    if (value !== undefined) {
      const decoded = decodeReferences(value)
      if (typeof decoded !== "string") return decoded
      text += decoded
    } else {
      child ??= node.name
    }
  }
  return { text, child }
}

/** Whether a {@link textOf} result is a problem. */
export const isXmlProblem = (u: TextOf | XmlProblem): u is XmlProblem => "kind" in u

// ---------------------------------------------------------------------------------------
// Element views, for the envelope and the fault

/** An element with its name resolved: a view over a {@link Node} of the tree, made on demand. */
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

/** The view of the element `node` inside `parent`. */
export const elementOf = (node: Node, parent: Scope): Either.Either<Element, XmlProblem> => {
  const name = node.name
  const attributes = node.attributes
  const scope = scopeOf(attributes, parent)
  const [prefix, local] = splitName(name)
  const ns = lookup(scope, prefix)
  if (ns === undefined) return problem("NotXml", `the prefix "${prefix}" of <${name}> is not declared`)
  return Either.right({ name, ns, local, attributes, content: node.first, scope })
}

/** The child elements of `element`, in document order. */
export const childElements = (element: Element): Either.Either<Array<Element>, XmlProblem> => {
  const out: Array<Element> = []
  for (let node = element.content; node !== undefined; node = node.next) {
    if (node.text !== undefined) continue
    const child = elementOf(node, element.scope)
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
  const plain = withoutCdata(text, checked.right)
  const normalised = plain.includes("\r") ? plain.replace(/\r\n?/g, "\n") : plain
  const parsed = Either.try({
    try: () => parseNodes(normalised, maxDepth),
    catch: (e) => ({ kind: "NotXml" as const, detail: e instanceof Error ? e.message : "the parser failed" })
  })
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  for (let node = parsed.right; node !== undefined; node = node.next) {
    if (node.text === undefined) return elementOf(node, rootScope)
  }
  return problem("NotXml", "no root element")
}

/**
 * The document with each CDATA section written as the text it stands for ("&" and "<"
 * escaped), which is the same character data: the parser reports CDATA and text alike, and
 * the readers decode references in text only. `sections` are the scan's (so a "<![CDATA["
 * inside a comment is not one).
 */
const withoutCdata = (text: string, sections: CdataSections): string => {
  if (sections === undefined) return text
  let out = ""
  let from = 0
  for (let k = 0; k + 1 < sections.length; k += 2) {
    const start = sections[k] as number
    const end = sections[k + 1] as number
    out += text.slice(from, start) + text.slice(start + 9, end).replace(/&/g, "&amp;").replace(/</g, "&lt;")
    from = end + 3
  }
  return out + text.slice(from)
}
