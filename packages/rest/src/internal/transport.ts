/**
 * The REST transport: each MObject operation as one or more REST requests (`send.ts`), writes
 * (`writes.ts`) and reads (`reads.ts`), answered as core's `MarketoTransport`.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpEdge from "@mktows/core/HttpEdge"
import * as Limits from "@mktows/core/Limits"
import type { TransportCallError } from "@mktows/core/MarketoError"
import type { MarketoTransportShape } from "@mktows/core/MarketoTransport"
import type * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import type { RestConfig } from "../RestConfig.js"
import type { RestIdentity } from "../RestIdentity.js"
import * as RestWire from "../RestWire.js"
import * as Describes from "./describes.js"
import * as Reads from "./reads.js"
import * as Refusals from "./refusals.js"
import * as Send from "./send.js"
import * as Writes from "./writes.js"

export interface Options {
  readonly maxResponseBytes?: number
}

export const make = (
  options: Options = {}
): Effect.Effect<MarketoTransportShape, never, HttpClient.HttpClient | RestConfig | RestIdentity> =>
  Effect.gen(function*() {
    const max = options.maxResponseBytes
    const { send } = yield* Send.make(
      max !== undefined && Number.isSafeInteger(max) && max > 0 ? max : Limits.maxMessageBytes
    )
    // One describe per endpoint per client, for the writes' custom fields and the reads' searches.
    const described = yield* Describes.make(send)
    const { describe, getMObjects, programNow, refuseRead } = Reads.make(send, described)
    const { answered, sendModels, statusCall } = yield* Writes.make(send, described, programNow)

    const call = <Op extends Wire.Operation>(
      operation: Op,
      params: Wire.ParamsOf<Op>
    ): Effect.Effect<Wire.ResultOf<Op>, TransportCallError> => {
      // Each branch answers the result of its own operation; the map from Op to it is by name.
      const p = params as Wire.ParamsOf<Wire.Operation>
      const result: Effect.Effect<Wire.ResultOf<Wire.Operation>, TransportCallError> = operation === "syncMObjects"
        ? statusCall(operation, p as Wire.ParamsSyncMObjects, (p as Wire.ParamsSyncMObjects).operation)
        : operation === "deleteMObjects"
        ? statusCall(operation, p as Wire.ParamsDeleteMObjects, undefined)
        : operation === "getMObjects"
        ? getMObjects(p as Wire.ParamsGetMObjects)
        : operation === "describeMObject"
        ? describe((p as Wire.ParamsDescribeMObject).objectName)
        // REST has no listMObjects. The list is what REST can describe (LeadRecord too:
        // `leads/describe.json`), answered once the opportunities' describe is read: a token
        // alone checks only the identity endpoint, and a listing is how users check a
        // connection, so a wrong REST base path must fail here. The describe is the one every
        // sync with custom fields and every record read needs anyway, kept per client.
        : Effect.as(described("opportunities"), { objects: ["LeadRecord", "Opportunity", "OpportunityPersonRole"] })
      return result as Effect.Effect<Wire.ResultOf<Op>, TransportCallError>
    }

    return {
      call,
      maxObjectsPerCall: RestWire.maxRecordsPerCall,
      refuse: Refusals.refuse,
      refuseRead,
      answered,
      // Syncs and deletes from the client go here: models straight to JSON, no wire records.
      models: { send: sendModels, refuse: Refusals.refuseModels, answered },
      turn: HttpEdge.makeTurns()
    }
  })
