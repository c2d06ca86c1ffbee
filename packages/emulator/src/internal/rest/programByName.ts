/**
 * `GET /rest/asset/v1/program/byName.json?name=…`: one program by its name, its costs and
 * tags only when `includeCosts` and `includeTags` ask for them.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { type Endpoint, envelope, param, refuse } from "./common.js"
import { programOf } from "./records.js"

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: RestWire.morePaths.programByName,
  name: "program by name",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.gen(function*() {
      const name = param(request.params, "name") ?? ""
      if (name === "") return yield* refuse(RestWire.errorCodes.cannotBeBlank, "name")
      const state = yield* store.state
      const program = [...state.programs.values()].find((p) => p.name === name)
      if (program === undefined) return yield* refuse(RestWire.errorCodes.noDataFound)
      const shown = programOf(program)
      return envelope([{
        ...shown,
        costs: param(request.params, "includeCosts") === "true" ? shown.costs : [],
        tags: param(request.params, "includeTags") === "true" ? shown.tags : []
      }])
    })
}]
