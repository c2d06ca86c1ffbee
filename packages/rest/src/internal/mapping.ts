/**
 * SOAP wire records to REST requests and REST records back to SOAP wire records.
 *
 * `refuse` lists what cannot map; the request builders assume it found nothing (the client
 * refuses first) and still never send a value under another meaning.
 *
 * @internal
 */
import * as Limits from "@mktows/core/Limits"
import { quote, type ValidationIssue } from "@mktows/core/MarketoError"
import type * as Wire from "@mktows/core/Wire"
import type { FieldMapping } from "../RestMapping.js"
import type * as RestWire from "../RestWire.js"

export const opportunityFields: ReadonlyArray<FieldMapping> = [
  { soap: "Amount", rest: "amount", kind: "decimal" },
  { soap: "CloseDate", rest: "closeDate", kind: "date" },
  { soap: "Description", rest: "description", kind: "text" },
  { soap: "ExpectedRevenue", rest: "expectedRevenue", kind: "decimal" },
  { soap: "ExternalCreatedDate", rest: "externalCreatedDate", kind: "date" },
  { soap: "Fiscal", rest: "fiscal", kind: "text" },
  { soap: "FiscalQuarter", rest: "fiscalQuarter", kind: "int" },
  { soap: "FiscalYear", rest: "fiscalYear", kind: "int" },
  { soap: "ForecastCategoryName", rest: "forecastCategoryName", kind: "text" },
  { soap: "IsClosed", rest: "isClosed", kind: "boolean" },
  { soap: "IsWon", rest: "isWon", kind: "boolean" },
  { soap: "LastActivityDate", rest: "lastActivityDate", kind: "date" },
  { soap: "LeadSource", rest: "leadSource", kind: "text" },
  { soap: "Name", rest: "name", kind: "text" },
  { soap: "NextStep", rest: "nextStep", kind: "text" },
  { soap: "Probability", rest: "probability", kind: "percent" },
  { soap: "Quantity", rest: "quantity", kind: "decimal" },
  { soap: "Stage", rest: "stage", kind: "text" },
  { soap: "Type", rest: "type", kind: "text" }
]

export const roleFields: ReadonlyArray<FieldMapping> = [
  { soap: "PersonId", rest: "leadId", kind: "int" },
  { soap: "Role", rest: "role", kind: "text" },
  { soap: "ExternalCreatedDate", rest: "externalCreatedDate", kind: "date" },
  { soap: "IsPrimary", rest: "isPrimary", kind: "boolean" }
]

export const guidKey = "marketoGUID"
export const opportunityKey = "externalOpportunityId"
export const companyKey = "externalCompanyId"

/** REST names that are keys or system fields: never a custom field's name. */
const reserved = new Set([guidKey, opportunityKey, companyKey, "leadId", "seq", "createdAt", "updatedAt", "reasons"])

const restNames = (fields: ReadonlyArray<FieldMapping>) => new Set(fields.map((f) => f.rest.toLowerCase()))
const opportunityRestNames = restNames(opportunityFields)
const roleRestNames = restNames(roleFields)

// ---------------------------------------------------------------------------------------
// values
// ---------------------------------------------------------------------------------------

const toJson = (kind: FieldMapping["kind"], text: string): RestWire.FieldValue => {
  switch (kind) {
    case "decimal":
    case "int":
    case "percent":
      // The SOAP writer's decimals read back as the same number.
      return Number(text)
    case "boolean": {
      const t = text.trim().toLowerCase()
      return t === "1" || t === "true"
    }
    case "date":
    case "text":
      return text
  }
}

const fromJson = (kind: FieldMapping["kind"], value: RestWire.FieldValue): string | undefined => {
  if (value === null) return undefined
  switch (kind) {
    case "boolean":
      return typeof value === "boolean" ? (value ? "1" : "0") : String(value)
    case "date":
      // A datetime answer keeps its calendar day.
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : String(value)
    default:
      return String(value)
  }
}

// ---------------------------------------------------------------------------------------
// refusals
// ---------------------------------------------------------------------------------------

type Issue = ValidationIssue

const issue = (index: number, path: ReadonlyArray<string | number>, message: string): Issue => ({
  index,
  path,
  message
})

