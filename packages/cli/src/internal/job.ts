/**
 * A bulk job over a file of rows (`sync`, `delete`), in two streaming passes.
 *
 * The first pass reads and checks every row and hashes the file, so a journal can tell it
 * is the same file. Invalid rows stop the job there, before anything is sent, unless
 * `skipInvalid`. The second pass reads the file again and sends the valid rows in chunks,
 * writing one report row per input line, in line order.
 *
 * With a journal, each chunk's lines are recorded before it is sent and their outcomes
 * after; a rerun skips lines that have an outcome and first reconciles the lines whose
 * chunk may have been applied without an answer (what that means is the job's `reconcile`).
 * With `retryFailed` a rerun sends the FAILED lines again too; a success is never re-sent.
 *
 * Which call errors are ambiguous or fatal is core's rule (`MarketoError.isAmbiguous`,
 * `isFatal`), not the job's: the client has already turned ambiguous failures into IN_DOUBT
 * outcomes by the time an error reaches a job.
 *
 * Every way a job stops early says why and prints the command that continues it.
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoError from "@mktows/core/MarketoError"
import type { Outcome } from "@mktows/core/Outcome"
import type { Attrib } from "@mktows/core/Wire"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Connection from "./connection.js"
import { Stop } from "./failure.js"
import * as Journal from "./journal.js"
import * as Progress from "./progress.js"
import * as Report from "./report.js"
import type * as Rows from "./rows.js"
import type { InputError } from "./text.js"

/** How a job ended: 0 every row went through, 1 some FAILED, IN_DOUBT or were skipped as invalid, 2 refused. */
export type ExitCode = 0 | 1 | 2

/** The input of a job. */
type Source = Stream.Stream<Uint8Array, PlatformError, FileSystem.FileSystem>

/** What a kind of job does with its rows. */
export interface Work<A> {
  /** What the journal is for, apart from the file's identity and where the calls go. */
  readonly job: Omit<Journal.Job, "input" | "destination">
  /** The checked rows of the file (from `source` when given, for hashing). */
  readonly rows: (source?: Source) => Stream.Stream<Rows.Row<A>, InputError | PlatformError, FileSystem.FileSystem>
  /** The bytes of the file. */
  readonly bytes: Source
  /** The file's name, for the note that it is empty. */
  readonly file?: string | undefined
  /** The names of the input's columns, for a report that carries them (`json`: NDJSON lines). */
  readonly inputColumns: Effect.Effect<
    ReadonlyArray<string> | "json",
    InputError | PlatformError,
    FileSystem.FileSystem
  >
  /** Sends one chunk: one outcome per object, in order. */
  readonly send: (
    objects: ReadonlyArray<A>
  ) => Effect.Effect<ReadonlyArray<Outcome<A>>, MarketoError.CallError | MarketoError.ValidationError>
  /**
   * A row whose chunk may have been applied without an answer: send it (again), or its outcome
   * as read back. `sentAt`: when the chunk was about to be sent, on this machine's clock.
   */
  readonly reconcile: (
    line: number,
    object: A,
    sentAt: number | undefined
  ) => Effect.Effect<"send" | Journal.LineOutcome, MarketoError.CallError>
  /**
   * What a rerun with the journal does with the rows a run leaves IN_DOUBT, said when one does:
   * whether `reconcile` reads them back (a call each, for those with an external key) before
   * anything is sent again, whether the user must check them first, and the words for it.
   */
  readonly inDoubt: {
    readonly readsBack: boolean
    /** Whether a rerun may send them again unchecked (false: the user checks first). */
    readonly safe: boolean
    readonly rerun: string
  }
}

/** The id a row's object (a model, a delete's reference) holds, if any. */
const ownId = (input: unknown): number | undefined => {
  const id = typeof input === "object" && input !== null ? (input as { readonly id?: unknown }).id : undefined
  return typeof id === "number" ? id : undefined
}

/** The external key a row's object holds, if any. */
const ownKey = (input: unknown): Attrib | undefined => {
  const key = typeof input === "object" && input !== null
    ? (input as { readonly externalKey?: unknown }).externalKey
    : undefined
  if (typeof key !== "object" || key === null) return undefined
  const { name, value } = key as { readonly name?: unknown; readonly value?: unknown }
  return typeof name === "string" && typeof value === "string" ? { name, value } : undefined
}

/**
 * The names a row's object goes by in Marketo: its type with its id, and with its external key,
 * as written. Two rows that share one name the same object. External keys are compared exactly,
 * case and spaces included: Marketo documents no other rule for the keys of opportunities, roles
 * and programs, and Salesforce ids (`0065g00000AbCdE`, `0065g00000ABCDE`) are different records
 * that differ only in case. With `loosely`, the key is compared trimmed and in any case: names
 * that may be the same object, for keeping rows in the order of the file, where waiting for a
 * row that turns out to be another object costs only time.
 */
const objectNames = (input: unknown, loosely = false): ReadonlyArray<string> => {
  const o = typeof input === "object" && input !== null
    ? input as { readonly _tag?: unknown; readonly type?: unknown }
    : {}
  const type = String(o._tag ?? o.type ?? "")
  const id = ownId(input)
  const key = ownKey(input)
  const text = (part: string) => (loosely ? part.trim().toLowerCase() : part)
  return [
    ...(id === undefined ? [] : [`${type}\u0000id\u0000${id}`]),
    ...(key === undefined ? [] : [`${type}\u0000${text(key.name)}\u0000${text(key.value)}`])
  ]
}

