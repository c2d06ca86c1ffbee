/**
 * getMObjects as a REST read: which endpoint, with which filter, or why REST cannot express
 * it. One function decides both, so what is refused before sending and what is sent can
 * never disagree; every refusal names what would work instead.
 *
 * @internal
 */
import type { ValidationIssue } from "@mktows/core/MarketoError"
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import type * as RestWire from "../RestWire.js"
import { guidKey, opportunityBySoap, opportunityKey, roleBySoap } from "./fields.js"

export type Endpoint = "opportunities" | "roles"

export { guidKey, opportunityKey }

/** What a read asks of REST. */
export type Query =
  /** `GET …json?filterType=…&filterValues=…`: one value, which holds no comma and is trimmed. */
  | {
    readonly _tag: "Records"
    readonly endpoint: Endpoint
    readonly filterType: string
    readonly filterValues: string
    /**
     * The criterion's field as the caller named it, when `filterType` comes from a criterion
     * (not a key): the instance searches it only if its describe says so (see {@link unsearchable}).
     */
    readonly searched?: string
  }
  /**
   * `POST …json?_method=GET` with the values as JSON: a key holding a comma or spaces at an
   * end (which `filterValues` would split into a list, or trim), or a role's compound key.
   */
  | {
    readonly _tag: "Lookup"
    readonly endpoint: Endpoint
    readonly filterType: "dedupeFields" | "idField"
    readonly input: ReadonlyArray<RestWire.Fields>
  }
  /** `GET program/{id}.json`. */
  | { readonly _tag: "Program"; readonly id: number }
  /** `GET program/byName.json?name=…&includeTags=true&includeCosts=true`. */
  | { readonly _tag: "ProgramByName"; readonly name: string }
  /** `GET program/byTag.json?tagType=…&tagValue=…`, paged by offset. */
  | { readonly _tag: "ProgramsByTag"; readonly tagType: string; readonly tagValue: string }
  /** `GET programs.json`, optionally by `filterType`/`filterValues` and update time, paged by offset. */
  | {
    readonly _tag: "Programs"
    readonly filter?: { readonly filterType: "id" | "workspace"; readonly filterValues: string }
    readonly earliestUpdatedAt?: string
    readonly latestUpdatedAt?: string
  }

type Issue = ValidationIssue
type Planned = Either.Either<Query, ReadonlyArray<Issue>>

// Issues of getMObjects's params (`params.criteria[0]: …`), not of an object in a list.
const issue = (path: ReadonlyArray<string | number>, message: string): Issue => ({
  index: 0,
  path,
  message,
  argument: "params"
})
const refused = (...issues: ReadonlyArray<Issue>): Planned => Either.left(issues)

/**
 * `filterValues` is a comma-separated list, each value trimmed: a value holding a comma, or
 * starting or ending with white space, would be read as another value, so it must go as JSON.
 */
const splits = (value: string): boolean => value.includes(",") || value.trim() !== value

// ---------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------

const programCriteria = [
  "Name EQ",
  "Tag Type EQ with Tag Value EQ",
  "Id EQ",
  "Workspace Name EQ",
  "Updated At GE and/or LE"
].join(", ")

// ISO-8601, as the Asset API requires of earliestUpdatedAt and latestUpdatedAt.
const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/

/** An ISO-8601 date or date-time that names a real day and time (no 2021-13-45 or 25:00). */
const isInstant = (text: string): boolean => {
  const m = isoDateTime.exec(text)
  if (m === null) return false
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  const dayOk = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  const under = (v: string | undefined, limit: number) => v === undefined || Number(v) < limit
  return dayOk && under(m[5], 24) && under(m[6], 60) && under(m[8], 60) && under(m[11], 24) && under(m[12], 60)
}

/**
 * A program read's position: `offset:<n>`, or `offset:<n>:<id>` with the id of the last program
 * read (what the REST transport answers); undefined for none, or for one of another form.
 */
