/**
 * `GET /rest/asset/v1/program/byName.json?name=…`: one program by its name, its costs and
 * tags only when `includeCosts` and `includeTags` ask for them (else `null`). The one program
 * read that gives costs.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { type Endpoint, envelope, noAssetsFound, param, requiredParam } from "./common.js"
import { programCosts, programOf, programTags } from "./records.js"

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: RestWire.morePaths.programByName,
  name: "program by name",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.gen(function*() {
      const name = yield* requiredParam(request.params, "name")
      const state = yield* store.state
      const program = [...state.programs.values()].find((p) => p.name === name)
      if (program === undefined) return noAssetsFound()
      // What was not asked for is null, as programs.md's example (includeTags only) answers
      // `"costs": null`.
      return envelope([{
        ...programOf(program),
        tags: param(request.params, "includeTags") === "true" ? programTags(program) : null,
        costs: param(request.params, "includeCosts") === "true" ? programCosts(program) : null
      }])
    })
}]
