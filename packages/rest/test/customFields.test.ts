/**
 * A custom number field's text goes as a JSON number only when that number means exactly the
 * text's decimal value (README: "when its text says one faithfully"); otherwise as the text
 * itself, for Marketo to read or refuse. Checked against an exact decimal comparison written
 * here with BigInt, independently of the client's digit-by-digit one.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as CustomFields from "../src/internal/customFields.js"
import * as RestTransport from "../src/RestTransport.js"
import * as RestWire from "../src/RestWire.js"
import { fake, ok, type Sent, tokens } from "./helpers/fakeMarketo.js"

/** The instance's describe of opportunities: its custom fields, one of each kind. */
const described = {
  idField: "marketoGUID",
  dedupeFields: ["externalOpportunityId"],
  fields: [
    { name: "cInt", dataType: "integer" },
    { name: "cCur", dataType: "currency" },
    { name: "cFloat", dataType: "float" },
    { name: "cOk", dataType: "float" },
    { name: "cPct", dataType: "percent" },
    { name: "cBool", dataType: "boolean" },
    { name: "cText", dataType: "string" }
  ]
}

const kinds = CustomFields.kindsOf(described)

const sent = (name: string, text: string) => CustomFields.valueOf(kinds, name, text)

// The syntax the client accepts as a number at all (customFields.ts keeps it as it was).
const syntax = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/** A decimal text's exact value, as mantissa × 10^exponent. */
const exact = (s: string): readonly [bigint, number] | undefined => {
  const m = /^(-?\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(s)
  if (m === null) return undefined
  const fraction = m[2] ?? ""
  return [BigInt((m[1] ?? "") + fraction), Number(m[3] ?? "0") - fraction.length]
}

/** Whether two decimal texts stand for the same value (zero having no sign). */
const sameValue = (a: string, b: string): boolean => {
  const x = exact(a)
  const y = exact(b)
  if (x === undefined || y === undefined) return false
  const e = Math.min(x[1], y[1])
  return x[0] * BigInt(10) ** BigInt(x[1] - e) === y[0] * BigInt(10) ** BigInt(y[1] - e)
}

// Finite doubles; -0 is written 0 by JSON.
const finite = FastCheck.double({ noNaN: true, noDefaultInfinity: true })
const plain = (d: number) => d === 0 ? 0 : d

const digits = (min: number, max: number) =>
  FastCheck.string({ unit: FastCheck.constantFrom(..."0123456789"), minLength: min, maxLength: max })

// Any text of the accepted syntax, its exponent kept small enough for BigInt to check.
const anyDecimal = FastCheck.tuple(
  FastCheck.constantFrom("", "-"),
  FastCheck.oneof(
    FastCheck.constant("0"),
    FastCheck.tuple(FastCheck.integer({ min: 1, max: 9 }), digits(0, 24))
      .map(([d, rest]) => `${d}${rest}`)
  ),
  FastCheck.option(digits(1, 30), { nil: "" }),
  FastCheck.option(
    FastCheck.tuple(
      FastCheck.constantFrom("e", "E"),
      FastCheck.constantFrom("", "+", "-"),
      FastCheck.constantFrom("", "0", "00"),
      FastCheck.integer({ min: 0, max: 400 })
    ).map(([e, sign, zeros, x]) => `${e}${sign}${zeros}${x}`),
    { nil: "" }
  )
).map(([sign, int, fraction, exponent]) => `${sign}${int}${fraction === "" ? "" : "." + fraction}${exponent}`)

// Texts near a double: its other writings with fewer or more digits, some of them faithful.
const nearDouble = FastCheck.tuple(finite, FastCheck.integer({ min: 1, max: 40 }), FastCheck.nat(9)).chain((
  [d, p, extra]
) =>
  FastCheck.constantFrom(
    d.toPrecision(Math.min(p, 100)),
    d.toExponential(Math.min(p, 100)),
    Math.abs(d) < 1e21 ? d.toFixed(Math.min(p, 100)) : String(d),
    String(d).replace(/^(-?\d+(?:\.\d+)?)/, `$1${String(d).includes(".") ? "" : "."}${extra}`),
    String(d).replace(/^(-?\d+(?:\.\d+)?)/, `$1${String(d).includes(".") ? "" : "."}000`)
  )
).filter((s) => syntax.test(s))

// The shortest text of a double written otherwise: moved point, trailing zeros, exponent case.
const respelled = FastCheck.tuple(
  finite.filter((d) => d !== 0),
  FastCheck.nat(5),
  FastCheck.nat(5),
  FastCheck.constantFrom("e", "E"),
  FastCheck.constantFrom("", "+")
).map(([d, lead, trail, e, plus]) => {
  // d = ±m.mmm × 10^x, the digits shortest (toExponential without an argument, as String).
  const [mantissa = "", x = "0"] = Math.abs(d).toExponential().split("e")
  const ds = mantissa.replace(".", "")
  // ±0.(lead zeros)(digits)(trail zeros) × 10^(x + 1 + lead)
  const power = Number(x) + 1 + lead
  const exponent = power < 0 ? `${e}${power}` : `${e}${plus}${power}`
  return [d, `${d < 0 ? "-" : ""}0.${"0".repeat(lead)}${ds}${"0".repeat(trail)}${exponent}`] as const
})

describe("custom number fields are sent as numbers only when faithful", () => {
  it("a number the double cannot hold goes as its text", () => {
    expect(sent("cInt", "9007199254740993")).toBe("9007199254740993")
    expect(sent("cCur", "12345678901234567.89")).toBe("12345678901234567.89")
    expect(sent("cFloat", "0.1000000000000000055511151231257827")).toBe("0.1000000000000000055511151231257827")
    // Too small or too large for a double: neither 0 nor Infinity.
    expect(sent("cFloat", "1e-400")).toBe("1e-400")
    expect(sent("cFloat", "-2.5e-324")).toBe("-2.5e-324")
    expect(sent("cFloat", "1e400")).toBe("1e400")
    expect(sent("cFloat", "1e99999999999999999999999")).toBe("1e99999999999999999999999")
    expect(sent("cFloat", "1e-99999999999999999999999")).toBe("1e-99999999999999999999999")
  })

  it("a number the double holds goes as that number, however the text spells it", () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["9007199254740992", 9007199254740992],
      ["9007199254740992.000", 9007199254740992],
      ["12345678901234568", 12345678901234568],
      ["1.50", 1.5],
      ["0.10", 0.1],
      ["1e3", 1000],
      ["1E3", 1000],
      ["1e+3", 1000],
      ["1e003", 1000],
      ["1000e-3", 1],
      ["0.0001e4", 1],
      ["12.0", 12], // an integer field's whole number with a fraction of zeros: still that number
      ["-7.25", -7.25],
      ["5e-324", 5e-324],
      ["1.7976931348623157e308", 1.7976931348623157e308],
      ["1e21", 1e21],
      ["123456789012345680000", 123456789012345680000]
    ]
    for (const [text, n] of cases) expect([text, sent("cCur", text)]).toEqual([text, n])
  })

  it("zero is zero whatever its sign or spelling: -0 is sent as JSON's 0", () => {
    for (const text of ["0", "-0", "0.000", "-0.0e-5", "0e99999999999999999999999"]) {
      expect([text, sent("cInt", text)]).toEqual([text, 0])
    }
  })

  it("what the syntax refuses goes as text, as before", () => {
    for (
      const text of ["+3", "007", "-01.5", " 7", "7 ", ".5", "5.", "1e", "1,5", "0x10", "Infinity", "NaN", "", "-"]
    ) {
      expect(sent("cInt", text)).toBe(text)
    }
  })

  it("booleans, text fields and fields the describe does not know are as before", () => {
    expect(sent("cBool", " True ")).toBe(true)
    expect(sent("cBool", "0")).toBe(false)
    expect(sent("cBool", "yes")).toBe("yes")
    expect(sent("cText", "1.5")).toBe("1.5")
    expect(sent("unknown", "1.5")).toBe("1.5")
    expect(CustomFields.valueOf(undefined, "cInt", "1.5")).toBe("1.5")
  })

  it("a double's shortest text is sent as that double", () => {
    FastCheck.assert(FastCheck.property(finite, (d) => {
      expect(sent("cFloat", String(d))).toBe(plain(d))
    }))
  })

  it("a double's shortest text respelled is sent as that double", () => {
    FastCheck.assert(FastCheck.property(respelled, ([d, text]) => {
      expect([text, sent("cFloat", text)]).toEqual([text, d])
    }))
  })

  it("any text of the accepted syntax goes as a number of exactly its value, or unchanged", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.oneof(anyDecimal, nearDouble), (text) => {
        const v = sent("cPct", text)
        const ok = v === text || (typeof v === "number" && sameValue(text, JSON.stringify(v)))
        expect([text, v, ok]).toEqual([text, v, true])
      }),
      { numRuns: 2000 }
    )
  })

  it("the oracle itself tells the defect's examples apart", () => {
    expect(sameValue("9007199254740993", JSON.stringify(Number("9007199254740993")))).toBe(false)
    expect(sameValue("1.50", "1.5")).toBe(true)
    expect(sameValue("-0", "0")).toBe(true)
    expect(sameValue("1e3", "1000")).toBe(true)
  })
})

