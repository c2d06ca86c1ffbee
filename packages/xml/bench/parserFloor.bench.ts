/**
 * The parser's floor beside the codec's decode (`pnpm build && node --import tsx
 * packages/xml/bench/parserFloor.bench.ts [--quick] [--rounds N] [--batch-ms N]`; add
 * `--conditions=source` to measure the TypeScript sources instead, as `pnpm bench:parser` and
 * the smoke test do): CPU per iteration of fast-xml-parser alone, with the codec's own
 * options, on the very bytes the codec then decodes, beside the guard scan alone and the whole
 * `decodeResponse`; for the getMObjects page also `fromWire` of its 100 objects. "Alone" is the
 * parser as the codec drives it, its reports going nowhere; "its own tree" is the parser
 * building its ordered output, as the codec used it before it built its own tree from the
 * reports (the line issue 23 measured). What the decode costs above the parser's line is the
 * codec's own work (scan, its tree, readers, Schema checks, and their garbage). Issue 23's
 * goal: at most 25 % above the parser, on both documents.
 *
 * Bodies: the canned syncMObjects answer (100 statuses) and the getMObjects page of 100
 * Opportunities of `packages/node/bench/support/fixture.ts`, the ones `pnpm bench:steps`
 * uses. Every contender runs in every round, in an order rotated each round, each for a
 * batch calibrated to about `batch-ms` of CPU (`process.cpuUsage`: CPU, not wall time, so a
 * busy machine's preemption does not count), warm-up rounds discarded. Printed: medians of
 * µs per iteration and of the per-round ratio decode ÷ parser. A plain script: it asserts
 * nothing. The last line is JSON.
 */
import * as MObject from "@mktows/core/MObject"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { loadavg } from "node:os"
import { cpuUsage } from "node:process"
import { codeUnderTest, internalModule, refusesStaleBuild } from "../../node/bench/support/code.js"
import { cannedAnswer, getPage } from "../../node/bench/support/fixture.js"

// The codec's internals from the same code as its public modules (compiled, or the sources).
const { parseDocument, parserFor, treeParserFor } = await internalModule<typeof import("../src/internal/document.js")>(
  "xml",
  "internal/document"
)
const {
  defaultMaxAttributes,
  defaultMaxBytes,
  defaultMaxDepth,
  defaultMaxNodes,
  defaultMaxTextLength,
  scan
} = await internalModule<typeof import("../src/internal/scan.js")>("xml", "internal/scan")

const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? Number.NaN : Number(process.argv[at + 1])
  return Number.isFinite(value) && value > 0 ? value : fallback
}
const quick = process.argv.includes("--quick")
const rounds = flag("rounds", quick ? 3 : 15)
const warmup = flag("warmup", quick ? 1 : 3)
const batchMs = flag("batch-ms", quick ? 5 : 25)

const cpuMicros = (): number => {
  const usage = cpuUsage()
  return usage.user + usage.system
}
const load = (): string => loadavg().map((n) => n.toFixed(2)).join(", ")
const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] ?? Number.NaN : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

// A sink the optimiser cannot see through, so no result is optimised away.
let sink: unknown
/** The last result (exported only so that the sink is observable). */
export const lastResult = (): unknown => sink

const limits = {
  maxBytes: defaultMaxBytes,
  maxDepth: defaultMaxDepth,
  maxNodes: defaultMaxNodes,
  maxAttributes: defaultMaxAttributes,
  maxTextLength: defaultMaxTextLength
}
const parser = parserFor(defaultMaxDepth)
// fast-xml-parser building its own ordered tree, as the codec used it before it built its
// own from the parser's reports (issue 23): the line the goal was first measured on.
const treeParser = treeParserFor(defaultMaxDepth)
const pageWires = Effect.runSync(SoapCodec.decodeResponse("getMObjects", getPage)).mObjectList ?? []

// The decode may cost at most a quarter more than the parser alone (issue 23).
const goal = 1.25

type Run = () => unknown
const contenders: ReadonlyArray<readonly [string, Run]> = [
  ["sync answer: fast-xml-parser alone", () => parser.parse(cannedAnswer)],
  ["sync answer: fast-xml-parser, its own tree", () => treeParser.parse(cannedAnswer)],
  ["sync answer: scan alone", () => scan(cannedAnswer, limits)],
  // The scan and the parse as the codec runs them, without the readers: the decode's excess
  // over this line is the readers' (and the Schema checks').
  ["sync answer: scan + parse", () => parseDocument(cannedAnswer)],
  [
    "sync answer: decodeResponse",
    () => Effect.runSync(SoapCodec.decodeResponse("syncMObjects", cannedAnswer, { expectedCount: 100 }))
  ],
  ["page: fast-xml-parser alone", () => parser.parse(getPage)],
  ["page: fast-xml-parser, its own tree", () => treeParser.parse(getPage)],
  ["page: scan alone", () => scan(getPage, limits)],
  ["page: scan + parse", () => parseDocument(getPage)],
  ["page: decodeResponse", () => Effect.runSync(SoapCodec.decodeResponse("getMObjects", getPage))],
  ["page: fromWire", () => pageWires.map((w) => Either.getOrUndefined(MObject.fromWire(w)))]
]

const time = (run: Run, n: number): number => {
  const start = cpuMicros()
  for (let i = 0; i < n; i++) sink = run()
  return (cpuMicros() - start) / n
}

const calibrate = (run: Run): number => {
  let n = 1
  while (n < 1_000_000 && time(run, n) * n < batchMs * 1000) n *= 2
  return n
}

const main = () => {
  if (refusesStaleBuild("parser floor")) return
  const before = load()
  process.stdout.write(
    `parser floor: sync answer ${cannedAnswer.length} chars, page ${getPage.length} chars; ` +
      `${warmup} warm-up + ${rounds} rounds of ~${batchMs} ms; ${codeUnderTest}; load ${before}\n`
  )
  const sizes = contenders.map(([, run]) => calibrate(run))
  const samples: Array<Array<number>> = contenders.map(() => [])
  for (let round = 0; round < warmup + rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const at = (k + round) % contenders.length
      const micros = time(contenders[at]![1], sizes[at]!)
      if (round >= warmup) samples[at]!.push(micros)
    }
  }
  const figures: Record<string, number> = {}
  contenders.forEach(([name], i) => {
    figures[name] = Number(median(samples[i]!).toPrecision(4))
    process.stdout.write(`  ${name.padEnd(40)} ${figures[name]!.toFixed(1).padStart(9)} µs\n`)
  })
  const ratio = (decode: number, fxp: number) => median(samples[decode]!.map((d, i) => d / samples[fxp]![i]!))
  const round3 = (n: number) => Number(n.toPrecision(3))
  const ratios = { sync: round3(ratio(4, 0)), page: round3(ratio(9, 5)) }
  const overTree = { sync: round3(ratio(4, 1)), page: round3(ratio(9, 6)) }
  process.stdout.write(
    `  decode ÷ fast-xml-parser alone (median of per-round ratios): sync answer ${ratios.sync}, page ${ratios.page}` +
      ` (issue 23's goal: at most ${goal} on both)\n` +
      `  decode ÷ fast-xml-parser building its own tree (the line the goal was set on): sync answer ${overTree.sync}, ` +
      `page ${overTree.page}\n`
  )
  const after = load()
  process.stdout.write(`load average before ${before}, after ${after}\n`)
  process.stdout.write(
    `${
      JSON.stringify({
        bench: "parserFloor",
        code: codeUnderTest,
        load: [before, after],
        figures,
        ratios,
        overTree,
        goal
      })
    }\n`
  )
}

main()
