/**
 * Reading records straight from the parsed document (`document.ts`: fast-xml-parser's
 * reports, every node of one shape), one pass, no second tree.
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
 * Each value is checked as it is read, with the checks `decoder.ts` compiles from the very
 * Schema the layout was derived from, so that a record the reader vouches for is what the
 * Schema would answer for it (same keys, same order) and needs no second pass. Anything the
 * checks do not vouch for (a bad value, a missing element, a `null` where none is allowed,
 * elements out of sequence order, a Schema construct the checks do not know) is still read
 * whole and left to the Schema, which stays the authority for every error.
 *
 * @internal
 */
import { XmlString } from "@mktows/core/XmlText"
import * as Either from "effect/Either"
import type * as AST from "effect/SchemaAST"
import { type Check, compileValue, rejected, type Trusted } from "./decoder.js"
import {
  attribute,
  type Attributes,
  type Content,
  type Element,
  isXmlProblem,
  lookup,
  type Scope,
  scopeOf,
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

/** What {@link readFields} read, and whether its checks vouch for all of it. */
export interface ReadRecord {
  readonly value: Record<string, unknown>
  /**
   * Every value passed the check of its Schema, every required element is there, and the
   * keys are in declaration order: the Schema would answer this very record.
   */
  readonly vouched: boolean
}

// The state of one read. Readers return a value or `failed`, and put the problem here:
// the success path allocates nothing but the records it returns (no Either per element),
// and the path of a problem is built only when there is one, each level adding its segment
// as the failure returns through it.
interface Read {
  readonly strict: boolean
  problem:
    | { readonly kind: ReadProblem["kind"]; readonly path: Array<string | number>; readonly detail: string }
    | undefined
  /** False from the first value the checks do not vouch for. */
  vouched: boolean
}

const failed: unique symbol = Symbol("failed")
type Failed = typeof failed

const fail = (read: Read, detail: string, kind: ReadProblem["kind"] = "WrongElement"): Failed => {
  read.problem = { kind, path: [], detail }
  return failed
}

/** A failure from below, passing through a level: the level's path segments go in front. */
const failedIn = (read: Read, segment: string | number, index?: number): Failed => {
  const path = read.problem?.path
  if (path !== undefined) {
    if (index === undefined) path.unshift(segment)
    else path.unshift(segment, index)
  }
  return failed
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

/**
 * Whether the element written `name` is the element `local` (in no namespace or in mktows').
 * Most are written unprefixed, and compared whole before the name is searched for a prefix.
 */
const isNamed = (name: string, local: string, scope: Scope): boolean =>
  name === local ? isLocalNs(scope.defaultNs) : localName(name, scope) === local

// ---------------------------------------------------------------------------------------
// Checks

// Every string the reader yields is text of a document the scan has checked character by
// character (and references decode only to characters XML allows), so `XmlString`'s own
// predicate holds for it already: its check is the check of a string.
const xmlStringFilter = (XmlString.ast as AST.Refinement).filter
const documentText: Trusted = (refinement) => refinement.filter === xmlStringFilter

/** The check of a simple value of Schema `ast`, or undefined when the checks do not know it. */
const leafCheck = (ast: AST.AST): Check | undefined => compileValue(ast, documentText)

/** The Schema of one item of an array Schema, when it is a plain `Schema.Array(item)`. */
const itemAst = (ast: AST.AST): AST.AST | undefined =>
  ast._tag === "TupleType" && ast.elements.length === 0 && ast.rest.length === 1 ? ast.rest[0]?.type : undefined

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

const readLeaf = (leaf: Leaf, ast: AST.AST | undefined): ContentReader => {
  const check = ast === undefined ? undefined : leafCheck(ast)
  const checked = (value: unknown, read: Read): unknown => {
    if (check === undefined || check(value) === rejected) read.vouched = false
    return value
  }
  return (content, name, _scope, read) => {
    // The common shapes first: empty, or one run of text without references.
    if (content === undefined) return checked(leafValue(leaf, ""), read)
    if (content.next === undefined) {
      // A leaf's one node is text nearly always.
      const raw = content.text
      if (raw !== undefined) {
        const decoded = decodeReferences(raw)
        return typeof decoded === "string"
          ? checked(leafValue(leaf, decoded), read)
          : fail(read, decoded.detail, decoded.kind)
      }
    }
    const text = textOf(content)
    if (isXmlProblem(text)) return fail(read, text.detail, text.kind)
    if (text.child !== undefined) {
      return fail(read, `expected text in <${name}>, found <${text.child}>`, "SchemaMismatch")
    }
    return checked(leafValue(leaf, text.text), read)
  }
}

/** Fails unless all the character data directly in `content` is whitespace. */
const onlyWhitespace = (content: Content, name: string, read: Read): boolean => {
  let text: string | undefined
  for (let node = content; node !== undefined; node = node.next) {
    const raw = node.text
    if (raw !== undefined && !isWhitespace(raw)) {
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

/**
 * Whether a text node met while walking an element's children may stand: whitespace, as
 * most is, or text that decodes to whitespace (checked over all the content, as
 * {@link onlyWhitespace} does, which also puts the problem in `read`).
 */
const textMayStand = (raw: string, content: Content, name: string, read: Read): boolean =>
  isWhitespace(raw) || onlyWhitespace(content, name, read)

/**
 * A failure of an element with children: text that may not stand in it is reported first,
 * wherever it is, as the element's own problem (as a check before the walk would).
 */
const textFirst = (content: Content, name: string, read: Read): Failed => {
  onlyWhitespace(content, name, read)
  return failed
}

// ---------------------------------------------------------------------------------------
// Elements, structs and lists

/**
 * Reads one element of `type`: its attributes (scope, xsi:nil), then its content. `scope` is
 * already the element's own.
 */
type ElementReader = (
  inner: Content,
  attributes: Attributes | undefined,
  name: string,
  scope: Scope,
  read: Read
) => unknown

/** `ast`: the Schema of the element's value (undefined when not known: never vouched). */
const elementReader = (type: Type, ast: AST.AST | undefined): ElementReader => {
  // Structs are compiled lazily: a record type may be reached before its own reader exists.
  let content: ContentReader | undefined
  return (inner, attributes, name, scope, read) => {
    if (attributes !== undefined && isNil(attributes, scope)) return null
    content ??= contentReader(type, ast)
    return content(inner, name, scope, read)
  }
}

const contentReader = (type: Type, ast: AST.AST | undefined): ContentReader => {
  if (typeof type === "string") return readLeaf(type, ast)
  if (type._tag === "Struct") {
    const struct = structReader(type)
    // A struct is vouched for by its own record Schema only.
    return ast === type.ast ? struct : (content, name, scope, read) => {
      read.vouched = false
      return struct(content, name, scope, read)
    }
  }
  const itemOf = ast === undefined ? undefined : itemAst(ast)
  const item = elementReader(type.of, itemOf)
  const itemName = type.item
  // An array Schema the checks do not know (a refinement of an array, a tuple) is never vouched for.
  const known = itemOf !== undefined
  // One walk over the children: text between them is checked as it is met (see textFirst).
  return (content, name, scope, read) => {
    if (!known) read.vouched = false
    const items: Array<unknown> = []
    for (let node = content; node !== undefined; node = node.next) {
      const text = node.text
      if (text !== undefined) {
        if (!textMayStand(text, content, name, read)) return failed
        continue
      }
      const inner = node.first
      const child = node.name
      const attributes = node.attributes
      const childScope = attributes === undefined ? scope : scopeOf(attributes, scope)
      if (!isNamed(child, itemName, childScope)) {
        if (read.strict) {
          fail(read, `unexpected <${child}> in <${name}>`)
          return textFirst(content, name, read)
        }
        continue
      }
      const value = item(inner, attributes, child, childScope, read)
      if (value === failed) {
        failedIn(read, items.length)
        return textFirst(content, name, read)
      }
      // A nil item: the checks know no nullable items; the Schema says.
      if (value === null) read.vouched = false
      items.push(value)
    }
    return items
  }
}

interface CompiledField {
  readonly field: Field
  /** The position of the field in its struct (a struct has far fewer than 32 fields). */
  readonly position: number
  /** Its bit in the set of single fields seen. */
  readonly bit: number
  readonly read: ElementReader
}

const structReaders = new WeakMap<Struct, ContentReader>()

const structReader = (type: Struct): ContentReader => {
  const cached = structReaders.get(type)
  if (cached !== undefined) return cached
  const compiled = type.fields.map((field, position): CompiledField => ({
    field,
    position,
    bit: 1 << position,
    read: elementReader(field.type, field.repeated === true ? itemAst(field.ast) : field.ast)
  }))
  const byName = new Map<string, CompiledField>(compiled.map((c) => [c.field.name, c]))
  const repeated = type.fields.filter((f) => f.repeated === true).map((f) => f.name)
  let required = 0
  for (const c of compiled) {
    if (c.field.optional !== true && c.field.repeated !== true) required |= c.bit
  }
  // The reader starts a record with its repeated fields (always present, as arrays), so
  // its keys are in declaration order only when those come first.
  const firstSingle = type.fields.findIndex((f) => f.repeated !== true)
  // The checks know plain record Schemas only: no index signatures, string keys.
  const known = type.ast.indexSignatures.length === 0 &&
    (firstSingle === -1 || type.fields.slice(firstSingle).every((f) => f.repeated !== true)) &&
    type.ast.propertySignatures.every((ps) => typeof ps.name === "string")
  // One walk over the children: text between them is checked as it is met (see textFirst).
  const reader: ContentReader = (content, name, scope, read) => {
    if (!known) read.vouched = false
    const out: Record<string, unknown> = {}
    for (const r of repeated) out[r] = []
    let seen = 0
    // The position of the last single field read: one before it means the document is
    // out of sequence order, and the record's keys would be too.
    let last = -1
    // The next field in sequence order: most documents are in that order, and a comparison
    // with its name is cheaper than a lookup by name.
    let next = 0
    for (let node = content; node !== undefined; node = node.next) {
      const text = node.text
      if (text !== undefined) {
        if (!textMayStand(text, content, name, read)) return failed
        continue
      }
      const inner = node.first
      const child = node.name
      const attributes = node.attributes
      const childScope = attributes === undefined ? scope : scopeOf(attributes, scope)
      let field = compiled[next]
      if (field === undefined || !isNamed(child, field.field.name, childScope)) {
        const local = localName(child, childScope)
        field = local === undefined ? undefined : byName.get(local)
        if (field === undefined) {
          if (read.strict) {
            fail(read, `unexpected element <${child}> in <${name}>`)
            return textFirst(content, name, read)
          }
          continue
        }
      }
      const f = field.field
      if (f.repeated === true) {
        next = field.position
        const items = out[f.name] as Array<unknown>
        const value = field.read(inner, attributes, child, childScope, read)
        if (value === failed) {
          failedIn(read, f.name, items.length)
          return textFirst(content, name, read)
        }
        if (value === null) read.vouched = false
        items.push(value)
        continue
      }
      if ((seen & field.bit) !== 0) {
        fail(read, `<${child}> appears more than once`)
        failedIn(read, f.name)
        return textFirst(content, name, read)
      }
      seen |= field.bit
      if (field.position < last) read.vouched = false
      last = field.position
      next = field.position + 1
      const value = field.read(inner, attributes, child, childScope, read)
      if (value === failed) {
        failedIn(read, f.name)
        return textFirst(content, name, read)
      }
      if (value === null) {
        // Some SOAP stacks send xsi:nil for an unset optional element although the WSDL says
        // nillable="false": it can only mean "absent". On a required element it stays null,
        // and the Schema refuses it.
        if (f.nillable !== true) {
          if (f.optional === true) continue
          read.vouched = false
        }
      }
      out[f.name] = value
    }
    // A missing required element is left out, for the Schema to report with its path.
    if ((seen & required) !== required) read.vouched = false
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
): Either.Either<ReadRecord, ReadProblem> => {
  const read: Read = { strict, problem: undefined, vouched: true }
  const value = structReader(type)(element.content, element.name, element.scope, read)
  return value === failed
    ? Either.left(read.problem ?? { kind: "WrongElement", path: [], detail: "unreadable" })
    : Either.right({ value: value as Record<string, unknown>, vouched: read.vouched })
}
