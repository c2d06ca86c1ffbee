/**
 * The data an emulator starts from, and the JSON format of `--seed FILE`, of `--data FILE`
 * and of `GET /emulator/objects`: programs with their costs, tags and tokens, the tag types
 * that exist, opportunities, opportunity person roles, leads, companies, and custom fields.
 *
 * ```json
 * {
 *   "tagTypes": [{ "type": "Channel", "values": ["Webinar", "Email"] }],
 *   "programs": [{ "id": 1970, "name": "Summer Trade Show", "type": "Event",
 *                  "tags": [{ "type": "Channel", "value": "Webinar" }],
 *                  "costs": [{ "id": 153, "month": "2013-06", "amount": 1500, "note": "Booth" }] }],
 *   "companies": [{ "id": 7, "name": "Acme Corp", "externalKey": { "name": "companyId", "value": "COMP-1" } }],
 *   "leads": [{ "id": 19, "email": "jane.doe@example.com" }],
 *   "opportunities": [{ "id": 64, "companyId": 7, "fields": { "Name": "Acme renewal", "Amount": "12500" } }],
 *   "opportunityPersonRoles": [{ "id": 30, "opportunityId": 64, "personId": 19, "fields": { "Role": "Buyer" } }]
 * }
 * ```
 *
 * Every key is optional. Ids are positive `xs:int`s, unique per type; a role's opportunity
 * and lead, an opportunity's company and a program's tags must exist in the same file. A
 * file that breaks a rule is refused with a {@link SeedError} naming the path, for example
 * `opportunityPersonRoles[0].opportunityId: no opportunity with id 99`.
 *
 * @since 0.1.0
 */
import * as Limits from "@mktows/core/Limits"
import * as XmlText from "@mktows/core/XmlText"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import * as FieldDefs from "./internal/fields.js"

const Id = Schema.Int.pipe(Schema.between(1, Limits.xsIntMax)).annotations({
  message: () => `an integer id from 1 to ${Limits.xsIntMax}`
})

// The store answers SOAP too: every text must be one XML 1.0 can carry.
const Text = Schema.String.pipe(
  Schema.filter(XmlText.isXmlText, { message: () => "text XML 1.0 can carry (no control characters but tab, LF, CR)" })
)

const Name = Text.pipe(Schema.minLength(1)).annotations({ message: () => "a non-empty string" })

const Timestamp = Schema.String.pipe(
  Schema.filter((s) => !Number.isNaN(Date.parse(s)), { message: () => "an ISO 8601 date-time" })
)

const Attrib = Schema.Struct({ name: Name, value: Text })

const Month = Schema.String.pipe(
  Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/, { message: () => "a month, YYYY-MM" })
)

const Amount = Schema.Union(
  Schema.Number.pipe(Schema.finite()),
  Schema.String.pipe(Schema.pattern(/^[+-]?\d+(\.\d+)?$/, { message: () => "a decimal number" }))
)

const Fields = Schema.Record({ key: Text, value: Text })

const DataType = Schema.Literal("string", "text", "currency", "float", "integer", "boolean", "date", "datetime")

const CustomField = Schema.Struct({ name: Name, dataType: DataType })

const Program = Schema.Struct({
  id: Id,
  name: Name,
  /** What the Asset API shows (and its update sets). Default none. */
  description: Schema.optional(Text),
  /** Marketo's program type, e.g. `Marketing Program`, `Marketing Event`. Default `Marketing Program`. */
  type: Schema.optional(Text),
  /** Default `Default`. */
  workspace: Schema.optional(Text),
  /** Default 1, the id of Marketo's Default workspace. */
  workspaceId: Schema.optional(Id),
  /** The folders between the workspace and the program, e.g. `Events/2013`. Default none. */
  folder: Schema.optional(Text),
  archived: Schema.optional(Schema.Boolean),
  /** Event programs: as Marketo answers them, e.g. `2011-08-01 11:00:00`. */
  startDate: Schema.optional(Text),
  endDate: Schema.optional(Text),
  tags: Schema.optional(Schema.Array(Schema.Struct({ type: Name, value: Name }))),
  tokens: Schema.optional(Schema.Array(Schema.Struct({ name: Name, value: Text }))),
  costs: Schema.optional(
    Schema.Array(Schema.Struct({ id: Id, month: Month, amount: Amount, note: Schema.optional(Text) }))
  ),
  createdAt: Schema.optional(Timestamp),
  updatedAt: Schema.optional(Timestamp)
})

