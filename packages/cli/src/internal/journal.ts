/**
 * The crash-safe journal of a job: an append-only NDJSON log, one record per line, each
 * line prefixed with a checksum of its JSON.
 *
 * Before a chunk is sent its lines are recorded as intended, after its answer their
 * outcomes; each record is fsync'd before the job goes on. After a crash (kill -9, power
 * loss) the last line may be torn: a bad last line is ignored and cut off on load. A bad
 * line anywhere else is corruption and stops the job rather than guessing.
 *
 * The first record names the job (the input's size and SHA-256, the type and operation, and
 * where its calls go: the transport, the endpoint, the user id or client id), so a journal is
 * never applied to another file, another kind of job or another Marketo. Nothing secret is
 * ever written: no credentials, only line numbers, statuses, ids, external keys and errors.
 * A job holds the journal's lock file while it runs (`lock.ts`), so two jobs never share one.
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type { OutcomeStatus } from "@mktows/core/Outcome"
import type { Attrib } from "@mktows/core/Wire"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as Lock from "./lock.js"

/** The journal cannot be used: another job's, corrupt, or unreadable. */
// Defined in the public CliError module: commands end with it.
import { JournalError } from "../CliError.js"

export { JournalError }

/**
 * Where a job's calls go. The transport and the endpoint name the Marketo: its outcomes (ids,
 * what was created) are that instance's, over that transport. The user is said, not compared:
 * another API user of the same instance reaches the same objects.
 */
export interface Destination {
  readonly transport: "soap" | "rest"
  /** The endpoint URL without credentials, query or trailing slash. */
  readonly endpoint: string
  /** The SOAP user id or the REST client id (never the key or the secret). */
  readonly user?: string
}

/** What a journal belongs to. */
export interface Job {
  readonly command: "sync" | "delete"
  readonly input: { readonly size: number; readonly sha256: string }
  readonly type: string
  readonly operation: string
  readonly destination: Destination
}

/** A job as a journal's header holds it: one written before mktows recorded the destination has none. */
type Header = Omit<Job, "destination"> & { readonly destination?: Destination }

/** The outcome of one input line. */
export interface LineOutcome {
  readonly line: number
  readonly status: OutcomeStatus
  readonly id?: number
  readonly externalKey?: Attrib
  readonly error?: string
}

/** The format of the records this version writes and reads, named in the header. */
const journalFormat = 1

type Entry =
  | { readonly t: "job"; readonly v: typeof journalFormat; readonly job: Header }
  // `at`: when the lines were about to be sent (ms since the epoch; absent in older journals).
  | { readonly t: "intent"; readonly lines: ReadonlyArray<number>; readonly at?: number }
  | { readonly t: "done"; readonly outcomes: ReadonlyArray<LineOutcome> }
  // Lines whose call was answered with an error that applied nothing (the one that stopped the
  // job): no longer in doubt, and not done either. (An older mktows skips this record: the lines
  // stay in doubt for it, read back before they are sent again, which is safe.)
  | { readonly t: "unsent"; readonly lines: ReadonlyArray<number> }

/**
 * What the journal held for one line when it was opened: nothing (send it), a definite
 * outcome (report it, send nothing), or a send that may have been applied (reconcile it).
 */
export type Previous =
  | { readonly _tag: "New" }
  | { readonly _tag: "Done"; readonly outcome: LineOutcome }
  | {
    readonly _tag: "Doubt"
    /** When it was first sent since its last outcome, on this machine's clock (unknown in older journals). */
    readonly sentAt: number | undefined
  }

const checksum = (json: string): string => createHash("sha256").update(json).digest("hex").slice(0, 16)

/** One log line: a checksum of the JSON, the JSON, a line end. */
export const encodeLine = (value: unknown): string => {
  const json = JSON.stringify(value)
  return `${checksum(json)} ${json}\n`
}

const encodeEntry = (entry: Entry): string => encodeLine(entry)

/** The value of one log line, or undefined when the line is damaged. */
export const decodeLine = (line: string): unknown => decodeEntry(line)

const decodeEntry = (line: string): Entry | undefined => {
  const space = line.indexOf(" ")
  if (space !== 16) return undefined
  const json = line.slice(17)
  if (checksum(json) !== line.slice(0, 16)) return undefined
  try {
    return JSON.parse(json) as Entry
  } catch {
    return undefined
  }
}