export const programPosition = (
  position: string | undefined
): { readonly offset: number; readonly last: number | undefined } | undefined => {
  // The last id: any id an answer may give (a positive safe integer, sixteen digits at most).
  const m = position === undefined ? null : /^offset:(\d{1,9})(?::([1-9]\d{0,15}))?$/.exec(position)
  const last = m?.[2] === undefined ? undefined : Number(m[2])
  if (m === null || (last !== undefined && !Number.isSafeInteger(last))) return undefined
  return { offset: Number(m[1]), last }
}

const programQuery = (p: Wire.ParamsGetMObjects): Planned => {
  const issues: Array<Issue> = []
  if (p.externalKey !== undefined) {
    issues.push(
      issue(["externalKey"], `a Program has no external key over REST: read it by id, or by ${programCriteria}`)
    )
  }
  if ((p.mObjAssociationList ?? []).length > 0) issues.push(issue(["associations"], "a Program has no associations"))
  const criteria = p.mObjCriteriaList ?? []
  if (p.id !== undefined && criteria.length > 0) {
    issues.push(issue(["criteria"], "REST reads a Program by its id alone: give the id or criteria, not both"))
  }
  if (issues.length > 0) return Either.left(issues)
  if (p.id !== undefined) return Either.right({ _tag: "Program", id: p.id })
  const seen = new Map<string, string>()
  for (const [i, c] of criteria.entries()) {
    const key = `${c.attrName} ${c.comparison}`
    const known = [
      "Name EQ",
      "Tag Type EQ",
      "Tag Value EQ",
      "Id EQ",
      "Workspace Name EQ",
      "Updated At GE",
      "Updated At LE"
    ]
    if (!known.includes(key)) {
      const strict = c.attrName === "Updated At" && (c.comparison === "GT" || c.comparison === "LT")
      issues.push(
        issue(
          ["criteria", i],
          strict
            ? "REST's earliestUpdatedAt and latestUpdatedAt include their bound: use Updated At GE or LE"
            : `REST cannot read Programs by ${key}: it can by ${programCriteria}`
        )
      )
    } else if (seen.has(key)) {
      issues.push(issue(["criteria", i], `REST takes one ${key} criterion per read`))
    } else if (c.attrName === "Updated At" && !isInstant(c.attrValue)) {
      issues.push(
        issue(
          ["criteria", i, "attrValue"],
          "REST needs an ISO-8601 date or date-time for Updated At, such as 2024-03-31 or 2024-03-31T12:00:00Z"
        )
      )
    } else if (c.attrName === "Id" && !/^[1-9]\d{0,9}$/.test(c.attrValue)) {
      issues.push(issue(["criteria", i, "attrValue"], "a Program id is a positive whole number"))
    } else if (c.attrName === "Workspace Name" && splits(c.attrValue)) {
      issues.push(
        issue(
          ["criteria", i, "attrValue"],
          "REST's filterValues would split this workspace name at its comma or trim its spaces"
        )
      )
    }
    seen.set(key, c.attrValue)
  }
  if (issues.length > 0) return Either.left(issues)
  const name = seen.get("Name EQ")
  const tagType = seen.get("Tag Type EQ")
  const tagValue = seen.get("Tag Value EQ")
  const id = seen.get("Id EQ")
  const workspace = seen.get("Workspace Name EQ")
  const earliest = seen.get("Updated At GE")
  const latest = seen.get("Updated At LE")
  if (name !== undefined) {
    return seen.size === 1
      ? Either.right({ _tag: "ProgramByName", name })
      : refused(issue(["criteria"], "REST reads a Program by Name alone: no other criterion goes with it"))
  }
  // Programs are paged by offset: a position is one this transport answered.
  const position = p.streamPosition
  if (position !== undefined && position !== "" && programPosition(position) === undefined) {
    return refused(
      issue(
        ["streamPosition"],
        `a REST read of Programs resumes from a position it answered (offset:<n> or offset:<n>:<id>), not '${
          position.slice(0, 60)
        }'`
      )
    )
  }
  if (tagType !== undefined || tagValue !== undefined) {
    return tagType !== undefined && tagValue !== undefined && seen.size === 2
      ? Either.right({ _tag: "ProgramsByTag", tagType, tagValue })
      : refused(issue(["criteria"], "REST reads Programs by tag with Tag Type EQ and Tag Value EQ together, alone"))
  }
  if (id !== undefined && workspace !== undefined) {
    return refused(issue(["criteria"], "REST filters Programs by Id or by Workspace Name, not both"))
  }
  return Either.right({
    _tag: "Programs",
    ...(id !== undefined
      ? { filter: { filterType: "id", filterValues: id } }
      : workspace !== undefined
      ? { filter: { filterType: "workspace", filterValues: workspace } }
      : {}),
    ...(earliest === undefined ? {} : { earliestUpdatedAt: earliest }),
    ...(latest === undefined ? {} : { latestUpdatedAt: latest })
  })
}

