/**
 * How the emulator's store scales: a bulk UPSERT by external key in calls of 100 as the
 * store grows to 100,000 opportunities, roles linked to them by external key, a full
 * getMObjects read in pages of 100, and deleting everything in calls of 100. Run once
 * against the store directly (no HTTP) and once through HTTP on an `Emulator.make`
 * instance. A plain script, not a test: it prints microseconds and asserts only that the
 * emulator answered as expected (a wrong count would make the numbers meaningless).
 *
 * node --import tsx --conditions=source packages/emulator/bench/emulator.bench.ts [--count N] [--http-count N]
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import type * as Wire from "@mktows/core/Wire"
import * as SoapTransport from "@mktows/xml/SoapTransport"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import * as Emulator from "../src/Emulator.js"
import { fromSeed } from "../src/internal/seed.js"
import { makeStore } from "../src/internal/store.js"
import * as Seed from "../src/Seed.js"

const argument = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name)
  const value = at === -1 ? undefined : Number(process.argv[at + 1])
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback
}

const count = argument("--count", 100_000)
const httpCount = argument("--http-count", count)
const roleCount = 1_000
const batch = 100

/** The three operations the scenario uses, however they reach the store. */
interface Api {
  readonly sync: (params: Wire.ParamsSyncMObjects) => Effect.Effect<Wire.ResultSyncMObjects, unknown>
  readonly get: (params: Wire.ParamsGetMObjects) => Effect.Effect<Wire.ResultGetMObjects, unknown>
  readonly delete: (params: Wire.ParamsDeleteMObjects) => Effect.Effect<Wire.ResultDeleteMObjects, unknown>
}

const now = Effect.sync(() => performance.now())

const check = (ok: boolean, what: string): Effect.Effect<void, string> => ok ? Effect.void : Effect.fail(what)

const opportunity = (i: number): Wire.MObject => ({
  type: "Opportunity",
  externalKey: { name: "opportunityId", value: `BENCH-${i}` },
  attribList: [
    { name: "Name", value: `Bench deal ${i}` },
    { name: "Amount", value: String(1000 + i) },
    { name: "Stage", value: "Prospecting" }
  ],
  associationList: [{ mObjType: "Company", externalKey: { name: "companyId", value: "COMP-1" } }]
})

const role = (i: number, total: number): Wire.MObject => ({
  type: "OpportunityPersonRole",
  externalKey: { name: "roleId", value: `ROLE-${i}` },
  attribList: [{ name: "Role", value: "Influencer" }],
  associationList: [
    { mObjType: "Opportunity", externalKey: { name: "opportunityId", value: `BENCH-${(i * 97) % total}` } },
    { mObjType: "Lead", id: 19 }
  ]
})

// A full collection before reading the heap, so the figure is what the store keeps alive.
setFlagsFromString("--expose-gc")
const collect = runInNewContext("gc") as () => void
const heapUsed = (): number => {
  collect()
  collect()
  return process.memoryUsage().heapUsed
}

const micros = (millis: number, objects: number) => `${((millis * 1000) / objects).toFixed(1).padStart(8)} µs/object`

const line = (label: string, text: string) => Effect.sync(() => console.log(`  ${label.padEnd(44)} ${text}`))

