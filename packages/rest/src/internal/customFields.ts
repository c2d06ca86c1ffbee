/**
 * Custom fields typed from the instance's describe: a custom field the describe calls a
 * number or a boolean is sent as a JSON number or boolean, when its text says one faithfully;
 * any other value, and any field the describe does not know, goes as text (REST converts).
 *
 * @internal
 */
import type * as RestWire from "../RestWire.js"

/** What a custom field holds, by its name, as one instance's describe says. */
export type Kinds = ReadonlyMap<string, "number" | "boolean">

const numeric = new Set(["integer", "float", "currency", "percent", "double", "decimal", "number"])

/** The custom fields of a describe answer whose JSON form is not text. */
export const kindsOf = (meta: RestWire.ObjectMetadata): Kinds => {
  const kinds = new Map<string, "number" | "boolean">()
  for (const f of meta.fields) {
    const type = f.dataType.toLowerCase()
    if (numeric.has(type)) kinds.set(f.name, "number")
    else if (type === "boolean") kinds.set(f.name, "boolean")
  }
  return kinds
}

// A decimal literal as SOAP writes it: what Number reads back as the same value.
const decimal = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/** A custom field's value as JSON: typed where `kinds` says so and the text is faithful. */
export const valueOf = (kinds: Kinds | undefined, name: string, text: string): RestWire.FieldValue => {
  const kind = kinds?.get(name)
  if (kind === "number" && decimal.test(text)) {
    const n = Number(text)
    return Number.isFinite(n) ? n : text
  }
  if (kind === "boolean") {
    const t = text.trim().toLowerCase()
    return t === "1" || t === "true" ? true : t === "0" || t === "false" ? false : text
  }
  return text
}

/**
 * Whether a model holds no custom field (most do not): asked before the names are listed, so a
 * call without custom fields makes no list of them per object.
 */
export const isEmpty = (record: { readonly [name: string]: string }): boolean => {
  for (const _ in record) return false
  return true
}