// ---------------------------------------------------------------------------------------
// Opportunities and roles
// ---------------------------------------------------------------------------------------

const byKey = (endpoint: Endpoint, key: Wire.Attrib): Query =>
  splits(key.value)
    ? {
      _tag: "Lookup",
      endpoint,
      filterType: key.name === guidKey ? "idField" : "dedupeFields",
      input: [{ [key.name]: key.value }]
    }
    : { _tag: "Records", endpoint, filterType: key.name, filterValues: key.value }

/**
 * A role by its compound key, REST's dedupe fields: its opportunity's externalOpportunityId,
 * its lead's id and `Role EQ`, all three; read with `filterType: dedupeFields` as JSON.
 */
const roleByCompoundKey = (p: Wire.ParamsGetMObjects): Query | undefined => {
  const associations = p.mObjAssociationList ?? []
  const criteria = p.mObjCriteriaList ?? []
  const opportunity = associations.find((a) => a.mObjType === "Opportunity")?.externalKey
  const lead = associations.find((a) => a.mObjType === "Lead")?.id
  const role = criteria.length === 1 && criteria[0]?.attrName === "Role" && criteria[0].comparison === "EQ"
    ? criteria[0].attrValue
    : undefined
  return associations.length === 2 && p.externalKey === undefined && p.id === undefined &&
      opportunity?.name === opportunityKey && lead !== undefined && role !== undefined
    ? {
      _tag: "Lookup",
      endpoint: "roles",
      filterType: "dedupeFields",
      input: [{ [opportunityKey]: opportunity.value, leadId: lead, role }]
    }
    : undefined
}

/**
 * One `<field> EQ <value>` criterion alone: `filterType` is the field's REST name (a custom
 * field's own). Which fields an instance searches is its describe's (`searchableFields`), so
 * the plan cannot know it: the read checks it before sending ({@link unsearchable}), and a
 * field the instance refuses all the same ends the read with its error.
 */
const bySearchableField = (p: Wire.ParamsGetMObjects, endpoint: Endpoint): Planned | undefined => {
  const criteria = p.mObjCriteriaList ?? []
  const [c] = criteria
  if (c === undefined || criteria.length > 1 || p.externalKey !== undefined || p.id !== undefined) return undefined
  if ((p.mObjAssociationList ?? []).length > 0) return undefined
  if (c.comparison !== "EQ") {
    return refused(issue(["criteria", 0, "comparison"], "REST searches a field for equal values only: use EQ"))
  }
  if (splits(c.attrValue)) {
    return refused(
      issue(
        ["criteria", 0, "attrValue"],
        "REST's filterValues would split this value at its comma or trim its spaces: read by a key"
      )
    )
  }
  const table = endpoint === "opportunities" ? opportunityBySoap : roleBySoap
  const filterType = table.get(c.attrName)?.rest ?? c.attrName
  return Either.right({ _tag: "Records", endpoint, filterType, filterValues: c.attrValue, searched: c.attrName })
}

const orList = (names: ReadonlyArray<string>): string =>
  names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`

/**
 * A search by a criterion's field that the instance's describe rules out: the field is not
 * among those it searches alone (`searchable`, its single-field `searchableFields` entries).
 * Names are compared without case, so only a field the describe certainly lacks is refused;
 * the refusal names the fields that would work.
 */
export const unsearchable = (
  query: Query,
  type: string,
  searchable: ReadonlyArray<string>
): ReadonlyArray<Issue> => {
  if (query._tag !== "Records" || query.searched === undefined) return []
  const wanted = query.filterType.toLowerCase()
  if (searchable.some((field) => field.toLowerCase() === wanted)) return []
  return [
    issue(
      ["criteria", 0, "attrName"],
      `REST searches ${type} on this instance by ${
        orList(searchable)
      } (its describe's searchableFields); '${query.searched}' is not searchable`
    )
  ]
}

