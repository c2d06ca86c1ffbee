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

// The server's CPU is read from /proc: exact to 10 ms, so a smoke run's may be 0.
const NonNegative = Schema.Number.pipe(Schema.finite(), Schema.nonNegative())
const Output = Schema.Struct({
  bench: Schema.Literal("rest"),
  objectsPerSecond: contenders,
  cpuMicrosPerObject: contenders,
  serverCpuMicrosPerObject: Schema.optional(
    Schema.Struct({ mktows: NonNegative, "node-marketo-rest": NonNegative, "raw fetch": NonNegative })
  ),
  speedRatios: others,
  cpuRatios: others,
  rounds: Positive
})

const runQuick = runScript("packages/node/bench/rest.ts", ["--quick", "--rounds", "1"])

// `--ablate`: the client with its guarantees switched off, a contender of its own, with its ratios.
const ablated = "mktows, no guarantees"
const AblatedOutput = Schema.Struct({
  bench: Schema.Literal("rest"),
  objectsPerSecond: Schema.Struct({ ...contenders.fields, [ablated]: Positive }),
  speedRatios: Schema.Struct({ ...others.fields, [ablated]: Positive }),
  ratiosOf: Schema.Struct({ [ablated]: Schema.Struct({ speedRatios: others, cpuRatios: others }) })
})
const CompareFigures = Schema.Struct({
  objectsPerSecond: Schema.Struct({ mktows: Positive, "node-soap": Positive, [ablated]: Positive }),
  ratiosOf: Schema.Struct({
    [ablated]: Schema.Struct({
      speedRatios: Schema.Struct({ mktows: Positive, "node-soap": Positive }),
      cpuRatios: Schema.Struct({ mktows: Positive, "node-soap": Positive })
    })
  })
})
const AblatedCompare = Schema.Struct({
  bench: Schema.Literal("compare"),
  canned: CompareFigures,
  emulator: CompareFigures
})

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
        const output = yield* Schema.decodeUnknown(Schema.parseJson(Output))(last)
        // Where /proc is (Linux), the emulator's CPU while each contender ran is printed too.
        if (process.platform === "linux") expect(output.serverCpuMicrosPerObject).toBeDefined()
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
  it.live(
    "--ablate: the client with its guarantees switched off runs beside the others, with the goals printed for it too",
    () =>
      Effect.gen(function*() {
        const run = yield* runScript("packages/node/bench/rest.ts", ["--quick", "--rounds", "1", "--ablate"])
        expect(run.code, `bench:rest --ablate failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
        const last = run.stdout.trim().split("\n").at(-1) ?? ""
        yield* Schema.decodeUnknown(Schema.parseJson(AblatedOutput))(last)
        expect(run.stdout).toMatch(/mktows, no guarantees: switched off the checks before anything is sent/)
        expect(run.stdout).toMatch(/goal: mktows, no guarantees ≥ 1\.0× node-marketo-rest in objects\/s: [\d.]+×/)
        // Only REST's own switches are named in a REST run.
        expect(run.stdout).not.toMatch(/switched off[^\n]*SOAP:/)
      }),
    300_000
  )

  it.live(
    "bench:compare --ablate-turns: the same over SOAP, against both servers, with its ratio to node-soap",
    () =>
      Effect.gen(function*() {
        const run = yield* runScript("packages/node/bench/compare.ts", ["--quick", "--rounds", "1", "--ablate-turns"])
        expect(run.code, `bench:compare --ablate-turns failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
        const last = run.stdout.trim().split("\n").at(-1) ?? ""
        yield* Schema.decodeUnknown(Schema.parseJson(AblatedCompare))(last)
        expect(run.stdout).toMatch(/SOAP: the turns of calls started together/)
        expect(run.stdout).toMatch(/mktows, no guarantees ÷ node-soap, objects\/s: [\d.]+×/)
      }),
    300_000
  )
})