/**
 * Keeps rows that name the same object in the order of the file: a chunk holding an object
 * that an earlier chunk still in flight holds waits for that chunk to end (answered, failed or
 * stopped), so a later row's values are never written before an earlier row's, and an INSERT's
 * duplicate is the later row. Chunks are registered in the order of the file, so a chunk waits
 * only for earlier ones and the job always moves on.
 */
const objectOrder = () => {
  const holders = new Map<string, Deferred.Deferred<void>>()
  return {
    /** Registers a chunk's objects; what it must wait for, and what releases them. */
    register: (names: ReadonlyArray<string>) =>
      Effect.map(Deferred.make<void>(), (done) => {
        const before = new Set<Deferred.Deferred<void>>()
        for (const name of names) {
          const held = holders.get(name)
          // A name twice in one chunk: the chunk does not wait for itself.
          if (held !== undefined && held !== done) before.add(held)
          holders.set(name, done)
        }
        return {
          wait: Effect.forEach(before, Deferred.await, { discard: true }),
          release: Effect.suspend(() => {
            for (const name of names) if (holders.get(name) === done) holders.delete(name)
            return Deferred.done(done, Exit.void)
          })
        }
      })
  }
}

/** The job stops, for `why`: said as a `Stop` once the report holds every row sent. */
class Stopping extends Data.TaggedError("Stopping")<{
  readonly why: string
  readonly failed: boolean
  /** `--max-failures` was met: the reason is said with the final count, once the calls out are answered. */
  readonly limit?: boolean
}> {}

/** A chunk of a run, until the report has its rows. */
interface Held<A> {
  readonly segment: ReadonlyArray<Item<A>>
  /** Whether its call went out. */
  sent: boolean
  /** Whether its call has begun to go out (its intent is being recorded): it is not held back then. */
  going: boolean
  /** Its rows' outcomes known so far (read back, or answered). */
  readonly decided: Map<number, Report.ReportRow>
  rows: ReadonlyArray<Report.ReportRow> | undefined
}

type SendItem<A> = Extract<Item<A>, { readonly _tag: "Send" }>

/** A row of a chunk as reported, with the cells of its line. */
const withCells = <A>(row: Report.ReportRow, item: SendItem<A>): Report.ReportRow =>
  item.cells === undefined ? row : { ...row, cells: item.cells }

/** A row sent and answered, whose answer said nothing of it. */
const noOutcome = <A>(item: SendItem<A>): Report.ReportRow =>
  withCells({ line: item.line, status: "IN_DOUBT", error: "no outcome was reported for it" }, item)

/**
 * A chunk's rows as reported: each row's outcome, and for a row without one what `missing` says
 * (none: the row is in no report). By default IN_DOUBT: its call was answered without it.
 */
const rowsOf = <A>(
  segment: ReadonlyArray<Item<A>>,
  decided: ReadonlyMap<number, Report.ReportRow>,
  missing: (item: SendItem<A>) => Report.ReportRow | undefined = noOutcome
): ReadonlyArray<Report.ReportRow> => {
  const rows: Array<Report.ReportRow> = []
  for (const item of segment) {
    if (item._tag === "Known") {
      rows.push(item.row)
      continue
    }
    const row = decided.get(item.line)
    const reported = row === undefined ? missing(item) : withCells(row, item)
    if (reported !== undefined) rows.push(reported)
  }
  return rows
}

/** A row of a call that went out and was never answered (the job stopped first). */
const unanswered = <A>(item: SendItem<A>): Report.ReportRow =>
  withCells({
    line: item.line,
    status: "IN_DOUBT",
    error: "the job stopped before this row's call was answered: it may have been applied"
  }, item)

/** A journal's intent that could not be written: the call it was for sent nothing. */
class IntentNotRecorded extends Data.TaggedError("IntentNotRecorded")<{ readonly error: Journal.JournalError }> {}

/** A call the job held back, when its turn came, because the job is stopping: nothing of it went out then. */
class Halted extends Data.TaggedError("Halted")<{}> {}

/**
 * `send` with its lines recorded as intended in the journal just before each of its calls goes
 * out, once the client's limits let it go (`MarketoClient.withOnSend`), and `place` marked as
 * sent: a chunk still waiting for the rate window when the job stops was not sent, and is not
 * in doubt on the next run, nor in the report. A record that cannot be written ends the call
 * before anything is sent, as a `JournalError`; a call whose turn comes once the job is
 * stopping (`halted`) is held back, as `Halted`.
 */
const intending = <X, E>(
  journal: Journal.Journal | undefined,
  lines: ReadonlyArray<number>,
  send: Effect.Effect<X, E>,
  place: { sent: boolean; going: boolean },
  halted: () => boolean
): Effect.Effect<X, E | Journal.JournalError | Halted> => {
  const went = Effect.sync(() => void (place.sent = true))
  const intend = journal === undefined
    ? went
    : Effect.zipRight(Effect.orDieWith(journal.intend(lines), (error) => new IntentNotRecorded({ error })), went)
  return send.pipe(
    // A defect, as the hook has no error channel: turned back into a failure below. Once past
    // the check the call goes (`going`): an intent recorded is always followed by its send.
    MarketoClient.withOnSend(Effect.suspend(() => {
      if (halted()) return Effect.die(new Halted())
      place.going = true
      return intend
    })),
    Effect.catchSomeDefect((defect): Option.Option<Effect.Effect<never, Journal.JournalError | Halted>> =>
      defect instanceof IntentNotRecorded
        ? Option.some(Effect.fail(defect.error))
        : defect instanceof Halted
        ? Option.some(Effect.fail(defect))
        : Option.none()
    )
  )
}

