/**
 * The outcome report: one row per input line (line, status, id, external key, error, and
 * with `--report-columns all` the input's own columns), as CSV or NDJSON by the file's
 * extension, written as the job goes. CSV cells are escaped against formula injection.
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
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
  /**
   * Makes the report the file's: called once a call of the job has an outcome, and when the
   * job ends. Until then the rows go to `FILE.part`, removed if the job stops first.
   */
  readonly commit: Effect.Effect<void, PlatformError>
}

/**
 * The report to `file` (replacing it: a resumed job reports every line again). It is written
 * to `FILE.part` and takes the file's place only once a call has an outcome (or the job ends),
 * so a job that stops before any call was answered (a wrong secret, an endpoint out of reach)
 * leaves the report of the run before it as it was, however many lines a journal settled
 * first. A report that cannot be written fails here, before anything is sent.
 */
export const open = (
  file: string,
  format: Format,
  columns?: InputColumns
): Effect.Effect<Writer, PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    // A report already there must be a file this run can replace: opened for appending, which
    // changes nothing of it (a directory, or a read-only file, fails here).
    if (yield* fs.exists(file)) yield* Effect.scoped(fs.open(file, { flag: "a" }))
    const part = `${file}.part`
    const handle = yield* fs.open(part, { flag: "w" })
    let committed = false
    // Not committed when the scope closes (the job stopped first): the part goes, the report stays.
    yield* Effect.addFinalizer(() => committed ? Effect.void : Effect.ignore(fs.remove(part)))
    const encoder = new TextEncoder()
    if (format === "csv") yield* handle.writeAll(encoder.encode(header(columns)))
    return {
      // Written whole once started: Ctrl-C in the middle of a block must not leave half a row
      // before the rows the stop then reports.
      write: (rows) =>
        rows.length === 0
          ? Effect.void
          : Effect.uninterruptible(
            handle.writeAll(encoder.encode(rows.map((row) => encodeRow(format, row, columns)).join("")))
          ),
      // The open handle follows the rename: later rows go on into the report itself.
      commit: Effect.suspend(() =>
        committed ? Effect.void : Effect.tap(fs.rename(part, file), () =>
          Effect.sync(() => {
            committed = true
          }))
      )
    }
  })

const header = (columns: InputColumns | undefined): string => {
  const extra = columns === undefined ? [] : columns === "json" ? ["input"] : columns
  return extra.length === 0 ? csvHeader : `${csvHeader.trimEnd()},${extra.map(csvCell).join(",")}\n`
}
