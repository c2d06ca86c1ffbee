/**
 * A smoke run of `pnpm bench:rest` (slow project), so it cannot rot: its smallest mode, in a
 * process of its own as users run it. Checked: the last line is the script's JSON, every
 * contender produced a finite, positive figure, and the ratios are finite and positive. No
 * timing is asserted: how fast anything is, is what the benchmark prints.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../../", import.meta.url))

const Positive = Schema.Number.pipe(Schema.finite(), Schema.positive())
const contenders = Schema.Struct({ mktows: Positive, "node-marketo-rest": Positive, "raw fetch": Positive })
const others = Schema.Struct({ "node-marketo-rest": Positive, "raw fetch": Positive })

const Output = Schema.Struct({
  bench: Schema.Literal("rest"),
  objectsPerSecond: contenders,
  cpuMicrosPerObject: contenders,
  speedRatios: others,
  cpuRatios: others,
  rounds: Positive
})

const runQuick = Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
  const child = execFile(
    process.execPath,
    ["--import", "tsx", "--conditions=source", "packages/node/bench/rest.ts", "--quick", "--rounds", "1"],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    (error, stdout, stderr) =>
      resume(Effect.succeed({ code: error === null ? 0 : child.exitCode ?? 1, stdout, stderr }))
  )
  return Effect.sync(() => child.kill("SIGTERM"))
})

describe("bench:rest (smoke run)", () => {
  it.live(
    "mktows, node-marketo-rest and a raw fetch each give a finite, positive figure, and the goals are printed",
    () =>
      Effect.gen(function*() {
        const run = yield* runQuick
        expect(run.code, `bench:rest failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
        const last = run.stdout.trim().split("\n").at(-1) ?? ""
        yield* Schema.decodeUnknown(Schema.parseJson(Output))(last)
        expect(run.stdout).toMatch(/goal: mktows ≥ 1\.0× node-marketo-rest in objects\/s: [\d.]+×/)
        expect(run.stdout).toMatch(/goal: mktows CPU per object ≤ 2× the raw fetch's: [\d.]+×/)
      }),
    300_000
  )
})
