/**
 * The `mktows` command line: bulk syncs from CSV or NDJSON files with progress, outcome
 * reports, dry runs and crash-safe resume, and the other MObject calls, over whichever
 * transport `NodeMarketo.layerConfig` is configured for.
 *
 * ```
 * mktows sync opportunities.csv --type Opportunity --operation UPSERT --report out.csv --journal job.journal
 * mktows get --type Opportunity --out all.ndjson
 * mktows describe Opportunity
 * mktows list
 * mktows delete refs.csv --report deleted.csv
 * mktows emulator --port 8080
 * ```
 *
 * Exit codes: 0 when every row went through, 1 when some rows FAILED, are IN_DOUBT, or were
 * skipped as invalid (or the job stopped early, e.g. on a spent quota), 2 for usage and
 * validation errors (nothing was sent).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type * as Terminal from "@effect/platform/Terminal"
import type * as MarketoClient from "@mktows/core/MarketoClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Connection from "./internal/connection.js"
import * as Deletes from "./internal/delete.js"
import { Stop } from "./internal/failure.js"
import * as Reads from "./internal/read.js"
import * as Rows from "./internal/rows.js"
import * as Sync from "./internal/sync.js"

/**
 * The version `mktows --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

const types = ["Opportunity", "OpportunityPersonRole", "Program"] as const

const endpoint = Options.text("endpoint").pipe(
  Options.withDescription("The SOAP endpoint (default: MARKETO_SOAP_ENDPOINT)."),
  Options.optional
)
const userId = Options.text("user-id").pipe(
  Options.withDescription(
    "The Marketo user id (default: MARKETO_USER_ID). The encryption key is read only from MARKETO_ENCRYPTION_KEY or asked for on a terminal."
  ),
  Options.optional
)
const chunkSize = Options.integer("chunk-size").pipe(
  Options.withDescription("Objects per call, 1 to 100 (Marketo's maximum, the default)."),
  Options.withDefault(100)
)
const concurrency = Options.integer("concurrency").pipe(
  Options.withDescription(
    "Calls in flight, 1 to 10 (Marketo's maximum, the default); lower it when others share the instance."
  ),
  Options.withDefault(10)
)
const rateLimit = Options.text("rate-limit").pipe(
  Options.withDescription(
    "The client's rate limit as CALLS/SECONDS, default 100/20 (Marketo's: 100 calls in any 20 s). Lower it when other programs share the instance; raise it only for a sandbox without Marketo's limits or the emulator without --enforce-limits."
  ),
  Options.withDefault(`${Connection.marketoRateLimit.calls}/${Connection.marketoRateLimit.seconds}`)
)
const rateWindow = (limit: Connection.RateLimit) => ({ calls: limit.calls, millis: limit.seconds * 1000 })
const reportFile = Options.file("report").pipe(
  Options.withDescription("Write one row per input line (line, status, id, externalKey, error); .csv or .ndjson."),
  Options.optional
)
const journal = Options.file("journal").pipe(
  Options.withDescription(
    "Make the job crash-safe: run the same command with the same journal after a crash, Ctrl-C or a spent quota to continue where it stopped."
  ),
  Options.optional
)

/** Usage errors that @effect/cli cannot express: ranges and file extensions. */
const checkRange = (name: string, value: number, min: number, max: number) =>
  Number.isInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(new Stop({ code: 2, detail: `--${name} must be an integer from ${min} to ${max}, got ${value}` }))

const formatFor = (flag: string, file: string) => {
  const format = Rows.formatOf(file)
  return format === undefined
    ? Effect.fail(new Stop({ code: 2, detail: `${flag} ${file}: expected a .csv or .ndjson (.jsonl) file` }))
    : Effect.succeed(format)
}

const reportTarget = (file: Option.Option<string>) =>
  Option.match(file, {
    onNone: () => Effect.succeed(Option.none()),
    onSome: (path) => Effect.map(formatFor("--report", path), (format) => Option.some({ file: path, format }))
  })

const isTerminal = (stream: NodeJS.WriteStream | NodeJS.ReadStream) => Effect.sync(() => stream.isTTY === true)

