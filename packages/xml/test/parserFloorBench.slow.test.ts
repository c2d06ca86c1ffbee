// A smoke run of the parser-floor probe (packages/xml/bench/parserFloor.bench.ts), so that
// the script cannot rot: its smallest mode, and every figure it prints is finite and
// positive. It asserts no time.
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { runScript } from "../../node/bench/support/children.js"

const runProbe = runScript("packages/xml/bench/parserFloor.bench.ts", ["--quick"])

describe("the parser-floor probe (smoke run)", () => {
  it.live(
    "prints a finite, positive figure for every contender and both ratios",
    () =>
      Effect.gen(function*() {
        const run = yield* runProbe
        expect(run.code, `the probe failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
        const last = run.stdout.trim().split("\n").at(-1) ?? ""
        const summary = JSON.parse(last) as {
          readonly figures: Readonly<Record<string, number>>
          readonly ratios: Readonly<Record<string, number>>
        }
        const figures = Object.values(summary.figures)
        expect(figures).toHaveLength(11)
        for (const figure of [...figures, summary.ratios.sync ?? NaN, summary.ratios.page ?? NaN]) {
          expect(Number.isFinite(figure) && figure > 0).toBe(true)
        }
      }),
    { timeout: 300_000 }
  )
})
