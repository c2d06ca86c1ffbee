/**
 * The values of a model's standard fields, read one way by the checks (`Validation`) and by
 * every sender (the SOAP mapping, REST's model path and its refusals): what is sent is what
 * was checked.
 *
 * An instance of the model's own class is read by a `for…in` over its enumerable properties,
 * own or inherited, which V8 serves from the object's layout. Reading every field of the
 * table by name instead cost most of a check in a running client: each absent field is a
 * lookup along the model's five prototypes, and with the field name changing at every step
 * the lookup is megamorphic, so its cache is shared with the rest of the process and mostly
 * missed (about 55 ns a field, a microsecond an Opportunity). A non-enumerable property is
 * then neither checked nor sent.
 *
 * Anything else has every field of the table read by name: a subclass (its getters are not
 * enumerable, and a value it would send must be a value checked), plain data, another class.
 */
import { Opportunity } from "../Opportunity.js"
import { OpportunityPersonRole } from "../OpportunityPersonRole.js"
import type { StandardField } from "../StandardFields.js"
import * as Fields from "./mappingFields.js"

/** How to read one table: its fields, each key's position, and the class read by `for…in`. */
export interface Reader<K extends string> {
  readonly fields: ReadonlyArray<StandardField<K>>
  readonly position: ReadonlyMap<string, number>
  readonly prototype: object
}

const reader = <K extends string>(fields: ReadonlyArray<StandardField<K>>, prototype: object): Reader<K> => ({
  fields,
  position: new Map(fields.map((field, i) => [field.key, i])),
  prototype
})

export const opportunity: Reader<keyof Opportunity> = reader(Fields.opportunityFields, Opportunity.prototype)

export const opportunityPersonRole: Reader<keyof OpportunityPersonRole> = reader(
  Fields.opportunityPersonRoleFields,
  OpportunityPersonRole.prototype
)

/**
 * Calls `visit` with the position in `reader`'s table and the value of each field `obj` holds
 * (not `undefined`), in the object's own order for an instance of the model's class, else in
 * the table's. `state` is handed through, so that a caller needs no closure, and no array is
 * made, per object. Reading may throw (a getter, a Proxy trap): the callers guard it.
 */
export const forEachValue = <K extends string, S>(
  reader: Reader<K>,
  obj: object,
  visit: (position: number, value: unknown, state: S) => void,
  state: S
): void => {
  if (Object.getPrototypeOf(obj) === reader.prototype) {
    const position = reader.position
    for (const key in obj) {
      const i = position.get(key)
      if (i === undefined) continue
      // The read stays in the loop, on the loop's key: that is what V8 serves from the layout.
      const value = (obj as Record<string, unknown>)[key]
      if (value !== undefined) visit(i, value, state)
    }
    return
  }
  const fields = reader.fields
  for (let i = 0; i < fields.length; i++) {
    const value = (obj as Record<string, unknown>)[(fields[i] as StandardField<K>).key]
    if (value !== undefined) visit(i, value, state)
  }
}

const setAt = (position: number, value: unknown, values: Array<unknown>): void => {
  values[position] = value
}

/**
 * The value of each field of `reader`'s table that `obj` holds, at the field's position in
 * the table; `undefined` where it holds none. Reading may throw (a getter, a Proxy trap): the
 * callers guard it.
 */
export const valuesOf = <K extends string>(reader: Reader<K>, obj: object): Array<unknown> => {
  const values = new Array<unknown>(reader.fields.length)
  forEachValue(reader, obj, setAt, values)
  return values
}

/** {@link valuesOf} with the reader of the model's table. */
export const standardValues = (model: Opportunity | OpportunityPersonRole): Array<unknown> =>
  model._tag === "Opportunity" ? valuesOf(opportunity, model) : valuesOf(opportunityPersonRole, model)

/** {@link forEachValue} with the reader of the model's table. */
export const forEachStandardValue = <S>(
  model: Opportunity | OpportunityPersonRole,
  visit: (position: number, value: unknown, state: S) => void,
  state: S
): void =>
  model._tag === "Opportunity"
    ? forEachValue(opportunity, model, visit, state)
    : forEachValue(opportunityPersonRole, model, visit, state)
