/**
 * CPU per step of one 100-object syncMObjects call, mktows vs the hand-written floor
 * (`pnpm bench:steps`): sign, validate, map + encode (models to XML, as the client sends a sync),
 * decode of the answer; and one
 * getMObjects page of 100 Opportunities: decode, then fromWire. Each step runs in this
 * process for a batch of iterations, timed with `process.cpuUsage` (CPU, not wall time, so a
 * busy machine's preemption does not count); mktows's step and the floor's alternate, in an
 * order rotated every round, warm-up rounds discarded. Printed: medians of µs per iteration
 * and of the per-round ratios. The last line is JSON for `pnpm bench:all`.
 *
 * Neither mktows nor the floor has a separate mapping step for a sync (both write the XML
 * straight from the objects; the wire path the client no longer takes is shown apart, without
 * a floor). The floor has no separate fromWire (its page decoder builds typed objects): that
 * row compares mktows's two steps together with the floor's one.
 *
 * Two rows put fast-xml-parser, which the design keeps as the parser, beside the floor: the
 * parser alone (the codec's options, the same bytes) on the answer and on the page. "call: the
 * lowest with fast-xml-parser" is the floor of every step with the parser's time in place of
 * the hand-written decoder's: no client that parses with it can go below that ratio. The
 * emulator's first step of every call, the decode of the 100-object request, is measured too,
 * with the parser's share of it, in a process of its own (`--emulator`).
 *
 * Usage: `pnpm bench:steps [--rounds 15] [--warmup 3] [--batch-ms 25] [--quick] [--emulator]`
 */
import * as MObject from "@mktows/core/MObject"
import * as Signature from "@mktows/core/Signature"
import * as Validation from "@mktows/core/Validation"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { codecParsers, codeUnderTest, internalModule, refusesStaleBuild } from "./support/code.js"
import { cannedAnswer, deals, encryptionKey, getPage, opportunities, userId } from "./support/fixture.js"
import * as HandWritten from "./support/handWritten.js"
import { cpuMicros, load, median, numberFlag, quick, rotate, round3 } from "./support/stats.js"

/** Runs a step `n` times. */
type Run = (n: number) => void | Promise<void>

interface Step {
  readonly name: string
  /** A step of the emulator's, run only with `--emulator`. */
  readonly emulator?: true
  readonly mktows: Run
  readonly floor?: Run
}

// A sink the optimiser cannot see through (exported), so no step's result is optimised away.
let sink: unknown = undefined
const keep = (value: unknown) => {
  sink = value
}
/** The last value a step produced (only so that the sink is observable). */
export const lastResult = (): unknown => sink

const wires: ReadonlyArray<Wire.MObject> = opportunities.map(MObject.toWire)
// The codec's model writer (internal to @mktows/xml), from the same code as the rest.
const Codec = await internalModule<typeof import("../../xml/src/internal/codec.js")>("xml", "internal/codec")
const header: Wire.AuthenticationHeaderInfo = {
  mktowsUserId: userId,
  requestSignature: "40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7",
  requestTimestamp: "2026-08-05T14:22:45+00:00"
}
const handHeader = HandWritten.sign(Date.now())
// fast-xml-parser as the codec drives it, and building its own tree (the issue's line).
const { parser, treeParser } = await codecParsers()
const emulatorSide = process.argv.includes("--emulator")
const request = SoapCodec.encodeRequest("syncMObjects", header, { operation: "UPSERT", mObjectList: wires })
const pageWires = Effect.runSync(SoapCodec.decodeResponse("getMObjects", getPage)).mObjectList ?? []

// A clock one second further on at every reading, for the "new second" row.
let tick = Date.now()
const ticking: Clock.Clock = {
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => (tick += 1000),
  currentTimeMillis: Effect.sync(() => (tick += 1000)),
  unsafeCurrentTimeNanos: () => BigInt(tick) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(tick) * 1_000_000n),
  sleep: Effect.sleep
}

