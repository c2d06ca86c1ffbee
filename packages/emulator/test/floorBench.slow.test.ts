/**
 * A smoke run of `pnpm bench:emulator-floor` (slow project), so it cannot rot: the script in
 * its smallest mode (`--quick`, the TypeScript sources through tsx, as the other smoke runs),
 * in a process of its own. Checked: it completes, and its last line is JSON with a finite,
 * positive figure for every contender. No timing is asserted: how fast anything is, is what
 * the benchmark prints, not what a test can know (the store-and-answer share, a difference of
 * two small figures, may even come out negative on a busy machine, so it is only finite).
 *
 * Before that, the guard that keeps the floor honest: its parse of the bench's request yields
 * what the emulator's own decode yields, every MObject's type, key, attributes and company.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Signature from "@mktows/core/Signature"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { runScript } from "../../node/bench/support/children.js"
import { batch, fromWire, makeParse, requestObjects } from "../bench/floorParse.js"

const Positive = Schema.Number.pipe(Schema.finite(), Schema.positive())
const Finite = Schema.Number.pipe(Schema.finite())
const Spread = Schema.Struct({ min: Positive, max: Positive, mean: Positive })

const Output = Schema.Struct({
  bench: Schema.Literal("emulator-floor"),
  quick: Schema.Literal(true),
  code: Schema.Literal("sources"),
  load: Schema.Struct({ start: Schema.Array(Schema.Number), end: Schema.Array(Schema.Number) }),
  stored: Schema.Struct({ start: Positive, end: Positive }),
  segments: Positive,
  serverCpuMicrosPerObject: Schema.Struct({
    floor: Positive,
    floorWithoutParse: Positive,
    httpOnly: Positive,
    emulator: Positive
  }),
  fxpAloneMicrosPerObject: Positive,
  spread: Schema.Struct({
    floor: Spread,
    floorWithoutParse: Spread,
    httpOnly: Spread,
    emulator: Spread,
    fxpAlone: Spread
  }),
  floorShares: Schema.Struct({ parser: Finite, http: Positive, storeAndAnswer: Finite }),
  emulatorToFloor: Positive,
  parseChecked: Schema.Literal(batch),
  goals: Schema.Struct({ serverCpuMicrosPerObject: Schema.Literal(30), stored: Schema.Literal(100_000) })
})

const runQuick = runScript("packages/emulator/bench/floor.bench.ts", ["--quick"])

describe("bench:emulator-floor (smoke run)", () => {
  it.effect("the floor's parse of the bench's request yields what the emulator's decode yields", () =>
    Effect.gen(function*() {
      const header = { mktowsUserId: "demo", requestSignature: "0", requestTimestamp: Signature.formatTimestamp(0) }
      const body = SoapCodec.encodeRequest("syncMObjects", header, {
        operation: "UPSERT",
        mObjectList: requestObjects("SMOKE", 0)
      })
      const decoded = yield* SoapCodec.decodeRequest(body)
      const parsed = makeParse()(body)
      expect(decoded.operation).toBe("syncMObjects")
      expect(parsed).toHaveLength(batch)
      expect(parsed[7]).toEqual({
        type: "Opportunity",
        keyName: "opportunityId",
        key: "SMOKE-7",
        fields: { Name: "Bench deal 7", Amount: "1007", Stage: "Prospecting" },
        companyKey: "COMP-1",
        id: 0
      })
      if (decoded.operation === "syncMObjects") expect(parsed).toEqual(decoded.params.mObjectList.map(fromWire))
    }))

  it.live(
    "--quick completes and ends with JSON: a finite, positive figure for every contender",
    () =>
      Effect.gen(function*() {
        const run = yield* runQuick
        expect(run.code, `bench:emulator-floor failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
        const last = run.stdout.trim().split("\n").at(-1) ?? ""
        yield* Schema.decodeUnknown(Schema.parseJson(Output))(last)
      }),
    300_000
  )
})
