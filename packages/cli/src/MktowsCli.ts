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
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type * as Terminal from "@effect/platform/Terminal"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import { type DateFormat, InputError, Stop } from "./CliError.js"
import * as Columns from "./internal/columns.js"
import * as Connection from "./internal/connection.js"
import * as Csv from "./internal/csv.js"
import * as Deletes from "./internal/delete.js"
import * as Mapping from "./internal/mapping.js"
import * as Output from "./internal/output.js"
import * as Reads from "./internal/read.js"
import * as Rows from "./internal/rows.js"
import * as Sync from "./internal/sync.js"
import * as Values from "./internal/values.js"

/**
 * The version `mktows --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

const types = Columns.objectTypes
const operations = ["INSERT", "UPDATE", "UPSERT"] as const

const endpoint = Options.text("endpoint").pipe(
  Options.withDescription(
    "The SOAP endpoint (default: MARKETO_SOAP_ENDPOINT). Over REST, set MARKETO_REST_ENDPOINT, MARKETO_IDENTITY_ENDPOINT, MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET instead: REST is used whenever MARKETO_REST_ENDPOINT is set."
  ),
  Options.optional
)
const userId = Options.text("user-id").pipe(
  Options.withDescription(
    "The Marketo SOAP user id (default: MARKETO_USER_ID). The encryption key is read only from MARKETO_ENCRYPTION_KEY (over REST, the secret from MARKETO_CLIENT_SECRET) or asked for on a terminal."
  ),
  Options.optional
)
const chunkSize = Options.integer("chunk-size").pipe(
  Options.withDescription(
    "Objects per call: 1 to 100 over SOAP, 1 to 300 over REST (Marketo's maximum for the transport, the default)."
  ),
  Options.optional
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
const checkRange = (name: string, value: number, min: number, max: number, why = "") =>
  Number.isInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(
      new Stop({ code: 2, detail: `--${name} must be an integer from ${min} to ${max}${why}, got ${value}` })
    )

const formatFor = (flag: string, file: string) =>
  Either.match(Rows.checkFormat(file), {
    onLeft: (why) => Effect.fail(new Stop({ code: 2, detail: `${flag} ${file}: ${why}` })),
    onRight: Effect.succeed
  })

/**
 * A file the command will write (`--report`, `--out`, `--journal`) must have a directory to go
 * in: said before anything is read or sent, in the user's words, instead of the file system's
 * error about a temporary file of ours beside it. A path under a regular file
 * (`notes.txt/out.csv`) names the file in the way.
 */
const writableAt = (flag: string, file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = path.dirname(file)
    // The nearest of `dir` and its parents that exists (the root does), and whether it is a directory.
    const nearest = (at: string): Effect.Effect<{ readonly at: string; readonly directory: boolean }> =>
      Effect.matchEffect(fs.stat(at), {
        onSuccess: (info) => Effect.succeed({ at, directory: info.type === "Directory" }),
        onFailure: () => (path.dirname(at) === at ? Effect.succeed({ at, directory: true }) : nearest(path.dirname(at)))
      })
    const found = yield* nearest(dir)
    if (!found.directory) {
      return yield* Effect.fail(
        new Stop({
          code: 2,
          detail: `${flag} ${file}: ${found.at} is a file, not a directory; give a path in a directory`
        })
      )
    }
    if (found.at !== dir) {
      return yield* Effect.fail(
        new Stop({
          code: 2,
          detail: `${flag} ${file}: the directory ${dir} does not exist; create it, or give a path in one that does`
        })
      )
    }
  })

/**
 * The file system, with a path under a regular file one that does not exist, as Node's
 * `existsSync` has it: the platform's `exists` fails there (ENOTDIR, a `BadResource`), and
 * @effect/cli's check of a file flag (`--out notes.txt/out.csv`) dies of that failure before
 * the command can say which path is wrong (`writableAt` does).
 */
