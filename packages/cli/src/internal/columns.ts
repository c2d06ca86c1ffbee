/**
 * CSV columns as paths into the plain data `Validation.decode` takes.
 *
 * A header names a field the way the NDJSON object would hold it, with dots between levels:
 * `name`, `amount`, `closeDate`, `customFields.Region`, `company.id`, `costs.0.month`,
 * `tags.1.value`. An external key is one column named after the key field, its cells the
 * values: `externalKey.externalId`, `company.externalKey.companyId`. Field names match
 * without regard to case, so Marketo's `Amount` works too. What kind of value a column
 * holds (number, boolean, text) is read from the model's Schema, so the CSV rules follow
 * the models instead of repeating them. An empty cell leaves the field out.
 */
import { Opportunity } from "@mktows/core/Opportunity"
import { OpportunityPersonRole } from "@mktows/core/OpportunityPersonRole"
import { Program } from "@mktows/core/Program"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/** The MObject types a file can hold. */
export type ObjectType = "Program" | "Opportunity" | "OpportunityPersonRole"

/** The kinds of cell values. */
export type Kind = "number" | "boolean" | "text"

const models = {
  Program: Schema.typeSchema(Schema.Struct(Program.fields)).ast,
  Opportunity: Schema.typeSchema(Schema.Struct(Opportunity.fields)).ast,
  OpportunityPersonRole: Schema.typeSchema(Schema.Struct(OpportunityPersonRole.fields)).ast
} as const

// Read-only or fixed fields: never a column.
const notColumns = new Set(["_tag", "createdAt", "updatedAt"])

type Segment = string | number

/** The kind of the leaf at `path`, or undefined when the path names no leaf of the model. */
const kindAt = (ast: AST.AST, path: ReadonlyArray<Segment>): Kind | undefined => {
  switch (ast._tag) {
    case "Refinement":
      return kindAt(ast.from, path)
    case "Transformation":
      return kindAt(ast.to, path)
    case "Suspend":
      return kindAt(ast.f(), path)
    case "Union": {
      for (const member of ast.types) {
        const kind = kindAt(member, path)
        if (kind !== undefined) return kind
      }
      return undefined
    }
    case "TypeLiteral": {
      const [head, ...rest] = path
      if (typeof head !== "string") return undefined
      const property = ast.propertySignatures.find((p) => p.name === head)
      if (property !== undefined) return kindAt(property.type, rest)
      const index = ast.indexSignatures[0]
      return index !== undefined && head.length > 0 ? kindAt(index.type, rest) : undefined
    }
    case "TupleType": {
      const [head, ...rest] = path
      const element = ast.rest[0]
      return typeof head === "number" && element !== undefined ? kindAt(element.type, rest) : undefined
    }
    case "NumberKeyword":
      return path.length === 0 ? "number" : undefined
    case "BooleanKeyword":
      return path.length === 0 ? "boolean" : undefined
    case "StringKeyword":
    case "Declaration": // a Date: given as YYYY-MM-DD text
      return path.length === 0 ? "text" : undefined
    default:
      return undefined
  }
}

const topLevel = (type: ObjectType): ReadonlyArray<string> => {
  const ast = models[type]
  return ast._tag === "TypeLiteral"
    ? ast.propertySignatures.map((p) => String(p.name)).filter((name) => !notColumns.has(name))
    : []
}

/** One column: where its cell goes and what it holds. */
export interface Column {
  readonly header: string
  readonly path: ReadonlyArray<Segment>
  readonly kind: Kind
  /** For an external-key column: the key's field name (the cell is its value). */
  readonly keyName?: string
}

