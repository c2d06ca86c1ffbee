/**
 * The command line itself (help, version, usage errors), the progress display on a
 * terminal and in a pipe, and the read and delete commands, end to end against the emulator.
 */
import { expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type RunningEmulator, spawnEmulator } from "../../emulator/test/helpers/spawnEmulator.js"
import * as Helpers from "./helpers/mktows.js"
import { bundle, envFor, readNdjson, repoRoot, scratch } from "./helpers/mktows.js"

class SharedEmulator extends Context.Tag("test/CommandsEmulator")<SharedEmulator, RunningEmulator>() {}

const mktows = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => Helpers.mktows(args, { env })

const slow = 240_000

layer(Layer.scoped(SharedEmulator, spawnEmulator()), { timeout: 120_000 })("mktows commands", (it) => {
  it.effect("help for every command and flag, --version, and usage errors exit 2", () =>
    Effect.gen(function*() {
      const top = yield* mktows(["--help"])
      expect(top.code).toBe(0)
      for (const command of ["sync", "get", "describe", "list", "delete", "emulator"]) {
        expect(top.stdout).toContain(command)
      }
      expect(top.stdout).toContain("--completions")
      expect(top.stdout).toContain("--log-level")
      const sync = yield* mktows(["sync", "--help"])
      expect(sync.code).toBe(0)
      for (
        const flag of [
          "--type",
          "--operation",
          "--report",
          "--journal",
          "--skip-invalid",
          "--dry-run",
          "--rate-limit",
          "--map",
          "--map-file",
          "--date-format",
          "--time-zone",
          "--max-failures",
          "--retry-failed",
          "--report-columns",
          "MARKETO_REST_ENDPOINT",
          "MARKETO_CLIENT_SECRET"
        ]
      ) {
        expect(sync.stdout).toContain(flag)
      }
      const get = yield* mktows(["get", "--help"])
      for (const flag of ["--criteria", "--associations", "--include-details", "--out", "--journal", "--rate-limit"]) {
        expect(get.stdout).toContain(flag)
      }
      // Optional flags are shown as optional in the usage line.
      expect(get.stdout).toContain("[--criteria text...]")
      expect(get.stdout).toContain("[--associations text...]")
      // delete accepts the --skip-invalid it suggests.
      expect((yield* mktows(["delete", "--help"])).stdout).toContain("--skip-invalid")
      // No colours into a pipe, even without NO_COLOR.
      const piped = yield* mktows(["sync", "--help"], { NO_COLOR: "" })
      expect(piped.code).toBe(0)
      expect(piped.stdout).not.toContain("\x1b[")
      // Completion offers each choice as a word of its own.
      const bash = yield* mktows(["--completions", "bash"])
      expect(bash.stdout).toContain("compgen -W \"Opportunity OpportunityPersonRole Program\"")
      const emulatorHelp = yield* mktows(["emulator", "--help"])
      expect(emulatorHelp.code).toBe(0)
      expect(emulatorHelp.stdout).toContain("--fault-rate")
      expect((yield* mktows(["emulator", "--port", "abc"])).code).toBe(2)
      expect((yield* mktows(["--version"])).stdout.trim()).toBe("0.1.0")
      const file = join(scratch(), "rows.csv")
      writeFileSync(file, "name\nx\n")
      expect((yield* mktows(["sync", file, "--operation", "INSERT"])).code).toBe(2)
      const lead = yield* mktows(["sync", file, "--type", "Lead", "--operation", "INSERT"])
      expect(lead.code).toBe(2)
      expect(lead.stderr).toContain("--type 'Lead' is not one of: Opportunity, OpportunityPersonRole, Program")
      for (const limit of ["0/20", "100", "100/0", "fast"]) {
        const refused = yield* mktows([
          "sync",
          file,
          "--type",
          "Opportunity",
          "--operation",
          "INSERT",
          "--rate-limit",
          limit
        ])
        expect(refused.code).toBe(2)
        expect(refused.stderr).toContain("expected CALLS/SECONDS")
      }
      const badExt = join(scratch(), "rows.txt")
      writeFileSync(badExt, "x")
      expect((yield* mktows(["sync", badExt, "--type", "Opportunity", "--operation", "INSERT"])).code).toBe(2)
      // No credentials and no terminal: a clear usage error, nothing echoed.
      const noKey = yield* mktows(["list"], { MARKETO_SOAP_ENDPOINT: "http://127.0.0.1:9/soap", MARKETO_USER_ID: "u" })
      expect(noKey.code).toBe(2)
      expect(noKey.stderr).toContain("MARKETO_ENCRYPTION_KEY")
      expect(noKey.stderr).toContain("MARKETO_REST_ENDPOINT")
    }), slow)

  it.scoped("list, describe, get (NDJSON and CSV, resumable) and delete", () =>
    Effect.gen(function*() {
      const emulator = yield* SharedEmulator
      const env = envFor(emulator)
      const list = yield* mktows(["list"], env)
      expect(list.code, list.stderr).toBe(0)
      expect(list.stdout.split("\n")).toContain("Opportunity")
      // Standard output holds the result alone: logs go to stderr.
      expect(list.stdout).not.toContain("INFO")
      const described = yield* mktows(["describe", "Opportunity"], env)
      expect(described.code, described.stderr).toBe(0)
      expect(described.stdout).toMatch(/^Amount\s/m)

      const dir = scratch()
      const input = join(dir, "in.ndjson")
      writeFileSync(
        input,
        Array.from({ length: 30 }, (_, i) =>
          JSON.stringify({
            name: `Export ${i}`,
            stage: "Export",
            amount: i,
            closeDate: "2026-03-31",
            externalKey: { name: "externalId", value: `EXP-${i}` }
          })).join("\n")
      )
      const synced = yield* mktows(["sync", input, "--type", "Opportunity", "--operation", "INSERT"], env)
      expect(synced.code, synced.stderr).toBe(0)

      const out = join(dir, "out.ndjson")
      const journal = join(dir, "get.journal")
      const get = yield* mktows(
        ["get", "--type", "Opportunity", "--criteria", "Stage=Export", "--out", out, "--journal", journal],
        env
      )
      expect(get.code, get.stderr).toBe(0)
      const exported = readNdjson(out)
      expect(exported.map((o) => (o["externalKey"] as { value: string }).value).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `EXP-${i}`).sort()
      )
      expect(exported[0]?.["closeDate"]).toBe("2026-03-31")
      // What get writes, sync reads back.
      const again = yield* mktows(["sync", out, "--type", "Opportunity", "--operation", "UPDATE", "--dry-run"], env)
      expect(again.code, again.stdout).toBe(0)

      const csvOut = join(dir, "out.csv")
      const csv = yield* mktows(["get", "--type", "Opportunity", "--criteria", "Stage=Export", "--out", csvOut], env)
      expect(csv.code, csv.stderr).toBe(0)
      const csvLines = readFileSync(csvOut, "utf8").trim().split("\n")
      expect(csvLines.length).toBe(31)
      expect(csvLines[0]).toContain("externalKey.externalId")

      const refs = join(dir, "delete.csv")
      const ids = exported.slice(0, 5).map((o) => o["id"])
      writeFileSync(refs, `type,id\n${ids.map((id) => `Opportunity,${id}`).join("\n")}\n`)
      const report = join(dir, "deleted.ndjson")
      const deleted = yield* mktows(["delete", refs, "--report", report], env)
      expect(deleted.code, deleted.stderr).toBe(0)
      expect(readNdjson(report).map((row) => row["status"])).toEqual([
        "DELETED",
        "DELETED",
        "DELETED",
        "DELETED",
        "DELETED"
      ])
    }), slow)

  it.scoped(
    "progress: redrawn in place on a terminal, with the rate-window wait; plain lines in a pipe",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const dir = scratch()
        const file = join(dir, "rows.ndjson")
        // 130 calls of one object: more than Marketo allows in 20 s, so the job must wait for the window.
        writeFileSync(
          file,
          Array.from(
            { length: 130 },
            (_, i) => JSON.stringify({ name: `P ${i}`, externalKey: { name: "externalId", value: `PROG-${i}` } })
          ).join("\n")
        )
        const command = yield* Effect.promise(() => bundle())
        const args = ["sync", file, "--type", "Opportunity", "--operation", "UPSERT", "--chunk-size", "1"]
        const quoted = [process.execPath, command, ...args].map((arg) => `'${arg}'`).join(" ")
        // `script` runs the command in a pseudo-terminal and copies what it shows to stdout.
        const tty = spawnSync("script", ["-q", "-e", "-c", quoted, "/dev/null"], {
          cwd: repoRoot,
          env: { ...process.env, ...envFor(emulator), NO_COLOR: "1" },
          encoding: "utf8",
          timeout: 200_000
        })
        expect(tty.status, tty.stdout).toBe(0)
        expect(tty.stdout).toContain("\r\u001b[2K")
        expect(tty.stdout).toMatch(/130\/130 rows · sent 130/)
        expect(tty.stdout).toContain("waiting for Marketo's rate window")
        expect(tty.stdout).toMatch(/^CREATED\s+130/m)

        const piped = yield* mktows(["sync", file, "--type", "Opportunity", "--operation", "UPSERT"], envFor(emulator))
        expect(piped.code, piped.stderr).toBe(0)
        expect(piped.stderr).not.toContain("\u001b[")
        expect(piped.stderr).not.toContain("\r")
        expect(piped.stderr).toMatch(/^progress: 130\/130 rows · sent 130 · UNCHANGED 130/m)
        expect(piped.stdout).toMatch(/^UNCHANGED\s+130/m)
      }),
    slow
  )
})
