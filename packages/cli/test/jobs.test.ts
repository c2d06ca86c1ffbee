/**
 * `mktows sync` in-process against the emulator's in-memory kit: the contracts the
 * kill-and-resume trials cannot see. Invalid means never sent, whatever makes a row invalid,
 * with or without --skip-invalid; a send applied and then lost before the journal records
 * it is reconciled, never sent again; --max-failures stops and says how to continue;
 * --retry-failed sends the FAILED rows again and nothing that succeeded; a stop after rows
 * went out (a full disk, Ctrl-C) says how many and what to run.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { type PlatformError, SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoError from "@mktows/core/MarketoError"
import type * as MObject from "@mktows/core/MObject"
import * as Opportunity from "@mktows/core/Opportunity"
import type * as Wire from "@mktows/core/Wire"
import * as Testing from "@mktows/emulator/Testing"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Columns from "../src/internal/columns.js"
import * as Csv from "../src/internal/csv.js"
import * as Delete from "../src/internal/delete.js"
import * as Job from "../src/internal/job.js"
import * as Journal from "../src/internal/journal.js"
import * as Reads from "../src/internal/read.js"
import * as Sync from "../src/internal/sync.js"
import * as Values from "../src/internal/values.js"
import * as MktowsCli from "../src/MktowsCli.js"
import { readNdjson, scratch } from "./helpers/mktows.js"

/** A fresh emulator store per test, and the real file system. */
const env = Layer.merge(Testing.layerClient(), NodeFileSystem.layer)

/** What the command printed, kept in `out` instead of shown. */
const recording = () => {
  const out: Array<string> = []
  const keep = (...args: ReadonlyArray<unknown>) => Effect.sync(() => void out.push(args.map(String).join(" ")))
  const record = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Console.consoleWith((base) =>
      Effect.withConsole(effect, { ...base, log: keep, error: keep, info: keep, warn: keep })
    )
  return { out, record }
}

/** Where the in-memory emulator's jobs go, as a journal records it. */
const testDestination: Journal.Destination = { transport: "soap", endpoint: "memory://emulator/soap", user: "test" }

const optionsFor = (dir: string, file: string, over: Partial<Sync.Options> = {}): Sync.Options => ({
  file,
  format: file.endsWith(".csv") ? "csv" : "ndjson",
  type: "Opportunity",
  operation: "INSERT",
  report: Option.some({ file: join(dir, "report.ndjson"), format: "ndjson" }),
  journal: Option.none(),
  skipInvalid: false,
  dryRun: false,
  chunkSize: 2,
  concurrency: 1,
  rateWindow: { calls: 100, millis: 20_000 },
  tty: false,
  maxFailures: 100,
  retryFailed: false,
  reportColumns: "standard",
  command: `mktows sync ${file} --type Opportunity --operation INSERT`,
  mapping: undefined,
  values: Values.defaults,
  transport: "soap",
  destination: testDestination,
  ...over
})

/**
 * The real file system, with the writes to `journal` made by `write`: each one's number (from 1,
 * the header), its bytes, and the real write.
 */
const journalWrites = (
  journal: string,
  write: (
    n: number,
    bytes: Uint8Array,
    real: (bytes: Uint8Array) => Effect.Effect<void, PlatformError>
  ) => Effect.Effect<void, PlatformError>
) => {
  let writes = 0
  return Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => ({
      ...fs,
      open: (path, options) =>
        Effect.map(fs.open(path, options), (handle) =>
          path !== journal ? handle : new Proxy(handle, {
            get: (target, property) => {
              if (property === "writeAll") {
                return (bytes: Uint8Array) => write(++writes, bytes, (b) => target.writeAll(b))
              }
              const value: unknown = Reflect.get(target, property, target)
              return typeof value === "function" ? value.bind(target) : value
            }
          }))
    }))
  ).pipe(Layer.provide(NodeFileSystem.layer))
}

/** Every object the syncMObjects calls carried, by external key value. */
const sentKeys = Effect.map(
  Effect.flatMap(Testing.TestMarketo, (kit) => kit.calls),
  (calls) =>
    calls.flatMap((call) =>
      call.operation === "syncMObjects"
        ? (call.params as Wire.ParamsOf<"syncMObjects">).mObjectList.map((o) => o.externalKey?.value ?? "")
        : []
    )
)

const storedKeys = (prefix: string) =>
  MarketoClient.getMObjects({ type: "Opportunity" }).pipe(
    Stream.runCollect,
    Effect.orDie,
    Effect.map((all) =>
      Chunk.toReadonlyArray(all).flatMap((o) =>
        o._tag === "Opportunity" && o.externalKey?.value.startsWith(prefix) ? [o.externalKey.value] : []
      )
    )
  )

const line = (key: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: `Deal ${key}`, amount: 10, externalKey: { name: "externalId", value: key }, ...extra })

/** Runs a sync; its exit code, or the Stop it ended with, and what it printed. */
const sync = (options: Sync.Options) => {
  const { out, record } = recording()
  return Effect.map(
    Effect.either(record(options.dryRun ? Sync.dryRun(options) : Sync.run(options))),
    (result) => ({ result, out: out.join("\n") })
  )
}

/** Every kind of invalid row, as a file of three valid rows around it. */
const invalidKinds: ReadonlyArray<{
  readonly kind: string
  readonly file: (prefix: string) => { readonly name: string; readonly text: string }
  readonly transport?: "rest"
  readonly problem: RegExp
}> = [
  {
    kind: "an NDJSON row whose _tag names another type",
    file: (p) => ({
      name: "rows.ndjson",
      text: [
        line(`${p}1`),
        JSON.stringify({ _tag: "Program", id: 1970, externalKey: { name: "externalId", value: `${p}X` } }),
        line(`${p}2`),
        line(`${p}3`)
      ].join("\n")
    }),
    problem: /_tag: this is a Opportunity job/
  },
  {
    kind: "a line that is not JSON",
    file: (p) => ({
      name: "rows.ndjson",
      text: [line(`${p}1`), `{"name": "${p}X"`, line(`${p}2`), line(`${p}3`)].join("\n")
    }),
    problem: /not JSON/
  },
  {
    kind: "a short CSV row",
    file: (p) => ({
      name: "rows.csv",
      text: `name,amount,externalKey.externalId\nA,1,${p}1\nX,${p}X\nB,2,${p}2\nC,3,${p}3\n`
    }),
    problem: /expected 3 fields/
  },
  {
    kind: "a bad value",
    file: (p) => ({
      name: "rows.csv",
      text: `name,Amount,externalKey.externalId\nA,1,${p}1\nX,"$1,25O.00",${p}X\nB,2,${p}2\nC,3,${p}3`
    }),
    problem: /Amount: '\$1,25O\.00' is not a number/
  },
  {
    kind: "a CSV row whose every cell is empty (an object of no field)",
    file: (p) => ({
      name: "rows.csv",
      text: `name,amount,externalKey.externalId\nA,1,${p}1\n, ,\nB,2,${p}2\nC,3,${p}3\n`
    }),
    problem: /no field: its cells of 'name', 'amount', 'externalKey\.externalId' are empty/
  },
  {
    kind: "an NDJSON line of an object with no field ({})",
    file: (p) => ({ name: "rows.ndjson", text: [line(`${p}1`), "{}", line(`${p}2`), line(`${p}3`)].join("\n") }),
    problem: /no field: the line's object has none, so there is nothing to send/
  },
  {
    kind: "an NDJSON line of no field but its type and empty objects",
    file: (p) => ({
      name: "rows.ndjson",
      text: [line(`${p}1`), `{"_tag": "Opportunity", "customFields": {}}`, line(`${p}2`), line(`${p}3`)].join("\n")
    }),
    problem: /no field: the line's object has none/
  },
  {
    kind: "a REST refusal",
    transport: "rest",
    file: (p) => ({
      name: "rows.ndjson",
      text: [
        line(`${p}1`, { externalKey: { name: "externalOpportunityId", value: `${p}1` } }),
        line(`${p}X`),
        line(`${p}2`, { externalKey: { name: "externalOpportunityId", value: `${p}2` } }),
        line(`${p}3`, { externalKey: { name: "externalOpportunityId", value: `${p}3` } })
      ].join("\n")
    }),
    problem: /REST identifies Opportunity by externalOpportunityId/
  }
]

describe("invalid means never sent", () => {
  for (const [n, kind] of invalidKinds.entries()) {
    for (const skipInvalid of [false, true]) {
      it.live(`${kind.kind}, ${skipInvalid ? "with" : "without"} --skip-invalid`, () =>
        Effect.gen(function*() {
          const dir = scratch()
          const prefix = `INV${n}${skipInvalid ? "S" : "N"}-`
          const { name, text } = kind.file(prefix)
          const file = join(dir, name)
          writeFileSync(file, text)
          const options = optionsFor(dir, file, {
            skipInvalid,
            ...(kind.transport === undefined ? {} : { transport: kind.transport })
          })
          const dry = yield* sync({ ...options, dryRun: true })
          expect(dry.result).toEqual(Either.right(2))
          expect(dry.out).toMatch(kind.problem)
          expect(dry.out).toMatch(/record 2 \(line \d\)/)
          const run = yield* sync(options)
          const sent = yield* sentKeys
          const kit = yield* Testing.TestMarketo
          const stats = yield* kit.stats
          expect(sent).not.toContain(`${prefix}X`)
          if (!skipInvalid) {
            expect(run.result._tag).toBe("Left")
            expect(stats.calls["syncMObjects"] ?? 0).toBe(0)
            expect(run.out).toMatch(kind.problem)
            return
          }
          expect(run.result).toEqual(Either.right(1))
          const report = readNdjson(join(dir, "report.ndjson"))
          expect(report.map((row) => row["status"])).toEqual(["CREATED", "INVALID", "CREATED", "CREATED"])
          expect(String(report[1]?.["error"])).toMatch(kind.problem)
          // A REST refusal is checked on the emulator's SOAP side here: what matters is it never left.
          expect((yield* storedKeys(prefix)).sort()).toEqual([`${prefix}1`, `${prefix}2`, `${prefix}3`])
        }).pipe(Effect.provide(env)))
    }
  }
})

