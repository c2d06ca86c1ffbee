/**
 * `mktows sync` end to end: the command as a process against the emulator as a process.
 * Every assertion is an invariant of the output (exit code, one report row per input line,
 * what the emulator's store holds), never a timing.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import type * as MObject from "@mktows/core/MObject"
import * as NodeMarketo from "@mktows/node/NodeMarketo"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { demoCredentials, type RunningEmulator, spawnEmulator } from "../../emulator/test/helpers/spawnEmulator.js"
import { envFor, mktows, readNdjson, restEnvFor, scratch } from "./helpers/mktows.js"
import { salesforceExport } from "./helpers/salesforce.js"

const stats = (origin: string) =>
  Effect.promise(() => fetch(`${origin}/emulator/stats`).then((r) => r.json())) as Effect.Effect<{
    readonly calls: Record<string, number>
    readonly stored: Record<string, number>
  }>

/** Every Opportunity in the emulator's store, read through the library. */
const storedOpportunities = (endpoint: string) =>
  MarketoClient.getMObjects({ type: "Opportunity" }).pipe(
    Stream.runCollect,
    Effect.map((all) => Chunk.toReadonlyArray(all) as ReadonlyArray<MObject.MObject>),
    Effect.provide(
      NodeMarketo.layer({ endpoint, userId: demoCredentials.userId, encryptionKey: demoCredentials.encryptionKey })
    ),
    Effect.orDie,
    // The test's own clock is a TestClock; the client's limiter and timeouts need the real one.
    Effect.withClock(Clock.make())
  )

const opportunityLine = (i: number) =>
  JSON.stringify({
    name: `Deal ${i}`,
    amount: 1000 + i,
    closeDate: "2026-06-30",
    externalKey: { name: "externalId", value: `ROW-${i}` }
  })

/** One emulator process shared by the tests that need no special flags (each uses keys of its own). */
class SharedEmulator extends Context.Tag("test/SharedEmulator")<SharedEmulator, RunningEmulator>() {}

const syncCalls = (origin: string) => Effect.map(stats(origin), (s) => s.calls["syncMObjects"] ?? 0)

// Spawning processes on a loaded CI machine is slow; nothing here measures time.
const slow = 240_000

