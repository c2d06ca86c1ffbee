/**
 * Reading records straight from fast-xml-parser's output, one pass, no second tree.
 *
 * Each layout (`layout.ts`) is compiled once into closures, as the writers are: a struct
 * reader knows its fields by element name, each with the reader of its content, so reading
 * a record is one walk over its element's child nodes. Prefixes resolve against the
 * document's declarations as the walk descends (`document.ts`); elements a reader does not
 * know are skipped without a look inside (the scan has checked them already), or refused
 * in a strict read.
 *
 * Rules: order is not enforced; a duplicated single element is an error; one item and many
 * items read alike; text is kept untrimmed (simple non-string types collapse whitespace);
 * `xsi:nil` reads as `null`, and as absent on an optional element that is not nillable;
 * missing required elements are left out so that the Schema reports them with their path.
 *
 * @internal
 */
import * as Either from "effect/Either"
import {
  attribute,
  type Attributes,
  attributesKey,
  cdataKey,
  type Content,
  type Element,
  isXmlProblem,
  lookup,
  type Node,
  type Scope,
  scopeOf,
  textKey,
  textOf
} from "./document.js"
import type { Field, Leaf, Struct, Type } from "./layout.js"
import { namespace, xsi } from "./names.js"
import { decodeReferences } from "./references.js"

/** A structural problem found while reading, with the record path where it was found. */
export interface ReadProblem {
  /**
   * An element the type does not have there (or twice), content the type does not allow,
   * or a reference that does not decode (NotXml, Forbidden).
   */
  readonly kind: "WrongElement" | "SchemaMismatch" | "TooLarge" | "NotXml" | "Forbidden"
  readonly path: ReadonlyArray<string | number>
  readonly detail: string
}

// The state of one read. Readers return a value or `failed`, and put the problem here:
// the success path allocates nothing but the records it returns (no Either per element),
// and the path is one stack, pushed and popped as the walk descends, copied only into a
// problem.
interface Read {
  readonly strict: boolean
  readonly path: Array<string | number>
  problem: ReadProblem | undefined
  // The node last opened by `open`: its name ("#text", "#cdata" or an element's), what it
  // holds, and its attributes. Read into locals right away: the next `open` overwrites them.
  name: string | undefined
  value: unknown
  attributes: Attributes | undefined
}

const failed: unique symbol = Symbol("failed")
type Failed = typeof failed

const fail = (read: Read, detail: string, kind: ReadProblem["kind"] = "WrongElement"): Failed => {
  read.problem = { kind, path: [...read.path], detail }
  return failed
}

/**
 * Takes a node apart into `read.name`, `read.value` and `read.attributes`. A node's keys
 * are its name and, for an element with attributes, ":@"; reading them with `for...in` and
 * the key it yields stays on V8's fast path, where probing `node["#text"]` on nodes of
 * every shape was the reader's main cost.
 */
const open = (node: Node, read: Read): void => {
  read.name = undefined
  read.value = undefined
  read.attributes = undefined
  for (const key in node) {
    if (key === attributesKey) read.attributes = node[key] as Attributes
    else if (read.name === undefined) {
      read.name = key
      read.value = node[key]
    }
  }
}

/** Reads the content of one element (the element itself is named `name`, for messages). */
type ContentReader = (content: Content, name: string, scope: Scope, read: Read) => unknown

const isWhitespace = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false
  }
  return true
}

const isNil = (attributes: Attributes, scope: Scope): boolean => {
  const v = attribute(attributes, scope, xsi, "nil")?.trim()
  return v === "true" || v === "1"
}

// Children are unqualified; a document that puts them in the mktows namespace (a default
// xmlns on the global element) is read the same way.
const isLocalNs = (ns: string | undefined): boolean => ns === "" || ns === namespace

/** The local name of `name` when it is in no namespace or in mktows', else undefined. */
const localName = (name: string, scope: Scope): string | undefined => {
  const colon = name.indexOf(":")
  if (colon === -1) return isLocalNs(scope.defaultNs) ? name : undefined
  return isLocalNs(lookup(scope, name.slice(0, colon))) ? name.slice(colon + 1) : undefined
}

// ---------------------------------------------------------------------------------------
// Simple content

const digits = /^[+-]?\d{1,10}$/

// Non-string simple types collapse whitespace; a value that does not parse is passed on
// as text, so that the Schema names the field and the value it got.
const leafValue = (leaf: Leaf, text: string): unknown => {
  if (leaf === "string") return text
  const t = text.trim()
  if (leaf === "int") return digits.test(t) ? Number(t) : text
  if (leaf === "boolean") return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : text
  return t
}

const readLeaf = (leaf: Leaf): ContentReader => (content, name, _scope, read) => {
  // The common shapes first: empty, or one run of text without references.
  if (content.length === 0) return leafValue(leaf, "")
  if (content.length === 1) {
    open(content[0] as Node, read)
    const raw = read.value
    if (read.name === textKey && typeof raw === "string") {
      const decoded = decodeReferences(raw)
      return typeof decoded === "string" ? leafValue(leaf, decoded) : fail(read, decoded.detail, decoded.kind)
    }
  }
  const text = textOf(content)
  if (isXmlProblem(text)) return fail(read, text.detail, text.kind)
  if (text.child !== undefined) return fail(read, `expected text in <${name}>, found <${text.child}>`, "SchemaMismatch")
  return leafValue(leaf, text.text)
}