describe("a send applied, then lost before the journal records it", () => {
  it.live("the next run reconciles by external key instead of sending again", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      const keys = Array.from({ length: 6 }, (_, i) => `CRASH-${i + 1}`)
      writeFileSync(file, keys.map((key) => line(key)).join("\n"))
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")) })
      const client = yield* MarketoClient.MarketoClient
      // The process dies right after the second chunk's call returned, before its outcome is journaled.
      let calls = 0
      const work = Sync.work(options, client)
      const dying: Job.Work<MObject.MObject> = {
        ...work,
        send: (objects) =>
          Effect.flatMap(work.send(objects), (outcomes) =>
            ++calls === 2 ? Effect.die("killed after the send") : Effect.succeed(outcomes))
      }
      const crashed = yield* Effect.exit(recording().record(Job.run<MObject.MObject, never>(dying, options)))
      expect(crashed._tag).toBe("Failure")
      expect((yield* sentKeys).length).toBe(4)
      const again = yield* sync(options)
      expect(again.result).toEqual(Either.right(0))
      // The lost chunk was read back, not sent: every key sent once, stored once.
      const sent = yield* sentKeys
      expect(sent.sort()).toEqual([...keys].sort())
      expect((yield* storedKeys("CRASH-")).sort()).toEqual([...keys].sort())
      expect(
        readNdjson(join(dir, "report.ndjson")).map((row) =>
          row["status"]
        )
      ).toEqual(keys.map(() => "CREATED"))
    }).pipe(Effect.provide(env)))

  it.live("the emulator's drop-after-apply: IN_DOUBT, then reconciled to CREATED without a second send", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      const keys = ["DROP-1", "DROP-2"]
      writeFileSync(file, keys.map((key) => line(key)).join("\n"))
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")) })
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      const first = yield* sync(options)
      expect(first.result).toEqual(Either.right(1))
      expect(readNdjson(join(dir, "report.ndjson")).map((row) => row["status"])).toEqual(["IN_DOUBT", "IN_DOUBT"])
      // Each row in doubt names its object, the key to check it by.
      expect(readNdjson(join(dir, "report.ndjson")).map((row) => (row["externalKey"] as { value?: string })?.value))
        .toEqual(keys)
      const second = yield* sync(options)
      expect(second.result).toEqual(Either.right(0))
      expect(yield* sentKeys).toEqual(keys)
      expect((yield* storedKeys("DROP-")).sort()).toEqual(keys)
    }).pipe(Effect.provide(env)))
})

describe("a job that ends with rows IN_DOUBT", () => {
  it.live("says what to run next, and the rerun reads them back before it sends anything, counting them", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      const keys = ["HINT-1", "HINT-2", "HINT-3"]
      writeFileSync(file, keys.map((key) => line(key)).join("\n"))
      const journal = join(dir, "job.journal")
      const options = optionsFor(dir, file, {
        journal: Option.some(journal),
        chunkSize: 3,
        command: `mktows sync ${file} --type Opportunity --operation INSERT --journal ${journal}`
      })
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      const first = yield* sync(options)
      expect(first.result).toEqual(Either.right(1))
      expect(first.out).toContain(
        `mktows: 3 row(s) are IN_DOUBT: their call may have been applied, and no answer said whether. Run the same command again, with the same --journal:\n  ${options.command}\nBefore it sends anything again, it reads each of them back by its external key, a call each`
      )
      const second = yield* sync(options)
      expect(second.result).toEqual(Either.right(0))
      expect(second.out).not.toContain("IN_DOUBT")
      // Read back, one call each, and nothing sent again: the summary says so.
      const calls = yield* kit.calls
      expect(calls.filter((call) => call.operation === "getMObjects")).toHaveLength(3)
      expect(yield* sentKeys).toEqual(keys)
      expect(second.out).toMatch(/sent 0 row\(s\) in [\d.]+ s; 3 row\(s\) an earlier run left in doubt settled first/)
    }).pipe(Effect.provide(env)))

  it.live("a row in doubt that is invalid on the rerun (another mapping) is counted as settled, not waited for", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.csv")
      writeFileSync(file, "name,externalKey.externalId,X\nA,SET-1,5\nB,SET-2,abc\nC,SET-3,7\n")
      const journal = join(dir, "job.journal")
      const options = optionsFor(dir, file, { journal: Option.some(journal), chunkSize: 3 })
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      const mapping = (x: string | null) =>
        new Map([["name", "name"], ["externalKey.externalId", "externalKey.externalId"], ["X", x]])
      const first = yield* sync({ ...options, mapping: mapping(null) })
      expect(first.result).toEqual(Either.right(1))
      // Now X is the amount: SET-2's 'abc' is no number, its row INVALID and passed over.
      const second = yield* sync({ ...options, mapping: mapping("amount"), skipInvalid: true })
      expect(second.out).toContain("INVALID")
      expect(second.out).toMatch(/3 row\(s\) an earlier run left in doubt settled first/)
    }).pipe(Effect.provide(env)))

  it.live("without a journal, says a rerun would send them blind; with one, what the rerun does for the operation", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, [line("BLIND-1"), line("BLIND-2")].join("\n"))
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      const blind = yield* sync(optionsFor(dir, file))
      expect(blind.result).toEqual(Either.right(1))
      expect(blind.out).toContain("mktows: 2 row(s) are IN_DOUBT")
      expect(blind.out).toContain("This job ran without --journal, so a rerun would send them again as if new")
      expect(blind.out).toContain("check them in Marketo first (the report names each by its key)")
      // No report either: nothing names the rows, so it says how to have them named.
      const unreported = optionsFor(dir, file, { report: Option.none() })
      expect(Job.inDoubtHint(unreported, Sync.work(unreported), 2, false)).toContain(
        "this job wrote no report: with --report FILE one names each row by its key"
      )
      // The client retries a dropped UPDATE itself, so its words are checked as the job would say them.
      const journaled = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")) })
      expect(Job.inDoubtHint(journaled, Sync.work({ ...journaled, operation: "UPDATE" }), 2, false)).toContain(
        "It sends them again without reading them back"
      )
      // Programs over SOAP add their costs again when sent again: checked first, then the rerun.
      const soapPrograms = Job.inDoubtHint(
        journaled,
        Sync.work({ ...journaled, type: "Program", operation: "UPDATE", transport: "soap" }),
        2,
        false
      )
      expect(soapPrograms).toMatch(/check those programs' costs in Marketo first.*Then run the same command again/s)
      expect(soapPrograms).not.toMatch(/^.*\. Run the same command again/)
      expect(
        Job.inDoubtHint(
          journaled,
          Sync.work({ ...journaled, type: "Program", operation: "UPDATE", transport: "rest" }),
          2,
          false
        )
      ).toContain("Run the same command again, with the same --journal")
      expect(Job.inDoubtHint(journaled, Sync.work({ ...journaled, operation: "UPSERT" }), 2, true)).toMatch(
        /reads each row with an external key back by that key, a call each, then sends it again.*\(With --retry-failed, as above, it also sends the FAILED rows again\.\)$/s
      )
    }).pipe(Effect.provide(env)))
})

describe("a resumed INSERT", () => {
  // KEEP-1 was in Marketo long before the job: the INSERT skipped it, whatever a read-back finds.
  const seeded = Layer.merge(
    Testing.layerClient({
      seed: {
        opportunities: [{
          id: 5001,
          externalKey: { name: "externalId", value: "KEEP-1" },
          fields: { Name: "kept" },
          createdAt: "2020-01-01T00:00:00Z"
        }]
      }
    }),
    NodeFileSystem.layer
  )

  it.live("reports an object created before the row was sent SKIPPED, and a key twice in the file CREATED once", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, [line("KEEP-1"), line("NEW-1"), line("NEW-1")].join("\n"))
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")), chunkSize: 3 })
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      expect((yield* sync(options)).result).toEqual(Either.right(1))
      expect(readNdjson(join(dir, "report.ndjson")).map((row) => row["status"])).toEqual([
        "IN_DOUBT",
        "IN_DOUBT",
        "IN_DOUBT"
      ])
      expect((yield* sync(options)).result).toEqual(Either.right(0))
      const rows = readNdjson(join(dir, "report.ndjson"))
      expect(rows.map((row) => row["status"])).toEqual(["SKIPPED", "CREATED", "SKIPPED"])
      expect(rows[0]?.["error"]).toMatch(/already existed: created 2020-01-01T00:00:00Z, before this job sent the row/)
      expect(rows[0]?.["id"]).toBe(5001)
      expect(rows[2]?.["error"]).toMatch(/created by line 2 of this file/)
      // Nothing was sent twice, and KEEP-1 is still the one that was there.
      expect(yield* sentKeys).toEqual(["KEEP-1", "NEW-1", "NEW-1"])
    }).pipe(Effect.provide(seeded)))
})

