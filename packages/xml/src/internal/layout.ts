/**
 * The XML layout of every mktows record: element names, WSDL sequence order, which
 * elements are optional, nillable, repeated or wrapped in an `ArrayOfX` list. One table
 * drives both the writer and the reader, so the two cannot drift apart.
 *
 * Record keys are the WSDL element names (the Wire Schemas use them as they are).
 *
 * @internal
 */
import * as Either from "effect/Either"
import { namespace, xsi as xsiNamespace } from "./names.js"
import { attribute, type XmlElement } from "./tree.js"

/** Simple content: how text is read and written. */
export type Leaf = "string" | "int" | "boolean" | "dateTime"

/** A complex type: its element sequence. */
export interface Struct {
  readonly _tag: "Struct"
  readonly fields: ReadonlyArray<Field>
  /** Each field with its position in `fields`, by element name: the reader's lookup. */
  readonly index: ReadonlyMap<string, readonly [position: number, field: Field]>
}

/** An `ArrayOfX` wrapper: one element holding zero or more `item` elements. */
export interface List {
  readonly _tag: "List"
  readonly item: string
  readonly of: Type
}

/** The content of one element. */
export type Type = Leaf | Struct | List

/** One element of a sequence. */
export interface Field {
  readonly name: string
  readonly type: Type
  /** minOccurs="0": absent key when absent. */
  readonly optional?: true
  /** nillable="true": `null` is written as xsi:nil. */
  readonly nillable?: true
  /** maxOccurs="unbounded" directly in the sequence (no wrapper): always an array. */
  readonly repeated?: true
}

const struct = (...fields: ReadonlyArray<Field>): Struct => ({
  _tag: "Struct",
  fields,
  index: new Map(fields.map((f, i) => [f.name, [i, f] as const]))
})
const list = (item: string, of: Type): List => ({ _tag: "List", item, of })
const req = (name: string, type: Type): Field => ({ name, type })
const opt = (name: string, type: Type): Field => ({ name, type, optional: true })
const nil = (name: string, type: Type): Field => ({ name, type, nillable: true })

const Attrib = struct(req("name", "string"), req("value", "string"))
const TypeAttrib = struct(req("attrType", "string"), opt("attrList", list("attrib", Attrib)))
const MObjAssociation = struct(req("mObjType", "string"), opt("id", "int"), opt("externalKey", Attrib))
const MObject = struct(
  req("type", "string"),
  opt("id", "int"),
  opt("externalKey", Attrib),
  opt("createdAt", "dateTime"),
  opt("updatedAt", "dateTime"),
  opt("attribList", list("attrib", Attrib)),
  opt("typeAttribList", list("typeAttrib", TypeAttrib)),
  opt("associationList", list("mObjAssociation", MObjAssociation))
)
const MObjStatus = struct(req("id", "int"), opt("externalKey", Attrib), req("status", "string"), opt("error", "string"))
const MObjCriteria = struct(req("attrName", "string"), req("comparison", "string"), req("attrValue", "string"))
const MObjFieldMetadata = struct(
  req("name", "string"),
  nil("description", "string"),
  nil("displayName", "string"),
  nil("sourceObject", "string"),
  req("dataType", "string"),
  nil("size", "int"),
  req("isReadonly", "boolean"),
  req("isUpdateBlocked", "boolean"),
  nil("isName", "boolean"),
  req("isPrimaryKey", "boolean"),
  req("isCustom", "boolean"),
  req("isDynamic", "boolean"),
  nil("dynamicFieldRef", "string"),
  req("updatedAt", "dateTime")
)
const MObjectMetadata = struct(
  req("name", "string"),
  nil("description", "string"),
  req("isCustom", "boolean"),
  req("isVirtual", "boolean"),
  req("fieldList", list("field", MObjFieldMetadata)),
  req("updatedAt", "dateTime")
)

/** `AuthenticationHeaderInfo`. */
export const AuthenticationHeader = struct(
  req("mktowsUserId", "string"),
  req("requestSignature", "string"),
  req("requestTimestamp", "string"),
  opt("audit", "string"),
  opt("mode", "int")
)

