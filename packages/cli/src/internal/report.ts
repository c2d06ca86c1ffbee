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
}

/** Opens `file` for the report (replacing it: a resumed job reports every line again). */
export const open = (
  file: string,
  format: Format,
  columns?: InputColumns
): Effect.Effect<Writer, PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const handle = yield* fs.open(file, { flag: "w" })
    const encoder = new TextEncoder()
    if (format === "csv") {
      const extra = columns === undefined ? [] : columns === "json" ? ["input"] : columns
      yield* handle.writeAll(
        encoder.encode(extra.length === 0 ? csvHeader : `${csvHeader.trimEnd()},${extra.map(csvCell).join(",")}\n`)
      )
    }
    return {
      write: (rows) =>
        rows.length === 0
          ? Effect.void
          : handle.writeAll(encoder.encode(rows.map((row) => encodeRow(format, row, columns)).join("")))
    }
  })
