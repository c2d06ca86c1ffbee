/**
 * The emulator's cost per object, the two figures of issues #14 and #23:
 *
 * - server CPU per object synced: the emulator in its own process (`bench/server.ts`, its
 *   store pre-filled to 1k, 10k, 100k and 1M opportunities), driven from this process by
 *   signed syncMObjects UPSERTs of 100 new Opportunities per call, 10 calls at once, over
 *   HTTP; the figure is the server process's own CPU time (user + system, read over IPC)
 *   per object, the median of several segments after a warm-up;
 * - live heap per stored object: a store in this process filled through the real request
 *   decoder (so it keeps the strings a server keeps) to the same sizes, `heapUsed` after a
 *   full collection, above the empty store, per object.
 *
 * A script, not a test: it asserts only that every call answered 100 CREATED (a wrong
 * answer would make the numbers meaningless). `--quick` runs 1k and 10k with fewer rounds,
 * for smoke runs. The last line printed is the figures as JSON, for `pnpm bench:all`.
 *
 *   pnpm bench:emulator [--quick] [--sizes 1000,10000] [--skip-heap] [--skip-http] [--cpu-prof-dir DIR] [--server FILE]
 *     [--compiled] [--baseline DIR] [--segments N]
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Effect from "effect/Effect"
import { type ChildProcess, fork } from "node:child_process"
import { createHmac } from "node:crypto"
import { loadavg } from "node:os"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { codeUnderTest, refusesStaleBuild, runsSources } from "../../node/bench/support/code.js"
import type * as SeedInternal from "../src/internal/seed.js"
import type { Call, Store } from "../src/internal/store.js"
import type * as StoreInternal from "../src/internal/store.js"
import type * as SeedModule from "../src/Seed.js"

// The same code as this process measures (see node/bench/support/code.ts): the compiled dist/
// by default, the sources under --conditions=source.
const code = runsSources ? "../src" : "../dist"
const { fromSeed }: typeof SeedInternal = await import(`${code}/internal/seed.js`)
const { makeStore }: typeof StoreInternal = await import(`${code}/internal/store.js`)
const Seed: typeof SeedModule = await import(`${code}/Seed.js`)

const quick = process.argv.includes("--quick")
const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(name)
  return at === -1 ? undefined : process.argv[at + 1]
}
const sizes = (flag("--sizes") ?? (quick ? "1000,10000" : "1000,10000,100000,1000000")).split(",").map(Number)
const batch = 100
// `--server FILE`: another server script (an older emulator's copy of server.ts, to compare).
const serverScript = flag("--server") ?? new URL("./server.ts", import.meta.url).pathname
// `--cpu-prof-dir DIR`: the server process writes a CPU profile of the measured rounds there.
const profileDir = flag("--cpu-prof-dir")
// The server runs the same code as this process (compiled dist/ unless --conditions=source);
// `--compiled`: the compiled emulator even when this process runs the sources. `--baseline DIR`: a copy of an older compiled dist/ runs beside it, interleaved (for
// instance `mkdir -p packages/emulator/bench/.baseline && cp -r packages/emulator/dist
// packages/emulator/bench/.baseline/` before a change, then `--baseline
// packages/emulator/bench/.baseline/dist`; the copy must sit under packages/emulator so it finds
// the same dependencies, and in a directory named dist so lint leaves it alone).
const distOf = (dir: string) => ({ _tag: "Dist", dir: new URL(dir, `file://${process.cwd()}/`).pathname } as const)
const server = process.argv.includes("--compiled") || !runsSources
  ? distOf(new URL("../dist", import.meta.url).pathname)
  : ({ _tag: "Sources" } as const)
const baselineDir = flag("--baseline")
const baseline = baselineDir === undefined ? undefined : distOf(baselineDir)
const concurrency = 10
const warmupRounds = quick ? 5 : 20
// `--segments N`: more measured segments, for comparing changes of a few per cent.
const segments = Number(flag("--segments") ?? (quick ? 3 : 7))
const roundsPerSegment = quick ? 4 : 10

const userId = "demo17_1_809934544BFABAE58E5D27"
const encryptionKey = "27272727aa"

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ")
const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const opportunity = (key: string, i: number): Wire.MObject => ({
  type: "Opportunity",
  externalKey: { name: "opportunityId", value: key },
  attribList: [
    { name: "Name", value: `Bench deal ${i}` },
    { name: "Amount", value: String(1000 + i) },
    { name: "Stage", value: "Prospecting" }
  ],
  associationList: [{ mObjType: "Company", externalKey: { name: "companyId", value: "COMP-1" } }]
})

// node:crypto here: the bench's own signing should cost the client as little as possible.
const header = (): Wire.AuthenticationHeaderInfo => {
  const requestTimestamp = Signature.formatTimestamp(Date.now())
  const requestSignature = createHmac("sha1", encryptionKey).update(requestTimestamp + userId).digest("hex")
  return { mktowsUserId: userId, requestSignature, requestTimestamp }
}

/** A signed UPSERT of 100 new opportunities, keys `${prefix}-${k}`. */
const upsertBody = (auth: Wire.AuthenticationHeaderInfo, prefix: string, from: number): string =>
  SoapCodec.encodeRequest("syncMObjects", auth, {
    operation: "UPSERT",
    mObjectList: Array.from({ length: batch }, (_, k) => opportunity(`${prefix}-${from + k}`, from + k))
  })