layer(Layer.scoped(SharedEmulator, spawnEmulator()), { timeout: slow })("mktows sync", (it) => {
  it.scoped(
    "reads CSV edge cases: quotes, commas and line breaks in fields, a BOM, CRLF, an empty line",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const dir = scratch()
        const file = join(dir, "opportunities.csv")
        const csv = "\uFEFFname,amount,isWon,closeDate,externalKey.externalId,customFields.Region\r\n" +
          "\"Quoted, with \"\"quotes\"\"\",12.5,true,2026-01-31,CSV-1,EMEA\r\n" +
          "\r\n" +
          "\"Two\r\nlines\",7,0,2026-02-28,CSV-2,\r\n" +
          "Plain ünïcode ✓,3,,,CSV-3,APAC"
        writeFileSync(file, csv)
        const report = join(dir, "report.ndjson")
        const result = yield* mktows(
          ["sync", file, "--type", "Opportunity", "--operation", "INSERT", "--report", report],
          { env: envFor(emulator) }
        )
        expect(result.code, result.stderr + result.stdout).toBe(0)
        const rows = readNdjson(report)
        // Line numbers are where each record starts: the empty line 3 is skipped, line 4's record spans 4-5.
        expect(rows.map((row) => [row["line"], row["status"]])).toEqual([[2, "CREATED"], [4, "CREATED"], [
          6,
          "CREATED"
        ]])
        const stored = yield* storedOpportunities(emulator.endpoint)
        const byKey = new Map(
          stored.flatMap((o) => (o._tag === "Opportunity" && o.externalKey ? [[o.externalKey.value, o] as const] : []))
        )
        const first = byKey.get("CSV-1")
        expect(first?._tag === "Opportunity" && [first.name, first.amount, first.isWon, first.customFields]).toEqual([
          "Quoted, with \"quotes\"",
          12.5,
          true,
          { Region: "EMEA" }
        ])
        const second = byKey.get("CSV-2")
        expect(second?._tag === "Opportunity" && [second.name, second.isWon]).toEqual(["Two\r\nlines", false])
        const third = byKey.get("CSV-3")
        expect(third?._tag === "Opportunity" && third.name).toBe("Plain ünïcode ✓")
      }),
    slow
  )

  it.scoped("refuses text that is not UTF-8, naming the line, and sends nothing", () =>
    Effect.gen(function*() {
      const emulator = yield* SharedEmulator
      const file = join(scratch(), "latin1.csv")
      writeFileSync(
        file,
        Buffer.concat([
          Buffer.from("name,externalKey.externalId\nok,A\n"),
          Buffer.from([0x43, 0x61, 0x66, 0xe9]),
          Buffer.from(",B\n")
        ])
      )
      const before = yield* syncCalls(emulator.origin)
      const result = yield* mktows(["sync", file, "--type", "Opportunity", "--operation", "INSERT"], {
        env: envFor(emulator)
      })
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/latin1\.csv:3: not UTF-8/)
      expect(yield* syncCalls(emulator.origin)).toBe(before)
    }), slow)

  it.scoped("--dry-run lists every problem with line and field, sends nothing, exits 2", () =>
    Effect.gen(function*() {
      const emulator = yield* SharedEmulator
      const file = join(scratch(), "rows.ndjson")
      writeFileSync(
        file,
        [
          opportunityLine(1),
          JSON.stringify({ name: "bad amount", amount: "lots", externalKey: { name: "externalId", value: "X" } }),
          "{ not json",
          opportunityLine(4),
          JSON.stringify({ probability: 140, ammount: 5 })
        ].join("\n")
      )
      const before = yield* syncCalls(emulator.origin)
      const result = yield* mktows(["sync", file, "--type", "Opportunity", "--operation", "UPDATE", "--dry-run"], {
        env: envFor(emulator)
      })
      expect(result.code).toBe(2)
      expect(result.stdout).toMatch(/^record 2 \(line 2\): amount: expected a finite number/m)
      expect(result.stdout).toMatch(/^record 3 \(line 3\): not JSON/m)
      expect(result.stdout).toMatch(/^record 5 \(line 5\): probability: expected an integer from 0 to 100/m)
      expect(result.stdout).toMatch(/^record 5 \(line 5\): ammount: unknown field/m)
      expect(result.stdout).toMatch(/^record 5 \(line 5\): id: expected an id or an externalKey/m)
      expect(result.stdout).not.toMatch(/^record [14] /m)
      expect(result.stdout).toMatch(/5 row\(s\) checked, 3 invalid/)
      expect(yield* syncCalls(emulator.origin)).toBe(before)
    }), slow)

  it.scoped(
    "invalid rows stop the job before anything is sent; --skip-invalid sends the rest and reports them",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const dir = scratch()
        const file = join(dir, "rows.csv")
        writeFileSync(file, "name,amount,externalKey.externalId\nGood 1,10,G-1\nBad,ten,G-2\nGood 3,30,G-3\n")
        const args = ["sync", file, "--type", "Opportunity", "--operation", "INSERT"]
        const before = yield* syncCalls(emulator.origin)
        const refused = yield* mktows(args, { env: envFor(emulator) })
        expect(refused.code).toBe(2)
        expect(refused.stderr).toMatch(/record 2 \(line 3\): amount: 'ten' is not a number/)
        expect(refused.stderr).toMatch(/1 of 3 row\(s\) are invalid; nothing was sent/)
        expect(yield* syncCalls(emulator.origin)).toBe(before)

        const report = join(dir, "report.csv")
        const skipped = yield* mktows([...args, "--skip-invalid", "--report", report], { env: envFor(emulator) })
        expect(skipped.code).toBe(1)
        const lines = (yield* Effect.promise(() =>
          import("node:fs/promises").then((fs) => fs.readFile(report, "utf8"))
        ))
          .trim().split("\n")
        expect(lines[0]).toBe("line,status,id,externalKey,error")
        expect(lines.slice(1).map((line) => line.split(",").slice(0, 2).join(","))).toEqual([
          "2,CREATED",
          "3,INVALID",
          "4,CREATED"
        ])
        expect(lines[2]).toMatch(/amount: 'ten' is not a number/)
      }),
    slow
  )

  it.scoped(
    "UPSERT of a row with an unknown id among rows by external key: every row CREATED, none IN_DOUBT",
    () =>
      Effect.gen(function*() {
        // The case: three rows, the second with an id that names no stored object.
        const emulator = yield* SharedEmulator
        const dir = scratch()
        const file = join(dir, "upsert.ndjson")
        const keyed = (i: number) =>
          JSON.stringify({ name: `Upsert ${i}`, externalKey: { name: "externalId", value: `UPSERT-${i}` } })
        writeFileSync(file, [keyed(1), JSON.stringify({ id: 999_999, name: "Unknown id" }), keyed(3)].join("\n") + "\n")
        const report = join(dir, "report.ndjson")
        const before = (yield* stats(emulator.origin)).stored["Opportunity"] ?? 0
        const result = yield* mktows(
          ["sync", file, "--type", "Opportunity", "--operation", "UPSERT", "--report", report],
          { env: envFor(emulator) }
        )
        expect(result.code, result.stderr + result.stdout).toBe(0)
        const rows = readNdjson(report)
        expect(rows.map((row) => [row["line"], row["status"]])).toEqual([[1, "CREATED"], [2, "CREATED"], [
          3,
          "CREATED"
        ]])
        expect(rows[1]?.["id"]).not.toBe(999_999)
        expect(String(rows[1]?.["error"])).toContain(`Marketo created this object under the new id ${rows[1]?.["id"]}`)
        expect((yield* stats(emulator.origin)).stored["Opportunity"]).toBe(before + 3)
      }),
    slow
  )

  it.scoped(
    "a larger NDJSON file: one report row per line, every object stored once, memory bounded",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const dir = scratch()
        const file = join(dir, "rows.ndjson")
        const count = 5_000
        writeFileSync(file, Array.from({ length: count }, (_, i) => opportunityLine(i + 1)).join("\n") + "\n")
        const report = join(dir, "report.ndjson")
        const before = (yield* stats(emulator.origin)).stored["Opportunity"] ?? 0
        // A small heap: a job that kept every row would run out of it long before the end.
        const result = yield* mktows(
          ["sync", file, "--type", "Opportunity", "--operation", "INSERT", "--report", report],
          { env: envFor(emulator), nodeArgs: ["--max-old-space-size=64"] }
        )
        expect(result.code, result.stderr + result.stdout).toBe(0)
        const rows = readNdjson(report)
        expect(rows.map((row) => row["line"])).toEqual(Array.from({ length: count }, (_, i) => i + 1))
        expect(new Set(rows.map((row) => row["status"]))).toEqual(new Set(["CREATED"]))
        expect((yield* stats(emulator.origin)).stored["Opportunity"]).toBe(before + count)
        expect(result.peakRss).toBeLessThan(256 * 1024 * 1024)
        expect(result.stdout).toMatch(/CREATED\s+5,000/)
      }),
    slow
  )

  it.scoped(
    "a generated Salesforce export, end to end: map, dry run, sync; a bad mapping FAILS and --retry-failed recovers",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const dir = scratch()
        const file = join(dir, "export.csv")
        const rows = 150
        const generated = salesforceExport(7, rows)
        writeFileSync(file, generated.text)
        const proposed = yield* mktows(["map", file, "--type", "Opportunity"])
        expect(proposed.code, proposed.stderr).toBe(0)
        const mapFile = join(dir, "mapping.json")
        writeFileSync(mapFile, proposed.stdout)
        expect(JSON.parse(proposed.stdout)["Close Date"]).toBe("closeDate")
        const base = ["sync", file, "--type", "Opportunity", "--operation", "UPSERT", "--map-file", mapFile]
        const dry = yield* mktows([...base, "--date-format", "MDY", "--dry-run"], { env: envFor(emulator) })
        expect(dry.code, dry.stdout).toBe(0)
        expect(dry.stdout).toContain(`${rows} row(s) checked, 0 invalid`)
        // The emulator holds none of the accounts: every row FAILS, and the job stops early.
        const report = join(dir, "report.ndjson")
        const journal = join(dir, "export.journal")
        const run = [...base, "--date-format", "MDY", "--report", report, "--journal", journal, "--max-failures", "20"]
        const before = yield* syncCalls(emulator.origin)
        const failed = yield* mktows([...run, "--chunk-size", "10", "--concurrency", "1"], { env: envFor(emulator) })
        expect(failed.code).toBe(1)
        expect(failed.stderr).toMatch(/20 row\(s\) FAILED, the limit of --max-failures 20/)
        expect(failed.stderr).toContain("--retry-failed")
        expect((yield* syncCalls(emulator.origin)) - before).toBeLessThan(rows / 10)
        // The fix is in the mapping: leave the account out, and send the FAILED rows again.
        const retried = yield* mktows([...run, "--map", "Account ID=", "--retry-failed"], { env: envFor(emulator) })
        expect(retried.code, retried.stderr).toBe(0)
        const outcomes = readNdjson(report)
        expect(outcomes.length).toBe(rows)
        expect(new Set(outcomes.map((row) => row["status"]))).toEqual(new Set(["CREATED"]))
        const stored = yield* storedOpportunities(emulator.endpoint)
        const ours = stored.filter((o) =>
          o._tag === "Opportunity" && o.externalKey?.value.startsWith("006") && o.externalKey.value.endsWith("AAA")
        )
        expect(ours.length).toBe(rows)
        const byKey = new Map(ours.map((o) => [o._tag === "Opportunity" ? o.externalKey?.value : "", o]))
        for (const e of generated.expected) {
          const o = byKey.get(e.id)
          expect(o?._tag === "Opportunity" && [o.amount, o.closeDate?.toISOString().slice(0, 10), o.isWon]).toEqual([
            e.amount,
            e.closeDate,
            e.isWon
          ])
        }
      }),
    slow
  )

  it.scoped(
    "a journal is refused against another Marketo or over another transport: nothing sent, exit 2; a new journal starts afresh",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        // A fresh instance, as another Marketo.
        const other = yield* spawnEmulator()
        const dir = scratch()
        const file = join(dir, "bom.csv")
        writeFileSync(
          file,
          "externalKey.externalOpportunityId,name,amount\nDEST-1,One,10\nDEST-2,Two,20\nDEST-3,Three,30\n"
        )
        const journal = join(dir, "j")
        const args = ["sync", file, "--type", "Opportunity", "--operation", "UPSERT", "--journal", journal]
        const first = yield* mktows(args, { env: envFor(emulator) })
        expect(first.code, first.stderr).toBe(0)
        expect(first.stdout).toMatch(/^CREATED\s+3/m)

        const elsewhere = yield* mktows(args, { env: envFor(other) })
        expect(elsewhere.code).toBe(2)
        expect(elsewhere.stderr).toContain(
          `it belongs to a job sent to SOAP ${emulator.endpoint} (user id ${demoCredentials.userId}), and this run goes to SOAP ${other.endpoint}`
        )
        expect(elsewhere.stderr).toContain("a new --journal path (or remove this journal)")
        expect(elsewhere.stdout).not.toContain("settled without a call")
        expect(yield* syncCalls(other.origin)).toBe(0)

        // The same instance over REST is another transport: its ids and keys are not SOAP's.
        const before = yield* syncCalls(emulator.origin)
        const overRest = yield* mktows(args, { env: restEnvFor(emulator) })
        expect(overRest.code).toBe(2)
        expect(overRest.stderr).toContain(
          `this run goes to REST ${emulator.origin}/rest (client id mktows-demo-client)`
        )
        expect(yield* syncCalls(emulator.origin)).toBe(before)

        // A new journal path is a fresh job there.
        const fresh = yield* mktows(
          ["sync", file, "--type", "Opportunity", "--operation", "UPSERT", "--journal", join(dir, "j2")],
          { env: envFor(other) }
        )
        expect(fresh.code, fresh.stderr).toBe(0)
        expect(fresh.stdout).toMatch(/^CREATED\s+3/m)
        const keys = (yield* storedOpportunities(other.endpoint)).flatMap((o) =>
          o._tag === "Opportunity" && o.externalKey?.value.startsWith("DEST-") === true ? [o.externalKey.value] : []
        )
        expect(keys.sort()).toEqual(["DEST-1", "DEST-2", "DEST-3"])
      }),
    slow
  )

  it.scoped(
    "a get journal is refused against another Marketo or over another transport: nothing read or written, exit 2",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const other = yield* spawnEmulator()
        const dir = scratch()
        const out = join(dir, "out.ndjson")
        const journal = join(dir, "get.journal")
        const args = ["get", "--type", "Opportunity", "--out", out, "--journal", journal]
        const first = yield* mktows(args, { env: envFor(emulator) })
        expect(first.code, first.stderr).toBe(0)
        const kept = [readFileSync(out, "utf8"), readFileSync(journal, "utf8")]
        const getCalls = (origin: string) => Effect.map(stats(origin), (s) => s.calls["getMObjects"] ?? 0)

        const elsewhere = yield* mktows(args, { env: envFor(other) })
        expect(elsewhere.code).toBe(2)
        expect(elsewhere.stderr).toContain(
          `it belongs to a job sent to SOAP ${emulator.endpoint} (user id ${demoCredentials.userId}), and this run goes to SOAP ${other.endpoint}`
        )
        expect(elsewhere.stderr).toContain("a new --journal path (or remove this journal)")
        expect(elsewhere.stderr).not.toContain("this export is complete")
        expect(yield* getCalls(other.origin)).toBe(0)

        const before = yield* getCalls(emulator.origin)
        const overRest = yield* mktows(args, { env: restEnvFor(emulator) })
        expect(overRest.code).toBe(2)
        expect(overRest.stderr).toContain(
          `this run goes to REST ${emulator.origin}/rest (client id mktows-demo-client)`
        )
        expect(yield* getCalls(emulator.origin)).toBe(before)
        expect([readFileSync(out, "utf8"), readFileSync(journal, "utf8")]).toEqual(kept)

        // Where it went, it is the complete export it was.
        const again = yield* mktows(args, { env: envFor(emulator) })
        expect(again.code, again.stderr).toBe(0)
        expect(again.stderr).toContain("this export is complete")
      }),
    slow
  )

  it.scoped(
    "a semicolon-separated file: refused with the default comma before anything is sent; read with --delimiter ';' or tab",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const env = { env: envFor(emulator) }
        const dir = scratch()
        const semi = join(dir, "semi.csv")
        writeFileSync(
          semi,
          "externalKey.externalOpportunityId;name;amount\r\nSEMI-1;\"Semi; \"\"one\"\"\";10\r\nSEMI-2;Two, with a comma;20\r\n"
        )
        const sync = ["sync", semi, "--type", "Opportunity", "--operation", "UPSERT"]
        const before = yield* syncCalls(emulator.origin)
        for (const extra of [["--dry-run"], []]) {
          const refused = yield* mktows([...sync, ...extra], env)
          expect(refused.code).toBe(2)
          expect(refused.stderr).toContain(
            "semi.csv:1: the header has no comma but a semicolon (is the file separated by semicolons, as Excel writes CSV in much of Europe?): pass --delimiter ';'"
          )
        }
        expect(yield* syncCalls(emulator.origin)).toBe(before)

        const read = yield* mktows([...sync, "--delimiter", ";"], env)
        expect(read.code, read.stderr).toBe(0)
        expect(read.stdout).toMatch(/^(CREATED|UPDATED)\s+2/m)
        const tabbed = join(dir, "tabbed.csv")
        writeFileSync(tabbed, "externalKey.externalOpportunityId\tname\tamount\nSEMI-3\tThree\t30\n")
        const tabRefused = yield* mktows(["sync", tabbed, "--type", "Opportunity", "--operation", "UPSERT"], env)
        expect(tabRefused.code).toBe(2)
        expect(tabRefused.stderr).toContain("the header has no comma but a tab")
        for (const tab of ["tab", "\\t"]) {
          const byTab = yield* mktows(
            ["sync", tabbed, "--type", "Opportunity", "--operation", "UPSERT", "--delimiter", tab],
            env
          )
          expect(byTab.code, byTab.stderr).toBe(0)
        }
        const stored = new Map(
          (yield* storedOpportunities(emulator.endpoint)).flatMap((o) =>
            o._tag === "Opportunity" && o.externalKey?.value.startsWith("SEMI-") === true
              ? [[o.externalKey.value, [o.name, o.amount]] as const]
              : []
          )
        )
        expect(Object.fromEntries(stored)).toEqual({
          "SEMI-1": ["Semi; \"one\"", 10],
          "SEMI-2": ["Two, with a comma", 20],
          "SEMI-3": ["Three", 30]
        })
        const unknown = yield* mktows([...sync, "--delimiter", "|"], env)
        expect(unknown.code).toBe(2)
        expect(unknown.stderr).toContain(`--delimiter "|": expected , or ; or a tab (\\t or tab)`)
      }),
    slow
  )

  it.scoped(
    "a mapping under which no column maps to a field is refused before anything is sent; a row of no field is INVALID",
    () =>
      Effect.gen(function*() {
        const emulator = yield* SharedEmulator
        const env = { env: envFor(emulator) }
        const dir = scratch()
        const exported = join(dir, "export.csv")
        writeFileSync(
          exported,
          "Deal,Key,createdAt,updatedAt\nNone 1,NOMAP-1,2026-01-01,2026-01-02\n,,2026-01-01,2026-01-02\nNone 3,NOMAP-3,,\n"
        )
        const sync = ["sync", exported, "--type", "Opportunity", "--operation", "UPSERT"]
        const before = yield* syncCalls(emulator.origin)
        const nothing = yield* mktows([...sync, "--map", "createdAt=", "--map", "updatedAt="], env)
        expect(nothing.code).toBe(2)
        expect(nothing.stderr).toContain("export.csv:1: the header: no column maps to a field of Opportunity")
        expect(yield* syncCalls(emulator.origin)).toBe(before)

        // Row 2's mapped cells are all empty: it is no object, so it is not sent.
        const mapped = [...sync, "--map", "Deal=name", "--map", "Key=externalKey.externalOpportunityId"]
        const stopped = yield* mktows(mapped, env)
        expect(stopped.code).toBe(2)
        expect(stopped.stderr).toContain("record 2 (line 3): no field: its cells of 'Deal', 'Key' are empty")
        expect(yield* syncCalls(emulator.origin)).toBe(before)
        const report = join(dir, "report.ndjson")
        const skipped = yield* mktows([...mapped, "--skip-invalid", "--report", report], env)
        expect(skipped.code, skipped.stderr).toBe(1)
        expect(readNdjson(report).map((row) => [row["line"], row["status"]])).toEqual([
          [2, "CREATED"],
          [3, "INVALID"],
          [4, "CREATED"]
        ])
      }),
    slow
  )
})