const Opportunity = Schema.Struct({
  id: Id,
  externalKey: Schema.optional(Attrib),
  fields: Schema.optional(Fields),
  companyId: Schema.optional(Id),
  createdAt: Schema.optional(Timestamp),
  updatedAt: Schema.optional(Timestamp)
})

const Role = Schema.Struct({
  id: Id,
  opportunityId: Id,
  personId: Id,
  externalKey: Schema.optional(Attrib),
  fields: Schema.optional(Fields),
  createdAt: Schema.optional(Timestamp),
  updatedAt: Schema.optional(Timestamp)
})

const Lead = Schema.Struct({ id: Id, email: Text, externalKey: Schema.optional(Attrib) })

const Company = Schema.Struct({ id: Id, name: Text, externalKey: Schema.optional(Attrib) })

const SeedFields = Schema.Struct({
  programs: Schema.optional(Schema.Array(Program)),
  tagTypes: Schema.optional(Schema.Array(Schema.Struct({ type: Name, values: Schema.Array(Name) }))),
  opportunities: Schema.optional(Schema.Array(Opportunity)),
  opportunityPersonRoles: Schema.optional(Schema.Array(Role)),
  leads: Schema.optional(Schema.Array(Lead)),
  companies: Schema.optional(Schema.Array(Company)),
  /** Custom fields describeMObject reports and syncMObjects accepts, per type. */
  customFields: Schema.optional(Schema.Struct({
    Opportunity: Schema.optional(Schema.Array(CustomField)),
    OpportunityPersonRole: Schema.optional(Schema.Array(CustomField))
  })),
  /** The next ids the store hands out; written by `--data` so deleted ids are not reused. */
  nextId: Schema.optional(Schema.Struct({ Opportunity: Id, OpportunityPersonRole: Id, Cost: Id }))
})

type Issue = { readonly path: ReadonlyArray<PropertyKey>; readonly message: string }