const customIssues = (
  index: number,
  o: Wire.MObject,
  fields: ReadonlyArray<FieldMapping>,
  standardRest: ReadonlySet<string>,
  refused: ReadonlyArray<string>
): Array<Issue> => {
  const soap = new Set(fields.map((f) => f.soap))
  const issues: Array<Issue> = []
  for (const [i, a] of (o.attribList ?? []).entries()) {
    if (refused.includes(a.name)) {
      issues.push(issue(index, ["attribList", i, "name"], refusedAttrib(a.name)))
    } else if (!soap.has(a.name) && (reserved.has(a.name) || standardRest.has(a.name.toLowerCase()))) {
      issues.push(
        issue(
          index,
          ["customFields", a.name],
          `REST names a standard or key field '${a.name}': a custom field of that name would mean something else`
        )
      )
    }
  }
  return issues
}

const refusedAttrib = (name: string): string =>
  name === "OpportunityId"
    ? "REST links a role to its opportunity by externalOpportunityId, not by an integer id: give the opportunity association as externalKey externalOpportunityId"
    : `${name} cannot be sent over REST`

const keyIssues = (
  index: number,
  o: Wire.MObject,
  sync: Wire.SyncOperation | "DELETE",
  dedupe: string
): Array<Issue> => {
  const issues: Array<Issue> = []
  if (o.id !== undefined) {
    issues.push(
      issue(
        index,
        ["id"],
        `REST has no integer ids for ${o.type}: name it by externalKey ${
          dedupe === "" ? "" : `${dedupe} or `
        }marketoGUID`
      )
    )
  }
  const key = o.externalKey
  if (key !== undefined) {
    if (key.name === guidKey) {
      if (sync === "INSERT" || sync === "UPSERT") {
        issues.push(
          issue(
            index,
            ["externalKey"],
            `marketoGUID names an existing record: REST accepts it for UPDATE only, not ${sync}`
          )
        )
      }
    } else if (dedupe === "" || key.name !== dedupe) {
      issues.push(
        issue(
          index,
          ["externalKey", "name"],
          `REST identifies ${o.type} by ${dedupe === "" ? "" : `${dedupe} or `}marketoGUID, not by '${key.name}'`
        )
      )
    }
  }
  return issues
}

const association = (o: Wire.MObject, type: string) => o.associationList?.find((a) => a.mObjType === type)
const attrib = (o: Wire.MObject, name: string) => o.attribList?.find((a) => a.name === name)

const opportunityIssues = (index: number, o: Wire.MObject, sync: Wire.SyncOperation): Array<Issue> => {
  const issues = keyIssues(index, o, sync, opportunityKey)
  if (o.id === undefined && o.externalKey === undefined) {
    issues.push(
      issue(index, ["externalKey"], "REST needs externalKey externalOpportunityId (or marketoGUID for UPDATE)")
    )
  }
  const company = association(o, "Company")
  if (company !== undefined && (company.externalKey === undefined || company.externalKey.name !== companyKey)) {
    issues.push(
      issue(index, ["company"], "REST links an opportunity to its company by externalKey externalCompanyId only")
    )
  }
  issues.push(...customIssues(index, o, opportunityFields, opportunityRestNames, []))
  return issues
}

const roleIssues = (index: number, o: Wire.MObject, sync: Wire.SyncOperation): Array<Issue> => {
  const issues = keyIssues(index, o, sync, "")
  const opportunity = association(o, "Opportunity")
  if (
    opportunity !== undefined &&
    (opportunity.externalKey === undefined || opportunity.externalKey.name !== opportunityKey)
  ) {
    issues.push(
      issue(index, ["opportunity"], "REST links a role to its opportunity by externalKey externalOpportunityId only")
    )
  }
  const lead = association(o, "Lead")
  if (lead !== undefined && lead.id === undefined) {
    issues.push(issue(index, ["lead"], "REST links a role to its lead by the lead id (leadId) only"))
  }
  const byGuid = o.externalKey?.name === guidKey
  if (!byGuid && o.id === undefined) {
    // REST's compound dedupe key.
    const hasLead = lead?.id !== undefined || attrib(o, "PersonId") !== undefined
    if (opportunity === undefined || !hasLead || attrib(o, "Role") === undefined) {
      issues.push(
        issue(
          index,
          [],
          "REST identifies a role by marketoGUID (UPDATE) or by its opportunity (externalOpportunityId), lead and role together: give all three"
        )
      )
    }
  }
  issues.push(...customIssues(index, o, roleFields, roleRestNames, ["OpportunityId"]))
  return issues
}

