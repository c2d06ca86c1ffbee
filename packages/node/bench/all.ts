/**
 * Every benchmark the project keeps, in one go (`pnpm bench:all`), each in a process of its
 * own, then one summary table with the goal beside each figure (Markdown, to paste into the
 * README): issue #23's goals, and issue #14's where #23 sets none:
 *
 * - compare.ts: mktows vs node-soap vs raw POST vs hand-written, canned server and emulator;
 * - steps.ts: CPU per step of one 100-object call and of one getMObjects page vs the floor;
 * - startup.ts: start-up of the compiled bins (needs `pnpm build`);
 * - when present: packages/node/bench/client-cpu.ts, stream-memory.ts (1M objects through
 *   syncStream), packages/emulator/bench/emulator.bench.ts (server CPU and heap per object),
 *   packages/emulator/bench/floor.bench.ts (the floor under the emulator: a server parsing with
 *   fast-xml-parser and checking nothing).
 *
 * Each script prints its own figures (shown here indented) and, as its last line, JSON that
 * this runner reads. `--quick` runs each in its smallest mode (the smoke test does that).
 * A script that fails is reported and the others still run; the exit code is then 1.
 *
 * Usage: `pnpm bench:all [--quick] [--only compare,steps,steps-emulator,startup,client-cpu,stream-memory,stream-memory-floor,emulator,emulator-floor]`
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { repoRoot, tsxArgs } from "./support/children.js"
import { codeUnderTest, refusesStaleBuild } from "./support/code.js"
import { load, quick } from "./support/stats.js"

interface Script {
  readonly name: string
  readonly path: string
  readonly node?: ReadonlyArray<string>
  readonly args: ReadonlyArray<string>
  readonly quickArgs: ReadonlyArray<string>
  /** Ours must exist; the others' run when present. */
  readonly required: boolean
}

const scripts: ReadonlyArray<Script> = [
  { name: "compare", path: "packages/node/bench/compare.ts", args: [], quickArgs: ["--quick"], required: true },
  { name: "steps", path: "packages/node/bench/steps.ts", args: [], quickArgs: ["--quick"], required: true },
  {
    name: "steps-emulator",
    path: "packages/node/bench/steps.ts",
    args: ["--emulator"],
    quickArgs: ["--quick", "--emulator"],
    required: true
  },
  { name: "startup", path: "packages/node/bench/startup.ts", args: [], quickArgs: ["--quick"], required: true },
  {
    name: "client-cpu",
    path: "packages/node/bench/client-cpu.ts",
    args: [],
    quickArgs: ["--rounds", "2", "--calls", "20"],
    required: false
  },
  {
    name: "stream-memory",
    path: "packages/node/bench/stream-memory.ts",
    node: ["--expose-gc"],
    args: ["--rows", "1000000"],
    quickArgs: ["--rows", "20000"],
    required: false
  },
  {
    // The same stream shape without the client: what the harness and V8 cost on their own.
    name: "stream-memory-floor",
    path: "packages/node/bench/stream-memory.ts",
    node: ["--expose-gc"],
    args: ["--rows", "1000000", "--floor"],
    quickArgs: ["--rows", "20000", "--floor"],
    required: false
  },
  {
    name: "emulator",
    path: "packages/emulator/bench/emulator.bench.ts",
    node: ["--expose-gc"],
    args: [],
    quickArgs: ["--quick"],
    required: false
  },
  {
    // The least any server parsing with fast-xml-parser spends, beside the emulator.
    name: "emulator-floor",
    path: "packages/emulator/bench/floor.bench.ts",
    args: [],
    quickArgs: ["--quick"],
    required: false
  }
]

type Json = { readonly [key: string]: unknown }

interface Ran {
  readonly name: string
  readonly seconds: number
  readonly json?: Json
  readonly problem?: string
}

