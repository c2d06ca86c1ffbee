/**
 * An input file as a stream of checked rows: CSV or NDJSON in, one `Row` per record out,
 * each either a model ready to send or the problems that keep it from being sent, with the
 * line it starts on. Streaming throughout: memory does not grow with the file.
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type { MObject } from "@mktows/core/MObject"
import * as Validation from "@mktows/core/Validation"
import type { SyncOperation } from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as Columns from "./columns.js"
import * as Csv from "./csv.js"
import type { Mapping } from "./mapping.js"
import { decodeUtf8, InputError } from "./text.js"
import type * as Values from "./values.js"

/** The formats a file can have, told by its extension. */
export type Format = "csv" | "ndjson"

/** The format of `path` by its extension, if it is one we read or write. */
export const formatOf = (path: string): Format | undefined => {
  const lower = path.toLowerCase()
  if (lower.endsWith(".csv")) return "csv"
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson"
  return undefined
}

/**
 * The format of `path`, or why mktows neither reads nor writes it, naming what it does. A
 * `.json` file is refused rather than read or written as NDJSON: other programs take it for one
 * JSON document (an array), so an export named so would not be valid JSON to them, and an
 * array given to sync would be read as a line of no object. Files are streamed, one object a
 * line, so that memory does not grow with them.
 */
export const checkFormat = (path: string): Either.Either<Format, string> => {
  const format = formatOf(path)
  if (format !== undefined) return Either.right(format)
  return Either.left(
    path.toLowerCase().endsWith(".json")
      ? "a .json file is one JSON document to other programs, and mktows reads and writes one JSON object per line (NDJSON): name the file .ndjson or .jsonl (or use .csv)"
      : "expected a .csv, .ndjson or .jsonl file (NDJSON: one JSON object per line)"
  )
}

/** A problem of one row: the field (a path such as `costs[0].month`, or empty) and what is wrong. */
export interface Problem {
  readonly field: string
  readonly message: string
}

/** One record of the input, read as plain data or with the problems that kept it from being read. */
export interface RawRow {
  /** The physical line it starts on (1-based). */
  readonly line: number
  /** Its number among the data records (1-based: the header is not one). */
  readonly record: number
  readonly data: unknown
  readonly problems?: ReadonlyArray<Problem>
  /** The file's name for a field path (a CSV column's header), when it has one. */
  readonly label?: (path: ReadonlyArray<string | number>) => string | undefined
  /** The cells as the file has them (CSV), for a report that carries them. */
  readonly cells?: ReadonlyArray<string>
  /**
   * With `problems` of some cells (a CSV row whose cells could not all be read): the data of the
   * other cells, checked too so that every problem of the row is listed, not only the first kind.
   */
  readonly partial?: unknown
}

/** One record of the input, checked: the model to send, or its problems. */
export type Row<A = MObject> =
  | {
    readonly line: number
    readonly record: number
    readonly valid: true
    readonly object: A
    readonly cells?: ReadonlyArray<string>
  }
  | {
    readonly line: number
    readonly record: number
    readonly valid: false
    readonly problems: ReadonlyArray<Problem>
    /**
     * Why the row is passed over: not sent, and not a problem (a row of a sync's report whose
     * object the sync did not store, read by `delete`). Reported SKIPPED with this text.
     */
    readonly pass?: string
    readonly cells?: ReadonlyArray<string>
  }

/** How a file's records are read: a column mapping and how cells are written. */
export interface ReadOptions {
  readonly mapping?: Mapping | undefined
  readonly values?: Values.Settings | undefined
  /** What separates a CSV file's fields: a comma when not given (see `Csv.records`). */
  readonly delimiter?: Csv.Delimiter | undefined
  /** Told once, with the columns a mapping leaves out. */
  readonly onIgnored?:
    | ((headers: ReadonlyArray<string>, leftOut: ReadonlyArray<string>) => Effect.Effect<void>)
    | undefined
  /**
   * Told once, with the fields Marketo writes (an export's `createdAt`), read and not sent: a CSV
   * file's columns of them, or, for NDJSON, the type's such fields, once a line holds one.
   */
  readonly onReadOnly?:
    | ((names: ReadonlyArray<string>, as: "columns" | "fields") => Effect.Effect<void>)
    | undefined
}

/**
 * The largest record (a line of NDJSON, a CSV record) read, in characters (1 Mi: 1 MiB of
 * ASCII): a larger one is refused as soon as it passes the cap, never buffered whole.
 */
export const maxRecordChars = 1024 * 1024

/** The bytes of a file, in chunks. */
export const bytes = (file: string): Stream.Stream<Uint8Array, PlatformError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) => fs.stream(file, { chunkSize: 64 * 1024 })))

const isDict = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const whole = (message: string): ReadonlyArray<Problem> => [{ field: "", message }]