const sameJob = (a: Header, b: Header): boolean =>
  a.command === b.command && a.input.size === b.input.size && a.input.sha256 === b.input.sha256 &&
  a.type === b.type && a.operation === b.operation

const describeJob = (job: Header): string =>
  `${job.command} ${job.type} ${job.operation} of a ${job.input.size}-byte file (sha256 ${
    job.input.sha256.slice(0, 12)
  }…)`

const sameDestination = (a: Destination, b: Destination): boolean =>
  a.transport === b.transport && a.endpoint === b.endpoint

/** A destination in the user's words: `SOAP https://…/soap/mktows/3_1 (user id …)`. */
export const describeDestination = (destination: Destination): string =>
  `${destination.transport === "rest" ? "REST" : "SOAP"} ${destination.endpoint}${
    destination.user === undefined
      ? ""
      : ` (${destination.transport === "rest" ? "client" : "user"} id ${destination.user})`
  }`

/**
 * Checks that a journal whose job went to `recorded` may be used by a run to `current` (a
 * `sync` or `delete` journal, and a `get` journal, whose stream position is as much that
 * instance's as an outcome): refused when they name another endpoint or transport. A journal
 * of an older mktows, which recorded none, is used with a warning on stderr that this cannot
 * be checked.
 */
export const checkDestination = (
  file: string,
  recorded: Destination | undefined,
  current: Destination
): Effect.Effect<void, JournalError> => {
  // Its outcomes are another Marketo's (or another transport's, with other ids): applied here,
  // every row they settle would be reported done and never sent to this one.
  if (recorded !== undefined && !sameDestination(recorded, current)) {
    return Effect.fail(
      new JournalError({
        file,
        detail: `it belongs to a job sent to ${describeDestination(recorded)}, and this run goes to ${
          describeDestination(current)
        }: its outcomes are that Marketo's, not this one's, so nothing was sent. To start a fresh job there, run the command with a new --journal path (or remove this journal); to continue the old job, point the command back at where it went.`
      })
    )
  }
  return recorded === undefined
    ? Console.error(
      `mktows: warning: journal ${file} was started by an older mktows, which did not record where its job was sent: it cannot be checked that this run goes to the same Marketo (this run: ${
        describeDestination(current)
      }). If that job went to another instance or transport, stop now and start with a new --journal.`
    )
    : Effect.void
}

/**
 * A set of line numbers as one bit each, growing as larger lines are added: what a resumed
 * job keeps per line (1,000,000 lines: 125 KB, where a Set of numbers takes tens of MB).
 */
export class LineBits {
  private bits = new Uint8Array(1024)
  add(line: number): void {
    const byte = line >>> 3
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2))
      grown.set(this.bits)
      this.bits = grown
    }
    this.bits[byte] = (this.bits[byte] ?? 0) | (1 << (line & 7))
  }
  delete(line: number): void {
    const byte = line >>> 3
    if (byte < this.bits.length) this.bits[byte] = (this.bits[byte] ?? 0) & ~(1 << (line & 7))
  }
  has(line: number): boolean {
    return (((this.bits[line >>> 3] ?? 0) >>> (line & 7)) & 1) === 1
  }
  /** How many lines this set holds that `other` does not. */
  countWithout(other: LineBits): number {
    let count = 0
    for (let i = 0; i < this.bits.length; i++) {
      // Kernighan's count of the bits set, of the lines of this byte `other` lacks.
      for (let byte = (this.bits[i] ?? 0) & ~(other.bits[i] ?? 0) & 0xff; byte !== 0; byte &= byte - 1) count++
    }
    return count
  }
  /** Bytes held. */
  get size(): number {
    return this.bits.length
  }
}

/**
 * A time per line number (ms since the epoch), growing as larger lines are set: when a resumed
 * job's lines were first sent, 8 bytes a line.
 */
export class LineTimes {
  private times = new Float64Array(1024)
  set(line: number, at: number): void {
    if (line >= this.times.length) {
      const grown = new Float64Array(Math.max(line + 1, this.times.length * 2))
      grown.set(this.times)
      this.times = grown
    }
    // 0 is "none": a time of the epoch itself is kept as the smallest time after it.
    this.times[line] = at === 0 ? Number.MIN_VALUE : at
  }
  delete(line: number): void {
    if (line < this.times.length) this.times[line] = 0
  }
  get(line: number): number | undefined {
    const at = this.times[line] ?? 0
    return at === 0 ? undefined : at === Number.MIN_VALUE ? 0 : at
  }
}