describe("mktows sync under injected faults", () => {
  it.scoped(
    "with --fault-rate 0.1 every row ends with exactly one outcome, and nothing is stored twice",
    () =>
      Effect.gen(function*() {
        const emulator = yield* spawnEmulator(["--fault-rate", "0.1"])
        const dir = scratch()
        const file = join(dir, "rows.ndjson")
        const count = 1_000
        writeFileSync(file, Array.from({ length: count }, (_, i) => opportunityLine(i + 1)).join("\n"))
        const report = join(dir, "report.ndjson")
        const result = yield* mktows(
          ["sync", file, "--type", "Opportunity", "--operation", "INSERT", "--report", report, "--chunk-size", "20"],
          { env: envFor(emulator) }
        )
        expect([0, 1]).toContain(result.code)
        const rows = readNdjson(report)
        expect(rows.map((row) => row["line"])).toEqual(Array.from({ length: count }, (_, i) => i + 1))
        for (const row of rows) expect(["CREATED", "FAILED", "IN_DOUBT"]).toContain(row["status"])
        expect(result.code).toBe(rows.some((row) => row["status"] !== "CREATED") ? 1 : 0)
        const keys = (yield* storedOpportunities(emulator.endpoint)).flatMap((o) =>
          o._tag === "Opportunity" && o.externalKey?.value.startsWith("ROW-") ? [o.externalKey.value] : []
        )
        expect(new Set(keys).size).toBe(keys.length)
        // Every CREATED row is in the store.
        const created = rows.filter((row) => row["status"] === "CREATED").length
        expect(keys.length).toBeGreaterThanOrEqual(created)
      }),
    slow
  )
})