const programIssues = (index: number, o: Wire.MObject): Array<Issue> => {
  const issues: Array<Issue> = []
  let cost = 0
  for (const entry of o.typeAttribList ?? []) {
    if (entry.attrType !== "Cost") continue
    const values = new Map((entry.attrList ?? []).map((a) => [a.name, a.value]))
    if (values.has("Id")) {
      issues.push(
        issue(
          index,
          ["costs", cost, "id"],
          "REST cannot name an existing cost (its costs have no ids): it can only append costs or replace them all"
        )
      )
    }
    const amount = Number(values.get("Amount"))
    if (!Number.isInteger(amount) || (amount < Limits.xsIntMin || amount > Limits.xsIntMax)) {
      issues.push(issue(index, ["costs", cost, "amount"], "REST takes whole cost amounts (an int32) only"))
    }
    cost++
  }
  return issues
}

const deleteIssues = (index: number, o: Wire.MObject): Array<Issue> => {
  if (o.type !== "Opportunity" && o.type !== "OpportunityPersonRole") return []
  const issues = keyIssues(index, o, "DELETE", o.type === "Opportunity" ? opportunityKey : "")
  if (o.id === undefined && o.externalKey === undefined) {
    issues.push(
      issue(index, ["externalKey"], "REST deletes by marketoGUID (or an opportunity's externalOpportunityId)")
    )
  }
  return issues
}

const describable = ["Opportunity", "OpportunityPersonRole"]

const getIssues = (p: Wire.ParamsGetMObjects): Array<Issue> => {
  const issues: Array<Issue> = []
  if ((p.mObjCriteriaList ?? []).length > 0) {
    issues.push(issue(0, ["criteria"], "REST queries filter on key fields only: use externalKey or an association"))
  }
  if (p.type === "Program") {
    if (p.externalKey !== undefined) issues.push(issue(0, ["externalKey"], "a Program is read by id over REST"))
    if ((p.mObjAssociationList ?? []).length > 0) {
      issues.push(issue(0, ["associations"], "a Program has no associations"))
    }
    return issues
  }
  if (p.id !== undefined) {
    issues.push(issue(0, ["id"], `REST has no integer ids for ${p.type}: read by externalKey`))
  }
  const key = p.externalKey
  const associations = p.mObjAssociationList ?? []
  if (key !== undefined && key.name !== guidKey && !(p.type === "Opportunity" && key.name === opportunityKey)) {
    issues.push(issue(0, ["externalKey", "name"], `REST cannot search ${p.type} by '${key.name}'`))
  }
  for (const [i, a] of associations.entries()) {
    if (a.externalKey !== undefined && a.externalKey.value.includes(",")) {
      issues.push(
        issue(
          0,
          ["associations", i, "externalKey", "value"],
          "REST's filterValues would split this key at its comma and read other records: read the roles by their lead's id, or by marketoGUID"
        )
      )
      continue
    }
    const ok = p.type === "OpportunityPersonRole" &&
      ((a.mObjType === "Opportunity" && a.externalKey?.name === opportunityKey) ||
        (a.mObjType === "Lead" && a.id !== undefined))
    if (!ok) {
      issues.push(
        issue(
          0,
          ["associations", i],
          "REST searches roles by their opportunity's externalOpportunityId or their lead's id only"
        )
      )
    }
  }
  if (key !== undefined && associations.length > 0) {
    issues.push(issue(0, [], "REST searches by one field at a time: give an external key or one association"))
  }
  if (associations.length > 1) issues.push(issue(0, ["associations"], "REST searches by one field at a time"))
  if (key === undefined && associations.length === 0 && p.id === undefined) {
    issues.push(issue(0, [], `REST cannot list every ${p.type}: give an external key or an association`))
  }
  return issues
}

