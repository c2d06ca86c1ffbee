/**
 * The Asset API's paging: `maxReturn` (1 to 200, default 20) and `offset` (0 up), checked,
 * and the answer of an empty page (success with Adobe's "no assets" warning), shared by the
 * browse and search endpoints.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import { envelope, intParam, noAssetsFound, type Params, type RestRefusal } from "./common.js"

/** @internal */
export const page = <A>(
  params: Params,
  items: ReadonlyArray<A>
): Effect.Effect<ReadonlyArray<A>, RestRefusal> =>
  Effect.gen(function*() {
    const maxReturn = yield* intParam(params, "maxReturn", {
      min: 1,
      max: RestWire.assetPage.max,
      fallback: RestWire.assetPage.default
    })
    const offset = yield* intParam(params, "offset", { min: 0, max: 1e9, fallback: 0 })
    return items.slice(offset, offset + maxReturn)
  })

/** A page, or {@link noAssetsFound} when it is empty (nothing matched, or past the last page). @internal */
export const answerPage = <A>(params: Params, items: ReadonlyArray<A>) =>
  Effect.map(page(params, items), (found) => found.length === 0 ? noAssetsFound() : envelope(found))
