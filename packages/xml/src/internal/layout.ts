/**
 * The XML layout of every mktows record: element names, WSDL sequence order, which
 * elements are optional, nillable, repeated or wrapped in an `ArrayOfX` list, derived
 * from the Wire Schemas (`@mktows/core/Wire`), which are the one description of the
 * records. The writer, the reader and the XSD (`xsd.ts`) all follow these layouts.
 *
 * Record keys are the WSDL element names (the Wire Schemas use them as they are).
 *
 * @internal
 */
import * as Wire from "@mktows/core/Wire"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/** Simple content: how text is read and written. */
export type Leaf = "string" | "int" | "boolean" | "dateTime"

/** A complex type: its element sequence. */
export interface Struct {
  readonly _tag: "Struct"
  /** The complexType name (the Schema's identifier). */
  readonly name: string
  readonly fields: ReadonlyArray<Field>
  /** Each field with its position in `fields`, by element name: the reader's lookup. */
  readonly index: ReadonlyMap<string, readonly [position: number, field: Field]>
  /** The record Schema's AST the layout was derived from. */
  readonly ast: AST.TypeLiteral
}

/** An `ArrayOfX` wrapper: one element holding zero or more `item` elements. */
export interface List {
  readonly _tag: "List"
  readonly item: string
  readonly of: Type
  /** The XSD type of each item, qualified (`tns:Attrib`). */
  readonly itemType: string
}

/** The content of one element. */
export type Type = Leaf | Struct | List

/** One element of a sequence. */
export interface Field {
  readonly name: string
  readonly type: Type
  /** The XSD type of the element, qualified (`xs:int`, `tns:ArrayOfAttrib`). */
  readonly xsdType: string
  /** minOccurs="0": absent key when absent. */
  readonly optional?: true
  /** nillable="true": `null` is written as xsi:nil. */
  readonly nillable?: true
  /** maxOccurs="unbounded" directly in the sequence (no wrapper): always an array. */
  readonly repeated?: true
  /** The Schema of the element's value (without the `null` of a nillable one): what the reader checks it with. */
  readonly ast: AST.AST
}

// ---------------------------------------------------------------------------------------
// Deriving the layouts from the Wire Schemas
//
// Element names are property names, the sequence is the declaration order, an optional
// key is minOccurs="0", `Schema.NullOr` is nillable, the complexType name is the
// identifier; the XML-only rest comes from `Wire.XmlAnnotation`. The Wire Schemas use a
// small vocabulary (records, arrays, strings, booleans, xs:int, literal enums), and what
// falls outside it is read as a string or a repeated element: the golden and XSD tests
// compare the result with the WSDL, so a Schema the derivation misreads shows up there.

const simpleTypeOf = (ast: AST.AST): string => {
  const annotated = Wire.getXmlAnnotation(ast)?.xsdType
  if (annotated !== undefined) return annotated
  switch (ast._tag) {
    case "Refinement":
      return simpleTypeOf(ast.from)
    case "BooleanKeyword":
      return "xs:boolean"
    // The Wire Schemas' only numbers are xs:int.
    case "NumberKeyword":
      return "xs:int"
    default:
      return "xs:string"
  }
}

const leafOf = (xsdType: string): Leaf =>
  xsdType === "xs:int"
    ? "int"
    : xsdType === "xs:boolean"
    ? "boolean"
    : xsdType === "xs:dateTime"
    ? "dateTime"
    : "string"

interface Content {
  readonly type: Type
  readonly xsdType: string
}

const structs = new WeakMap<AST.AST, Struct>()

/** The layout of a record Schema (a `TypeLiteral`), made once per AST node. */
export const structOf = (ast: AST.TypeLiteral): Struct => {
  const cached = structs.get(ast)
  if (cached !== undefined) return cached
  const fields = ast.propertySignatures.map(fieldOf)
  const made: Struct = {
    _tag: "Struct",
    name: Option.getOrElse(AST.getIdentifierAnnotation(ast), () => "Anonymous"),
    fields,
    index: new Map(fields.map((f, i) => [f.name, [i, f] as const])),
    ast
  }
  structs.set(ast, made)
  return made
}

const contentOf = (ast: AST.AST): Content => {
  if (ast._tag === "TypeLiteral") {
    const struct = structOf(ast)
    return { type: struct, xsdType: `tns:${struct.name}` }
  }
  const xsdType = simpleTypeOf(ast)
  return { type: leafOf(xsdType), xsdType }
}

const itemOf = (ast: AST.TupleType): AST.AST => ast.rest[0]?.type ?? AST.unknownKeyword

