/**
 * A smoke run of the side-by-side benchmarks (slow project), so they cannot rot: `pnpm
 * bench:all --quick` restricted to compare, steps (both sides) and startup, each script in its smallest
 * mode, in processes of their own as the runner always runs them. Checked: the runner's JSON
 * (which carries each script's own JSON) is well-formed, every contender and step produced a
 * number, and every figure and ratio is finite and positive. No timing is asserted: how fast
 * anything is, is what the benchmarks print, not what a test can know. The startup script needs
 * the compiled bins (`pnpm build`, which `pnpm verify` runs first).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { runScript } from "../bench/support/children.js"

const Positive = Schema.Number.pipe(Schema.finite(), Schema.positive())
const contenders = ["mktows", "node-soap", "raw POST", "hand-written"] as const
const others = ["node-soap", "raw POST", "hand-written"] as const
const byName = <const K extends ReadonlyArray<string>>(names: K) =>
  Schema.Struct(Object.fromEntries(names.map((name) => [name, Positive])) as { [P in K[number]]: typeof Positive })

const ServerFigures = Schema.Struct({
  objectsPerSecond: byName(contenders),
  cpuMicrosPerObject: byName(contenders),
  speedRatios: byName(others),
  cpuRatios: byName(others),
  rounds: Positive
})

const Step = Schema.Struct({ mktows: Positive, floor: Schema.optional(Positive), ratio: Schema.optional(Positive) })
const WithFloor = Schema.Struct({ mktows: Positive, floor: Positive, ratio: Positive })

const Startup = Schema.Struct({ medianMs: Positive, minMs: Positive })

const Output = Schema.Struct({
  bench: Schema.Literal("all"),
  quick: Schema.Literal(true),
  rows: Schema.Array(Schema.Struct({ figure: Schema.String, measured: Schema.String, goal: Schema.String })),
  results: Schema.Struct({
    compare: Schema.Struct({ bench: Schema.Literal("compare"), canned: ServerFigures, emulator: ServerFigures }),
    steps: Schema.Struct({
      bench: Schema.Literal("steps"),
      steps: Schema.Struct({
        sign: WithFloor,
        "sign, new second": WithFloor,
        validate: WithFloor,
        "map + encode": WithFloor,
        "wire path: toWire + encodeRequest": Step,
        decode: WithFloor,
        "decode: parser alone": WithFloor,
        "page decode: parser alone": WithFloor,
        "page decode": WithFloor,
        "page fromWire": Step,
        "call: sign + validate + map + encode + decode": WithFloor,
        "call: the lowest with fast-xml-parser": WithFloor,
        "page: decode + fromWire": WithFloor
      })
    }),
    "steps-emulator": Schema.Struct({
      bench: Schema.Literal("steps-emulator"),
      steps: Schema.Struct({
        "request decode (the emulator's)": Step,
        "request decode: parser alone": Step,
        "request decode ÷ parser alone": WithFloor
      })
    }),
    startup: Schema.Struct({
      bench: Schema.Literal("startup"),
      startup: Schema.Struct({
        "mktows-emulator to its ready line": Startup,
        "mktows --version": Startup,
        "mktows --help": Startup
      })
    })
  }),
  scripts: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({ seconds: Schema.Number, problem: Schema.optional(Schema.String) })
  })
})

const runQuick = runScript("packages/node/bench/all.ts", ["--quick", "--only", "compare,steps,steps-emulator,startup"])

describe("benchmarks (smoke run)", () => {
  it.live(
    "bench:all --quick: compare, steps (both sides) and startup each give a finite, positive figure for everything",
    () =>
      Effect.gen(function*() {
        const run = yield* runQuick
        expect(run.code, `bench:all failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
        const last = run.stdout.trim().split("\n").at(-1) ?? ""
        const output = yield* Schema.decodeUnknown(Schema.parseJson(Output))(last)
        expect(Object.values(output.scripts).filter((s) => s.problem !== undefined)).toEqual([])
        expect(Object.keys(output.scripts).sort()).toEqual(["compare", "startup", "steps", "steps-emulator"])
        // The summary has a figure for every row the three scripts feed.
        const measured = (figure: string) => output.rows.find((row) => row.figure.startsWith(figure))?.measured
        for (
          const figure of [
            "mktows vs node-soap, objects/s, canned server",
            "mktows vs node-soap, objects/s, emulator",
            "mktows vs a raw POST",
            "CPU of sign + validate",
            "client CPU per object",
            "one getMObjects page",
            "the same, the lowest a client parsing with fast-xml-parser",
            "the same page: fast-xml-parser alone",
            "the emulator's decode of a 100-object request",
            "compiled emulator bin"
          ]
        ) {
          expect(measured(figure), figure).toMatch(/^\d/)
        }
        // The figures the others' scripts feed are said to be missing, not made up.
        expect(measured("emulator server CPU per object")).toBe("not measured")
      }),
    600_000
  )
})
