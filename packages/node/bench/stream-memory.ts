/**
 * Memory of `MarketoClient.syncStream` at volume: peak RSS above the process's baseline while
 * `--rows` Opportunities stream through the real client (validation, mapping, chunking,
 * limiter, retries, pairing, metrics) over a fake transport that answers every call at once
 * with one status per object. Only the client's own memory is measured: no server keeps the
 * objects, and the input is generated as it is pulled.
 *
 * The baseline is taken after a warm-up stream of 10,000 objects (code compiled, pools
 * allocated); RSS is sampled every 1,000 outcomes. The peak above the baseline is printed at
 * 100k, 300k and at the end, then one JSON line (the last line) for the benchmark runner:
 * `{"rows":…,"baselineMiB":…,"peakAboveBaselineMiB":{"100000":…,…},"peakHeapAboveBaselineMiB":…,
 * "liveHeapAfterGcMiB":{"100000":…,…},"seconds":…,"wrongOutcomes":0}` (an outcome out of order or not
 * UPDATED counts as wrong). Run with `node --expose-gc` (as `bench:all` does), the baseline is taken
 * after a full collection and each checkpoint also collects and prints the live heap above the
 * baseline: what the stream really holds, as against the peak, which is V8's heap growth policy.
 *
 * It measures in plain Node, as a user's process runs the compiled packages: started through
 * tsx, it compiles itself (esbuild, packages left external, so `@mktows/*` is the compiled
 * `dist/`) and runs that in a child `node`. Under tsx the loader's own heap (tens of MiB of
 * transform caches) is part of what V8 sizes its heap by, and V8 then lets the heap grow further
 * before a full collection: the same client peaked at 61–72 MiB above the baseline under tsx and
 * at 46–57 MiB in plain Node (300k and 1M objects, 2026-12-06). With `--conditions=source` it runs
 * in place, under tsx.
 *
 * Usage: `tsx packages/node/bench/stream-memory.ts [--rows 1000000] [--floor]` (the compiled code:
 * `pnpm build` first; add `--conditions=source` for the sources)
 * (`--floor`: the same input through a bare stream of the same shape, without the client)
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import type { MarketoTransportShape } from "@mktows/core/MarketoTransport"
import { Opportunity } from "@mktows/core/Opportunity"
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { spawnSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { codeUnderTest, refusesStaleBuild, runsSources } from "./support/code.js"

const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? undefined : Number(process.argv[at + 1])
  return value !== undefined && Number.isSafeInteger(value) && value > 0 ? value : fallback
}

const rows = flag("rows", 1_000_000)
const checkpoints = [100_000, 300_000].filter((n) => n < rows).concat([rows])
const mib = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10

// One status per object sent, after a few scheduler turns (so calls overlap like real ones).
const transport: MarketoTransportShape = {
  maxObjectsPerCall: 100,
  call: (operation, params) =>
    Effect.as(
      Effect.repeatN(Effect.yieldNow(), 3),
      (operation === "syncMObjects"
        ? {
          mObjStatusList: (params as Wire.ParamsSyncMObjects).mObjectList.map((o): Wire.MObjStatus => ({
            id: o.id ?? 0,
            status: "UPDATED"
          }))
        }
        : { objects: [] }) as unknown as Wire.ResultOf<typeof operation>
    )
}

const opportunities = (n: number) =>
  Stream.map(Stream.range(1, n, 1_000), (i) =>
    // Built without re-validation, as a loader that reads trusted rows would: the client
    // validates every object before sending anyway.
    new Opportunity({ id: i, name: `Deal ${i}`, amount: i % 10_000, stage: "Prospecting" }, true))

const program = Effect.gen(function*() {
  // No rate limit: 10,000 calls would otherwise wait 2,000 s for Marketo's window.
  const client = yield* MarketoClient.make({ rateLimit: { calls: 1e9 } })
  // `--floor`: the same input through a bare pipeline of the same shape (chunks of 100, ten
  // at a time, one outcome per object), without the client: what the harness itself costs.
  const sync: (
    input: Stream.Stream<Opportunity>
  ) => Stream.Stream<{ readonly index: number; readonly status: string }, unknown> = process.argv.includes("--floor")
    ? (input: Stream.Stream<Opportunity>) =>
      input.pipe(
        Stream.grouped(100),
        Stream.mapEffect((chunk) =>
          Effect.as(
            Effect.repeatN(Effect.yieldNow(), 3),
            Array.from(chunk, (input, i) => ({ index: i, input, status: "UPDATED" as const, id: input.id }))
          ), { concurrency: 10 }),
        Stream.flattenIterables,
        Stream.mapAccum(0, (n, o) => [n + 1, { ...o, index: n }] as const)
      )
    : (input) => client.syncStream("UPSERT")(input)
  yield* Stream.runDrain(sync(opportunities(10_000)))
  globalThis.gc?.()
  const baseline = process.memoryUsage.rss()
  const started = performance.now()
  let peak = baseline
  const baselineHeap = process.memoryUsage().heapUsed
  let peakHeap = baselineHeap
  let seen = 0
  let wrong = 0
  const at: Record<string, number> = {}
  const retained: Record<string, number> = {}
  const next = [...checkpoints]
  yield* Stream.runForEach(sync(opportunities(rows)), (outcome) =>
    Effect.sync(() => {
      seen++
      if (outcome.status !== "UPDATED" || outcome.index !== seen - 1) wrong++
      if (seen % 1_000 === 0 || seen === rows) {
        const memory = process.memoryUsage()
        peak = Math.max(peak, memory.rss)
        peakHeap = Math.max(peakHeap, memory.heapUsed)
        if (seen === next[0]) {
          next.shift()
          at[String(seen)] = mib(peak - baseline)
          // What the stream still holds, garbage collected: flat when nothing accumulates.
          const gc = globalThis.gc
          if (gc !== undefined) {
            gc()
            retained[String(seen)] = mib(process.memoryUsage().heapUsed - baselineHeap)
          }
          console.log(
            `${seen} objects: peak RSS ${mib(peak - baseline)} MiB above the baseline${
              gc === undefined ? "" : `, live heap after GC ${retained[String(seen)]} MiB above it`
            }`
          )
        }
      }
    }))
  const seconds = Math.round((performance.now() - started) / 100) / 10
  console.log(
    JSON.stringify({
      rows,
      baselineMiB: mib(baseline),
      peakAboveBaselineMiB: at,
      peakHeapAboveBaselineMiB: mib(peakHeap - baselineHeap),
      liveHeapAfterGcMiB: retained,
      seconds,
      wrongOutcomes: wrong
    })
  )
})

/** Set in the plain-Node child this script starts of itself. */
const plainChild = "MKTOWS_STREAM_MEMORY_PLAIN"

