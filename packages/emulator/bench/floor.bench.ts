/**
 * The floor under issue #23's emulator goal (≤ 30 µs of server CPU per object synced at 100k
 * stored), beside the emulator: what a server that parses with fast-xml-parser spends at
 * least, before any signature check, validation, hardening or persistent store.
 *
 * Five contenders meet the same requests: signed syncMObjects UPSERTs of 100 new Opportunities
 * (`emulator.bench.ts`'s request), 10 calls at once over keep-alive node:http, each server in
 * a child process with its store filled beforehand to `--stored` objects (100k):
 * - **floor**: `floorServer.ts --mode fxp`: node:http, fast-xml-parser with the cheapest
 *   options that still yield every MObject (`floorParse.ts`), a Map, a template-string answer;
 * - **floor without the parse**: the same server, the body read as text but objects made up;
 * - **node:http only**: the body read, a fixed answer sent;
 * - **emulator**: `server.ts`, as `pnpm bench:emulator` starts it (the same code as this
 *   process: the compiled dist/ by default);
 * - **fast-xml-parser alone**: the floor's parse in this process, on the same request text.
 *
 * Every segment (`--rounds` rounds of 10 calls) is built before it starts and sent to every
 * server in turn, in an order rotated each segment; the figure of a server is its own CPU time
 * (user + system, read over IPC) per object, of the parse alone this process's. Warm-up
 * segments are dropped. Printed: medians over the segments with their spread, the floor's
 * shares (parser = floor − floor without the parse, node:http = node:http only, store and
 * answer = the rest; medians of per-segment differences), the emulator ÷ floor (median of
 * per-segment ratios) and the goal line. Before measuring, the floor's parse of a request is
 * checked against the emulator's own decode of it (every object's type, key, attributes and
 * company key). A script, not a test: the last line printed is the figures as JSON.
 *
 *   pnpm bench:emulator-floor [--quick] [--stored 100000] [--segments 7] [--rounds 10] [--warmup 2]
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Effect from "effect/Effect"
import { type ChildProcess, fork } from "node:child_process"
import { createHmac } from "node:crypto"
import { Agent, request } from "node:http"
import { loadavg } from "node:os"
import { isDeepStrictEqual } from "node:util"
import { codeUnderTest, refusesStaleBuild, runsSources, tsxArgs } from "../../node/bench/support/code.js"
import { batch, fromWire, makeParse, requestObjects } from "./floorParse.js"

const quick = process.argv.includes("--quick")
const numberFlag = (name: string, fallback: number, least = 1): number => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? Number.NaN : Number(process.argv[at + 1])
  return Number.isSafeInteger(value) && value >= least ? value : fallback
}
const stored = numberFlag("stored", quick ? 10_000 : 100_000)
const segments = numberFlag("segments", quick ? 3 : 7)
const roundsPerSegment = numberFlag("rounds", quick ? 2 : 10)
const warmupSegments = numberFlag("warmup", quick ? 1 : 2, 0)
const concurrency = 10
const objectsPerSegment = roundsPerSegment * concurrency * batch
// Issue #23.
const goal = { serverCpuMicrosPerObject: 30, stored: 100_000 }

const userId = "demo17_1_809934544BFABAE58E5D27"
const encryptionKey = "27272727aa"

const load = (): Array<number> => loadavg().map((l) => Number(l.toFixed(2)))
const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length
const cpuMicros = (): number => {
  const { system, user } = process.cpuUsage()
  return user + system
}
const round1 = (n: number): number => Number(n.toFixed(1))
const round3 = (n: number): number => Number(n.toFixed(3))

// node:crypto here: the bench's own signing should cost the client as little as possible.
const header = (): Wire.AuthenticationHeaderInfo => {
  const requestTimestamp = Signature.formatTimestamp(Date.now())
  const requestSignature = createHmac("sha1", encryptionKey).update(requestTimestamp + userId).digest("hex")
  return { mktowsUserId: userId, requestSignature, requestTimestamp }
}

const upsertBody = (auth: Wire.AuthenticationHeaderInfo, prefix: string, from: number): string =>
  SoapCodec.encodeRequest("syncMObjects", auth, { operation: "UPSERT", mObjectList: requestObjects(prefix, from) })

/** One segment's requests: `roundsPerSegment` rounds of `concurrency` bodies, as text and as bytes. */
interface Segment {
  readonly texts: ReadonlyArray<string>
  readonly rounds: ReadonlyArray<ReadonlyArray<Buffer>>
}

// Keys never repeat across segments, so every object is CREATED in every server (each has its own store).
const segmentOf = (index: number): Segment => {
  const auth = header()
  const texts = Array.from(
    { length: roundsPerSegment * concurrency },
    (_, k) => upsertBody(auth, `FLOOR-${index}`, k * batch)
  )
  const bytes = texts.map((text) => Buffer.from(text))
  return {
    texts,
    rounds: Array.from({ length: roundsPerSegment }, (_, r) => bytes.slice(r * concurrency, (r + 1) * concurrency))
  }
}

// ---------------------------------------------------------------------------------------
// The check: the floor's parse yields what the emulator's decode yields

const parse = makeParse()

