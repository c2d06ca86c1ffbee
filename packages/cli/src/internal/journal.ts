/**
 * The crash-safe journal of a job: an append-only NDJSON log, one record per line, each
 * line prefixed with a checksum of its JSON.
 *
 * Before a chunk is sent its lines are recorded as intended, after its answer their
 * outcomes; each record is fsync'd before the job goes on. After a crash (kill -9, power
 * loss) the last line may be torn: a bad last line is ignored and cut off on load. A bad
 * line anywhere else is corruption and stops the job rather than guessing.
 *
 * The first record names the job (the input's size and SHA-256, the type and operation),
 * so a journal is never applied to another file or another kind of job. Nothing secret is
 * ever written: no credentials, only line numbers, statuses, ids, external keys and errors.
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type { OutcomeStatus } from "@mktows/core/Outcome"
import type { Attrib } from "@mktows/core/Wire"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"

/** The journal cannot be used: another job's, corrupt, or unreadable. */
export class JournalError extends Data.TaggedError("JournalError")<{
  readonly file: string
  readonly detail: string
}> {
  override get message(): string {
    return `journal ${this.file}: ${this.detail}`
  }
}

/** What a journal belongs to. */
export interface Job {
  readonly command: "sync" | "delete"
  readonly input: { readonly size: number; readonly sha256: string }
  readonly type: string
  readonly operation: string
}

/** The outcome of one input line. */
export interface LineOutcome {
  readonly line: number
  readonly status: OutcomeStatus
  readonly id?: number
  readonly externalKey?: Attrib
  readonly error?: string
}

type Entry =
  | { readonly t: "job"; readonly v: 1; readonly job: Job }
  | { readonly t: "intent"; readonly lines: ReadonlyArray<number> }
  | { readonly t: "done"; readonly outcomes: ReadonlyArray<LineOutcome> }

/** What a journal says so far. */
export interface State {
  /** The latest outcome of each line that has one. */
  readonly outcomes: Map<number, LineOutcome>
  /** Lines sent (or about to be) whose answer was never recorded: their chunk may have been applied. */
  readonly unanswered: Set<number>
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

const sameJob = (a: Job, b: Job): boolean =>
  a.command === b.command && a.input.size === b.input.size && a.input.sha256 === b.input.sha256 &&
  a.type === b.type && a.operation === b.operation

const describeJob = (job: Job): string =>
  `${job.command} ${job.type} ${job.operation} of a ${job.input.size}-byte file (sha256 ${
    job.input.sha256.slice(0, 12)
  }…)`

/** An open journal: what it held when opened, and how to add to it. */
export interface Journal {
  readonly state: State
  /** Records that `lines` are about to be sent, durably. */
  readonly intend: (lines: ReadonlyArray<number>) => Effect.Effect<void, JournalError>
  /** Records outcomes, durably. */
  readonly record: (outcomes: ReadonlyArray<LineOutcome>) => Effect.Effect<void, JournalError>
}

/**
 * Opens (or starts) the journal at `file` for `job`: reads what it holds, cuts a torn last
 * line, checks that it belongs to `job`, and appends from there.
 */
export const open = (
  file: string,
  job: Job
): Effect.Effect<Journal, JournalError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = (detail: string) => new JournalError({ file, detail })
    const io = (error: PlatformError) => fail(error.message)
    const state: State = { outcomes: new Map(), unanswered: new Set() }
    let header: Job | undefined
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
            goodBytes += Buffer.byteLength(text) + 1
            switch (entry.t) {
              case "job":
                header = entry.job
                break
              case "intent":
                for (const line of entry.lines) if (!state.outcomes.has(line)) state.unanswered.add(line)
                break
              case "done":
                for (const outcome of entry.outcomes) {
                  state.outcomes.set(outcome.line, outcome)
                  state.unanswered.delete(outcome.line)
                }
                break
            }
            return Effect.void
          })
        ),
        Effect.mapError((error) => (error._tag === "JournalError" ? error : io(error as PlatformError)))
      )
      if (header !== undefined && !sameJob(header, job)) {
        return yield* Effect.fail(
          fail(`it belongs to another job (${describeJob(header)}), not to this one (${describeJob(job)})`)
        )
      }
      // A torn last line (a write cut short by a crash) is dropped so appends start clean.
      const size = Number((yield* Effect.mapError(fs.stat(file), io)).size)
      if (size > goodBytes) yield* Effect.mapError(fs.truncate(file, goodBytes), io)
      // A last record complete but for its line end (checksum intact) is kept: its content is true.
      missingNewline = size === goodBytes - 1
    }
    const handle = yield* Effect.mapError(fs.open(file, { flag: "a" }), io)
    if (missingNewline) yield* Effect.mapError(handle.writeAll(new TextEncoder().encode("\n")), io)
    const lock = yield* Effect.makeSemaphore(1)
    const append = (entry: Entry) =>
      lock.withPermits(1)(
        Effect.mapError(
          Effect.zipRight(handle.writeAll(new TextEncoder().encode(encodeEntry(entry))), handle.sync),
          io
        )
      )
    if (header === undefined) yield* append({ t: "job", v: 1, job })
    return {
      state,
      intend: (lines) => (lines.length === 0 ? Effect.void : append({ t: "intent", lines })),
      record: (outcomes) => (outcomes.length === 0 ? Effect.void : append({ t: "done", outcomes }))
    }
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
