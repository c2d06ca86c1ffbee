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
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as MarketoError from "@mktows/core/MarketoError"
import type { Outcome } from "@mktows/core/Outcome"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
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
  /** What the journal is for, apart from the file's identity. */
  readonly job: Omit<Journal.Job, "input">
  /** The checked rows of the file (from `source` when given, for hashing). */
  readonly rows: (source?: Source) => Stream.Stream<Rows.Row<A>, InputError | PlatformError, FileSystem.FileSystem>
  /** The bytes of the file. */
  readonly bytes: Source
  /** Sends one chunk: one outcome per object, in order. */
  readonly send: (
    objects: ReadonlyArray<A>
  ) => Effect.Effect<ReadonlyArray<Outcome<A>>, MarketoError.CallError | MarketoError.ValidationError>
  /** A row whose chunk may have been applied without an answer: send it (again), or its outcome as read back. */
  readonly reconcile: (line: number, object: A) => Effect.Effect<"send" | Journal.LineOutcome, MarketoError.CallError>
}

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
}

const describe = (problems: ReadonlyArray<Rows.Problem>): string =>
  problems.map((p) => (p.field.length > 0 ? `${p.field}: ${p.message}` : p.message)).join("; ")

const problemText = <A>(row: Rows.Row<A>): string =>
  row.valid
    ? ""
    : row.problems.map((p) => `line ${row.line}: ${p.field.length > 0 ? `${p.field}: ` : ""}${p.message}`).join("\n")

/** The first pass: every row checked, each invalid one handed to `onInvalid`, the file's identity computed. */
export const checkAll = <A>(work: Work<A>, onInvalid: (row: Rows.Row<A>) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const hash = Journal.hasher()
    const source = Stream.tap(work.bytes, (chunk) => Effect.sync(() => hash.update(chunk)))
    let total = 0
    let invalid = 0
    yield* work.rows(source).pipe(
      Stream.runForEach((row) => {
        total++
        if (row.valid) return Effect.void
        invalid++
        return onInvalid(row)
      })
    )
    return { total, invalid, identity: hash.digest() }
  })

/** Checks every row and lists every problem on stdout; sends nothing. */
export const dryRun = <A>(work: Work<A>): Effect.Effect<ExitCode, InputError | PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const checked = yield* checkAll(work, (row) => Console.log(problemText(row)))
    yield* Console.log(`${checked.total} row(s) checked, ${checked.invalid} invalid; dry run: nothing was sent`)
    return checked.invalid > 0 ? 2 : 0
  })

/** One row of the second pass, before it has an outcome. */
type Item<A> =
  | { readonly _tag: "Known"; readonly row: Report.ReportRow }
  | { readonly _tag: "Send"; readonly line: number; readonly object: A; readonly doubt: boolean }

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

/** Errors after which no further chunk can go through: the job stops, and a rerun continues. */
const stopping = (error: MarketoError.CallError): boolean =>
  error._tag === "AuthFault" || error._tag === "QuotaExceeded" ||
  (error._tag === "TransportError" && !error.ambiguous)

const resumeHint = (journal: Option.Option<string>) =>
  Option.isSome(journal)
    ? "; run the same command again to continue where it stopped"
    : "; with --journal a rerun would continue where it stopped"

const outcomesOfError = (
  lines: ReadonlyArray<number>,
  error: MarketoError.CallError
): ReadonlyArray<Journal.LineOutcome> => {
  const ambiguous = error._tag === "TimeoutError" || error._tag === "ProtocolError" ||
    (error._tag === "TransportError" && error.ambiguous)
  return lines.map((line) => ({
    line,
    status: ambiguous ? "IN_DOUBT" : "FAILED",
    error: ambiguous ? `the call may have been applied, no answer was read: ${error.message}` : error.message
  }))
}