export const refuse = <Op extends Wire.Operation>(operation: Op, params: Wire.ParamsOf<Op>): ReadonlyArray<Issue> => {
  // The params type follows the operation name; narrowed by hand.
  const p = params as Wire.ParamsOf<Wire.Operation>
  switch (operation) {
    case "syncMObjects": {
      const { mObjectList, operation: sync } = p as Wire.ParamsSyncMObjects
      return mObjectList.flatMap((o, i) =>
        o.type === "Opportunity"
          ? opportunityIssues(i, o, sync)
          : o.type === "OpportunityPersonRole"
          ? roleIssues(i, o, sync)
          : o.type === "Program"
          ? programIssues(i, o)
          : []
      )
    }
    case "deleteMObjects":
      return (p as Wire.ParamsDeleteMObjects).mObjectList.flatMap((o, i) => deleteIssues(i, o))
    case "getMObjects":
      return getIssues(p as Wire.ParamsGetMObjects)
    case "describeMObject": {
      const name = (p as Wire.ParamsDescribeMObject).objectName
      return describable.includes(name)
        ? []
        : [issue(0, ["objectName"], `REST describes ${describable.join(" and ")} only, not '${name}'`)]
    }
    default:
      return []
  }
}

// ---------------------------------------------------------------------------------------
// requests
// ---------------------------------------------------------------------------------------

export type Endpoint = "opportunities" | "roles"

/** One REST request of a sync or delete, with the input positions it carries. */
export type Part =
  | {
    readonly _tag: "Records"
    readonly endpoint: Endpoint
    readonly byGuid: boolean
    readonly indexes: ReadonlyArray<number>
    readonly input: ReadonlyArray<RestWire.Fields>
  }
  | {
    readonly _tag: "Program"
    readonly index: number
    readonly id: number
    readonly body: RestWire.UpdateProgramRequest
  }
  | { readonly _tag: "Unsupported"; readonly index: number; readonly type: string }

const fields = (
  o: Wire.MObject,
  table: ReadonlyArray<FieldMapping>,
  skip: ReadonlyArray<string> = []
): Record<string, RestWire.FieldValue> => {
  const bySoap = new Map(table.map((f) => [f.soap, f]))
  const out: Record<string, RestWire.FieldValue> = {}
  for (const a of o.attribList ?? []) {
    if (skip.includes(a.name)) continue
    const f = bySoap.get(a.name)
    // Custom fields go by their name, as text: REST converts to the field's type.
    if (f === undefined) Object.defineProperty(out, a.name, { value: a.value, enumerable: true, writable: true })
    else out[f.rest] = toJson(f.kind, a.value)
  }
  return out
}

const keyFields = (o: Wire.MObject): Record<string, RestWire.FieldValue> =>
  o.externalKey === undefined ? {} : { [o.externalKey.name]: o.externalKey.value }

export const opportunityRecord = (o: Wire.MObject): RestWire.Fields => {
  const company = association(o, "Company")?.externalKey
  return {
    ...keyFields(o),
    ...fields(o, opportunityFields),
    ...(company === undefined ? {} : { [companyKey]: company.value })
  }
}

export const roleRecord = (o: Wire.MObject): RestWire.Fields => {
  const opportunity = association(o, "Opportunity")?.externalKey
  const lead = association(o, "Lead")?.id
  return {
    ...keyFields(o),
    ...fields(o, roleFields, ["OpportunityId"]),
    ...(opportunity === undefined ? {} : { [opportunityKey]: opportunity.value }),
    ...(lead === undefined ? {} : { leadId: lead })
  }
}