const steps = async (): Promise<ReadonlyArray<Step>> => {
  // The client's signer: the Web Crypto key imported once, a fresh timestamp and HMAC per header.
  const signHeader = await Effect.runPromise(
    Signature.signer({ userId, encryptionKey: Redacted.make(encryptionKey) })
  )
  // A signer of its own for the "new second" row: its clock runs far ahead of the real one, and
  // a shared signer's last header would then be of another second for the "sign" row.
  const signNewSecond = await Effect.runPromise(
    Signature.signer({ userId, encryptionKey: Redacted.make(encryptionKey) })
  )
  return [
    {
      // As a busy client signs: the header of the current second, computed once a second.
      name: "sign",
      mktows: (n) => Effect.runPromise(Effect.repeatN(Effect.map(signHeader, keep), n - 1)),
      floor: (n) => {
        for (let i = 0; i < n; i++) keep(HandWritten.sign(Date.now()))
      }
    },
    {
      // Every header in a new second: the Web Crypto HMAC each time (a client making one call
      // a second or fewer pays this on each call).
      name: "sign, new second",
      mktows: (n) =>
        Effect.runPromise(Effect.withClock(Effect.repeatN(Effect.map(signNewSecond, keep), n - 1), ticking)),
      floor: (n) => {
        for (let i = 0; i < n; i++) keep(HandWritten.sign(tick += 1000))
      }
    },
    {
      name: "validate",
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(Validation.issues(opportunities, "UPSERT"))
      },
      floor: (n) => {
        for (let i = 0; i < n; i++) keep(HandWritten.validate(deals))
      }
    },
    {
      // Map and encode in one: the SOAP transport's model path writes the models' XML straight
      // from them, as the client sends every sync.
      name: "map + encode",
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(Codec.encodeSyncModels(header, "UPSERT", opportunities))
      },
      floor: (n) => {
        for (let i = 0; i < n; i++) keep(HandWritten.encode(handHeader, deals))
      }
    },
    {
      // The wire path the model path replaced (what `MarketoTransport.call` of wire records
      // costs): `MObject.toWire`, then the layout writer. Not part of the call's figure.
      name: "wire path: toWire + encodeRequest",
      mktows: (n) => {
        for (let i = 0; i < n; i++) {
          keep(SoapCodec.encodeRequest("syncMObjects", header, {
            operation: "UPSERT",
            mObjectList: opportunities.map(MObject.toWire)
          }))
        }
      }
    },
    {
      name: "decode",
      mktows: (n) => {
        for (let i = 0; i < n; i++) {
          keep(Effect.runSync(SoapCodec.decodeResponse("syncMObjects", cannedAnswer, { expectedCount: 100 })))
        }
      },
      floor: (n) => {
        for (let i = 0; i < n; i++) keep(HandWritten.decode(cannedAnswer, deals))
      }
    },
    {
      // fast-xml-parser alone, with the codec's options, on the same answer: the part of the
      // decode no driver of this parser can remove.
      name: "decode: parser alone",
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(parser.parse(cannedAnswer))
      },
      floor: (n) => {
        for (let i = 0; i < n; i++) keep(HandWritten.decode(cannedAnswer, deals))
      }
    },
    {
      name: "decode: parser, its own tree",
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(treeParser.parse(cannedAnswer))
      }
    },
    {
      name: "page decode",
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(Effect.runSync(SoapCodec.decodeResponse("getMObjects", getPage)))
      },
      floor: (n) => {
        for (let i = 0; i < n; i++) keep(HandWritten.decodePage(getPage))
      }
    },
    {
      name: "page decode: parser alone",
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(parser.parse(getPage))
      },
      floor: (n) => {
        for (let i = 0; i < n; i++) keep(HandWritten.decodePage(getPage))
      }
    },
    {
      name: "page decode: parser, its own tree",
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(treeParser.parse(getPage))
      }
    },
    {
      // What the emulator reads first in every call: the 100-object request, with the parser's
      // share beside it (the server's CPU per object cannot go below the parser's).
      name: "request decode (the emulator's)",
      emulator: true,
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(Effect.runSync(SoapCodec.decodeRequest(request)))
      }
    },
    {
      name: "request decode: parser alone",
      emulator: true,
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(parser.parse(request))
      }
    },
    {
      name: "page fromWire",
      mktows: (n) => {
        for (let i = 0; i < n; i++) keep(pageWires.map((w) => Either.getOrUndefined(MObject.fromWire(w))))
      }
    }
  ]
}