describe("custom number fields over the wire", () => {
  const identityPath = "/identity/oauth/token"
  const opportunitiesDescribe = "/rest" + RestWire.paths.opportunitiesDescribe

  it.effect("a sync sends unfaithful numbers as their text and faithful ones as numbers", () => {
    const t = tokens()
    const f = fake((s) =>
      s.path === identityPath
        ? t.route()
        : s.path === opportunitiesDescribe
        ? ok([described])
        : ok([{ seq: 0, marketoGUID: "g", status: "updated" }])
    )
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    return Effect.gen(function*() {
      yield* MarketoClient.syncMObjects(
        [
          Opportunity.make({
            externalKey: { name: "externalOpportunityId", value: "A" },
            customFields: {
              cInt: "9007199254740993",
              cCur: "12345678901234567.89",
              cFloat: "0.1000000000000000055511151231257827",
              cOk: "1.50"
            }
          })
        ],
        "UPDATE"
      )
      const sync = f.sent.find((s: Sent) => s.method === "POST" && s.path !== identityPath)
      // Parsed back, a number sent for the first three would not be their text.
      expect(JSON.parse(sync?.body ?? "{}")).toMatchObject({
        input: [{
          cInt: "9007199254740993",
          cCur: "12345678901234567.89",
          cFloat: "0.1000000000000000055511151231257827",
          cOk: 1.5
        }]
      })
    }).pipe(Effect.provide(client))
  })
})