/**
 * Whether an outcome is a row the transport answered without sending it: FAILED with a reason
 * that begins `not sent:` (over REST, a Program whose channel the update would change, a record
 * larger than a request). Nothing of it reached Marketo, and the reason says what to change.
 */
export const failedUnsent = (outcome: { readonly status: string; readonly error?: string | undefined }): boolean =>
  outcome.status === "FAILED" && outcome.error?.startsWith("not sent:") === true

/** The note of a row in doubt that, sent again, changed nothing. */
const resentUnchanged =
  "sent again after a run stopped without its answer: nothing left to change, so that run's send may have applied it (a delete: deleted it)"

/** How a job runs. */
export interface Options {
  readonly report: Option.Option<{ readonly file: string; readonly format: Rows.Format }>
  readonly journal: Option.Option<string>
  readonly skipInvalid: boolean
  readonly chunkSize: number
  readonly concurrency: number
  /** The client's rate window, for the progress display. */
  readonly rateWindow: Progress.RateWindow
  readonly tty: boolean
  /** Stop after this many FAILED rows in a run. */
  readonly maxFailures: number
  /** Send the lines the journal holds as FAILED again. */
  readonly retryFailed: boolean
  /** Carry the input's columns in the report. */
  readonly reportColumns: "standard" | "all"
  /** The command as the user typed it (without --retry-failed), for the hint that continues a stopped job. */
  readonly command: string
  /** The configured transport, so that a hint names its settings only. */
  readonly transport?: Connection.Transport | undefined
  /** Where the calls go: a journal records it, and refuses a run that goes elsewhere. */
  readonly destination: Journal.Destination
}

/** What to run to continue a stopped job. */
export const resumeHint = (options: Pick<Options, "journal" | "command">, failed: boolean): string =>
  Option.isSome(options.journal)
    ? `To continue where it stopped, run:\n  ${options.command}${
      failed ? " --retry-failed" : ""
    }\n(the journal ${options.journal.value} keeps what was done: nothing that succeeded is sent again${
      failed ? "; --retry-failed sends the FAILED rows again" : ""
    })`
    : `It ran without --journal, so a rerun would send every row again. Next time add --journal FILE to make it resumable.`

const describe = (problems: ReadonlyArray<Rows.Problem>): string =>
  problems.map((p) => (p.field.length > 0 ? `${p.field}: ${p.message}` : p.message)).join("; ")

/** Where a row is, in the user's words: its record number (data rows from 1) and the line it starts on. */
export const where = (row: { readonly record: number; readonly line: number }): string =>
  `record ${row.record} (line ${row.line})`

/** The problems of an invalid row, one a line: `record 5 (line 6): Amount: '$1,25O.00' is not a number`. */
export const problemText = <A>(row: Rows.Row<A>): string =>
  row.valid
    ? ""
    : row.problems.map((p) => `${where(row)}: ${p.field.length > 0 ? `${p.field}: ` : ""}${p.message}`).join("\n")

/**
 * The first pass: every row checked, each invalid one handed to `onInvalid`, the file's identity
 * computed. `seen` counts the rows read so far, for a message when the pass is interrupted.
 */
export const checkAll = <A>(
  work: Work<A>,
  onInvalid: (row: Rows.Row<A>) => Effect.Effect<void>,
  seen: { rows: number } = { rows: 0 }
) =>
  Effect.gen(function*() {
    const hash = Journal.hasher()
    const source = Stream.tap(work.bytes, (chunk) => Effect.sync(() => hash.update(chunk)))
    let total = 0
    let invalid = 0
    let passed = 0
    yield* work.rows(source).pipe(
      Stream.runForEach((row) => {
        total++
        seen.rows = total
        if (row.valid) return Effect.void
        if (row.pass !== undefined) {
          passed++
          return Effect.void
        }
        invalid++
        return onInvalid(row)
      })
    )
    const identity = hash.digest()
    // Not an error (a job of no rows went through), but most likely not the file meant: said.
    if (identity.size === 0 && work.file !== undefined) {
      yield* Console.error(`mktows: note: ${work.file} is empty (0 bytes): no rows, so nothing is sent`)
    }
    return { total, invalid, passed, identity }
  })

/** Checks every row and lists every problem on stdout; sends nothing. */
export const dryRun = <A>(work: Work<A>): Effect.Effect<ExitCode, InputError | PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const seen = { rows: 0 }
    const checked = yield* checkAll(work, (row) => Console.log(problemText(row)), seen).pipe(
      Effect.onInterrupt(() =>
        Console.error(
          `\nmktows: the dry run was interrupted after ${seen.rows} row(s) checked (the problems of those are listed above); nothing was sent`
        )
      )
    )
    yield* Console.log(
      `${checked.total} row(s) checked, ${checked.invalid} invalid${
        checked.passed > 0 ? `, ${checked.passed} passed over (reported SKIPPED)` : ""
      }; dry run: nothing was sent`
    )
    return checked.invalid > 0 ? 2 : 0
  })

