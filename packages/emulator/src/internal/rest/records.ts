/**
 * The emulator's REST view of its one store: stored objects as REST records, REST input
 * records as the SOAP wire records the store applies, and `marketoGUID`s that name stored ids.
 *
 * Field names are Adobe's, from the wire contract (`RestWire`), and the emulator's own rule
 * joins them to the store's SOAP names (Marketo's: the SOAP name is the REST name with its
 * first letter in capitals; a custom field keeps its name). The client's mapping is never
 * used here, so a wrong mapping in the client fails a round trip instead of being mirrored.
 *
 * A `marketoGUID` is the object's integer id written as a GUID, its first group telling
 * opportunities and roles apart, so a SOAP write is read by REST and a REST write by SOAP.
 */
import type * as Wire from "@mktows/core/Wire"
import * as RestWire from "@mktows/rest/RestWire"
import type { FieldDef } from "../fields.js"
import type { Entity, Program, State } from "../state.js"

/** @internal */
export type Kind = "opportunities" | "roles"

const guidPrefix: Record<Kind, string> = { opportunities: "0f0f0001", roles: "0f0f0002" }
const guidPattern = /^([0-9a-f]{8})-0000-4000-8000-([0-9a-f]{12})$/

/** @internal */
export const guidOf = (kind: Kind, id: number): string =>
  `${guidPrefix[kind]}-0000-4000-8000-${id.toString(16).padStart(12, "0")}`

/** @internal */
export const idOfGuid = (kind: Kind, guid: string): number | undefined => {
  const match = guidPattern.exec(guid.trim().toLowerCase())
  return match === null || match[1] !== guidPrefix[kind] ? undefined : parseInt(match[2] ?? "", 16)
}

/** The REST key names, from the wire contract. @internal */
export const names = {
  id: RestWire.objectKeys.opportunities.idField,
  opportunity: RestWire.objectKeys.opportunities.dedupeFields[0],
  lead: RestWire.objectKeys.roles.dedupeFields[1],
  role: RestWire.objectKeys.roles.dedupeFields[2],
  company: "externalCompanyId",
  createdAt: "createdAt",
  updatedAt: "updatedAt",
  /** The most characters of an externalOpportunityId, as the describe (Adobe's too) says. */
  opportunityKeyLength: 50
} as const

/**
 * Store fields REST shows through keys and links, not as fields of their own.
 *
 * @internal
 */
export const linked: ReadonlySet<string> = new Set(["Id", "CreatedAt", "UpdatedAt", "OpportunityId", "PersonId"])

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1)

/** The REST name of a store field. @internal */
export const restNameOf = (def: FieldDef): string => def.isCustom === true ? def.name : lowerFirst(def.name)

/** The store's field definitions of a kind. @internal */
export const defsOf = (state: State, kind: Kind): ReadonlyArray<FieldDef> =>
  (kind === "opportunities" ? state.opportunityFields : state.roleFields).filter((d) => !linked.has(d.name))

/**
 * Every field a record of `kind` has in REST: the keys and links, then the store's fields by
 * their REST names.
 *
 * @internal
 */
export const restFieldNames = (state: State, kind: Kind): ReadonlyArray<string> => [
  ...keyNamesOf(kind).slice(0, -2),
  ...defsOf(state, kind).map(restNameOf),
  ...keyNamesOf(kind).slice(-2)
]

/**
 * The REST names a record of `kind` answers for its keys, links and timestamps: names no
 * custom field may take, since REST would answer the two under one name.
 *
 * @internal
 */
export const keyNamesOf = (kind: Kind): ReadonlyArray<string> => [
  names.id,
  names.opportunity,
  ...(kind === "opportunities" ? [names.company] : [names.lead]),
  names.createdAt,
  names.updatedAt
]

/**
 * A finite number as the plain decimal it denotes (`5e-7` is `0.0000005`, `1.5e21` is
 * `1500000000000000000000`): the form SOAP writes and the store keeps, which has no exponent.
 *
 * @internal
 */
export const decimalOf = (n: number): string => {
  // toExponential() gives the shortest digits that read back as `n`, and where the point goes.
  const [mantissa = "0", exponent = "0"] = n.toExponential().split("e")
  const negative = mantissa.startsWith("-")
  const digits = mantissa.replace(/^-/, "").replace(".", "")
  const point = 1 + Number(exponent)
  const body = point <= 0
    ? `0.${"0".repeat(-point)}${digits}`
    : point >= digits.length
    ? digits + "0".repeat(point - digits.length)
    : `${digits.slice(0, point)}.${digits.slice(point)}`
  return negative && n !== 0 ? `-${body}` : body
}