const programBody = (o: Wire.MObject): RestWire.UpdateProgramRequest => {
  const costs: Array<RestWire.ProgramCost> = []
  const tags: Array<RestWire.ProgramTag> = []
  for (const entry of o.typeAttribList ?? []) {
    const v = new Map((entry.attrList ?? []).map((a) => [a.name, a.value]))
    if (entry.attrType === "Cost") {
      const note = v.get("Note")
      costs.push({
        startDate: `${(v.get("Month") ?? "").slice(0, 7)}-01`,
        cost: Number(v.get("Amount")),
        ...(note === undefined ? {} : { note })
      })
    } else if (entry.attrType === "Tag") {
      tags.push({ tagType: v.get("Type") ?? "", tagValue: v.get("Value") ?? "" })
    }
  }
  // Costs without an id are appended, as SOAP adds them; never costsDestructiveUpdate.
  return { ...(costs.length > 0 ? { costs } : {}), ...(tags.length > 0 ? { tags } : {}) }
}

/** The REST requests of a sync: records grouped per endpoint and key kind, one per program. */
export const syncParts = (mObjectList: ReadonlyArray<Wire.MObject>): ReadonlyArray<Part> => {
  const groups = new Map<
    string,
    { endpoint: Endpoint; byGuid: boolean; indexes: Array<number>; input: Array<RestWire.Fields> }
  >()
  const parts: Array<Part> = []
  mObjectList.forEach((o, index) => {
    if (o.type === "Program") {
      parts.push({ _tag: "Program", index, id: o.id ?? 0, body: programBody(o) })
      return
    }
    if (o.type !== "Opportunity" && o.type !== "OpportunityPersonRole") {
      parts.push({ _tag: "Unsupported", index, type: o.type })
      return
    }
    const endpoint: Endpoint = o.type === "Opportunity" ? "opportunities" : "roles"
    const byGuid = o.externalKey?.name === guidKey
    const id = `${endpoint}/${byGuid}`
    const group = groups.get(id) ?? { endpoint, byGuid, indexes: [], input: [] }
    group.indexes.push(index)
    group.input.push(endpoint === "opportunities" ? opportunityRecord(o) : roleRecord(o))
    groups.set(id, group)
  })
  return [...[...groups.values()].map((g): Part => ({ _tag: "Records", ...g })), ...parts]
}

/** The REST requests of a delete. */
export const deleteParts = (mObjectList: ReadonlyArray<Wire.MObject>): ReadonlyArray<Part> =>
  syncParts(mObjectList).map((part) =>
    part._tag === "Records"
      ? {
        ...part,
        input: part.input.map((r): RestWire.Fields =>
          part.byGuid ? { [guidKey]: r[guidKey] ?? null } : { [opportunityKey]: r[opportunityKey] ?? null }
        )
      }
      : part._tag === "Program"
      ? { _tag: "Unsupported", index: part.index, type: "Program" }
      : part
  )

export const actionOf = (sync: Wire.SyncOperation): RestWire.SyncRequest["action"] =>
  sync === "INSERT" ? "createOnly" : sync === "UPDATE" ? "updateOnly" : "createOrUpdate"

// ---------------------------------------------------------------------------------------
// answers
// ---------------------------------------------------------------------------------------

/** Record-level reason codes that SOAP reports as SKIPPED, not FAILED. */
const notFound = new Set(["1013", "1004"])
const exists = new Set(["1017", "1005"])

/** Reasons as one text for an outcome: each message bounded, then the whole (`quote`). */
export const reasonText = (reasons: ReadonlyArray<RestWire.Reason> | undefined): string =>
  quote((reasons ?? []).slice(0, 20).map((r) => `${r.code}: ${quote(r.message, 900)}`).join("; "))

/** A record's REST status as a SOAP status of a sync or delete. */
export const statusOf = (
  r: RestWire.RecordStatus,
  id: number,
  deleting: boolean,
  sent: Wire.Attrib | undefined
): Wire.MObjStatus => {
  // The status names the object by the key it was sent with (core pairs statuses by it); a
  // record sent without one (a role by its compound key) is named by its marketoGUID. A
  // skipped record may carry an empty marketoGUID: no record, so no key.
  const externalKey = sent !== undefined
    ? { externalKey: sent }
    : r.marketoGUID === undefined || r.marketoGUID === ""
    ? {}
    : { externalKey: { name: guidKey, value: r.marketoGUID } }
  const codes = (r.reasons ?? []).map((x) => String(x.code))
  switch (r.status) {
    case "created":
      return { id, ...externalKey, status: "CREATED" }
    case "updated":
      return { id, ...externalKey, status: "UPDATED" }
    case "deleted":
      return { id, ...externalKey, status: "DELETED" }
    case "skipped": {
      const error = reasonText(r.reasons)
      const status = deleting && codes.some((c) => notFound.has(c))
        ? "UNCHANGED"
        : codes.some((c) => notFound.has(c) || exists.has(c))
        ? "SKIPPED"
        : "FAILED"
      return { id, ...externalKey, status, ...(error === "" ? {} : { error }) }
    }
  }
}