describe("a resumed INSERT of keys that differ only in case", () => {
  it.live("reads each back as its own object: both CREATED with their own ids, neither the other's duplicate", () =>
    Effect.gen(function*() {
      // Salesforce ids: 0065g00000AbCdE and 0065g00000ABCDE are two records, and Marketo keeps two objects.
      const dir = scratch()
      const file = join(dir, "twins.csv")
      writeFileSync(
        file,
        "externalKey.externalOpportunityId,name\n0065g00000AbCdE,Twin lower\n0065g00000ABCDE,Twin upper\n"
      )
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")), chunkSize: 2 })
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      expect((yield* sync(options)).result).toEqual(Either.right(1))
      expect(readNdjson(join(dir, "report.ndjson")).map((row) => row["status"])).toEqual(["IN_DOUBT", "IN_DOUBT"])
      expect((yield* sync(options)).result).toEqual(Either.right(0))
      const rows = readNdjson(join(dir, "report.ndjson"))
      expect(rows.map((row) => row["status"])).toEqual(["CREATED", "CREATED"])
      expect(rows.map((row) => row["error"])).toEqual([undefined, undefined])
      expect(new Set(rows.map((row) => row["id"])).size).toBe(2)
      expect(rows.map((row) => (row["externalKey"] as { value?: string })?.value)).toEqual([
        "0065g00000AbCdE",
        "0065g00000ABCDE"
      ])
    }).pipe(Effect.provide(env)))
})

describe("a chunk waiting for the rate window", () => {
  // One store for both runs; each run brings its client (the first with one call a minute).
  const store = Layer.merge(Testing.layer(), NodeFileSystem.layer)

  it.live("was not sent when the job stops: the next run sends it without reading anything back", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      const keys = ["WAIT-1", "WAIT-2", "WAIT-3", "WAIT-4", "WAIT-5", "WAIT-6"]
      writeFileSync(file, keys.map((key) => line(key)).join("\n"))
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")), concurrency: 3 })
      const { record } = recording()
      const slow = MarketoClient.layer({ rateLimit: { calls: 1, window: "1 minutes" } })
      const first = yield* Effect.fork(Effect.provide(record(Sync.run(options)), slow))
      // The first chunk goes; the two others wait for the window, and the job is stopped there.
      yield* Effect.sleep("300 millis")
      yield* Fiber.interrupt(first)
      expect(yield* sentKeys).toEqual(["WAIT-1", "WAIT-2"])
      const second = yield* Effect.provide(sync(options), MarketoClient.layer())
      expect(second.result).toEqual(Either.right(0))
      const kit = yield* Testing.TestMarketo
      expect((yield* kit.calls).filter((call) => call.operation === "getMObjects")).toEqual([])
      expect(yield* sentKeys).toEqual(keys)
    }).pipe(Effect.provide(store)))
})

describe("a resumed delete", () => {
  const seeded = Layer.merge(
    Testing.layerClient({
      seed: {
        opportunities: [5101, 5102].map((id) => ({ id, externalKey: { name: "externalId", value: `DEL-${id}` } }))
      },
      // Not retried: the run stops with the rows in doubt, as a killed one would.
      client: { retry: { maxAttempts: 1 } }
    }),
    NodeFileSystem.layer
  )

  it.live("says of a row in doubt that, sent again, found nothing left to delete, that the stopped run may have deleted it", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "ids.ndjson")
      writeFileSync(file, [JSON.stringify({ id: 5101 }), JSON.stringify({ id: 5102 })].join("\n"))
      const options: Delete.Options = {
        file,
        format: "ndjson",
        type: Option.some("Opportunity"),
        chunkSize: 2,
        transport: "soap",
        report: Option.some({ file: join(dir, "report.ndjson"), format: "ndjson" }),
        journal: Option.some(join(dir, "job.journal")),
        rateWindow: { calls: 100, millis: 20_000 },
        tty: false,
        maxFailures: 100,
        skipInvalid: false,
        reportColumns: "standard",
        command: `mktows delete ${file} --type Opportunity`,
        destination: testDestination
      }
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.drop({ applied: true }))
      const { record } = recording()
      expect(yield* Effect.either(record(Delete.run(options)))).toEqual(Either.right(1))
      expect(yield* Effect.either(record(Delete.run(options)))).toEqual(Either.right(0))
      const rows = readNdjson(join(dir, "report.ndjson"))
      expect(rows.map((row) => row["status"])).toEqual(["UNCHANGED", "UNCHANGED"])
      for (const row of rows) {
        expect(row["error"]).toMatch(/that run's send may have applied it \(a delete: deleted it\)/)
      }
    }).pipe(Effect.provide(seeded)))
})

describe("a journal reused against another Marketo", () => {
  it.live("is refused before anything is sent, naming where its job went; the journal is left as it was", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.csv")
      writeFileSync(file, "name,externalKey.externalId\nA,ELSE-1\nB,ELSE-2\n")
      const journal = join(dir, "job.journal")
      const first = yield* sync(optionsFor(dir, file, { journal: Option.some(journal) }))
      expect(first.result).toEqual(Either.right(0))
      const kept = readFileSync(journal, "utf8")
      const kit = yield* Testing.TestMarketo
      const calls = (yield* kit.stats).calls["syncMObjects"] ?? 0
      for (
        const destination of [
          { ...testDestination, endpoint: "memory://another/soap" },
          { transport: "rest", endpoint: testDestination.endpoint }
        ] as const
      ) {
        const again = yield* sync(optionsFor(dir, file, { journal: Option.some(journal), destination }))
        expect(again.result._tag).toBe("Left")
        const error = again.result._tag === "Left" ? again.result.left : undefined
        expect(error?._tag).toBe("JournalError")
        expect(error?.message).toContain(`it belongs to a job sent to SOAP memory://emulator/soap (user id test)`)
        expect(again.out).not.toContain("settled without a call")
      }
      expect((yield* kit.stats).calls["syncMObjects"] ?? 0).toBe(calls)
      expect(readFileSync(journal, "utf8")).toBe(kept)
    }).pipe(Effect.provide(env)))
})

describe("recovering from a bad run", () => {
  // Rows with an AccountName the instance does not have FAIL; the others go through.
  const csv = (prefix: string, rows: number) =>
    "name,externalKey.externalId,customFields.AccountName\n" +
    Array.from({ length: rows }, (_, i) => `Deal ${i + 1},${prefix}${i + 1},${i % 2 === 0 ? "Acme" : ""}`).join("\n")

  it.live("--max-failures stops the job, exits 1, says why and what to run", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.csv")
      writeFileSync(file, csv("MAX-", 40))
      const journal = join(dir, "job.journal")
      const options = optionsFor(dir, file, { journal: Option.some(journal), maxFailures: 3 })
      const run = yield* sync(options)
      expect(run.result._tag).toBe("Left")
      const stop = run.result._tag === "Left" ? run.result.left : undefined
      expect(stop?._tag === "Stop" && stop.code).toBe(1)
      expect(stop?.message).toMatch(/3 row\(s\) FAILED, the limit of --max-failures 3/)
      expect(stop?.message).toMatch(/unknown field 'AccountName'/)
      expect(stop?.message).toContain(`${options.command} --retry-failed`)
      // It stopped early: far fewer than the 40 rows went out.
      expect((yield* sentKeys).length).toBeLessThan(20)
    }).pipe(Effect.provide(env)))

  it.live("--retry-failed sends the FAILED rows again, then the unsent ones; never a success", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.csv")
      const rows = 12
      writeFileSync(file, csv("RETRY-", rows))
      const journal = join(dir, "job.journal")
      const options = optionsFor(dir, file, { journal: Option.some(journal) })
      const first = yield* sync(options)
      expect(first.result).toEqual(Either.right(1))
      expect(first.out).toContain(`6 row(s) FAILED. Once the cause is fixed`)
      expect(first.out).toContain(`${options.command} --retry-failed`)
      // Without --retry-failed, FAILED rows are final: a rerun sends nothing.
      const before = (yield* sentKeys).length
      expect((yield* sync(options)).result).toEqual(Either.right(1))
      expect((yield* sentKeys).length).toBe(before)
      const sentFirst = yield* sentKeys
      const created = new Set(yield* storedKeys("RETRY-"))
      expect(created.size).toBeGreaterThan(0)
      // The fix: a mapping that leaves the column out, and --retry-failed.
      const mapping = new Map<string, string | null>([
        ["name", "name"],
        ["externalKey.externalId", "externalKey.externalId"],
        ["customFields.AccountName", null]
      ])
      const second = yield* sync({ ...options, mapping, retryFailed: true })
      expect(second.result).toEqual(Either.right(0))
      const sentSecond = (yield* sentKeys).slice(sentFirst.length)
      for (const key of created) expect(sentSecond).not.toContain(key)
      const stored = yield* storedKeys("RETRY-")
      expect(stored.length).toBe(rows)
      expect(new Set(stored).size).toBe(rows)
      const report = readNdjson(join(dir, "report.ndjson"))
      expect(report.map((row) => row["status"])).toEqual(Array.from({ length: rows }, () => "CREATED"))
    }).pipe(Effect.provide(env)))

  it.live("--report-columns all carries the input's columns", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.csv")
      writeFileSync(file, "name,externalKey.externalId,Region,Notes\nA,COLS-1,EMEA,n\n")
      const mapping = new Map<string, string | null>([["name", "name"], [
        "externalKey.externalId",
        "externalKey.externalId"
      ], ["Notes", null]])
      const run = yield* sync(optionsFor(dir, file, { mapping, reportColumns: "all" }))
      expect(run.result).toEqual(Either.right(0))
      // A column the mapping leaves out on purpose is told apart from one it does not name.
      expect(run.out).toContain("1 column(s) not in the mapping, ignored: 'Region'\n")
      expect(run.out).toContain("1 column(s) left out by the mapping: 'Notes'")
      const [row] = readNdjson(join(dir, "report.ndjson"))
      expect(row?.["input"]).toEqual({ name: "A", "externalKey.externalId": "COLS-1", Region: "EMEA", Notes: "n" })
      const csvReport = join(dir, "report.csv")
      yield* sync(
        optionsFor(dir, file, {
          mapping,
          reportColumns: "all",
          operation: "UPSERT",
          report: Option.some({ file: csvReport, format: "csv" })
        })
      )
      expect(readFileSync(csvReport, "utf8").split("\n")[0]).toBe(
        "line,status,id,externalKey,error,name,externalKey.externalId,Region,Notes"
      )
    }).pipe(Effect.provide(env)))
})

