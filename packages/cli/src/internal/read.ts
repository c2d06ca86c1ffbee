/**
 * `mktows get`, `describe` and `list`: reading from Marketo.
 *
 * `get` streams every page to the output file as it arrives. With a journal, after each
 * page is written and flushed to disk, the journal records the stream position and the
 * output's length; a rerun cuts the output back to the last recorded length and asks
 * Marketo for the pages after that position, so nothing is written twice or lost. The
 * journal's first record names the export and where its reads go (the transport, endpoint and
 * user or client id): a position is that Marketo's, so a rerun that goes elsewhere is refused.
 *
 * A CSV's header must name every field of every object, and a later object may have a
 * field the first ones lack: the pages go to a temporary NDJSON file next to the output
 * (`OUT.part.ndjson`, which the journal tracks), and the CSV is written from it at the end
 * under the union of the fields. Its cells are escaped against formula injection (`csvCell.ts`).
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as MarketoClient from "@mktows/core/MarketoClient"
import type * as MarketoError from "@mktows/core/MarketoError"
import type { MObject } from "@mktows/core/MObject"
import * as StandardFields from "@mktows/core/StandardFields"
import type * as Wire from "@mktows/core/Wire"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Columns from "./columns.js"
import * as CsvCell from "./csvCell.js"
import { Stop } from "./failure.js"
import * as Journal from "./journal.js"
import * as Lock from "./lock.js"
import type * as Rows from "./rows.js"

const operators: ReadonlyArray<readonly [string, Wire.ComparisonEnum]> = [
  ["<=", "LE"],
  [">=", "GE"],
  ["!=", "NE"],
  ["=", "EQ"],
  ["<", "LT"],
  [">", "GT"]
]

/** `Name=Big deal`, `Amount>=1000` as criteria. */
export const parseCriteria = (
  texts: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<Wire.MObjCriteria>, Stop> =>
  Effect.forEach(texts, (text) => {
    let best: { at: number; op: string; comparison: Wire.ComparisonEnum } | undefined
    for (const [op, comparison] of operators) {
      const at = text.indexOf(op)
      if (at > 0 && (best === undefined || at < best.at)) best = { at, op, comparison }
    }
    if (best === undefined) {
      return Effect.fail(
        new Stop({ code: 2, detail: `--criteria '${text}': expected ATTRIBUTE OP VALUE with OP one of = != < <= > >=` })
      )
    }
    return Effect.succeed({
      attrName: text.slice(0, best.at).trim(),
      comparison: best.comparison,
      attrValue: text.slice(best.at + best.op.length).trim()
    })
  })

/** `Company:5` or `Company:companyId=COMP-1` as associations. */
export const parseAssociations = (
  texts: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<Wire.MObjAssociation>, Stop> =>
  Effect.forEach(texts, (text): Effect.Effect<Wire.MObjAssociation, Stop> => {
    const colon = text.indexOf(":")
    const type = text.slice(0, colon).trim()
    const target = text.slice(colon + 1).trim()
    const bad = new Stop({
      code: 2,
      detail:
        `--associations '${text}': expected TYPE:ID or TYPE:KEYFIELD=VALUE, e.g. Company:5 or Opportunity:externalId=OPP-1`
    })
    if (colon <= 0 || target.length === 0) return Effect.fail(bad)
    if (/^\d+$/.test(target)) return Effect.succeed({ mObjType: type, id: Number(target) })
    const eq = target.indexOf("=")
    return eq <= 0
      ? Effect.fail(bad)
      : Effect.succeed({ mObjType: type, externalKey: { name: target.slice(0, eq), value: target.slice(eq + 1) } })
  })

// The fields that hold an instant (a datetime), by key: written whole, whatever their time.
const instants: ReadonlySet<string> = new Set(
  [...StandardFields.opportunityFields, ...StandardFields.opportunityPersonRoleFields]
    .filter((field) => field.kind === "datetime")
    .map((field) => field.key)
)

// The times Marketo writes on every object: core keeps them as the text Marketo answered, and
// SOAP and REST answer with other offsets (`+00:00`, `Z`) than a datetime field is written with.
const timestamps: ReadonlySet<string> = new Set(["createdAt", "updatedAt"])

/** ISO 8601 with its offset (`Z`, `+00:00`) and at most milliseconds: what a Date keeps whole. */
const offsetTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$/

/**
 * A model as the plain data `mktows sync` reads back: dates as YYYY-MM-DD, date-times (an
 * instant's fields) as ISO 8601 in UTC, even at midnight (a bare day would read back as midnight
 * in `--time-zone`), and Marketo's own times (`createdAt`) the same way, so that one export
 * writes every instant alike whatever the transport answered; nothing undefined.
 */
export const toPlain = (value: unknown, key = ""): unknown => {
  if (value instanceof Date) return instants.has(key) ? value.toISOString() : value.toISOString().slice(0, 10)
  // Only a time that names its instant (an offset, at most milliseconds) is rewritten; any other
  // text (never seen) is kept as Marketo wrote it rather than given an instant it did not say.
  if (typeof value === "string" && timestamps.has(key) && offsetTime.test(value)) {
    const millis = Date.parse(value)
    return Number.isNaN(millis) ? value : new Date(millis).toISOString()
  }
  if (Array.isArray(value)) return value.map((entry) => toPlain(entry))
  if (typeof value === "object" && value !== null) {
    const out: { [key: string]: unknown } = {}
    for (const [name, entry] of Object.entries(value)) {
      if (entry !== undefined) Object.defineProperty(out, name, { value: toPlain(entry, name), enumerable: true })
    }
    return out
  }
  return value
}

/** Plain data flattened to CSV columns, the way `mktows sync` reads them. */
export const flatten = (value: unknown, prefix = "", out: Map<string, string> = new Map()): Map<string, string> => {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const dict = value as { readonly [key: string]: unknown }
    const keys = Object.keys(dict)
    if (keys.length === 2 && typeof dict["name"] === "string" && prefix.endsWith("externalKey")) {
      out.set(`${prefix}.${dict["name"]}`, String(dict["value"] ?? ""))
      return out
    }
    for (const key of keys) if (key !== "_tag") flatten(dict[key], prefix === "" ? key : `${prefix}.${key}`, out)
    return out
  }
  if (Array.isArray(value)) {
    value.forEach((entry, i) => flatten(entry, `${prefix}.${i}`, out))
    return out
  }
  out.set(prefix, value === undefined || value === null ? "" : String(value))
  return out
}

const csvCell = CsvCell.encode

/** What `mktows get` was asked to do. */
export interface GetOptions {
  readonly type: Columns.ObjectType
  readonly criteria: ReadonlyArray<Wire.MObjCriteria>
  readonly associations: ReadonlyArray<Wire.MObjAssociation>
  readonly includeDetails: boolean
  readonly out: string
  readonly format: Rows.Format
  readonly journal: Option.Option<string>
  /**
   * Where the reads go (`Connection.destination`), recorded in the journal beside the export: a
   * stream position is that Marketo's, over that transport, so the export resumes only there.
   */
  readonly destination: Journal.Destination
  /** The command as the user typed it, for the hint that continues an interrupted export. */
  readonly command?: string | undefined
}

/** What the journal records after each page: where the stream is and what the output holds. */
const Mark = Schema.Struct({
  position: Schema.String,
  bytes: Schema.NonNegativeInt,
  objects: Schema.NonNegativeInt,
  header: Schema.optionalWith(Schema.Array(Schema.String), { exact: true })
})
type Mark = typeof Mark.Type

const isMark = Schema.is(Mark)

/** The journal's last record once the export is complete: a rerun has nothing to do. */
const Done = Schema.Struct({ done: Schema.Struct({ objects: Schema.NonNegativeInt }) })

const isDone = Schema.is(Done)

/** What an export interrupted by Ctrl-C had done, and the command that continues it. */
const interrupted = (
  options: GetOptions,
  target: string,
  done: { readonly objects: number; readonly started: boolean; readonly writingCsv: boolean }
): string => {
  const what = !done.started
    ? `the export was interrupted before any object was written: ${options.out} was left as it was.`
    : done.writingCsv
    ? `the export was interrupted while ${options.out} was written from the ${done.objects} object(s) read (kept in ${target}).`
    : `the export was interrupted after ${done.objects} ${options.type} object(s) were written to ${target}${
      target === options.out ? "" : ` (the CSV ${options.out} is written from it at the end)`
    }.`
  const command = options.command ?? "the same command"
  return Option.isSome(options.journal)
    ? `${what} To continue where it stopped, run:\n  ${command}\n(the journal ${options.journal.value} keeps the last page written: the rerun reads on after it)`
    : `${what} It ran without --journal, so a rerun reads every page again from the first:\n  ${command}\nWith --journal FILE an export continues after the last page written.`
}

/** Exports every object of the read to the output file, page by page. */
export const get = (
  options: GetOptions
): Effect.Effect<
  0,
  Stop | Journal.JournalError | PlatformError | MarketoError.ValidationError | MarketoError.CallError,
  FileSystem.FileSystem | MarketoClient.MarketoClient
> =>
  Effect.scoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const job = {
      type: options.type,
      criteria: options.criteria,
      associations: options.associations,
      includeDetails: options.includeDetails,
      out: options.out
    }
    // A CSV's objects wait in a part file until its header (the union of their fields) is known.
    const target = options.format === "csv" ? `${options.out}.part.ndjson` : options.out
    let mark: Mark | undefined
    // What the export has done, for Ctrl-C: said with the command that continues it.
    const done = { objects: 0, started: false, writingCsv: false }
    yield* Effect.addFinalizer((exit) =>
      Exit.isInterrupted(exit) ? Console.error(`\nmktows: ${interrupted(options, target, done)}`) : Effect.void
    )
    // Held before the journal is read: another export could be writing it.
    if (Option.isSome(options.journal)) {
      const journal = options.journal.value
      yield* Lock.hold(journal).pipe(
        Effect.catchTag("LockHeld", (held) =>
          Effect.fail(new Stop({ code: 2, detail: `journal ${journal}: ${held.message}` })))
      )
    }
    if (Option.isSome(options.journal) && (yield* fs.exists(options.journal.value))) {
      const text = yield* fs.readFileString(options.journal.value)
      const entries = text.split("\n").map(Journal.decodeLine).filter((entry) =>
        entry !== undefined
      )
      const first = entries[0] as { readonly job?: unknown; readonly destination?: Journal.Destination } | undefined
      if (first !== undefined && JSON.stringify(first.job) !== JSON.stringify(job)) {
        return yield* Effect.fail(
          new Stop({ code: 2, detail: `journal ${options.journal.value}: it belongs to another export` })
        )
      }
      // Checked before anything is read, and before a complete export is said to be complete: its
      // stream position is another Marketo's (or another transport's), and the pages after it there
      // would be appended to the first instance's objects. (An older mktows recorded none: a warning.)
      if (first !== undefined) {
        yield* Journal.checkDestination(options.journal.value, first.destination, options.destination)
      }
      const last: unknown = entries.length > 1 ? entries[entries.length - 1] : undefined
      if (isDone(last)) {
        yield* Console.error(
          `journal ${options.journal.value}: this export is complete (${last.done.objects} ${options.type} object(s) in ${options.out}); nothing to do. To export again, start with a new --journal.`
        )
        return 0 as const
      }
      // The output is cut back to what the last record says it held: a record this mktows does
      // not write, or an output shorter than it (changed or replaced since), would cut or pad it
      // wrongly, so neither is resumed.
      // A CSV export's record names the columns so far: without them, earlier rows' columns would be lost.
      if (last !== undefined && (!isMark(last) || (options.format === "csv" && last.header === undefined))) {
        return yield* Effect.fail(
          new Stop({
            code: 2,
            detail:
              `journal ${options.journal.value}: its last record is not one this mktows writes; start the export with a new --journal`
          })
        )
      }
      mark = last
      if (mark !== undefined) {
        const held = (yield* fs.exists(target)) ? Number((yield* fs.stat(target)).size) : -1
        if (held < mark.bytes) {
          return yield* Effect.fail(
            new Stop({
              code: 2,
              detail: `journal ${options.journal.value}: ${target} ${
                held < 0 ? "is gone" : `holds ${held} bytes`
              }, but the journal recorded ${mark.bytes} written: it changed since, so the export cannot resume from it; start it with a new --journal`
            })
          )
        }
      }
    }
    const encoder = new TextEncoder()
    const client = yield* MarketoClient.MarketoClient
    const params: MarketoClient.GetParams = {
      type: options.type,
      ...(options.criteria.length > 0 ? { criteria: options.criteria } : {}),
      ...(options.associations.length > 0 ? { associations: options.associations } : {}),
      ...(options.includeDetails ? { includeDetails: true } : {}),
      ...(mark === undefined ? {} : { streamPosition: mark.position })
    }
    // The first pages are read before the output or the journal is touched: a read the client
    // refuses (a criterion this instance cannot search) or a first call that fails leaves
    // them as they were, and the corrected command starts afresh.
    const pull = yield* Stream.toPull(client.getMObjectsPages(params))
    const next = Effect.catchAll(pull, (end) =>
      Option.match(end, { onNone: () => Effect.succeed(undefined), onSome: Effect.fail }))
    let pages = yield* next
    // Resuming: the output is cut back to what the last recorded page left.
    if (mark !== undefined) {
      yield* fs.truncate(target, mark.bytes)
    }
    const out = yield* fs.open(target, { flag: mark === undefined ? "w" : "a" })
    const log = Option.isSome(options.journal)
      ? yield* fs.open(options.journal.value, { flag: mark === undefined ? "w" : "a" })
      : undefined
    if (log !== undefined && mark === undefined) {
      yield* log.writeAll(encoder.encode(Journal.encodeLine({ job, destination: options.destination })))
    }
    let bytes = mark?.bytes ?? 0
    let objects = mark?.objects ?? 0
    done.started = true
    done.objects = objects
    // A CSV's objects wait in the part file as flattened NDJSON; `fields` is their union so far.
    const fields = new Set(mark?.header ?? [])
    const render = (page: ReadonlyArray<MObject>): string => {
      if (options.format === "ndjson") {
        return page.map((object) =>
          `${JSON.stringify(toPlain(object))}\n`
        ).join("")
      }
      return page.map((object) => {
        const row = flatten(toPlain(object))
        for (const key of row.keys()) fields.add(key)
        return `${JSON.stringify(Object.fromEntries(row))}\n`
      }).join("")
    }
    while (pages !== undefined) {
      for (const page of pages) {
        const text = encoder.encode(render(page.objects))
        // A page of no objects (a read that finds nothing) writes nothing: the file system
        // refuses a write of no bytes.
        if (text.length > 0) {
          yield* out.writeAll(text)
          yield* out.sync
        }
        bytes += text.length
        objects += page.objects.length
        done.objects = objects
        if (log !== undefined) {
          const entry: Mark = {
            position: page.streamPosition,
            bytes,
            objects,
            ...(options.format === "csv" ? { header: [...fields] } : {})
          }
          yield* log.writeAll(encoder.encode(Journal.encodeLine(entry)))
          yield* log.sync
        }
      }
      pages = yield* next
    }
    if (options.format === "csv") {
      done.writingCsv = true
      // The header is known only now: the CSV is written from the part file, row by row.
      const csv = yield* fs.open(options.out, { flag: "w" })
      // No object: the type's own columns, so that the file is still an export (of no row) that
      // sync and delete read, not a file of no header.
      const header = fields.size > 0 ? [...fields] : Columns.standardColumns(options.type)
      yield* csv.writeAll(encoder.encode(`${header.map(csvCell).join(",")}\n`))
      yield* fs.stream(target, { chunkSize: 256 * 1024 }).pipe(
        Stream.decodeText(),
        Stream.splitLines,
        Stream.filter((line) => line.length > 0),
        Stream.map((line) => {
          const row = JSON.parse(line) as { readonly [key: string]: string }
          return `${header.map((key) => csvCell(Object.hasOwn(row, key) ? row[key] ?? "" : "")).join(",")}\n`
        }),
        Stream.grouped(1000),
        Stream.runForEach((lines) => csv.writeAll(encoder.encode(Chunk.join(lines, ""))))
      )
      yield* csv.sync
      yield* fs.remove(target)
    }
    // Recorded last, once the output is whole: a rerun says the export is complete.
    if (log !== undefined) {
      yield* log.writeAll(encoder.encode(Journal.encodeLine({ done: { objects } })))
      yield* log.sync
    }
    yield* Console.error(`${objects} ${options.type} object(s) written to ${options.out}`)
    return 0 as const
  }))

