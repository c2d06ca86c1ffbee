/**
 * The outcome report: one row per input line (line, status, id, external key, error), as
 * CSV or NDJSON by the file's extension, written as the job goes.
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { LineOutcome } from "./journal.js"
import type { Format } from "./rows.js"

/** A line's outcome as reported: Marketo's statuses, IN_DOUBT, and INVALID for a row never sent. */
export interface ReportRow extends Omit<LineOutcome, "status"> {
  readonly status: LineOutcome["status"] | "INVALID"
}

const csvCell = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replaceAll("\"", "\"\"")}"` : text)

/** The header of a CSV report. */
export const csvHeader = "line,status,id,externalKey,error\n"

/** One report row as text in `format`, with its line end. */
export const encodeRow = (format: Format, row: ReportRow): string => {
  if (format === "ndjson") {
    return `${
      JSON.stringify({
        line: row.line,
        status: row.status,
        ...(row.id === undefined ? {} : { id: row.id }),
        ...(row.externalKey === undefined ? {} : { externalKey: row.externalKey }),
        ...(row.error === undefined ? {} : { error: row.error })
      })
    }\n`
  }
  const key = row.externalKey === undefined ? "" : `${row.externalKey.name}=${row.externalKey.value}`
  return [
    String(row.line),
    row.status,
    row.id === undefined ? "" : String(row.id),
    csvCell(key),
    csvCell(row.error ?? "")
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
  format: Format
): Effect.Effect<Writer, PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const handle = yield* fs.open(file, { flag: "w" })
    const encoder = new TextEncoder()
    if (format === "csv") yield* handle.writeAll(encoder.encode(csvHeader))
    return {
      write: (rows) =>
        rows.length === 0
          ? Effect.void
          : handle.writeAll(encoder.encode(rows.map((row) => encodeRow(format, row)).join("")))
    }
  })