describe("a stop after rows went out", () => {
  it.live("a full disk under the report: exit 1, how many were sent, how to continue", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, ["FULL-1", "FULL-2", "FULL-3"].map((key) => line(key)).join("\n"))
      // The report is written to its part file until a call is answered: that is where the disk is full.
      symlinkSync("/dev/full", join(dir, "report.ndjson.part"))
      const run = yield* sync(optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")) }))
      expect(run.result._tag).toBe("Left")
      const stop = run.result._tag === "Left" ? run.result.left : undefined
      expect(stop?._tag === "Stop" && stop.code).toBe(1)
      expect(stop?.message).toMatch(/2 row\(s\) were sent in this run before it stopped/)
      expect(stop?.message).toContain("To continue where it stopped, run:")
    }).pipe(Effect.provide(env)))

  it.live("rows that name the same object are applied in the order of the file, however many calls run at once", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      // DUP-1 in the first chunk and again, with the newer value, in the second.
      writeFileSync(
        file,
        [line("DUP-1", { amount: 1 }), line("ORD-1"), line("ORD-2"), line("DUP-1", { amount: 2 })].join("\n")
      )
      const kit = yield* Testing.TestMarketo
      // The first call is slow: without an order, the second would be applied before it.
      yield* kit.script(Testing.delay("300 millis"))
      const run = yield* sync(optionsFor(dir, file, { operation: "UPSERT", concurrency: 10 }))
      expect(run.result).toEqual(Either.right(0))
      const stored = yield* MarketoClient.getMObjects({ type: "Opportunity" }).pipe(
        Stream.runCollect,
        Effect.orDie,
        Effect.map((all) =>
          Chunk.toReadonlyArray(all).flatMap((o) =>
            o._tag === "Opportunity" && o.externalKey?.value === "DUP-1" ? [o.amount] : []
          )
        )
      )
      expect(stored).toEqual([2])
    }).pipe(Effect.provide(env)))

  it.live("Ctrl-C while the first chunk is out: the report still holds the chunks answered after it, and its rows IN_DOUBT", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, Array.from({ length: 6 }, (_, i) => line(`CTRL-${i}`)).join("\n"))
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.delay("1 minute"))
      const { out, record } = recording()
      const fiber = yield* Effect.fork(record(Sync.run(optionsFor(dir, file, { concurrency: 3 }))))
      yield* Effect.sleep("500 millis")
      yield* Fiber.interrupt(fiber)
      const rows = readNdjson(join(dir, "report.ndjson"))
      // The three calls go out at once, in no fixed order: whichever reaches the server first waits a
      // minute. Its two rows are IN_DOUBT, the others CREATED, exactly as Marketo holds them.
      const stored = new Set(yield* storedKeys("CTRL-"))
      expect(stored.size).toBe(4)
      expect(rows.map((row) => [row["line"], row["status"]])).toEqual(
        [1, 2, 3, 4, 5, 6].map((n) => [n, stored.has(`CTRL-${n - 1}`) ? "CREATED" : "IN_DOUBT"])
      )
      const doubtful = rows.filter((row) => row["status"] === "IN_DOUBT")
      // One call's rows: the two lines of one chunk (chunks of two).
      const chunkOf = (row: Record<string, unknown> | undefined) => Math.floor((Number(row?.["line"]) - 1) / 2)
      expect(doubtful).toHaveLength(2)
      expect(chunkOf(doubtful[0])).toBe(chunkOf(doubtful[1]))
      expect(doubtful[0]?.["error"]).toMatch(/stopped before this row's call was answered/)
      // The summary counts what the report holds.
      expect(out.join("\n")).toMatch(/total 6\b|6 row\(s\)/)
    }).pipe(Effect.provide(env)))

  it.live("a fatal error: the calls in flight are answered and reported, nothing is sent after it", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, Array.from({ length: 10 }, (_, i) => line(`FATAL-${i}`)).join("\n"))
      const kit = yield* Testing.TestMarketo
      // Three calls at once: the first to arrive is refused (a wrong key); the two others are
      // answered a while later, when a job that gave up on them would have.
      yield* kit.script(Testing.fault(20014), Testing.delay("200 millis"), Testing.delay("200 millis"))
      const { out, record } = recording()
      const stopped = yield* Effect.either(record(Sync.run(optionsFor(dir, file, { concurrency: 3, maxFailures: 1 }))))
      expect((yield* sentKeys).length).toBe(6)
      const stop = stopped._tag === "Left" ? stopped.left : undefined
      expect(stop?._tag === "Stop" && stop.code).toBe(1)
      expect(stop?.message).toMatch(/20014/)
      // Said as the report has it: the answered calls' rows were sent, the refused ones not.
      expect(stop?.message).toMatch(/4 row\(s\) were sent/)
      // The refusal is the stop's, not --max-failures 1's: no --retry-failed is needed for it.
      expect(stop?.message).not.toMatch(/max-failures|--retry-failed/)
      const rows = readNdjson(join(dir, "report.ndjson"))
      expect(rows.map((row) => row["line"])).toEqual([1, 2, 3, 4, 5, 6])
      expect(rows.filter((row) => row["status"] === "CREATED")).toHaveLength(4)
      expect(rows.filter((row) => row["status"] === "FAILED").every((row) => /20014/.test(String(row["error"]))))
        .toBe(true)
      expect(out.join("\n")).toMatch(/total\s+6\b/)
    }).pipe(Effect.provide(env)))

  it.live("a fatal error: rows FAILED by calls answered after it are offered --retry-failed", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.csv")
      // The first call's rows FAIL for a reason of their own (a field the instance lacks) and are
      // answered only after the second call stops the job.
      writeFileSync(
        file,
        "name,externalKey.externalId,customFields.AccountName\nA,HINT-1,Acme\nB,HINT-2,Acme\nC,HINT-3,\nD,HINT-4,\n"
      )
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.delay("300 millis"), Testing.fault(20014))
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")), concurrency: 2 })
      const stopped = yield* Effect.either(recording().record(Sync.run(options)))
      const stop = stopped._tag === "Left" ? stopped.left : undefined
      expect(stop?.message).toMatch(/20014/)
      expect(stop?.message).toContain(`${options.command} --retry-failed`)
      // Lines 2-5: the CSV's header is line 1.
      expect(readNdjson(join(dir, "report.ndjson")).map((row) => [row["line"], row["status"]])).toEqual([
        [2, "FAILED"],
        [3, "FAILED"],
        [4, "FAILED"],
        [5, "FAILED"]
      ])
    }).pipe(Effect.provide(env)))

  it.live("a chunk taken before a fatal error and started after it still reports the rows it knew", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      // The third chunk repeats K-1, so it waits for the first (slow) one, and holds an invalid
      // row; the fourth stops the job meanwhile.
      writeFileSync(
        file,
        [
          line("K-1"),
          line("K-2"),
          line("K-3"),
          line("K-4"),
          line("K-1"),
          "{not json",
          line("K-5"),
          line("K-6"),
          line("K-7")
        ]
          .join("\n")
      )
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.delay("300 millis"), Testing.delay("300 millis"), Testing.fault(20014))
      yield* Effect.either(
        recording().record(
          Sync.run(optionsFor(dir, file, { concurrency: 4, skipInvalid: true, operation: "UPSERT" }))
        )
      )
      const rows = readNdjson(join(dir, "report.ndjson")).map((row) => [row["line"], row["status"]])
      expect(rows).toEqual([[1, "CREATED"], [2, "CREATED"], [3, "CREATED"], [4, "CREATED"], [6, "INVALID"], [
        8,
        "FAILED"
      ], [9, "FAILED"]])
      // The third chunk's rows to send were not sent.
      expect((yield* sentKeys).sort()).toEqual(["K-1", "K-2", "K-3", "K-4", "K-6", "K-7"])
    }).pipe(Effect.provide(env)))

  it.live("a journal that cannot record a call's answers: the answers are reported, and counted sent once", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, [line("JF-1"), line("JF-2")].join("\n"))
      const journal = join(dir, "job.journal")
      // The journal's third write (after its header and the intent: the answers) fails.
      const failing = journalWrites(journal, (n, bytes, write) =>
        n === 3
          ? Effect.fail(
            new SystemError({
              reason: "Unknown",
              module: "FileSystem",
              method: "writeAll",
              pathOrDescriptor: journal,
              description: "disk full"
            })
          )
          : write(bytes))
      const { out, record } = recording()
      const stopped = yield* Effect.either(
        Effect.provide(record(Sync.run(optionsFor(dir, file, { journal: Option.some(journal) }))), failing)
      )
      const stop = stopped._tag === "Left" ? stopped.left : undefined
      expect(stop?.message).toMatch(/disk full/)
      expect(stop?.message).toMatch(/2 row\(s\) were sent/)
      expect(out.join("\n")).toMatch(/sent 2 row\(s\)/)
      expect(readNdjson(join(dir, "report.ndjson")).map((row) => row["status"])).toEqual(["CREATED", "CREATED"])
    }).pipe(Effect.provide(env)))

  it.live("a fatal error: the next run sends the rows it refused without reading them back", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      const keys = ["UNSENT-1", "UNSENT-2", "UNSENT-3", "UNSENT-4"]
      writeFileSync(file, keys.map((key) => line(key)).join("\n"))
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.delay("1 millis"), Testing.fault(20014))
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")) })
      const first = yield* Effect.either(recording().record(Sync.run(options)))
      expect(first._tag).toBe("Left")
      const second = yield* sync(options)
      expect(second.result).toEqual(Either.right(0))
      // Refused as a whole by the error that stopped the job: nothing of the call was applied.
      expect((yield* kit.calls).filter((call) => call.operation === "getMObjects")).toEqual([])
      expect(yield* sentKeys).toEqual(["UNSENT-1", "UNSENT-2", "UNSENT-3", "UNSENT-4", "UNSENT-3", "UNSENT-4"])
      expect(readNdjson(join(dir, "report.ndjson")).map((row) => row["status"])).toEqual([
        "CREATED",
        "CREATED",
        "CREATED",
        "CREATED"
      ])
    }).pipe(Effect.provide(env)))

  it.live("--max-failures: the stop gives the final count of FAILED rows, the report's", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.csv")
      writeFileSync(
        file,
        "name,externalKey.externalId,customFields.AccountName\n" +
          Array.from({ length: 12 }, (_, i) => `D${i},COUNT-${i},Acme`).join("\n")
      )
      const stopped = yield* Effect.either(
        recording().record(Sync.run(optionsFor(dir, file, { concurrency: 3, maxFailures: 1 })))
      )
      const stop = stopped._tag === "Left" ? stopped.left : undefined
      const failed = readNdjson(join(dir, "report.ndjson")).filter((row) => row["status"] === "FAILED").length
      expect(stop?.message).toContain(`${failed} row(s) FAILED, the limit of --max-failures 1`)
    }).pipe(Effect.provide(env)))

  it.live("Ctrl-C while a job is stopping still says why it was stopping", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, Array.from({ length: 4 }, (_, i) => line(`WHY-${i}`)).join("\n"))
      const kit = yield* Testing.TestMarketo
      // The first call is out for a minute when the second stops the job.
      yield* kit.script(Testing.delay("1 minute"), Testing.fault(20014))
      const { out, record } = recording()
      const fiber = yield* Effect.fork(record(Sync.run(optionsFor(dir, file, { concurrency: 2 }))))
      yield* Effect.sleep("500 millis")
      yield* Fiber.interrupt(fiber)
      expect(out.join("\n")).toMatch(/the job was interrupted while it stopped: .*20014/)
    }).pipe(Effect.provide(env)))

  it.live("a fatal error while a call records its intent: that call still goes, so no intent is left without its send", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, Array.from({ length: 4 }, (_, i) => line(`GOING-${i}`)).join("\n"))
      const journal = join(dir, "job.journal")
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.fault(20014))
      // The journal's third write (the second call's intent, after the header and the first's)
      // takes a while: the first call is refused meanwhile.
      const slowJournal = journalWrites(
        journal,
        (n, bytes, write) => n === 3 ? Effect.zipRight(Effect.sleep("300 millis"), write(bytes)) : write(bytes)
      )
      const options = optionsFor(dir, file, { journal: Option.some(journal), concurrency: 2 })
      yield* Effect.either(Effect.provide(recording().record(Sync.run(options)), slowJournal))
      const intents = readFileSync(journal, "utf8").split("\n").flatMap((text) => {
        const entry = Journal.decodeLine(text) as { readonly t?: string; readonly lines?: ReadonlyArray<number> }
        return entry?.t === "intent" ? [entry.lines ?? []] : []
      })
      expect(intents).toHaveLength(2)
      // Both calls went out: each intent was followed by its send.
      expect((yield* sentKeys).sort()).toEqual(["GOING-0", "GOING-1", "GOING-2", "GOING-3"])
    }).pipe(Effect.provide(env)))

  it.live("a fatal error: calls still waiting for the rate window are not waited for", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, Array.from({ length: 6 }, (_, i) => line(`WINDOW-${i}`)).join("\n"))
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.fault(20014))
      // One call in ten minutes: the second and third chunks wait for the window (longer than the
      // test may take) when the first is refused.
      const slow = MarketoClient.layer({ rateLimit: { calls: 1, window: "10 minutes" } })
      const stopped = yield* Effect.either(
        Effect.provide(recording().record(Sync.run(optionsFor(dir, file, { concurrency: 3 }))), slow)
      )
      expect(stopped._tag).toBe("Left")
      expect(yield* sentKeys).toEqual(["WINDOW-0", "WINDOW-1"])
      // Nothing was applied, so no report replaces the last run's; the next run sends every row.
      expect(existsSync(join(dir, "report.ndjson"))).toBe(false)
    }).pipe(Effect.provide(Layer.merge(Testing.layer(), NodeFileSystem.layer))))

  it.live("Ctrl-C prints the command that continues the job", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, Array.from({ length: 20 }, (_, i) => line(`INT-${i}`)).join("\n"))
      const kit = yield* Testing.TestMarketo
      yield* kit.script(Testing.delay("1 minute"))
      const { out, record } = recording()
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")) })
      // Interrupted once a call is on its way (the first pass is over), not after a while.
      const sending = yield* Deferred.make<void>()
      const work = Sync.work(options, yield* MarketoClient.MarketoClient)
      const signalled: Job.Work<MObject.MObject> = {
        ...work,
        send: (objects) => Effect.zipRight(Deferred.succeed(sending, undefined), work.send(objects))
      }
      const fiber = yield* Effect.fork(record(Job.run<MObject.MObject, never>(signalled, options)))
      yield* Deferred.await(sending)
      yield* Fiber.interrupt(fiber)
      expect(out.join("\n")).toContain(
        `the job was interrupted. To continue where it stopped, run:\n  ${options.command}`
      )
    }).pipe(Effect.provide(env)))
})

