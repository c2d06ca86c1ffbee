/**
 * Every argument of the client is checked before the wire (issue 9, points 4 to 6): each bad
 * input below is a `ValidationError` naming where, never a defect, and no request is sent.
 */
import { afterEach, describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as MarketoClient from "../src/MarketoClient.js"
import type { ValidationError } from "../src/MarketoError.js"
import type * as MObject from "../src/MObject.js"
import * as Opportunity from "../src/Opportunity.js"
import { Program } from "../src/Program.js"
import * as Validation from "../src/Validation.js"
import * as Fake from "./helpers/fakeTransport.js"

// Plain JavaScript callers (or casts) can hand in anything; the types are no defence.
const unchecked = <A>(value: unknown): A => value as A

/** Throws (a SyntaxError), as a hostile getter or Proxy trap would. */
const explode = (): never => JSON.parse("{") as never

const fake = Fake.make()
const ClientLive = MarketoClient.layer().pipe(Layer.provide(fake.layer))

/** Runs `effect`, which must fail with a ValidationError (not die), and answers it. */
const rejected = <A, E>(effect: Effect.Effect<A, E, MarketoClient.MarketoClient>) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(effect)
    expect(Exit.isFailure(exit) && exit.cause._tag === "Fail").toBe(true)
    const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
    expect((error as { readonly _tag?: string } | undefined)?._tag).toBe("ValidationError")
    return error as unknown as ValidationError
  })

const where = (error: ValidationError) => error.issues.map((issue) => [issue.argument ?? issue.index, ...issue.path])

const read = (params: MarketoClient.GetParams) => Stream.runCollect(MarketoClient.getMObjects(params))

afterEach(() => {
  // Nothing in this file may reach the transport; cleared so one failure does not spread.
  const sent = fake.calls.splice(0)
  expect(sent).toEqual([])
})

