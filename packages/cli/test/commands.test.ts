/**
 * The command line itself (help, version, usage errors), the progress display on a
 * terminal and in a pipe, and the read and delete commands, end to end against the emulator.
 */
import { expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type RunningEmulator, spawnEmulator } from "../../emulator/test/helpers/spawnEmulator.js"
import * as Helpers from "./helpers/mktows.js"
import { bundle, envFor, readNdjson, repoRoot, restEnvFor, scratch } from "./helpers/mktows.js"

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
      // One line per command, readable on a terminal (the generated listing ran to 600 columns).
      expect(Math.max(...top.stdout.split("\n").map((line) => line.length))).toBeLessThanOrEqual(120)
      expect((yield* mktows([])).stdout).toBe(top.stdout)
      expect((yield* mktows(["help"])).stdout).toBe(top.stdout)
      const helpDelete = yield* mktows(["help", "delete"])
      expect(helpDelete.code).toBe(0)
      expect(helpDelete.stdout).toContain("--skip-invalid")
      expect(helpDelete.stdout).toContain("externalKey.NAME")
      const helpEmulator = yield* mktows(["help", "emulator"])
      // The emulator's own usage, not the command line's one-line entry for it.
      expect(helpEmulator.stdout).toContain("usage: mktows-emulator")
      expect(helpEmulator.stdout).toContain("--enforce-limits")
      const helpNothing = yield* mktows(["help", "nosuch"])
      expect(helpNothing.code).toBe(2)
      expect(helpNothing.stderr).toContain(
        "help nosuch: no such command; mktows help COMMAND, with COMMAND one of: sync,"
      )
      // delete's --type offers the types a delete takes.
      const deleteProgram = yield* mktows(["delete", "x.csv", "--type", "Program"])
      expect(deleteProgram.code).toBe(2)
      expect(deleteProgram.stderr).toContain("--type 'Program' is not one of: Opportunity, OpportunityPersonRole")
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
      expect(noKey.stderr).toContain("cannot connect to Marketo over SOAP: MARKETO_ENCRYPTION_KEY is not set.")
      expect(noKey.stderr).not.toContain("provided map")
      expect(noKey.stderr).toContain("MARKETO_REST_ENDPOINT")
      // A setting that is there but wrong is named too.
      const badUrl = yield* mktows(["list"], {
        MARKETO_REST_ENDPOINT: "127.0.0.1:9/rest",
        MARKETO_CLIENT_ID: "id",
        MARKETO_CLIENT_SECRET: "secret-0123456789"
      })
      expect(badUrl.code).toBe(2)
      expect(badUrl.stderr).toContain("MARKETO_REST_ENDPOINT: expected an http(s) URL")
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
      // A type in another case is the type; one Marketo does not describe says which it does.
      expect((yield* mktows(["describe", "opportunity"], env)).stdout).toBe(described.stdout)
      const program = yield* mktows(["describe", "Program"], env)
      expect(program.code).toBe(2)
      expect(program.stderr).toContain(
        "Marketo describes ActivityRecord, LeadRecord, Opportunity, OpportunityPersonRole (over REST not ActivityRecord); mktows list"
      )

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
    "a REST base URL without its /rest stops the job at the first 404, naming the setting, instead of failing every row",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const dir = scratch()
        const input = join(dir, "in.csv")
        writeFileSync(
          input,
          `name,externalKey.externalOpportunityId\n${
            Array.from({ length: 6 }, (_, i) => `Deal ${i},NO-REST-${i}`).join("\n")
          }\n`
        )
        const wrong = { ...restEnvFor(emulator), MARKETO_REST_ENDPOINT: emulator.origin }
        const run = yield* mktows(
          ["sync", input, "--type", "Opportunity", "--operation", "UPSERT", "--chunk-size", "2", "--concurrency", "1"],
          wrong
        )
        expect(run.code).toBe(1)
        expect(run.stderr).toContain("HTTP 404")
        expect(run.stderr).toContain("check MARKETO_REST_ENDPOINT, which ends in /rest")
        // The first call met the 404; the job went no further.
        expect(run.stdout + run.stderr).not.toMatch(/6 row\(s\) FAILED/)
        // Its rows are said as what they are: refused by the error, not "settled without a call".
        expect(run.stdout).toContain("2 more sent and refused by the error that stopped the job (none applied)")
        expect(run.stdout).not.toContain("settled without a call")
      }),
    slow
  )

  it.scoped(
    "delete by external key over REST, by id over SOAP, an export of get with --type; what was not sent",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const soap = envFor(emulator)
        const rest = restEnvFor(emulator)
        const dir = scratch()
        const input = join(dir, "in.csv")
        const keys = Array.from({ length: 8 }, (_, i) => `DEL-KEY-${i}`)
        writeFileSync(
          input,
          `name,stage,type,externalKey.externalOpportunityId\n${
            keys.map((k) => `Deal ${k},Purge,Renewal,${k}`).join("\n")
          }\n`
        )
        const synced = yield* mktows(["sync", input, "--type", "Opportunity", "--operation", "INSERT"], rest)
        expect(synced.code, synced.stderr).toBe(0)
        const stored = () =>
          Effect.promise(() =>
            fetch(`${emulator.origin}/emulator/objects?type=Opportunity`).then((r) =>
              r.json() as Promise<ReadonlyArray<{ readonly fields?: Record<string, unknown> }>>
            )
          ).pipe(Effect.map((stored) => stored.filter((o) => o.fields?.["Stage"] === "Purge")))
        expect((yield* stored()).length).toBe(8)

        // Over REST, the report of a sync deletes what it stored (its key written NAME=VALUE).
        const reported = join(dir, "reported.csv")
        writeFileSync(
          reported,
          // DEL-KEY-0 is there already: the INSERT leaves it as it was (SKIPPED).
          "name,stage,externalKey.externalOpportunityId\nR0,Reported,DEL-REP-0\nR1,Reported,DEL-REP-1\nR2,Reported,DEL-KEY-0\n"
        )
        const syncReport = join(dir, "sync-report.csv")
        const syncedReported = yield* mktows(
          ["sync", reported, "--type", "Opportunity", "--operation", "INSERT", "--report", syncReport],
          rest
        )
        expect(syncedReported.code, syncedReported.stderr).toBe(0)
        expect(readFileSync(syncReport, "utf8")).toContain(",externalOpportunityId=DEL-REP-1,")
        expect(readFileSync(syncReport, "utf8")).toMatch(/\n4,SKIPPED,[^\n]*DEL-KEY-0/)
        const reportDeleted = join(dir, "report-deleted.ndjson")
        const viaReport = yield* mktows(
          ["delete", syncReport, "--type", "Opportunity", "--report", reportDeleted],
          rest
        )
        expect(viaReport.code, viaReport.stderr).toBe(0)
        // What the sync did not store (DEL-KEY-0, there before it) is not deleted.
        expect(
          readNdjson(reportDeleted).map((row) => [
            row["status"],
            (row["externalKey"] as { value: string } | undefined)?.value ?? row["error"]
          ])
        ).toEqual([
          ["DELETED", "DEL-REP-0"],
          ["DELETED", "DEL-REP-1"],
          [
            "SKIPPED",
            "not deleted: the report says SKIPPED: the sync left its object as it was (there before it, or created by another row of the file)"
          ]
        ])
        expect((yield* stored()).length).toBe(8)

        // Over REST, by the key column; a row with a key that names nothing is not an error.
        const byKey = join(dir, "by-key.csv")
        writeFileSync(
          byKey,
          `type,externalKey.externalOpportunityId\n${keys.slice(0, 2).map((k) => `Opportunity,${k}`).join("\n")}\n`
        )
        const report = join(dir, "by-key.ndjson")
        const deleted = yield* mktows(["delete", byKey, "--report", report], rest)
        expect(deleted.code, deleted.stderr).toBe(0)
        expect(readNdjson(report).map((row) => row["status"])).toEqual(["DELETED", "DELETED"])
        expect(deleted.stdout).toMatch(/^sent 2 row\(s\)/m)

        // A read REST refuses (a field this instance does not search) leaves the output and the
        // journal as they were, so the corrected command runs with the same --journal.
        const kept = join(dir, "kept.ndjson")
        const keptJournal = join(dir, "kept.journal")
        writeFileSync(kept, "precious\n")
        const unsearchable = yield* mktows(
          ["get", "--type", "Opportunity", "--criteria", "Stage=Purge", "--out", kept, "--journal", keptJournal],
          rest
        )
        expect(unsearchable.code).toBe(2)
        expect(unsearchable.stderr).toContain("'Stage' is not searchable")
        expect(readFileSync(kept, "utf8")).toBe("precious\n")
        expect(existsSync(keptJournal)).toBe(false)
        const searchable = yield* mktows(
          [
            "get",
            "--type",
            "Opportunity",
            "--criteria",
            "externalOpportunityId=DEL-KEY-7",
            "--out",
            kept,
            "--journal",
            keptJournal
          ],
          rest
        )
        expect(searchable.code, searchable.stderr).toBe(0)
        expect(readNdjson(kept).map((o) => (o["externalKey"] as { value: string }).value)).toEqual(["DEL-KEY-7"])

        // Over REST an id names no Opportunity: refused in the first pass, with the reason; nothing sent.
        const byId = join(dir, "by-id.csv")
        writeFileSync(byId, "type,id\nOpportunity,1001\n")
        const refused = yield* mktows(["delete", byId], rest)
        expect(refused.code).toBe(2)
        expect(refused.stderr).toContain(
          "record 1 (line 2): id: REST has no integer ids for Opportunity: name it by externalKey externalOpportunityId or marketoGUID"
        )
        expect(refused.stderr).toContain("nothing was sent")

        // Over SOAP a key alone is refused in the first pass (deleteMObjects requires the id): nothing sent.
        const soapKey = yield* mktows(["delete", byKey], soap)
        expect(soapKey.code).toBe(2)
        expect(soapKey.stderr).toContain("over SOAP, Marketo deletes by id only")

        // An export of get deletes as it is with --type: its `type` column is the object's field,
        // each row named by its id over SOAP.
        const exported = join(dir, "export.csv")
        const got = yield* mktows(
          ["get", "--type", "Opportunity", "--criteria", "Stage=Purge", "--out", exported],
          soap
        )
        expect(got.code, got.stderr).toBe(0)
        const header = readFileSync(exported, "utf8").split("\n")[0] ?? ""
        expect(header.split(",")).toContain("type")
        // Without --type, that column would be read as the object's type: every row refused, nothing sent.
        const withoutType = yield* mktows(["delete", exported], soap)
        expect(withoutType.code).toBe(2)
        expect(withoutType.stderr).toContain(
          `type: expected Opportunity or OpportunityPersonRole, got "Renewal" (if this file is an export of get, its type column is the object's own Type field: pass --type to name the MObject type)`
        )
        const viaExport = join(dir, "export-deleted.ndjson")
        const purged = yield* mktows(["delete", exported, "--type", "Opportunity", "--report", viaExport], soap)
        expect(purged.code, purged.stderr).toBe(0)
        expect(readNdjson(viaExport).map((row) => row["status"])).toEqual(Array.from({ length: 6 }, () => "DELETED"))
        expect(yield* stored()).toEqual([])

        // REST carries 300 objects a call, SOAP 100: --chunk-size is checked against the transport's most.
        const big = yield* mktows([
          "sync",
          input,
          "--type",
          "Opportunity",
          "--operation",
          "UPSERT",
          "--chunk-size",
          "300"
        ], soap)
        expect(big.code).toBe(2)
        expect(big.stderr).toContain("--chunk-size must be an integer from 1 to 100 over SOAP (300 over REST), got 300")
        const bigRest = yield* mktows(
          ["sync", input, "--type", "Opportunity", "--operation", "UPSERT", "--chunk-size", "300", "--dry-run"],
          rest
        )
        expect(bigRest.code, bigRest.stderr).toBe(0)
      }),
    slow
  )

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

  it.effect(
    "a command's --help, and help COMMAND, give its usage as mktows COMMAND, whatever else the line holds",
    () =>
      Effect.gen(function*() {
        for (const command of ["sync", "map", "get", "describe", "list", "delete"]) {
          for (const args of [[command, "--help"], ["help", command], [command, "-h"]]) {
            const help = yield* mktows(args)
            expect(help.code, help.stderr).toBe(0)
            const usage = help.stdout.split("\n").filter((line) => line.startsWith("$ "))
            expect(usage, `${args.join(" ")}: ${help.stdout}`).toEqual([
              expect.stringMatching(`^\\$ mktows ${command}( |$)`)
            ])
          }
        }
        // A half-written command still gets its help: get's --out is required, and not given.
        const get = yield* mktows(["get", "--type", "Program", "--help"])
        expect(get.code, get.stderr).toBe(0)
        expect(get.stdout).toMatch(/^\$ mktows get --type/m)
      }),
    slow
  )

  it.effect(
    "--wizard without a terminal on stdin fails at once, pointing at the commands; no escapes into the pipe",
    () =>
      Effect.gen(function*() {
        // The helper's stdin is /dev/null. Killed at 60 s only so that a hang fails rather than stalls the suite.
        for (const args of [["--wizard"], ["sync", "--wizard"]]) {
          const wizard = yield* Helpers.mktows(args, { env: { NO_COLOR: "" }, killAfter: 60_000 })
          expect(wizard.signal).toBe(null)
          expect(wizard.code).toBe(2)
          expect(wizard.stderr).toContain(
            "mktows: --wizard asks its questions on an interactive terminal, and standard input is not one"
          )
          expect(wizard.stderr).toContain("mktows COMMAND --help")
          expect(wizard.stdout + wizard.stderr).not.toContain("\x1b[")
        }
      }),
    slow
  )

  it.scoped(
    "a --report, --out or --journal in a directory that does not exist, or under a regular file: a usage error naming the path, nothing sent",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const env = envFor(emulator)
        const dir = scratch()
        const input = join(dir, "in.csv")
        writeFileSync(input, "name,externalKey.externalOpportunityId\nNo dir,NODIR-1\n")
        const missing = join(dir, "nodir")
        const file = join(dir, "notes.txt")
        writeFileSync(file, "not a directory\n")
        const stored = () =>
          Effect.promise(() => fetch(`${emulator.origin}/emulator/objects?type=Opportunity`).then((r) => r.text()))
            .pipe(Effect.map((all) => all.includes("NODIR-1")))
        const sync = ["sync", input, "--type", "Opportunity", "--operation", "UPSERT"]
        const deletes = ["delete", input, "--type", "Opportunity"]
        const get = ["get", "--type", "Opportunity"]
        const noDirectory = (target: string) =>
          `${target}: the directory ${missing} does not exist; create it, or give a path in one that does`
        const underFile = (target: string) =>
          `${target}: ${file} is a file, not a directory; give a path in a directory`
        const runs: ReadonlyArray<readonly [ReadonlyArray<string>, string, string, (target: string) => string]> = [
          [sync, "--report", join(missing, "r.csv"), noDirectory],
          [sync, "--journal", join(missing, "j"), noDirectory],
          [deletes, "--report", join(missing, "d.csv"), noDirectory],
          [get, "--out", join(missing, "all.ndjson"), noDirectory],
          [sync, "--report", join(file, "r.csv"), underFile],
          [sync, "--journal", join(file, "j"), underFile],
          // Deeper under it: still the file that is in the way.
          [sync, "--journal", join(file, "sub", "j"), underFile],
          [deletes, "--report", join(file, "d.ndjson"), underFile],
          [get, "--out", join(file, "all.csv"), underFile]
        ]
        for (const [args, flag, target, message] of runs) {
          const refused = yield* mktows([...args, flag, target], env)
          expect(refused.code, refused.stderr).toBe(2)
          // The user's path, never a temporary file of ours beside it.
          expect(refused.stderr.trim()).toBe(`mktows: ${flag} ${message(target)}`)
        }
        expect(yield* stored()).toBe(false)
        expect(existsSync(missing)).toBe(false)
        expect(readFileSync(file, "utf8")).toBe("not a directory\n")
      }),
    slow
  )

  it.scoped(
    "an export of get syncs back unchanged, over SOAP and REST: every row UPDATED or UNCHANGED, nothing created",
    () =>
      Effect.gen(function*() {
        // An emulator of its own: what the store holds before and after is this test's alone.
        const emulator = yield* spawnEmulator()
        const soap = envFor(emulator)
        const rest = restEnvFor(emulator)
        const dir = scratch()
        const count = (type: string) =>
          Effect.promise(() =>
            fetch(`${emulator.origin}/emulator/objects?type=${type}`).then((r) =>
              r.json() as Promise<ReadonlyArray<unknown>>
            )
          ).pipe(Effect.map((objects) => objects.length))
        // Beside the seed's Opportunities (one keyed by opportunityId, one by no key), some keyed by
        // externalOpportunityId, one with a formula-like name: the export has a key column per name.
        const input = join(dir, "in.ndjson")
        writeFileSync(
          input,
          [
            {
              name: "=1+1",
              stage: "Round",
              amount: 10.5,
              externalKey: { name: "externalOpportunityId", value: "RT-1" }
            },
            {
              name: "-5 off",
              isWon: true,
              closeDate: "2026-03-31",
              externalKey: { name: "externalOpportunityId", value: "RT-2" }
            }
          ].map((o) => JSON.stringify(o)).join("\n")
        )
        const seeded = yield* mktows(["sync", input, "--type", "Opportunity", "--operation", "INSERT"], soap)
        expect(seeded.code, seeded.stderr).toBe(0)
        const roundTrip = (
          env: Record<string, string>,
          type: string,
          operation: string,
          get: ReadonlyArray<string>,
          name: string
        ) =>
          Effect.gen(function*() {
            const out = join(dir, `${name}.csv`)
            const before = yield* count(type)
            const got = yield* mktows(["get", "--type", type, ...get, "--out", out], env)
            expect(got.code, got.stderr).toBe(0)
            const report = join(dir, `${name}-report.ndjson`)
            const synced = yield* mktows(
              ["sync", out, "--type", type, "--operation", operation, "--report", report],
              env
            )
            expect(synced.code, synced.stderr).toBe(0)
            // Said once, as a note, not as a problem of a row.
            expect(synced.stderr.match(/mktows: note: \d+ column\(s\) of fields Marketo writes itself/g)).toHaveLength(
              1
            )
            const statuses = readNdjson(report).map((row) => row["status"])
            expect(statuses.length).toBeGreaterThan(0)
            expect(statuses.filter((status) => status !== "UPDATED" && status !== "UNCHANGED")).toEqual([])
            expect(yield* count(type)).toBe(before)
            return readFileSync(out, "utf8").split("\n")[0] ?? ""
          })
        const header = yield* roundTrip(soap, "Opportunity", "UPSERT", [], "soap-opportunities")
        expect(header.split(",")).toEqual(
          expect.arrayContaining([
            "createdAt",
            "updatedAt",
            "externalKey.opportunityId",
            "externalKey.externalOpportunityId"
          ])
        )
        // A Program's tokens and attributes are Marketo's too.
        expect(yield* roundTrip(soap, "Program", "UPDATE", ["--include-details"], "soap-programs")).toContain(
          "attributes.Name"
        )
        yield* roundTrip(soap, "OpportunityPersonRole", "UPSERT", [], "soap-roles")
        // REST reads an Opportunity by its key, and has no ids: the export has none.
        yield* roundTrip(rest, "Opportunity", "UPSERT", ["--criteria", "externalOpportunityId=RT-2"], "rest")
        // The README's exception: REST keys an exported role by marketoGUID, which it takes for
        // UPDATE only. The export syncs back with UPDATE; UPSERT refuses every row, sending nothing.
        const role = join(dir, "role.csv")
        writeFileSync(role, "opportunity.externalKey.externalOpportunityId,personId,role\nRT-1,19,Buyer\n")
        const made = yield* mktows(["sync", role, "--type", "OpportunityPersonRole", "--operation", "UPSERT"], rest)
        expect(made.code, made.stderr).toBe(0)
        const roles = ["--criteria", "externalOpportunityId=RT-1"]
        yield* roundTrip(rest, "OpportunityPersonRole", "UPDATE", roles, "rest-roles")
        expect(readFileSync(join(dir, "rest-roles.csv"), "utf8").split("\n")[0]).toContain("externalKey.marketoGUID")
        const upsert = yield* mktows(
          ["sync", join(dir, "rest-roles.csv"), "--type", "OpportunityPersonRole", "--operation", "UPSERT"],
          rest
        )
        expect(upsert.code).toBe(2)
        expect(upsert.stderr).toContain(
          "marketoGUID names an existing record: REST accepts it for UPDATE only, not UPSERT"
        )
        // REST can only add costs and keeps the channel apart: Programs exported and synced back
        // change nothing (no cost added twice, the channel's tag left out), and export the same.
        yield* roundTrip(rest, "Program", "UPDATE", [], "rest-programs")
        const again = join(dir, "rest-programs-again.csv")
        expect((yield* mktows(["get", "--type", "Program", "--out", again], rest)).code).toBe(0)
        expect(readFileSync(again, "utf8")).toBe(readFileSync(join(dir, "rest-programs.csv"), "utf8"))

        // An export of nothing is its header, read back as zero rows, over either transport.
        const lost = join(dir, "lost.csv")
        const none = yield* mktows(["get", "--type", "Opportunity", "--criteria", "Stage=Nowhere", "--out", lost], soap)
        expect(none.code, none.stderr).toBe(0)
        expect(readFileSync(lost, "utf8")).toMatch(/^id,amount,closeDate,.*,createdAt,updatedAt\n$/)
        const zero = yield* mktows(["sync", lost, "--type", "Opportunity", "--operation", "UPSERT"], rest)
        expect([zero.code, zero.stdout]).toEqual([0, expect.stringMatching(/^total\s+0$/m)])
        const deleted = yield* mktows(["delete", lost, "--type", "Opportunity"], soap)
        expect([deleted.code, deleted.stdout]).toEqual([0, expect.stringMatching(/^total\s+0$/m)])
        // A file of 0 bytes runs too, and says it is empty.
        const empty = join(dir, "empty.csv")
        writeFileSync(empty, "")
        for (const args of [["sync", empty, "--type", "Opportunity", "--operation", "UPSERT"], ["delete", empty]]) {
          const run = yield* mktows(args, soap)
          expect(run.code, run.stderr).toBe(0)
          expect(run.stderr).toContain(`mktows: note: ${empty} is empty (0 bytes): no rows, so nothing is sent`)
        }
      }),
    slow
  )

  it.effect(
    "an NDJSON export of Programs with details syncs back: tokens and attributes read and not sent, with a note",
    () =>
      Effect.gen(function*() {
        const env = envFor(yield* SharedEmulator)
        const dir = scratch()
        const out = join(dir, "programs.ndjson")
        const got = yield* mktows(["get", "--type", "Program", "--include-details", "--out", out], env)
        expect(got.code, got.stderr).toBe(0)
        const exported = readNdjson(out)
        // The seed's Programs: Marketo writes their attributes, and one has a token.
        expect(exported.some((program) => Object.keys(program["attributes"] ?? {}).length > 0)).toBe(true)
        expect(exported.some((program) => (program["tokens"] as ReadonlyArray<unknown>).length > 0)).toBe(true)
        const report = join(dir, "report.ndjson")
        const synced = yield* mktows(
          ["sync", out, "--type", "Program", "--operation", "UPDATE", "--report", report],
          env
        )
        expect(synced.code, synced.stderr).toBe(0)
        // Said once, as a note, not as a problem of a row.
        expect(synced.stderr.match(/mktows: note: fields Marketo writes itself, read and not sent/g)).toEqual([
          "mktows: note: fields Marketo writes itself, read and not sent"
        ])
        expect(synced.stderr).toContain("'createdAt', 'updatedAt', 'tokens', 'attributes'")
        const statuses = readNdjson(report).map((row) => row["status"])
        expect(statuses.length).toBe(exported.length)
        expect(statuses.filter((status) => status !== "UPDATED" && status !== "UNCHANGED")).toEqual([])
      }),
    slow
  )

  it.effect(
    "a .json file is refused, read or written, and so is any other extension, naming .csv, .ndjson and .jsonl",
    () =>
      Effect.gen(function*() {
        const dir = scratch()
        const array = join(dir, "arr.json")
        writeFileSync(
          array,
          JSON.stringify([{ name: "Deal", externalKey: { name: "externalOpportunityId", value: "J-1" } }])
        )
        const csv = join(dir, "in.csv")
        writeFileSync(csv, "name\nDeal\n")
        const text = join(dir, "in.txt")
        writeFileSync(text, "name\nDeal\n")
        const json =
          "a .json file is one JSON document to other programs, and mktows reads and writes one JSON object per line (NDJSON): name the file .ndjson or .jsonl (or use .csv)"
        const out = join(dir, "o.json")
        const report = join(dir, "r.json")
        for (
          const [args, expected] of [
            [["get", "--type", "Opportunity", "--out", out], `--out ${out}: ${json}`],
            [["sync", array, "--type", "Opportunity", "--operation", "UPSERT"], `FILE ${array}: ${json}`],
            [
              ["sync", csv, "--type", "Opportunity", "--operation", "UPSERT", "--report", report],
              `--report ${report}: ${json}`
            ],
            [["delete", array, "--type", "Opportunity"], `FILE ${array}: ${json}`],
            [["map", array, "--type", "Opportunity"], `FILE ${array}: ${json}`],
            [
              ["sync", text, "--type", "Opportunity", "--operation", "UPSERT"],
              `FILE ${text}: expected a .csv, .ndjson or .jsonl file (NDJSON: one JSON object per line)`
            ]
          ] as const
        ) {
          const run = yield* mktows(args)
          expect([run.code, run.stderr.trim()]).toEqual([2, `mktows: ${expected}`])
        }
        expect([existsSync(out), existsSync(report)]).toEqual([false, false])
      }),
    slow
  )

  it.effect(
    "map reads a semicolon-separated header with --delimiter ';', and without it says why it cannot",
    () =>
      Effect.gen(function*() {
        const file = join(scratch(), "semi.csv")
        writeFileSync(file, "Opportunity ID;\"Opportunity Name\";Amount\n006A;Deal;10\n")
        const refused = yield* mktows(["map", file, "--type", "Opportunity"])
        expect(refused.code).toBe(2)
        expect(refused.stderr).toContain("semi.csv:1: the header has no comma but a semicolon")
        expect(refused.stderr).not.toContain("a quote inside an unquoted field")
        const proposed = yield* mktows(["map", file, "--type", "Opportunity", "--delimiter", ";"])
        expect(proposed.code, proposed.stderr).toBe(0)
        expect(JSON.parse(proposed.stdout)).toEqual({
          "Opportunity ID": "externalKey.externalOpportunityId",
          "Opportunity Name": "name",
          "Amount": "amount"
        })
      }),
    slow
  )
})