describe("Ctrl-C before anything is sent, or during get", () => {
  it.live("while a sync's rows are checked: says nothing was sent, and the command that runs the job", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, `${line("FIRST-1")}\n`)
      // The first pass reads one row, then waits for ever: the interruption comes while it checks.
      const reading = yield* Deferred.make<void>()
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")), retryFailed: true })
      const work = Sync.work(options)
      const waiting: Job.Work<MObject.MObject> = {
        ...work,
        rows: (source) =>
          Stream.concat(
            work.rows(source).pipe(Stream.take(1)),
            Stream.fromEffect(Deferred.succeed(reading, undefined)).pipe(Stream.drain, Stream.concat(Stream.never))
          )
      }
      const { out, record } = recording()
      const fiber = yield* Effect.fork(record(Job.run<MObject.MObject, never>(waiting, options)))
      yield* Deferred.await(reading)
      yield* Fiber.interrupt(fiber)
      expect(out.join("\n")).toContain(
        `the job was interrupted before anything was sent (1 row(s) checked): nothing was sent. To run it, run the same command again:\n  ${options.command} --retry-failed`
      )
      expect(existsSync(join(dir, "report.ndjson"))).toBe(false)
    }).pipe(Effect.provide(env)))

  it.live("during get: says how many objects were written, and the command that continues the export", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const out = join(dir, "all.ndjson")
      const journal = join(dir, "get.journal")
      const client = yield* MarketoClient.MarketoClient
      // The first page is read and written, then the next never comes.
      const stalled = (paged: Deferred.Deferred<void>) =>
        Layer.succeed(MarketoClient.MarketoClient, {
          ...client,
          getMObjectsPages: (params) =>
            Stream.concat(
              client.getMObjectsPages(params).pipe(Stream.take(1)),
              Stream.fromEffect(Deferred.succeed(paged, undefined)).pipe(Stream.drain, Stream.concat(Stream.never))
            )
        })
      const command = `mktows get --type Opportunity --out ${out} --journal ${journal}`
      for (const withJournal of [true, false]) {
        const paged = yield* Deferred.make<void>()
        const { out: printed, record } = recording()
        const fiber = yield* Effect.fork(record(
          Reads.get({
            type: "Opportunity",
            criteria: [],
            associations: [],
            includeDetails: false,
            out,
            format: "ndjson",
            journal: withJournal ? Option.some(journal) : Option.none(),
            destination: testDestination,
            command
          }).pipe(Effect.provide(stalled(paged)))
        ))
        yield* Deferred.await(paged)
        yield* Fiber.interrupt(fiber)
        const written = readFileSync(out, "utf8").split("\n").filter((text) => text.length > 0).length
        expect(printed.join("\n")).toContain(
          `the export was interrupted after ${written} Opportunity object(s) were written to ${out}.`
        )
        expect(printed.join("\n")).toContain(
          withJournal
            ? `To continue where it stopped, run:\n  ${command}\n(the journal ${journal} keeps the last page written`
            : `It ran without --journal, so a rerun reads every page again from the first:\n  ${command}`
        )
      }
    }).pipe(Effect.provide(env)))
})

/** `mktows get` of every Opportunity to `out`, with a journal. */
const exportAll = (
  out: string,
  format: "csv" | "ndjson",
  journal: string,
  destination: Journal.Destination = testDestination
) =>
  Reads.get({
    type: "Opportunity",
    criteria: [],
    associations: [],
    includeDetails: false,
    out,
    format,
    journal: Option.some(journal),
    destination
  })

describe("get --out a CSV", () => {
  it.live("never dies midway: the header is the union of every object's fields; formulas are escaped", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const client = yield* MarketoClient.MarketoClient
      // Three pages' worth; only an object of the last page has a description.
      const objects = Array.from({ length: 250 }, (_, i) =>
        Opportunity.make({
          name: i === 0 ? "=HYPERLINK(\"http://x\")" : `Deal ${i}`,
          externalKey: { name: "externalId", value: `GET-${i}` },
          ...(i === 240 ? { description: "@SUM(1)" } : {})
        }))
      yield* Effect.orDie(client.syncMObjects(objects, "INSERT"))
      const out = join(dir, "all.csv")
      const { record } = recording()
      yield* Effect.orDie(record(exportAll(out, "csv", join(dir, "get.journal"))))
      const records = yield* Stream.make(readFileSync(out, "utf8")).pipe(
        Csv.records(out),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
      const [header, ...rows] = records.map((r) => r.fields)
      expect(header).toContain("description")
      const at = (field: string) => (header ?? []).indexOf(field)
      const ours = rows.filter((row) => String(row[at("externalKey.externalId")]).startsWith("GET-"))
      expect(ours.length).toBe(250)
      expect(ours.every((row) => row.length === header?.length)).toBe(true)
      const cells = ours.flat()
      expect(cells).toContain("'=HYPERLINK(\"http://x\")")
      expect(cells).toContain("'@SUM(1)")
      expect(cells.some((cell) => /^[=+@]/.test(cell))).toBe(false)
      expect(existsSync(`${out}.part.ndjson`)).toBe(false)
    }).pipe(Effect.provide(env)))
})