const pathsUnderFilesDoNotExist = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.updateService(effect, FileSystem.FileSystem, (fs) => ({
    ...fs,
    exists: (path: string) =>
      Effect.catchIf(
        fs.exists(path),
        (error) => error._tag === "SystemError" && error.reason === "BadResource",
        () => Effect.succeed(false)
      )
  }))

const writableOption = (flag: string, file: Option.Option<string>) =>
  Option.match(file, { onNone: () => Effect.void, onSome: (path) => writableAt(flag, path) })

/** A file a command reads or writes, as the user named it: the flag (`FILE` for the input) and the path. */
interface NamedFile {
  readonly flag: string
  readonly path: string
  /** What it is, in the user's words: the input, the mapping, the report, the journal, the export. */
  readonly role: string
  /** Whether the command writes it. */
  readonly written: boolean
}

/**
 * Where a path leads: the file itself where it exists (its real path, and its device and inode,
 * which a hard link shares too), or else the real path of its directory with its name, so that
 * `./a.csv`, `dir/../a.csv` and a symbolic link to `a.csv` are all `a.csv`.
 */
const whereIs = (file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const real = (at: string) => Effect.orElseSucceed(fs.realPath(at), () => path.resolve(at))
    const info = yield* Effect.option(fs.stat(file))
    if (Option.isSome(info)) {
      return {
        path: yield* real(file),
        inode: Option.map(info.value.ino, (ino) => `${info.value.dev}:${ino}`)
      }
    }
    return { path: path.join(yield* real(path.dirname(file)), path.basename(file)), inode: Option.none<string>() }
  })

/**
 * The files a command reads and writes must be different files: a report, an export or a journal
 * written over the input (or over one another) would destroy it before, or while, it is read. Said
 * as a usage error before anything is read or sent, naming both flags and paths.
 */
const distinctFiles = (files: ReadonlyArray<NamedFile | undefined>) =>
  Effect.gen(function*() {
    const named = files.filter((file): file is NamedFile => file !== undefined)
    const places = yield* Effect.forEach(named, (file) => whereIs(file.path))
    for (let j = 1; j < named.length; j++) {
      for (let i = 0; i < j; i++) {
        const [a, b, at, bt] = [named[i], named[j], places[i], places[j]]
        if (a === undefined || b === undefined || at === undefined || bt === undefined) continue
        const same = at.path === bt.path ||
          (Option.isSome(at.inode) && Option.isSome(bt.inode) && at.inode.value === bt.inode.value)
        if (!same || (!a.written && !b.written)) continue
        const [writer, victim] = b.written ? [b, a] : [a, b]
        return yield* Effect.fail(
          new Stop({
            code: 2,
            detail: `${b.flag} ${b.path} and ${a.flag} ${a.path} are the same file${
              a.path === b.path ? "" : ` (${at.path})`
            }: ${writer.role} would be written over ${victim.role}. Give ${writer.flag} another path (nothing was read or sent)`
          })
        )
      }
    }
  })

/** A file flag's path, if given, as `distinctFiles` takes it. */
const fileOf = (flag: string, path: Option.Option<string>, role: string, written: boolean): NamedFile | undefined =>
  Option.match(path, { onNone: () => undefined, onSome: (value) => ({ flag, path: value, role, written }) })

const reportTarget = (file: Option.Option<string>) =>
  Option.match(file, {
    onNone: () => Effect.succeed(Option.none()),
    onSome: (path) =>
      Effect.zipRight(
        writableAt("--report", path),
        Effect.map(formatFor("--report", path), (format) => Option.some({ file: path, format }))
      )
  })

const delimiter = Options.text("delimiter").pipe(
  Options.withDescription(
    "What separates the fields of a CSV file: , (the default), ; (as Excel writes CSV where the decimal mark is a comma) or a tab (\\t or tab). Read with the default, a file whose header has no comma but a semicolon or a tab is refused; read with ; or a tab, one whose header has none of it but a comma."
  ),
  Options.optional
)

