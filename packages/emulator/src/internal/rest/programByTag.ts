/**
 * `GET /rest/asset/v1/program/byTag.json?tagType=…&tagValue=…`: the programs with that tag,
 * paged by `maxReturn` and `offset`, each with its tags (no costs).
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { answerPage } from "./assetPaging.js"
import { type Endpoint, requiredParam } from "./common.js"
import { programOf, programTags } from "./records.js"

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: RestWire.morePaths.programByTag,
  name: "programs by tag",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.gen(function*() {
      const tagType = yield* requiredParam(request.params, "tagType")
      const tagValue = yield* requiredParam(request.params, "tagValue")
      const state = yield* store.state
      const found = [...state.programs.values()].filter((p) =>
        p.tags.some((t) => t.type === tagType && t.value === tagValue)
      )
      // With their tags and no costs, as programs.md's example answers.
      return yield* answerPage(request.params, found.map((p) => ({ ...programOf(p), tags: programTags(p) })))
    })
}]
