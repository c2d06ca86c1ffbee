/**
 * The `--data FILE` store: the State kept as seed JSON (read back with `Seed.load`),
 * written after every call that changed something, before that call is answered. A write goes to a temporary file beside it, is flushed to disk, then renamed
 * over the file, so a crash at any moment leaves the old file or the new one, each whole.
 */
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"
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
  Effect.tryPromise({
    try: async () => {
      const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`
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
  })
