/**
 * The outcome report: one row per input line (line, status, id, external key, error, and
 * with `--report-columns all` the input's own columns), as CSV or NDJSON by the file's
 * extension, written as the job goes. CSV cells are escaped against formula injection.
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as CsvCell from "./csvCell.js"
import type { LineOutcome } from "./journal.js"
import type { Format } from "./rows.js"

/** A line's outcome as reported: Marketo's statuses, IN_DOUBT, and INVALID for a row never sent. */
export interface ReportRow extends Omit<LineOutcome, "status"> {
  readonly status: LineOutcome["status"] | "INVALID"
  /** The input's cells (CSV) or line (NDJSON), for `--report-columns all`. */
  readonly cells?: ReadonlyArray<string> | undefined
}

/** The names of the input's columns a report carries: a CSV file's headers, or `json` for NDJSON lines. */
export type InputColumns = ReadonlyArray<string> | "json"

const csvCell = CsvCell.encode

/** The header of a CSV report. */
export const csvHeader = "line,status,id,externalKey,error\n"

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const inputOf = (columns: InputColumns, cells: ReadonlyArray<string>): unknown => {
  if (columns === "json") return parseJson(cells[0] ?? "")
  const out: { [key: string]: string } = {}
  columns.forEach((name, i) => Object.defineProperty(out, name, { value: cells[i] ?? "", enumerable: true }))
  return out
}

/** One report row as text in `format`, with its line end; with `columns`, the input's cells too. */
export const encodeRow = (format: Format, row: ReportRow, columns?: InputColumns): string => {
  if (format === "ndjson") {
    return `${
      JSON.stringify({
        line: row.line,
        status: row.status,
        ...(row.id === undefined ? {} : { id: row.id }),
        ...(row.externalKey === undefined ? {} : { externalKey: row.externalKey }),
        ...(row.error === undefined ? {} : { error: row.error }),
        ...(columns === undefined ? {} : { input: inputOf(columns, row.cells ?? []) })
      })
    }\n`
  }
  const key = row.externalKey === undefined ? "" : `${row.externalKey.name}=${row.externalKey.value}`
  const input = columns === undefined
    ? []
    : columns === "json"
    ? [row.cells?.[0] ?? ""]
    : columns.map((_, i) => row.cells?.[i] ?? "")
  return [
    String(row.line),
    row.status,
    row.id === undefined ? "" : String(row.id),
    csvCell(key),
    csvCell(row.error ?? ""),
    ...input.map(csvCell)
  ]
    .join(",") + "\n"
}

/** A report being written: rows are buffered and written in blocks, so a large job makes few writes. */
export interface Writer {
  readonly write: (rows: ReadonlyArray<ReportRow>) => Effect.Effect<void, PlatformError>
  /** Writes the report of a job that ended with no rows to write (its header alone). */
  readonly finish: Effect.Effect<void, PlatformError>
}

/**
 * The report to `file` (replacing it: a resumed job reports every line again), opened with its
 * first rows: a job that stops before any row has an outcome (a wrong secret, an unreachable
 * endpoint) leaves the report of the run before it as it was.
 */
export const open = (
  file: string,
  format: Format,
  columns?: InputColumns
): Effect.Effect<Writer, PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    // A report that cannot be written (no such directory, no permission) stops the job before
    // anything is sent: opened for appending, which changes nothing of a report already there.
    yield* Effect.scoped(fs.open(file, { flag: "a" }))
    const scope = yield* Effect.scope
    const encoder = new TextEncoder()
    let handle: FileSystem.File | undefined
    const opened = Effect.suspend(() =>
      handle !== undefined ? Effect.succeed(handle) : Effect.tap(
        Scope.extend(fs.open(file, { flag: "w" }), scope),
        (file) =>
          Effect.zipRight(
            format === "csv" ? file.writeAll(encoder.encode(header(columns))) : Effect.void,
            Effect.sync(() => {
              handle = file
            })
          )
      )
    )
    return {
      write: (rows) =>
        rows.length === 0
          ? Effect.void
          : Effect.flatMap(
            opened,
            (file) => file.writeAll(encoder.encode(rows.map((row) => encodeRow(format, row, columns)).join("")))
          ),
      finish: Effect.asVoid(opened)
    }
  })

const header = (columns: InputColumns | undefined): string => {
  const extra = columns === undefined ? [] : columns === "json" ? ["input"] : columns
  return extra.length === 0 ? csvHeader : `${csvHeader.trimEnd()},${extra.map(csvCell).join(",")}\n`
}
