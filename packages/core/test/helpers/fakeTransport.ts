/**
 * A fake MarketoTransport for client tests: it records every call (with the `Clock` time it
 * started and, when given credentials, the header it signed), counts what is in flight, and
 * answers through a script the test chooses.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HttpEdge from "../../src/HttpEdge.js"
import type { TransportCallError } from "../../src/MarketoError.js"
import { MarketoTransport } from "../../src/MarketoTransport.js"
import type { MarketoTransportShape } from "../../src/MarketoTransport.js"
import * as Signature from "../../src/Signature.js"
import type * as Wire from "../../src/Wire.js"

export interface RecordedCall {
  readonly operation: Wire.Operation
  readonly params: unknown
  /** 0 for the first call. */
  readonly n: number
  readonly startedAt: number
  endedAt?: number
  readonly header?: Wire.AuthenticationHeaderInfo
}

/** What the fake answers for call `n`; `undefined` falls back to the default answer. */
export type Script = <Op extends Wire.Operation>(
  operation: Op,
  params: Wire.ParamsOf<Op>,
  n: number
) => Effect.Effect<Wire.ResultOf<Op>, TransportCallError> | undefined

export interface FakeOptions {
  readonly script?: Script
  /** Time the call takes (through `Clock`, so `TestClock` drives it). */
  readonly latency?: (n: number) => Effect.Effect<void>
  /** Status of an object in the default sync/delete answer; default CREATED/UPDATED/DELETED. */
  readonly status?: (object: Wire.MObject, operation: Wire.Operation) => Wire.MObjStatusEnum
  /** Sign every call like a real transport, so a test can compare headers. */
  readonly signWith?: Signature.Credentials
  /** Offer turns of the event loop, as a transport over HTTP does (`HttpEdge.makeTurns`). */
  readonly turns?: boolean
}

export interface Fake {
  readonly transport: MarketoTransportShape
  readonly layer: Layer.Layer<MarketoTransport>
  readonly calls: Array<RecordedCall>
  readonly stats: {
    inFlight: number
    maxInFlight: number
    objectsInFlight: number
    maxObjectsInFlight: number
  }
}

export { demoCredentials } from "./demo.js"

const objectCount = (params: unknown): number => {
  const list = (params as { readonly mObjectList?: ReadonlyArray<unknown> }).mObjectList
  return list === undefined ? 0 : list.length
}

const defaultStatus = (object: Wire.MObject, operation: Wire.Operation): Wire.MObjStatusEnum =>
  operation === "deleteMObjects" ? "DELETED" : object.id === undefined ? "CREATED" : "UPDATED"

export const make = (options: FakeOptions = {}): Fake => {
  const calls: Array<RecordedCall> = []
  const stats = { inFlight: 0, maxInFlight: 0, objectsInFlight: 0, maxObjectsInFlight: 0 }
  let nextId = 1000
  const statusOf = options.status ?? defaultStatus

  const defaultAnswer = <Op extends Wire.Operation>(
    operation: Op,
    params: Wire.ParamsOf<Op>
  ): Effect.Effect<Wire.ResultOf<Op>, TransportCallError> => {
    const p = params as Wire.ParamsOf<Wire.Operation>
    if (operation === "syncMObjects" || operation === "deleteMObjects") {
      const list = (p as Wire.ParamsSyncMObjects).mObjectList
      const mObjStatusList = list.map((object): Wire.MObjStatus => {
        const status = statusOf(object, operation)
        return {
          id: status === "FAILED" ? 0 : object.id ?? nextId++,
          status,
          ...(object.externalKey !== undefined ? { externalKey: object.externalKey } : {}),
          ...(status === "FAILED" ? { error: "rejected by the fake" } : {})
        }
      })
      return Effect.succeed({ mObjStatusList } as unknown as Wire.ResultOf<Op>)
    }
    if (operation === "listMObjects") {
      return Effect.succeed({ objects: ["Opportunity", "OpportunityPersonRole", "Program"] } as Wire.ResultOf<Op>)
    }
    return Effect.dieMessage(`the fake has no default answer for ${operation}`)
  }

  const transport: MarketoTransportShape = {
    call: (operation, params) =>
      Effect.gen(function*() {
        const n = calls.length
        const startedAt = yield* Clock.currentTimeMillis
        const header = options.signWith === undefined
          ? undefined
          : yield* Signature.authenticationHeader(options.signWith)
        const record: RecordedCall = {
          operation,
          params,
          n,
          startedAt,
          ...(header !== undefined ? { header } : {})
        }
        calls.push(record)
        const count = objectCount(params)
        stats.inFlight++
        stats.objectsInFlight += count
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
        stats.maxObjectsInFlight = Math.max(stats.maxObjectsInFlight, stats.objectsInFlight)
        return yield* Effect.suspend(() => options.latency?.(n) ?? Effect.void).pipe(
          Effect.zipRight(
            Effect.suspend(() => options.script?.(operation, params, n) ?? defaultAnswer(operation, params))
          ),
          Effect.ensuring(Effect.gen(function*() {
            stats.inFlight--
            stats.objectsInFlight -= count
            record.endedAt = yield* Clock.currentTimeMillis
          }))
        )
      })
  }

  const withTurns: MarketoTransportShape = options.turns === true
    ? { ...transport, turn: HttpEdge.makeTurns() }
    : transport
  return { transport: withTurns, layer: Layer.succeed(MarketoTransport, withTurns), calls, stats }
}