// The rules between records, each reported at the path of the record that breaks it.
const references = (seed: typeof SeedFields.Type): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const unique = (key: string, ids: ReadonlyArray<number> | undefined) => {
    const seen = new Set<number>()
    ids?.forEach((id, i) => {
      if (seen.has(id)) issues.push({ path: [key, i, "id"], message: `id ${id} appears twice` })
      seen.add(id)
    })
    return seen
  }
  unique("programs", seed.programs?.map((p) => p.id))
  const opportunities = unique("opportunities", seed.opportunities?.map((o) => o.id))
  unique("opportunityPersonRoles", seed.opportunityPersonRoles?.map((r) => r.id))
  const leads = unique("leads", seed.leads?.map((l) => l.id))
  const companies = unique("companies", seed.companies?.map((c) => c.id))
  const tagTypes = new Map((seed.tagTypes ?? []).map((t) => [t.type, t.values]))
  seed.programs?.forEach((program, i) =>
    program.tags?.forEach((tag, j) => {
      if (!(tagTypes.get(tag.type) ?? []).includes(tag.value)) {
        issues.push({
          path: ["programs", i, "tags", j],
          message: `no tag type '${tag.type}' with value '${tag.value}' in tagTypes`
        })
      }
    })
  )
  seed.opportunities?.forEach((o, i) => {
    if (o.companyId !== undefined && !companies.has(o.companyId)) {
      issues.push({ path: ["opportunities", i, "companyId"], message: `no company with id ${o.companyId}` })
    }
  })
  // Each field a field of its type (standard, or custom as `customFields` declares it), with a
  // value of its type: the store holds what a call could have written, and nothing its own
  // answers would then refuse.
  const fieldsOf = (
    key: "opportunities" | "opportunityPersonRoles",
    standard: ReadonlyArray<FieldDefs.FieldDef>,
    declared: ReadonlyArray<{ readonly name: string; readonly dataType: FieldDefs.DataType }> | undefined,
    records: ReadonlyArray<{ readonly fields?: { readonly [name: string]: string } | undefined }> | undefined
  ) => {
    const defs = [
      ...standard,
      ...(declared ?? []).map((d): FieldDefs.FieldDef => ({ name: d.name, displayName: d.name, dataType: d.dataType }))
    ]
    const byName = new Map(defs.map((d) => [d.name.toLowerCase(), d]))
    records?.forEach((record, i) =>
      Object.entries(record.fields ?? {}).forEach(([name, value]) => {
        const def = byName.get(name.toLowerCase())
        if (def === undefined || def.readonly === true) {
          issues.push({
            path: [key, i, "fields", name],
            message: def === undefined
              ? `no field '${name}' (declare a custom field in customFields)`
              : `'${name}' is read-only: give it as the record's own property`
          })
          return
        }
        const canonical = FieldDefs.canonicalValue(def, value)
        if ("error" in canonical) issues.push({ path: [key, i, "fields", name], message: canonical.error })
      })
    )
  }
  fieldsOf("opportunities", FieldDefs.opportunityFields, seed.customFields?.Opportunity, seed.opportunities)
  fieldsOf(
    "opportunityPersonRoles",
    FieldDefs.roleFields,
    seed.customFields?.OpportunityPersonRole,
    seed.opportunityPersonRoles
  )
  seed.opportunityPersonRoles?.forEach((r, i) => {
    if (!opportunities.has(r.opportunityId)) {
      issues.push({
        path: ["opportunityPersonRoles", i, "opportunityId"],
        message: `no opportunity with id ${r.opportunityId}`
      })
    }
    if (!leads.has(r.personId)) {
      issues.push({ path: ["opportunityPersonRoles", i, "personId"], message: `no lead with id ${r.personId}` })
    }
  })
  return issues
}

/**
 * The Schema of seed data (and of the JSON files `--seed` and `--data` read).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SeedData = SeedFields.pipe(Schema.filter(references)).annotations({ identifier: "SeedData" })

/**
 * The initial objects of an emulator.
 *
 * @since 0.1.0
 * @category models
 */
export type SeedData = typeof SeedData.Type

/**
 * Seed data that breaks the format: `path` names the offending value (`programs[2].costs[0].month`),
 * `detail` says what was expected.
 *
 * @since 0.1.0
 * @category errors
 */
