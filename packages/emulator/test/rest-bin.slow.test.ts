/**
 * The emulator's command prints where REST is served, on the line after the SOAP ready line.
 * It spawns the command through tsx (seconds of start-up), so it runs in the slow project.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

describe("emulator REST: the command", () => {
  it.live("the bin prints the REST line after the SOAP ready line", () =>
    Effect.acquireUseRelease(
      Effect.sync(() =>
        spawn(process.execPath, [
          "--import",
          "tsx",
          "--conditions=source",
          "packages/emulator/src/bin/emulator.ts",
          "--port",
          "0"
        ], { cwd: fileURLToPath(new URL("../../../", import.meta.url)) })
      ),
      (child) =>
        Effect.gen(function*() {
          const out = yield* Effect.async<string>((resume) => {
            let text = ""
            child.stdout.on("data", (chunk: Buffer) => {
              text += chunk.toString("utf8")
              if (text.split("\n").length > 2) resume(Effect.succeed(text))
            })
          }).pipe(Effect.timeout("30 seconds"), Effect.orDie)
          const match =
            /^mktows emulator listening on http:\/\/(127\.0\.0\.1:\d+)\/soap\/mktows\/2_2\nmktows emulator REST at http:\/\/(\S+)\/rest \(identity http:\/\/(\S+)\/identity\)\n/
              .exec(out)
          expect(match?.slice(1)).toEqual([match?.[1], match?.[1], match?.[1]])
          expect(match).not.toBeNull()
        }),
      (child) => Effect.sync(() => child.kill("SIGTERM"))
    ))

  it.live("--help lists the test endpoints and the default credentials of both protocols", () =>
    Effect.promise(() =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, [
          "--import",
          "tsx",
          "--conditions=source",
          "packages/emulator/src/bin/emulator.ts",
          "--help"
        ], { cwd: fileURLToPath(new URL("../../../", import.meta.url)) })
        let text = ""
        child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")))
        child.on("close", () => resolve(text))
      })
    ).pipe(Effect.map((help) => {
      for (
        const expected of [
          "POST   /emulator/reset",
          "POST   /emulator/seed",
          "POST   /emulator/script",
          "GET    /emulator/calls",
          "GET    /emulator/objects",
          "GET    /emulator/stats",
          "demo17_1_809934544BFABAE58E5D27",
          "27272727aa",
          "mktows-demo-client",
          "mktows-demo-secret",
          "/identity/oauth/token"
        ]
      ) expect(help).toContain(expected)
    })))
})

describe("emulator: a bad command line", () => {
  const run = (args: ReadonlyArray<string>) =>
    Effect.promise(() =>
      new Promise<{ readonly code: number | null; readonly stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "--conditions=source", "packages/emulator/src/bin/emulator.ts", ...args],
          { cwd: fileURLToPath(new URL("../../../", import.meta.url)) }
        )
        let stderr = ""
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
        child.on("close", (code) => resolve({ code, stderr }))
      })
    )

  it.live("says what is wrong in a line and where the flags are listed, not the whole usage; exit 2", () =>
    Effect.gen(function*() {
      for (const args of [["--port", "99999"], ["--seed", "/nonexistent/seed.json"]]) {
        const { code, stderr } = yield* run(args)
        expect(code).toBe(2)
        expect(stderr).toContain("mktows-emulator --help lists the flags")
        expect(stderr).not.toContain("usage: mktows-emulator")
        expect(stderr.trim().split("\n").length).toBeLessThanOrEqual(3)
      }
    }))
})