const lastJson = (stdout: string): Json | undefined => {
  const lines = stdout.trim().split("\n")
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim()
    if (line.startsWith("{")) {
      try {
        const parsed: unknown = JSON.parse(line)
        return typeof parsed === "object" && parsed !== null ? parsed as Json : undefined
      } catch {
        return undefined
      }
    }
    if (line.length > 0) return undefined
  }
  return undefined
}

const run = (script: Script): Promise<Ran> =>
  new Promise((resolve) => {
    const start = performance.now()
    process.stdout.write(`\n== ${script.name} (${script.path}) ==\n`)
    const child = spawn(
      process.execPath,
      [...(script.node ?? []), ...tsxArgs, script.path, ...(quick ? script.quickArgs : script.args)],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] }
    )
    let stdout = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      process.stdout.write(chunk.replace(/^(?=.)/gm, "  │ "))
    })
    const seconds = () => Math.round((performance.now() - start) / 100) / 10
    child.once("error", (error) => resolve({ name: script.name, seconds: seconds(), problem: error.message }))
    child.once("exit", (code, signal) => {
      const json = lastJson(stdout)
      // Another engineer's script without a JSON last line still ran: its figures are in its
      // own output above, and the summary says "not measured".
      resolve(
        code === 0 && (json !== undefined || !script.required)
          ? { name: script.name, seconds: seconds(), ...(json !== undefined ? { json } : {}) }
          : {
            name: script.name,
            seconds: seconds(),
            problem: code !== 0 ? `exited with ${code ?? signal}` : "no JSON last line",
            ...(json !== undefined ? { json } : {})
          }
      )
    })
  })

// Reading the scripts' JSON: a path of keys, or the first number whose flattened key matches.
const at = (json: unknown, ...path: ReadonlyArray<string>): unknown => {
  let value: unknown = json
  for (const key of path) value = typeof value === "object" && value !== null ? (value as Json)[key] : undefined
  return value
}
const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined

/** The entry of a `{ size: figure }` record with the largest size. */
const largest = (value: unknown): [string, number] | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const entries = Object.entries(value as Json).filter((e): e is [string, number] => num(e[1]) !== undefined)
  return entries.sort((a, b) => Number(a[0]) - Number(b[0])).at(-1)
}

const flatten = (value: unknown, prefix = ""): Array<[string, number]> =>
  typeof value === "number"
    ? [[prefix, value]]
    : typeof value === "object" && value !== null
    ? Object.entries(value as Json).flatMap(([k, v]) => flatten(v, prefix === "" ? k : `${prefix}.${k}`))
    : []

const g3 = (n: number): string => String(Number(n.toPrecision(3)))

interface Row {
  readonly figure: string
  readonly measured: string
  readonly goal: string
  readonly met?: boolean
}

