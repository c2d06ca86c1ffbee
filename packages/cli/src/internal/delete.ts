/**
 * `mktows delete`: the objects listed in a file deleted, as a bulk job (report, journal,
 * progress). Each row names an object by its id or by its external key: a CSV file has the
 * columns `type`, and `id` or `externalKey.NAME` (or both, the id winning), or NDJSON of
 * `{"type": "Opportunity", "id": 64}` or `{"type": "Opportunity", "externalKey": {"name":
 * "externalOpportunityId", "value": "OPP-1"}}`. With `--type`, the file need not say the type:
 * an export of `mktows get` deletes as it is. A delete is harmless to repeat, so a row whose
 * chunk may have been applied is simply sent again on resume.
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Limits from "@mktows/core/Limits"
import * as MarketoClient from "@mktows/core/MarketoClient"
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Connection from "./connection.js"
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
  /** Every row's type, when the file does not say it (an export of `mktows get`). */
  readonly type: Option.Option<MarketoClient.DeleteRef["type"]>
  /** Objects per call: the transport's most. */
  readonly chunkSize: number
  /** The configured transport: SOAP deletes by id only. */
  readonly transport: Connection.Transport
  readonly report: Job.Options["report"]
  readonly journal: Job.Options["journal"]
  readonly rateWindow: Job.Options["rateWindow"]
  readonly tty: boolean
  readonly maxFailures: number
  readonly skipInvalid: boolean
  readonly reportColumns: Job.Options["reportColumns"]
  readonly command: string
}

/** The types a delete can name. */
export const types = ["Opportunity", "OpportunityPersonRole"] as const

/** An external key as a row gives it: the key field's name and the cell's value. */
interface Key {
  readonly name: string
  readonly value: unknown
}

const isType = (type: unknown): type is MarketoClient.DeleteRef["type"] =>
  typeof type === "string" && (types as ReadonlyArray<string>).includes(type)

const blank = (cell: unknown): boolean => cell === undefined || cell === null || cell === ""

/**
 * One row's reference: by its id when it has one, otherwise by its one external key (an
 * export of `mktows get` has a column per key name, each row filling at most one). REST
 * names an Opportunity by a key only (it has no integer ids), SOAP by its id only (Marketo's
 * deleteMObjects requires it).
 */
const check = (
  transport: Connection.Transport,
  line: number,
  record: number,
  type: unknown,
  id: unknown,
  keys: ReadonlyArray<Key>
): Rows.Row<MarketoClient.DeleteRef> => {
  const problems: Array<Rows.Problem> = []
  if (!isType(type)) {
    problems.push({ field: "type", message: `expected ${types.join(" or ")}, got ${show(type)}` })
  }
  const given = keys.filter((key) => !blank(key.value))
  let ref: { readonly id: number } | { readonly externalKey: Wire.Attrib } | undefined
  if (!blank(id)) {
    const number = typeof id === "string" && /^\d+$/.test(id.trim()) ? Number(id.trim()) : id
    if (typeof number !== "number" || !Number.isInteger(number) || number < 1 || number > Limits.xsIntMax) {
      problems.push({ field: "id", message: `expected a Marketo id (1 to ${Limits.xsIntMax}), got ${show(id)}` })
    } else {
      ref = { id: number }
    }
  } else if (given.length === 0) {
    problems.push({
      field: "id",
      message: keys.length === 0
        ? "no id: give the id, or name the object by its external key (externalKey.NAME)"
        : "no id and no external key: give one of them"
    })
  } else if (given.length > 1) {
    problems.push({
      field: "externalKey",
      message: `${given.length} external keys (${given.map((key) => key.name).join(", ")}): give one`
    })
  } else {
    const [key] = given as [Key]
    if (typeof key.value !== "string" || key.name === "") {
      problems.push({
        field: "externalKey",
        message: `expected {"name", "value"} texts, got ${show(key.name === "" ? key.value : key)}`
      })
    } else if (transport === "soap") {
      // Marketo's SOAP deleteMObjects requires the id: a key alone would only come back FAILED.
      problems.push({
        field: "id",
        message: `no id: over SOAP, Marketo deletes by id only (the row's ${key.name} names it over REST)`
      })
    } else {
      ref = { externalKey: { name: key.name, value: key.value } }
    }
  }
  return problems.length > 0 || ref === undefined || !isType(type)
    ? { line, record, valid: false, problems }
    : { line, record, valid: true, object: { type, ...ref } }
}