/** Runs a job; the exit code says how it went. Failures that end the job early are `Stop`s. */
export const run = <A, R>(
  work: Work<A>,
  options: Options
): Effect.Effect<ExitCode, Stop | InputError | PlatformError | Journal.JournalError, FileSystem.FileSystem | R> =>
  Effect.scoped(Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    let shown = 0
    const checked = yield* checkAll(work, (row) => {
      // The first problems are enough to see the pattern; --dry-run lists them all.
      shown++
      return shown <= 50 ? Console.error(problemText(row)) : Effect.void
    })
    if (checked.invalid > 0 && !options.skipInvalid) {
      return yield* Effect.fail(
        new Stop({
          code: 2,
          detail: `${checked.invalid} of ${checked.total} row(s) are invalid${
            shown > 50 ? " (the first 50 are listed above; --dry-run lists all)" : ""
          }; nothing was sent. Fix them, or pass --skip-invalid to send the others and report these.`
        })
      )
    }

    const journal = Option.isSome(options.journal)
      ? yield* Journal.open(options.journal.value, { ...work.job, input: checked.identity })
      : undefined
    const report = Option.isSome(options.report)
      ? yield* Report.open(options.report.value.file, options.report.value.format)
      : undefined
    const counters = Progress.make(checked.total, options.rateWindow)
    // Finalizers run last-added first: the progress line's last draw, then this summary.
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Console.log(Progress.summary(counters, now - started)))
    )
    yield* Progress.display(counters, {
      tty: options.tty,
      write: (text) => Effect.sync(() => void process.stderr.write(text))
    })

    const toItem = (row: Rows.Row<A>): Effect.Effect<Item<A>, Journal.JournalError> => {
      if (!row.valid) {
        return Effect.succeed({
          _tag: "Known",
          row: { line: row.line, status: "INVALID", error: describe(row.problems) }
        })
      }
      const send = (doubt: boolean): Item<A> => ({ _tag: "Send", line: row.line, object: row.object, doubt })
      if (journal === undefined) return Effect.succeed(send(false))
      return Effect.map(journal.previous(row.line), (previous): Item<A> =>
        previous._tag === "Done"
          ? { _tag: "Known", row: previous.outcome }
          : send(previous._tag === "Doubt"))
    }

    const stop = (error: MarketoError.CallError) =>
      new Stop({ code: 1, detail: `the job stopped: ${error.message}${resumeHint(options.journal)}` })

    const sendSegment = (segment: ReadonlyArray<Item<A>>) =>
      Effect.gen(function*() {
        const decided = new Map<number, Journal.LineOutcome>()
        const batch: Array<{ readonly line: number; readonly object: A }> = []
        for (const item of segment) {
          if (item._tag !== "Send") continue
          if (!item.doubt) {
            batch.push(item)
            continue
          }
          const verdict = yield* Effect.catchAll(
            work.reconcile(item.line, item.object),
            (error): Effect.Effect<"send" | Journal.LineOutcome, Stop> =>
              stopping(error) ? Effect.fail(stop(error)) : Effect.succeed({
                line: item.line,
                status: "IN_DOUBT",
                error: `could not be read back to check whether it was applied: ${error.message}`
              })
          )
          if (verdict === "send") batch.push(item)
          else decided.set(item.line, verdict)
        }
        if (journal !== undefined) yield* journal.record([...decided.values()])
        if (batch.length > 0) {
          const lines = batch.map((entry) => entry.line)
          if (journal !== undefined) yield* journal.intend(lines)
          const outcomes = yield* work.send(batch.map((entry) => entry.object)).pipe(
            Effect.map((outcomes) =>
              outcomes.map((outcome): Journal.LineOutcome => ({
                line: lines[outcome.index] ?? -1,
                status: outcome.status,
                ...(outcome.id === undefined ? {} : { id: outcome.id }),
                ...(outcome.externalKey === undefined ? {} : { externalKey: outcome.externalKey }),
                ...(outcome.error === undefined ? {} : { error: outcome.error })
              }))
            ),
            Effect.catchAll((error) =>
              error._tag === "ValidationError"
                ? Effect.die(error) // every row was checked in the first pass
                : stopping(error)
                ? Effect.fail(stop(error))
                : Effect.succeed(outcomesOfError(lines, error))
            ),
            Effect.tap(() => Progress.callEnded(counters))
          )
          counters.sent += batch.length
          if (journal !== undefined) yield* journal.record(outcomes)
          for (const outcome of outcomes) decided.set(outcome.line, outcome)
        }
        return segment.map((item): Report.ReportRow =>
          item._tag === "Known"
            ? item.row
            : decided.get(item.line) ?? { line: item.line, status: "IN_DOUBT", error: "no outcome was reported for it" }
        )
      }).pipe(Effect.ensuring(Effect.sync(() => counters.pending--)))

    let problems = 0
    yield* work.rows().pipe(
      Stream.mapEffect(toItem),
      segments(options.chunkSize),
      Stream.tap(() => Effect.sync(() => counters.pending++)),
      Stream.mapEffect(sendSegment, { concurrency: options.concurrency }),
      Stream.runForEach((rows) =>
        Effect.suspend(() => {
          for (const row of rows) {
            Progress.count(counters, row.status)
            if (row.status === "FAILED" || row.status === "IN_DOUBT" || row.status === "INVALID") problems++
          }
          return report === undefined ? Effect.void : report.write(rows)
        })
      )
    )
    return problems > 0 ? 1 : 0
  }))
