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
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as CsvCell from "./csvCell.js"
import * as Values from "./values.js"

/** The MObject types the commands read and write, in the order their help lists them. */
export const objectTypes = ["Opportunity", "OpportunityPersonRole", "Program"] as const
/** The MObject types a file can hold. */
export type ObjectType = typeof objectTypes[number]

/** The kinds of cell values. */
export type Kind = "number" | "boolean" | "date" | "datetime" | "text"

const models = {
  Program: Schema.typeSchema(Schema.Struct(Program.fields)).ast,
  Opportunity: Schema.typeSchema(Schema.Struct(Opportunity.fields)).ast,
  OpportunityPersonRole: Schema.typeSchema(Schema.Struct(OpportunityPersonRole.fields)).ast
} as const

/**
 * The fields Marketo writes and a sync never sends: `mktows get` exports them, so a header of
 * mktows' own format may name them, and their columns are read and left out (`parseHeader`'s
 * `readOnly`), as are the same fields of an NDJSON record (`readOnlyFieldNames`). Core's
 * validation refuses a Program's tokens and attributes when sent.
 */
const readOnlyFields: Record<ObjectType, ReadonlySet<string>> = {
  Opportunity: new Set(["createdAt", "updatedAt"]),
  OpportunityPersonRole: new Set(["createdAt", "updatedAt"]),
  Program: new Set(["createdAt", "updatedAt", "tokens", "attributes"])
}

// The tag is fixed by --type: never a column.
const fixed = "_tag"

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
      return path.length === 0 ? "text" : undefined
    case "Declaration": // a Date: a calendar day as YYYY-MM-DD text; an instant (core's `Instant`) as ISO 8601
      return path.length !== 0
        ? undefined
        : AST.getIdentifierAnnotation(ast).pipe((id) => id._tag === "Some" && id.value === "Instant")
        ? "datetime"
        : "date"
    default:
      return undefined
  }
}

const allTopLevel = (type: ObjectType): ReadonlyArray<string> => {
  const ast = models[type]
  return ast._tag === "TypeLiteral"
    ? ast.propertySignatures.map((p) => String(p.name)).filter((name) => name !== fixed)
    : []
}

const topLevel = (type: ObjectType): ReadonlyArray<string> =>
  allTopLevel(type).filter((name) => !readOnlyFields[type].has(name))

/** The top-level fields of `type` a column can fill. */
export const fieldNames = (type: ObjectType): ReadonlyArray<string> => topLevel(type)

/**
 * The columns an export of `type` has whatever its objects hold: the top-level fields of one
 * value (`id`, `name`, `amount`, …, `createdAt`, `updatedAt`), in the model's order. An export
 * of no object has them as its header, so that it is still a file `sync` and `delete` read.
 */
export const standardColumns = (type: ObjectType): ReadonlyArray<string> =>
  allTopLevel(type).filter((name) => kindAt(models[type], [name]) !== undefined)

/** One column: where its cell goes and what it holds. */
export interface Column {
  readonly header: string
  /** Its position in a record. */
  readonly index: number
  readonly path: ReadonlyArray<Segment>
  readonly kind: Kind
  /** For an external-key column: the key's field name (the cell is its value). */
  readonly keyName?: string
}

/** Whether `path` of `type` is an external key (`{ name, value }`): a column names its key field. */
const holdsKey = (type: ObjectType, path: ReadonlyArray<Segment>): boolean =>
  kindAt(models[type], [...path, "name"]) === "text" && kindAt(models[type], [...path, "value"]) === "text"

/** The columns that give `type` a key: its own (`externalKey.NAME`) and its links' (`company.externalKey.NAME`). */
const keyColumns = (type: ObjectType): ReadonlyArray<string> =>
  topLevel(type).flatMap((field) =>
    field === "externalKey" && holdsKey(type, [field])
      ? ["externalKey.NAME"]
      : holdsKey(type, [field, "externalKey"])
      ? [`${field}.externalKey.NAME`]
      : []
  )

