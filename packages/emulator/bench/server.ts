/**
 * The emulator as its own process for `emulator.bench.ts`: `Emulator.make` on a free port,
 * its store filled beforehand with `--prefill N` opportunities (through a restore seed, so
 * filling costs no HTTP), and its own CPU time answered over IPC so the bench can charge the
 * server alone. Prints `listening on URL` once it accepts calls.
 *
 *   node --import tsx --conditions=source packages/emulator/bench/server.ts --prefill 10000
 */
import * as Effect from "effect/Effect"
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import type * as EmulatorModule from "../src/Emulator.js"
import type * as SeedModule from "../src/Seed.js"

// `--from DIR`: a compiled dist/ directory (run without the `source` condition), as users run
// it; the profile then names functions as written (tsx's transform leaves many anonymous).
const fromAt = process.argv.indexOf("--from")
const from = fromAt === -1 ? "../src" : process.argv[fromAt + 1]!
const Emulator: typeof EmulatorModule = await import(`${from}/Emulator.js`)
const Seed: typeof SeedModule = await import(`${from}/Seed.js`)

const at = process.argv.indexOf("--prefill")
const prefill = at === -1 ? 0 : Number(process.argv[at + 1])

const restore: SeedModule.SeedData = {
  ...Seed.defaultSeed,
  opportunities: [
    ...(Seed.defaultSeed.opportunities ?? []),
    ...Array.from({ length: prefill }, (_, i) => ({
      id: 2_000_000 + i,
      externalKey: { name: "opportunityId", value: `FILL-${i}` },
      fields: { Name: `Filled deal ${i}`, Amount: String(1000 + i), Stage: "Prospecting" },
      companyId: 8
    }))
  ]
}

// A CPU profile of the measured rounds only (start-up and warm-up left out), on request.
const session = new Session()
const post = (method: string) =>
  new Promise<unknown>((resolve) => session.post(method, (error, result) => resolve(error ?? result)))

// The parent asks for this process's CPU time (µs) between rounds.
// A parent that dies (killed, or a test's timeout) leaves no server behind: the IPC channel closes.
process.on("disconnect", () => process.exit(0))
process.on("message", (message) => {
  if (typeof message === "object" && message !== null && "profileTo" in message) {
    const to = String(message.profileTo)
    void post("Profiler.stop").then((result) => {
      writeFileSync(to, JSON.stringify((result as { profile: unknown }).profile))
      process.send?.({ profiled: to })
    })
  } else if (message === "profile") {
    session.connect()
    void post("Profiler.enable").then(() => post("Profiler.start")).then(() => process.send?.({ profiling: true }))
  } else if (message === "cpu") {
    const { system, user } = process.cpuUsage()
    process.send?.({ cpu: user + system })
  } else if (message === "exit") {
    process.exit(0)
  }
})

Effect.runFork(Effect.scoped(Effect.gen(function*() {
  const emulator = yield* Emulator.make({ restore })
  yield* Effect.sync(() => console.log(`listening on ${emulator.url}`))
  yield* Effect.never
})))