const str = (v: RestWire.FieldValue | undefined): string | undefined =>
  v === undefined || v === null ? undefined : String(v)

const timestamps = (r: RestWire.Fields) => {
  const created = str(r["createdAt"])
  const updated = str(r["updatedAt"])
  return {
    ...(created === undefined ? {} : { createdAt: created }),
    ...(updated === undefined ? {} : { updatedAt: updated })
  }
}

const attribsOf = (
  r: RestWire.Fields,
  table: ReadonlyArray<FieldMapping>,
  skip: ReadonlySet<string>
): Array<Wire.Attrib> => {
  const byRest = new Map(table.map((f) => [f.rest, f]))
  const out: Array<Wire.Attrib> = []
  for (const f of table) {
    const text = r[f.rest] === undefined ? undefined : fromJson(f.kind, r[f.rest] ?? null)
    if (text !== undefined) out.push({ name: f.soap, value: text })
  }
  for (const [name, value] of Object.entries(r)) {
    if (byRest.has(name) || skip.has(name) || value === null) continue
    out.push({ name, value: String(value) })
  }
  return out
}

const system = new Set(["seq", "marketoGUID", "createdAt", "updatedAt", "reasons"])

export const opportunityFromRest = (r: RestWire.Fields): Wire.MObject => {
  const ext = str(r[opportunityKey])
  const guid = str(r[guidKey])
  const company = str(r[companyKey])
  const attribList = attribsOf(r, opportunityFields, new Set([...system, opportunityKey, companyKey]))
  return {
    type: "Opportunity",
    ...(ext !== undefined
      ? { externalKey: { name: opportunityKey, value: ext } }
      : guid !== undefined
      ? { externalKey: { name: guidKey, value: guid } }
      : {}),
    ...timestamps(r),
    ...(attribList.length > 0 ? { attribList } : {}),
    ...(company === undefined
      ? {}
      : { associationList: [{ mObjType: "Company", externalKey: { name: companyKey, value: company } }] })
  }
}

export const roleFromRest = (r: RestWire.Fields): Wire.MObject => {
  const guid = str(r[guidKey])
  const ext = str(r[opportunityKey])
  const attribList = attribsOf(r, roleFields, new Set([...system, opportunityKey]))
  return {
    type: "OpportunityPersonRole",
    ...(guid === undefined ? {} : { externalKey: { name: guidKey, value: guid } }),
    ...timestamps(r),
    ...(attribList.length > 0 ? { attribList } : {}),
    ...(ext === undefined
      ? {}
      : { associationList: [{ mObjType: "Opportunity", externalKey: { name: opportunityKey, value: ext } }] })
  }
}

export const programFromRest = (p: RestWire.Program): Wire.MObject => {
  const typeAttribList: Array<Wire.TypeAttrib> = [
    ...(p.costs ?? []).map((c): Wire.TypeAttrib => ({
      attrType: "Cost",
      attrList: [
        { name: "Month", value: c.startDate.slice(0, 7) },
        { name: "Amount", value: String(c.cost) },
        ...(c.note === undefined ? [] : [{ name: "Note", value: c.note }])
      ]
    })),
    // SOAP shows the channel as a tag of type Channel; the Asset API as a field of its own.
    ...(p.channel === "" ? [] : [{
      attrType: "Tag",
      attrList: [{ name: "Type", value: "Channel" }, { name: "Value", value: p.channel }]
    }]),
    ...(p.tags ?? []).map((t): Wire.TypeAttrib => ({
      attrType: "Tag",
      attrList: [{ name: "Type", value: t.tagType }, { name: "Value", value: t.tagValue }]
    }))
  ]
  const attribList: Array<Wire.Attrib> = [
    { name: "Name", value: p.name },
    { name: "Type", value: p.type },
    ...(p.workspace === undefined ? [] : [{ name: "Workspace Name", value: p.workspace }])
  ]
  return {
    type: "Program",
    id: p.id,
    ...(p.createdAt === undefined ? {} : { createdAt: p.createdAt }),
    ...(p.updatedAt === undefined ? {} : { updatedAt: p.updatedAt }),
    attribList,
    ...(typeAttribList.length > 0 ? { typeAttribList } : {})
  }
}

