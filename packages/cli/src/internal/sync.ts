/**
 * `mktows sync`: the rows of a file synced as MObjects of one type.
 *
 * Reconciling a row whose chunk may have been applied: UPDATE (and UPSERT by id) is sent
 * again, which changes the same object however often it is sent; an INSERT or UPSERT with
 * an external key is read back by that key first (none: sent; one: an UPSERT is sent again
 * and updates it, an INSERT was applied unless the object was created before the row was sent,
 * when the INSERT skipped it; several: IN_DOUBT); anything else is IN_DOUBT for the user to decide.
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as MarketoClient from "@mktows/core/MarketoClient"
import type * as MarketoError from "@mktows/core/MarketoError"
import * as MObject from "@mktows/core/MObject"
import type { SyncOperation } from "@mktows/core/Wire"
import * as RestMapping from "@mktows/rest/RestMapping"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ObjectType } from "./columns.js"
import type * as Connection from "./connection.js"
import type * as Csv from "./csv.js"
import type { Stop } from "./failure.js"
import * as Job from "./job.js"
import type * as Journal from "./journal.js"
import type { Mapping } from "./mapping.js"
import * as Rows from "./rows.js"
import type { InputError } from "./text.js"
import type * as Values from "./values.js"

/** What `mktows sync` was asked to do. */
export interface Options extends Job.Options {
  readonly file: string
  readonly format: Rows.Format
  readonly type: ObjectType
  readonly operation: SyncOperation
  readonly dryRun: boolean
  readonly mapping: Mapping | undefined
  readonly values: Values.Settings
  /** What separates a CSV file's fields (`--delimiter`): a comma when not given. */
  readonly delimiter?: Csv.Delimiter | undefined
  /** The configured transport: its refusals are checked with the rows, in a dry run too. */
  readonly transport: Connection.Transport
}

/**
 * REST's refusals of one object (what its mapping cannot express), as a row's problems: the
 * same function the REST transport refuses a call with, so the first pass and the dry run
 * refuse exactly what the real run would.
 */
export const restRefusals: Rows.Refuse = (object, operation) =>
  RestMapping.refuseModels({ operation: "syncMObjects", sync: operation, objects: [object] }).map((issue) => ({
    field: issue.path.map(String).join("."),
    message: issue.message
  }))

/**
 * How long before a send an object read back must have been created to have been there before
 * it: Marketo's times are whole seconds, and this machine's clock is not Marketo's.
 */
const clockSlackMillis = 2_000

const reconcile = (
  client: MarketoClient.MarketoClientShape,
  operation: SyncOperation,
  line: number,
  object: MObject.MObject,
  sentAt: number | undefined
): Effect.Effect<"send" | Journal.LineOutcome, MarketoError.CallError> => {
  if (operation === "UPDATE" || object._tag === "Program") return Effect.succeed("send")
  if (operation === "UPSERT" && object.id !== undefined) return Effect.succeed("send")
  const externalKey = object.externalKey
  if (externalKey === undefined) {
    return Effect.succeed({
      line,
      status: "IN_DOUBT",
      error:
        `its ${operation} may have been applied before the job stopped, and without an external key it cannot be read back: check in Marketo before sending it again`
    })
  }
  return client.getMObjects({ type: object._tag, externalKey }).pipe(
    Stream.take(2),
    Stream.runCollect,
    Effect.map((found): "send" | Journal.LineOutcome => {
      const matches = Chunk.toReadonlyArray(found)
      if (matches.length === 0) return "send" // it was not applied
      if (matches.length > 1) {
        return {
          line,
          status: "IN_DOUBT",
          externalKey,
          error: `several ${object._tag} objects have ${externalKey.name} '${externalKey.value}': check in Marketo`
        }
      }
      const existing = matches[0]
      const id = existing?.id
      if (operation === "UPSERT") return "send"
      // Created before the row was sent, it was there already: the INSERT skipped it, and a
      // delete by the report must not remove it.
      const createdAt = existing?.createdAt === undefined ? NaN : Date.parse(existing.createdAt)
      if (sentAt !== undefined && createdAt + clockSlackMillis <= sentAt) {
        return {
          line,
          status: "SKIPPED",
          ...(id === undefined ? {} : { id }),
          externalKey,
          error: `it already existed: created ${existing?.createdAt}, before this job sent the row (${
            new Date(sentAt).toISOString()
          }); the INSERT did not create it`
        }
      }
      return { line, status: "CREATED", ...(id === undefined ? {} : { id }), externalKey }
    }),
    // A key the read refuses cannot be looked up: say so instead of guessing.
    Effect.catchTag(
      "ValidationError",
      (error): Effect.Effect<Journal.LineOutcome> =>
        Effect.succeed({ line, status: "IN_DOUBT", externalKey, error: `cannot be read back: ${error.message}` })
    )
  )
}