const mObjectList = list("mObject", MObject)
const mObjStatusList = list("mObjStatus", MObjStatus)

/** Params (the content of `paramsX`) and result (the content of `successX/result`) per operation. */
export const layouts = {
  syncMObjects: {
    params: struct(req("mObjectList", mObjectList), req("operation", "string")),
    result: struct(req("mObjStatusList", mObjStatusList))
  },
  getMObjects: {
    params: struct(
      req("type", "string"),
      opt("id", "int"),
      opt("externalKey", Attrib),
      opt("mObjCriteriaList", list("mObjCriteria", MObjCriteria)),
      opt("mObjAssociationList", list("mObjAssociation", MObjAssociation)),
      opt("includeDetails", "boolean"),
      opt("streamPosition", "string")
    ),
    result: struct(
      req("returnCount", "int"),
      req("hasMore", "boolean"),
      req("newStreamPosition", "string"),
      opt("mObjectList", mObjectList)
    )
  },
  describeMObject: {
    params: struct(req("objectName", "string")),
    result: struct(req("metadata", MObjectMetadata))
  },
  deleteMObjects: {
    params: struct(req("mObjectList", mObjectList)),
    result: struct(req("mObjStatusList", mObjStatusList))
  },
  listMObjects: {
    params: struct(),
    result: struct({ name: "objects", type: "string", repeated: true })
  }
} as const

// ---------------------------------------------------------------------------------------
// Writing