/** `--delimiter`, checked: none means the default comma, which refuses a header of another delimiter. */
const delimiterFor = (text: Option.Option<string>, format: Rows.Format) =>
  Option.match(text, {
    onNone: () => Effect.succeed(undefined),
    onSome: (given): Effect.Effect<Csv.Delimiter, Stop> => {
      const parsed = Csv.parseDelimiter(given)
      return format !== "csv"
        ? Effect.fail(new Stop({ code: 2, detail: `--delimiter: only a CSV file has one; this file is NDJSON` }))
        : parsed === undefined
        ? Effect.fail(
          new Stop({
            code: 2,
            detail: `--delimiter ${JSON.stringify(given)}: expected , or ; or a tab (\\t or tab)`
          })
        )
        : Effect.succeed(parsed)
    }
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

const maxFailures = Options.integer("max-failures").pipe(
  Options.withDescription(
    "Stop the job after this many FAILED rows (default 100): when every row fails for one reason, stop early and say how to continue."
  ),
  Options.withDefault(100)
)
const reportColumns = Options.choice("report-columns", ["standard", "all"] as const).pipe(
  Options.withDescription("all: the report also carries every column of the input, as the file has it."),
  Options.withDefault("standard" as const)
)
const skipInvalid = Options.boolean("skip-invalid").pipe(
  Options.withDescription(
    "Send the valid rows and report the invalid ones, instead of stopping before anything is sent."
  )
)

/** A word as the shell reads it back: quoted when it holds anything but plain characters. */
const shellWord = (
  word: string
): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)

/** The command line that runs a job again, flag by flag as the user gave them (never --retry-failed). */
const commandLine = (words: ReadonlyArray<string | ReadonlyArray<string> | Option.Option<string> | undefined>) =>
  [
    "mktows",
    ...words.flatMap((word) =>
      word === undefined ? [] : Option.isOption(word) ? Option.toArray(word) : typeof word === "string" ? [word] : word
    )
  ].map(shellWord).join(" ")

const flag = (name: string, value: Option.Option<string> | string | number | boolean, fallback?: string | number) =>
  typeof value === "boolean"
    ? (value ? [`--${name}`] : [])
    : Option.isOption(value)
    ? Option.match(value, { onNone: () => [], onSome: (v) => [`--${name}`, v] })
    : String(value) === String(fallback)
    ? []
    : [`--${name}`, String(value)]

const exitWith = (code: 0 | 1 | 2) => (code === 0 ? Effect.void : Effect.fail(new Stop({ code, detail: "" })))

const sync = Command.make(
  "sync",
  {
    file: Args.file({ name: "FILE", exists: "yes" }).pipe(
      Args.withDescription("The rows: .csv (a header row of field names) or .ndjson (one object per line).")
    ),
    type: Options.choice("type", types).pipe(Options.withDescription("The MObject type of every row.")),
    operation: Options.choice("operation", operations).pipe(
      Options.withDescription(
        "INSERT creates, UPDATE changes existing objects, UPSERT does either. Programs: UPDATE only."
      )
    ),
    map: Options.text("map").pipe(
      Options.withDescription(
        "Map a column of the file to a field: --map \"Opportunity Name=name\" (repeat for each column; 'Header=' leaves a column out). With a mapping, unmapped columns are ignored. `mktows map FILE` proposes one."
      ),
      Options.repeated,
      Options.optional
    ),
    mapFile: Options.file("map-file", { exists: "yes" }).pipe(
      Options.withDescription(
        "A JSON object from header to field, e.g. {\"Opportunity Name\": \"name\", \"Account Name\": null} (null: left out); --map flags add to it."
      ),
      Options.optional
    ),
    dateFormat: Options.choice<DateFormat, ReadonlyArray<DateFormat>>("date-format", Values.dateFormats).pipe(
      Options.withDescription(
        "The order of dates and date-times in the file: YMD (2026-12-31, the default), MDY (12/31/2026 7:36 PM) or DMY (31/12/2026 19:36)."
      ),
      Options.withDefault("YMD" as const)
    ),
    timeZone: Options.text("time-zone").pipe(
      Options.withDescription(
        "The time zone (e.g. America/New_York) the file's times are read in; default UTC. A date field (closeDate) takes the calendar day in this zone of a date-time with an offset (2026-01-03T02:00Z); one without an offset keeps the day it shows. A date-time field (externalCreatedDate) takes a date-time without an offset, or a date alone (its midnight), as the wall time in this zone; one with an offset is that instant."
      ),
      Options.withDefault("UTC")
    ),
    delimiter,
    report: reportFile,
    reportColumns,
    journal,
    retryFailed: Options.boolean("retry-failed").pipe(
      Options.withDescription(
        "With the same --journal: send the rows whose outcome was FAILED again (after fixing the mapping, the options or the instance), then go on with the rows not yet sent. A row that succeeded is never sent again."
      )
    ),
    maxFailures,
    skipInvalid,
    dryRun: Options.boolean("dry-run").pipe(
      Options.withDescription(
        "Check every row as the real run would (the configured transport's refusals too) and list every problem with its record and line; send nothing."
      )
    ),
    chunkSize,
    concurrency,
    rateLimit,
    endpoint,
    userId
  },
  (args) =>
    Effect.gen(function*() {
      // Said once, before the file is read: every row would be refused for it alike.
      if (args.type === "Program" && args.operation !== "UPDATE") {
        return yield* Effect.fail(
          new Stop({
            code: 2,
            detail:
              `--type Program syncs with --operation UPDATE only, not ${args.operation}: Marketo's syncMObjects adds costs and tags to programs that exist, and creates none`
          })
        )
      }
      const format = yield* formatFor("FILE", args.file)
      const separator = yield* delimiterFor(args.delimiter, format)
      const reportTo = yield* reportTarget(args.report)
      yield* writableOption("--journal", args.journal)
      yield* distinctFiles([
        { flag: "FILE", path: args.file, role: "the input", written: false },
        fileOf("--map-file", args.mapFile, "the mapping", false),
        fileOf("--report", args.report, "the report", true),
        fileOf("--journal", args.journal, "the journal", true)
      ])
      const transport = yield* Connection.configured
      const maxSize = Connection.maxObjectsPerCall(transport)
      const size = Option.isSome(args.chunkSize)
        ? yield* checkRange(
          "chunk-size",
          args.chunkSize.value,
          1,
          maxSize,
          transport === "rest" ? " over REST" : ` over SOAP (${Connection.maxObjectsPerCall("rest")} over REST)`
        )
        : maxSize
      const parallel = yield* checkRange("concurrency", args.concurrency, 1, 10)
      const limit = yield* Connection.parseRateLimit(args.rateLimit)
      const failures = yield* checkRange("max-failures", args.maxFailures, 1, Number.MAX_SAFE_INTEGER)
      const tty = yield* isTerminal(process.stderr)
      if (!Values.isTimeZone(args.timeZone)) {
        return yield* Effect.fail(
          new Stop({ code: 2, detail: `--time-zone ${args.timeZone}: not a time zone (e.g. UTC, America/New_York)` })
        )
      }
      const fromFile = Option.isSome(args.mapFile) ? yield* Mapping.readFile(args.mapFile.value) : undefined
      const mapFlags = Option.getOrElse(args.map, (): ReadonlyArray<string> => [])
      const mapping = Mapping.combine(fromFile, yield* Mapping.parseFlags(mapFlags))
      if (mapping !== undefined) yield* Mapping.check(args.type, mapping)
      const command = commandLine([
        "sync",
        args.file,
        "--type",
        args.type,
        "--operation",
        args.operation,
        ...mapFlags.flatMap((m) => ["--map", m]),
        flag("map-file", args.mapFile),
        flag("date-format", args.dateFormat, "YMD"),
        flag("time-zone", args.timeZone, "UTC"),
        flag("delimiter", args.delimiter),
        flag("report", args.report),
        flag("report-columns", args.reportColumns, "standard"),
        flag("journal", args.journal),
        flag("max-failures", args.maxFailures, 100),
        flag("skip-invalid", args.skipInvalid),
        flag("chunk-size", Option.map(args.chunkSize, String)),
        flag("concurrency", args.concurrency, 10),
        flag("rate-limit", args.rateLimit, "100/20"),
        flag("endpoint", args.endpoint),
        flag("user-id", args.userId)
      ])
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
        tty,
        maxFailures: failures,
        retryFailed: args.retryFailed,
        reportColumns: args.reportColumns,
        command,
        mapping,
        values: { dateFormat: args.dateFormat, timeZone: args.timeZone },
        delimiter: separator,
        transport,
        destination: yield* Connection.destination(args)
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
        "A filter ATTRIBUTE OP VALUE with OP one of = != < <= > >=; repeat to combine. Over SOAP, Marketo's criteria names, e.g. 'Name=Big deal' or 'Stage=Closed Lost'. Over REST: one criterion, = on a field the instance searches, e.g. 'externalOpportunityId=OPP-1' (a Program: Name, Tag Type with Tag Value, Updated At)."
      ),
      Options.repeated,
      Options.optional
    ),
    associations: Options.text("associations").pipe(
      Options.withDescription("Objects linked to TYPE:ID or TYPE:KEYFIELD=VALUE, e.g. 'Company:5'; repeat to combine."),
      Options.repeated,
      Options.optional
    ),
    includeDetails: Options.boolean("include-details").pipe(
      // Marketo's includeDetails: for Programs only, and over SOAP a Program comes with its costs, tags
      // and tokens without it; REST's reads have no such switch and always give the times.
      Options.withDescription(
        "Programs over SOAP: also read each Program's createdAt and updatedAt (its costs, tags and tokens come without it). No effect on other types, nor over REST, which gives a Program's times always."
      )
    ),
    out: Options.file("out").pipe(Options.withDescription("Where to write the objects: .ndjson or .csv.")),
    journal: Options.file("journal").pipe(
      Options.withDescription(
        "Make the export resumable: run the same command again to continue after the last page written."
      ),
      Options.optional
    ),
    rateLimit,
    endpoint,
    userId
  },
  (args) =>
    Effect.gen(function*() {
      const format = yield* formatFor("--out", args.out)
      yield* writableAt("--out", args.out)
      yield* writableOption("--journal", args.journal)
      yield* distinctFiles([
        { flag: "--out", path: args.out, role: "the export", written: true },
        fileOf("--journal", args.journal, "the journal", true)
      ])
      const criteria = yield* Reads.parseCriteria(Option.getOrElse(args.criteria, () => []))
      const associations = yield* Reads.parseAssociations(Option.getOrElse(args.associations, () => []))
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
          journal: args.journal,
          destination: yield* Connection.destination(args),
          command: commandLine([
            "get",
            "--type",
            args.type,
            ...Option.getOrElse(args.criteria, (): ReadonlyArray<string> => []).flatMap((c) => ["--criteria", c]),
            ...Option.getOrElse(args.associations, (): ReadonlyArray<string> => []).flatMap((a) => [
              "--associations",
              a
            ]),
            flag("include-details", args.includeDetails),
            "--out",
            args.out,
            flag("journal", args.journal),
            flag("rate-limit", args.rateLimit, "100/20"),
            flag("endpoint", args.endpoint),
            flag("user-id", args.userId)
          ])
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

const map = Command.make(
  "map",
  {
    file: Args.file({ name: "FILE", exists: "yes" }).pipe(
      Args.withDescription("A CSV file whose first row holds its headers, e.g. a CRM export.")
    ),
    type: Options.choice("type", types).pipe(Options.withDescription("The MObject type the rows are.")),
    delimiter,
    fromInstance: Options.boolean("from-instance").pipe(
      Options.withDescription(
        "Also match the instance's field names and display names, custom fields included (describes TYPE: needs the connection settings)."
      )
    ),
    endpoint,
    userId
  },
  (args) =>
    Effect.gen(function*() {
      const format = yield* formatFor("FILE", args.file)
      if (format !== "csv") {
        return yield* Effect.fail(
          new Stop({ code: 2, detail: `${args.file}: map reads a CSV file's header; NDJSON objects name their fields` })
        )
      }
      const record = yield* Rows.headerRecord(args.file, yield* delimiterFor(args.delimiter, format))
      const headers = record?.fields ?? []
      // A mapping is a JSON object from header to field: it cannot hold two columns named alike
      // (one key would be lost), so a header of such columns is refused rather than half mapped.
      const same = Columns.sameHeaders(headers)
      if (record !== undefined && same.length > 0) {
        return yield* Effect.fail(
          new InputError({
            file: args.file,
            line: record.line,
            detail: `the header: ${
              Columns.describeSameHeaders(same)
            }. A mapping names each column by its header, so it cannot tell such columns apart: rename them in the file so that each has its own header (e.g. 'Opportunity Name 2'), then run map again`
          })
        )
      }
      const names = args.fromInstance
        ? yield* withClient(
          args,
          {},
          Effect.map(
            MarketoClient.describeMObject(args.type),
            (metadata) => Mapping.instanceNames(args.type, metadata.fieldList)
          )
        )
        : new Map<string, string>()
      const proposal = Mapping.propose(args.type, headers, names)
      yield* Console.log(Mapping.render(proposal).trimEnd())
      const open = proposal.filter(([, field]) => field === null).map(([header]) => `'${header}'`)
      yield* Console.error(
        `mktows: ${proposal.length - open.length} of ${proposal.length} column(s) matched a field${
          open.length > 0
            ? `; left out (null): ${open.join(", ")}. Edit them to a field (e.g. "customFields.Region") or keep null`
            : ""
        }. Save this as a file and pass it to sync with --map-file.`
      )
    })
).pipe(
  Command.withDescription(
    "Propose a column mapping for a CSV file (a JSON object from header to field, for --map-file), matching headers to field names ignoring case, spaces and punctuation, knowing Salesforce's export headers and Marketo's own names for keys and links (externalOpportunityId, marketoGUID, externalCompanyId, leadId)."
  )
)

const list = Command.make("list", { endpoint, userId }, (args) => withClient(args, {}, Reads.list)).pipe(
  Command.withDescription("List the MObject types the instance knows.")
)

const remove = Command.make(
  "delete",
  {
    file: Args.file({ name: "FILE", exists: "yes" }).pipe(
      Args.withDescription(
        "The objects to delete: .csv with the columns type and id or externalKey.NAME (e.g. externalKey.externalOpportunityId), or a sync's report (with --type), or .ndjson of {\"type\",\"id\"} or {\"type\",\"externalKey\":{\"name\",\"value\"}}. Over REST, name an Opportunity by its external key: REST has no integer ids for it."
      )
    ),
    type: Options.choice("type", Deletes.types).pipe(
      Options.withDescription(
        "Every row's type, for a file without a type column, such as an export of mktows get (whose type column is then read as the object's field, not its type)."
      ),
      Options.optional
    ),
    delimiter,
    report: reportFile,
    reportColumns,
    journal,
    maxFailures,
    skipInvalid,
    rateLimit,
    endpoint,
    userId
  },
  (args) =>
    Effect.gen(function*() {
      const format = yield* formatFor("FILE", args.file)
      const separator = yield* delimiterFor(args.delimiter, format)
      const reportTo = yield* reportTarget(args.report)
      yield* writableOption("--journal", args.journal)
      yield* distinctFiles([
        { flag: "FILE", path: args.file, role: "the input", written: false },
        fileOf("--report", args.report, "the report", true),
        fileOf("--journal", args.journal, "the journal", true)
      ])
      const limit = yield* Connection.parseRateLimit(args.rateLimit)
      const failures = yield* checkRange("max-failures", args.maxFailures, 1, Number.MAX_SAFE_INTEGER)
      const tty = yield* isTerminal(process.stderr)
      const transport = yield* Connection.configured
      const command = commandLine([
        "delete",
        args.file,
        flag("type", args.type),
        flag("delimiter", args.delimiter),
        flag("report", args.report),
        flag("report-columns", args.reportColumns, "standard"),
        flag("journal", args.journal),
        flag("max-failures", args.maxFailures, 100),
        flag("skip-invalid", args.skipInvalid),
        flag("rate-limit", args.rateLimit, "100/20"),
        flag("endpoint", args.endpoint),
        flag("user-id", args.userId)
      ])
      const code = yield* withClient(
        args,
        { rateLimit: Connection.rateLimitOptions(limit) },
        Deletes.run({
          file: args.file,
          format,
          type: args.type,
          chunkSize: Connection.maxObjectsPerCall(transport),
          transport,
          report: reportTo,
          journal: args.journal,
          rateWindow: rateWindow(limit),
          tty,
          maxFailures: failures,
          skipInvalid: args.skipInvalid,
          reportColumns: args.reportColumns,
          command,
          delimiter: separator,
          destination: yield* Connection.destination(args)
        })
      )
      return yield* exitWith(code)
    })
).pipe(
  Command.withDescription(
    "Delete the Opportunity and OpportunityPersonRole objects listed in a file, by id or external key."
  )
)

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
  Command.withDescription(
    "Run the Marketo emulator (a local Marketo, SOAP and REST) with the same flags as `pnpm emulator`."
  )
)

/**
 * The `mktows` command and its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("mktows").pipe(
  Command.withDescription("Bulk Marketo MObject jobs from the command line."),
  Command.withSubcommands([sync, map, get, describe, list, remove, emulator])
)

/**
 * What `mktows`, `mktows --help` and `mktows help` print: one line per command. The generated
 * help lists every command with its whole usage, hundreds of characters wide; a command's
 * own `--help` still gives that usage with every flag.
 */
const overview = (): string =>
  [
    `mktows ${version}: bulk Marketo MObject jobs from the command line.`,
    "",
    "USAGE",
    "  mktows COMMAND [FLAGS]     mktows COMMAND --help (or mktows help COMMAND) lists a command's flags",
    "",
    "COMMANDS",
    "  sync FILE        Sync the rows of a CSV or NDJSON file (--type, --operation), with a report of every row",
    "  map FILE         Propose a column mapping for a CSV export (for sync --map-file)",
    "  get              Export every object of a type, optionally filtered, to NDJSON or CSV, page by page",
    "  describe TYPE    Show an MObject type's fields, as Marketo describes them",
    "  list             List the MObject types the instance knows",
    "  delete FILE      Delete the Opportunities and roles a file names, by id or external key",
    "  emulator         Run the Marketo emulator, SOAP and REST (mktows emulator --help)",
    "",
    "CONNECTION (from the environment)",
    "  SOAP  MARKETO_SOAP_ENDPOINT, MARKETO_USER_ID, MARKETO_ENCRYPTION_KEY",
    "  REST  MARKETO_REST_ENDPOINT, MARKETO_IDENTITY_ENDPOINT, MARKETO_CLIENT_ID, MARKETO_CLIENT_SECRET",
    "        (REST whenever MARKETO_REST_ENDPOINT is set)",
    "",
    "GLOBAL FLAGS",
    "  --log-level LEVEL       all, trace, debug, info, warning (the default), error, fatal or none",
    "  --completions SHELL     print a completion script for sh, bash, fish or zsh",
    "  --wizard                build a command step by step, asked on the terminal",
    "  --version, -h/--help    the version; this overview",
    "",
    "EXIT CODES",
    "  0 every row went through; 1 some rows FAILED, are IN_DOUBT or were INVALID (with --skip-invalid, or refused",
    "  when sent), or the job stopped early; 2 usage or validation errors (nothing sent)"
  ].join("\n")

const commandNames = ["sync", "map", "get", "describe", "list", "delete", "emulator"]

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
> = (argv) =>
  Output.withColoursWhereTheyBelong(pathsUnderFilesDoNotExist(Effect.suspend(() => {
    const args = argv.slice(2)
    const invalid = Output.invalidChoice(args, choicesFor(args))
    if (Option.isSome(invalid)) {
      const error = ValidationError.invalidValue(HelpDoc.p(invalid.value))
      return Effect.zipRight(Console.error(`mktows: ${invalid.value}`), Effect.fail(error))
    }
    // The overview for the command alone, --help and `help`; `help COMMAND` is `COMMAND --help`.
    if (args.length === 0 || (args.length === 1 && (args[0] === "--help" || args[0] === "-h" || args[0] === "help"))) {
      return Console.log(overview())
    }
    // @effect/cli prints the version as a paragraph, a blank line after it: a script reading
    // `mktows --version` gets the version alone.
    if (args.length === 1 && args[0] === "--version") return Console.log(version)
    if (args[0] === "help") {
      const name = args[1] ?? ""
      return commandNames.includes(name)
        ? commandHelp(argv, name)
        : Effect.zipRight(
          Console.error(
            `mktows: help ${name}: no such command; mktows help COMMAND, with COMMAND one of: ${
              commandNames.join(", ")
            }`
          ),
          Effect.fail(ValidationError.invalidValue(HelpDoc.p(`no such command: ${name}`)))
        )
    }
    // The wizard's prompts read keys from a terminal: from a pipe or /dev/null they would wait
    // for ever, drawing their escapes into whatever reads the output.
    const flags = args.indexOf("--") < 0 ? args : args.slice(0, args.indexOf("--"))
    if (flags.includes("--wizard") && process.stdin.isTTY !== true) {
      return Effect.fail(
        new Stop({
          code: 2,
          detail:
            "--wizard asks its questions on an interactive terminal, and standard input is not one (a pipe, a file or /dev/null). Run a command with its flags instead: mktows --help lists the commands, mktows COMMAND --help a command's flags (e.g. mktows sync FILE --type Opportunity --operation UPSERT --dry-run)."
        })
      )
    }
    const shell = args[0] === "--completions" ? args[1] : undefined
    if (shell === "bash") {
      return Effect.flatMap(
        Command.getBashCompletions(command, "mktows"),
        (lines) => Console.log(Output.fixBashChoices(lines.join("\n")))
      )
    }
    if (commandNames.includes(args[0] ?? "") && (flags.includes("--help") || flags.includes("-h"))) {
      return commandHelp(argv, args[0] ?? "")
    }
    return Command.run(command, { name: "mktows", version })(argv)
  })))

/**
 * A command's help, its usage starting `mktows COMMAND`. @effect/cli 0.77 puts the parent's name
 * before a subcommand's usage only when the parent's own arguments ask for help too: asked as
 * `mktows sync --help`, it prints `sync …`, a command no shell has. Asked as `mktows --help sync
 * --help`, it takes the path that names the parent. Whatever else the line holds is left out:
 * a command's help does not depend on it, and a half-written command (`get --type Program
 * --help`, without the required `--out`) still gets its help.
 */
const commandHelp = (argv: ReadonlyArray<string>, name: string) =>
  Command.run(command, { name: "mktows", version })([...argv.slice(0, 2), "--help", name, "--help"])

// `delete --type` names the types a delete takes, the other commands every MObject type.
const choicesFor = (args: ReadonlyArray<string>): ReadonlyArray<Output.Choice> =>
  args[0] === "delete"
    ? [{ flag: "--type", values: Deletes.types }, ...choices.filter((choice) => choice.flag !== "--type")]
    : choices

const choices: ReadonlyArray<Output.Choice> = [
  { flag: "--type", values: types },
  // @effect/cli's own flag: given a value it does not know, its parser moves on and reports the
  // value as an "invalid subcommand" instead, never naming the flag.
  { flag: "--log-level", values: LogLevel.allLevels.map((level) => level._tag.toLowerCase()) },
  { flag: "--operation", values: operations },
  { flag: "--date-format", values: Values.dateFormats },
  { flag: "--report-columns", values: ["standard", "all"] }
]

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
    : typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? Connection.explain(error as { readonly message: string })
    : typeof error === "object" && error !== null && "message" in error
    ? String(error.message)
    : String(error)
  return text.length === 0 ? Effect.void : Console.error(`mktows: ${text}`)
}