/** CPU µs per iteration of `run` over a batch of `n`. */
const time = async (run: Run, n: number): Promise<number> => {
  const start = cpuMicros()
  await run(n)
  return (cpuMicros() - start) / n
}

/** Iterations that take at least `ms` of CPU: doubled until they do (a cold first run would make too few). */
const calibrate = async (run: Run, ms: number): Promise<number> => {
  let n = 2
  while (n < 1_000_000 && (await time(run, n)) * n < ms * 1000) n *= 2
  return n
}

export interface StepFigure {
  readonly mktows: number
  readonly floor?: number
  readonly ratio?: number
}

const main = async () => {
  if (refusesStaleBuild("steps")) return
  const rounds = numberFlag("rounds", quick ? 3 : 15)
  const warmup = numberFlag("warmup", quick ? 1 : 3)
  const batchMs = numberFlag("batch-ms", quick ? 5 : 25)
  const loadBefore = load()
  process.stdout.write(
    `steps: CPU per step of one 100-object call, ${warmup} warm-up + ${rounds} rounds, ` +
      `~${batchMs} ms batches; ${codeUnderTest}; load ${loadBefore}\n`
  )
  // fast-xml-parser's speed depends on the documents it has met in the process (each element
  // name a new object shape in its output), so the client's steps and the emulator's run in
  // processes of their own, as a client and a server do.
  const list = (await steps()).filter((step) => (step.emulator === true) === emulatorSide)
  const sizes = new Map<string, number>()
  for (const step of list) {
    sizes.set(`${step.name}/mktows`, await calibrate(step.mktows, batchMs))
    if (step.floor !== undefined) sizes.set(`${step.name}/floor`, await calibrate(step.floor, batchMs))
  }
  // Each decode beside a parser line: as the codec drives it (building nothing), and building
  // its own tree (the line issue 23 measured).
  const aboveParser = [
    ["answer decode above fast-xml-parser", "decode", "decode: parser alone"],
    ["page decode above fast-xml-parser", "page decode", "page decode: parser alone"],
    ["answer decode above fast-xml-parser's own tree", "decode", "decode: parser, its own tree"],
    ["page decode above fast-xml-parser's own tree", "page decode", "page decode: parser, its own tree"]
  ] as const
  const runs = list.flatMap((step) => [
    { key: `${step.name}/mktows`, run: step.mktows },
    ...(step.floor !== undefined ? [{ key: `${step.name}/floor`, run: step.floor }] : [])
  ])
  const samples = new Map<string, Array<number>>(runs.map((r) => [r.key, []]))
  // Per-round ratios of the composite rows, built from the same round's samples.
  const composite = new Map<string, Array<number>>()
  const push = (key: string, value: number) => composite.set(key, [...(composite.get(key) ?? []), value])
  for (let round = 0; round < warmup + rounds; round++) {
    const seen = new Map<string, number>()
    for (const r of rotate(runs, round)) seen.set(r.key, await time(r.run, sizes.get(r.key)!))
    if (round < warmup) continue
    for (const [key, value] of seen) samples.get(key)!.push(value)
    const get = (key: string) => seen.get(key)!
    for (const step of list) {
      if (step.floor !== undefined) push(`${step.name}/ratio`, get(`${step.name}/mktows`) / get(`${step.name}/floor`))
    }
    if (emulatorSide) {
      push("request/ratio", get("request decode (the emulator's)/mktows") / get("request decode: parser alone/mktows"))
      continue
    }
    const ours = ["sign", "validate", "map + encode", "decode"].reduce((s, k) => s + get(`${k}/mktows`), 0)
    const floor = ["sign", "validate", "map + encode", "decode"].reduce((s, k) => s + get(`${k}/floor`), 0)
    push("call/mktows", ours)
    push("call/floor", floor)
    push("call/ratio", ours / floor)
    // The lowest a client that parses with fast-xml-parser could reach: the hand-written
    // floor of every step, with the parser's own time in place of the hand-written decoder's.
    const lowest = ["sign", "validate", "map + encode"].reduce((s, k) => s + get(`${k}/floor`), 0) +
      get("decode: parser alone/mktows")
    push("call, lowest with the parser/mktows", lowest)
    push("call, lowest with the parser/ratio", lowest / floor)
    // Issue #23: the decode's own work above fast-xml-parser's, as a share of the parser's time.
    for (const [name, decode, parser] of aboveParser) {
      push(`${name}/ratio`, (get(`${decode}/mktows`) - get(`${parser}/mktows`)) / get(`${parser}/mktows`))
    }
    const page = get("page decode/mktows") + get("page fromWire/mktows")
    push("page/mktows", page)
    push("page/ratio", page / get("page decode/floor"))
  }
  const med = (key: string) => round3(median(samples.get(key) ?? composite.get(key) ?? []))
  const figures: Record<string, StepFigure> = {}
  for (const step of list) {
    figures[step.name] = step.floor === undefined
      ? { mktows: med(`${step.name}/mktows`) }
      : { mktows: med(`${step.name}/mktows`), floor: med(`${step.name}/floor`), ratio: med(`${step.name}/ratio`) }
  }
  if (emulatorSide) {
    figures["request decode ÷ parser alone"] = {
      mktows: med("request decode (the emulator's)/mktows"),
      floor: med("request decode: parser alone/mktows"),
      ratio: med("request/ratio")
    }
  } else {
    figures["call: sign + validate + map + encode + decode"] = {
      mktows: med("call/mktows"),
      floor: med("call/floor"),
      ratio: med("call/ratio")
    }
    figures["call: the lowest with fast-xml-parser"] = {
      mktows: med("call, lowest with the parser/mktows"),
      floor: med("call/floor"),
      ratio: med("call, lowest with the parser/ratio")
    }
    // `floor` here is the parser's line; `ratio` the decode's time above it, over it.
    for (const [name, decode, parser] of aboveParser) {
      figures[name] = { mktows: med(`${decode}/mktows`), floor: med(`${parser}/mktows`), ratio: med(`${name}/ratio`) }
    }
    figures["page: decode + fromWire"] = {
      mktows: med("page/mktows"),
      floor: med("page decode/floor"),
      ratio: med("page/ratio")
    }
  }
  const f = (n: number | undefined) => (n === undefined ? "—" : String(n))
  process.stdout.write(
    `  ${"step".padEnd(46)} ${"mktows µs".padStart(10)} ${"floor µs".padStart(10)} ${"ratio".padStart(8)}\n`
  )
  for (const [name, figure] of Object.entries(figures)) {
    process.stdout.write(
      `  ${name.padEnd(46)} ${f(figure.mktows).padStart(10)} ${f(figure.floor).padStart(10)} ${
        f(figure.ratio).padStart(8)
      }\n`
    )
  }
  const loadAfter = load()
  process.stdout.write(`load average before ${loadBefore}, after ${loadAfter}\n`)
  process.stdout.write(
    `${
      JSON.stringify({
        bench: emulatorSide ? "steps-emulator" : "steps",
        code: codeUnderTest,
        load: [loadBefore, loadAfter],
        rounds,
        steps: figures
      })
    }\n`
  )
}

main().catch((cause: unknown) => {
  process.stderr.write(`steps failed: ${String(cause)}\n`)
  process.exitCode = 1
})