/** Escapes character data. `>` always (so `]]>` cannot appear) and CR as a reference. */
export const escapeText = (text: string): string =>
  /[&<>\r]/.test(text)
    ? text.replace(/[&<>\r]/g, (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;")
    : text

type Parts = Array<string>

const writeLeaf = (leaf: Leaf, value: unknown): string =>
  leaf === "boolean" ? (value === true ? "true" : "false") : leaf === "int" ? String(value) : escapeText(String(value))

const writeElement = (parts: Parts, name: string, type: Type, value: unknown): void => {
  if (value === null) {
    parts.push(`<${name} xsi:nil="true"/>`)
  } else if (typeof type === "string") {
    parts.push(`<${name}>`, writeLeaf(type, value), `</${name}>`)
  } else if (type._tag === "List") {
    parts.push(`<${name}>`)
    if (Array.isArray(value)) { for (const item of value) writeElement(parts, type.item, type.of, item) }
    parts.push(`</${name}>`)
  } else {
    parts.push(`<${name}>`)
    writeFields(parts, type, value)
    parts.push(`</${name}>`)
  }
}

/** Writes the children of a struct, in sequence order, skipping absent optional elements. */
export const writeFields = (parts: Parts, type: Struct, value: unknown): void => {
  const record = (value ?? {}) as Readonly<Record<string, unknown>>
  for (const field of type.fields) {
    const v = record[field.name]
    if (v === undefined) continue
    if (field.repeated === true && Array.isArray(v)) {
      for (const item of v) writeElement(parts, field.name, field.type, item)
    } else {
      writeElement(parts, field.name, field.type, v)
    }
  }
}

// ---------------------------------------------------------------------------------------
// Reading

/** A structural problem found while reading, with the record path where it was found. */
export interface ReadProblem {
  readonly path: ReadonlyArray<string | number>
  readonly detail: string
}

// The reader keeps the path to the element it is in as one stack, pushed and popped as it
// descends, and copies it only into a problem: a decode that succeeds builds no paths.
type Path = Array<string | number>

const failure = (path: Path, detail: string): Either.Either<never, ReadProblem> =>
  Either.left({ path: [...path], detail })

const isNil = (element: XmlElement): boolean => {
  if (element.attributes.length === 0) return false
  const v = attribute(element, xsiNamespace, "nil")?.trim()
  return v === "true" || v === "1"
}

const digits = /^[+-]?\d{1,10}$/

// Non-string simple types collapse whitespace; a value that does not parse is passed on
// as text, so that the Schema names the field and the value it got.
const readLeaf = (leaf: Leaf, text: string): unknown => {
  if (leaf === "string") return text
  const t = text.trim()
  if (leaf === "int") return digits.test(t) ? Number(t) : text
  if (leaf === "boolean") return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : text
  return t
}

const isWhitespace = (text: string): boolean => text === "" || /^[ \t\n\r]*$/.test(text)

const unexpectedText = (path: Path, element: XmlElement) =>
  failure(path, `unexpected text in <${element.name}>: "${element.text.trim().slice(0, 40)}"`)

// Children are unqualified; a document that puts them in the mktows namespace (a default
// xmlns on the global element) is read the same way.
const isLocal = (element: XmlElement): boolean => element.ns === "" || element.ns === namespace

const readElement = (
  element: XmlElement,
  type: Type,
  path: Path,
  strict: boolean
): Either.Either<unknown, ReadProblem> => {
  if (isNil(element)) return Either.right(null)
  if (typeof type === "string") {
    const inner = element.children[0]
    if (inner !== undefined) {
      return failure(path, `expected text in <${element.name}>, found <${inner.name}>`)
    }
    return Either.right(readLeaf(type, element.text))
  }
  if (type._tag === "Struct") return readStruct(element, type, path, strict)
  if (!isWhitespace(element.text)) return unexpectedText(path, element)
  const items: Array<unknown> = []
  for (const child of element.children) {
    if (!isLocal(child) || child.local !== type.item) {
      if (strict) return failure(path, `unexpected <${child.name}> in <${element.name}>`)
      continue
    }
    path.push(items.length)
    const item = readElement(child, type.of, path, strict)
    path.pop()
    if (Either.isLeft(item)) return item
    items.push(item.right)
  }
  return Either.right(items)
}

const readStruct = (
  element: XmlElement,
  type: Struct,
  path: Path,
  strict: boolean
): Either.Either<Record<string, unknown>, ReadProblem> => {
  if (!isWhitespace(element.text)) return unexpectedText(path, element)
  const out: Record<string, unknown> = {}
  // Which single fields were seen, by position (a struct has far fewer than 32 fields).
  let seen = 0
  for (const field of type.fields) if (field.repeated === true) out[field.name] = []
  for (const child of element.children) {
    const entry = isLocal(child) ? type.index.get(child.local) : undefined
    if (entry === undefined) {
      if (strict) return failure(path, `unexpected element <${child.name}> in <${element.name}>`)
      continue
    }
    const [at, field] = entry
    path.push(field.name)
    if (field.repeated === true) {
      const items = out[field.name] as Array<unknown>
      path.push(items.length)
      const item = readElement(child, field.type, path, strict)
      path.pop()
      path.pop()
      if (Either.isLeft(item)) return Either.left(item.left)
      items.push(item.right)
      continue
    }
    if ((seen & (1 << at)) !== 0) return failure(path, `<${child.name}> appears more than once`)
    seen |= 1 << at
    const value = readElement(child, field.type, path, strict)
    path.pop()
    if (Either.isLeft(value)) return Either.left(value.left)
    // Some SOAP stacks send xsi:nil for an unset optional element although the WSDL says
    // nillable="false": it can only mean "absent". On a required element it stays null,
    // and the Schema refuses it.
    if (value.right === null && field.optional === true && field.nillable !== true) continue
    out[field.name] = value.right
  }
  return Either.right(out)
}

/**
 * Reads the children of `element` as the struct `type`. Order is not enforced; a
 * duplicated single element is an error; an unknown element is an error when `strict`
 * (requests) and skipped otherwise (responses of a newer WSDL revision). Missing required
 * elements are left out so that the Schema reports them with their path.
 */
export const readFields = (
  element: XmlElement,
  type: Struct,
  path: ReadonlyArray<string | number>,
  strict: boolean
): Either.Either<Record<string, unknown>, ReadProblem> => readStruct(element, type, [...path], strict)
