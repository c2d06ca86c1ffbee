/**
 * How a command ends early: an exit code and what to tell the user.
 */
import * as Data from "effect/Data"

/** The job stops: 2 for usage and validation errors (nothing was sent), 1 otherwise. */
export class Stop extends Data.TaggedError("Stop")<{
  readonly code: 1 | 2
  readonly detail: string
}> {
  override get message(): string {
    return this.detail
  }
}
