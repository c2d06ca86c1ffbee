/**
 * A smoke run of `pnpm bench:rest` (slow project), so it cannot rot: its smallest mode, in a
 * process of its own as users run it. Checked: the last line is the script's JSON, every
 * contender produced a finite, positive figure, and the ratios are finite and positive. No
 * timing is asserted: how fast anything is, is what the benchmark prints.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { runScript } from "../bench/support/children.js"

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

const runQuick = runScript("packages/node/bench/rest.ts", ["--quick", "--rounds", "1"])

const Times = Schema.Struct({ firstRequest: Positive, firstAnswer: Positive, end: Positive })
const TimelineOutput = Schema.Struct({
  bench: Schema.Literal("rest-timeline"),
  timelines: Schema.Struct({ mktows: Times, "node-marketo-rest": Times, "raw fetch": Times })
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

  it.live(
    "--timeline: when each contender's first request reaches the server and its first answer comes back",
    () =>
      Effect.gen(function*() {
        const run = yield* runScript("packages/node/bench/rest.ts", ["--timeline"])
        expect(run.code, `bench:rest --timeline failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
        const last = run.stdout.trim().split("\n").at(-1) ?? ""
        const { timelines } = yield* Schema.decodeUnknown(Schema.parseJson(TimelineOutput))(last)
        // Order, not speed: a batch's first answer comes after its first request, and before its end.
        for (const times of Object.values(timelines)) {
          expect(times.firstRequest).toBeLessThan(times.firstAnswer)
          expect(times.firstAnswer).toBeLessThanOrEqual(times.end)
        }
      }),
    300_000
  )
})
