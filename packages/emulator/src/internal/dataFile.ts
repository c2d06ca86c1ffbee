/**
 * The `--data FILE` store: the State kept as seed JSON (read back with `Seed.load`),
 * written after every call that changed something, before that call is answered. A write goes
 * to a temporary file beside it, is flushed to disk, then renamed over the file, so a crash at
 * any moment leaves the old file or the new one, each whole.
 *
 * The temporary file has one name per data file (the store writes one State at a time), a
 * write once begun is finished even when the emulator is stopped, and a temporary file a
 * killed process left is removed when the store opens: none is ever left behind to pile up.
 */
import * as Effect from "effect/Effect"
import { open, rename, rm } from "node:fs/promises"
import { fault } from "./fault.js"
import type { EmulatorFault } from "./fault.js"
import { toSeed } from "./seed.js"
import type { State } from "./state.js"

/**
 * Writes `state` to `path` atomically; a failure is 20011, so the call that made the state
 * is not answered as applied.
 *
 * @internal
 */
export const save = (path: string, state: State): Effect.Effect<void, EmulatorFault> =>
  Effect.uninterruptible(Effect.tryPromise({
    try: async () => {
      const temporary = temporaryOf(path)
      const handle = await open(temporary, "w")
      try {
        await handle.writeFile(JSON.stringify(toSeed(state)))
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, path).catch(async (error: unknown) => {
        await rm(temporary, { force: true })
        return Promise.reject(error)
      })
    },
    catch: (error) => fault(20011, `API service failure: the data file cannot be written (${String(error)})`)
  }))

/** The temporary file a write of `path` goes through. @internal */
export const temporaryOf = (path: string): string => `${path}.tmp`

/** Removes what a killed process may have left of a write. @internal */
export const removeStale = (path: string): Effect.Effect<void> =>
  Effect.promise(() => rm(temporaryOf(path), { force: true }).catch(() => undefined))