const jsonValue = (def: FieldDef | undefined, text: string): RestWire.FieldValue => {
  switch (def?.dataType) {
    case "currency":
    case "float":
    case "integer": {
      // A JSON number when it reads back as the stored decimal; a decimal with more digits than
      // a double holds is answered as its text, so that writing the answer back changes nothing.
      const n = Number(text)
      return Number.isFinite(n) && decimalOf(n) === text ? n : text
    }
    case "boolean":
      return text === "1" || text.toLowerCase() === "true"
    default:
      return text
  }
}

/**
 * A REST value as the text the store's field check reads, or why the field cannot take it: a
 * number is the decimal it denotes, whatever its JSON spelling; a boolean goes to a boolean
 * field only (stored as SOAP's `1` or `0`), since a text field given `false` would keep a
 * `0` or a `false` the client never wrote as text.
 */
const textValue = (def: FieldDef, name: string, value: string | number | boolean): string | Refusal => {
  if (typeof value === "number") return decimalOf(value)
  if (typeof value === "string") return value
  return def.dataType === "boolean"
    ? (value ? "1" : "0")
    : reason(RestWire.errorCodes.invalidData, `${name} is a ${def.dataType} field: ${value} is not one`)
}

/** The fields a query answers when none are asked for: the id, the dedupe fields, the timestamps. @internal */
export const defaultFields = (kind: Kind): ReadonlyArray<string> => [
  names.id,
  ...RestWire.objectKeys[kind].dedupeFields,
  names.createdAt,
  names.updatedAt
]

/**
 * A stored opportunity or role as a REST record with `seq`, `marketoGUID` (always: the
 * Swagger requires both) and the requested fields, which the caller has checked exist.
 *
 * @internal
 */
export const recordOf = (
  state: State,
  kind: Kind,
  entity: Entity,
  seq: number,
  fields: ReadonlyArray<string>
): RestWire.Fields => {
  const all = new Map<string, RestWire.FieldValue>([
    [names.id, guidOf(kind, entity.id)],
    [names.createdAt, entity.createdAt],
    [names.updatedAt, entity.updatedAt]
  ])
  if (kind === "opportunities") {
    if (entity.keyName === names.opportunity && entity.keyValue !== undefined) {
      all.set(names.opportunity, entity.keyValue)
    }
    const company = entity.companyId === undefined ? undefined : state.companies.get(entity.companyId)
    if (company?.externalKey !== undefined) all.set(names.company, company.externalKey.value)
  } else {
    const opportunity = entity.opportunityId === undefined ? undefined : state.opportunities.get(entity.opportunityId)
    if (opportunity?.keyName === names.opportunity && opportunity.keyValue !== undefined) {
      all.set(names.opportunity, opportunity.keyValue)
    }
    if (entity.personId !== undefined) all.set(names.lead, entity.personId)
  }
  const defs = new Map(defsOf(state, kind).map((d) => [d.name, d]))
  for (const [name, value] of entity.fields) {
    const def = defs.get(name)
    if (def !== undefined) all.set(restNameOf(def), jsonValue(def, value))
  }
  const out: Record<string, RestWire.FieldValue> = { seq }
  for (const name of [names.id, ...fields]) {
    Object.defineProperty(out, name, { value: all.get(name) ?? null, enumerable: true, writable: true })
  }
  return out
}

const isFieldValue = (u: unknown): boolean =>
  u === null || typeof u === "string" || typeof u === "number" || typeof u === "boolean"

/**
 * `Schema.is(RestWire.Fields)` written out: an object (not an array) whose own values are all
 * scalars. It runs on every record of a write, where the Schema's generic check of each key
 * against the value union cost about 2 µs a record, a tenth of the server's time in a
 * 300-record write; a property test holds it to the Schema's answer on any value.
 *
 * @internal
 */
export const isFields = (u: unknown): u is RestWire.Fields => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  for (const key of Object.keys(u)) if (!isFieldValue((u as Record<string, unknown>)[key])) return false
  return Object.getOwnPropertySymbols(u).length === 0
}

/** A REST input record refused before the store sees it: the reason it gets. @internal */
export interface Refusal {
  readonly code: string
  readonly message: string
}