/** What a test job's rerun does with rows in doubt: sends them again, as its `reconcile` says. */
const sentAgain: Job.Work<never>["inDoubt"] = { readsBack: false, safe: true, rerun: "It sends them again." }

describe("the report", () => {
  const workOf = (send: Job.Work<string>["send"], lines: ReadonlyArray<string>): Job.Work<string> => ({
    job: { command: "sync", type: "Opportunity", operation: "INSERT" },
    bytes: Stream.make(new TextEncoder().encode(lines.join("\n"))),
    rows: () =>
      Stream.fromIterable(lines.map((object, i) => ({ line: i + 1, record: i + 1, valid: true as const, object }))),
    inputColumns: Effect.succeed("json"),
    send,
    reconcile: () => Effect.succeed("send"),
    inDoubt: sentAgain
  })

  it.live("of a resumed job that stops again holds what the journal knows of every line", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      const keys = ["A", "B", "C", "D", "E", "F"]
      writeFileSync(file, keys.join("\n"))
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")), retryFailed: true })
      const created = (objects: ReadonlyArray<string>) =>
        Effect.succeed(objects.map((input, index) => ({ index, input, status: "CREATED" as const, id: 10 + index })))
      // Run 1: lines 1 to 4 FAIL, 5 and 6 are created.
      const first = workOf(
        (objects) =>
          objects.includes("E")
            ? created(objects)
            : Effect.succeed(objects.map((input, index) => ({ index, input, status: "FAILED" as const, error: "no" }))),
        keys
      )
      yield* Effect.either(recording().record(Job.run<string, never>(first, options)))
      // Run 2 sends lines 1 to 4 again: the first call is answered, the second meets a wrong
      // key. The file's later lines are read only a while after that (a large file is read as
      // the job goes).
      const refused = yield* Deferred.make<void>()
      const second: Job.Work<string> = {
        ...workOf(
          (objects) =>
            objects.includes("A") ? created(objects) : Effect.zipRight(
              Effect.forkDaemon(Effect.zipRight(Effect.sleep("100 millis"), Deferred.succeed(refused, undefined))),
              Effect.fail(MarketoError.fromFault({ code: 20014, faultString: "20014 - Authentication failed" }))
            ),
          keys
        ),
        // The first pass (which hashes the file: `source`) reads every line at once.
        rows: (source) => {
          const rows = workOf(created, keys).rows()
          return source !== undefined ? rows : Stream.concat(
            Stream.take(rows, 4),
            Stream.fromEffect(Deferred.await(refused)).pipe(Stream.flatMap(() => Stream.drop(rows, 4)))
          )
        }
      }
      const stopped = yield* Effect.either(recording().record(Job.run<string, never>(second, options)))
      expect(stopped._tag).toBe("Left")
      expect(readNdjson(join(dir, "report.ndjson")).map((row) => [row["line"], row["status"]])).toEqual([
        [1, "CREATED"],
        [2, "CREATED"],
        [3, "FAILED"],
        [4, "FAILED"],
        [5, "CREATED"],
        [6, "CREATED"]
      ])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.live("credits a CREATED outcome to its own row when the client refused another row of the call", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      const keys = ["A", "B", "B"]
      writeFileSync(file, keys.join("\n"))
      type Keyed = {
        readonly _tag: "Opportunity"
        readonly externalKey: { readonly name: string; readonly value: string }
      }
      const objects: ReadonlyArray<Keyed> = keys.map((value) => ({
        _tag: "Opportunity",
        externalKey: { name: "k", value }
      }))
      let run = 1
      let call = 0
      const work: Job.Work<Keyed> = {
        job: { command: "sync", type: "Opportunity", operation: "INSERT" },
        bytes: Stream.make(new TextEncoder().encode(keys.join("\n"))),
        rows: () =>
          Stream.fromIterable(
            objects.map((object, i) => ({ line: i + 1, record: i + 1, valid: true as const, object }))
          ),
        inputColumns: Effect.succeed("json"),
        send: (batch) =>
          Effect.suspend((): ReturnType<Job.Work<Keyed>["send"]> => {
            // Run 1: every call goes out and its answer is lost.
            if (run === 1) {
              return Effect.succeed(
                batch.map((input, index) => ({ index, input, status: "IN_DOUBT" as const, error: "lost" }))
              )
            }
            // Run 2's first call: the client refuses B (the call's second object) when it is made.
            if (++call === 1 && batch.length === 2) {
              return Effect.fail(
                new MarketoError.ValidationError({ issues: [{ index: 1, path: [], message: "refused at call time" }] })
              )
            }
            return Effect.succeed(
              batch.map((input, index) => ({ index, input, status: "CREATED" as const, id: 100 + index }))
            )
          }),
        // Run 2: lines 1 and 2 were not applied (sent again); line 3's B is found, created by run 1.
        reconcile: (line) =>
          Effect.succeed(
            line === 3 ? { line, status: "CREATED", id: 7, externalKey: { name: "k", value: "B" } } : "send"
          ),
        inDoubt: { readsBack: true, safe: true, rerun: "It reads each back first." }
      }
      const options = optionsFor(dir, file, { journal: Option.some(join(dir, "job.journal")) })
      yield* Effect.either(recording().record(Job.run<Keyed, never>(work, options)))
      run = 2
      yield* Effect.either(recording().record(Job.run<Keyed, never>(work, options)))
      const rows = readNdjson(join(dir, "report.ndjson"))
      expect(rows.map((row) => row["status"])).toEqual(["CREATED", "INVALID", "CREATED"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.live("of the run before stays as it was when a job stops before any row has an outcome", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, "a\n")
      const report = join(dir, "report.csv")
      writeFileSync(report, "line,status,id,externalKey,error\n1,CREATED,7,,\n")
      // A wrong secret: the first call fails as every call would.
      const refusedKey = workOf(
        () => Effect.fail(MarketoError.fromFault({ code: 20014, faultString: "20014 - Authentication failed" })),
        ["A"]
      )
      const options = optionsFor(dir, file, { report: Option.some({ file: report, format: "csv" }) })
      const stopped = yield* Effect.either(recording().record(Job.run<string, never>(refusedKey, options)))
      expect(stopped._tag).toBe("Left")
      expect(readFileSync(report, "utf8")).toBe("line,status,id,externalKey,error\n1,CREATED,7,,\n")
      // Resumed, with more than a segment of lines the journal settles before the first call,
      // which then fails: the report of the run before stays whole.
      const many = join(dir, "many.ndjson")
      const keys = Array.from({ length: 1200 }, (_, i) => `K${i}`)
      writeFileSync(many, keys.join("\n"))
      const journaled = optionsFor(dir, many, {
        report: Option.some({ file: report, format: "csv" }),
        journal: Option.some(join(dir, "many.journal"))
      })
      // The first run: eleven calls answered, then the key stops working.
      let calls = 0
      const refusing = () =>
        Effect.fail(MarketoError.fromFault({ code: 20014, faultString: "20014 - Authentication failed" }))
      const elevenThenRefused = (objects: ReadonlyArray<string>) =>
        ++calls > 11
          ? refusing()
          : Effect.succeed(objects.map((input, index) => ({ index, input, status: "CREATED" as const, id: index + 1 })))
      const firstRun = yield* Effect.either(
        recording().record(Job.run<string, never>(workOf(elevenThenRefused, keys), { ...journaled, chunkSize: 100 }))
      )
      expect(firstRun._tag).toBe("Left")
      const reported = readFileSync(report, "utf8")
      // The eleven chunks answered, and the one the key stopped, its rows FAILED with the reason.
      const lines = reported.trim().split("\n")
      expect(lines).toHaveLength(1201)
      expect(lines.slice(1101).every((line) => /^\d+,FAILED,,,.*20014/.test(line))).toBe(true)
      // Resumed with the key still wrong: 1,100 lines settled by the journal, then the call fails.
      const resumed = yield* Effect.either(
        recording().record(Job.run<string, never>(workOf(refusing, keys), { ...journaled, chunkSize: 100 }))
      )
      expect(resumed._tag).toBe("Left")
      expect(readFileSync(report, "utf8")).toBe(reported)
      expect(existsSync(`${report}.part`)).toBe(false)
      // A job with no rows at all still writes its report: the header alone.
      const empty = yield* recording().record(Job.run<string, never>(workOf(() => Effect.succeed([]), []), options))
      expect(empty).toBe(0)
      expect(readFileSync(report, "utf8")).toBe("line,status,id,externalKey,error\n")
      // A report that cannot be written stops the job before anything is sent.
      let sent = 0
      const counted = workOf((objects) =>
        Effect.sync(() => {
          sent += objects.length
          return objects.map((input, index) => ({ index, input, status: "CREATED" as const }))
        }), ["A"])
      const nowhere = optionsFor(dir, file, {
        report: Option.some({ file: join(dir, "no-such-dir", "report.csv"), format: "csv" })
      })
      const failed = yield* Effect.either(recording().record(Job.run<string, never>(counted, nowhere)))
      expect(failed._tag).toBe("Left")
      expect(sent).toBe(0)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("get of nothing", () => {
  it.live(
    "a read that finds no object writes an export of no row and says so, in either format, with or without a journal",
    () =>
      Effect.gen(function*() {
        const dir = scratch()
        for (const format of ["ndjson", "csv"] as const) {
          for (const journal of [Option.none<string>(), Option.some(join(dir, `none-${format}.journal`))]) {
            const out = join(dir, `none-${Option.isSome(journal) ? "journaled" : "plain"}.${format}`)
            const { out: printed, record } = recording()
            const code = yield* record(Reads.get({
              type: "Opportunity",
              criteria: [{ attrName: "Name", comparison: "EQ", attrValue: "no such deal" }],
              associations: [],
              includeDetails: false,
              out,
              format,
              journal,
              destination: testDestination
            }))
            expect(code).toBe(0)
            // NDJSON of no object is no line; a CSV of no object is its header, the type's own columns.
            expect(readFileSync(out, "utf8")).toBe(
              format === "ndjson" ? "" : `${Columns.standardColumns("Opportunity").join(",")}\n`
            )
            expect(existsSync(`${out}.part.ndjson`)).toBe(false)
            expect(printed.join("\n")).toContain(`0 Opportunity object(s) written to ${out}`)
          }
        }
      }).pipe(Effect.provide(env))
  )

  it.live("a CSV export of no object is a file sync and delete read as zero rows, each with no note of an empty file", () =>
    Effect.gen(function*() {
      const dir = scratch()
      for (const type of Columns.objectTypes) {
        const out = join(dir, `none-${type}.csv`)
        expect(
          yield* recording().record(Reads.get({
            type,
            criteria: [{ attrName: "Id", comparison: "EQ", attrValue: "99999" }],
            associations: [],
            includeDetails: false,
            out,
            format: "csv",
            journal: Option.none(),
            destination: testDestination
          }))
        ).toBe(0)
        const synced = yield* sync(optionsFor(dir, out, { type, operation: "UPDATE", report: Option.none() }))
        expect([synced.result, synced.out]).toEqual([Either.right(0), expect.stringContaining("total       0")])
        expect(synced.out).toContain("read and not sent: 'createdAt', 'updatedAt'")
        expect(synced.out).not.toContain("is empty")
      }
      const { out: printed, record } = recording()
      const deleted = yield* Effect.either(record(Delete.run(deleteOptions(join(dir, "none-Opportunity.csv")))))
      expect([deleted, printed.join("\n")]).toEqual([Either.right(0), expect.stringContaining("total       0")])
      expect(printed.join("\n")).not.toContain("is empty")
    }).pipe(Effect.provide(env)))
})

/** A delete of `file`'s rows, all Opportunities, over SOAP. */
const deleteOptions = (file: string): Delete.Options => ({
  file,
  format: file.endsWith(".csv") ? "csv" : "ndjson",
  type: Option.some("Opportunity"),
  chunkSize: 100,
  transport: "soap",
  report: Option.none(),
  journal: Option.none(),
  rateWindow: { calls: 100, millis: 20_000 },
  tty: false,
  maxFailures: 100,
  skipInvalid: false,
  reportColumns: "standard",
  command: `mktows delete ${file} --type Opportunity`,
  destination: testDestination
})

describe("a delete's NDJSON reference with nothing in it", () => {
  it.live("{} (or only a _tag) is INVALID as a row of no field, with or without --type, and never sent", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "refs.ndjson")
      writeFileSync(file, ["{}", `{"_tag": "Opportunity"}`, `{"type": "Opportunity"}`].join("\n"))
      const kit = yield* Testing.TestMarketo
      for (const type of [Option.some("Opportunity" as const), Option.none()]) {
        for (const transport of ["soap", "rest"] as const) {
          const report = join(dir, `report-${transport}-${Option.getOrElse(type, () => "any")}.ndjson`)
          const options: Delete.Options = {
            ...deleteOptions(file),
            type,
            transport,
            skipInvalid: true,
            report: Option.some({ file: report, format: "ndjson" })
          }
          const { record } = recording()
          expect(yield* Effect.either(record(Delete.run(options)))).toEqual(Either.right(1))
          const rows = readNdjson(report)
          expect(rows.map((row) => row["status"])).toEqual(["INVALID", "INVALID", "INVALID"])
          const noField = "no field: the line's object has none, so it names nothing to delete"
          expect(rows.slice(0, 2).map((row) => row["error"])).toEqual([noField, noField])
          // A type and nothing else names a type, not nothing: it lacks its id or key.
          expect(String(rows[2]?.["error"])).toMatch(/^id: no (id|external key)/)
        }
      }
      expect((yield* kit.stats).calls["deleteMObjects"] ?? 0).toBe(0)
    }).pipe(Effect.provide(env)))
})

describe("an empty input file", () => {
  it.live("sync, its dry run and delete of 0 bytes: zero rows, exit 0, and a note on stderr that the file is empty", () =>
    Effect.gen(function*() {
      const dir = scratch()
      for (const name of ["empty.csv", "empty.ndjson"]) {
        const file = join(dir, name)
        writeFileSync(file, "")
        const note = `mktows: note: ${file} is empty (0 bytes): no rows, so nothing is sent`
        for (const dryRun of [false, true]) {
          const synced = yield* sync(optionsFor(dir, file, { dryRun, report: Option.none() }))
          expect(synced.result).toEqual(Either.right(0))
          expect(synced.out.split("\n")).toContain(note)
        }
        const { out: printed, record } = recording()
        expect(yield* Effect.either(record(Delete.run(deleteOptions(file))))).toEqual(Either.right(0))
        expect(printed).toContain(note)
      }
      // A file of one empty line is not empty in bytes: no note.
      const line = join(dir, "line.ndjson")
      writeFileSync(line, "\n")
      expect((yield* sync(optionsFor(dir, line, { report: Option.none() }))).out).not.toContain("is empty")
    }).pipe(Effect.provide(env)))
})

describe("an export of get, synced back unchanged", () => {
  it.live("every row UPDATED or UNCHANGED, nothing created: keys of several names, read-only columns, formulas", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const client = yield* MarketoClient.MarketoClient
      const prefix = "ROUND-"
      yield* Effect.orDie(client.syncMObjects(
        [
          Opportunity.make({ name: "=1+1", stage: prefix, externalKey: { name: "externalId", value: `${prefix}1` } }),
          Opportunity.make({
            name: "-5 off",
            stage: prefix,
            amount: 12.5,
            isWon: true,
            closeDate: new Date("2026-03-31"),
            externalKey: { name: "externalOpportunityId", value: `${prefix}2` }
          }),
          Opportunity.make({ name: "keyless", stage: prefix, customFields: { Region: "EMEA" } })
        ],
        "INSERT"
      ))
      const stored = Effect.map(
        Effect.orDie(Stream.runCollect(client.getMObjects({ type: "Opportunity" }))),
        (all) => all.length
      )
      const before = yield* stored
      const out = join(dir, "export.csv")
      const get = yield* recording().record(Reads.get({
        type: "Opportunity",
        criteria: [{ attrName: "Stage", comparison: "EQ", attrValue: prefix }],
        associations: [],
        includeDetails: false,
        out,
        format: "csv",
        journal: Option.none(),
        destination: testDestination
      }))
      expect(get).toBe(0)
      const header = (readFileSync(out, "utf8").split("\n")[0] ?? "").split(",")
      expect(header).toEqual(expect.arrayContaining([
        "createdAt",
        "updatedAt",
        "externalKey.externalId",
        "externalKey.externalOpportunityId"
      ]))
      const report = join(dir, "report.ndjson")
      const synced = yield* sync(
        optionsFor(dir, out, { operation: "UPSERT", report: Option.some({ file: report, format: "ndjson" }) })
      )
      expect(synced.result, synced.out).toEqual(Either.right(0))
      const statuses = readNdjson(report).map((row) => row["status"])
      expect(statuses.length).toBe(3)
      expect(statuses.every((status) => status === "UPDATED" || status === "UNCHANGED"), String(statuses)).toBe(true)
      expect(yield* stored).toBe(before)
      // Said once, as a note: not a problem of any row.
      expect(synced.out.match(/note: 2 column\(s\) of fields Marketo writes itself/g)?.length).toBe(1)
    }).pipe(Effect.provide(env)))
})

describe("get --journal", () => {
  it.live("resumes only from a record it wrote, over the output it left: anything else is refused, nothing cut", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const client = yield* MarketoClient.MarketoClient
      yield* Effect.orDie(client.syncMObjects(
        Array.from({ length: 150 }, (_, i) => Opportunity.make({ name: `Resume ${i}` })),
        "INSERT"
      ))
      const out = join(dir, "all.ndjson")
      const journal = join(dir, "get.journal")
      const get = exportAll(out, "ndjson", journal)
      expect(yield* Effect.orDie(get)).toBe(0)
      const written = readFileSync(out, "utf8")
      const complete = readFileSync(journal, "utf8")
      // Run again once complete: nothing to do, nothing touched, and said so.
      const { out: printed, record } = recording()
      expect(yield* Effect.orDie(record(get))).toBe(0)
      expect(printed.join("\n")).toMatch(/this export is complete \(\d+ Opportunity object\(s\) in .*\); nothing to do/)
      expect([readFileSync(out, "utf8"), readFileSync(journal, "utf8")]).toEqual([written, complete])
      // The journal as an export stopped after its last page left it (without the record of completion).
      const lines = complete.split("\n").slice(0, -2).join("\n") + "\n"
      expect(lines.length).toBeLessThan(complete.length)
      const refused = (expected: RegExp) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(get)
          expect(error._tag === "Stop" ? [error.code, error.detail] : error).toEqual([
            2,
            expect.stringMatching(expected)
          ])
        })
      // A last record with a checksum but not of this version's shape (a negative size).
      writeFileSync(journal, lines + Journal.encodeLine({ position: "p", bytes: -1, objects: 0 }))
      yield* refused(/its last record is not one this mktows writes/)
      expect(readFileSync(out, "utf8")).toBe(written)
      // The output cut short since (or replaced): cutting it to the journal's size would pad it.
      writeFileSync(journal, lines)
      writeFileSync(out, written.slice(0, 10))
      yield* refused(/holds 10 bytes, but the journal recorded \d+ written/)
      expect(readFileSync(out, "utf8")).toBe(written.slice(0, 10))
      // A CSV export's record must name its columns so far: one without them would drop them.
      const csvJournal = join(dir, "csv.journal")
      const csv = exportAll(join(dir, "all.csv"), "csv", csvJournal)
      expect(yield* Effect.orDie(csv)).toBe(0)
      writeFileSync(
        csvJournal,
        readFileSync(csvJournal, "utf8") + Journal.encodeLine({ position: "p", bytes: 0, objects: 0 })
      )
      const error = yield* Effect.flip(csv)
      expect(error._tag === "Stop" ? [error.code, error.detail] : error).toEqual([
        2,
        expect.stringMatching(/its last record is not one this mktows writes/)
      ])
    }).pipe(Effect.provide(env)))
})

