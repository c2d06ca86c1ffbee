/**
 * `mktows delete`: the objects listed in a file deleted by id, as a bulk job (report,
 * journal, progress). A file is CSV with the columns `type` and `id`, or NDJSON of
 * `{"type": "Opportunity", "id": 64}`. A delete is harmless to repeat, so a row whose chunk
 * may have been applied is simply sent again on resume.
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Limits from "@mktows/core/Limits"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Csv from "./csv.js"
import type { Stop } from "./failure.js"
import * as Job from "./job.js"
import type * as Journal from "./journal.js"
import * as Rows from "./rows.js"
import { decodeUtf8, InputError } from "./text.js"

/** What `mktows delete` was asked to do. */
export interface Options {
  readonly file: string
  readonly format: Rows.Format
  readonly report: Job.Options["report"]
  readonly journal: Job.Options["journal"]
  readonly rateWindow: Job.Options["rateWindow"]
  readonly tty: boolean
  readonly maxFailures: number
  readonly skipInvalid: boolean
  readonly reportColumns: Job.Options["reportColumns"]
  readonly command: string
}

const check = (line: number, record: number, type: unknown, id: unknown): Rows.Row<MarketoClient.DeleteRef> => {
  const problems: Array<Rows.Problem> = []
  if (type !== "Opportunity" && type !== "OpportunityPersonRole") {
    problems.push({
      field: "type",
      message: `expected Opportunity or OpportunityPersonRole, got ${JSON.stringify(type)}`
    })
  }
  const number = typeof id === "string" && /^\d+$/.test(id.trim()) ? Number(id.trim()) : id
  if (typeof number !== "number" || !Number.isInteger(number) || number < 1 || number > Limits.xsIntMax) {
    problems.push({
      field: "id",
      message: `expected a Marketo id (1 to ${Limits.xsIntMax}), got ${JSON.stringify(id)}`
    })
  }
  return problems.length > 0
    ? { line, record, valid: false, problems }
    : { line, record, valid: true, object: { type: type as MarketoClient.DeleteRef["type"], id: number as number } }
}

const rows = (
  file: string,
  format: Rows.Format,
  source: Stream.Stream<Uint8Array, PlatformError, FileSystem.FileSystem>
) => {
  const text = source.pipe(decodeUtf8(file))
  if (format === "ndjson") {
    return Stream.suspend(() => {
      let record = 0
      return Csv.lines(text, file, Rows.maxRecordChars).pipe(
        Stream.map(({ content, line }): Rows.Row<MarketoClient.DeleteRef> => {
          record++
          let data: unknown
          try {
            data = JSON.parse(content)
          } catch (error) {
            return { line, record, valid: false, problems: [{ field: "", message: `not JSON: ${String(error)}` }] }
          }
          if (typeof data !== "object" || data === null || Array.isArray(data)) {
            return {
              line,
              record,
              valid: false,
              problems: [{ field: "", message: "expected a JSON object {type, id}" }]
            }
          }
          const dict = data as { readonly [key: string]: unknown }
          return check(line, record, dict["type"] ?? dict["_tag"], dict["id"])
        })
      )
    })
  }
  return Stream.suspend(() => {
    let columns: { readonly type: number; readonly id: number } | undefined
    let count = 0
    return Csv.records(file, Rows.maxRecordChars)(text).pipe(
      Stream.mapEffect((record) => {
        if (columns === undefined) {
          const names = record.fields.map((name) => name.trim().toLowerCase())
          const type = names.indexOf("type")
          const id = names.indexOf("id")
          if (type < 0 || id < 0) {
            return Effect.fail(
              new InputError({ file, line: record.line, detail: "the header must have the columns type and id" })
            )
          }
          columns = { type, id }
          return Effect.succeed([])
        }
        count++
        return Effect.succeed([check(record.line, count, record.fields[columns.type], record.fields[columns.id])])
      }),
      Stream.flattenIterables
    )
  })
}

const work = (options: Options, client: MarketoClient.MarketoClientShape): Job.Work<MarketoClient.DeleteRef> => {
  const bytes = Rows.bytes(options.file)
  return {
    job: { command: "delete", type: "any", operation: "DELETE" },
    bytes,
    rows: (source) => rows(options.file, options.format, source ?? bytes),
    inputColumns: options.format === "ndjson" ? Effect.succeed("json") : Rows.header(options.file),
    send: (refs) => client.deleteMObjects(refs, { failOnPartial: false }),
    reconcile: () => Effect.succeed("send")
  }
}

/** Deletes the objects of the file. */
export const run = (
  options: Options
): Effect.Effect<
  Job.ExitCode,
  Stop | InputError | PlatformError | Journal.JournalError,
  FileSystem.FileSystem | MarketoClient.MarketoClient
> =>
  Effect.flatMap(MarketoClient.MarketoClient, (client) =>
    Job.run(work(options, client), {
      report: options.report,
      journal: options.journal,
      skipInvalid: options.skipInvalid,
      chunkSize: Limits.maxObjectsPerCall,
      concurrency: Limits.maxConcurrentCalls,
      rateWindow: options.rateWindow,
      tty: options.tty,
      maxFailures: options.maxFailures,
      // A delete that FAILED (no such object) is final: there is nothing to retry.
      retryFailed: false,
      reportColumns: options.reportColumns,
      command: options.command
    }))