/** One row of the second pass, before it has an outcome. */
type Item<A> =
  | { readonly _tag: "Known"; readonly row: Report.ReportRow }
  | {
    readonly _tag: "Send"
    readonly line: number
    readonly object: A
    readonly doubt: boolean
    /** When a row in doubt was last about to be sent. */
    readonly sentAt?: number | undefined
    readonly cells?: ReadonlyArray<string> | undefined
  }

/** Rows grouped so that each group sends at most one chunk: at most `chunkSize` to send, and a bounded number in all. */
const segments = (chunkSize: number) => <A, E, R>(items: Stream.Stream<Item<A>, E, R>) =>
  Stream.suspend(() => {
    let current: Array<Item<A>> = []
    let toSend = 0
    return items.pipe(
      Stream.mapConcat((item) => {
        current.push(item)
        if (item._tag === "Send") toSend++
        if (toSend >= chunkSize || current.length >= 1000) {
          const out = current
          current = []
          toSend = 0
          return [out]
        }
        return []
      }),
      Stream.concat(Stream.suspend(() => (current.length > 0 ? Stream.make(current) : Stream.empty)))
    )
  })

/**
 * Errors after which no further chunk can go through, so the job stops and a rerun
 * continues: core's fatal errors, and an endpoint that refused the connection (nothing was
 * sent, and every later call would be refused too).
 */
const stopping = (error: MarketoError.CallError): boolean =>
  MarketoError.isFatal(error) ||
  (error._tag === "TransportError" && error.reason === "Connection" && !MarketoError.isAmbiguous(error)) ||
  // No such path: the endpoint setting is wrong, and every call would meet the same 404.
  (error._tag === "TransportError" && error.reason === "Status" && error.status === 404)

/**
 * The outcomes of a chunk whose call failed as a whole. The client answers an ambiguous
 * failure with IN_DOUBT outcomes itself, so an error that reaches here was an answer
 * (nothing applied: FAILED); should that ever change, core's rule still decides.
 */
const outcomesOfError = (
  lines: ReadonlyArray<number>,
  error: MarketoError.CallError
): ReadonlyArray<Journal.LineOutcome> => {
  const ambiguous = MarketoError.isAmbiguous(error)
  return lines.map((line) => ({
    line,
    status: ambiguous ? "IN_DOUBT" : "FAILED",
    error: ambiguous ? `the call may have been applied, no answer was read: ${error.message}` : error.message
  }))
}

/** The outcomes a journal keeps: INVALID is found again by the next run's check. */
const definite = (rows: ReadonlyArray<Report.ReportRow>): ReadonlyArray<Journal.LineOutcome> =>
  rows.flatMap((row) => {
    if (row.status === "INVALID") return []
    const { cells: _, status, ...rest } = row
    return [{ ...rest, status }]
  })

/** A stop after rows were sent: what was done, and how to go on. */
const stoppedAfterSending = (options: Options, counters: Progress.Counters, why: string, failed: boolean) =>
  new Stop({
    code: 1,
    detail: `the job stopped: ${why}\n${counters.sent} row(s) were sent in this run before it stopped. ${
      resumeHint(options, failed)
    }`
  })

/** `print` for the first 50 it is given, then nothing: enough to see a pattern on a terminal. */
const firstFifty = <A>(print: (a: A) => Effect.Effect<void>): (a: A) => Effect.Effect<void> => {
  let shown = 0
  return (a) => ++shown <= 50 ? print(a) : Effect.void
}