/** The fields a query asks for, so every standard field comes back. */
export const queryFields = (endpoint: Endpoint): ReadonlyArray<string> =>
  endpoint === "opportunities"
    ? [guidKey, opportunityKey, companyKey, "createdAt", "updatedAt", ...opportunityFields.map((f) => f.rest)]
    : [guidKey, opportunityKey, "createdAt", "updatedAt", ...roleFields.map((f) => f.rest)]

/** What a read asks of REST: a record query, one program, or a page of programs. */
export type Query =
  | {
    readonly _tag: "Records"
    readonly endpoint: Endpoint
    readonly filterType: string
    readonly filterValues: string
  }
  | {
    /**
     * A query whose values go as JSON (`POST …?_method=GET`): a key holding a comma, which
     * `filterValues` would split into a list, or a compound key.
     */
    readonly _tag: "Lookup"
    readonly endpoint: Endpoint
    readonly filterType: "dedupeFields" | "idField"
    readonly input: ReadonlyArray<RestWire.Fields>
  }
  | { readonly _tag: "Program"; readonly id: number }
  | { readonly _tag: "Programs" }

/** `filterValues` is a comma-separated list: a value holding a comma must go as JSON. */
const splits = (value: string): boolean => value.includes(",")

export const queryOf = (p: Wire.ParamsGetMObjects): Query => {
  if (p.type === "Program") return p.id === undefined ? { _tag: "Programs" } : { _tag: "Program", id: p.id }
  const endpoint: Endpoint = p.type === "Opportunity" ? "opportunities" : "roles"
  const key = p.externalKey
  if (key !== undefined) {
    return splits(key.value)
      ? {
        _tag: "Lookup",
        endpoint,
        filterType: key.name === guidKey ? "idField" : "dedupeFields",
        input: [{ [key.name]: key.value }]
      }
      : { _tag: "Records", endpoint, filterType: key.name, filterValues: key.value }
  }
  const a = p.mObjAssociationList?.[0]
  return a?.mObjType === "Lead"
    ? { _tag: "Records", endpoint, filterType: "leadId", filterValues: String(a.id ?? "") }
    : { _tag: "Records", endpoint, filterType: opportunityKey, filterValues: a?.externalKey?.value ?? "" }
}

const soapName = (endpoint: Endpoint, rest: string): string =>
  (endpoint === "opportunities" ? opportunityFields : roleFields).find((f) => f.rest === rest)?.soap ?? rest

/** A REST describe answer as SOAP's metadata. */
export const metadataOf = (
  objectName: string,
  endpoint: Endpoint,
  m: RestWire.ObjectMetadata
): Wire.MObjectMetadata => {
  const updatedAt = m.updatedAt ?? "1970-01-01T00:00:00Z"
  const standard = new Set([
    ...(endpoint === "opportunities" ? opportunityFields : roleFields).map((f) => f.rest),
    ...system,
    opportunityKey,
    companyKey
  ])
  return {
    name: objectName,
    description: m.description ?? null,
    isCustom: false,
    isVirtual: false,
    updatedAt,
    fieldList: m.fields.map((f): Wire.MObjFieldMetadata => ({
      name: soapName(endpoint, f.name),
      description: null,
      displayName: f.displayName ?? null,
      sourceObject: null,
      dataType: f.dataType,
      size: f.length ?? null,
      isReadonly: f.updateable === false,
      isUpdateBlocked: f.updateable === false,
      isName: null,
      isPrimaryKey: f.name === m.idField,
      isCustom: !standard.has(f.name),
      isDynamic: false,
      dynamicFieldRef: null,
      updatedAt
    }))
  }
}