describe("get --journal reused against another Marketo", () => {
  /** An export of 150 Opportunities, stopped after its first page (100): its journal and its output then. */
  const stopped = Effect.gen(function*() {
    const dir = scratch()
    const client = yield* MarketoClient.MarketoClient
    yield* Effect.orDie(client.syncMObjects(
      Array.from({ length: 150 }, (_, i) => Opportunity.make({ name: `Elsewhere ${i}` })),
      "INSERT"
    ))
    const out = join(dir, "all.ndjson")
    const journal = join(dir, "get.journal")
    expect(yield* Effect.orDie(recording().record(exportAll(out, "ndjson", journal)))).toBe(0)
    const records = readFileSync(journal, "utf8").split("\n").filter((text) => text.length > 0)
    // The header, a record per page, the record of completion.
    expect(records.length).toBe(4)
    expect(Journal.decodeLine(records[0] ?? "")).toMatchObject({ destination: testDestination })
    const mark = Journal.decodeLine(records[1] ?? "") as { readonly bytes: number }
    writeFileSync(journal, `${records.slice(0, 2).join("\n")}\n`)
    const complete = readFileSync(out, "utf8")
    writeFileSync(out, complete.slice(0, mark.bytes))
    return { out, journal, complete }
  })

  const getCalls = Effect.map(
    Effect.flatMap(Testing.TestMarketo, (kit) => kit.stats),
    (stats) => stats.calls["getMObjects"] ?? 0
  )

  it.live("is refused before anything is read, as sync's journal is: exit 2, nothing written, even once complete", () =>
    Effect.gen(function*() {
      const { complete, journal, out } = yield* stopped
      const kept = [readFileSync(out, "utf8"), readFileSync(journal, "utf8")]
      const calls = yield* getCalls
      for (
        const destination of [
          { ...testDestination, endpoint: "memory://another/soap" },
          { transport: "rest", endpoint: testDestination.endpoint, user: "test" }
        ] as const
      ) {
        const error = yield* Effect.flip(recording().record(exportAll(out, "ndjson", journal, destination)))
        expect(error._tag).toBe("JournalError")
        expect(MktowsCli.exitCode(error)).toBe(2)
        expect(error.message).toBe(
          `journal ${journal}: it belongs to a job sent to SOAP memory://emulator/soap (user id test), and this run goes to ${
            Journal.describeDestination(destination)
          }: its outcomes are that Marketo's, not this one's, so nothing was sent. To start a fresh job there, run the command with a new --journal path (or remove this journal); to continue the old job, point the command back at where it went.`
        )
        expect(yield* getCalls).toBe(calls)
        expect([readFileSync(out, "utf8"), readFileSync(journal, "utf8")]).toEqual(kept)
      }
      // Another API user of the same instance reads the same objects: the export resumes.
      const sameInstance = { ...testDestination, user: "another-api-user" }
      expect(yield* Effect.orDie(recording().record(exportAll(out, "ndjson", journal, sameInstance)))).toBe(0)
      expect(readFileSync(out, "utf8")).toBe(complete)
      // Complete, it is still refused elsewhere rather than said to be complete there.
      const elsewhere = { ...testDestination, endpoint: "memory://another/soap" }
      const error = yield* Effect.flip(recording().record(exportAll(out, "ndjson", journal, elsewhere)))
      expect(error._tag).toBe("JournalError")
    }).pipe(Effect.provide(env)))

  it.live("a journal of an older mktows, with no destination, resumes with the warning sync's journal gives", () =>
    Effect.gen(function*() {
      const { complete, journal, out } = yield* stopped
      const [header, ...rest] = readFileSync(journal, "utf8").split("\n")
      const { job } = Journal.decodeLine(header ?? "") as { readonly job: unknown }
      writeFileSync(journal, [Journal.encodeLine({ job }).trimEnd(), ...rest].join("\n"))
      const { out: printed, record } = recording()
      expect(yield* Effect.orDie(record(exportAll(out, "ndjson", journal)))).toBe(0)
      expect(printed).toContain(
        `mktows: warning: journal ${journal} was started by an older mktows, which did not record where its job was sent: it cannot be checked that this run goes to the same Marketo (this run: SOAP memory://emulator/soap (user id test)). If that job went to another instance or transport, stop now and start with a new --journal.`
      )
      // Resumed after its first page: every object once.
      expect(readFileSync(out, "utf8")).toBe(complete)
    }).pipe(Effect.provide(env)))
})