// ---------------------------------------------------------------------------------------
// Live heap per stored object

setFlagsFromString("--expose-gc")
const gc = (globalThis as { gc?: () => void }).gc ?? (runInNewContext("gc") as () => void)
const heapUsed = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** A store filled with `count` opportunities through the request decoder, 100 per call. */
const fill = (store: Store, auth: Wire.AuthenticationHeaderInfo, prefix: string, from: number, to: number) =>
  Effect.gen(function*() {
    for (let at = from; at < to; at += batch) {
      const request = yield* SoapCodec.decodeRequest(upsertBody(auth, prefix, at))
      const answer = yield* store.call(request as Call)
      if (answer.operation !== "syncMObjects" || answer.result.mObjStatusList.some((s) => s.status !== "CREATED")) {
        return yield* Effect.dieMessage("an UPSERT was not CREATED")
      }
    }
  })

const heap = Effect.gen(function*() {
  const auth = header()
  // A throwaway store first, so code compiled on first use is not counted per object.
  yield* fill(yield* makeStore({ initial: fromSeed(Seed.defaultSeed), secret: "warm-up" }), auth, "WARM", 0, 2000)
  const store = yield* makeStore({ initial: fromSeed(Seed.defaultSeed), secret: "bench" })
  const before = heapUsed()
  const perObject: Record<string, number> = {}
  let stored = 0
  for (const size of [...sizes].sort((a, b) => a - b)) {
    yield* fill(store, auth, "HEAP", stored, size)
    stored = size
    perObject[size] = Math.round((heapUsed() - before) / stored)
    console.log(`  live heap per stored opportunity at ${String(size).padStart(8)}: ${perObject[size]} B`)
  }
  return perObject
})

// ---------------------------------------------------------------------------------------
// Server CPU per object over HTTP

/** How a server process runs: the emulator's sources (tsx), or a compiled dist/ directory. */
type From = { readonly _tag: "Sources" } | { readonly _tag: "Dist"; readonly dir: string }

const startServer = (prefill: number, from: From) =>
  new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    const child = fork(serverScript, [
      "--prefill",
      String(prefill),
      ...(from._tag === "Dist" ? ["--from", from.dir] : [])
    ], {
      execArgv: [
        "--import",
        "tsx",
        // The `source` condition runs every workspace package from its sources; without it
        // they are their compiled dist/ (what users run).
        ...(from._tag === "Dist" ? [] : ["--conditions=source"]),
        "--max-old-space-size=8192"
      ],
      stdio: ["ignore", "pipe", "inherit", "ipc"]
    })
    let out = ""
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const match = /listening on (\S+)/.exec(out)
      if (match !== null) resolve({ child, url: match[1]! })
    })
    child.once("exit", (code) => reject(new Error(`emulator exited (${code}): ${out}`)))
  })

const ask = <A>(child: ChildProcess, message: unknown) =>
  new Promise<A>((resolve) => {
    child.once("message", (m) => resolve(m as A))
    child.send(message as string)
  })

const serverCpu = (child: ChildProcess) => ask<{ cpu: number }>(child, "cpu").then((m) => m.cpu)

const countOf = (text: string, word: string) => {
  let n = 0
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) n++
  return n
}

const post = async (url: string, body: string): Promise<void> => {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "text/xml; charset=utf-8" }, body })
  const text = await response.text()
  return response.status === 200 && countOf(text, ">CREATED<") === batch
    ? undefined
    : Promise.reject(new Error(`unexpected answer (${response.status}): ${text.slice(0, 300)}`))
}

/** One server under measure: its process, and the calls it has been sent so far. */
interface Contender {
  readonly name: string
  readonly child: ChildProcess
  readonly url: string
  calls: number
  readonly figures: Array<number>
}