export class SeedError extends Data.TaggedError("SeedError")<{
  readonly source: string
  readonly path: string
  readonly detail: string
}> {
  override get message(): string {
    return `${this.source}: ${this.path === "" ? "" : `${this.path}: `}${this.detail}`
  }
}

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (text, key) => typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`,
    ""
  )

const decodeSeed = Schema.decodeUnknownEither(SeedData, { errors: "first", onExcessProperty: "error" })

/**
 * Checks `input` (parsed JSON) against the format; `source` names it in errors (a file name).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (input: unknown, source = "seed"): Effect.Effect<SeedData, SeedError> =>
  Either.match(decodeSeed(input), {
    onRight: Effect.succeed,
    onLeft: (error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      return Effect.fail(
        new SeedError({
          source,
          path: pathText(issue?.path ?? []),
          detail: issue?.message ?? "not seed data"
        })
      )
    }
  })

/**
 * Reads seed data from JSON text; a syntax error is a {@link SeedError} too.
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromJson = (text: string, source = "seed"): Effect.Effect<SeedData, SeedError> =>
  Effect.flatMap(
    Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) =>
        new SeedError({ source, path: "", detail: `not JSON: ${error instanceof Error ? error.message : "?"}` })
    }),
    (json) => decode(json, source)
  )

/**
 * Reads seed data from a JSON file; a missing or unreadable file is a {@link SeedError} too.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readFile = (path: string): Effect.Effect<SeedData, SeedError> =>
  Effect.flatMap(
    Effect.tryPromise({
      try: () => fs.readFile(path, "utf8"),
      catch: (error) => new SeedError({ source: path, path: "", detail: `cannot read: ${describe(error)}` })
    }),
    (text) => fromJson(text, path)
  )

/**
 * Reads what an emulator's data file keeps: none when there is no file yet.
 *
 * @since 0.1.0
 * @category decoding
 */
export const load = (path: string): Effect.Effect<Option.Option<SeedData>, SeedError> =>
  Effect.tryPromise({
    try: () => fs.readFile(path, "utf8"),
    catch: (error) => error
  }).pipe(
    Effect.map(Option.some),
    Effect.catchAll((error) =>
      typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT"
        ? Effect.succeed(Option.none<string>())
        : Effect.fail(new SeedError({ source: path, path: "", detail: `cannot read: ${describe(error)}` }))
    ),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed(Option.none<SeedData>()),
      onSome: (text) => Effect.map(fromJson(text, path), Option.some)
    }))
  )

const describe = (error: unknown): string => error instanceof Error ? error.message : String(error)

/**
 * The objects Marketo's documented examples refer to: Program 1970 with period cost 153 for
 * 2013-06 (amount 1500), tag type Channel (Trade Show, Webinar, Email, ...), Opportunity 64,
 * Lead 19, Company 7 with external key `companyId` = `COMP-1`, and a few more.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSeed: SeedData = {
  tagTypes: [
    { type: "Channel", values: ["Trade Show", "Webinar", "Email", "Content", "Online Advertising"] },
    { type: "Region", values: ["EMEA", "Americas", "APAC"] }
  ],
  programs: [
    {
      id: 1970,
      name: "Summer Trade Show 2013",
      type: "Marketing Event",
      folder: "Events",
      startDate: "2013-06-12 09:00:00",
      endDate: "2013-06-14 18:00:00",
      tags: [{ type: "Channel", value: "Trade Show" }],
      tokens: [{ name: "Booth Number", value: "B-12" }],
      costs: [{ id: 153, month: "2013-06", amount: 1500, note: "Booth" }]
    },
    { id: 1001, name: "Welcome Emails", folder: "Nurture", tags: [{ type: "Channel", value: "Email" }] },
    {
      id: 1002,
      name: "Product Webinar",
      type: "Marketing Event",
      folder: "Events",
      startDate: "2013-04-18 17:00:00",
      endDate: "2013-04-18 18:00:00",
      tags: [{ type: "Channel", value: "Webinar" }, { type: "Region", value: "EMEA" }],
      costs: [{ id: 101, month: "2013-04", amount: 800 }]
    },
    { id: 1003, name: "Nurture Track", type: "Nurture", folder: "Nurture" }
  ],
  companies: [
    { id: 7, name: "Acme Corp", externalKey: { name: "companyId", value: "COMP-1" } },
    { id: 8, name: "Globex", externalKey: { name: "companyId", value: "COMP-2" } }
  ],
  leads: [
    { id: 19, email: "jane.doe@example.com", externalKey: { name: "leadId", value: "LEAD-19" } },
    { id: 20, email: "john.roe@example.com" }
  ],
  opportunities: [
    {
      id: 64,
      externalKey: { name: "opportunityId", value: "OPP-64" },
      companyId: 7,
      fields: { Name: "Acme renewal", Type: "Renewal", Stage: "Prospecting", Amount: "12500", CloseDate: "2013-09-30" }
    },
    { id: 65, companyId: 8, fields: { Name: "Globex expansion", Type: "New Business", Stage: "Closed Won" } }
  ],
  opportunityPersonRoles: [{
    id: 30,
    opportunityId: 64,
    personId: 19,
    fields: { Role: "Decision Maker", IsPrimary: "1" }
  }],
  customFields: {
    Opportunity: [{ name: "opportunityId", dataType: "string" }, { name: "Region", dataType: "string" }],
    OpportunityPersonRole: []
  }
}