/** Runs a job; the exit code says how it went. Failures that end the job early are `Stop`s. */
export const run = <A, R>(
  work: Work<A>,
  options: Options
): Effect.Effect<ExitCode, Stop | InputError | PlatformError | Journal.JournalError, FileSystem.FileSystem | R> =>
  Effect.scoped(Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    let failures = 0
    let firstFailure: string | undefined
    // Of the failures, the rows the transport answered without sending them (see `failedUnsent`).
    let unsentFailures = 0
    let firstUnsent: string | undefined
    // Why the job stops, once it must (see `haltWith`); before the finalizers, which read it.
    let halt: Stopping | Journal.JournalError | PlatformError | undefined
    // Whether the second pass, which sends, has begun; and the rows the first pass has read.
    let sending = false
    const seen = { rows: 0 }
    // Finalizers run last-added first: the progress line's last draw, then the summary, then,
    // when the job did not finish (Ctrl-C included), how to continue it. Added first, so that
    // Ctrl-C while the rows are checked, or the journal and report opened, is said too.
    yield* Effect.addFinalizer((exit) =>
      !Exit.isInterrupted(exit)
        ? Effect.void
        : !sending
        ? Console.error(
          `\nmktows: the job was interrupted before anything was sent (${seen.rows} row(s) checked): nothing was sent. To run it, run the same command again:\n  ${options.command}${
            options.retryFailed ? " --retry-failed" : ""
          }`
        )
        : Console.error(
          `\nmktows: the job was interrupted${
            halt?._tag === "Stopping" && halt.limit !== true ? ` while it stopped: ${halt.why}\n` : ". "
          }${resumeHint(options, failures > 0)}`
        )
    )
    // The first problems are enough to see the pattern; --dry-run lists them all.
    const checked = yield* checkAll(work, firstFifty((row) => Console.error(problemText(row))), seen)
    if (checked.invalid > 0 && !options.skipInvalid) {
      return yield* Effect.fail(
        new Stop({
          code: 2,
          detail: `${checked.invalid} of ${checked.total} row(s) are invalid${
            checked.invalid > 50 ? " (the first 50 are listed above; --dry-run lists all)" : ""
          }; nothing was sent. Fix them, or pass --skip-invalid to send the others and report these.`
        })
      )
    }

    const journal = Option.isSome(options.journal)
      ? yield* Journal.open(options.journal.value, {
        ...work.job,
        input: checked.identity,
        destination: options.destination
      })
      : undefined
    const inputColumns = options.reportColumns === "all" ? yield* work.inputColumns : undefined
    const report = Option.isSome(options.report)
      ? yield* Report.open(options.report.value.file, options.report.value.format, inputColumns)
      : undefined
    const counters = Progress.make(checked.total, options.rateWindow)
    // Said on the progress line while they are read back: a run that settles many sends nothing
    // for minutes, a call per row under the rate window.
    if (journal !== undefined && work.inDoubt.readsBack) counters.inDoubt = journal.inDoubt
    sending = true
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Console.log(Progress.summary(counters, now - started)))
    )
    yield* Progress.display(counters, {
      tty: options.tty,
      write: (text) => Effect.sync(() => void process.stderr.write(text))
    })

    const toItem = (row: Rows.Row<A>): Effect.Effect<Item<A>, Journal.JournalError> => {
      if (!row.valid) {
        const known: Item<A> = {
          _tag: "Known",
          row: row.pass !== undefined
            ? { line: row.line, status: "SKIPPED", error: row.pass, cells: row.cells }
            : { line: row.line, status: "INVALID", error: describe(row.problems), cells: row.cells }
        }
        // A row in doubt that is not valid now (another mapping) is settled without a read:
        // counted, or the progress line would wait for it to the end.
        if (journal === undefined || counters.inDoubt === 0) return Effect.succeed(known)
        return Effect.map(journal.previous(row.line), (previous) => {
          if (previous._tag === "Doubt") counters.settled++
          return known
        })
      }
      const send = (doubt: boolean, sentAt?: number): Item<A> => ({
        _tag: "Send",
        line: row.line,
        object: row.object,
        doubt,
        sentAt,
        cells: row.cells
      })
      if (journal === undefined) return Effect.succeed(send(false))
      return Effect.map(journal.previous(row.line), (previous): Item<A> => {
        if (previous._tag === "Doubt") return send(true, previous.sentAt)
        if (previous._tag === "New" || (options.retryFailed && previous.outcome.status === "FAILED")) return send(false)
        if (previous.outcome.status === "CREATED") claim(row.line, row.object)
        return { _tag: "Known", row: { ...previous.outcome, cells: row.cells } }
      })
    }

    // Rows the client refused when their call was made (what the first pass cannot see) are
    // listed on stderr as the first pass's problems are, the first 50 of them, not only in the
    // report.
    const showOneRefused = firstFifty((row: Report.ReportRow) =>
      Console.error(`line ${row.line}: refused, not sent: ${row.error ?? "INVALID"}`)
    )
    const showRefused = (rows: ReadonlyArray<Report.ReportRow>): Effect.Effect<void> =>
      Effect.forEach(rows, showOneRefused, { discard: true })

    // Said once the job has stopped and its report holds every row sent (see `reportHeld`), so
    // that the count of rows sent it gives is the report's.
    const stop = (error: MarketoError.CallError) =>
      new Stopping({ why: Connection.explain(error, options.transport), failed: failures > 0 })

    // A call the client refused as a whole (what the first pass should have caught): the
    // refused rows are INVALID and never sent; the others go again, without them.
    const sendChecked = (
      batch: ReadonlyArray<{ readonly line: number; readonly object: A }>
    ): Effect.Effect<ReadonlyArray<Journal.LineOutcome | Report.ReportRow>, MarketoError.CallError> =>
      work.send(batch.map((entry) => entry.object)).pipe(
        Effect.map((outcomes) =>
          outcomes.map((outcome): Journal.LineOutcome => {
            // An outcome without an answer of its own (IN_DOUBT, a call that failed) names its
            // object by the row's own id and key: the report says which object to check.
            const id = outcome.id ?? ownId(outcome.input)
            const externalKey = outcome.externalKey ?? ownKey(outcome.input)
            return {
              line: batch[outcome.index]?.line ?? -1,
              status: outcome.status,
              ...(id === undefined ? {} : { id }),
              ...(externalKey === undefined ? {} : { externalKey }),
              ...(outcome.error === undefined ? {} : { error: outcome.error })
            }
          })
        ),
        Effect.catchTag("ValidationError", (error) => {
          const refused = new Map<number, Array<string>>()
          for (const issue of error.issues) {
            const path = issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""
            refused.set(issue.index, [...(refused.get(issue.index) ?? []), `${path}${issue.message}`])
          }
          const rest = batch.filter((_, i) => !refused.has(i))
          const invalid = batch.flatMap((entry, i): Array<Report.ReportRow> => {
            const reasons = refused.get(i)
            return reasons === undefined ? [] : [{ line: entry.line, status: "INVALID", error: reasons.join("; ") }]
          })
          // A refusal that names no row (of the call itself) is every row's: none was sent.
          if (rest.length === batch.length) {
            const all = batch.map((entry): Report.ReportRow => ({
              line: entry.line,
              status: "INVALID",
              error: error.message
            }))
            return Effect.as(showRefused(all), all)
          }
          return Effect.zipRight(
            showRefused(invalid),
            rest.length === 0 ? Effect.succeed(invalid) : Effect.map(sendChecked(rest), (sent) => [...invalid, ...sent])
          )
        })
      )

    // Why the job stops, once it must (a fatal error, --max-failures, a journal or report that
    // cannot be written): the first reason wins. From then on no call goes out that was not out
    // already, and the calls in flight are waited for, so that their rows get the outcomes
    // Marketo gave them rather than IN_DOUBT (only Ctrl-C cuts them short). Chunks still waiting
    // for their turn at the client's limits are not waited for: nothing of them went out, and
    // the rate window can hold them for up to 20 s. No chunk fails the stream that runs them:
    // a failing one would have it interrupt the others, answered or not.
    const halted = () => halt !== undefined
    const haltSignal = yield* Deferred.make<void>()
    const haltWith = (why: Stopping | Journal.JournalError | PlatformError) => {
      halt ??= why
      counters.stopping = true
      Deferred.unsafeDone(haltSignal, Exit.void)
    }
    // A chunk's rows when the job stops without its answer: those it knows an outcome of, and
    // when its call went out, the others IN_DOUBT (counted as sent).
    // Rows never sent are in no report: the next run sends them.
    const settle = (place: Held<A>): ReadonlyArray<Report.ReportRow> => {
      if (place.rows !== undefined) return place.rows
      // A row of a call that went out without an answer was sent: counted as it is made.
      const rows = rowsOf(place.segment, place.decided, (item) => {
        if (!place.sent) return undefined
        counters.sent++
        return unanswered(item)
      })
      place.rows = rows
      return rows
    }
    // The rows FAILED by the error that stopped the job: not failures of their own.
    const refusedByStop = new Set<number>()

    const sendSegment = (
      segment: ReadonlyArray<Item<A>>,
      place: Held<A>
    ): Effect.Effect<ReadonlyArray<Report.ReportRow>> =>
      Effect.gen(function*() {
        const decided = place.decided
        // Taken before the job began to stop, started after: nothing of it is sent.
        if (halt !== undefined) return settle(place)
        const batch: Array<{ readonly line: number; readonly object: A }> = []
        // Rows in doubt sent again: an UNCHANGED answer may be the stopped run's doing.
        const resent = new Set<number>()
        for (const item of segment) {
          if (item._tag !== "Send") continue
          if (!item.doubt) {
            batch.push(item)
            continue
          }
          const verdict = halt !== undefined ? "halted" : yield* Effect.catchAll(
            Effect.map(work.reconcile(item.line, item.object, item.sentAt), (verdict) => claimedBy(item, verdict)),
            (error): Effect.Effect<"send" | "halted" | Journal.LineOutcome> => {
              if (!stopping(error)) {
                return Effect.succeed({
                  line: item.line,
                  status: "IN_DOUBT",
                  error: `could not be read back to check whether it was applied: ${error.message}`
                })
              }
              haltWith(stop(error))
              return Effect.succeed("halted")
            }
          )
          if (verdict === "halted") break
          counters.settled++
          if (verdict === "send") {
            batch.push(item)
            resent.add(item.line)
          } else decided.set(item.line, verdict)
        }
        if (journal !== undefined) yield* journal.record(definite([...decided.values()]))
        // Stopped while reading back: what was read back is reported, nothing is sent.
        if (halt !== undefined) return settle(place)
        if (batch.length > 0) {
          const lines = batch.map((entry) => entry.line)
          // Held back when the job starts to stop before it went out; once out, it is answered.
          const heldBack = Effect.flatMap(
            Deferred.await(haltSignal),
            () => place.sent || place.going ? Effect.never : Effect.fail(new Halted())
          )
          const answered = yield* Effect.raceFirst(
            intending(journal, lines, sendChecked(batch), place, halted),
            heldBack
          ).pipe(
            Effect.map((outcomes) => Option.some(outcomes)),
            Effect.catchAll((
              error
            ): Effect.Effect<
              Option.Option<ReadonlyArray<Journal.LineOutcome | Report.ReportRow>>,
              Journal.JournalError
            > => {
              if (error._tag === "JournalError") return Effect.fail(error)
              // Held back as the job stops: nothing more of it went out.
              if (error._tag === "Halted") return Effect.succeed(Option.none())
              if (!stopping(error)) return Effect.succeed(Option.some(outcomesOfError(lines, error)))
              // The job stops here. This chunk's rows are reported as the error left them, and
              // journaled as applied by nothing: the next run sends them, without reading back.
              haltWith(stop(error))
              for (const outcome of outcomesOfError(lines, error)) {
                decided.set(outcome.line, outcome)
                refusedByStop.add(outcome.line)
              }
              counters.refused += lines.length
              return journal === undefined || MarketoError.isAmbiguous(error)
                ? Effect.succeed(Option.none())
                : Effect.as(journal.unsent(lines), Option.none())
            }),
            Effect.tap(() => Progress.callEnded(counters))
          )
          // Held back, or refused by the error that stops the job. A call held back after an
          // attempt went out (a retry) may have been applied by it: its rows are IN_DOUBT.
          if (Option.isNone(answered)) return settle(place)
          const outcomes = answered.value.map((outcome) =>
            resent.has(outcome.line) && outcome.status === "UNCHANGED" && outcome.error === undefined
              ? { ...outcome, error: resentUnchanged }
              : outcome
          )
          // Rows the client refused (INVALID), or the transport answered without sending them
          // (`not sent: …`), never left: only the others were sent.
          const unsent = outcomes.filter(failedUnsent).length
          counters.unsent += unsent
          counters.sent += outcomes.filter((outcome) => outcome.status !== "INVALID").length - unsent
          // By line: the client's refusals come first in `outcomes`, not in the batch's order.
          const objectOf = new Map(batch.map((entry) => [entry.line, entry.object]))
          for (const outcome of outcomes) {
            const object = objectOf.get(outcome.line)
            if (outcome.status === "CREATED" && object !== undefined) claim(outcome.line, object)
          }
          // Known before they are journaled: a journal that cannot record them still leaves the
          // report with Marketo's answers (the next run reads these rows back).
          for (const outcome of outcomes) decided.set(outcome.line, outcome)
          // INVALID is not an outcome a journal keeps: the next run finds the row invalid again.
          if (journal !== undefined) {
            yield* journal.record(definite(outcomes))
          }
        }
        const rows = rowsOf(segment, decided)
        place.rows = rows
        return rows
      }).pipe(
        // The journal cannot be written (a full disk): the job stops, this chunk as it stands.
        Effect.catchAll((error) =>
          Effect.sync(() => {
            haltWith(error)
            return settle(place)
          })
        )
      )

    let problems = 0
    let reportFailed = false
    const order = objectOrder()

    // The chunks not yet in the report, in the file's order (the report is written in it): each
    // with its rows once it has them, and whether its call went out.
    const held: Array<Held<A>> = []
    const reportHeld = Effect.suspend(() => {
      const rows = held.flatMap(settle)
      held.length = 0
      for (const row of rows) Progress.count(counters, row.status)
      if (report === undefined || rows.length === 0) return Effect.void
      return Effect.zipRight(report.write(rows), counters.sent > 0 ? report.commit : Effect.void)
    })

    // Which line of this file created each object, as its outcomes say: a row in doubt read back
    // as CREATED names an object another line created (the same key twice in the file) is that
    // line's duplicate, SKIPPED, and not a second creation a delete by the report would remove.
    const creators = new Map<string, number>()
    const claim = (line: number, object: A) => {
      for (const name of objectNames(object)) if (!creators.has(name)) creators.set(name, line)
    }
    const claimedBy = (
      item: { readonly line: number; readonly object: A },
      verdict: "send" | Journal.LineOutcome
    ): "send" | Journal.LineOutcome => {
      if (verdict === "send" || verdict.status !== "CREATED") return verdict
      const by = objectNames(item.object).map((name) => creators.get(name)).find((line) => line !== undefined)
      if (by !== undefined && by !== item.line) {
        return {
          ...verdict,
          status: "SKIPPED",
          error: `its object was created by line ${by} of this file, which names the same object: not created again`
        }
      }
      claim(item.line, item.object)
      return verdict
    }
    yield* work.rows().pipe(
      Stream.mapEffect(toItem),
      segments(options.chunkSize),
      Stream.tap(() => Effect.sync(() => counters.pending++)),
      // Once the job is stopping no further chunk is sent. With a journal the rest of the file is
      // still read, so that the report holds the outcomes the journal knows of every line (a
      // resumed job that stops again would otherwise drop the earlier runs' rows from its report).
      Stream.takeWhile(() => halt === undefined || journal !== undefined),
      // In the order of the file: which earlier chunks each one waits for.
      Stream.mapEffect((segment) =>
        Effect.map(
          order.register(segment.flatMap((item) => (item._tag === "Send" ? objectNames(item.object, true) : []))),
          (turn) => {
            const place: Held<A> = { segment, sent: false, going: false, decided: new Map(), rows: undefined }
            held.push(place)
            return { segment, turn, place }
          }
        )
      ),
      Stream.mapEffect(
        ({ place, segment, turn }) =>
          turn.wait.pipe(
            Effect.zipRight(sendSegment(segment, place)),
            Effect.ensuring(Effect.zipRight(turn.release, Effect.sync(() => counters.pending--)))
          ),
        { concurrency: options.concurrency }
      ),
      Stream.runForEach((rows) =>
        Effect.gen(function*() {
          // In the report now: no longer held.
          held.shift()
          for (const row of rows) {
            Progress.count(counters, row.status)
            if (row.status === "FAILED" || row.status === "IN_DOUBT" || row.status === "INVALID") problems++
            if (row.status === "FAILED" && !refusedByStop.has(row.line)) {
              failures++
              firstFailure ??= `record on line ${row.line}: ${row.error ?? "FAILED"}`
              if (failedUnsent(row)) {
                unsentFailures++
                firstUnsent ??= `line ${row.line}: ${row.error ?? ""}`
              }
            }
          }
          // Once a call was answered, the report is this run's; before, the last run's stays. A
          // report that cannot be written stops the job (what was sent meanwhile is journaled).
          if (report !== undefined && !reportFailed) {
            yield* Effect.catchAll(
              Effect.zipRight(report.write(rows), counters.sent > 0 ? report.commit : Effect.void),
              (error) =>
                Effect.sync(() => {
                  reportFailed = true
                  haltWith(error)
                })
            )
          }
          if (failures >= options.maxFailures && halt === undefined) {
            haltWith(new Stopping({ why: "", failed: true, limit: true }))
          }
        })
      ),
      // Every chunk taken has its rows in the report: the job says why it stopped.
      Effect.zipRight(Effect.suspend(() => halt === undefined ? Effect.void : Effect.fail(halt))),
      // Interrupted (Ctrl-C) or a write failed: the rows of chunks answered while an earlier one
      // was still out, and of calls that went out without an answer, are reported too.
      Effect.onExit((exit) => Exit.isSuccess(exit) ? Effect.void : Effect.ignore(reportHeld)),
      // A write that fails after rows went out (disk full) must not read as "nothing sent".
      Effect.catchTags({
        // Rows FAILED by calls answered after the stop count too: the hint must offer --retry-failed.
        Stopping: (stopped) =>
          Effect.fail(
            stoppedAfterSending(
              options,
              counters,
              stopped.limit === true
                ? `${failures} row(s) FAILED, the limit of --max-failures ${options.maxFailures}. The first: ${firstFailure}.\nMarketo refused them for a reason every row may share (a field the instance does not have, a missing value, a wrong key): fix the mapping, the options or the instance.`
                : stopped.why,
              stopped.failed || failures > 0
            )
          ),
        JournalError: (error) =>
          counters.sent > 0
            ? Effect.fail(stoppedAfterSending(options, counters, error.message, failures > 0))
            : Effect.fail(error),
        SystemError: (error) =>
          counters.sent > 0
            ? Effect.fail(stoppedAfterSending(options, counters, `writing failed: ${error.message}`, failures > 0))
            : Effect.fail(error),
        BadArgument: (error) =>
          counters.sent > 0
            ? Effect.fail(stoppedAfterSending(options, counters, `writing failed: ${error.message}`, failures > 0))
            : Effect.fail(error)
      })
    )
    // The job went through: its report replaces the last one, even with no call made.
    if (report !== undefined) yield* report.commit
    if (failures > unsentFailures) {
      yield* Console.error(
        `mktows: ${failures - unsentFailures} row(s) FAILED${
          unsentFailures > 0 ? " when sent" : ""
        }. Once the cause is fixed (the mapping, the options or the instance), ${
          Option.isSome(options.journal)
            ? `send them again with:\n  ${options.command} --retry-failed`
            : "send them again; with --journal a rerun would send only those (--retry-failed)"
        }`
      )
    }
    if (unsentFailures > 0) yield* Console.error(unsentHint(options, unsentFailures, firstUnsent ?? ""))
    const inDoubt = counters.byStatus.get("IN_DOUBT") ?? 0
    if (inDoubt > 0) yield* Console.error(inDoubtHint(options, work, inDoubt, failures > 0))
    return problems > 0 ? 1 : 0
  }))

