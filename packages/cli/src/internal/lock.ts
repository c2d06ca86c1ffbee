/**
 * An exclusive lock beside a journal (`<journal>.lock`), held while a job uses it. Two jobs
 * on one journal would interleave their records, and each would take the other's last
 * record, still being written, for a torn line to cut off.
 *
 * The lock file names its holder (`pid@host`). One left behind by a process that is gone
 * (killed, crashed) on this host is taken over; one held by a live process, or by another
 * host (whose processes cannot be checked from here), is refused with a message that says
 * which and how to clear it.
 *
 * The lock appears with its holder's name already in it: the name is written to a file of
 * the process's own and hard-linked to the lock's name, which fails if a lock is there. A
 * lock created empty and then written (`open` with `wx`, then `write`) was left empty by a
 * kill between the two, and an empty lock names no holder that can be found gone: it blocked
 * every later job until removed by hand. Where hard links work, an empty lock is stale: only
 * a process killed while creating one leaves it. A file system without hard links creates the
 * lock as before, and there an empty lock may be one being written: it is refused, as before.
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { hostname } from "node:os"

/** Another job holds the lock. */
export class LockHeld extends Data.TaggedError("LockHeld")<{
  readonly lockFile: string
  readonly holder: string
}> {
  override get message(): string {
    return `another mktows (${this.holder}) is using this journal; if none is running, delete ${this.lockFile}`
  }
}

// Whether a process of this host is alive: signal 0 checks without signalling. EPERM means
// it exists under another user.
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { readonly code?: unknown }).code === "EPERM"
  }
}

const alreadyExists = (error: PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === "AlreadyExists"

const notFound = (error: PlatformError): boolean => error._tag === "SystemError" && error.reason === "NotFound"

// A file system that cannot hard-link (FAT, some network shares) answers one of these.
const noLinks = (error: PlatformError): boolean =>
  error._tag === "SystemError" && (error.reason === "PermissionDenied" || error.reason === "Unknown")

/**
 * Holds the lock of `file` for the scope: released (its file removed, if still ours) when the
 * scope closes, whatever ends the job.
 */
export const hold = (
  file: string
): Effect.Effect<void, LockHeld | PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const lockFile = `${file}.lock`
    const host = hostname()
    const me = `${process.pid}@${host}`
    // Whether the lock was created (false: one is there). Written under a name of this
    // process's own first, then linked: the lock is never seen without its holder's name.
    // Named by host too: on a shared directory, two hosts' processes may have one pid.
    const draft = `${lockFile}.${host}.${process.pid}`
    // Whether this file system links (then no lock is ever seen empty while being made).
    let links = true
    const createEmptyFirst = Effect.suspend(() => {
      links = false
      return Effect.as(fs.writeFileString(lockFile, me, { flag: "wx" }), true)
    })
    const create = fs.writeFileString(draft, me).pipe(
      Effect.zipRight(
        fs.link(draft, lockFile).pipe(
          Effect.as(true),
          Effect.catchIf(noLinks, () => createEmptyFirst)
        )
      ),
      Effect.ensuring(fs.remove(draft).pipe(Effect.ignore)),
      Effect.catchIf(alreadyExists, () => Effect.succeed(false))
    )
    // Two tries: the second only after a stale lock was removed (another job may win it).
    for (let attempt = 0; attempt < 2; attempt++) {
      if (yield* create) {
        yield* Effect.addFinalizer(() =>
          fs.readFileString(lockFile).pipe(
            Effect.flatMap((holder) => (holder === me ? fs.remove(lockFile) : Effect.void)),
            Effect.ignore
          )
        )
        return
      }
      const holder = yield* fs.readFileString(lockFile).pipe(
        // Removed meanwhile by its holder: try again.
        Effect.catchIf(notFound, () => Effect.succeed(undefined))
      )
      if (holder === undefined) continue
      const at = holder.lastIndexOf("@")
      const pid = Number(holder.slice(0, at))
      // Empty: left by a process killed while creating it, where links work (see above).
      const stale = holder === ""
        ? links
        : at > 0 && holder.slice(at + 1) === host && Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid &&
          !alive(pid)
      if (!stale) return yield* Effect.fail(new LockHeld({ lockFile, holder }))
      // Removed only if it still names the dead holder, so a lock another job just took stays.
      const still = yield* fs.readFileString(lockFile).pipe(Effect.orElseSucceed(() => ""))
      if (still === holder) yield* fs.remove(lockFile).pipe(Effect.ignore)
    }
    const holder = yield* fs.readFileString(lockFile).pipe(Effect.orElseSucceed(() => "unknown"))
    return yield* Effect.fail(new LockHeld({ lockFile, holder }))
  })
