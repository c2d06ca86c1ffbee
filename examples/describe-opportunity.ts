/**
 * Asking Marketo which fields an Opportunity has.
 *
 * `describeMObject` returns the object's metadata: every field with its type, size and
 * flags, the instance's custom fields included (those are the names to use in an
 * Opportunity's `customFields`, or as its external key).
 *
 * ```
 * pnpm example describe-opportunity
 * ```
 *
 * @since 0.1.0
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Format from "./internal/format.js"
import * as Runner from "./internal/runner.js"

const flag = (value: boolean | null, text: string): string => value === true ? text : ""

/**
 * Prints the field table; returns the metadata.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const metadata = yield* MarketoClient.describeMObject("Opportunity")
  yield* Console.log(
    `${metadata.name}: ${metadata.description ?? "(no description)"}, ${metadata.fieldList.length} fields`
  )
  const rows = metadata.fieldList.map((field) => [
    field.name,
    field.displayName ?? "",
    field.dataType,
    field.size === null ? "" : String(field.size),
    [flag(field.isPrimaryKey, "key"), flag(field.isReadonly, "read-only"), flag(field.isCustom, "custom")]
      .filter((text) => text !== "").join(", ")
  ])
  yield* Console.log(Format.table(["Field", "Display name", "Type", "Size", "Flags"], rows))
  return metadata
})

/**
 * @since 0.1.0
 * @category running
 */
export const main = Runner.main(program)

Runner.runIfEntry(import.meta.url, main)
