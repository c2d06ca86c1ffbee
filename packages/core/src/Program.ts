/**
 * A Marketo Program, as syncMObjects and getMObjects see it: period costs and tags.
 *
 * Marketo only lets the API add costs and tags to existing programs (operation `UPDATE`),
 * so a Program is keyed by its id. getMObjects also returns read-only details (name,
 * workspace, tokens, …): they are kept in `attributes` and `tokens` and must be empty when
 * the program is synced.
 *
 * ```ts
 * const program = Program.make({ id: 1970, costs: [{ month: "2013-06", amount: 2000, id: 153 }] })
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Field from "./internal/modelFields.js"

/**
 * One period cost: `month` is `YYYY-MM`, `amount` a finite number. `id` names an existing
 * cost to change; without it the cost is added.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Cost = Schema.Struct({
  month: Field.Month,
  amount: Field.Decimal,
  id: Field.optional(Field.Int),
  note: Field.optional(Field.Text)
}).annotations({ identifier: "Cost" })
/**
 * The type of {@link Cost}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Cost extends Schema.Schema.Type<typeof Cost> {}

/**
 * A tag (or channel): its type and value. Both must already exist in Marketo.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Tag = Schema.Struct({ type: Field.Name, value: Field.Name }).annotations({ identifier: "Tag" })
/**
 * The type of {@link Tag}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tag extends Schema.Schema.Type<typeof Tag> {}

/**
 * A program token, as getMObjects returns it (read-only).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Token = Schema.Struct({ name: Field.Name, value: Field.Text }).annotations({ identifier: "Token" })
/**
 * The type of {@link Token}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Token extends Schema.Schema.Type<typeof Token> {}

/**
 * A Program. `costs`, `tags`, `tokens` and `attributes` default to empty.
 *
 * @since 0.1.0
 * @category models
 */
export class Program extends Schema.TaggedClass<Program>("@mktows/core/Program")("Program", {
  id: Field.Int,
  costs: Schema.optionalWith(Schema.Array(Cost), { default: () => [] }),
  tags: Schema.optionalWith(Schema.Array(Tag), { default: () => [] }),
  /** Read-only: the program's tokens, from getMObjects. */
  tokens: Schema.optionalWith(Schema.Array(Token), { default: () => [] }),
  /** Read-only: Name, Type, Workspace Name, Tree Path, … from getMObjects, in wire order. */
  attributes: Schema.optionalWith(Field.customFields([]), { default: () => ({}) }),
  /** Read-only, as Marketo wrote it. */
  createdAt: Field.optional(Field.Timestamp),
  /** Read-only, as Marketo wrote it. */
  updatedAt: Field.optional(Field.Timestamp)
}) {}

/**
 * Builds a Program; the same as `new Program(props)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (props: ConstructorParameters<typeof Program>[0]): Program => new Program(props)