/** The types Marketo describes (its describeMObject page; REST: all but ActivityRecord). */
const describable = ["ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"]

/**
 * Prints an MObject type's metadata and fields. A type named in another case is the type
 * (`opportunity`); one Marketo does not describe (`Program`) says which it does, not only the
 * fault's code.
 */
export const describe = (name: string) =>
  Effect.gen(function*() {
    const type = describable.find((known) => known.toLowerCase() === name.trim().toLowerCase()) ?? name
    const notDescribed = (why: string) =>
      new Stop({
        code: 2,
        detail: `cannot describe ${type}: ${why}. Marketo describes ${
          describable.join(", ")
        } (over REST not ActivityRecord); mktows list shows the types this instance knows.`
      })
    const metadata = yield* MarketoClient.describeMObject(type).pipe(
      Effect.catchTags({
        // Marketo's answer to a type it does not describe (SOAP 20110, "Input error").
        MarketoFault: (fault) => fault.code === 20110 ? Effect.fail(notDescribed(fault.message)) : Effect.fail(fault),
        ValidationError: (error) => Effect.fail(notDescribed(error.message))
      })
    )
    const rows = metadata.fieldList.map((field) => [
      field.name,
      field.dataType,
      field.size === null ? "" : String(field.size),
      [field.isPrimaryKey ? "key" : "", field.isReadonly ? "read-only" : "", field.isCustom ? "custom" : ""]
        .filter((flag) => flag.length > 0).join(" "),
      field.displayName ?? ""
    ])
    const heading = ["field", "type", "size", "flags", "display name"]
    const widths = heading.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
    const format = (row: ReadonlyArray<string>) =>
      row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd()
    yield* Console.log(
      [
        `${metadata.name}${metadata.description === null ? "" : `: ${metadata.description}`}`,
        "",
        format(heading),
        ...rows.map(format)
      ].join("\n")
    )
  })

/** Prints the object types the instance knows, one per line. */
export const list = Effect.flatMap(MarketoClient.listMObjects(), (names) => Console.log(names.join("\n")))
