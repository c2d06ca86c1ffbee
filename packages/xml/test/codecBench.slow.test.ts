// A smoke run of `pnpm bench` (packages/xml/bench/codec.bench.ts), so that the script cannot
// rot: the smallest number of rounds, and every figure it prints is finite and positive. It
// asserts no time.
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { runScript } from "../../node/bench/support/children.js"

const runBench = runScript("packages/xml/bench/codec.bench.ts", ["--rounds", "4"])

describe("pnpm bench (smoke run)", () => {
  it.live(
    "prints a finite, positive figure for every contender and both ratios to the floor",
    () =>
      Effect.gen(function*() {
        const run = yield* runBench
        expect(run.code, `the bench failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
        const micros = [...run.stdout.matchAll(/([\d.]+) µs \(median\)/g)].map((m) => Number(m[1]))
        const ratios = [...run.stdout.matchAll(/([\d.]+) × the floor/g)].map((m) => Number(m[1]))
        expect(micros).toHaveLength(8)
        expect(ratios).toHaveLength(2)
        for (const figure of [...micros, ...ratios]) {
          expect(Number.isFinite(figure) && figure > 0).toBe(true)
        }
      }),
    { timeout: 300_000 }
  )
})
