/**
 * `GET /rest/asset/v1/tagTypes.json`: the tag types and their values, paged by `maxReturn`
 * and `offset`. The channel is not a tag type in the Asset API (it has `channels.json`).
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { answerPage } from "./assetPaging.js"
import type { Endpoint } from "./common.js"
import { programTypeNames } from "./records.js"

// The store keeps no program types per tag type, so each applies to every type, written as
// tags.md's answers write the list: bracketed, comma-separated, no spaces.
const everyProgramType = `[${programTypeNames.join(",")}]`

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
        [...state.tagTypes].filter(([type]) => type !== RestWire.channelTagType).map(([type, values]) => ({
          tagType: type,
          applicableProgramTypes: everyProgramType,
          required: false,
          allowableValues: values.join(",")
        }))
      ))
}]
