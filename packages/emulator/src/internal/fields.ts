/**
 * The fields the emulator knows per object type: what describeMObject reports and what a
 * sync may write. A field's data type decides which values it accepts and how a value is
 * kept, so that the same value written twice in two spellings (`2000` and `2000.00`,
 * `true` and `1`) compares equal and the second write is UNCHANGED.
 */
import * as Limits from "@mktows/core/Limits"
import type * as Wire from "@mktows/core/Wire"

/** @internal */
export type DataType = "string" | "text" | "currency" | "float" | "integer" | "boolean" | "date" | "datetime"

/** @internal */
export interface FieldDef {
  readonly name: string
  readonly displayName: string
  readonly dataType: DataType
  readonly size?: number
  readonly description?: string
  /** Written by Marketo only (Id, timestamps). */
  readonly readonly?: boolean
  readonly isName?: boolean
  readonly isPrimaryKey?: boolean
  readonly isCustom?: boolean
}

const std = (name: string, dataType: DataType, displayName = name, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  displayName,
  dataType,
  ...extra
})

const system: ReadonlyArray<FieldDef> = [
  std("Id", "integer", "Id", { readonly: true, isPrimaryKey: true }),
  std("CreatedAt", "datetime", "Created At", { readonly: true }),
  std("UpdatedAt", "datetime", "Updated At", { readonly: true })
]

/** @internal */
export const opportunityFields: ReadonlyArray<FieldDef> = [
  ...system,
  std("Amount", "currency"),
  std("CloseDate", "date", "Close Date"),
  std("Description", "text", "Description", { size: 2000 }),
  std("ExpectedRevenue", "currency", "Expected Revenue"),
  std("ExternalCreatedDate", "datetime", "External Created Date"),
  std("Fiscal", "string", "Fiscal", { size: 255 }),
  std("FiscalQuarter", "integer", "Fiscal Quarter"),
  std("FiscalYear", "integer", "Fiscal Year"),
  std("ForecastCategoryName", "string", "Forecast Category Name", { size: 255 }),
  std("IsClosed", "boolean", "Is Closed"),
  std("IsWon", "boolean", "Is Won"),
  std("LastActivityDate", "date", "Last Activity Date"),
  std("LeadSource", "string", "Lead Source", { size: 255 }),
  std("Name", "string", "Name", { size: 255, isName: true }),
  std("NextStep", "string", "Next Step", { size: 255 }),
  std("Probability", "integer"),
  std("Quantity", "float"),
  std("Stage", "string", "Stage", { size: 255 }),
  std("Type", "string", "Type", { size: 255 })
]

/** @internal */
export const roleFields: ReadonlyArray<FieldDef> = [
  ...system,
  std("OpportunityId", "integer", "Opportunity Id"),
  std("PersonId", "integer", "Person Id"),
  std("Role", "string", "Role", { size: 255, isName: true }),
  std("ExternalCreatedDate", "datetime", "External Created Date"),
  std("IsPrimary", "boolean", "Is Primary")
]

const decimal = /^([+-]?)(\d+)(?:\.(\d+))?$/
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/
const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/

const validDate = (match: RegExpExecArray | null): match is RegExpExecArray => {
  if (match === null) return false
  const [, y, m, d] = match
  const date = new Date(0)
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  date.setUTCFullYear(Number(y), Number(m) - 1, Number(d))
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
}

const two = (n: number) => String(n).padStart(2, "0")

/**
 * A date-time (or a day, its midnight UTC) as the instant it names, kept as one text for each
 * instant: UTC, to the second, `YYYY-MM-DDThh:mm:ss+00:00`. The same instant written with another
 * offset is then the same value (UNCHANGED when sent again), and kept values compare as text in
 * time order (criteria). A time or offset out of range is no date-time.
 *
 * @internal
 */
