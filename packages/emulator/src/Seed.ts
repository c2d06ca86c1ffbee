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
import * as Records from "./internal/rest/records.js"
import { costAmount } from "./internal/seed.js"

const Id = Schema.Int.pipe(Schema.between(1, Limits.xsIntMax)).annotations({
  message: () => `an integer id from 1 to ${Limits.xsIntMax}`
})

// The store answers SOAP too: every text must be one XML 1.0 can carry.
const Text = Schema.String.pipe(
  Schema.filter(XmlText.isXmlText, { message: () => "text XML 1.0 can carry (no control characters but tab, LF, CR)" })
)

const Name = Text.pipe(Schema.minLength(1)).annotations({ message: () => "a non-empty string" })

// Kept as the store keeps the times it sets (UTC, `+00:00`): SOAP answers it as an xs:dateTime
// and criteria compare it as text, so `March 7, 2013` (which Date.parse reads) is refused.
const Timestamp = Schema.transformOrFail(Schema.String, Schema.String, {
  strict: true,
  decode: (text, _, ast) =>
    Option.match(Option.fromNullable(FieldDefs.canonicalInstant(text.trim())), {
      onNone: () =>
        ParseResult.fail(new ParseResult.Type(ast, text, "an ISO 8601 date-time (YYYY-MM-DDThh:mm:ss±hh:mm)")),
      onSome: ParseResult.succeed
    }),
  encode: ParseResult.succeed
}).annotations({ message: () => "an ISO 8601 date-time (YYYY-MM-DDThh:mm:ss±hh:mm)" })

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

type Issue = { readonly path: readonly [PropertyKey, ...Array<PropertyKey>]; readonly message: string }

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

type Seed = typeof SeedFields.Type
type Declared = ReadonlyArray<{ readonly name: string; readonly dataType: FieldDefs.DataType }> | undefined
type FieldRecord = { readonly fields?: { readonly [name: string]: string } | undefined }
type Normalised<A> = { readonly value: A; readonly issues: ReadonlyArray<Issue> }

const kinds = {
  Opportunity: { standard: FieldDefs.opportunityFields, rest: "opportunities", records: "opportunities" },
  OpportunityPersonRole: { standard: FieldDefs.roleFields, rest: "roles", records: "opportunityPersonRoles" }
} as const

// A custom field named like a standard field or a REST key (any casing) would be answered
// twice under one name, or shadow the key: SOAP and REST would disagree on what it holds.
const customIssues = (type: keyof typeof kinds, declared: Declared): ReadonlyArray<Issue> => {
  const taken = new Map<string, string>([
    ...kinds[type].standard.map((d): [string, string] => [d.name.toLowerCase(), `the standard field ${d.name}`]),
    ...Records.keyNamesOf(kinds[type].rest).map((n): [string, string] => [n.toLowerCase(), `the REST key ${n}`])
  ])
  return (declared ?? []).flatMap((d, j) => {
    const clash = taken.get(d.name.toLowerCase())
    taken.set(d.name.toLowerCase(), `the custom field ${d.name}`)
    return clash === undefined ? [] : [{
      path: ["customFields", type, j, "name"],
      message: `'${d.name}' is taken by ${clash} (names are matched whatever their case)`
    }]
  })
}