layer(ClientLive)("parameters are checked before the wire", (it) => {
  describe("getMObjects", () => {
    it.effect("a stream position XML cannot carry", () =>
      Effect.gen(function*() {
        const error = yield* rejected(read({ type: "Opportunity", streamPosition: "a\u0000b" }))
        expect(where(error)).toEqual([["params", "streamPosition"]])
        expect(error.message).toContain("params.streamPosition: ")
        expect(error.message).toContain("U+0000")
      }))

    it.effect("a type that cannot be read", () =>
      Effect.gen(function*() {
        const error = yield* rejected(read(unchecked({ type: "Lead" })))
        expect(where(error)).toEqual([["params", "type"]])
      }))

    it.effect("ids that are not Marketo ids", () =>
      Effect.gen(function*() {
        for (const id of [1.5, Number.NaN, 0, -3, 2 ** 31]) {
          const error = yield* rejected(read({ type: "Opportunity", id }))
          expect(where(error)).toEqual([["params", "id"]])
        }
      }))

    it.effect("an external key value XML cannot carry", () =>
      Effect.gen(function*() {
        const error = yield* rejected(
          read({ type: "Opportunity", externalKey: { name: "externalId", value: "\uFFFF" } })
        )
        expect(where(error)).toEqual([["params", "externalKey", "value"]])
      }))

    it.effect("a comparison outside the WSDL's enumeration, and every other problem with it", () =>
      Effect.gen(function*() {
        const error = yield* rejected(read(unchecked({
          type: "Opportunity",
          criteria: [{ attrName: "Name", comparison: "EQ", attrValue: "x" }, {
            attrName: "Amount",
            comparison: "XX",
            attrValue: "1"
          }],
          includeDetails: "yes",
          criterias: []
        })))
        expect(where(error)).toEqual(expect.arrayContaining([
          ["params", "criteria", 1, "comparison"],
          ["params", "includeDetails"],
          ["params", "criterias"]
        ]))
        expect(error.issues).toHaveLength(3)
        expect(error.message).toContain("params.criteria[1].comparison: ")
      }))

    it.effect("params that are null, sparse, or throw when read", () =>
      Effect.gen(function*() {
        expect(where(yield* rejected(read(unchecked(null))))).toEqual([["params"]])
        const sparse = yield* rejected(read(unchecked({ type: "Opportunity", criteria: new Array(1) })))
        expect(where(sparse)).toEqual([["params", "criteria", 0]])
        const getter = {
          type: "Opportunity",
          get id(): number {
            return explode()
          }
        }
        expect(where(yield* rejected(read(unchecked(getter))))).toEqual([["params"]])
        const trap = new Proxy({}, {
          ownKeys: explode,
          get: explode
        })
        expect(where(yield* rejected(read(unchecked(trap))))).toEqual([["params"]])
      }))

    it.effect("getMObjectsPages checks the same way", () =>
      Effect.gen(function*() {
        const error = yield* rejected(
          Stream.runCollect(MarketoClient.getMObjectsPages({ type: "Program", streamPosition: "\uD800" }))
        )
        expect(where(error)).toEqual([["params", "streamPosition"]])
      }))
  })

  describe("describeMObject", () => {
    it.effect("an empty name, and a name XML cannot carry", () =>
      Effect.gen(function*() {
        for (const name of ["", "a\u0000b", unchecked<string>(undefined), unchecked<string>(7)]) {
          const error = yield* rejected(MarketoClient.describeMObject(name))
          expect(where(error)).toEqual([["objectName"]])
          expect(error.message).toContain("objectName: ")
        }
      }))
  })

  describe("syncMObjects", () => {
    const deal = Opportunity.make({ id: 1, name: "Deal" })

    it.effect("the operation itself", () =>
      Effect.gen(function*() {
        for (const operation of ["DELETE", "insert", undefined, null]) {
          const error = yield* rejected(MarketoClient.syncMObjects([deal], unchecked(operation)))
          expect(where(error)).toEqual([["operation"]])
          expect(error.message).toContain("operation: expected INSERT, UPDATE or UPSERT")
        }
        // Even with nothing to send, a wrong operation is a mistake worth saying.
        expect(where(yield* rejected(MarketoClient.syncMObjects([], unchecked("DELETE"))))).toEqual([["operation"]])
      }))

    it.effect("the streaming form refuses the operation before reading its input", () =>
      Effect.gen(function*() {
        let pulled = 0
        const input = Stream.fromIterable([deal]).pipe(Stream.tap(() => Effect.sync(() => pulled++)))
        const error = yield* rejected(Stream.runCollect(MarketoClient.syncStream(unchecked("DELETE"))(input)))
        expect(where(error)).toEqual([["operation"]])
        expect(pulled).toBe(0)
      }))

    it.effect("no list, holes, nulls, throwing getters and Proxies", () =>
      Effect.gen(function*() {
        expect(where(yield* rejected(MarketoClient.syncMObjects(unchecked(null), "UPSERT")))).toEqual([[0]])
        expect(where(yield* rejected(MarketoClient.syncMObjects(unchecked({ length: 1 }), "UPSERT")))).toEqual([[0]])
        const holey = unchecked<Array<MObject.MObject>>([, deal]) // eslint-disable-line no-sparse-arrays
        expect(where(yield* rejected(MarketoClient.syncMObjects(holey, "UPSERT")))).toEqual([[0]])
        const getter = {
          _tag: "Opportunity",
          get id(): number {
            return explode()
          }
        }
        const trap = new Proxy({}, {
          get: explode
        })
        const revocable = Proxy.revocable({}, {})
        revocable.revoke()
        const error = yield* rejected(
          MarketoClient.syncMObjects(unchecked([deal, null, getter, trap, revocable.proxy]), "UPSERT")
        )
        expect(where(error)).toEqual([[1], [2], [3], [4]])
        expect(error.issues[2]!.message).toContain("could not be read")
      }))

    it.effect("a sparse list of costs (issue 9.6)", () =>
      Effect.gen(function*() {
        // Built past the constructor's own check, as decoded plain data would be.
        const program = new Program(unchecked({ id: 1970, costs: new Array(2) }), true)
        const error = yield* rejected(MarketoClient.syncMObjects([program], "UPDATE"))
        expect(where(error)).toEqual([[0, "costs", 0], [0, "costs", 1]])
        expect(error.message).toContain("objects[0].costs[1]: expected an entry, got a hole")
      }))

    it.effect("Validation.decode reports the holes too, and plain data that is no list", () =>
      Effect.gen(function*() {
        const holes = yield* Effect.flip(
          Validation.decode([{ _tag: "Program", id: 1970, costs: new Array(2), tags: [, { type: "a" }] }], "UPDATE") // eslint-disable-line no-sparse-arrays
        )
        expect(where(holes)).toEqual([[0, "costs", 0], [0, "costs", 1], [0, "tags", 0], [0, "tags", 1, "value"]])
        const none = yield* Effect.flip(Validation.decode(unchecked(null), "UPDATE"))
        expect(where(none)).toEqual([[0]])
      }))
  })

  describe("deleteMObjects", () => {
    it.effect("null refs, null lists, ids that are not Marketo ids", () =>
      Effect.gen(function*() {
        expect(where(yield* rejected(MarketoClient.deleteMObjects(unchecked(null))))).toEqual([[0]])
        const error = yield* rejected(MarketoClient.deleteMObjects(unchecked([
          null,
          { type: "Opportunity", id: 1.5 },
          { type: "Opportunity", id: Number.NaN },
          { type: "Lead", id: 3 },
          new Proxy({}, {
            get: explode
          })
        ])))
        expect(where(error)).toEqual([[0], [1, "id"], [2, "id"], [3, "type"], [4]])
      }))
  })
})

describe("Validation.formatPath", () => {
  it.effect("one format for every location", () =>
    Effect.sync(() => {
      expect(Validation.formatPath(["costs", 0, "month"], "objects[3]")).toBe("objects[3].costs[0].month")
      expect(Validation.formatPath([0, "costs"], "objects")).toBe("objects[0].costs")
      expect(Validation.formatPath(["a", "b"])).toBe("a.b")
      expect(Validation.formatPath([])).toBe("")
    }))
})
