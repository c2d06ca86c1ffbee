/**
 * The hand-written answer checks (the decoder's fast path) agree with RestWire's Schemas:
 * whatever the check accepts the Schema decodes, and every answer the Schema describes (as
 * JSON) the check accepts.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Guards from "../src/internal/guards.js"
import * as Http from "../src/internal/http.js"
import * as RestWire from "../src/RestWire.js"

const cases: ReadonlyArray<
  readonly [string, Schema.Schema<unknown, unknown>, (value: unknown) => boolean]
> = [
  ["StatusResponse", RestWire.StatusResponse as Schema.Schema<unknown, unknown>, Guards.isStatusResponse],
  ["QueryResponse", RestWire.QueryResponse as Schema.Schema<unknown, unknown>, Guards.isQueryResponse]
]

// JSON values shaped like answers, often nearly right: the checks must say no where the Schema does.
const nearly = FastCheck.letrec((tie) => ({
  value: FastCheck.oneof(
    { depthSize: "small" },
    FastCheck.constantFrom(null, true, false, 0, 1.5, -3, "", "created", "skipped", "x"),
    FastCheck.array(tie("value"), { maxLength: 3 }),
    FastCheck.dictionary(
      FastCheck.constantFrom(
        "success",
        "result",
        "errors",
        "seq",
        "status",
        "marketoGUID",
        "reasons",
        "code",
        "message"
      ),
      tie("value"),
      { maxKeys: 5 }
    )
  )
})).value

describe("answer checks agree with the Schemas", () => {
  for (const [name, schema, guard] of cases) {
    const decode = ParseResult.decodeUnknownEither(schema)
    it.prop(`${name}: every answer the Schema describes passes the check`, [Arbitrary.make(schema)], ([answer]) => {
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(schema)(answer)))
      // Numbers JSON cannot hold (Infinity) come back as null: not an answer a server can send.
      FastCheck.pre(Either.isRight(decode(json)))
      expect(guard(json)).toBe(true)
    })
    it.prop(`${name}: whatever passes the check, the Schema decodes`, [nearly], ([value]) => {
      const wrapped = { success: true, result: [value] }
      for (const v of [value, wrapped]) if (guard(v)) expect(Either.isRight(decode(v))).toBe(true)
    }, { fastCheck: { numRuns: 500 } })
  }
})

describe("the depth bound of every answer (parseJson)", () => {
  // The true depth of a parsed value.
  const depth = (v: unknown): number =>
    typeof v === "object" && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0
  // Strings full of what could fool a scan: brackets, quotes, backslashes.
  const tricky = FastCheck.stringOf(FastCheck.constantFrom("[", "]", "{", "}", "\"", "\\", "a", "\\\""), {
    maxLength: 6
  })
  const nested = FastCheck.letrec((tie) => ({
    value: FastCheck.oneof(
      { depthSize: "small", maxDepth: Http.maxJsonDepth + 4 },
      tricky,
      FastCheck.integer(),
      FastCheck.array(tie("value"), { maxLength: 2 }),
      FastCheck.dictionary(tricky, tie("value"), { maxKeys: 2 })
    )
  })).value
  // Chains around the bound, wrapped in what the generator draws.
  const deep = FastCheck.tuple(FastCheck.integer({ min: Http.maxJsonDepth - 2, max: Http.maxJsonDepth + 2 }), nested)
    .map(([n, inner]) => {
      let v: unknown = inner
      for (let i = 0; i < n; i++) v = i % 2 === 0 ? [v] : { "k\"[": v }
      return v
    })

  it.prop("refused as too deep exactly when it nests deeper than the bound", [FastCheck.oneof(nested, deep)], ([v]) => {
    const parsed = Http.parseJson(JSON.stringify(v), "test")
    if (depth(v) > Http.maxJsonDepth) {
      expect(Either.isLeft(parsed) && parsed.left.reason).toBe("TooLarge")
    } else {
      expect(parsed).toStrictEqual(Either.right(v))
    }
  })
})