const summary = (ran: ReadonlyMap<string, Ran>): ReadonlyArray<Row> => {
  const rows: Array<Row> = []
  const compare = ran.get("compare")?.json
  const ratio = (server: string, other: string) => num(at(compare, server, "speedRatios", other))
  const abs = (server: string, what: string, name: string) => num(at(compare, server, what, name))
  const add = (
    figure: string,
    value: number | undefined,
    text: (n: number) => string,
    goal: string,
    ok?: (n: number) => boolean
  ) =>
    rows.push({
      figure,
      measured: value === undefined ? "not measured" : text(value),
      goal,
      ...(value !== undefined && ok !== undefined ? { met: ok(value) } : {})
    })

  const times = (n: number) => `${g3(n)}×`
  add("mktows vs node-soap, objects/s, canned server", ratio("canned", "node-soap"), times, "≥ 4×", (n) => n >= 4)
  add("mktows vs node-soap, objects/s, emulator", ratio("emulator", "node-soap"), times, "≥ 2×", (n) => n >= 2)
  add(
    "mktows vs a raw POST of pre-built bytes, emulator",
    ratio("emulator", "raw POST"),
    g3,
    "≥ 0.85",
    (n) => n >= 0.85
  )
  add("mktows vs the hand-written client, objects/s, canned server", ratio("canned", "hand-written"), g3, "—")
  const steps = ran.get("steps")?.json
  const call = at(steps, "steps", "call: sign + validate + map + encode + decode")
  const callRatio = num(at(call, "ratio"))
  add(
    "CPU of sign + validate + map + encode + decode of one 100-object call vs the hand-written floor",
    callRatio,
    (n) =>
      `${g3(n)}× (${g3((num(at(call, "mktows")) ?? Number.NaN) / 1000)} ms vs ${
        g3((num(at(call, "floor")) ?? Number.NaN) / 1000)
      } ms)`,
    "≤ 8×",
    (n) => n <= 8
  )
  const lowest = at(steps, "steps", "call: the lowest with fast-xml-parser")
  add(
    "the same, the lowest a client parsing with fast-xml-parser can reach (every other step at the floor)",
    num(at(lowest, "ratio")),
    (n) => `${g3(n)}× (${g3((num(at(lowest, "mktows")) ?? Number.NaN) / 1000)} ms)`,
    "—"
  )
  const cpu = abs("canned", "cpuMicrosPerObject", "mktows")
  add(
    "client CPU per object, full client over HTTP (canned server)",
    cpu,
    (n) =>
      `${g3(n)} µs (node-soap ${g3(abs("canned", "cpuMicrosPerObject", "node-soap") ?? Number.NaN)}, hand-written ${
        g3(abs("canned", "cpuMicrosPerObject", "hand-written") ?? Number.NaN)
      }, raw POST ${g3(abs("canned", "cpuMicrosPerObject", "raw POST") ?? Number.NaN)})`,
    "≤ 20 µs",
    (n) => n <= 20
  )
  for (const [doc, key] of [["100-status answer", "answer"], ["getMObjects page of 100", "page"]] as const) {
    // "fast-xml-parser alone" is the parser as the codec drives it (building nothing: the codec
    // builds its own tree from its reports); the issue measured the parser building its own.
    const tree = at(steps, "steps", `${key} decode above fast-xml-parser's own tree`)
    add(
      `decode time above fast-xml-parser building its own tree (the issue's line), ${doc}`,
      num(at(tree, "ratio")),
      (n) =>
        `${g3(n * 100)} % (${g3((num(at(tree, "mktows")) ?? Number.NaN) / 1000)} ms vs ${
          g3((num(at(tree, "floor")) ?? Number.NaN) / 1000)
        } ms)`,
      "≤ 25 %",
      (n) => n <= 0.25
    )
    const above = at(steps, "steps", `${key} decode above fast-xml-parser`)
    add(
      `decode time above fast-xml-parser as the codec drives it (building nothing), ${doc}`,
      num(at(above, "ratio")),
      (n) =>
        `${g3(n * 100)} % (${g3((num(at(above, "mktows")) ?? Number.NaN) / 1000)} ms vs the parser's ${
          g3((num(at(above, "floor")) ?? Number.NaN) / 1000)
        } ms)`,
      "— (the same goal, on the stricter line)"
    )
  }
  const page = num(at(steps, "steps", "page: decode + fromWire", "mktows"))
  add(
    "one getMObjects page of 100 Opportunities: decode + fromWire",
    page === undefined ? undefined : page / 1000,
    (n) => `${g3(n)} ms (${g3(num(at(steps, "steps", "page: decode + fromWire", "ratio")) ?? Number.NaN)}× the floor)`,
    "— (#14: ≤ 1 ms)"
  )
  const pageParser = num(at(steps, "steps", "page decode: parser alone", "mktows"))
  add(
    "the same page: fast-xml-parser alone",
    pageParser === undefined ? undefined : pageParser / 1000,
    (n) => `${g3(n)} ms`,
    "—"
  )
  const emulator = ran.get("emulator")?.json
  // #23's goal is at 100k stored; every store size is shown beside it.
  const cpuByStore = at(emulator, "serverCpuMicrosPerObject")
  const at100k = num(at(cpuByStore, "100000"))
  const serverCpu: [string, number] | undefined = at100k !== undefined
    ? ["100000", at100k]
    : largest(cpuByStore) ?? flatten(emulator).find(([k]) => /cpu.*object/i.test(k))
  add(
    "emulator server CPU per object synced",
    serverCpu?.[1],
    (n) =>
      `${g3(n)} µs at ${serverCpu?.[0]} stored (${
        typeof cpuByStore === "object" && cpuByStore !== null
          ? Object.entries(cpuByStore).map(([k, v]) => `${k}: ${g3(Number(v))}`).join(", ")
          : ""
      })`,
    "≤ 30 µs at 100k",
    (n) => n <= 30
  )
  const emulatorFloor = ran.get("emulator-floor")?.json
  if (emulatorFloor !== undefined) {
    const floorCpu = (name: string) => num(at(emulatorFloor, "serverCpuMicrosPerObject", name))
    const shares = at(emulatorFloor, "floorShares")
    add(
      "the floor under it: node:http + fast-xml-parser + a Map + a template answer, no check of any kind (`bench:emulator-floor`)",
      floorCpu("floor"),
      (n) =>
        `${g3(n)} µs (fast-xml-parser ${g3(num(at(shares, "parser")) ?? Number.NaN)}, node:http ${
          g3(num(at(shares, "http")) ?? Number.NaN)
        }, Map + answer ${g3(num(at(shares, "storeAndAnswer")) ?? Number.NaN)}; the emulator beside it ${
          g3(floorCpu("emulator") ?? Number.NaN)
        })`,
      "— (the goal's floor)"
    )
  }
  const serverSteps = ran.get("steps-emulator")?.json
  const requestDecode = num(at(serverSteps, "steps", "request decode (the emulator's)", "mktows"))
  const requestParser = num(at(serverSteps, "steps", "request decode: parser alone", "mktows"))
  add(
    "the emulator's decode of a 100-object request, per object (fast-xml-parser alone)",
    requestDecode === undefined ? undefined : requestDecode / 100,
    (n) => `${g3(n)} µs (${g3((requestParser ?? Number.NaN) / 100)} µs)`,
    "—"
  )
  const heap = largest(at(emulator, "heapBytesPerObject")) ?? flatten(emulator).find(([k]) => /heap.*object/i.test(k))
  add(
    "emulator live heap per stored object",
    heap?.[1],
    (n) => `${g3(n)} B (at ${heap?.[0]} objects)`,
    "≤ 400 B",
    (n) => n <= 400
  )
  const memory = ran.get("stream-memory")?.json
  const rss = largest(at(memory, "peakAboveBaselineMiB"))
  const rssAll = at(memory, "peakAboveBaselineMiB")
  add(
    "objects through syncStream: peak RSS above the baseline",
    rss?.[1],
    (n) =>
      `${g3(n)} MiB at ${rss?.[0]} (${
        typeof rssAll === "object" && rssAll !== null
          ? Object.entries(rssAll).map(([k, v]) => `${k}: ${String(v)}`).join(", ")
          : ""
      })`,
    "≤ 64 MiB",
    (n) => n <= 64
  )
  const records = (value: unknown) =>
    typeof value === "object" && value !== null
      ? Object.entries(value).map(([k, v]) => `${k}: ${String(v)}`).join(", ")
      : ""
  const floorMemory = ran.get("stream-memory-floor")?.json
  const floorRss = largest(at(floorMemory, "peakAboveBaselineMiB"))
  if (floorMemory !== undefined) {
    add(
      "the same stream without the client (`--floor`): peak RSS above the baseline",
      floorRss?.[1],
      (n) => `${g3(n)} MiB at ${floorRss?.[0]} (${records(at(floorMemory, "peakAboveBaselineMiB"))})`,
      "—"
    )
  }
  const live = largest(at(memory, "liveHeapAfterGcMiB"))
  if (live !== undefined) {
    add(
      "objects through syncStream: live heap after a full GC, above the baseline",
      live[1],
      (n) => `${g3(n)} MiB at ${live[0]} (${records(at(memory, "liveHeapAfterGcMiB"))})`,
      "—"
    )
  }
  // client-cpu.ts: `usPerObject` by contender (client, engine, transport, the floors, raw).
  const perObject = at(ran.get("client-cpu")?.json, "usPerObject")
  const clientCpu = num(at(perObject, "client"))
  if (ran.get("client-cpu")?.json !== undefined) {
    add(
      "client CPU per object, full client over HTTP (client-cpu.ts)",
      clientCpu,
      (n) =>
        `${g3(n)} µs (${
          flatten(perObject).filter(([k]) => k !== "client").map(([k, v]) => `${k} ${g3(v)}`).join(", ")
        })`,
      "≤ 20 µs",
      (n) => n <= 20
    )
  }
  const startup = at(ran.get("startup")?.json, "startup")
  const ms = (name: string) => num(at(startup, name, "medianMs"))
  const emulatorReady = ms("mktows-emulator to its ready line")
  add(
    "compiled emulator bin to its ready line",
    emulatorReady === undefined ? undefined : emulatorReady / 1000,
    (n) => `${g3(n)} s`,
    "≤ 0.5 s",
    (n) => n <= 0.5
  )
  add("`mktows --version` (compiled)", ms("mktows --version"), (n) => `${g3(n / 1000)} s`, "—")
  add("`mktows --help` (compiled)", ms("mktows --help"), (n) => `${g3(n / 1000)} s`, "—")
  return rows
}