/** Why the floor's parse of a bench request differs from the emulator's decode of it, if it does. */
const parseProblem = (text: string): string | undefined => {
  const decoded = Effect.runSync(SoapCodec.decodeRequest(text))
  if (decoded.operation !== "syncMObjects") return `decoded as ${decoded.operation}`
  const expected = decoded.params.mObjectList.map(fromWire)
  const actual = parse(text)
  if (actual.length !== batch || expected.length !== batch) {
    return `${actual.length} objects parsed, ${expected.length} decoded (${batch} sent)`
  }
  const at = actual.findIndex((object, i) => !isDeepStrictEqual(object, expected[i]))
  return at === -1
    ? undefined
    : `object ${at}: parsed ${JSON.stringify(actual[at])}, decoded ${JSON.stringify(expected[at])}`
}

// ---------------------------------------------------------------------------------------
// The contenders

interface Contender {
  /** Its name in the JSON and the segment lines. */
  readonly name: string
  /** CPU µs per object of one segment. */
  readonly measure: (segment: Segment) => Promise<number>
  readonly figures: Array<number>
}

const started: Array<ChildProcess> = []

const startServer = (script: string, args: ReadonlyArray<string>, execArgv: ReadonlyArray<string>) =>
  new Promise<{ child: ChildProcess; url: URL }>((resolve, reject) => {
    const child = fork(new URL(script, import.meta.url).pathname, args, {
      execArgv: [...execArgv, "--max-old-space-size=8192"],
      stdio: ["ignore", "pipe", "inherit", "ipc"]
    })
    started.push(child)
    let out = ""
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const match = /listening on (\S+)/.exec(out)
      if (match !== null) resolve({ child, url: new URL(match[1]!) })
    })
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}): ${out}`)))
  })

const serverCpu = (child: ChildProcess) =>
  new Promise<number>((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`a server exited (${code}) during the run`))
    child.once("exit", exited)
    child.once("message", (message) => {
      child.off("exit", exited)
      return typeof message === "object" && message !== null && "cpu" in message && typeof message.cpu === "number"
        ? resolve(message.cpu)
        : reject(new Error(`unexpected message ${JSON.stringify(message)}`))
    })
    child.send("cpu")
  })

const agent = new Agent({ keepAlive: true, maxSockets: concurrency })

const countOf = (text: string, word: string) => {
  let n = 0
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) n++
  return n
}

// Every call must answer 100 CREATED: a wrong answer would make the figures meaningless.
const post = (url: URL, body: Buffer) =>
  new Promise<void>((resolve, reject) => {
    const req = request({
      agent,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname,
      method: "POST",
      headers: { "content-type": "text/xml; charset=utf-8", "content-length": body.length }
    }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        text += chunk
      })
      res.on("end", () =>
        res.statusCode === 200 && countOf(text, ">CREATED<") === batch
          ? resolve()
          : reject(new Error(`unexpected answer from ${url.host} (${res.statusCode}): ${text.slice(0, 300)}`)))
    })
    req.on("error", reject)
    // A server that stops answering fails the run instead of hanging it.
    req.setTimeout(60_000, () => req.destroy(new Error(`no answer from ${url.host} in 60 s`)))
    req.end(body)
  })

const serverContender = async (
  name: string,
  script: string,
  args: ReadonlyArray<string>,
  execArgv: ReadonlyArray<string>
): Promise<Contender> => {
  const { child, url } = await startServer(script, args, execArgv)
  return {
    name,
    figures: [],
    measure: async (segment) => {
      const cpu0 = await serverCpu(child)
      for (const round of segment.rounds) await Promise.all(round.map((body) => post(url, body)))
      return ((await serverCpu(child)) - cpu0) / objectsPerSegment
    }
  }
}

const parserAlone: Contender = {
  name: "fxpAlone",
  figures: [],
  measure: (segment) => {
    const cpu0 = cpuMicros()
    // Counted, so no parse is optimised away.
    let objects = 0
    for (const text of segment.texts) objects += parse(text).length
    const cpu = cpuMicros() - cpu0
    return objects === objectsPerSegment
      ? Promise.resolve(cpu / objectsPerSegment)
      : Promise.reject(new Error(`the floor's parse found ${objects} objects in ${objectsPerSegment}`))
  }
}

const labels: Record<string, string> = {
  floor: "floor: node:http + fast-xml-parser + Map + answer",
  floorWithoutParse: "floor without the parse (objects made up)",
  httpOnly: "node:http only (a fixed answer)",
  emulator: `emulator (${runsSources ? "sources" : "compiled dist/"}, bench/server.ts)`,
  fxpAlone: "fast-xml-parser alone (the floor's parse, in this process)"
}