/**
 * Whether a JSON value holds no field: an object none of whose entries (`_tag` aside, the type)
 * holds a value, `{}` and `{"customFields": {}}` alike. Sent, it would create (or name) an object
 * of nothing, as a CSV row of empty cells would.
 */
export const holdsNoField = (value: unknown): boolean =>
  isDict(value) && Object.entries(value).every(([key, entry]) => key === "_tag" || holdsNoField(entry))

const ndjson =
  (file: string, type: Columns.ObjectType, options: ReadOptions) => <E, R>(text: Stream.Stream<string, E, R>) =>
    Stream.suspend(() => {
      let record = 0
      let told = false
      const written = Columns.readOnlyFieldNames(type)
      // An export of `mktows get` holds the fields Marketo writes (a Program's `tokens` and
      // `attributes`, which core refuses when sent): read and left out, with a note once.
      const tell = (parsed: { readonly [key: string]: unknown }) => {
        if (told || options.onReadOnly === undefined || !written.some((name) => Object.hasOwn(parsed, name))) {
          return Effect.void
        }
        told = true
        return options.onReadOnly(written, "fields")
      }
      return Csv.lines(text, file, maxRecordChars).pipe(
        Stream.mapEffect(({ content, line }): Effect.Effect<RawRow> => {
          record++
          let parsed: unknown
          try {
            parsed = JSON.parse(content)
          } catch (error) {
            return Effect.succeed({
              line,
              record,
              data: undefined,
              problems: whole(`not JSON: ${error instanceof Error ? error.message : String(error)}`)
            })
          }
          if (!isDict(parsed)) {
            return Effect.succeed({ line, record, data: parsed, problems: whole("expected a JSON object on the line") })
          }
          const data = Object.fromEntries(Object.entries(parsed).filter(([key]) => !written.includes(key)))
          return Effect.as(tell(parsed), ndjsonRow(type, content, line, record, data))
        })
      )
    })

/** One NDJSON line's object, its read-only fields left out: the row, or why it is not one to send. */
const ndjsonRow = (
  type: Columns.ObjectType,
  content: string,
  line: number,
  record: number,
  data: { readonly [key: string]: unknown }
): RawRow => {
  if (holdsNoField(data)) {
    return {
      line,
      record,
      cells: [content],
      data,
      problems: whole("no field: the line's object has none, so there is nothing to send")
    }
  }
  // The type comes from --type; a line that names another is refused rather than sent as it says.
  const cells = [content]
  if (data["_tag"] === undefined) return { line, record, cells, data: { _tag: type, ...data } }
  return data["_tag"] === type
    ? { line, record, cells, data }
    : {
      line,
      record,
      cells,
      data,
      problems: [{
        field: "_tag",
        message: `this is a ${type} job, the line says ${JSON.stringify(data["_tag"])}`
      }]
    }
}

const csv =
  (file: string, type: Columns.ObjectType, options: ReadOptions) => <E, R>(text: Stream.Stream<string, E, R>) =>
    Stream.suspend(() => {
      let columns: ReadonlyArray<Columns.Column> | undefined
      let width = 0
      let count = 0
      const label = (path: ReadonlyArray<string | number>) =>
        columns === undefined ? undefined : Columns.columnAt(columns, path)?.header
      return Csv.records(file, maxRecordChars, options.delimiter)(text).pipe(
        Stream.mapEffect((record): Effect.Effect<ReadonlyArray<RawRow>, InputError> => {
          if (columns === undefined) {
            const header = Columns.parseHeader(type, record.fields, options.mapping)
            if ("problems" in header) {
              return Effect.fail(
                new InputError({ file, line: record.line, detail: `the header: ${header.problems.join("; ")}` })
              )
            }
            // Every row would be an object with no field: sent, each would create an empty object.
            if (header.columns.length === 0) {
              return Effect.fail(
                new InputError({
                  file,
                  line: record.line,
                  detail: `the header: no column maps to a field of ${type}${
                    options.mapping === undefined ? "" : " (the mapping leaves out or ignores every column)"
                  }, so every row would be sent without a field; nothing was sent. Columns: ${
                    record.fields.map((field) => `'${field.trim()}'`).join(", ")
                  }. Map at least one to a field (mktows map FILE --type ${type} proposes a mapping).`
                })
              )
            }
            columns = header.columns
            width = record.fields.length
            return Effect.as(
              Effect.zipRight(
                header.ignored.length > 0 && options.onIgnored !== undefined
                  ? options.onIgnored(header.ignored, header.leftOut)
                  : Effect.void,
                header.readOnly.length > 0 && options.onReadOnly !== undefined
                  ? options.onReadOnly(header.readOnly, "columns")
                  : Effect.void
              ),
              []
            )
          }
          count++
          const read = Columns.toPlainData(type, columns, record.fields, width, options.values)
          const base = { line: record.line, record: count, label, cells: record.fields }
          return Effect.succeed([
            "problems" in read
              ? { ...base, data: undefined, problems: read.problems, partial: read.partial }
              : { ...base, data: read.data }
          ])
        }),
        Stream.flattenIterables
      )
    })