/** The header, read: the columns, or what is wrong with it. */
export const parseHeader = (
  type: ObjectType,
  headers: ReadonlyArray<string>
): { readonly columns: ReadonlyArray<Column> } | { readonly problems: ReadonlyArray<string> } => {
  const known = topLevel(type)
  const problems: Array<string> = []
  const columns: Array<Column> = []
  const seen = new Set<string>()
  headers.forEach((raw, i) => {
    const header = raw.trim()
    const where = `column ${i + 1} ('${header}')`
    if (header.length === 0) return problems.push(`${where}: an empty column name`)
    const dot = header.indexOf(".")
    const first = dot < 0 ? header : header.slice(0, dot)
    const field = known.find((name) => name.toLowerCase() === first.toLowerCase())
    if (field === undefined) {
      return problems.push(`${where}: ${type} has no field '${first}' (fields: ${known.join(", ")})`)
    }
    const tail = dot < 0 ? "" : header.slice(dot + 1)
    let path: ReadonlyArray<Segment>
    let keyName: string | undefined
    const keyAt = tail.toLowerCase().startsWith("externalkey.") ? "externalKey.".length : -1
    if (field === "externalKey" && tail.length > 0) {
      path = ["externalKey"]
      keyName = tail
    } else if (keyAt > 0 && tail.length > keyAt) {
      path = [field, "externalKey"]
      keyName = tail.slice(keyAt)
    } else if (field === "customFields" || field === "attributes") {
      // A custom field's name may hold dots: everything after the first one is the name.
      path = tail.length > 0 ? [field, tail] : [field]
    } else {
      path = [field, ...(tail.length > 0 ? tail.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : [])]
    }
    const kind = keyName !== undefined ? "text" : kindAt(models[type], path)
    if (kind === undefined) {
      return problems.push(
        field === "externalKey"
          ? `${where}: name the key field, e.g. 'externalKey.externalId'`
          : `${where}: not a field of ${type} (write nested fields with dots, e.g. 'costs.0.month', 'company.id')`
      )
    }
    const id = `${path.join(".")}${keyName === undefined ? "" : `=${keyName}`}`
    if (seen.has(id)) return problems.push(`${where}: the same field as an earlier column`)
    seen.add(id)
    columns.push(keyName === undefined ? { header, path, kind } : { header, path, kind, keyName })
  })
  return problems.length > 0 ? { problems } : { columns }
}

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

// A cell that does not read as its kind stays text, so validation names the field and value.
const convert = (kind: Kind, cell: string): unknown => {
  if (kind === "number") return numberPattern.test(cell.trim()) ? Number(cell.trim()) : cell
  if (kind === "boolean") {
    const word = cell.trim().toLowerCase()
    return word === "true" || word === "1" ? true : word === "false" || word === "0" ? false : cell
  }
  return cell
}

type Container = { [key: string]: unknown } | Array<unknown>

// defineProperty, not assignment: a column named `customFields.__proto__` is data, never a prototype.
const setOwn = (target: object, key: Segment, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

const place = (target: { [key: string]: unknown }, path: ReadonlyArray<Segment>, value: unknown): void => {
  let node: Container = target
  const last = path.length - 1
  for (let i = 0; i < last; i++) {
    const key = path[i] ?? ""
    const next = path[i + 1]
    const child = Object.hasOwn(node, key) ? (node as { [key: string]: unknown })[key as string] : undefined
    if (child === undefined) {
      const made: Container = typeof next === "number" ? [] : {}
      setOwn(node, key, made)
      node = made
    } else {
      node = child as Container
    }
  }
  setOwn(node, path[last] ?? "", value)
}

// `costs.2.month` with no `costs.0`/`costs.1` cells leaves holes: entries are numbered for
// grouping cells, not positions, so the holes close up.
const compact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.filter((entry) => entry !== undefined).map(compact)
  if (typeof value === "object" && value !== null) {
    const out: { [key: string]: unknown } = {}
    for (const [key, entry] of Object.entries(value)) setOwn(out, key, compact(entry))
    return out
  }
  return value
}

/** One record as plain data of `type`, or why it cannot be read. */
export const toPlainData = (
  type: ObjectType,
  columns: ReadonlyArray<Column>,
  fields: ReadonlyArray<string>
): { readonly data: unknown } | { readonly problem: string } => {
  if (fields.length !== columns.length) {
    return { problem: `expected ${columns.length} fields (as many as the header has), got ${fields.length}` }
  }
  const data: { [key: string]: unknown } = { _tag: type }
  columns.forEach((column, i) => {
    const cell = fields[i] ?? ""
    if (cell.length === 0) return
    place(
      data,
      column.path,
      column.keyName === undefined ? convert(column.kind, cell) : { name: column.keyName, value: cell }
    )
  })
  return { data: compact(data) }
}