const withClient = <A, E, R>(
  flags: Connection.Flags,
  client: MarketoClient.Options,
  effect: Effect.Effect<A, E, R>
) =>
  Effect.flatMap(
    isTerminal(process.stdin),
    (interactive) => Effect.provide(effect, Connection.layer(flags, client, interactive))
  )

const exitWith = (code: 0 | 1 | 2) => (code === 0 ? Effect.void : Effect.fail(new Stop({ code, detail: "" })))

const sync = Command.make(
  "sync",
  {
    file: Args.file({ name: "FILE", exists: "yes" }).pipe(
      Args.withDescription("The rows: .csv (a header row of field names) or .ndjson (one object per line).")
    ),
    type: Options.choice("type", types).pipe(Options.withDescription("The MObject type of every row.")),
    operation: Options.choice("operation", ["INSERT", "UPDATE", "UPSERT"] as const).pipe(
      Options.withDescription(
        "INSERT creates, UPDATE changes existing objects, UPSERT does either. Programs: UPDATE only."
      )
    ),
    report: reportFile,
    journal,
    skipInvalid: Options.boolean("skip-invalid").pipe(
      Options.withDescription(
        "Send the valid rows and report the invalid ones, instead of stopping before anything is sent."
      )
    ),
    dryRun: Options.boolean("dry-run").pipe(
      Options.withDescription("Check every row and list every problem with its line and field; send nothing.")
    ),
    chunkSize,
    concurrency,
    rateLimit,
    endpoint,
    userId
  },
  (args) =>
    Effect.gen(function*() {
      const format = yield* formatFor("FILE", args.file)
      const reportTo = yield* reportTarget(args.report)
      const size = yield* checkRange("chunk-size", args.chunkSize, 1, Sync.maxChunkSize)
      const parallel = yield* checkRange("concurrency", args.concurrency, 1, 10)
      const limit = yield* Connection.parseRateLimit(args.rateLimit)
      const tty = yield* isTerminal(process.stderr)
      const options: Sync.Options = {
        file: args.file,
        format,
        type: args.type,
        operation: args.operation,
        report: reportTo,
        journal: args.journal,
        skipInvalid: args.skipInvalid,
        dryRun: args.dryRun,
        chunkSize: size,
        concurrency: parallel,
        rateWindow: rateWindow(limit),
        tty
      }
      const code = args.dryRun
        ? yield* Sync.dryRun(options)
        : yield* withClient(
          args,
          { chunkSize: size, concurrency: parallel, rateLimit: Connection.rateLimitOptions(limit) },
          Sync.run(options)
        )
      return yield* exitWith(code)
    })
).pipe(
  Command.withDescription("Sync the rows of a CSV or NDJSON file to Marketo, with a report of every row's outcome.")
)

const get = Command.make(
  "get",
  {
    type: Options.choice("type", types).pipe(Options.withDescription("The MObject type to read.")),
    criteria: Options.text("criteria").pipe(
      Options.withDescription(
        "A filter ATTRIBUTE OP VALUE with OP one of = != < <= > >=, e.g. 'Name=Big deal'; repeat to combine."
      ),
      Options.repeated
    ),
    associations: Options.text("associations").pipe(
      Options.withDescription("Objects linked to TYPE:ID or TYPE:KEYFIELD=VALUE, e.g. 'Company:5'; repeat to combine."),
      Options.repeated
    ),
    includeDetails: Options.boolean("include-details").pipe(
      Options.withDescription("Include details (a Program's costs and tags).")
    ),
    out: Options.file("out").pipe(Options.withDescription("Where to write the objects: .ndjson or .csv.")),
    journal: journal.pipe(
      Options.withDescription(
        "Make the export resumable: run the same command again to continue after the last page written."
      )
    ),
    rateLimit,
    endpoint,
    userId
  },
  (args) =>
    Effect.gen(function*() {
      const format = yield* formatFor("--out", args.out)
      const criteria = yield* Reads.parseCriteria(args.criteria)
      const associations = yield* Reads.parseAssociations(args.associations)
      const limit = yield* Connection.parseRateLimit(args.rateLimit)
      const code = yield* withClient(
        args,
        { rateLimit: Connection.rateLimitOptions(limit) },
        Reads.get({
          type: args.type,
          criteria,
          associations,
          includeDetails: args.includeDetails,
          out: args.out,
          format,
          journal: args.journal
        })
      )
      return yield* exitWith(code)
    })
).pipe(Command.withDescription("Export every object of a type (optionally filtered) to NDJSON or CSV, page by page."))

