/**
 * `GET /rest/asset/v1/programs.json`: programs, paged by `maxReturn` and `offset`, filtered
 * by the Swagger's `filterType` (id, programId, folderId, workspace) and `filterValues`, and
 * by `earliestUpdatedAt` and `latestUpdatedAt`, and by programs.md's `status`.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import type { Program } from "../state.js"
import { answerPage } from "./assetPaging.js"
import { type Endpoint, listParam, param, refuse } from "./common.js"
import { programOf, programStatusOf } from "./records.js"

// A Map, not an object literal: a filterType the client names ("hasOwnProperty", "__proto__")
// must find nothing, not a member of Object.prototype.
const filters: ReadonlyMap<string, (program: Program, value: string) => boolean> = new Map([
  ["id", (p: Program, v: string) => String(p.id) === v],
  ["programId", (p: Program, v: string) => String(p.id) === v],
  ["folderId", (p: Program, v: string) => String(p.workspaceId) === v],
  ["workspace", (p: Program, v: string) => p.workspace === v]
])

const dateBounds: ReadonlyArray<readonly [string, (updated: number, bound: number) => boolean]> = [
  ["earliestUpdatedAt", (updated, bound) => updated >= bound],
  ["latestUpdatedAt", (updated, bound) => updated <= bound]
]

// programs.md's `status` values (`on` and `off` for engagement programs, `unlocked` for email
// programs) and `locked`, the other email program status the Swagger's answers list. The emulator
// keeps no status, so the filter matches the status it answers (see `programStatusOf`).
const statuses: ReadonlySet<string> = new Set(["on", "off", "unlocked", "locked"])

// A date, or a date-time with an offset or Z (what Marketo's Datetime field type takes).
const isoInstant = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: RestWire.paths.programs,
  name: "browse programs",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.gen(function*() {
      const state = yield* store.state
      const filterType = param(request.params, "filterType")
      const values = listParam(request.params, "filterValues")
      let programs = [...state.programs.values()]
      // The Swagger's date bounds, each inclusive; a bound that is no ISO-8601 instant is refused.
      for (const [name, keep] of dateBounds) {
        const raw = param(request.params, name)
        if (raw === undefined) continue
        const bound = Date.parse(raw)
        if (!isoInstant.test(raw) || Number.isNaN(bound)) {
          return yield* refuse(RestWire.errorCodes.invalidData, `${name} must be an ISO-8601 date-time, got '${raw}'`)
        }
        programs = programs.filter((p) => keep(Date.parse(p.updatedAt), bound))
      }
      if (filterType !== undefined) {
        const test = filters.get(filterType)
        if (test === undefined) return yield* refuse(RestWire.errorCodes.invalidData, `filterType '${filterType}'`)
        if (values.length === 0) return yield* refuse(RestWire.errorCodes.missingParameter, "filterValues")
        programs = programs.filter((p) => values.some((v) => test(p, v)))
      }
      const status = param(request.params, "status")
      if (status !== undefined) {
        // The docs say nothing of another value: refused as every bad parameter value here is.
        if (!statuses.has(status)) return yield* refuse(RestWire.errorCodes.invalidData, `status '${status}'`)
        programs = programs.filter((p) => programStatusOf(p) === status)
      }
      // No costs and no tags, as programs.md's examples and the Swagger's BrowseAllPrograms have.
      return yield* answerPage(request.params, programs.map((p) => programOf(p)))
    })
}]
