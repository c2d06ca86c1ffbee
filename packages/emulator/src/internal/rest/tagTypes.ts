/**
 * `GET /rest/asset/v1/tagTypes.json`: the tag types, paged by `maxReturn` and `offset`; and
 * `GET /rest/asset/v1/tagType/byName.json?name=…`: one tag type with its allowable values, which
 * tags.md says only a read by name gives. The channel is not a tag type in the Asset API (it has
 * `channels.json`).
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { answerPage } from "./assetPaging.js"
import { type Endpoint, envelope, noAssetsFound, requiredParam } from "./common.js"
import { programTypeNames } from "./records.js"

// The store keeps no program types per tag type, so each applies to every type, written as
// tags.md's answers write the list: bracketed, comma-separated, no spaces.
const everyProgramType = `[${programTypeNames.join(",")}]`

/** A tag type as tags.md's answers give it; `allowableValues` only by name, `[A, B]`. */
const tagTypeOf = (type: string, values: ReadonlyArray<string> | undefined) => ({
  tagType: type,
  applicableProgramTypes: everyProgramType,
  required: false,
  ...(values === undefined ? {} : { allowableValues: `[${values.join(", ")}]` })
})

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: RestWire.paths.tagTypes,
  name: "tag types",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.flatMap(store.state, (state) =>
      answerPage(
        request.params,
        [...state.tagTypes].filter(([type]) => type !== RestWire.channelTagType).map(([type]) =>
          tagTypeOf(type, undefined)
        )
      ))
}, {
  path: RestWire.morePaths.tagTypeByName,
  name: "tag type by name",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.gen(function*() {
      const name = yield* requiredParam(request.params, "name")
      const values = name === RestWire.channelTagType ? undefined : (yield* store.state).tagTypes.get(name)
      return values === undefined ? noAssetsFound() : envelope([tagTypeOf(name, values)])
    })
}]