/** @internal */
export const isRefusal = (w: unknown): w is Refusal => typeof w === "object" && w !== null && "code" in w

const reason = (error: { readonly code: string; readonly message: string }, detail: string): Refusal => ({
  code: error.code,
  message: `${error.message}: ${detail}`
})

/**
 * The store's field names of a kind by their REST names: made once per call, not per record
 * (made per record, it was an eighth of the server's time in a 300-record write).
 *
 * @internal
 */
export const soapNamesOf = (state: State, kind: Kind): ReadonlyMap<string, FieldDef> =>
  new Map(defsOf(state, kind).map((d) => [restNameOf(d), d]))

/**
 * A REST input record as the SOAP wire record the store applies, or why it cannot be one:
 * 1006 for a field the object does not have, 1004 for an unknown lead, 1013 for an unknown
 * opportunity or GUID, 1003 for a value that cannot be written. `bySoap` is
 * {@link soapNamesOf} the state's kind.
 *
 * @internal
 */
export const wireOf = (
  state: State,
  kind: Kind,
  record: RestWire.Fields,
  byGuid: boolean,
  bySoap: ReadonlyMap<string, FieldDef>
): Wire.MObject | Refusal => {
  const type = kind === "opportunities" ? "Opportunity" : "OpportunityPersonRole"
  const attribList: Array<Wire.Attrib> = []
  const associationList: Array<Wire.MObjAssociation> = []
  let id: number | undefined
  let externalKey: Wire.Attrib | undefined
  for (const [name, value] of Object.entries(record)) {
    if (value === null) continue
    if (name === names.id) {
      if (!byGuid) return reason(RestWire.errorCodes.invalidData, `${names.id} is the id field: use dedupeBy idField`)
      id = idOfGuid(kind, String(value))
      if (id === undefined) return reason(RestWire.errorCodes.objectNotFound, String(value))
    } else if (name === names.opportunity) {
      if (kind === "opportunities") externalKey = { name, value: String(value) }
      else {
        const opportunity = state.opportunities.byExternalKey({ name, value: String(value) })
        if (opportunity === undefined) {
          return reason(RestWire.errorCodes.objectNotFound, `no opportunity ${String(value)}`)
        }
        associationList.push({ mObjType: "Opportunity", id: opportunity.id })
      }
    } else if (name === names.company && kind === "opportunities") {
      const company = [...state.companies.values()].find((c) => c.externalKey?.value === String(value))
      if (company === undefined) return reason(RestWire.errorCodes.invalidData, `no company ${String(value)}`)
      associationList.push({ mObjType: "Company", id: company.id })
    } else if (name === names.lead && kind === "roles") {
      const lead = typeof value === "number" || /^\d+$/.test(String(value)) ? Number(value) : undefined
      if (lead === undefined || !state.leads.has(lead)) return reason(RestWire.errorCodes.leadNotFound, String(value))
      associationList.push({ mObjType: "Lead", id: lead })
    } else if (name === names.createdAt || name === names.updatedAt || name === "seq") {
      return reason(RestWire.errorCodes.invalidData, `${name} cannot be written`)
    } else {
      const def = bySoap.get(name)
      if (def === undefined) return reason(RestWire.errorCodes.fieldNotFound, `'${name}'`)
      const text = textValue(def, name, value)
      if (isRefusal(text)) return text
      attribList.push({ name: def.name, value: text })
    }
  }
  return {
    type,
    ...(id === undefined ? {} : { id }),
    ...(externalKey === undefined ? {} : { externalKey }),
    ...(attribList.length > 0 ? { attribList } : {}),
    ...(associationList.length > 0 ? { associationList } : {})
  }
}

/** The stored role a compound key (externalOpportunityId, leadId, role) names. @internal */
export const roleByDedupe = (state: State, record: RestWire.Fields): Entity | undefined => {
  const ext = record[names.opportunity]
  const opportunity = ext === undefined || ext === null
    ? undefined
    : state.opportunities.byExternalKey({ name: names.opportunity, value: String(ext) })
  if (opportunity === undefined) return undefined
  for (const role of state.roles.inGroup(opportunity.id, Number.NEGATIVE_INFINITY)) {
    if (role.personId === Number(record[names.lead]) && role.fields.get("Role") === String(record[names.role] ?? "")) {
      return role
    }
  }
  return undefined
}

