/**
 * The examples `pnpm example <name>` knows, in the order `pnpm demo` runs them. Each is
 * loaded only when it runs.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"

/**
 * One runnable example: its file name without `.ts`, a one-line summary, and its module.
 *
 * @since 0.1.0
 * @category models
 */
export interface Example {
  readonly name: string
  readonly summary: string
  readonly load: () => Promise<{ readonly main: Effect.Effect<unknown, unknown> }>
}

/**
 * @since 0.1.0
 * @category constants
 */
export const examples: ReadonlyArray<Example> = [
  {
    name: "update-program-cost",
    summary: "Marketo's first sample: set Program 1970's 2013-06 cost to 2000 (UPDATE)",
    load: () => import("../update-program-cost.js")
  },
  {
    name: "create-opportunity",
    summary: "create an Opportunity with an external key, linked to a Company by its external key",
    load: () => import("../create-opportunity.js")
  },
  {
    name: "create-opportunity-person-role",
    summary: "create an Opportunity, then give Lead 19 a role in it",
    load: () => import("../create-opportunity-person-role.js")
  },
  {
    name: "bulk-upsert-opportunities",
    summary: "stream 20,000 generated opportunities through syncStream (--count N or BULK_COUNT)",
    load: () => import("../bulk-upsert-opportunities.js")
  },
  {
    name: "read-programs",
    summary: "read every Program with tags and costs, page by page, and resume from the saved position",
    load: () => import("../read-programs.js")
  },
  {
    name: "describe-opportunity",
    summary: "describeMObject: the Opportunity's fields as a table",
    load: () => import("../describe-opportunity.js")
  },
  {
    name: "delete-opportunities",
    summary: "create three opportunities, delete them, and read them back (nothing left)",
    load: () => import("../delete-opportunities.js")
  },
  {
    name: "opentelemetry",
    summary: "the client's spans and metrics through @effect/opentelemetry, exported in memory and printed",
    load: () => import("../opentelemetry.js")
  }
]

/**
 * The list of examples, one per line, for usage messages.
 *
 * @since 0.1.0
 * @category formatting
 */
export const listing = (): string => {
  const width = Math.max(...examples.map((example) => example.name.length))
  return examples.map((example) => `  ${example.name.padEnd(width)}  ${example.summary}`).join("\n")
}