const main = async () => {
  const atStart = load()
  console.log(`emulator floor bench${quick ? " (quick)" : ""}: ${codeUnderTest}; load average ${atStart.join(" ")}`)
  if (refusesStaleBuild("bench:emulator-floor")) return
  const problem = parseProblem(upsertBody(header(), "CHECK", 0))
  if (problem !== undefined) {
    process.stderr.write(`bench:emulator-floor: the floor's parse differs from the emulator's decode: ${problem}\n`)
    process.exitCode = 1
    return
  }
  console.log(
    `the floor's parse of a request = the emulator's decode of it (${batch} objects: type, key, attributes, company)`
  )
  console.log(
    `server CPU per object synced: UPSERT of ${batch} Opportunities per call, ${concurrency} at once, ` +
      `${stored} stored at the start; ${warmupSegments} warm-up + ${segments} segments of ${roundsPerSegment} rounds`
  )
  try {
    const floorServer = (mode: string) => ["--mode", mode, "--prefill", String(stored)]
    const contenders = [
      await serverContender("floor", "./floorServer.ts", floorServer("fxp"), tsxArgs),
      await serverContender("floorWithoutParse", "./floorServer.ts", floorServer("noparse"), tsxArgs),
      await serverContender("httpOnly", "./floorServer.ts", floorServer("httponly"), tsxArgs),
      await serverContender(
        "emulator",
        "./server.ts",
        ["--prefill", String(stored), ...(runsSources ? [] : ["--from", new URL("../dist", import.meta.url).pathname])],
        tsxArgs
      ),
      parserAlone
    ]
    for (let s = 0; s < warmupSegments + segments; s++) {
      const segment = segmentOf(s)
      const seen = new Map<Contender, number>()
      // Rotated, so no contender always runs first or last.
      for (let k = 0; k < contenders.length; k++) {
        const contender = contenders[(k + s) % contenders.length]!
        seen.set(contender, await contender.measure(segment))
      }
      if (s >= warmupSegments) {
        for (const [contender, figure] of seen) contender.figures.push(figure)
      }
      const which = s < warmupSegments ? `warm-up ${s + 1}/${warmupSegments}` : `${s - warmupSegments + 1}/${segments}`
      console.log(
        `  segment ${which}: ${contenders.map((c) => `${c.name} ${seen.get(c)!.toFixed(1)}`).join(", ")} µs/object`
      )
    }
    const [floor, noParse, httpOnly, emulator, alone] = contenders.map((c) => c.figures) as [
      Array<number>,
      Array<number>,
      Array<number>,
      Array<number>,
      Array<number>
    ]
    const perSegment = (f: (i: number) => number) => median(floor.map((_, i) => f(i)))
    const shares = {
      parser: round1(perSegment((i) => floor[i]! - noParse[i]!)),
      http: round1(median(httpOnly)),
      storeAndAnswer: round1(perSegment((i) => noParse[i]! - httpOnly[i]!))
    }
    const emulatorToFloor = round3(perSegment((i) => emulator[i]! / floor[i]!))
    const ofGoal = (cpu: number) => `${(cpu / goal.serverCpuMicrosPerObject).toFixed(2)}× the goal`
    const storedAtEnd = stored + (warmupSegments + segments) * objectsPerSegment

    console.log(`server CPU per object synced, medians of ${segments} segments (min–max, mean):`)
    for (const contender of contenders) {
      const xs = contender.figures
      console.log(
        `  ${labels[contender.name]!.padEnd(60)} ${median(xs).toFixed(1).padStart(6)} µs (${
          Math.min(...xs).toFixed(1)
        }–${Math.max(...xs).toFixed(1)}, mean ${mean(xs).toFixed(1)})`
      )
    }
    console.log(
      `the floor's shares (medians of per-segment differences): fast-xml-parser ${shares.parser.toFixed(1)} µs ` +
        `(alone in this process ${median(alone).toFixed(1)}), node:http ${shares.http.toFixed(1)} µs, ` +
        `Map + answer ${shares.storeAndAnswer.toFixed(1)} µs`
    )
    console.log(`emulator ÷ floor (median of per-segment ratios): ${emulatorToFloor}`)
    console.log(
      `goal (issue #23): ≤ ${goal.serverCpuMicrosPerObject} µs per object at ${goal.stored} stored: ` +
        `emulator ${median(emulator).toFixed(1)} µs (${ofGoal(median(emulator))}), ` +
        `floor ${median(floor).toFixed(1)} µs (${ofGoal(median(floor))}) ` +
        `(stored ${stored} at the start, ${storedAtEnd} at the end; load average ${load().join(" ")})`
    )
    const spread = Object.fromEntries(contenders.map((c) => [c.name, {
      min: round1(Math.min(...c.figures)),
      max: round1(Math.max(...c.figures)),
      mean: round1(mean(c.figures))
    }]))
    console.log(JSON.stringify({
      bench: "emulator-floor",
      quick,
      code: runsSources ? "sources" : "compiled",
      load: { start: atStart, end: load() },
      stored: { start: stored, end: storedAtEnd },
      segments,
      serverCpuMicrosPerObject: {
        floor: round1(median(floor)),
        floorWithoutParse: round1(median(noParse)),
        httpOnly: round1(median(httpOnly)),
        emulator: round1(median(emulator))
      },
      fxpAloneMicrosPerObject: round1(median(alone)),
      spread,
      floorShares: shares,
      emulatorToFloor,
      parseChecked: batch,
      goals: goal
    }))
  } finally {
    agent.destroy()
    for (const child of started) if (child.connected) child.send("exit")
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
