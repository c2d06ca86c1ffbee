/**
 * `GET /rest/asset/v1/channels.json`: the channels (the SOAP side's `Channel` tag values),
 * paged by `maxReturn` and `offset`.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { answerPage } from "./assetPaging.js"
import type { Endpoint } from "./common.js"
import { assetTime, type programTypeNames } from "./records.js"

// The store keeps no program type per channel (a SOAP `Channel` tag value has none), and a program
// of any type may take any channel here: each answers `program` (a Default program), the one value
// channels.md's answers show.
const applicableProgramType: (typeof programTypeNames)[number] = "program"

// The store keeps no times for channels: the seed's default time, written as every Asset time is.
const created = "2013-01-01T00:00:00Z"

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: RestWire.paths.channels,
  name: "channels",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.flatMap(store.state, (state) =>
      answerPage(
        request.params,
        (state.tagTypes.get(RestWire.channelTagType) ?? []).map((name, i) => ({
          id: i + 1,
          name,
          applicableProgramType,
          createdAt: assetTime(created),
          updatedAt: assetTime(created),
          progressionStatuses: []
        }))
      ))
}]
