/**
 * A column mapping: which field each of a file's headers fills, for files written to a CRM's
 * headers rather than mktows' field names. Given as `--map "Header=field"` flags, as a JSON
 * file (`--map-file`, `{"Opportunity Name": "name", "Account Name": null}`: null leaves a
 * column out), or proposed from a file's header by `mktows map`.
 *
 * A proposal matches headers to field names ignoring case, spaces and punctuation
 * (`Close Date` is `closeDate`), and knows the standard headers of Salesforce's exports;
 * with `--from-instance`, also the instance's own field and display names (from describe),
 * custom fields included.
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Columns from "./columns.js"
import { Stop } from "./failure.js"

/** Header to field path; null: the column is left out. */
export type Mapping = ReadonlyMap<string, string | null>

const usage = (detail: string) => new Stop({ code: 2, detail })

/** `--map "Opportunity Name=name"`: the header is everything before the last `=`. */
export const parseFlags = (texts: ReadonlyArray<string>): Effect.Effect<Mapping, Stop> =>
  Effect.suspend(() => {
    const mapping = new Map<string, string | null>()
    for (const text of texts) {
      const eq = text.lastIndexOf("=")
      const header = eq < 0 ? "" : text.slice(0, eq).trim()
      if (header.length === 0) {
        return Effect.fail(usage(`--map '${text}': expected "HEADER=FIELD", e.g. --map "Opportunity Name=name"`))
      }
      const field = text.slice(eq + 1).trim()
      mapping.set(header, field.length === 0 ? null : field)
    }
    return Effect.succeed(mapping)
  })

/** Reads a `--map-file`: a JSON object from header to field (or null). */
export const readFile = (file: string): Effect.Effect<Mapping, Stop, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* Effect.mapError(
      fs.readFileString(file),
      (error: PlatformError) => usage(`--map-file ${file}: ${error.message}`)
    )
    const parsed = parseMappingFile(text)
    if (Either.isLeft(parsed)) {
      return yield* Effect.fail(
        usage(
          `--map-file ${file}: ${parsed.left}; expected one JSON object from each column to a field name, or to null to leave the column out, e.g. {"Opportunity Name": "name", "Account Name": null}`
        )
      )
    }
    return parsed.right
  })

/** What a mapping file holds: each column to a field name, or to null to leave it out. */
const MappingFile = Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.String) })

const decodeMapping = Schema.decodeUnknownEither(MappingFile, { errors: "all" })

/**
 * A mapping file's text as a mapping, or what is wrong with it in a few words: a schema's
 * decode tree would say it in its own terms (`parseJson <-> { readonly [x: string]: … }`),
 * and a file of many columns gets a few of the bad ones named, not every one.
 */
export const parseMappingFile = (text: string): Either.Either<Mapping, string> => {
  const json = Either.try({ try: (): unknown => JSON.parse(text), catch: (error) => String(error) })
  if (Either.isLeft(json)) {
    return Either.left(`it is not JSON (${json.left.replace(/^SyntaxError: /, "")})`)
  }
  const value = json.right
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return Either.left(`it holds ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}`)
  }
  const decoded = decodeMapping(value)
  if (Either.isLeft(decoded)) {
    // Each issue's path is the column whose value is no field name: named in the file's words.
    const bad = [
      ...new Set(ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) => String(issue.path[0])))
    ]
    const shown = bad.slice(0, 3).map((header) =>
      `'${header}' maps to ${shortJson((value as Record<string, unknown>)[header])}`
    )
    return Either.left(
      `${shown.join(", ")}${bad.length > 3 ? ` (and ${bad.length - 3} more)` : ""}, not to a field name or null`
    )
  }
  return Either.right(new Map(Object.entries(decoded.right).map(([header, field]) => [header.trim(), field])))
}

/** A JSON value in at most a few dozen characters. */
const shortJson = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 30 ? `${text.slice(0, 27)}...` : text
}

/** The mapping of `--map-file` and `--map` flags together (a flag wins), or none. */
export const combine = (fromFile: Mapping | undefined, fromFlags: Mapping): Mapping | undefined =>
  fromFile === undefined && fromFlags.size === 0 ? undefined : new Map([...(fromFile ?? []), ...fromFlags])

/** Checks every field a mapping names, before any file is read. */
export const check = (type: Columns.ObjectType, mapping: Mapping): Either.Either<Mapping, Stop> => {
  const readOnly = [...mapping].flatMap(([header, field]) => {
    const written = field === null ? undefined : Columns.readOnlyField(type, field)
    return written === undefined ? [] : [
      `the mapping of '${header}': Marketo writes ${written}, a sync never sends it; map the column to null`
    ]
  })
  if (readOnly.length > 0) return Either.left(usage(readOnly.join("; ")))
  const bad = [...mapping].filter(([, field]) => field !== null && !Columns.isField(type, field))
  return bad.length === 0 ? Either.right(mapping) : Either.left(
    usage(
      bad.map(([header, field]) => `the mapping of '${header}': '${field}' is not a field of ${type}`).join("; ") +
        " (fields are written as in the file format: name, amount, externalKey.externalOpportunityId, company.externalKey.externalCompanyId, customFields.Region)"
    )
  )
}

