/**
 * Crash-safe resume: seeded trials kill `mktows sync --journal` with SIGKILL at a random
 * moment (sometimes the resumed run too), then run the same command until it finishes.
 * Whatever the moment, every input line ends with exactly one outcome and the emulator's
 * store holds each object once.
 *
 * Twenty seeded trials run in the slow project (`pnpm test:slow`); `MKTOWS_CLI_TRIALS=N` runs N.
 */
import { expect, layer } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { demoCredentials, type RunningEmulator, spawnEmulator } from "../../emulator/test/helpers/spawnEmulator.js"
import { envFor, mktows, readNdjson, scratch } from "./helpers/mktows.js"
import { random } from "./helpers/random.js"

class TrialEmulator extends Context.Tag("test/TrialEmulator")<TrialEmulator, RunningEmulator>() {}

const trials = Number(process.env["MKTOWS_CLI_TRIALS"] ?? "20")
const rowsPerTrial = 120

const storedKeys = (endpoint: string, prefix: string) =>
  MarketoClient.getMObjects({ type: "Opportunity" }).pipe(
    Stream.runCollect,
    Effect.map((all) =>
      Chunk.toReadonlyArray(all).flatMap((o) =>
        o._tag === "Opportunity" && o.externalKey?.value.startsWith(prefix) ? [o.externalKey.value] : []
      )
    ),
    Effect.provide(
      NodeMarketo.layer({ endpoint, userId: demoCredentials.userId, encryptionKey: demoCredentials.encryptionKey })
    ),
    Effect.orDie,
    Effect.withClock(Clock.make())
  )

// Latency keeps calls in flight long enough for kills to land mid-chunk.
layer(Layer.scoped(TrialEmulator, spawnEmulator(["--latency", "40"])), { timeout: 120_000 })(
  "mktows sync --journal, killed and resumed",
  (it) => {
    for (let trial = 1; trial <= trials; trial++) {
      it.scoped(`trial ${trial}: every line one outcome, no object stored twice`, () =>
        Effect.gen(function*() {
          const emulator = yield* TrialEmulator
          const next = random(trial * 7919)
          const dir = scratch()
          const file = join(dir, "rows.ndjson")
          const prefix = `K${trial}-`
          writeFileSync(
            file,
            Array.from({ length: rowsPerTrial }, (_, i) =>
              JSON.stringify({
                name: `Trial ${trial} row ${i + 1}`,
                amount: i,
                externalKey: { name: "externalId", value: `${prefix}${i + 1}` }
              })).join("\n")
          )
          const report = join(dir, "report.ndjson")
          const journal = join(dir, "job.journal")
          const args = [
            "sync",
            file,
            "--type",
            "Opportunity",
            "--operation",
            "INSERT",
            "--report",
            report,
            "--journal",
            journal,
            "--chunk-size",
            "10",
            "--concurrency",
            "3"
          ]
          let kills = 0 // how many runs were cut short (shown when a trial fails)
          let last = yield* mktows(args, { env: envFor(emulator), killAfter: 400 + Math.floor(next() * 3000) })
          if (last.signal === "SIGKILL") kills++
          for (let attempt = 0; attempt < 6 && last.code !== 0; attempt++) {
            // Half of the resumed runs are killed too, while they reconcile or send.
            const killAfter = next() < 0.5 ? 400 + Math.floor(next() * 2500) : undefined
            last = yield* mktows(args, { env: envFor(emulator), ...(killAfter === undefined ? {} : { killAfter }) })
            if (last.signal === "SIGKILL") kills++
          }
          expect(last.code, `after ${kills} kill(s): ${last.stderr}${last.stdout}`).toBe(0)
          expect(existsSync(journal)).toBe(true)
          if (process.env["MKTOWS_CLI_TRIALS_VERBOSE"] !== undefined) {
            yield* Effect.log(`trial ${trial}: ${kills} kill(s)`)
          }
          const rows = readNdjson(report)
          expect(rows.map((row) => row["line"])).toEqual(Array.from({ length: rowsPerTrial }, (_, i) => i + 1))
          expect(new Set(rows.map((row) => row["status"]))).toEqual(new Set(["CREATED"]))
          const keys = yield* storedKeys(emulator.endpoint, prefix)
          expect(keys.length).toBe(rowsPerTrial)
          expect(new Set(keys).size).toBe(rowsPerTrial)
          // Each created object is reported with the id the store gave it, once.
          expect(new Set(rows.map((row) => row["id"])).size).toBe(rowsPerTrial)
        }), 300_000)
    }
  }
)
