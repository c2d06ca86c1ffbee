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
import * as Stream from "effect/Stream"
import * as Columns from "./columns.js"
import * as Csv from "./csv.js"
import { decodeUtf8, InputError } from "./text.js"

/** The formats a file can have, told by its extension. */
export type Format = "csv" | "ndjson"

/** The format of `path` by its extension, if it is one we read or write. */
export const formatOf = (path: string): Format | undefined => {
  const lower = path.toLowerCase()
  if (lower.endsWith(".csv")) return "csv"
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl") || lower.endsWith(".json")) return "ndjson"
  return undefined
}

/** A problem of one row: the field (a path such as `costs[0].month`, or empty) and what is wrong. */
export interface Problem {
  readonly field: string
  readonly message: string
}

/** One record of the input, read as plain data or with the problem that kept it from being read. */
export interface RawRow {
  readonly line: number
  readonly data: unknown
  readonly problem?: string
}

/** One record of the input, checked: the model to send, or its problems. */
export type Row<A = MObject> =
  | { readonly line: number; readonly valid: true; readonly object: A }
  | { readonly line: number; readonly valid: false; readonly problems: ReadonlyArray<Problem> }

/** The bytes of a file, in chunks. */
export const bytes = (file: string): Stream.Stream<Uint8Array, PlatformError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) => fs.stream(file, { chunkSize: 64 * 1024 })))

const isDict = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const ndjson = (type: Columns.ObjectType) => <E, R>(text: Stream.Stream<string, E, R>) =>
  Csv.lines(text).pipe(
    Stream.map(({ content, line }): RawRow => {
      let data: unknown
      try {
        data = JSON.parse(content)
      } catch (error) {
        return { line, data: undefined, problem: `not JSON: ${error instanceof Error ? error.message : String(error)}` }
      }
      if (!isDict(data)) return { line, data, problem: "expected a JSON object on the line" }
      // The type comes from --type; a line that names another is refused rather than sent as it says.
      if (data["_tag"] === undefined) return { line, data: { _tag: type, ...data } }
      return data["_tag"] === type
        ? { line, data }
        : { line, data, problem: `_tag: this is a ${type} job, the line says ${JSON.stringify(data["_tag"])}` }
    })
  )

const csv = (file: string, type: Columns.ObjectType) => <E, R>(text: Stream.Stream<string, E, R>) =>
  Stream.suspend(() => {
    let columns: ReadonlyArray<Columns.Column> | undefined
    return Csv.records(file)(text).pipe(
      Stream.mapEffect((record): Effect.Effect<ReadonlyArray<RawRow>, InputError> => {
        if (columns === undefined) {
          const header = Columns.parseHeader(type, record.fields)
          if ("problems" in header) {
            return Effect.fail(
              new InputError({ file, line: record.line, detail: `the header: ${header.problems.join("; ")}` })
            )
          }
          columns = header.columns
          return Effect.succeed([])
        }
        const read = Columns.toPlainData(type, columns, record.fields)
        return Effect.succeed([
          "problem" in read
            ? { line: record.line, data: undefined, problem: read.problem }
            : { line: record.line, data: read.data }
        ])
      }),
      Stream.flattenIterables
    )
  })

/** The records of a file as plain data, in file order. */
export const raw = (
  file: string,
  format: Format,
  type: Columns.ObjectType,
  source: Stream.Stream<Uint8Array, PlatformError, FileSystem.FileSystem> = bytes(file)
): Stream.Stream<RawRow, InputError | PlatformError, FileSystem.FileSystem> =>
  source.pipe(decodeUtf8(file), format === "csv" ? csv(file, type) : ndjson(type))

const formatPath = (path: ReadonlyArray<string | number>): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("")

/** Checks one record for `operation`: the model, or every problem found. */
export const check = (row: RawRow, operation: SyncOperation): Effect.Effect<Row> =>
  row.problem !== undefined
    ? Effect.succeed({ line: row.line, valid: false, problems: [{ field: "", message: row.problem }] })
    : Effect.match(Validation.decode([row.data], operation), {
      onFailure: (error): Row => ({
        line: row.line,
        valid: false,
        problems: error.issues.map((issue) => ({ field: formatPath(issue.path), message: issue.message }))
      }),
      onSuccess: (objects): Row =>
        objects[0] === undefined
          ? { line: row.line, valid: false, problems: [{ field: "", message: "nothing to send" }] }
          : { line: row.line, valid: true, object: objects[0] }
    })

/** The checked rows of a file, in file order. */
export const read = (
  file: string,
  format: Format,
  type: Columns.ObjectType,
  operation: SyncOperation,
  source?: Stream.Stream<Uint8Array, PlatformError, FileSystem.FileSystem>
): Stream.Stream<Row, InputError | PlatformError, FileSystem.FileSystem> =>
  Stream.mapEffect(raw(file, format, type, source), (row) => check(row, operation))