/**
 * Where the outcomes of a resumed job are: one entry per `done` record holding a definite
 * outcome (its lines' range and its place in the file), a few hundred bytes per 10,000 rows.
 * The records themselves are read again, one at a time, when the job reaches their lines.
 */
interface RecordIndex {
  readonly first: Array<number>
  readonly last: Array<number>
  readonly offset: Array<number>
  readonly length: Array<number>
}

/** An open journal: what it held when opened, and how to add to it. */
export interface Journal {
  /**
   * What the journal held for `line` when it was opened. Lines must be asked in increasing
   * order (a job's second pass reads its file in order): the outcomes are read back from the
   * journal as the lines are reached, so memory stays a bit per line however long the job.
   */
  readonly previous: (line: number) => Effect.Effect<Previous, JournalError>
  /** Records that `lines` are about to be sent, durably. */
  readonly intend: (lines: ReadonlyArray<number>) => Effect.Effect<void, JournalError>
  /** Records outcomes, durably. */
  readonly record: (outcomes: ReadonlyArray<LineOutcome>) => Effect.Effect<void, JournalError>
  /**
   * Records that the call `lines` were sent in was answered with an error that applied none of
   * them (the error that stopped the job), durably: the next run sends them without reading
   * them back first.
   */
  readonly unsent: (lines: ReadonlyArray<number>) => Effect.Effect<void, JournalError>
  /**
   * How many lines it held as sent without an outcome when it was opened (IN_DOUBT, or cut off
   * by a crash): the lines {@link Journal.previous} gives as `Doubt`, which a run settles first.
   */
  readonly inDoubt: number
}

/**
 * Opens (or starts) the journal at `file` for `job`: reads what it holds, cuts a torn last
 * line, checks that it belongs to `job`, and appends from there.
 *
 * Reading keeps two bits per line (has a definite outcome; was sent, or is IN_DOUBT,
 * without one) and an index of the records that hold definite outcomes, never the outcomes
 * themselves. A line is sent again only after a FAILED outcome (`--retry-failed`): its new
 * intent clears the definite bit until a new outcome sets it, and
 * {@link Journal.previous} takes the latest record that holds the line.
 */