// Each field of a record as a write of it would keep it: the declared field's exact name (a seed
// may spell it in any case, once), the value in the field type's canonical form (`true` is `1`,
// `2000.00` is `2000`, an instant is UTC), so that the store holds what a call could have written.
const fieldsOf = <R extends FieldRecord>(
  type: keyof typeof kinds,
  declared: Declared,
  records: ReadonlyArray<R> | undefined
): Normalised<ReadonlyArray<R> | undefined> => {
  const defs = [
    ...kinds[type].standard,
    ...(declared ?? []).map((d): FieldDefs.FieldDef => ({ name: d.name, displayName: d.name, dataType: d.dataType }))
  ]
  const byName = new Map(defs.map((d) => [d.name.toLowerCase(), d]))
  const issues: Array<Issue> = []
  const value = records?.map((record, i) => {
    if (record.fields === undefined) return record
    const given = new Map<string, string>()
    const fields: Record<string, string> = {}
    Object.entries(record.fields).forEach(([name, text]) => {
      const path: Issue["path"] = [kinds[type].records, i, "fields", name]
      const def = byName.get(name.toLowerCase())
      const refusal = def === undefined
        ? `no field '${name}' (declare a custom field in customFields)`
        : def.readonly === true || Records.linked.has(def.name)
        ? `'${name}' is ${def.readonly === true ? "read-only" : "a link"}: give it as the record's own property`
        : given.has(def.name)
        ? `'${name}' and '${given.get(def.name)}' name one field, ${def.name}`
        : undefined
      if (refusal !== undefined || def === undefined) {
        issues.push({ path, message: refusal ?? "" })
        return
      }
      given.set(def.name, name)
      const canonical = FieldDefs.canonicalValue(def, text)
      if ("error" in canonical) issues.push({ path, message: canonical.error })
      else fields[def.name] = canonical.value
    })
    return { ...record, fields }
  })
  return { value, issues }
}

// A cost amount as SOAP's sync keeps it: a JSON number the plain decimal it denotes (REST's
// reading of one), never `0` for a number too small or too large to print without an exponent.
const costsOf = (programs: Seed["programs"]): Normalised<Seed["programs"]> => {
  const issues: Array<Issue> = []
  const value = programs?.map((program, i) =>
    program.costs === undefined ? program : {
      ...program,
      costs: program.costs.map((cost, j) => {
        const amount = costAmount(cost.amount)
        if (amount === undefined) {
          issues.push({ path: ["programs", i, "costs", j, "amount"], message: "a decimal number" })
        }
        return { ...cost, amount: amount ?? cost.amount }
      })
    }
  )
  return { value, issues }
}

const present = <K extends string, A>(key: K, value: A | undefined): { [P in K]?: A } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: A }

/** The seed with each value in the form the store keeps it, or the issues that stop it. */
const normalise = (seed: Seed): Normalised<Seed> => {
  const opportunities = fieldsOf("Opportunity", seed.customFields?.Opportunity, seed.opportunities)
  const roles = fieldsOf("OpportunityPersonRole", seed.customFields?.OpportunityPersonRole, seed.opportunityPersonRoles)
  const programs = costsOf(seed.programs)
  return {
    value: {
      ...seed,
      ...present("programs", programs.value),
      ...present("opportunities", opportunities.value),
      ...present("opportunityPersonRoles", roles.value)
    },
    issues: [
      ...customIssues("Opportunity", seed.customFields?.Opportunity),
      ...customIssues("OpportunityPersonRole", seed.customFields?.OpportunityPersonRole),
      ...programs.issues,
      ...opportunities.issues,
      ...roles.issues
    ]
  }
}

/**
 * The Schema of seed data (and of the JSON files `--seed` and `--data` read). Decoding keeps
 * each value as a write of it would (field names as declared, values in their type's canonical
 * form, timestamps in UTC), so a seeded object and a written one compare alike.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SeedData = SeedFields.pipe(
  Schema.filter(references),
  Schema.transformOrFail(Schema.typeSchema(SeedFields), {
    strict: true,
    decode: (seed, _, ast) => {
      const { issues, value } = normalise(seed)
      const first = issues[0]
      return first === undefined
        ? ParseResult.succeed(value)
        : ParseResult.fail(new ParseResult.Pointer(first.path, seed, new ParseResult.Type(ast, seed, first.message)))
    },
    encode: ParseResult.succeed
  })
).annotations({ identifier: "SeedData" })

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
  // Not an object at all: said in one line, not as the whole format Schema's message spells out.
  typeof input !== "object" || input === null || Array.isArray(input)
    ? Effect.fail(
      new SeedError({
        source,
        path: "",
        detail: `expected an object (with any of ${Object.keys(SeedFields.fields).join(", ")}), not ${
          input === null ? "null" : Array.isArray(input) ? "an array" : `a ${typeof input}`
        }`
      })
    )
    : Either.match(decodeSeed(input), {
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
      costs: [{ id: 153, month: "2013-06", amount: "1500", note: "Booth" }]
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
      costs: [{ id: 101, month: "2013-04", amount: "800" }]
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