const describe = Command.make(
  "describe",
  {
    type: Args.text({ name: "TYPE" }).pipe(Args.withDescription("The MObject type, e.g. Opportunity.")),
    endpoint,
    userId
  },
  (args) => withClient(args, {}, Reads.describe(args.type))
).pipe(Command.withDescription("Show an MObject type's fields, as Marketo describes them."))

const list = Command.make("list", { endpoint, userId }, (args) => withClient(args, {}, Reads.list)).pipe(
  Command.withDescription("List the MObject types the instance knows.")
)

const remove = Command.make(
  "delete",
  {
    file: Args.file({ name: "FILE", exists: "yes" }).pipe(
      Args.withDescription("The objects to delete: .csv with columns type,id or .ndjson of {\"type\",\"id\"}.")
    ),
    report: reportFile,
    journal,
    rateLimit,
    endpoint,
    userId
  },
  (args) =>
    Effect.gen(function*() {
      const format = yield* formatFor("FILE", args.file)
      const reportTo = yield* reportTarget(args.report)
      const limit = yield* Connection.parseRateLimit(args.rateLimit)
      const tty = yield* isTerminal(process.stderr)
      const code = yield* withClient(
        args,
        { rateLimit: Connection.rateLimitOptions(limit) },
        Deletes.run({
          file: args.file,
          format,
          report: reportTo,
          journal: args.journal,
          rateWindow: rateWindow(limit),
          tty
        })
      )
      return yield* exitWith(code)
    })
).pipe(Command.withDescription("Delete the Opportunity and OpportunityPersonRole objects listed in a file, by id."))

const emulator = Command.make(
  "emulator",
  {
    flags: Args.text({ name: "FLAG" }).pipe(
      Args.withDescription(
        "The emulator's flags, as for `pnpm emulator`: --host, --port, --user-id, --encryption-key, --signature-ttl, --enforce-limits, --latency, --fault-rate (`mktows emulator --help` lists them)."
      ),
      Args.repeated
    )
  }
  // The bin hands `mktows emulator …` to the emulator's own parser before this runs, so
  // its flags need no second definition here: this entry gives help and completions.
).pipe(
  Command.withDescription("Run the Marketo emulator (a local SOAP server) with the same flags as `pnpm emulator`.")
)

/**
 * The `mktows` command and its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("mktows").pipe(
  Command.withDescription("Bulk Marketo MObject jobs from the command line."),
  Command.withSubcommands([sync, get, describe, list, remove, emulator])
)

/**
 * Runs `mktows` on the given arguments (`process.argv`).
 *
 * @since 0.1.0
 * @category running
 */
export const run: (
  argv: ReadonlyArray<string>
) => Effect.Effect<
  void,
  unknown,
  FileSystem.FileSystem | Path.Path | Terminal.Terminal
> = Command.run(command, { name: "mktows", version })

/**
 * The exit code for a failure of {@link run}: a job's own code, 2 for anything the user
 * can fix before anything is sent (usage, files, input, journal, credentials), 1 otherwise.
 *
 * @since 0.1.0
 * @category running
 */
export const exitCode = (error: unknown): number => {
  if (error instanceof Stop) return error.code
  const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : ""
  return ["InputError", "JournalError", "SystemError", "BadArgument", "ValidationError", "UsageError"].includes(tag) ||
      isCliValidation(error)
    ? 2
    : 1
}

const isCliValidation = (error: unknown): boolean => ValidationError.isValidationError(error)

/**
 * Prints a failure of {@link run} on stderr (the command line's own usage errors are
 * printed by it already).
 *
 * @since 0.1.0
 * @category running
 */
export const report = (error: unknown): Effect.Effect<void> => {
  if (isCliValidation(error)) return Effect.void
  const text = error instanceof Stop
    ? error.detail
    : typeof error === "object" && error !== null && "message" in error
    ? String(error.message)
    : String(error)
  return text.length === 0 ? Effect.void : Console.error(`mktows: ${text}`)
}