export const open = (
  file: string,
  job: Job
): Effect.Effect<Journal, JournalError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = (detail: string) => new JournalError({ file, detail })
    const io = (error: PlatformError) => fail(error.message)
    // Held before the journal is read: another job could be appending to it.
    yield* Lock.hold(file).pipe(
      Effect.mapError((error) => error._tag === "LockHeld" ? fail(error.message) : io(error))
    )
    const definite = new LineBits()
    const sent = new LineBits()
    // When each line was first sent since its last definite outcome (a send repeated later, a
    // retry, does not move it: an object created by the first send was created after it).
    const firstSent = new LineTimes()
    const index: RecordIndex = { first: [], last: [], offset: [], length: [] }
    let header: Header | undefined
    let headerless = false
    let goodBytes = 0
    let lineNo = 0
    let torn: Option.Option<number> = Option.none()
    let missingNewline = false
    const exists = yield* Effect.mapError(fs.exists(file), io)
    if (exists) {
      yield* fs.stream(file, { chunkSize: 256 * 1024 }).pipe(
        Stream.decodeText(),
        Stream.splitLines,
        Stream.runForEach((text) =>
          Effect.suspend(() => {
            lineNo++
            if (Option.isSome(torn)) {
              return Effect.fail(fail(`line ${torn.value} is damaged and is not the last line: the journal is corrupt`))
            }
            const entry = decodeEntry(text)
            if (entry === undefined) {
              torn = Option.some(lineNo)
              return Effect.void
            }
            const offset = goodBytes
            // Our lines are ASCII apart from error texts and keys: count bytes, not UTF-16 units.
            const length = Buffer.byteLength(text) + 1
            goodBytes += length
            // The first record names the job. Without it the journal could be applied to any
            // file: its outcomes would be reported for rows that were never sent.
            if (lineNo === 1 && entry.t !== "job") headerless = true
            switch (entry.t) {
              case "job":
                if (lineNo !== 1) return Effect.fail(fail(`line ${lineNo} names a job again: the journal is corrupt`))
                // Its records are read as this version writes them: a journal of another format
                // (another mktows) could be misread, and its outcomes reported for the wrong rows.
                if (entry.v !== journalFormat) {
                  return Effect.fail(
                    fail(
                      `it is in journal format ${
                        JSON.stringify(entry.v)
                      }, and this mktows reads format ${journalFormat}: resume it with the mktows that started it, or start the job with a new --journal`
                    )
                  )
                }
                header = entry.job
                break
              case "intent":
                // A line sent again (--retry-failed) is in doubt again until its new outcome.
                for (const line of entry.lines) {
                  sent.add(line)
                  definite.delete(line)
                  if (typeof entry.at === "number" && firstSent.get(line) === undefined) firstSent.set(line, entry.at)
                }
                break
              case "unsent":
                for (const line of entry.lines) {
                  sent.delete(line)
                  firstSent.delete(line)
                }
                break
              case "done": {
                // A plain loop: this runs for every outcome of a long job's journal.
                let first = Infinity
                let last = -Infinity
                for (const outcome of entry.outcomes) {
                  if (outcome.status === "IN_DOUBT") {
                    sent.add(outcome.line)
                    definite.delete(outcome.line)
                    continue
                  }
                  definite.add(outcome.line)
                  firstSent.delete(outcome.line)
                  if (outcome.line < first) first = outcome.line
                  if (outcome.line > last) last = outcome.line
                }
                if (first <= last) {
                  index.first.push(first)
                  index.last.push(last)
                  index.offset.push(offset)
                  index.length.push(length)
                }
                break
              }
            }
            return Effect.void
          })
        ),
        Effect.mapError((error) => (error._tag === "JournalError" ? error : io(error as PlatformError)))
      )
      if (headerless || (header === undefined && goodBytes > 0)) {
        return yield* Effect.fail(
          fail(
            "its first record does not name a job (the header line is missing or damaged), so it cannot be told which file it belongs to; refusing it rather than reporting outcomes for rows that were never sent. Start the job with a new --journal."
          )
        )
      }
      if (header !== undefined && (header as { readonly command?: unknown }).command === undefined) {
        return yield* Effect.fail(fail("its header is not one mktows writes: start the job with a new --journal"))
      }
      if (header !== undefined && !sameJob(header, job)) {
        const sameKind = header.command === job.command && header.type === job.type &&
          header.operation === job.operation
        return yield* Effect.fail(
          fail(
            sameKind
              ? `the file changed since this journal was started (it was ${header.input.size} bytes, sha256 ${
                header.input.sha256.slice(0, 12)
              }…; it is now ${job.input.size} bytes, sha256 ${
                job.input.sha256.slice(0, 12)
              }…). A changed file is a new job: run it with a new --journal (this one keeps the outcomes of the old file). To send again the rows that FAILED, keep the file as it was and fix the mapping or the options, then use --retry-failed with this journal.`
              : `it belongs to another job (${describeJob(header)}), not to this one (${describeJob(job)})`
          )
        )
      }
      if (header !== undefined) yield* checkDestination(file, header.destination, job.destination)
      // A torn last line (a write cut short by a crash) is dropped so appends start clean.
      const size = Number((yield* Effect.mapError(fs.stat(file), io)).size)
      if (size > goodBytes) yield* Effect.mapError(fs.truncate(file, goodBytes), io)
      // A last record complete but for its line end (checksum intact) is kept: its content is true.
      missingNewline = size === goodBytes - 1
    }
    const previous = exists
      ? yield* reader(fs, file, index, definite, sent, (line) => firstSent.get(line), fail, io)
      : () => Effect.succeed(fresh)
    const handle = yield* Effect.mapError(fs.open(file, { flag: "a" }), io)
    if (missingNewline) yield* Effect.mapError(handle.writeAll(new TextEncoder().encode("\n")), io)
    const lock = yield* Effect.makeSemaphore(1)
    // A record once started is written whole: a chunk given up half way through its intent (held
    // back as the job stops) must not leave half a line in the middle of the journal, where the
    // next run could not read past it. Only the wait for the lock can be interrupted.
    const append = (entry: Entry) =>
      lock.withPermits(1)(
        Effect.uninterruptible(Effect.mapError(
          Effect.zipRight(handle.writeAll(new TextEncoder().encode(encodeEntry(entry))), handle.sync),
          io
        ))
      )
    if (header === undefined) yield* append({ t: "job", v: journalFormat, job })
    return {
      previous,
      intend: (lines) =>
        lines.length === 0
          ? Effect.void
          : Effect.flatMap(Clock.currentTimeMillis, (at) => append({ t: "intent", lines, at })),
      record: (outcomes) => (outcomes.length === 0 ? Effect.void : append({ t: "done", outcomes })),
      unsent: (lines) => (lines.length === 0 ? Effect.void : append({ t: "unsent", lines })),
      inDoubt: sent.countWithout(definite)
    }
  })