describe("a row the transport answers without sending it (not sent: …)", () => {
  it.live("is FAILED and not counted as sent; the job's last words say what to change, not a bare retry", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "programs.csv")
      // Over REST a program's channel cannot change: 1970 is a Trade Show.
      writeFileSync(file, "id,tags.0.type,tags.0.value\n1970,Channel,Webinar\n1002,Region,APAC\n")
      const options = optionsFor(dir, file, {
        type: "Program",
        operation: "UPDATE",
        transport: "rest",
        journal: Option.some(join(dir, "job.journal")),
        command: `mktows sync ${file} --type Program --operation UPDATE --journal ${join(dir, "job.journal")}`
      })
      const run = yield* sync(options)
      expect(run.result).toEqual(Either.right(1))
      const report = readNdjson(join(dir, "report.ndjson"))
      expect(report.map((row) => row["status"])).toEqual(["FAILED", "UPDATED"])
      expect(report[0]?.["error"]).toMatch(/^not sent: REST cannot change a program's channel/)
      expect(run.out).toMatch(
        /^sent 1 row\(s\) in [\d.]+ s( \([\d,]+ sent\/s\))?; 1 not sent \(1 FAILED before their call went out\)$/m
      )
      expect(run.out).toContain(
        "mktows: 1 row(s) FAILED without being sent: the transport refused them before their call, so nothing of them reached Marketo. The first, line 2: not sent: REST cannot change a program's channel"
      )
      expect(run.out).toContain("Each one's reason, in the report, says what to change")
      expect(run.out).not.toContain("Once the cause is fixed")
    }).pipe(Effect.provide(Layer.merge(Testing.layerRestClient(), NodeFileSystem.layer))))
})

describe("a refusal at send time", () => {
  it.live("is that row's INVALID outcome with its reason; the rest of its chunk is still sent", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const file = join(dir, "rows.ndjson")
      writeFileSync(file, "a\nb\nc\n")
      const delivered: Array<string> = []
      const rows: Job.Work<string>["rows"] = () =>
        Stream.make(
          { line: 1, record: 1, valid: true as const, object: "A" },
          { line: 2, record: 2, valid: true as const, object: "B" },
          { line: 3, record: 3, valid: true as const, object: "C" }
        )
      const work: Job.Work<string> = {
        job: { command: "sync", type: "Opportunity", operation: "INSERT" },
        bytes: Stream.make(new TextEncoder().encode("a\nb\nc\n")),
        rows,
        inputColumns: Effect.succeed("json"),
        // The transport refuses B before anything of its call is sent, as the client does.
        send: (objects) =>
          objects.includes("B")
            ? Effect.fail(
              new MarketoError.ValidationError({
                issues: [{
                  index: objects.indexOf("B"),
                  path: ["externalKey"],
                  message: "REST identifies Opportunity by externalOpportunityId"
                }]
              })
            )
            : Effect.sync(() => {
              delivered.push(...objects)
              return objects.map((input, index) => ({ index, input, status: "CREATED" as const, id: index + 1 }))
            }),
        reconcile: () => Effect.succeed("send"),
        inDoubt: sentAgain
      }
      const options = optionsFor(dir, file, { chunkSize: 3 })
      const { out, record } = recording()
      const code = yield* record(Job.run<string, never>(work, options))
      expect(code).toBe(1)
      expect(delivered).toEqual(["A", "C"])
      // Said where the run is watched, not only in the report, and not counted as sent.
      const printed = out.join("\n")
      expect(printed).toContain(
        "line 2: refused, not sent: externalKey: REST identifies Opportunity by externalOpportunityId"
      )
      expect(printed).toMatch(/^sent 2 row\(s\) in [\d.]+ s( \([\d,]+ sent\/s\))?; 1 not sent \(1 invalid\)$/m)
      const report = readNdjson(join(dir, "report.ndjson"))
      expect(report.map((row) => [row["line"], row["status"]])).toEqual([[1, "CREATED"], [2, "INVALID"], [
        3,
        "CREATED"
      ]])
      expect(report[1]?.["error"]).toBe("externalKey: REST identifies Opportunity by externalOpportunityId")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
