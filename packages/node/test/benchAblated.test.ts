/**
 * `--ablate`'s table of call sites (`bench/support/ablated.ts`): every guarantee it switches off
 * is found exactly once where the table says, so a change to a call site fails here, with the
 * site's name, instead of in a benchmark run; and a site found twice or not at all is refused.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as Ablated from "../bench/support/ablated.js"
import { repoRoot } from "../bench/support/code.js"

const source = (file: string) => readFileSync(join(repoRoot, "packages", file), "utf8")

describe("bench --ablate: the call sites it switches off", () => {
  for (const bypass of [...Ablated.guarantees, ...Ablated.turns]) {
    it(`${bypass.what}: found once in ${bypass.file}, and replaced`, () => {
      const text = source(bypass.file)
      const out = Ablated.bypassed(bypass.file, text, [bypass])
      expect(typeof out === "string" ? undefined : out.problem).toBeUndefined()
      expect(out).not.toBe(text)
      expect(typeof out === "string" && out.includes(bypass.replace)).toBe(true)
    })
  }

  it("a site found twice, or not at all, is a problem that names it; other files are left as they are", () => {
    const bypass: Ablated.Bypass = { what: "a check", file: "x/src/a.ts", find: "check()", replace: "" }
    const twice = Ablated.bypassed("x/src/a.ts", "check(); check()", [bypass])
    const none = Ablated.bypassed("x/src/a.ts", "nothing", [bypass])
    expect(twice).toEqual({ problem: expect.stringContaining("a check: \"check()\" is in x/src/a.ts 2 times") })
    expect(none).toEqual({ problem: expect.stringContaining("0 times") })
    expect(Ablated.bypassed("x/src/b.ts", "check(); check()", [bypass])).toBe("check(); check()")
    // `$&` and the like in a replacement are text, not patterns.
    expect(Ablated.bypassed("x/src/a.ts", "check()", [{ ...bypass, replace: "$&$&" }])).toBe("$&$&")
  })
})
