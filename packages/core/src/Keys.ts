/**
 * How an MObject names another: by Marketo's id, or by an external key (a custom field and
 * the value that identifies the object). The models' `externalKey` and their links (an
 * Opportunity's `company`, a role's `opportunity` and `lead`) are these.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Field from "./internal/modelFields.js"

/**
 * An external key: a custom field of an object (`name`) and the value identifying it.
 * Marketo does not enforce uniqueness; on duplicates it uses the most recent object.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExternalKey = Schema.Struct({ name: Field.Name, value: Field.Text }).annotations({
  identifier: "ExternalKey"
})

/**
 * The type of {@link ExternalKey}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExternalKey extends Schema.Schema.Type<typeof ExternalKey> {}

/**
 * A link to another object: `{ id }` (Marketo's id) or `{ externalKey }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Association = Schema.Union(
  Schema.Struct({ id: Field.Int }),
  Schema.Struct({ externalKey: ExternalKey })
).annotations({ identifier: "Association" })

/**
 * The type of {@link Association}.
 *
 * @since 0.1.0
 * @category models
 */
export type Association = Schema.Schema.Type<typeof Association>

/**
 * Whether an association links by Marketo id rather than by external key: it holds an `id`. A
 * key present as `undefined` (plain data such as `{ id: undefined, externalKey }`) does not
 * count, as validation reads it: such a link goes by its external key.
 *
 * @since 0.1.0
 * @category guards
 */
export const isById = (association: Association): association is Extract<Association, { readonly id: number }> =>
  (association as { readonly id?: unknown }).id !== undefined