/**
 * What to do about the rows the transport answered without sending them (`not sent: …`): their
 * reasons say what to change, and sent again unchanged most would fail the same way, so the next
 * step is that change, not a bare retry.
 */
export const unsentHint = (options: Pick<Options, "journal" | "command">, count: number, first: string): string =>
  `mktows: ${count} row(s) FAILED without being sent: the transport refused them before their call, so nothing of them reached Marketo. The first, ${first}.\nEach one's reason, in the report, says what to change: sent again unchanged, a row fails the same way unless its reason says to send it again. ${
    Option.isSome(options.journal)
      ? `Once the change is made in Marketo or in the options (a mapping that leaves a column out, say), send them again with:\n  ${options.command} --retry-failed\nA change to the file is a new job: start it with a new --journal.`
      : "Once the change is made, run the job again."
  }`

/**
 * What to do about the rows a finished job left IN_DOUBT (a call that may have been applied,
 * whose answer never came): with a journal, the same command settles them first; without one,
 * a rerun would send them blind, so they are for the user to check.
 */
export const inDoubtHint = <A>(
  options: Pick<Options, "journal" | "command" | "report">,
  work: Pick<Work<A>, "inDoubt">,
  count: number,
  failed: boolean
): string => {
  const retry = failed ? " (With --retry-failed, as above, it also sends the FAILED rows again.)" : ""
  const rerun = work.inDoubt.rerun
  const head = `mktows: ${count} row(s) are IN_DOUBT: their call may have been applied, and no answer said whether.`
  if (Option.isNone(options.journal)) {
    return `${head} This job ran without --journal, so a rerun would send them again as if new (an INSERT could create them twice): check them in Marketo first (${
      Option.isSome(options.report)
        ? "the report names each by its key"
        : "this job wrote no report: with --report FILE one names each row by its key"
    }). Next time add --journal FILE: a rerun with it settles them first.`
  }
  return !work.inDoubt.safe
    ? `${head} ${rerun} Then run the same command again, with the same --journal:\n  ${options.command}${retry}`
    : `${head} Run the same command again, with the same --journal:\n  ${options.command}\n${rerun}${retry}`
}
