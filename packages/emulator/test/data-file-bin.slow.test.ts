/**
 * The command's `--data FILE` when the process is stopped amid writes: no temporary file is
 * left beside the data file, and what was kept loads again.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { restOf } from "./helpers/rest.js"
import { spawnEmulator } from "./helpers/spawnEmulator.js"

describe("emulator command: --data", () => {
  it.live("--data leaves no temporary file when the command is stopped amid writes", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "mktows-bin-data-"))
      const dataFile = join(dir, "store.json")
      yield* Effect.scoped(Effect.gen(function*() {
        const emulator = yield* spawnEmulator(["--data", dataFile])
        const { call } = yield* restOf(`${emulator.origin}/rest`, `${emulator.origin}/identity`)
        yield* call("/v1/opportunities.json", { json: { input: [{ externalOpportunityId: "KEEP", name: "keep" }] } })
        // Writes in flight when the scope closes and the process is sent SIGTERM.
        yield* Effect.forkDaemon(Effect.forEach(
          Array.from({ length: 40 }, (_, i) => i),
          (i) =>
            Effect.ignore(
              call("/v1/opportunities.json", { json: { input: [{ externalOpportunityId: `W-${i}`, name: `w${i}` }] } })
            ),
          { concurrency: 8 }
        ))
        yield* Effect.sleep("50 millis")
      }))
      expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([])
      // What was kept loads again.
      const again = yield* Effect.scoped(Effect.gen(function*() {
        const emulator = yield* spawnEmulator(["--data", dataFile])
        const { call } = yield* restOf(`${emulator.origin}/rest`, `${emulator.origin}/identity`)
        return yield* call("/v1/opportunities.json?filterType=externalOpportunityId&filterValues=KEEP")
      }))
      expect(again.body.result?.length).toBe(1)
    }))
})
