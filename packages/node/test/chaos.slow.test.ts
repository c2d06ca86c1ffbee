/**
 * A small run of `pnpm chaos` (slow project): the laws its figures must keep, whatever the
 * seed. Nothing here depends on timing: the faults are seeded, and every assertion is an
 * invariant of the run, not a count that scheduling could move.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Chaos from "../bench/chaos.js"

describe("chaos (small run)", () => {
  it.live(
    "no object lost or duplicated, no defect or hang, no refused request changes the store, no key shown",
    () =>
      Effect.gen(function*() {
        const report = yield* Chaos.run({ objects: 300, faultRate: 0.2, mutations: 15, seed: 11 })
        for (const job of report.sync) {
          expect([job.operation, job.lost, job.duplicated]).toEqual([job.operation, 0, 0])
          expect(Object.values(job.statuses).reduce((a, b) => a + b, 0)).toBe(job.objects)
        }
        // Faults were injected and met.
        expect(report.sync.some((job) => Object.keys(job.faults).length > 0)).toBe(true)
        const results = [...Object.values(report.responses.named), ...Object.keys(report.responses.mutated)]
        expect(results.filter((r) => r === "DEFECT" || r === "HANG")).toEqual([])
        // Answers that are not the SOAP we expect are never taken for success.
        for (const name of ["HTML error page (200)", "truncated", "DOCTYPE with entity expansion", "wrong root"]) {
          expect(report.responses.named[name]).not.toBe("accepted")
        }
        expect(report.requests.refusedStoreChanged).toBe(0)
        expect(report.requests.noSoapAnswer).toBe(0)
        expect(report.requests.refused).toBeGreaterThan(0)
        expect(report.keyOccurrences).toBe(0)
      }),
    300_000
  )
})
