/**
 * The instance's describe of opportunities and of roles, as the transport uses it: which custom
 * fields are numbers or booleans (writes) and which fields REST searches alone (reads). Fetched
 * the first time a call needs it and kept for the transport's life, so once per client: an
 * instance's fields change when an admin adds one, not between two calls of a run.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { TransportCallError } from "@mktows/core/MarketoError"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as RestWire from "../RestWire.js"
import * as CustomFields from "./customFields.js"
import type { Endpoint } from "./query.js"
import type { Send } from "./send.js"

const paths = {
  opportunities: RestWire.paths.opportunitiesDescribe,
  roles: RestWire.paths.rolesDescribe
} as const

/** What the transport keeps of one endpoint's describe. */
export interface Described {
  /** The custom fields whose JSON form is not text. */
  readonly kinds: CustomFields.Kinds
  /**
   * The fields REST searches alone: the describe's `searchableFields` entries of one field
   * (an entry of several is a compound key, searched only as a whole). Undefined when the
   * describe lists none, which says nothing of what the instance searches.
   */
  readonly searchable: ReadonlyArray<string> | undefined
}

/**
 * One endpoint's describe, fetched once and then kept. An answer without metadata is not
 * kept (undefined: the next call asks again), nor is a failure, which is the caller's to
 * weigh: each use costs only what the describe would have told it.
 */
export type Describe = (endpoint: Endpoint) => Effect.Effect<Described | undefined, TransportCallError>

const describedOf = (meta: RestWire.ObjectMetadata): Described => {
  const alone = (meta.searchableFields ?? []).flatMap((entry) => entry.length === 1 ? entry : [])
  return { kinds: CustomFields.kindsOf(meta), searchable: alone.length > 0 ? alone : undefined }
}

export const make = (send: Send): Effect.Effect<Describe> =>
  Effect.map(
    Ref.make<Partial<Record<Endpoint, Described>>>({}),
    (cache) => (endpoint) =>
      Effect.flatMap(Ref.get(cache), (known) => {
        const kept = known[endpoint]
        if (kept !== undefined) return Effect.succeed(kept)
        return send(
          "describeMObject",
          (base) => HttpClientRequest.get(base + paths[endpoint]),
          RestWire.DescribeResponse
        )
          .pipe(Effect.flatMap((answer) => {
            const meta = answer._tag === "Ok" ? answer.value.result?.[0] : undefined
            if (meta === undefined) {
              return Effect.succeed(undefined)
            }
            const described = describedOf(meta)
            return Effect.as(Ref.update(cache, (c) => ({ ...c, [endpoint]: described })), described)
          }))
      })
  )
