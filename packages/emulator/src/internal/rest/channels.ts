/**
 * `GET /rest/asset/v1/channels.json`: the channels (the SOAP side's `Channel` tag values),
 * paged by `maxReturn` and `offset`; and `GET /rest/asset/v1/channel/byName.json?name=…`: one
 * channel, the same item as the browse gives it. Each carries its progression statuses, the
 * program statuses its programs' members go through, as channels.md's answers show them.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { answerPage } from "./assetPaging.js"
import { type Endpoint, envelope, noAssetsFound, param, requiredParam } from "./common.js"
import { assetTime, type programTypeNames } from "./records.js"

// The store keeps no program type per channel (a SOAP `Channel` tag value has none), and a program
// of any type may take any channel here: each answers `program` (a Default program), the one value
// channels.md's answers show.
const applicableProgramType: (typeof programTypeNames)[number] = "program"

// The store keeps no times for channels: the seed's default time, written as every Asset time is.
const created = "2013-01-01T00:00:00Z"

/** A program status of a channel, with the fields (and in the order) channels.md's answers give. */
type ProgressionStatus = RestWire.ChannelProgression & { readonly description: null }

/**
 * A progression: "Not in Program" at step 0, as in every documented channel, then the given
 * statuses 10 steps apart (the documented spacing), each with whether reaching it is success.
 * The documented answers have no description (`null`) and nothing hidden; the Swagger's
 * `ChannelProgression` also lists a `type` that no documented answer carries, so none is given.
 */
const progression = (
  statuses: ReadonlyArray<readonly [name: string, success: boolean]>
): ReadonlyArray<ProgressionStatus> =>
  [["Not in Program", false] as const, ...statuses].map(([name, success], i) => ({
    name,
    step: i * 10,
    description: null,
    hidden: false,
    success
  }))

// Two steps, the last one success: what Adobe's page on creating a channel suggests for a Default
// program, so what any channel the seed names beyond the table below answers.
const memberEngaged = progression([["Member", false], ["Engaged", true]])

// The steps of an event before its success: invited, registered, and absent.
const beforeTheEvent = [["Invited", false], ["Registered", false], ["No Show", false]] as const

// The statuses of the default seed's channels (Seed.ts), each the progression such a channel
// plausibly has; Online Advertising's is channels.md's own example.
const progressions: ReadonlyMap<string, ReadonlyArray<ProgressionStatus>> = new Map([
  ["Trade Show", progression([...beforeTheEvent, ["Visited Booth", true]])],
  ["Webinar", progression([...beforeTheEvent, ["Attended", true], ["Attended On-demand", true]])],
  ["Email", memberEngaged],
  ["Content", memberEngaged],
  ["Online Advertising", progression([...beforeTheEvent, ["Attended", true]])]
])

/** Every channel, in the store's order, numbered from 1 as the browse numbers them. */
const channelsOf = (names: ReadonlyArray<string>): ReadonlyArray<RestWire.Channel> =>
  names.map((name, i) => ({
    id: i + 1,
    name,
    applicableProgramType,
    progressionStatuses: progressions.get(name) ?? memberEngaged,
    createdAt: assetTime(created),
    updatedAt: assetTime(created)
  }))

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: RestWire.paths.channels,
  name: "channels",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.flatMap(
      store.state,
      (state) => answerPage(request.params, channelsOf(state.tagTypes.get(RestWire.channelTagType) ?? []))
    )
}, {
  path: RestWire.morePaths.channelByName,
  name: "channel by name",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.gen(function*() {
      // channels.md writes the parameter `name`, the Swagger `Name`: a client built from either
      // is answered (`name` named when neither is given).
      const spelled = param(request.params, "name") === undefined && param(request.params, "Name") !== undefined
        ? "Name"
        : "name"
      const name = yield* requiredParam(request.params, spelled)
      const state = yield* store.state
      const channel = channelsOf(state.tagTypes.get(RestWire.channelTagType) ?? []).find((c) => c.name === name)
      // A name no channel has: Adobe documents no answer of its own for it, so the one its other
      // Asset reads by name give (no result, the "no assets" warning).
      return channel === undefined ? noAssetsFound() : envelope([channel])
    })
}]