export const canonicalInstant = (text: string): string | undefined => {
  const match = dateTimePattern.exec(text) ?? datePattern.exec(text)
  if (!validDate(match)) return undefined
  const [, y, mo, d, h = "00", mi = "00", sec = "00", , zone = "Z"] = match
  const offset = zone === "Z"
    ? 0
    : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)))
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59 || Math.abs(offset) > 23 * 60 + 59) return undefined
  if (zone !== "Z" && Number(zone.slice(4)) > 59) return undefined
  const at = new Date(0)
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  at.setUTCFullYear(Number(y), Number(mo) - 1, Number(d))
  at.setUTCHours(Number(h), Number(mi) - offset, Number(sec))
  const year = at.getUTCFullYear()
  if (year < 1 || year > 9999) return undefined
  return `${String(year).padStart(4, "0")}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())}T${
    two(at.getUTCHours())
  }:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}+00:00`
}

/**
 * A decimal written without redundant zeros, or `undefined` when `text` is not a plain
 * decimal (no exponent, no thousands separators: Marketo reads neither).
 *
 * @internal
 */
export const canonicalDecimal = (text: string): string | undefined => {
  const match = decimal.exec(text.trim())
  if (match === null) return undefined
  const [, sign = "", int = "0", frac = ""] = match
  const whole = int.replace(/^0+(?=\d)/, "")
  const fraction = frac.replace(/0+$/, "")
  const body = fraction === "" ? whole : `${whole}.${fraction}`
  return sign === "-" && /[1-9]/.test(body) ? `-${body}` : body
}

/**
 * The value as kept, or an error text saying why the field cannot hold it.
 *
 * @internal
 */
export const canonicalValue = (field: FieldDef, value: string): { value: string } | { error: string } => {
  const bad = (expected: string) => ({ error: `bad value for ${field.name}: '${value}' is not ${expected}` })
  switch (field.dataType) {
    case "currency":
    case "float": {
      const canonical = canonicalDecimal(value)
      return canonical === undefined ? bad("a decimal number") : { value: canonical }
    }
    case "integer": {
      const canonical = canonicalDecimal(value)
      return canonical === undefined || canonical.includes(".") || Number(canonical) > Limits.xsIntMax ||
          Number(canonical) < Limits.xsIntMin
        ? bad("an integer")
        : { value: canonical }
    }
    case "boolean": {
      const text = value.trim().toLowerCase()
      return text === "1" || text === "true"
        ? { value: "1" }
        : text === "0" || text === "false"
        ? { value: "0" }
        : bad("a boolean (1, 0, true or false)")
    }
    case "date": {
      const match = datePattern.exec(value.trim()) ?? dateTimePattern.exec(value.trim())
      return !validDate(match)
        ? bad("a date (YYYY-MM-DD)")
        : { value: `${match[1]}-${match[2]}-${match[3]}` }
    }
    case "datetime": {
      const instant = canonicalInstant(value.trim())
      return instant === undefined ? bad("a date-time (YYYY-MM-DDThh:mm:ss±hh:mm)") : { value: instant }
    }
    case "string":
    case "text":
      return field.size !== undefined && value.length > field.size
        ? { error: `bad value for ${field.name}: longer than ${field.size} characters` }
        : { value }
  }
}

/** Whether a field's values order as numbers. @internal */
export const isNumeric = (dataType: DataType): boolean =>
  dataType === "currency" || dataType === "float" || dataType === "integer"

/**
 * The describeMObject record of a field list.
 *
 * @internal
 */
export const metadataOf = (
  name: string,
  description: string,
  fields: ReadonlyArray<FieldDef>,
  updatedAt: string
): Wire.MObjectMetadata => ({
  name,
  description,
  isCustom: false,
  isVirtual: false,
  updatedAt,
  fieldList: fields.map((field) => ({
    name: field.name,
    description: field.description ?? null,
    displayName: field.displayName,
    sourceObject: name,
    dataType: field.dataType,
    size: field.size ?? null,
    isReadonly: field.readonly === true,
    isUpdateBlocked: field.readonly === true || field.isPrimaryKey === true,
    isName: field.isName ?? null,
    isPrimaryKey: field.isPrimaryKey === true,
    isCustom: field.isCustom === true,
    isDynamic: false,
    dynamicFieldRef: null,
    updatedAt
  }))
})