const fresh: Previous = { _tag: "New" }

/**
 * {@link Journal.previous} over what a journal held: the records of definite outcomes are
 * read back in the order of their first line, and kept only while the lines asked for are
 * in their range. Records of one run cover disjoint ranges (a run sends its rows in order,
 * chunk by chunk), so at most a couple per run are held at once.
 */
const reader = (
  fs: FileSystem.FileSystem,
  file: string,
  index: RecordIndex,
  definite: LineBits,
  sent: LineBits,
  sentAt: (line: number) => number | undefined,
  fail: (detail: string) => JournalError,
  io: (error: PlatformError) => JournalError
): Effect.Effect<(line: number) => Effect.Effect<Previous, JournalError>, JournalError, Scope.Scope> =>
  Effect.gen(function*() {
    const order = index.first.map((_, i) => i).sort((a, b) => (index.first[a] ?? 0) - (index.first[b] ?? 0))
    const input = yield* Effect.mapError(fs.open(file, { flag: "r" }), io)
    let next = 0
    let held: Array<{ readonly record: number; readonly last: number; readonly outcomes: Map<number, LineOutcome> }> =
      []
    let asked = -Infinity
    const load = (record: number) =>
      Effect.gen(function*() {
        const length = index.length[record] ?? 0
        yield* input.seek(index.offset[record] ?? 0, "start")
        const bytes = yield* Effect.mapError(input.readAlloc(length), io)
        const entry = Option.isSome(bytes) && bytes.value.length === length
          ? decodeEntry(new TextDecoder().decode(bytes.value).slice(0, -1))
          : undefined
        if (entry?.t !== "done") return yield* Effect.fail(fail("it changed while the job read it"))
        const outcomes = new Map<number, LineOutcome>()
        for (const outcome of entry.outcomes) if (outcome.status !== "IN_DOUBT") outcomes.set(outcome.line, outcome)
        return { record, last: index.last[record] ?? 0, outcomes }
      })
    return (line: number) =>
      Effect.gen(function*() {
        if (line <= asked) return yield* Effect.dieMessage(`journal lines asked out of order: ${line} after ${asked}`)
        asked = line
        if (!definite.has(line)) return sent.has(line) ? { _tag: "Doubt", sentAt: sentAt(line) } as const : fresh
        held = held.filter((record) => record.last >= line)
        while (next < order.length && (index.first[order[next] ?? 0] ?? 0) <= line) {
          const record = yield* load(order[next] ?? 0)
          next++
          if (record.last >= line) held.push(record)
        }
        // A line retried (--retry-failed) has outcomes in several records: the latest is its own.
        let found: { readonly record: number; readonly outcome: LineOutcome } | undefined
        for (const record of held) {
          const outcome = record.outcomes.get(line)
          if (outcome !== undefined && (found === undefined || record.record > found.record)) {
            found = { record: record.record, outcome }
          }
        }
        if (found !== undefined) return { _tag: "Done", outcome: found.outcome } as const
        return yield* Effect.fail(fail(`the outcome of line ${line} cannot be found again`))
      })
  })

/** The identity of a file: its size and SHA-256, computed as its bytes stream past. */
export const hasher = () => {
  const hash = createHash("sha256")
  let size = 0
  return {
    update: (chunk: Uint8Array) => {
      hash.update(chunk)
      size += chunk.length
    },
    digest: (): Job["input"] => ({ size, sha256: hash.digest("hex") })
  }
}
