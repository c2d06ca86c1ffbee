/**
 * The instance's describe of opportunities and of roles, as the transport uses it: which custom
 * fields are numbers or booleans (writes), which fields REST searches alone and which fields
 * there are to read (reads). Fetched
 * the first time a call needs it and kept for the transport's life, so once per client: an
 * instance's fields change when an admin adds one, not between two calls of a run.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { TransportCallError } from "@mktows/core/MarketoError"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import * as RestWire from "../RestWire.js"
import * as CustomFields from "./customFields.js"
import * as Http from "./http.js"
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
  /** Every field the describe lists, by its REST name: what a read asks for, custom fields too. */
  readonly fields: ReadonlyArray<string>
}

/**
 * One endpoint's describe, fetched once and then kept. An answer without metadata is not
 * kept (undefined: the next call asks again), nor is a failure, which is the caller's to
 * weigh: each use costs only what the describe would have told it.
 */
export type Describe = (endpoint: Endpoint) => Effect.Effect<Described | undefined, TransportCallError>

const describedOf = (meta: RestWire.ObjectMetadata): Described => {
  const alone = (meta.searchableFields ?? []).flatMap((entry) => entry.length === 1 ? entry : [])
  return {
    kinds: CustomFields.kindsOf(meta),
    searchable: alone.length > 0 ? alone : undefined,
    fields: meta.fields.map((f) => f.name)
  }
}

/** What the waiters of an asker that was interrupted get: no answer, so they ask themselves. */
const askAgain: unique symbol = Symbol("askAgain")

/** One endpoint's describe as it is shared: asked once, awaited by every call that needs it meanwhile. */
type Entry = Deferred.Deferred<Described | undefined | typeof askAgain, TransportCallError>

/**
 * Calls that need a describe at the same time (the ten chunks of a sync starting together)
 * share one request: the first asks, the others await its answer. An answer kept serves
 * every later call; one not kept (no metadata, a failure, the asker interrupted) is
 * forgotten, so the next call asks again. When the asker is interrupted, those awaiting it
 * ask again themselves.
 */
export const make = (send: Send): Effect.Effect<Describe> =>
  Effect.map(
    Ref.make<Partial<Record<Endpoint, Entry>>>({}),
    (cache) => {
      const describe: Describe = (endpoint) => {
        const fetch = send(
          "describeMObject",
          (base) => HttpClientRequest.get(base + paths[endpoint]),
          RestWire.DescribeResponse
        ).pipe(Effect.flatMap((answer) => {
          // Refused: the instance's reason, as an error its callers weigh (not an empty describe).
          if (answer._tag === "Refused") {
            const [first] = answer.reasons
            return Effect.fail(Http.restError("describeMObject", String(first?.code ?? 0), first?.message ?? ""))
          }
          const meta = answer.value.result?.[0]
          return Effect.succeed(meta === undefined ? undefined : describedOf(meta))
        }))
        const forget = (mine: Entry) =>
          Ref.update(cache, (c) => (c[endpoint] === mine ? { ...c, [endpoint]: undefined } : c))
        return Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(Deferred.make<Described | undefined | typeof askAgain, TransportCallError>(), (mine) =>
            Effect.flatMap(
              Ref.modify(cache, (c): [Entry, Partial<Record<Endpoint, Entry>>] => {
                const held = c[endpoint]
                return held === undefined ? [mine, { ...c, [endpoint]: mine }] : [held, c]
              }),
              (entry) =>
                entry !== mine
                  ? restore(Effect.flatMap(
                    Deferred.await(entry),
                    (answer) =>
                      answer === askAgain ? describe(endpoint) : Effect.succeed(answer)
                  ))
                  : Effect.flatMap(Effect.exit(restore(fetch)), (exit) =>
                    Effect.zipRight(
                      Exit.isSuccess(exit) && exit.value !== undefined ? Effect.void : forget(mine),
                      // An asker interrupted leaves the others to ask again, not waiting forever.
                      Effect.zipRight(
                        Deferred.done(mine, Exit.isInterrupted(exit) ? Exit.succeed(askAgain) : exit),
                        exit
                      )
                    ))
            ))
        )
      }
      return describe
    }
  )
