/**
 * The errors `mktows` ends a command with, beside core's (`ValidationError`, the call errors):
 * each says what went wrong in a user's words, and where.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * A job stopped, on purpose or by a rule (`--max-failures`, a spent quota, a write that
 * failed): exit code 1 when rows went out, 2 when nothing did; `detail` says why and how to
 * continue.
 *
 * @since 0.1.0
 * @category errors
 */
export class Stop extends Data.TaggedError("Stop")<{
  readonly code: 1 | 2
  readonly detail: string
}> {
  override get message(): string {
    return this.detail
  }
}

/**
 * An input file that cannot be read as its format says: the file, the physical line (and the
 * column, counted in characters from 1, where one is known), what was wrong. Said as
 * `FILE:LINE: …` or `FILE:LINE:COLUMN: …`, as compilers say where.
 *
 * @since 0.1.0
 * @category errors
 */
export class InputError extends Data.TaggedError("InputError")<{
  readonly file: string
  readonly line: number
  readonly column?: number | undefined
  readonly detail: string
}> {
  override get message(): string {
    return `${this.file}:${this.line}${this.column === undefined ? "" : `:${this.column}`}: ${this.detail}`
  }
}

/**
 * A journal that cannot be used for this job (another job's, damaged, held by another
 * process) or written.
 *
 * @since 0.1.0
 * @category errors
 */
export class JournalError extends Data.TaggedError("JournalError")<{
  readonly file: string
  readonly detail: string
}> {
  override get message(): string {
    return `journal ${this.file}: ${this.detail}`
  }
}

/**
 * The order of a date's parts in a spreadsheet (`--date-format`).
 *
 * @since 0.1.0
 * @category models
 */
export type DateFormat = "YMD" | "MDY" | "DMY"