/** The header record of a CSV file (its first record, with the line it is on), if it has one. */
export const headerRecord = (
  file: string,
  delimiter?: Csv.Delimiter
): Effect.Effect<Csv.Record | undefined, InputError | PlatformError, FileSystem.FileSystem> =>
  bytes(file).pipe(
    decodeUtf8(file),
    Csv.records(file, maxRecordChars, delimiter),
    Stream.take(1),
    Stream.runHead,
    Effect.map((first) => first._tag === "Some" ? first.value : undefined)
  )

/** The header of a CSV file (its first record), for `mktows map` and a report that carries the input's columns. */
export const header = (
  file: string,
  delimiter?: Csv.Delimiter
): Effect.Effect<ReadonlyArray<string>, InputError | PlatformError, FileSystem.FileSystem> =>
  Effect.map(headerRecord(file, delimiter), (record) => record?.fields ?? [])

/** The records of a file as plain data, in file order. */
export const raw = (
  file: string,
  format: Format,
  type: Columns.ObjectType,
  source: Stream.Stream<Uint8Array, PlatformError, FileSystem.FileSystem> = bytes(file),
  options: ReadOptions = {}
): Stream.Stream<RawRow, InputError | PlatformError, FileSystem.FileSystem> =>
  source.pipe(decodeUtf8(file), format === "csv" ? csv(file, type, options) : ndjson(file, type, options))

const formatPath = (path: ReadonlyArray<string | number>): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("")

/**
 * What the transport cannot express, for one object (the REST mapping's refusals): checked
 * with the rows, so a dry run refuses what the real run would, and a refused row is INVALID.
 */
export type Refuse = (object: MObject, operation: SyncOperation) => ReadonlyArray<Problem>

/**
 * The problems of the cells of a row that could be read, beside those of its cells that could not
 * (`problems`): the model's rules and the transport's refusals, except for the fields whose cells
 * are already named (a cell that could not be read is missing from the data, not a second problem).
 */
const problemsOfTheRest = (
  partial: unknown,
  problems: ReadonlyArray<Problem>,
  operation: SyncOperation,
  named: (path: ReadonlyArray<string | number>) => string,
  refuse?: Refuse
): Effect.Effect<ReadonlyArray<Problem>> => {
  const told = new Set(problems.map((problem) => problem.field))
  // A problem of the whole row (a row of the wrong width) leaves nothing to check.
  if (told.has("")) return Effect.succeed(problems)
  const more = (found: ReadonlyArray<Problem>) => [...problems, ...found.filter((problem) => !told.has(problem.field))]
  return Effect.match(Validation.decode([partial], operation), {
    onFailure: (error) => more(error.issues.map((issue) => ({ field: named(issue.path), message: issue.message }))),
    onSuccess: (objects) => {
      const object = objects[0]
      return object === undefined || refuse === undefined ? problems : more(refuse(object, operation))
    }
  })
}

/** Checks one record for `operation`: the model, or every problem found. */
export const check = (row: RawRow, operation: SyncOperation, refuse?: Refuse): Effect.Effect<Row> => {
  const base = { line: row.line, record: row.record, ...(row.cells === undefined ? {} : { cells: row.cells }) }
  const named = (path: ReadonlyArray<string | number>) => row.label?.(path) ?? formatPath(path)
  return row.problems !== undefined
    ? Effect.map(
      row.partial === undefined
        ? Effect.succeed(row.problems)
        : problemsOfTheRest(row.partial, row.problems, operation, named, refuse),
      (problems): Row => ({ ...base, valid: false, problems })
    )
    : Effect.match(Validation.decode([row.data], operation), {
      onFailure: (error): Row => ({
        ...base,
        valid: false,
        problems: error.issues.map((issue) => ({ field: named(issue.path), message: issue.message }))
      }),
      onSuccess: (objects): Row => {
        const object = objects[0]
        if (object === undefined) return { ...base, valid: false, problems: whole("nothing to send") }
        const refused = refuse?.(object, operation) ?? []
        return refused.length > 0
          ? { ...base, valid: false, problems: refused }
          : { ...base, valid: true, object }
      }
    })
}

/** The checked rows of a file, in file order. */
export const read = (
  file: string,
  format: Format,
  type: Columns.ObjectType,
  operation: SyncOperation,
  source?: Stream.Stream<Uint8Array, PlatformError, FileSystem.FileSystem>,
  options: ReadOptions & { readonly refuse?: Refuse | undefined } = {}
): Stream.Stream<Row, InputError | PlatformError, FileSystem.FileSystem> =>
  Stream.mapEffect(raw(file, format, type, source, options), (row) => check(row, operation, options.refuse))
