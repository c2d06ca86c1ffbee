import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as MarketoClient from "../src/MarketoClient.js"
import { AuthFault, MarketoFault } from "../src/MarketoError.js"
import { Opportunity } from "../src/Opportunity.js"
import type * as Outcome from "../src/Outcome.js"
import type * as Wire from "../src/Wire.js"
import * as Fake from "./helpers/fakeTransport.js"

const clientOf = (fake: Fake.Fake, options?: MarketoClient.Options) =>
  MarketoClient.make(options).pipe(Effect.provide(fake.layer))

describe("syncStream", () => {
  const opportunity = (i: number) =>
    i === 23
      ? Opportunity.make({ name: "no key" }) // UPDATE needs an id or an external key
      : Opportunity.make({ id: i + 1 })

  it.effect("a chunk with invalid objects ends the stream after the outcomes before it, unsent", () =>
    Effect.gen(function*() {
      const fake = Fake.make()
      const client = yield* clientOf(fake, { chunkSize: 10, concurrency: 3 })
      const emitted: Array<number> = []
      const error = yield* Stream.fromIterable(Array.from({ length: 55 }, (_, i) => opportunity(i))).pipe(
        client.syncStream("UPDATE"),
        Stream.runForEach((o) => Effect.sync(() => emitted.push(o.index))),
        Effect.flip
      )
      expect(error._tag).toBe("ValidationError")
      expect(error._tag === "ValidationError" && error.issues.map((i) => i.index)).toEqual([23])
      // It says what went before it: the first 20 were sent, nothing from the 21st on.
      expect(error._tag === "ValidationError" && error.sentBefore).toBe(20)
      expect(error.message).toMatch(
        /^1 invalid input\(s\), nothing from objects\[20\] on was sent \(the 20 before it were, and have their outcomes\):/
      )
      expect(emitted).toEqual(Array.from({ length: 20 }, (_, i) => i))
      // Neither the invalid chunk nor any after it was sent.
      expect(fake.calls.map((c) => (c.params as Wire.ParamsSyncMObjects).mObjectList[0]!.id)).toEqual([1, 11])
    }))

  it.effect("an authentication fault stops sending, yet every object sent gets its outcome", () =>
    Effect.gen(function*() {
      const denied = new AuthFault({ code: 20013, faultString: "20013 - Access Denied" })
      const fake = Fake.make({
        script: (_op, params, _n) =>
          (params as Wire.ParamsSyncMObjects).mObjectList[0]!.id === 31 ? Effect.fail(denied) : undefined
      })
      const client = yield* clientOf(fake, { chunkSize: 10, concurrency: 4 })
      const emitted: Array<Outcome.Outcome<unknown>> = []
      const error = yield* Stream.range(0, 79).pipe(
        Stream.map((i) => Opportunity.make({ id: i + 1 })),
        client.syncStream("UPDATE"),
        Stream.runForEach((o) => Effect.sync(() => emitted.push(o))),
        Effect.flip
      )
      expect(error).toStrictEqual(denied)
      const sent = fake.calls.flatMap((c) => (c.params as Wire.ParamsSyncMObjects).mObjectList.map((o) => o.id! - 1))
      // Chunks already in flight when the fault came still report; none is sent after it.
      // How many were in flight depends on scheduling, so only the law is asserted: chunks 0
      // to 3 (the refused one) were sent, and at most concurrency - 1 = 3 after it, because
      // chunk k + 4 cannot start before chunk k's outcome is out, and chunk 3's outcome is
      // the fault, which stops the stream first.
      expect(sent.length % 10).toBe(0)
      expect(sent.length).toBeGreaterThanOrEqual(40)
      expect(sent.length).toBeLessThanOrEqual(70)
      expect(emitted.map((o) => o.index)).toEqual(Array.from({ length: sent.length }, (_, i) => i))
      expect([...sent].sort((a, b) => a - b)).toEqual(emitted.map((o) => o.index))
      const refused = emitted.filter((o) => o.status === "FAILED")
      expect(refused.map((o) => o.index)).toEqual(Array.from({ length: 10 }, (_, i) => 30 + i))
      expect(refused[0]!.error).toContain("20013")
    }))

  it.effect("a chunk refused for good emits FAILED outcomes and the stream goes on", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (_op, params, _n) =>
          (params as Wire.ParamsSyncMObjects).mObjectList[0]!.id === 31
            ? Effect.fail(new MarketoFault({ code: 20012, faultString: "20012 - Request Not Understood" }))
            : undefined
      })
      const client = yield* clientOf(fake, { chunkSize: 10, concurrency: 4 })
      const outcomes = yield* Stream.range(0, 79).pipe(
        Stream.map((i) => Opportunity.make({ id: i + 1 })),
        client.syncStream("UPDATE"),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
      expect(outcomes.map((o) => o.index)).toEqual(Array.from({ length: 80 }, (_, i) => i))
      expect(outcomes.filter((o) => o.status === "FAILED").map((o) => o.index)).toEqual(
        Array.from({ length: 10 }, (_, i) => 30 + i)
      )
      expect(outcomes.filter((o) => o.status === "UPDATED").length).toBe(70)
    }))

  it.effect("FAILED objects are emitted as outcomes, not errors", () =>
    Effect.gen(function*() {
      const fake = Fake.make({ status: (o) => o.id === 2 ? "FAILED" : "UPDATED" })
      const client = yield* clientOf(fake)
      const outcomes = yield* Stream.make(Opportunity.make({ id: 1 }), Opportunity.make({ id: 2 })).pipe(
        client.syncStream("UPDATE"),
        Stream.runCollect
      )
      expect(Chunk.toReadonlyArray(outcomes).map((o) => o.status)).toEqual(["UPDATED", "FAILED"])
    }))
})