/** This script compiled to plain JavaScript and run by `node`, with the same arguments. */
const inPlainNode = async (): Promise<number> => {
  const here = fileURLToPath(import.meta.url)
  // Beside the script, so that its bare imports resolve from this package as they do here.
  const out = join(dirname(here), ".compiled", "stream-memory.mjs")
  mkdirSync(dirname(out), { recursive: true })
  const esbuild = await import("esbuild")
  await esbuild.build({
    entryPoints: [here],
    outfile: out,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    logLevel: "error"
  })
  const child = spawnSync(
    process.execPath,
    [...(typeof globalThis.gc === "function" ? ["--expose-gc"] : []), out, ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, [plainChild]: "1" } }
  )
  return child.status ?? 1
}

const run = () =>
  Effect.runPromise(program.pipe(Effect.provide(Layer.succeed(MarketoTransport, transport)))).catch((error) => {
    console.error(error)
    process.exitCode = 1
  })

if (process.env[plainChild] === "1" || runsSources) {
  if (process.env[plainChild] !== "1") console.log(`stream-memory: ${codeUnderTest}, under tsx`)
  void run()
} else if (!refusesStaleBuild("stream-memory")) {
  console.log(`stream-memory: ${codeUnderTest}, in plain Node`)
  void inPlainNode().then((status) => {
    process.exitCode = status
  })
}
