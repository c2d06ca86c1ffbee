/**
 * The README's examples for other languages run unchanged against the emulator's command:
 * the Python `requests` script (where python3 with requests is installed) and the PHP
 * SoapClient one (where php with its soap extension is). Each is taken from the README as
 * written, so the README cannot drift from what the emulator does.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawn, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { spawnEmulator } from "./helpers/spawnEmulator.js"

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8")

// The first block of a language, or a script that fails saying it is missing.
const block = (language: string): string =>
  new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(readme)?.[1] ?? `no ${language} block in the README`

const has = (command: string, args: ReadonlyArray<string>, expected: RegExp) => {
  const run = spawnSync(command, args, { encoding: "utf8" })
  return run.status === 0 && expected.test(run.stdout)
}

const python = has("python3", ["-c", "import requests; print('requests')"], /requests/)
const php = has("php", ["-m"], /^soap$/m)

const run = (command: string, args: ReadonlyArray<string>, input: string, origin: string) =>
  Effect.promise(() =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(command, [...args], { env: { ...process.env, MKTOWS_EMULATOR: origin } })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()))
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()))
      child.on("close", (status) => resolve({ status, stdout, stderr }))
      child.stdin.end(input)
    })
  )

describe("emulator README examples", () => {
  it.scoped.skipIf(!python)("the Python requests script runs unchanged", () =>
    Effect.gen(function*() {
      const emulator = yield* spawnEmulator()
      const result = yield* run("python3", ["-"], block("python"), emulator.origin)
      expect(result.stderr).toBe("")
      expect([result.status, result.stdout.trim()]).toEqual([0, "ok"])
    }))

  it.scoped.skipIf(!php)("the PHP SoapClient script runs unchanged", () =>
    Effect.gen(function*() {
      const emulator = yield* spawnEmulator()
      const result = yield* run("php", [], block("php"), emulator.origin)
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
      expect(result.stdout).toContain("Opportunity")
    }))
})