const main = async () => {
  const loadBefore = load()
  process.stdout.write(`bench:all${quick ? " --quick" : ""}: ${codeUnderTest}; load average ${loadBefore}\n`)
  if (refusesStaleBuild("bench:all")) return
  const ran = new Map<string, Ran>()
  const onlyAt = process.argv.indexOf("--only")
  const only = onlyAt === -1 ? undefined : new Set((process.argv[onlyAt + 1] ?? "").split(","))
  for (const script of scripts) {
    if (only !== undefined && !only.has(script.name)) continue
    if (!existsSync(`${repoRoot}${script.path}`)) {
      if (script.required) ran.set(script.name, { name: script.name, seconds: 0, problem: "missing" })
      else process.stdout.write(`\n== ${script.name}: ${script.path} is not there, skipped ==\n`)
      continue
    }
    ran.set(script.name, await run(script))
  }
  const loadAfter = load()
  const rows = summary(ran)
  const lines = [
    "",
    `Summary (${new Date().toISOString().slice(0, 16)}Z, load average ${loadBefore} before, ${loadAfter} after; ` +
    `medians; ratios are mktows ÷ the other):`,
    "",
    "| figure | measured | goal (#23; #14 where #23 sets none) |",
    "| --- | --- | --- |",
    ...rows.map((row) =>
      `| ${row.figure} | ${row.measured}${row.met === undefined ? "" : row.met ? " ✓" : " ✗"} | ${row.goal} |`
    ),
    "",
    `scripts: ${
      [...ran.values()].map((r) =>
        `${r.name} ${r.seconds} s${r.problem !== undefined ? ` (FAILED: ${r.problem})` : ""}`
      ).join(", ")
    }`
  ]
  process.stdout.write(`${lines.join("\n")}\n`)
  const failed = [...ran.values()].filter((r) => r.problem !== undefined)
  process.stdout.write(
    `${
      JSON.stringify({
        bench: "all",
        quick,
        load: [loadBefore, loadAfter],
        rows,
        results: Object.fromEntries([...ran].map(([name, r]) => [name, r.json ?? null])),
        scripts: Object.fromEntries(
          [...ran].map((
            [name, r]
          ) => [name, { seconds: r.seconds, ...(r.problem !== undefined ? { problem: r.problem } : {}) }])
        )
      })
    }\n`
  )
  if (failed.length > 0) process.exitCode = 1
}

main().catch((cause: unknown) => {
  process.stderr.write(`bench:all failed: ${String(cause)}\n`)
  process.exitCode = 1
})