const normalize = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, "")

/**
 * The headers of Salesforce's standard exports (reports and Data Loader) and the fields
 * they fill, by type. Ids of the CRM become external keys, REST's names for them.
 */
const salesforce: Record<Columns.ObjectType, Record<string, string>> = {
  Opportunity: {
    "Opportunity ID": "externalKey.externalOpportunityId",
    "Opportunity Name": "name",
    "Account ID": "company.externalKey.externalCompanyId",
    "Stage": "stage",
    "Amount": "amount",
    "Probability (%)": "probability",
    "Close Date": "closeDate",
    "Created Date": "externalCreatedDate",
    "Expected Revenue": "expectedRevenue",
    "Fiscal Period": "fiscal",
    "Fiscal Quarter": "fiscalQuarter",
    "Fiscal Year": "fiscalYear",
    "Forecast Category": "forecastCategoryName",
    "Closed": "isClosed",
    "Won": "isWon",
    "Last Activity": "lastActivityDate",
    "Lead Source": "leadSource",
    "Next Step": "nextStep",
    "Quantity": "quantity",
    "Type": "type",
    "Opportunity Type": "type",
    "Description": "description"
  },
  OpportunityPersonRole: {
    "Opportunity ID": "opportunity.externalKey.externalOpportunityId",
    "Contact Role": "role",
    "Role": "role",
    "Primary": "isPrimary",
    "Created Date": "externalCreatedDate"
  },
  Program: {}
}

/**
 * Marketo's own names for the keys and links of each type (REST's field names, which a file
 * exported from Marketo or written for its REST API has as headers), and the paths they fill.
 * Without them such a column was left out, and an UPSERT of its rows sent no key at all.
 */
const marketo: Record<Columns.ObjectType, Record<string, string>> = {
  Opportunity: {
    "externalOpportunityId": "externalKey.externalOpportunityId",
    "marketoGUID": "externalKey.marketoGUID",
    "externalCompanyId": "company.externalKey.externalCompanyId"
  },
  OpportunityPersonRole: {
    "marketoGUID": "externalKey.marketoGUID",
    "externalOpportunityId": "opportunity.externalKey.externalOpportunityId",
    "leadId": "lead.id"
  },
  Program: {}
}

/** The fields of `type` a header can name by itself (no nested paths). */
const plainFields = (type: Columns.ObjectType): ReadonlyArray<string> =>
  Columns.fieldNames(type).filter((name) => Columns.isField(type, name))

/** A field as `describeMObject` lists it. */
export interface DescribedField {
  readonly name: string
  readonly displayName: string | null
  readonly isCustom: boolean
}

/**
 * The instance's names for the fields of `type` (from describe): each field's wire name and
 * display name, to the field path a mapping writes (`customFields.NAME` for a custom field).
 */
export const instanceNames = (
  type: Columns.ObjectType,
  fields: ReadonlyArray<DescribedField>
): ReadonlyMap<string, string> => {
  const plain = new Map(plainFields(type).map((field) => [normalize(field), field]))
  const out = new Map<string, string>()
  for (const field of fields) {
    const target = field.isCustom ? `customFields.${field.name}` : plain.get(normalize(field.name))
    if (target === undefined || !Columns.isField(type, target)) continue
    out.set(field.name, target)
    if (field.displayName !== null && field.displayName.trim() !== "") out.set(field.displayName, target)
  }
  return out
}

/** A proposed mapping for `headers`: every header, with its field or null when none matched. */
export const propose = (
  type: Columns.ObjectType,
  headers: ReadonlyArray<string>,
  displayNames: ReadonlyMap<string, string> = new Map()
): ReadonlyArray<readonly [string, string | null]> => {
  const byKnown = new Map(
    [...Object.entries(salesforce[type]), ...Object.entries(marketo[type])].map((
      [header, field]
    ) => [normalize(header), field])
  )
  const byField = new Map(plainFields(type).map((field) => [normalize(field), field]))
  for (const [display, field] of displayNames) byField.set(normalize(display), field)
  const used = new Set<string>()
  return headers.map((raw) => {
    const header = raw.trim()
    const key = normalize(header)
    const field = byKnown.get(key) ?? byField.get(key) ?? (Columns.isField(type, header) ? header : undefined)
    // One column per field, as the header is read (an external key is one field whatever its name).
    const filled = field === undefined ? undefined : Columns.filledField(type, field)
    if (field === undefined || filled === undefined || used.has(filled)) return [header, null] as const
    used.add(filled)
    return [header, field] as const
  })
}

/** A proposal as the JSON a `--map-file` holds, one header a line. */
export const render = (proposal: ReadonlyArray<readonly [string, string | null]>): string =>
  `{\n${proposal.map(([header, field]) => `  ${JSON.stringify(header)}: ${JSON.stringify(field)}`).join(",\n")}\n}\n`
