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
import * as RestMapping from "@mktows/rest/RestMapping"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Columns from "./columns.js"
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
  readonly destination: Job.Options["destination"]
  /** What separates a CSV file's fields (`--delimiter`): a comma when not given. */
  readonly delimiter?: Csv.Delimiter | undefined
}

/** The types a delete can name. */
export const types = ["Opportunity", "OpportunityPersonRole"] as const

/** An external key as a row gives it: the key field's name and the cell's value. */
interface Key {
  readonly name: string
  readonly value: unknown
  /** What the cell should have held, when it names no key (a report's `externalKey` without `=`). */
  readonly expected?: string
}

const isType = (type: unknown): type is MarketoClient.DeleteRef["type"] =>
  typeof type === "string" && (types as ReadonlyArray<string>).includes(type)

// A cell of spaces names nothing, as an empty one; a key's value is kept as it is written,
// as sync keeps it (the key a sync stored is the key a delete names).
const blank = (cell: unknown): boolean =>
  cell === undefined || cell === null || (typeof cell === "string" && cell.trim() === "")

/** The MObject types a row may state: the delete's, and the one `get` also exports. */
const typeNames: ReadonlyArray<string> = Columns.objectTypes

/**
 * The row's type: `--type` when given, unless the row states another MObject type (an
 * export of roles deleted with `--type Opportunity` must not delete opportunities of their
 * ids); a `type` cell that is no type name is then the object's own field ("Renewal").
 */
const typeOf = (fixed: Option.Option<MarketoClient.DeleteRef["type"]>, stated: unknown) =>
  Option.match(fixed, {
    onNone: () => ({ type: stated }),
    onSome: (type) =>
      typeof stated === "string" && typeNames.includes(stated) && stated !== type
        ? { type, conflict: `the row is of type ${stated}, --type says ${type}` }
        : { type }
  })

const idOf = (id: unknown): number | undefined => {
  const number = typeof id === "string" && /^\d+$/.test(id.trim()) ? Number(id.trim()) : id
  return typeof number === "number" && Number.isInteger(number) && number >= 1 && number <= Limits.xsIntMax
    ? number
    : undefined
}

/**
 * One row's reference, as the transport names an object: over SOAP by its id (Marketo's
 * deleteMObjects requires it), over REST by its one external key (REST has no integer ids
 * for opportunities and roles). An export of `mktows get` has both, and a column per key
 * name, each row filling at most one.
 */
const check = (
  transport: Connection.Transport,
  line: number,
  record: number,
  row: { readonly type: unknown; readonly conflict?: string },
  id: unknown,
  keys: ReadonlyArray<Key>
): Rows.Row<MarketoClient.DeleteRef> => {
  const problems: Array<Rows.Problem> = []
  const type = row.type
  if (row.conflict !== undefined) problems.push({ field: "type", message: row.conflict })
  else if (!isType(type)) {
    // Only without --type (with it, every row has a type). A type name in other letters is
    // named as written; any other text may be an export of `get`, whose `type` column is the
    // object's own Type field ("Renewal"), which reads as no MObject type.
    const named = typeof type === "string"
      ? types.find((t) => t.toLowerCase() === type.trim().toLowerCase())
      : undefined
    problems.push({
      field: "type",
      message: `expected ${types.join(" or ")}, got ${show(type)}${
        named !== undefined
          ? ` (written ${named})`
          : blank(type)
          ? ""
          : " (if this file is an export of get, its type column is the object's own Type field: pass --type to name the MObject type)"
      }`
    })
  }
  const given = keys.filter((key) => !blank(key.value))
  const hasId = !blank(id)
  let ref: { readonly id: number } | { readonly externalKey: Wire.Attrib } | undefined
  if (transport === "soap" || given.length === 0) {
    if (!hasId) {
      problems.push({
        field: "id",
        message: transport === "soap"
          ? "no id: over SOAP, Marketo deletes by id only"
          : keys.length === 0
          ? "no external key: over REST, name the object by its externalKey.NAME (REST has no integer ids for it)"
          : "no external key and no id: give one"
      })
    } else {
      const number = idOf(id)
      if (number === undefined) {
        problems.push({ field: "id", message: `expected a Marketo id (1 to ${Limits.xsIntMax}), got ${show(id)}` })
      } else {
        // Over REST, refused below in REST's own words (it has no integer ids for these types).
        ref = { id: number }
      }
    }
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
        message: `expected ${key.expected ?? `{"name", "value"} texts`}, got ${show(key.name === "" ? key.value : key)}`
      })
    } else {
      ref = { externalKey: { name: key.name, value: key.value } }
    }
  }
  if (problems.length > 0 || ref === undefined || !isType(type)) return { line, record, valid: false, problems }
  const object: MarketoClient.DeleteRef = { type, ...ref }
  // Over REST, what REST cannot delete by (a role by anything but its marketoGUID), refused
  // by the function the transport refuses a call with, so the first pass sees it too.
  const refused = transport === "rest"
    ? RestMapping.refuse("deleteMObjects", { mObjectList: [MarketoClient.deleteRefToWire(object)] })
    : []
  return refused.length > 0
    ? {
      line,
      record,
      valid: false,
      problems: refused.map((issue) => ({ field: issue.path.map(String).join("."), message: issue.message }))
    }
    : { line, record, valid: true, object }
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

/** The first columns of mktows's report (`line,status,id,externalKey,error`), lower-cased. */
const reportHeader = ["line", "status", "id", "externalkey", "error"]