const auth = header()

/** A round of `concurrency` new bodies for `contender` (keys never repeat, so each object is CREATED). */
const roundFor = (contender: Contender, size: number) =>
  Array.from({ length: concurrency }, () => upsertBody(auth, `HTTP-${size}`, batch * contender.calls++))

const run = async (contender: Contender, bodies: ReadonlyArray<string>) => {
  await Promise.all(bodies.map((body) => post(contender.url, body)))
}

/** One measured segment of `contender`: its CPU per object over `roundsPerSegment` rounds. */
const segment = async (contender: Contender, size: number): Promise<number> => {
  // Bodies are built before the segment, so the server's figure holds only serving.
  const bodies = Array.from({ length: roundsPerSegment }, () => roundFor(contender, size))
  const cpu0 = await serverCpu(contender.child)
  for (const b of bodies) await run(contender, b)
  const cpu1 = await serverCpu(contender.child)
  return (cpu1 - cpu0) / (roundsPerSegment * concurrency * batch)
}

const segmentsText = (figures: ReadonlyArray<number>) => figures.map((f) => f.toFixed(1)).join(" ")

/**
 * Server CPU per object at store size `size`: the server under test, and with `--baseline
 * DIR` another compiled emulator beside it, their segments interleaved (order alternating),
 * so both meet the same load; the ratio is the median of per-segment ratios.
 */
const httpAt = async (size: number): Promise<{ cpu: number; ratio?: number }> => {
  const contenders: Array<Contender> = []
  try {
    for (
      const [name, from] of [
        ["emulator", server] as const,
        ...(baseline === undefined ? [] : [["baseline", baseline] as const])
      ]
    ) {
      const { child, url } = await startServer(size, from)
      contenders.push({ name, child, url, calls: 0, figures: [] })
    }
    for (const contender of contenders) {
      for (let r = 0; r < warmupRounds; r++) await run(contender, roundFor(contender, size))
    }
    const [subject] = contenders
    if (profileDir !== undefined) await ask(subject!.child, "profile")
    for (let s = 0; s < segments; s++) {
      for (const contender of s % 2 === 0 ? contenders : [...contenders].reverse()) {
        contender.figures.push(await segment(contender, size))
      }
    }
    if (profileDir !== undefined) {
      const to = `${profileDir}/emulator-${size}.cpuprofile`
      await ask(subject!.child, { profileTo: to })
      console.log(`  profile of the measured rounds: ${to}`)
    }
    const cpu = median(subject!.figures)
    console.log(
      `  server CPU per object synced, store at ${String(size).padStart(8)}: ${cpu.toFixed(1)} µs (segments ${
        segmentsText(subject!.figures)
      })`
    )
    const base = contenders[1]
    if (base === undefined) return { cpu }
    const ratio = median(subject!.figures.map((f, i) => f / base.figures[i]!))
    console.log(
      `    baseline: ${median(base.figures).toFixed(1)} µs (segments ${segmentsText(base.figures)}); ` +
        `emulator / baseline, median of per-segment ratios: ${ratio.toFixed(3)}`
    )
    return { cpu, ratio }
  } finally {
    for (const contender of contenders) contender.child.send("exit")
  }
}

const main = async () => {
  console.log(`emulator bench${quick ? " (quick)" : ""}: ${codeUnderTest}; load average ${load()}`)
  if (refusesStaleBuild("bench:emulator")) return
  const cpu: Record<string, number> = {}
  const ratios: Record<string, number> = {}
  if (!process.argv.includes("--skip-http")) {
    console.log(`server CPU: UPSERT of ${batch} Opportunities per call, ${concurrency} at once, over HTTP`)
    for (const size of sizes) {
      const measured = await httpAt(size)
      cpu[size] = Number(measured.cpu.toFixed(1))
      if (measured.ratio !== undefined) ratios[size] = Number(measured.ratio.toFixed(3))
    }
  }
  const heapFigures = process.argv.includes("--skip-heap")
    ? {}
    : await (console.log("live heap:"), Effect.runPromise(heap))
  console.log(JSON.stringify({
    bench: "emulator",
    quick,
    load: loadavg().map((l) => Number(l.toFixed(2))),
    serverCpuMicrosPerObject: cpu,
    ...(baseline === undefined ? {} : { serverCpuRatioToBaseline: ratios }),
    heapBytesPerObject: heapFigures,
    // Issue #23: 30 µs per object at 100k stored; issue #14: 400 B per stored object.
    goals: { serverCpuMicrosPerObject: 30, heapBytesPerObject: 400 }
  }))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