const show = (value: unknown): string => value === undefined ? "nothing" : JSON.stringify(value)

/** An NDJSON row's external key: `{"name", "value"}` as the library's DeleteRef holds it. */
const keysOf = (externalKey: unknown): ReadonlyArray<Key> => {
  if (blank(externalKey)) return []
  if (typeof externalKey !== "object" || externalKey === null || Array.isArray(externalKey)) {
    return [{ name: "", value: externalKey }]
  }
  const { name, value } = externalKey as { readonly name?: unknown; readonly value?: unknown }
  return typeof name === "string" ? [{ name, value }] : [{ name: "", value: externalKey }]
}

const keyPrefix = "externalkey."

const rows = (
  { file, format, transport, type: fixedType }: Options,
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
              problems: [{ field: "", message: "expected a JSON object {type, id} or {type, externalKey}" }]
            }
          }
          const dict = data as { readonly [key: string]: unknown }
          // An export of `mktows get` holds the object's type as `_tag`: its `type` is a field.
          const type = Option.getOrElse(fixedType, () => dict["_tag"] ?? dict["type"])
          return check(transport, line, record, type, dict["id"], keysOf(dict["externalKey"]))
        })
      )
    })
  }
  return Stream.suspend(() => {
    let columns:
      | { readonly type: number | undefined; readonly id: number; readonly keys: ReadonlyArray<Key & { at: number }> }
      | undefined
    let count = 0
    return Csv.records(file, Rows.maxRecordChars)(text).pipe(
      Stream.mapEffect((record) => {
        if (columns === undefined) {
          const names = record.fields.map((name) => name.trim())
          const lower = names.map((name) => name.toLowerCase())
          // With --type, a `type` column is not read: in an export it is the object's field.
          const type = Option.isSome(fixedType) ? undefined : lower.indexOf("type")
          const id = lower.indexOf("id")
          const keys = names.flatMap((name, at) =>
            name.toLowerCase().startsWith(keyPrefix) && name.length > keyPrefix.length
              ? [{ name: name.slice(keyPrefix.length), value: undefined, at }]
              : []
          )
          if (type === -1 || (id < 0 && keys.length === 0)) {
            return Effect.fail(
              new InputError({
                file,
                line: record.line,
                detail: `the header must have the columns ${
                  type === -1 ? "type (or pass --type) and " : ""
                }id or externalKey.NAME (e.g. externalKey.externalOpportunityId): it has ${names.join(",")}`
              })
            )
          }
          columns = { type, id, keys }
          return Effect.succeed([])
        }
        count++
        const at = columns
        const type = at.type === undefined ? Option.getOrUndefined(fixedType) : record.fields[at.type]
        return Effect.succeed([
          check(
            transport,
            record.line,
            count,
            type,
            at.id < 0 ? undefined : record.fields[at.id],
            at.keys.map((key) => ({ name: key.name, value: record.fields[key.at] }))
          )
        ])
      }),
      Stream.flattenIterables
    )
  })
}

/** The rows of the file, checked (exported for tests). */
export const readRows = (options: Options) => rows(options, Rows.bytes(options.file))

const work = (options: Options, client: MarketoClient.MarketoClientShape): Job.Work<MarketoClient.DeleteRef> => {
  const bytes = Rows.bytes(options.file)
  return {
    job: { command: "delete", type: "any", operation: "DELETE" },
    bytes,
    rows: (source) => rows(options, source ?? bytes),
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
      chunkSize: options.chunkSize,
      concurrency: Limits.maxConcurrentCalls,
      rateWindow: options.rateWindow,
      tty: options.tty,
      maxFailures: options.maxFailures,
      // A delete that FAILED (no such object) is final: there is nothing to retry.
      retryFailed: false,
      reportColumns: options.reportColumns,
      command: options.command
    }))