const fieldOf = (ps: AST.PropertySignature): Field => {
  const name = String(ps.name)
  let ast = ps.type
  let nillable = false
  if (ast._tag === "Union") {
    const members = ast.types.filter((m) => !(m._tag === "Literal" && m.literal === null))
    if (members.length === 1 && members[0] !== undefined) {
      nillable = true
      ast = members[0]
    }
  }
  const flags = {
    ...(ps.isOptional ? { optional: true as const } : {}),
    ...(nillable ? { nillable: true as const } : {})
  }
  if (ast._tag !== "TupleType") return { name, ...contentOf(ast), ...flags, ast }
  const item = Wire.getXmlAnnotation(ast)?.item
  const of = contentOf(itemOf(ast))
  // An array without an item name repeats its own element, as the WSDL writes an
  // unbounded element without wrapper.
  if (item === undefined) return { name, ...of, ...flags, repeated: true, ast }
  const list: List = { _tag: "List", item, of: of.type, itemType: of.xsdType }
  return { name, type: list, xsdType: `tns:ArrayOf${of.xsdType.slice(of.xsdType.indexOf(":") + 1)}`, ...flags, ast }
}

const layoutOf = (schema: Schema.Schema.Any): Struct =>
  schema.ast._tag === "TypeLiteral" ? structOf(schema.ast) : structOf(new AST.TypeLiteral([], []))

/** `AuthenticationHeaderInfo`. */
export const AuthenticationHeader: Struct = layoutOf(Wire.AuthenticationHeaderInfo)

/** Params (the content of `paramsX`) and result (the content of `successX/result`) per operation. */
export const layouts: {
  readonly [Op in Wire.Operation]: { readonly params: Struct; readonly result: Struct }
} = Object.fromEntries(
  Wire.Operation.literals.map((op) => [op, {
    params: layoutOf(Wire.operations[op].params),
    result: layoutOf(Wire.operations[op].result)
  }])
) as { readonly [Op in Wire.Operation]: { readonly params: Struct; readonly result: Struct } }

// ---------------------------------------------------------------------------------------
// Writing

/** Escapes character data. `>` always (so `]]>` cannot appear) and CR as a reference. */
export const escapeText = (text: string): string => {
  // A loop over the (short) text finds most values clean sooner than a regular expression
  // call does; only a value holding a character to escape is rewritten.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 38 || c === 60 || c === 62 || c === 13) return escapeFrom(text, i)
  }
  return text
}

const escapeFrom = (text: string, first: number): string => {
  let out = text.slice(0, first)
  let from = first
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const entity = c === 38 ? "&amp;" : c === 60 ? "&lt;" : c === 62 ? "&gt;" : c === 13 ? "&#13;" : undefined
    if (entity !== undefined) {
      out += text.slice(from, i) + entity
      from = i + 1
    }
  }
  return out + text.slice(from)
}

// Each layout is compiled once into closures that concatenate strings, with every tag
// text made in advance: writing a record is then one call per element and no lookups.
type Write = (value: unknown) => string

const writeLeaf = (leaf: Leaf): Write =>
  leaf === "boolean"
    ? (v) => v === true ? "true" : "false"
    : leaf === "int"
    ? (v) => String(v)
    : (v) => escapeText(typeof v === "string" ? v : String(v))

const writeElement = (name: string, type: Type): Write => {
  const open = `<${name}>`
  const close = `</${name}>`
  const nil = `<${name} xsi:nil="true"/>`
  // Structs are compiled lazily: a record type may be reached before its own writer exists.
  let content: Write | undefined
  return (v) => {
    if (v === null) return nil
    content ??= writeContent(type)
    return open + content(v) + close
  }
}

const writeContent = (type: Type): Write => {
  if (typeof type === "string") return writeLeaf(type)
  if (type._tag === "Struct") return writeStruct(type)
  const item = writeElement(type.item, type.of)
  return (v) => {
    if (!Array.isArray(v)) return ""
    let out = ""
    for (let i = 0; i < v.length; i++) out += item(v[i])
    return out
  }
}

const writers = new WeakMap<Struct, Write>()

/** Writes the children of a struct, in sequence order, skipping absent optional elements. */
export const writeStruct = (type: Struct): Write => {
  const cached = writers.get(type)
  if (cached !== undefined) return cached
  const fields = type.fields.map((field): readonly [string, Write] => {
    const element = writeElement(field.name, field.type)
    if (field.repeated !== true) return [field.name, element]
    return [field.name, (v) => {
      if (!Array.isArray(v)) return element(v)
      let out = ""
      for (let i = 0; i < v.length; i++) out += element(v[i])
      return out
    }]
  })
  const names = fields.map(([name]) => name)
  const elements = fields.map(([, element]) => element)
  const write: Write = (value) => {
    const record = (value ?? {}) as Readonly<Record<string, unknown>>
    let out = ""
    for (let i = 0; i < names.length; i++) {
      const v = record[names[i] as string]
      if (v !== undefined) out += (elements[i] as Write)(v)
    }
    return out
  }
  writers.set(type, write)
  return write
}