describe("getMObjects", () => {
  const wireOpportunity = (id: number): Wire.MObject => ({
    type: "Opportunity",
    id,
    attribList: [{ name: "Name", value: `Deal ${id}` }]
  })
  // Three pages of three, chained by stream positions.
  const pages: Record<string, Wire.ResultGetMObjects> = {
    "": { returnCount: 3, hasMore: true, newStreamPosition: "pos-1", mObjectList: [1, 2, 3].map(wireOpportunity) },
    "pos-1": { returnCount: 3, hasMore: true, newStreamPosition: "pos-2", mObjectList: [4, 5, 6].map(wireOpportunity) },
    "pos-2": { returnCount: 3, hasMore: false, newStreamPosition: "pos-3", mObjectList: [7, 8, 9].map(wireOpportunity) }
  }
  const reader = () =>
    Fake.make({
      script: (operation, params) => {
        if (operation !== "getMObjects") return undefined
        const position = (params as Wire.ParamsGetMObjects).streamPosition ?? ""
        const page = pages[position]
        return (page === undefined
          ? Effect.fail(new MarketoFault({ code: 20123, faultString: "20123 - Stream at End" }))
          : Effect.succeed(page)) as Effect.Effect<Wire.ResultOf<typeof operation>, MarketoFault>
      }
    })
  const criteria = [{ attrName: "Name", comparison: "NE" as const, attrValue: "x" }]

  it.effect("follows hasMore and newStreamPosition over every page", () =>
    Effect.gen(function*() {
      const fake = reader()
      const client = yield* clientOf(fake)
      const objects = yield* Stream.runCollect(client.getMObjects({ type: "Opportunity", criteria }))
      expect(Chunk.toReadonlyArray(objects).map((o) => [o._tag, o.id])).toEqual(
        [1, 2, 3, 4, 5, 6, 7, 8, 9].map((id) => ["Opportunity", id])
      )
      expect(fake.calls.map((c) => c.params)).toEqual([
        { type: "Opportunity", mObjCriteriaList: criteria },
        { type: "Opportunity", mObjCriteriaList: criteria, streamPosition: "pos-1" },
        { type: "Opportunity", mObjCriteriaList: criteria, streamPosition: "pos-2" }
      ])
    }))

  it.effect("resumes from a saved position", () =>
    Effect.gen(function*() {
      const client = yield* clientOf(reader())
      const first = yield* Stream.runCollect(Stream.take(client.getMObjectsPages({ type: "Opportunity" }), 1))
      const saved = Chunk.unsafeHead(first).streamPosition
      expect(saved).toBe("pos-1")
      const rest = yield* Stream.runCollect(client.getMObjects({ type: "Opportunity", streamPosition: saved }))
      expect(Chunk.toReadonlyArray(rest).map((o) => o.id)).toEqual([4, 5, 6, 7, 8, 9])
      // Resumed at the very end, Marketo's "Stream at End" means: nothing more.
      const none = yield* Stream.runCollect(client.getMObjects({ type: "Opportunity", streamPosition: "pos-3" }))
      expect(Chunk.size(none)).toBe(0)
    }))

  it.effect("a position that does not move ends the read with an error instead of looping", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation) =>
          operation === "getMObjects"
            ? Effect.succeed(
              { returnCount: 0, hasMore: true, newStreamPosition: "same" } as Wire.ResultOf<typeof operation>
            )
            : undefined
      })
      const client = yield* clientOf(fake)
      const error = yield* Effect.flip(
        Stream.runCollect(client.getMObjects({ type: "Opportunity", streamPosition: "same" }))
      )
      expect(error._tag).toBe("ProtocolError")
      expect(error.message).toContain("without a new stream position")
      expect(fake.calls.length).toBe(1)
    }))

  it.effect("an object that cannot be read is a typed error", () =>
    Effect.gen(function*() {
      const fake = Fake.make({
        script: (operation) =>
          operation === "getMObjects"
            ? Effect.succeed({
              returnCount: 1,
              hasMore: false,
              newStreamPosition: "p",
              mObjectList: [{ type: "Opportunity", id: 1, attribList: [{ name: "Amount", value: "lots" }] }]
            } as Wire.ResultOf<typeof operation>)
            : undefined
      })
      const client = yield* clientOf(fake)
      const error = yield* Effect.flip(Stream.runCollect(client.getMObjects({ type: "Opportunity" })))
      expect(error._tag).toBe("ProtocolError")
    }))
})
