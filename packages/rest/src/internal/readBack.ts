/**
 * REST records, programs and describe answers read back as SOAP's wire records and metadata.
 *
 * @internal
 */
import type * as Wire from "@mktows/core/Wire"
import type { FieldMapping } from "../RestMapping.js"
import type * as RestWire from "../RestWire.js"
import { companyKey, fromJson, guidKey, opportunityFields, opportunityKey, roleFields, system } from "./fields.js"
import type { Endpoint } from "./query.js"

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

/**
 * An Asset API time as xs:dateTime: its answers write UTC as `2015-05-21T22:45:13Z+0000`, a
 * `Z` and then the offset it already stands for.
 */
const assetTime = (t: string | null | undefined): string | undefined =>
  t == null ? undefined : t.replace(/Z[+-]00:?00$/, "Z")

export const programFromRest = (p: RestWire.Program): Wire.MObject => {
  const typeAttribList: Array<Wire.TypeAttrib> = [
    ...(p.costs ?? []).map((c): Wire.TypeAttrib => ({
      attrType: "Cost",
      attrList: [
        { name: "Month", value: c.startDate.slice(0, 7) },
        { name: "Amount", value: String(c.cost) },
        ...(c.note == null ? [] : [{ name: "Note", value: c.note }])
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
    ...(p.workspace == null ? [] : [{ name: "Workspace Name", value: p.workspace }])
  ]
  const createdAt = assetTime(p.createdAt)
  const updatedAt = assetTime(p.updatedAt)
  return {
    type: "Program",
    id: p.id,
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(updatedAt === undefined ? {} : { updatedAt }),
    attribList,
    ...(typeAttribList.length > 0 ? { typeAttribList } : {})
  }
}

const standardQueryFields = {
  opportunities: [
    guidKey,
    opportunityKey,
    companyKey,
    "createdAt",
    "updatedAt",
    ...opportunityFields.map((f) => f.rest)
  ],
  roles: [guidKey, opportunityKey, "createdAt", "updatedAt", ...roleFields.map((f) => f.rest)]
} as const

/**
 * The fields a query asks for: every standard field, and every other field the instance's
 * describe lists (`described`), so that custom fields come back as SOAP returns them. REST
 * answers only the fields asked for.
 */
export const queryFields = (endpoint: Endpoint, described: ReadonlyArray<string>): ReadonlyArray<string> => {
  const standard: ReadonlyArray<string> = standardQueryFields[endpoint]
  const asked = new Set(standard.map((name) => name.toLowerCase()))
  return [...standard, ...described.filter((name) => !asked.has(name.toLowerCase()))]
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

/**
 * The lead fields of `leads/describe.json` as SOAP's LeadRecord metadata: each named as SOAP
 * names it where it has a SOAP name (else by its REST name), read-only where REST says so.
 */
export const leadMetadataOf = (attributes: ReadonlyArray<RestWire.LeadAttribute>): Wire.MObjectMetadata => {
  const updatedAt = "1970-01-01T00:00:00Z"
  return {
    name: "LeadRecord",
    description: null,
    isCustom: false,
    // Adobe's SOAP object reference calls LeadRecord virtual (a view over the lead database),
    // and SOAP's describe says so; REST's describe has no such flag, so the SOAP answer stands.
    isVirtual: true,
    updatedAt,
    fieldList: attributes.map((a): Wire.MObjFieldMetadata => ({
      name: a.soap?.name ?? a.rest?.name ?? String(a.id),
      description: null,
      displayName: a.displayName,
      sourceObject: null,
      dataType: a.dataType,
      size: a.length ?? null,
      isReadonly: a.rest?.readOnly === true,
      isUpdateBlocked: a.rest?.readOnly === true,
      isName: null,
      isPrimaryKey: a.rest?.name === "id",
      isCustom: false,
      isDynamic: false,
      dynamicFieldRef: null,
      updatedAt
    }))
  }
}