const scenario = (api: Api, total: number) =>
  Effect.gen(function*() {
    // UPSERT by external key, all CREATED; the window is the last 1,000 objects before each mark.
    const marks = [10_000, 50_000, 100_000].filter((m) => m <= total)
    if (!marks.includes(total)) marks.push(total)
    const ids: Array<number> = []
    const perCall: Array<number> = []
    const heapBefore = heapUsed()
    const started = yield* now
    for (let from = 0; from < total; from += batch) {
      const list = Array.from({ length: Math.min(batch, total - from) }, (_, k) => opportunity(from + k))
      const t0 = yield* now
      const result = yield* api.sync({ operation: "UPSERT", mObjectList: list })
      perCall.push((yield* now) - t0)
      yield* check(result.mObjStatusList.every((s) => s.status === "CREATED"), "an UPSERT was not CREATED")
      for (const s of result.mObjStatusList) ids.push(s.id)
      const done = from + list.length
      if (marks.includes(done)) {
        const calls = perCall.slice(-Math.min(10, perCall.length))
        const objects = Math.min(done, calls.length * batch)
        yield* line(`UPSERT create, store at ${done}`, micros(calls.reduce((a, b) => a + b, 0), objects))
      }
    }
    yield* line(`UPSERT create, all ${total}`, micros((yield* now) - started, total))
    yield* line(`live heap per stored opportunity`, `${((heapUsed() - heapBefore) / total).toFixed(0).padStart(8)} B`)

    // UPSERT of 1,000 distinct objects that exist (UPDATED), at full size: the lookup by external key alone.
    {
      const updates = Math.min(1_000, total)
      const t0 = yield* now
      for (let from = 0; from < updates; from += batch) {
        const list = Array.from({ length: Math.min(batch, updates - from) }, (_, k) => ({
          ...opportunity(Math.floor(((from + k) * total) / updates)),
          attribList: [{ name: "Stage", value: "Closed Won" }]
        }))
        const result = yield* api.sync({ operation: "UPSERT", mObjectList: list })
        yield* check(result.mObjStatusList.every((s) => s.status === "UPDATED"), "an UPSERT was not UPDATED")
      }
      yield* line(`UPSERT update, store at ${total}`, micros((yield* now) - t0, updates))
    }

    // Roles linked to opportunities by external key.
    {
      const roles = Math.min(roleCount, total)
      const t0 = yield* now
      for (let from = 0; from < roles; from += batch) {
        const list = Array.from({ length: Math.min(batch, roles - from) }, (_, k) => role(from + k, total))
        const result = yield* api.sync({ operation: "UPSERT", mObjectList: list })
        yield* check(result.mObjStatusList.every((s) => s.status === "CREATED"), "a role was not CREATED")
      }
      yield* line(`UPSERT ${roles} roles by opportunity key`, micros((yield* now) - t0, roles))
    }

    // A full read, page by page.
    {
      const t0 = yield* now
      let read = 0
      let pages = 0
      let streamPosition: string | undefined
      let firstPages = 0
      for (;;) {
        const page = yield* api.get({
          type: "Opportunity",
          ...(streamPosition === undefined ? {} : { streamPosition })
        })
        read += page.returnCount
        pages++
        if (pages === 10 || (pages < 10 && !page.hasMore)) firstPages = (yield* now) - t0
        streamPosition = page.newStreamPosition
        if (!page.hasMore) break
      }
      const elapsed = (yield* now) - t0
      yield* check(read === total + 2, `read ${read} opportunities, expected ${total + 2}`)
      yield* line(
        `getMObjects ${read} in ${pages} pages`,
        `${((elapsed * 1000) / pages).toFixed(0).padStart(8)} µs/page (first 10: ${
          ((firstPages * 1000) / Math.min(10, pages)).toFixed(0)
        } µs/page), ${(elapsed / 1000).toFixed(2)} s`
      )
    }

    // Delete everything that was created, in calls of 100 (roles go with their opportunities).
    {
      const t0 = yield* now
      for (let from = 0; from < ids.length; from += batch) {
        const list = ids.slice(from, from + batch).map((id): Wire.MObject => ({ type: "Opportunity", id }))
        const result = yield* api.delete({ mObjectList: list })
        yield* check(result.mObjStatusList.every((s) => s.status === "DELETED"), "a delete was not DELETED")
      }
      yield* line(`deleteMObjects ${ids.length}`, micros((yield* now) - t0, ids.length))
      const left = yield* api.get({ type: "OpportunityPersonRole" })
      yield* check(left.returnCount === 1, `${left.returnCount} roles left, expected the seeded one`)
    }
  })

const unexpected = (operation: string) => Effect.dieMessage(`unexpected answer to ${operation}`)

const direct = Effect.gen(function*() {
  const store = yield* makeStore({ initial: fromSeed(Seed.defaultSeed), secret: "bench" })
  const api: Api = {
    sync: (params) =>
      Effect.flatMap(
        store.call({ operation: "syncMObjects", params }),
        (a) => a.operation === "syncMObjects" ? Effect.succeed(a.result) : unexpected("syncMObjects")
      ),
    get: (params) =>
      Effect.flatMap(
        store.call({ operation: "getMObjects", params }),
        (a) => a.operation === "getMObjects" ? Effect.succeed(a.result) : unexpected("getMObjects")
      ),
    delete: (params) =>
      Effect.flatMap(
        store.call({ operation: "deleteMObjects", params }),
        (a) => a.operation === "deleteMObjects" ? Effect.succeed(a.result) : unexpected("deleteMObjects")
      )
  }
  yield* Effect.sync(() => console.log(`store, no HTTP (${count} opportunities)`))
  yield* scenario(api, count)
})

const overHttp = Effect.scoped(Effect.gen(function*() {
  const emulator = yield* Emulator.make()
  // Built in this scope, so the HTTP client lives as long as the emulator.
  const context = yield* Layer.build(
    Layer.provide(
      SoapTransport.layer(),
      Layer.merge(
        MarketoConfig.layer({
          endpoint: emulator.url,
          userId: "demo17_1_809934544BFABAE58E5D27",
          encryptionKey: Redacted.make("27272727aa")
        }),
        NodeHttpClient.layerUndici
      )
    )
  )
  const transport = Context.get(context, MarketoTransport)
  const api: Api = {
    sync: (params) => transport.call("syncMObjects", params),
    get: (params) => transport.call("getMObjects", params),
    delete: (params) => transport.call("deleteMObjects", params)
  }
  yield* Effect.sync(() => console.log(`HTTP, Emulator.make (${httpCount} opportunities)`))
  yield* scenario(api, httpCount)
}))

Effect.runPromise(Effect.andThen(direct, overHttp)).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
