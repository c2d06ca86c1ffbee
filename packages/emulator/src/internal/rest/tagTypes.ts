/**
 * `GET /rest/asset/v1/tagTypes.json`: the tag types and their values, paged by `maxReturn`
 * and `offset`. The channel is not a tag type in the Asset API (it has `channels.json`).
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { answerPage } from "./assetPaging.js"
import type { Endpoint } from "./common.js"

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
          applicableProgramTypes: "Default,Event,Event with Webinar,Engagement,Email",
          required: false,
          allowableValues: values.join(",")
        }))
      ))
}]