/** `tell`, said once: the first pass reads the header and tells; the second reads the same header. */
const once = <Args extends ReadonlyArray<unknown>>(tell: (...args: Args) => Effect.Effect<void>) => {
  let told = false
  return (...args: Args): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (told) return Effect.void
      told = true
      return tell(...args)
    })
}

/** The job of a sync: how its rows are read, sent and reconciled (exported for tests that wrap a step). */
export const work = (options: Options, client?: MarketoClient.MarketoClientShape): Job.Work<MObject.MObject> => {
  const bytes = Rows.bytes(options.file)
  const read = {
    mapping: options.mapping,
    values: options.values,
    delimiter: options.delimiter,
    refuse: options.transport === "rest" ? restRefusals : undefined,
    onIgnored: once((headers: ReadonlyArray<string>, leftOut: ReadonlyArray<string>) =>
      Effect.suspend(() => {
        const quoted = (names: ReadonlyArray<string>) => names.map((h) => `'${h}'`).join(", ")
        const unmapped = headers.filter((h) => !leftOut.includes(h))
        return Console.error(
          [
            ...(unmapped.length > 0
              ? [`mktows: ${unmapped.length} column(s) not in the mapping, ignored: ${quoted(unmapped)}`]
              : []),
            ...(leftOut.length > 0
              ? [`mktows: ${leftOut.length} column(s) left out by the mapping: ${quoted(leftOut)}`]
              : [])
          ].join("\n")
        )
      })
    ),
    // A note, not a problem: an export of `mktows get` has them, and syncs back as it is.
    onReadOnly: once((names: ReadonlyArray<string>, as: "columns" | "fields") =>
      Console.error(
        `mktows: note: ${
          as === "columns"
            ? `${names.length} column(s) of fields Marketo writes itself, read and not sent`
            : "fields Marketo writes itself, read and not sent wherever a line has them"
        }: ${names.map((name) => `'${name}'`).join(", ")}`
      )
    )
  }
  return {
    job: { command: "sync", type: options.type, operation: options.operation },
    bytes,
    file: options.file,
    rows: (source) => Rows.read(options.file, options.format, options.type, options.operation, source ?? bytes, read),
    inputColumns: options.format === "ndjson" ? Effect.succeed("json") : Rows.header(options.file, options.delimiter),
    send: (objects) =>
      client === undefined
        ? Effect.dieMessage("no client")
        : client.syncMObjects(objects, options.operation, { failOnPartial: false }),
    reconcile: (line, object, sentAt) =>
      client === undefined
        ? Effect.dieMessage("no client")
        : reconcile(client, options.operation, line, object, sentAt),
    inDoubt: inDoubt(options)
  }
}

/** What a rerun does with the rows in doubt: `reconcile`'s rules, in the user's words. */
const inDoubt = (options: Pick<Options, "operation" | "type" | "transport">): Job.Work<MObject.MObject>["inDoubt"] =>
  options.type === "Program"
    ? options.transport === "soap"
      ? {
        readsBack: false,
        safe: false,
        rerun:
          "A rerun sends them again without reading them back, and over SOAP a Program's costs sent twice are added twice: check those programs' costs in Marketo first, and leave out of the file (with a new --journal) the rows whose costs are there."
      }
      : {
        readsBack: false,
        safe: true,
        rerun:
          "It sends them again without reading them back: over REST a Program gets only the costs and tags it lacks, so nothing is added twice."
      }
    : options.operation === "UPDATE"
    ? {
      readsBack: false,
      safe: true,
      rerun:
        "It sends them again without reading them back: an UPDATE sent twice leaves the object as one would (answered UNCHANGED when the first had applied)."
    }
    : options.operation === "INSERT"
    ? {
      readsBack: true,
      safe: true,
      rerun:
        "Before it sends anything again, it reads each of them back by its external key, a call each: one found is reported CREATED with its id (SKIPPED when it was there before the job sent the row, or an earlier line of the file made it), one not found is sent. A row without an external key, or whose key several objects have, stays IN_DOUBT: check it in Marketo."
    }
    : {
      readsBack: true,
      safe: true,
      rerun:
        "Before it sends anything again, it reads each row with an external key back by that key, a call each, then sends it again (an UPSERT repeated updates the object the first made); a row with an id is sent again at once. A row with neither, or whose key several objects have, stays IN_DOUBT: check it in Marketo."
    }

/** Checks every row and lists every problem; sends nothing. */
export const dryRun = (
  options: Options
): Effect.Effect<Job.ExitCode, InputError | PlatformError, FileSystem.FileSystem> => Job.dryRun(work(options))

/** Syncs the file. */
export const run = (
  options: Options
): Effect.Effect<
  Job.ExitCode,
  Stop | InputError | PlatformError | Journal.JournalError,
  FileSystem.FileSystem | MarketoClient.MarketoClient
> => Effect.flatMap(MarketoClient.MarketoClient, (client) => Job.run(work(options, client), options))