/** Fails unless all the character data directly in `content` is whitespace. */
const onlyWhitespace = (content: Content, name: string, read: Read): boolean => {
  let text: string | undefined
  for (let i = 0; i < content.length; i++) {
    open(content[i] as Node, read)
    const raw = read.value
    if (read.name === textKey ? typeof raw !== "string" || !isWhitespace(raw) : read.name === cdataKey) {
      // Rare: decode it all, as a reference may stand for a space.
      const all = textOf(content)
      if (isXmlProblem(all)) {
        fail(read, all.detail, all.kind)
        return false
      }
      text = all.text
      break
    }
  }
  if (text === undefined || isWhitespace(text)) return true
  fail(read, `unexpected text in <${name}>: "${text.trim().slice(0, 40)}"`, "SchemaMismatch")
  return false
}

// ---------------------------------------------------------------------------------------
// Elements, structs and lists

/**
 * Reads one element of `type` from what `open` found: its attributes (scope, xsi:nil),
 * then its content. `scope` is already the element's own.
 */
type ElementReader = (
  inner: unknown,
  attributes: Attributes | undefined,
  name: string,
  scope: Scope,
  read: Read
) => unknown

const noContent: Content = []

const elementReader = (type: Type): ElementReader => {
  // Structs are compiled lazily: a record type may be reached before its own reader exists.
  let content: ContentReader | undefined
  return (inner, attributes, name, scope, read) => {
    if (attributes !== undefined && isNil(attributes, scope)) return null
    content ??= contentReader(type)
    return content(Array.isArray(inner) ? inner : noContent, name, scope, read)
  }
}

const contentReader = (type: Type): ContentReader => {
  if (typeof type === "string") return readLeaf(type)
  if (type._tag === "Struct") return structReader(type)
  const item = elementReader(type.of)
  const itemName = type.item
  return (content, name, scope, read) => {
    if (!onlyWhitespace(content, name, read)) return failed
    const items: Array<unknown> = []
    for (let i = 0; i < content.length; i++) {
      open(content[i] as Node, read)
      const child = read.name
      if (child === undefined || child === textKey || child === cdataKey) continue
      const inner = read.value
      const attributes = read.attributes
      const childScope = attributes === undefined ? scope : scopeOf(attributes, scope)
      if (localName(child, childScope) !== itemName) {
        if (read.strict) return fail(read, `unexpected <${child}> in <${name}>`)
        continue
      }
      read.path.push(items.length)
      const value = item(inner, attributes, child, childScope, read)
      read.path.pop()
      if (value === failed) return failed
      items.push(value)
    }
    return items
  }
}

interface CompiledField {
  readonly field: Field
  /** The bit of this field in the set of single fields seen (a struct has far fewer than 32). */
  readonly bit: number
  readonly read: ElementReader
}

const structReaders = new WeakMap<Struct, ContentReader>()

const structReader = (type: Struct): ContentReader => {
  const cached = structReaders.get(type)
  if (cached !== undefined) return cached
  const byName = new Map<string, CompiledField>(
    type.fields.map((field, i) => [field.name, { field, bit: 1 << i, read: elementReader(field.type) }])
  )
  const repeated = type.fields.filter((f) => f.repeated === true).map((f) => f.name)
  const reader: ContentReader = (content, name, scope, read) => {
    if (!onlyWhitespace(content, name, read)) return failed
    const out: Record<string, unknown> = {}
    for (const r of repeated) out[r] = []
    let seen = 0
    for (let i = 0; i < content.length; i++) {
      open(content[i] as Node, read)
      const child = read.name
      if (child === undefined || child === textKey || child === cdataKey) continue
      const inner = read.value
      const attributes = read.attributes
      const childScope = attributes === undefined ? scope : scopeOf(attributes, scope)
      const local = localName(child, childScope)
      const compiled = local === undefined ? undefined : byName.get(local)
      if (compiled === undefined) {
        if (read.strict) return fail(read, `unexpected element <${child}> in <${name}>`)
        continue
      }
      const field = compiled.field
      read.path.push(field.name)
      if (field.repeated === true) {
        const items = out[field.name] as Array<unknown>
        read.path.push(items.length)
        const value = compiled.read(inner, attributes, child, childScope, read)
        read.path.pop()
        read.path.pop()
        if (value === failed) return failed
        items.push(value)
        continue
      }
      if ((seen & compiled.bit) !== 0) return fail(read, `<${child}> appears more than once`)
      seen |= compiled.bit
      const value = compiled.read(inner, attributes, child, childScope, read)
      read.path.pop()
      if (value === failed) return failed
      // Some SOAP stacks send xsi:nil for an unset optional element although the WSDL says
      // nillable="false": it can only mean "absent". On a required element it stays null,
      // and the Schema refuses it.
      if (value === null && field.optional === true && field.nillable !== true) continue
      out[field.name] = value
    }
    return out
  }
  structReaders.set(type, reader)
  return reader
}

/**
 * Reads the children of `element` as the struct `type`; an unknown element is an error
 * when `strict` (requests) and skipped otherwise (responses of a newer WSDL revision).
 */
export const readFields = (
  element: Element,
  type: Struct,
  strict: boolean
): Either.Either<Record<string, unknown>, ReadProblem> => {
  const read: Read = {
    strict,
    path: [],
    problem: undefined,
    name: undefined,
    value: undefined,
    attributes: undefined
  }
  const value = structReader(type)(element.content, element.name, element.scope, read)
  return value === failed
    ? Either.left(read.problem ?? { kind: "WrongElement", path: [], detail: "unreadable" })
    : Either.right(value as Record<string, unknown>)
}
