/**
 * What the emulator has seen, for `GET /emulator/stats`: calls by operation, faults by code,
 * sync and delete outcomes by object type and status. Cleared by a reset.
 */
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { Stats } from "../Emulator.js"
import type { State } from "./state.js"
import type { Answer, Call } from "./store.js"

// Maps, not object literals: the keys are what requests name (an object type such as
// "__proto__" in a SOAP sync), and an object would find Object.prototype's members under them.
type Table = ReadonlyMap<string, number>

interface Counts {
  readonly calls: Table
  readonly faults: Table
  readonly objects: ReadonlyMap<string, Table>
}

const empty: Counts = { calls: new Map(), faults: new Map(), objects: new Map() }

const bump = (table: Table, key: string, n = 1): Table => new Map(table).set(key, (table.get(key) ?? 0) + n)

// A table as the stats write it: own properties only, whatever the names.
const plain = (table: Table): { readonly [key: string]: number } => Object.fromEntries(table)

/** @internal */
export interface Counter {
  readonly call: (operation: string) => Effect.Effect<void>
  readonly fault: (code: number) => Effect.Effect<void>
  readonly answer: (call: Call, answer: Answer) => Effect.Effect<void>
  readonly stats: (state: State) => Effect.Effect<Stats>
  readonly reset: Effect.Effect<void>
}

const objectsOf = (call: Call): ReadonlyArray<{ readonly type: string }> =>
  call.operation === "syncMObjects" || call.operation === "deleteMObjects" ? call.params.mObjectList : []

/** @internal */
export const makeCounter: Effect.Effect<Counter> = Effect.map(Ref.make(empty), (ref) => ({
  call: (operation) => Ref.update(ref, (c) => ({ ...c, calls: bump(c.calls, operation) })),
  fault: (code) => Ref.update(ref, (c) => ({ ...c, faults: bump(c.faults, String(code)) })),
  answer: (call, answer) =>
    answer.operation === "syncMObjects" || answer.operation === "deleteMObjects"
      ? Ref.update(ref, (c) => {
        // Tallied per call first, then merged: one copy of each table a call touches, not one per object.
        const sent = objectsOf(call)
        const tally = new Map<string, Map<string, number>>()
        answer.result.mObjStatusList.forEach((status, i) => {
          const type = sent[i]?.type ?? "unknown"
          const byStatus = tally.get(type) ?? new Map<string, number>()
          byStatus.set(status.status, (byStatus.get(status.status) ?? 0) + 1)
          tally.set(type, byStatus)
        })
        const objects = new Map(c.objects)
        for (const [type, byStatus] of tally) {
          let table = objects.get(type) ?? new Map<string, number>()
          for (const [status, n] of byStatus) table = bump(table, status, n)
          objects.set(type, table)
        }
        return { ...c, objects }
      })
      : Effect.void,
  stats: (state) =>
    Effect.map(Ref.get(ref), (c) => ({
      calls: plain(c.calls),
      faults: plain(c.faults),
      objects: Object.fromEntries([...c.objects].map(([type, table]) => [type, plain(table)])),
      stored: {
        Program: state.programs.size,
        Opportunity: state.opportunities.size,
        OpportunityPersonRole: state.roles.size,
        Lead: state.leads.size,
        Company: state.companies.size
      }
    })),
  reset: Ref.set(ref, empty)
}))