/** The characters of a field name Marketo has, whatever the field: no space, separator or quote. */
const oddInName = /[\s,;"']|\p{Cc}/u

/**
 * Why `name`, an external key's field name as a header writes it, is no field's name, if it is
 * not: core takes any text for it, and Marketo would look the key up by that text.
 */
const notAFieldName = (name: string): string | undefined => {
  const odd = oddInName.exec(name)?.[0]
  if (odd === undefined) return undefined
  const what = odd === "," ? "a comma" : odd === ";" ? "a semicolon" : odd === "\t" ? "a tab" : /\s/.test(odd)
    ? "a space"
    : odd === "\"" || odd === "'"
    ? "a quote"
    : "a control character"
  return `'${name}' is not a field name (it holds ${what}, which no Marketo field name has)${
    odd === "," || odd === ";" || odd === "\t"
      ? ": is the header read with the wrong --delimiter, so that several columns became one?"
      : ""
  }`
}

/** Where a field path of `type` goes and what it holds (`readOnly`: a field no sync sends), or what is wrong with it. */
const parseField = (
  type: ObjectType,
  text: string
): {
  readonly path: ReadonlyArray<Segment>
  readonly kind: Kind
  readonly keyName?: string
  readonly readOnly?: true
} | {
  readonly problem: string
  /** The problem is a name the type has no field of: a header lists the type's fields once, after all. */
  readonly unknown?: true
} => {
  const known = topLevel(type)
  const dot = text.indexOf(".")
  const first = dot < 0 ? text : text.slice(0, dot)
  const same = (name: string) => name.toLowerCase() === first.toLowerCase()
  const field = known.find(same) ?? [...readOnlyFields[type]].find(same)
  if (field === undefined) return { problem: `${type} has no field '${first}'`, unknown: true }
  const readOnly = readOnlyFields[type].has(field)
  const tail = dot < 0 ? "" : text.slice(dot + 1)
  let path: ReadonlyArray<Segment>
  let keyName: string | undefined
  const keyAt = tail.toLowerCase().startsWith("externalkey.") ? "externalKey.".length : -1
  if (field === "externalKey" && tail.length > 0) {
    path = ["externalKey"]
    keyName = tail
  } else if (keyAt > 0 && tail.length > keyAt && holdsKey(type, [field, "externalKey"])) {
    // Only where the model has a key (`company`, a role's `lead`): `name.externalKey.x` is no
    // field, and `customFields.externalKey.x` a custom field of that name.
    path = [field, "externalKey"]
    keyName = tail.slice(keyAt)
  } else if (field === "customFields" || field === "attributes") {
    // A custom field's name may hold dots: everything after the first one is the name.
    path = tail.length > 0 ? [field, tail] : [field]
  } else {
    path = [field, ...(tail.length > 0 ? tail.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : [])]
  }
  // A key's field name is sent as it is written: one that no field can have (a comma, a quote, a
  // space) is most likely a header of another dialect read as one column, and would key every
  // object by it.
  const odd = keyName === undefined ? undefined : notAFieldName(keyName)
  if (odd !== undefined) return { problem: odd }
  const kind = keyName !== undefined ? "text" : kindAt(models[type], path)
  if (kind === undefined) {
    return {
      problem: field === "externalKey"
        ? "name the key field, e.g. 'externalKey.externalId'"
        : keyAt > 0
        ? `${field} has no external key (${
          keyColumns(type).length > 0
            ? `the key columns of ${type}: ${keyColumns(type).join(", ")}`
            : `${type} has none`
        })`
        : `not a field of ${type} (write nested fields with dots, e.g. 'costs.0.month', 'company.id')`
    }
  }
  return readOnly ? { path, kind, readOnly } : keyName === undefined ? { path, kind } : { path, kind, keyName }
}

/**
 * The fields of `type` Marketo writes itself, by their names in the plain data (`createdAt`, a
 * Program's `tokens`): an NDJSON export of `mktows get` holds them, and they are read and not
 * sent, as their CSV columns are.
 */
export const readOnlyFieldNames = (type: ObjectType): ReadonlyArray<string> => [...readOnlyFields[type]]

/** The field `text` names when it is one Marketo writes itself (`createdAt`): read, never sent. */
export const readOnlyField = (type: ObjectType, text: string): string | undefined => {
  const parsed = parseField(type, text.trim())
  return "problem" in parsed || parsed.readOnly !== true ? undefined : String(parsed.path[0])
}

/** Whether `text` is a field path of `type` a sync sends (e.g. `amount`, `company.externalKey.companyId`). */
export const isField = (type: ObjectType, text: string): boolean => {
  const parsed = parseField(type, text.trim())
  return !("problem" in parsed) && parsed.readOnly !== true
}

/**
 * The field a column of `text` fills, one per row, or undefined when `text` names none. An
 * external key is one field whatever its name (`externalKey.marketoGUID` fills `externalKey`,
 * as `externalKey.externalOpportunityId` does): a second column of it would overwrite the first.
 */
export const filledField = (type: ObjectType, text: string): string | undefined => {
  const parsed = parseField(type, text.trim())
  return "problem" in parsed || parsed.readOnly === true ? undefined : fieldFilled(parsed.path)
}

// The rule itself: the field path without the key's name.
const fieldFilled = (path: ReadonlyArray<Segment>): string => path.join(".")

/**
 * The headers that more than one column has (compared trimmed, as a mapping names columns), each
 * with the columns' positions (from 1): `Opportunity Name` at columns 2 and 4. A mapping is a JSON
 * object from header to field, and cannot tell such columns apart.
 */
export const sameHeaders = (
  headers: ReadonlyArray<string>
): ReadonlyArray<{ readonly header: string; readonly columns: ReadonlyArray<number> }> => {
  const at = new Map<string, Array<number>>()
  headers.forEach((raw, i) => {
    const header = raw.trim()
    // Blank headers are the empty columns spreadsheets write after the last one: no mapping
    // names them, and each is left out alone.
    if (header !== "") at.set(header, [...(at.get(header) ?? []), i + 1])
  })
  return [...at].flatMap(([header, columns]) => (columns.length > 1 ? [{ header, columns }] : []))
}

/** `sameHeaders` in words: `'Opportunity Name' is the header of columns 2 and 4`. */
export const describeSameHeaders = (
  same: ReadonlyArray<{ readonly header: string; readonly columns: ReadonlyArray<number> }>
): string =>
  same.map(({ columns, header }) =>
    `'${header}' is the header of columns ${columns.slice(0, -1).join(", ")} and ${columns.at(-1)}`
  ).join("; ")

/**
 * The header, read: the columns, or what is wrong with it. Without a mapping each header
 * names its field; with one, a header names the field the mapping gives it, and a column the
 * mapping does not name (or maps to null) is left out and listed in `ignored`; those it maps
 * to null, on purpose, are in `leftOut` too.
 *
 * Without a mapping the header may be an export of `mktows get`, which is read back as it is:
 * a column of a field Marketo writes (`createdAt`, a Program's `attributes.…`) is listed in
 * `readOnly` and left out, and an external key may have a column per key name (the objects
 * exported had keys of several names), each row filling at most one (see `toPlainData`). A
 * mapping is the user's choice of columns: one that maps two columns to one key is refused.
 */
export const parseHeader = (
  type: ObjectType,
  headers: ReadonlyArray<string>,
  mapping?: ReadonlyMap<string, string | null>
): {
  readonly columns: ReadonlyArray<Column>
  readonly ignored: ReadonlyArray<string>
  readonly leftOut: ReadonlyArray<string>
  readonly readOnly: ReadonlyArray<string>
} | {
  readonly problems: ReadonlyArray<string>
} => {
  const problems: Array<string> = []
  const columns: Array<Column> = []
  const ignored: Array<string> = []
  const leftOut: Array<string> = []
  const readOnly: Array<string> = []
  // Whether a column names no field (`unknown`: not even the first part of one): the way out,
  // and the type's fields, are said once after every column, not once per column.
  let unknown = false
  let misnamed = false
  const seen = new Map<string, string>()
  const trimmed = headers.map((raw) => raw.trim())
  if (mapping !== undefined) {
    // A mapping names a column by its header: of two columns named alike it would map both, or
    // drop both, whatever it meant for each (a JSON object keeps one entry of a name).
    // Columns it leaves out (null) are left out alike: only a field given to both is refused.
    const same = sameHeaders(headers).filter(({ header }) =>
      [...mapping].some(([name, field]) => name.trim() === header && field !== null)
    )
    if (same.length > 0) {
      return {
        problems: [
          `${
            describeSameHeaders(same)
          }: a mapping names a column by its header, so it cannot tell them apart; rename the columns in the file so that each has its own header`
        ]
      }
    }
    for (const name of mapping.keys()) {
      if (!trimmed.includes(name.trim())) {
        problems.push(`the mapping names a column '${name}' the file does not have (columns: ${trimmed.join(", ")})`)
      }
    }
  }
  trimmed.forEach((header, i) => {
    const where = `column ${i + 1} ('${header}')`
    let target: string | null | undefined = header
    if (mapping !== undefined) {
      target = mapping.get(header) ?? [...mapping].find(([name]) => name.trim() === header)?.[1]
      if (target === null) leftOut.push(header)
      if (target === undefined || target === null) return ignored.push(header)
    }
    if (target.trim().length === 0) return problems.push(`${where}: an empty column name`)
    const parsed = parseField(type, target.trim())
    if ("problem" in parsed) {
      if (parsed.unknown === true) unknown = true
      misnamed = true
      return problems.push(`${where}${mapping === undefined ? "" : ` mapped to '${target}'`}: ${parsed.problem}`)
    }
    if (parsed.readOnly === true) {
      return mapping === undefined
        ? readOnly.push(header)
        : problems.push(
          `${where} mapped to '${target}': Marketo writes ${
            parsed.path[0]
          }, a sync never sends it; map the column to null`
        )
    }
    // The field it fills (see filledField): a second column of it would overwrite the first in
    // every row where both are filled, and change which record the row names.
    const id = fieldFilled(parsed.path)
    const earlier = seen.get(id)
    // Another key name for the same key, in mktows' own format: which one a row has is told per
    // row. The same key name twice is the same column twice, a mistake, as for any field.
    const keyName = parsed.keyName?.toLowerCase()
    const anotherKeyName = keyName !== undefined && mapping === undefined &&
      !columns.some((column) => fieldFilled(column.path) === id && column.keyName?.toLowerCase() === keyName)
    if (earlier !== undefined && !anotherKeyName) {
      return problems.push(
        parsed.keyName === undefined
          ? `${where}: the same field as an earlier column`
          : `${where}: a second ${id} (column '${earlier}' gives it already); a row has one: map one of them to null`
      )
    }
    if (earlier === undefined) seen.set(id, header)
    columns.push({ header, index: i, ...parsed })
  })
  const wayOut = mapping === undefined ? ["map the file's headers to fields with --map or --map-file"] : []
  if (misnamed) problems.push(...(unknown ? [`the fields of ${type}: ${topLevel(type).join(", ")}`] : []), ...wayOut)
  return problems.length > 0 ? { problems } : { columns, ignored, leftOut, readOnly }
}

const convert = (kind: Kind, cell: string, settings: Values.Settings): Either.Either<unknown, string> => {
  switch (kind) {
    case "number":
      return Values.number(cell)
    case "boolean":
      return Values.boolean(cell)
    case "date":
      return Values.date(cell, settings)
    case "datetime":
      return Values.dateTime(cell, settings)
    case "text":
      return Either.right(cell)
  }
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

/**
 * One record as plain data of `type`, or why it cannot be read: each problem names its column as
 * the file does. When only some cells cannot be read, `partial` is the data of the others, so
 * that the rest of the row can be checked too and every problem of it listed at once.
 */
export const toPlainData = (
  type: ObjectType,
  columns: ReadonlyArray<Column>,
  fields: ReadonlyArray<string>,
  width: number = columns.length,
  settings: Values.Settings = Values.defaults
): { readonly data: unknown } | {
  readonly problems: ReadonlyArray<{ readonly field: string; readonly message: string }>
  readonly partial?: unknown
} => {
  if (fields.length !== width) {
    return {
      problems: [{ field: "", message: `expected ${width} fields (as many as the header has), got ${fields.length}` }]
    }
  }
  const data: { [key: string]: unknown } = { _tag: type }
  const problems: Array<{ readonly field: string; readonly message: string }> = []
  let filled = 0
  // The column that gave each external key of the row: a row names one object, by one key.
  const keys = new Map<string, string>()
  for (const column of columns) {
    // Our own exports escape formula-like cells with a `'`: read back, it goes.
    const cell = CsvCell.decode(fields[column.index] ?? "")
    if (cell.trim().length === 0) continue
    filled++
    if (column.keyName !== undefined) {
      const key = fieldFilled(column.path)
      const earlier = keys.get(key)
      if (earlier !== undefined) {
        problems.push({
          field: column.header,
          message: `a second ${key} in this row (column '${earlier}' gives it already): a row fills one of them`
        })
        continue
      }
      keys.set(key, column.header)
      place(data, column.path, { name: column.keyName, value: cell })
      continue
    }
    const value = convert(column.kind, cell, settings)
    if (Either.isLeft(value)) problems.push({ field: column.header, message: value.left })
    else place(data, column.path, value.right)
  }
  // Sent, a row of no field would create (or name) an object of nothing: not a row to send.
  if (filled === 0) {
    return {
      problems: [{
        field: "",
        message: `no field: ${
          columns.length <= 5
            ? `its cells of ${columns.map((column) => `'${column.header}'`).join(", ")} are empty`
            : `its cells of all ${columns.length} columns read are empty`
        }, so there is nothing to send`
      }]
    }
  }
  return problems.length > 0 ? { problems, partial: compact(data) } : { data: compact(data) }
}

/** The column that fills the field at `path` (a validation issue's path), if one does. */
export const columnAt = (
  columns: ReadonlyArray<Column>,
  path: ReadonlyArray<string | number>
): Column | undefined => {
  const text = path.join(".")
  return columns.find((column) => {
    const own = column.path.join(".")
    return text === own || text.startsWith(`${own}.`)
  })
}