/**
 * Why a sync report's row is not deleted, or undefined when it is: only an object the sync
 * stored (CREATED, UPDATED, UNCHANGED) is. A SKIPPED row's object the sync left as it was (an
 * INSERT of a key that exists, or a row naming an object another row created): deleting it by
 * this row would delete what this row never wrote.
 */
const passedOver = (status: string | undefined): string | undefined => {
  const s = (status ?? "").trim()
  if (s === "CREATED" || s === "UPDATED" || s === "UNCHANGED") return undefined
  const why = s === "SKIPPED"
    ? "the sync left its object as it was (there before it, or created by another row of the file)"
    : s === "IN_DOUBT"
    ? "the sync does not know whether it stored it: check, then delete it by its id or key"
    : s === "DELETED"
    ? "it was deleted"
    : "the sync stored nothing for this row"
  return `not deleted: the report says ${s === "" ? "no status" : s}: ${why}`
}

/**
 * A report's `externalKey` cell, `NAME=VALUE` as mktows's report writes it (split at the first
 * `=`: a key's field name holds none), so that the report of a sync deletes what it created.
 */
const reportKey = (cell: string | undefined): ReadonlyArray<Key> => {
  if (blank(cell)) return []
  const at = (cell as string).indexOf("=")
  return at > 0
    ? [{ name: (cell as string).slice(0, at), value: (cell as string).slice(at + 1) }]
    : [{ name: "", value: cell, expected: "NAME=VALUE, as mktows's report writes a key" }]
}

const rows = (
  { delimiter, file, format, transport, type: fixedType }: Options,
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
          // A reference of nothing, as sync refuses an object of nothing: named here for what it is,
          // not only for the id or the key it lacks.
          if (Rows.holdsNoField(dict)) {
            return {
              line,
              record,
              valid: false,
              problems: [{ field: "", message: "no field: the line's object has none, so it names nothing to delete" }]
            }
          }
          // An export of `mktows get` holds the object's type as `_tag`: its `type` is a field.
          const type = typeOf(fixedType, dict["_tag"] ?? dict["type"])
          return check(transport, line, record, type, dict["id"], keysOf(dict["externalKey"]))
        })
      )
    })
  }
  return Stream.suspend(() => {
    let columns:
      | {
        readonly type: number
        readonly id: number
        readonly keys: ReadonlyArray<Key & { at: number }>
        readonly reportKey: number
        /** A report's status column, or -1. */
        readonly status: number
      }
      | undefined
    let count = 0
    return Csv.records(file, Rows.maxRecordChars, delimiter)(text).pipe(
      Stream.mapEffect((record) => {
        if (columns === undefined) {
          const names = record.fields.map((name) => name.trim())
          const lower = names.map((name) => name.toLowerCase())
          // With --type, a `type` column may be the object's own field (an export's): it is
          // read only to catch a row of another MObject type.
          const type = lower.indexOf("type")
          const id = lower.indexOf("id")
          const keys = names.flatMap((name, at) =>
            name.toLowerCase().startsWith(keyPrefix) && name.length > keyPrefix.length
              ? [{ name: name.slice(keyPrefix.length), value: undefined, at }]
              : []
          )
          // A report's `NAME=VALUE` key column (`line,status,id,externalKey,error`).
          const keyColumn = lower.indexOf("externalkey")
          // A report of mktows (those columns in that order): its status says what the sync did.
          const isReport = reportHeader.every((name, i) => lower[i] === name)
          if ((type === -1 && Option.isNone(fixedType)) || (id < 0 && keys.length === 0 && keyColumn < 0)) {
            return Effect.fail(
              new InputError({
                file,
                line: record.line,
                detail: `the header must have the columns ${
                  type === -1 && Option.isNone(fixedType) ? "type (or pass --type) and " : ""
                }id or externalKey.NAME (e.g. externalKey.externalOpportunityId), or a report's externalKey (NAME=VALUE): it has ${
                  names.join(",")
                }`
              })
            )
          }
          columns = { type, id, keys, reportKey: keyColumn, status: isReport ? 1 : -1 }
          return Effect.succeed([])
        }
        count++
        const at = columns
        if (at.status >= 0) {
          const pass = passedOver(record.fields[at.status])
          if (pass !== undefined) {
            const passed: Rows.Row<MarketoClient.DeleteRef> = {
              line: record.line,
              record: count,
              valid: false,
              problems: [],
              pass
            }
            return Effect.succeed([passed])
          }
        }
        const type = typeOf(fixedType, at.type < 0 ? undefined : record.fields[at.type])
        return Effect.succeed([
          check(
            transport,
            record.line,
            count,
            type,
            at.id < 0 ? undefined : record.fields[at.id],
            [
              ...at.keys.map((key) => ({ name: key.name, value: record.fields[key.at] })),
              ...(at.reportKey < 0 ? [] : reportKey(record.fields[at.reportKey]))
            ]
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
    // --type is part of the job: the same file under another type names other objects.
    job: { command: "delete", type: Option.getOrElse(options.type, () => "any"), operation: "DELETE" },
    bytes,
    file: options.file,
    rows: (source) => rows(options, source ?? bytes),
    inputColumns: options.format === "ndjson" ? Effect.succeed("json") : Rows.header(options.file, options.delimiter),
    send: (refs) => client.deleteMObjects(refs, { failOnPartial: false }),
    reconcile: () => Effect.succeed("send"),
    inDoubt: {
      readsBack: false,
      safe: true,
      rerun: "It sends them again, without reading them back: a delete is harmless to repeat."
    }
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
      command: options.command,
      transport: options.transport,
      destination: options.destination
    }))
