/**
 * How close `mktows sync` comes to the floor Marketo's rate limit sets, and how much
 * memory it takes, against the emulator enforcing Marketo's limits.
 *
 * ```
 * pnpm bench:cli                 # 20,000 rows
 * pnpm bench:cli --rows 100000   # about 180 s
 * pnpm bench:cli --rows 1000000 --dry-run   # the first pass only: memory at scale
 * pnpm bench:cli --rows 1000000 --unlimited # synced and reported, without the 33 min of rate window
 * ```
 *
 * N rows make ceil(N / 100) calls; with at most 100 calls in any 20 s window (counted from
 * each call's end), call 101 cannot start until 20 s after the first one ended, so the floor
 * is 20 s per 100 calls after the first hundred, plus the time of the last calls. Prints the
 * elapsed time, that floor, the ratio, the count of 20023/20024 faults (must be 0) and the
 * command's peak resident memory (its VmHWM, sampled from /proc).
 *
 * `--unlimited` runs the emulator without Marketo's limits and the command with its rate
 * limit raised (`--rate-limit 1000000/1`): the time is then the emulator's and the
 * command's, and what counts is the memory, and that the report holds each line once.
 */
import * as Emulator from "@mktows/emulator/Emulator"
import * as Effect from "effect/Effect"
import { createReadStream, createWriteStream } from "node:fs"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { run, scratch } from "../test/helpers/mktows.js"

const { values } = parseArgs({
  options: { rows: { type: "string" }, "dry-run": { type: "boolean" }, unlimited: { type: "boolean" } }
})
const rows = Number(values.rows ?? "20000")
const unlimited = values.unlimited === true
// A dry run streams the whole file through reading and checking (the first pass), sending
// nothing: the memory of a 1,000,000-row file without the hours of rate-limited calls.
const dryRun = values["dry-run"] === true

const writeRows = (file: string, count: number) =>
  Effect.async<void>((resume) => {
    const out = createWriteStream(file)
    let i = 0
    const write = () => {
      let ok = true
      while (i < count && ok) {
        i++
        ok = out.write(
          `{"name":"Bench ${i}","amount":${
            i % 1000
          },"closeDate":"2026-06-30","externalKey":{"name":"externalId","value":"BENCH-${i}"}}\n`
        )
      }
      if (i < count) out.once("drain", write)
      else out.end(() => resume(Effect.void))
    }
    write()
  })

/** The report read back: how many rows, and whether each input line has exactly one, CREATED. */
const checkReport = (file: string, count: number) =>
  Effect.promise(async () => {
    // One bit per line: the check must not take the memory it measures elsewhere.
    const seen = new Uint8Array(Math.ceil((count + 1) / 8))
    let reported = 0
    let repeated = 0
    let outside = 0
    let notCreated = 0
    for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (text.length === 0) continue
      const row = JSON.parse(text) as { readonly line: number; readonly status: string }
      reported++
      if (row.status !== "CREATED") notCreated++
      if (!Number.isInteger(row.line) || row.line < 1 || row.line > count) {
        outside++
        continue
      }
      const bit = 1 << (row.line & 7)
      if (((seen[row.line >> 3] ?? 0) & bit) !== 0) repeated++
      seen[row.line >> 3] = (seen[row.line >> 3] ?? 0) | bit
    }
    return { reported, repeated, outside, notCreated }
  })

const main = Effect.gen(function*() {
  const emulator = yield* Emulator.make({ enforceLimits: !unlimited, dailyQuota: 1_000_000 })
  const dir = scratch()
  const file = join(dir, "rows.ndjson")
  yield* writeRows(file, rows)
  const report = join(dir, "report.ndjson")
  const started = Date.now()
  const result = yield* Effect.promise(() =>
    run([
      "sync",
      file,
      "--type",
      "Opportunity",
      "--operation",
      "INSERT",
      "--report",
      report,
      ...(dryRun ? ["--dry-run"] : []),
      ...(unlimited ? ["--rate-limit", "1000000/1"] : [])
    ], {
      env: {
        MARKETO_SOAP_ENDPOINT: emulator.url,
        MARKETO_USER_ID: "demo17_1_809934544BFABAE58E5D27",
        MARKETO_ENCRYPTION_KEY: "27272727aa"
      }
    })
  )
  const wall = (Date.now() - started) / 1000
  const stats = yield* emulator.stats
  const calls = Math.ceil(rows / 100)
  const floor = 20 * Math.floor((calls - 1) / 100)
  const reported = /sent [\d,]+ row\(s\) in ([\d.]+) s/.exec(result.stdout)
  const job = reported === null ? wall : Number(reported[1])
  const reportCheck = dryRun ? undefined : yield* checkReport(report, rows)
  console.log(result.stdout)
  console.log(
    [
      `rows: ${rows}, calls: ${calls}, exit code: ${result.code}`,
      `job time (as the command reports it): ${job.toFixed(1)} s; wall time with process start: ${wall.toFixed(1)} s`,
      `rate-limit floor: ${floor} s plus the last calls; job / floor: ${floor > 0 ? (job / floor).toFixed(3) : "n/a"}`,
      `faults 20023: ${stats.faults["20023"] ?? 0}, 20024: ${stats.faults["20024"] ?? 0}`,
      ...(reportCheck === undefined ? [] : [
        `report: ${reportCheck.reported} row(s) for ${rows} line(s); repeated: ${reportCheck.repeated}, ` +
        `outside the input: ${reportCheck.outside}, not CREATED: ${reportCheck.notCreated}`
      ]),
      `stored in the emulator: ${stats.stored["Opportunity"] ?? 0} Opportunity object(s)`,
      `peak RSS of mktows: ${(result.peakRss / 1024 / 1024).toFixed(1)} MiB`
    ].join("\n")
  )
})

Effect.runPromise(Effect.scoped(main)).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
