/**
 * The emulator as its own process for `emulator.bench.ts`: `Emulator.make` on a free port,
 * its store filled beforehand with `--prefill N` opportunities (through a restore seed, so
 * filling costs no HTTP), and its own CPU time answered over IPC so the bench can charge the
 * server alone. Prints `listening on URL` once it accepts calls.
 *
 *   node --import tsx --conditions=source packages/emulator/bench/server.ts --prefill 10000
 */
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import * as Seed from "../src/Seed.js"

const at = process.argv.indexOf("--prefill")
const prefill = at === -1 ? 0 : Number(process.argv[at + 1])

const restore: Seed.SeedData = {
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

// The parent asks for this process's CPU time (µs) between rounds.
process.on("message", (message) => {
  if (message === "cpu") {
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