const recordQuery = (p: Wire.ParamsGetMObjects): Planned => {
  const endpoint: Endpoint = p.type === "Opportunity" ? "opportunities" : "roles"
  if (p.type === "OpportunityPersonRole") {
    const compound = roleByCompoundKey(p)
    if (compound !== undefined) return Either.right(compound)
  }
  const searched = bySearchableField(p, endpoint)
  if (searched !== undefined) return searched
  const works = p.type === "Opportunity"
    ? "externalKey externalOpportunityId or marketoGUID, or one searchable field EQ a value"
    : "externalKey marketoGUID, one association (the opportunity's externalOpportunityId or the lead's id), the compound key (both associations and Role EQ), or one searchable field EQ a value"
  const issues: Array<Issue> = []
  const criteria = p.mObjCriteriaList ?? []
  const [only] = criteria
  if (criteria.length === 1 && only !== undefined && only.comparison !== "EQ") {
    issues.push(
      issue(["criteria", 0, "comparison"], `REST compares for equal values only: use EQ (read by ${works})`)
    )
  } else if (criteria.length > 0) {
    issues.push(
      issue(
        ["criteria"],
        `REST reads ${p.type} by one criterion alone${
          criteria.length > 1 ? ` (${criteria.length} were given; REST cannot combine them)` : ""
        }: ${works}`
      )
    )
  }
  if (p.id !== undefined) issues.push(issue(["id"], `REST has no integer ids for ${p.type}: read by ${works}`))
  const key = p.externalKey
  const associations = p.mObjAssociationList ?? []
  if (key !== undefined && key.name !== guidKey && !(p.type === "Opportunity" && key.name === opportunityKey)) {
    issues.push(issue(["externalKey", "name"], `REST cannot search ${p.type} by '${key.name}': read by ${works}`))
  }
  for (const [i, a] of associations.entries()) {
    if (a.externalKey !== undefined && splits(a.externalKey.value)) {
      issues.push(
        issue(
          ["associations", i, "externalKey", "value"],
          "REST's filterValues would split this key at its comma or trim its spaces, and read other records: read the roles by their lead's id, by marketoGUID, or by the compound key"
        )
      )
      continue
    }
    const ok = p.type === "OpportunityPersonRole" &&
      ((a.mObjType === "Opportunity" && a.externalKey?.name === opportunityKey) ||
        (a.mObjType === "Lead" && a.id !== undefined))
    if (!ok) {
      issues.push(issue(["associations", i], `REST cannot search ${p.type} by this association: read by ${works}`))
    }
  }
  if (key !== undefined && associations.length > 0) {
    issues.push(issue([], `REST searches by one field at a time: read by ${works}`))
  }
  if (associations.length > 1) {
    issues.push(issue(["associations"], `REST searches by one field at a time: read by ${works}`))
  }
  // Criteria were given and refused above: "cannot list" would say none was.
  if (key === undefined && associations.length === 0 && p.id === undefined && criteria.length === 0) {
    issues.push(issue([], `REST cannot list every ${p.type}: read by ${works}`))
  }
  if (issues.length > 0) return Either.left(issues)
  if (key !== undefined) return Either.right(byKey(endpoint, key))
  const a = associations[0]
  return Either.right(
    a?.mObjType === "Lead"
      ? { _tag: "Records", endpoint, filterType: "leadId", filterValues: String(a.id ?? "") }
      : { _tag: "Records", endpoint, filterType: opportunityKey, filterValues: a?.externalKey?.value ?? "" }
  )
}

/** The REST read of a getMObjects, or the issues that keep REST from expressing it. */
export const plan = (p: Wire.ParamsGetMObjects): Planned =>
  p.type === "Program"
    ? programQuery(p)
    : p.type === "Opportunity" || p.type === "OpportunityPersonRole"
    ? recordQuery(p)
    : refused(issue(["type"], `REST reads Opportunity, OpportunityPersonRole and Program only, not ${p.type}`))