/**
 * The program types as Adobe's answers write them (programs.md: Default, Event, Event with
 * Webinar, Engagement, Email), from the store's SOAP type (`Marketing Event`, `Nurture`, ...),
 * which the SOAP side keeps answering as it is. The Swagger's enums (`default`/`program`,
 * `event`, `webinar`, `nurture`) appear in no documented answer.
 */
const programTypes: ReadonlyArray<readonly [RegExp, string]> = [
  [/webinar/i, "Event with Webinar"],
  [/event/i, "Event"],
  [/nurture|engagement/i, "Engagement"],
  [/email/i, "Email"]
]

/**
 * A program's status as Adobe's answers write it: `on` or `off` for an engagement program,
 * `locked` or `unlocked` for an email program, and `""` for the other types, which have none.
 * The store keeps no status, so an engagement program is `on` and an email program `unlocked`,
 * the values the documented answers show.
 */
const programStatus: Readonly<Record<string, string>> = { Engagement: "on", Email: "unlocked" }

/**
 * The names tag types and channels give program types (tags.md's `applicableProgramTypes`,
 * `[program,email_batch,nurture,event,webinar]`; channels.md's `applicableProgramType`,
 * `program`): Marketo's internal names, not the `type` a program answer shows. `program` is a
 * Default program.
 *
 * @internal
 */
export const programTypeNames = ["program", "email_batch", "nurture", "event", "webinar"] as const

/**
 * A program as the Asset API answers it: the wire contract's fields and `headStart`, which
 * every program answer in programs.md carries and the Swagger (so `RestWire`) does not list.
 *
 * @internal
 */
export interface AssetProgram extends RestWire.Program {
  readonly headStart: boolean
}

const typeOf = (program: Program): string =>
  programTypes.find(([pattern]) => pattern.test(program.programType))?.[1] ?? "Default"

/** A program's `status` as {@link programOf} answers it. @internal */
export const programStatusOf = (program: Program): string => programStatus[typeOf(program)] ?? ""

/**
 * A time as the Asset API writes it: the instant in UTC, `Z` and then `+0000`
 * (`2015-05-21T22:45:13Z+0000`, as every documented asset answer and field-types.md show it).
 * The store keeps SOAP's `+00:00` form, which Lead Database records still answer.
 *
 * @internal
 */
export const assetTime = (stored: string): string => {
  const millis = Date.parse(stored)
  // The seed and the store only hold parseable times; one that is not is shown as it is.
  return Number.isNaN(millis) ? stored : `${new Date(millis).toISOString().slice(0, 19)}Z+0000`
}

/**
 * A stored program as the Asset API shows it in every answer, without its costs and tags:
 * which answer carries those, and as what, differs by endpoint (see {@link programCosts} and
 * {@link programTags}).
 *
 * @internal
 */
export const programOf = (program: Program): AssetProgram => {
  const type = typeOf(program)
  return {
    id: program.id,
    name: program.name,
    description: program.description ?? "",
    createdAt: assetTime(program.createdAt),
    updatedAt: assetTime(program.updatedAt),
    url: `https://app.example.com/#PG${program.id}A1`,
    type,
    channel: program.tags.find((t) => t.type === RestWire.channelTagType)?.value ?? "",
    // The Swagger's `id` and the documented answers' `value` and `folderName`, so a client of
    // either finds what it reads.
    folder: {
      type: "Folder",
      id: program.workspaceId,
      value: program.workspaceId,
      folderName: program.folder.split("/").filter((f) => f !== "").at(-1) ?? program.workspace
    },
    status: programStatusOf(program),
    workspace: program.workspace,
    // The store keeps no Head Start setting (an email program's, per Adobe's changelog); every
    // documented answer, of every program type, shows it off.
    headStart: false
  }
}

/** A program's period costs as the Asset API writes them. @internal */
export const programCosts = (program: Program): NonNullable<RestWire.Program["costs"]> =>
  program.costs.map((c) => ({
    startDate: `${c.month}-01`,
    // The Asset API carries whole costs; a SOAP decimal is shown rounded.
    cost: Math.round(Number(c.amount)),
    ...(c.note === undefined ? {} : { note: c.note })
  }))

/** A program's tags as the Asset API writes them: the channel is a field of its own, not a tag. @internal */
export const programTags = (program: Program): ReadonlyArray<RestWire.ProgramTag> =>
  program.tags.filter((t) => t.type !== RestWire.channelTagType).map((t) => ({ tagType: t.type, tagValue: t.value }))
