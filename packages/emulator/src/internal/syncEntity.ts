/**
 * syncMObjects of an Opportunity or an OpportunityPersonRole, in three steps: its field
 * values (each checked against its field's type and kept in canonical form), its links
 * (an opportunity's company; a role's opportunity and lead, by association or by the
 * OpportunityId and PersonId fields), then INSERT, UPDATE or UPSERT on the working copy.
 */
import type * as Wire from "@mktows/core/Wire"
import { canonicalValue } from "./fields.js"
import type { Entity, State } from "./state.js"
import { failed, findParty, type Status, status, type Working } from "./working.js"

type EntityType = "Opportunity" | "OpportunityPersonRole"

interface Links {
  readonly companyId?: number
  readonly opportunityId?: number
  readonly personId?: number
}

/** The object's field values as kept, or why one cannot be written. */
const valuesOf = (
  state: State,
  type: EntityType,
  object: Wire.MObject
): Map<string, string> | string => {
  const byName = state.fieldsByName[type]
  const fields = new Map<string, string>()
  for (const attrib of object.attribList ?? []) {
    const def = byName.get(attrib.name)
    if (def === undefined) return `unknown field '${attrib.name}' for ${type}`
    if (def.readonly === true) return `field '${attrib.name}' is read-only`
    const value = canonicalValue(def, attrib.value)
    if ("error" in value) return value.error
    fields.set(attrib.name, value.value)
  }
  if ((object.typeAttribList ?? []).length > 0) return `${type} takes no typeAttribList`
  return fields
}

/** The links its associations name, each of which must exist. */
const associationsOf = (
  state: State,
  work: Working,
  type: EntityType,
  object: Wire.MObject
): Links | string => {
  let links: Links = {}
  for (const association of object.associationList ?? []) {
    const target = association.mObjType
    const key = association.id !== undefined
      ? `id ${association.id}`
      : association.externalKey !== undefined
      ? `${association.externalKey.name} '${association.externalKey.value}'`
      : undefined
    if (key === undefined) return `association with ${target} needs an id or an externalKey`
    if (type === "Opportunity" && target === "Company") {
      const companyId = findParty(state.companies, association)
      if (companyId === undefined) return `no Company with ${key}`
      links = { ...links, companyId }
    } else if (type === "OpportunityPersonRole" && target === "Opportunity") {
      const opportunityId = findParty(work.opportunities, association)
      if (opportunityId === undefined) return `no Opportunity with ${key}`
      links = { ...links, opportunityId }
    } else if (type === "OpportunityPersonRole" && target === "Lead") {
      const personId = findParty(state.leads, association)
      if (personId === undefined) return `no Lead with ${key}`
      links = { ...links, personId }
    } else {
      return `${type} cannot be associated with ${target}`
    }
  }
  return links
}

/**
 * A role's OpportunityId and PersonId fields are links, not values: taken out of `fields`,
 * checked against its associations and against the store.
 */
const roleFieldLinks = (state: State, work: Working, fields: Map<string, string>, links: Links): Links | string => {
  const oppField = fields.get("OpportunityId")
  const personField = fields.get("PersonId")
  fields.delete("OpportunityId")
  fields.delete("PersonId")
  let result = links
  if (oppField !== undefined) {
    if (links.opportunityId !== undefined && String(links.opportunityId) !== oppField) {
      return "OpportunityId and the Opportunity association disagree"
    }
    if (!work.opportunities.has(Number(oppField))) return `no Opportunity with id ${oppField}`
    result = { ...result, opportunityId: Number(oppField) }
  }
  if (personField !== undefined) {
    if (links.personId !== undefined && String(links.personId) !== personField) {
      return "PersonId and the Lead association disagree"
    }
    if (!state.leads.has(Number(personField))) return `no Lead with id ${personField}`
    result = { ...result, personId: Number(personField) }
  }
  return result
}

const put = (work: Working, type: EntityType, entity: Entity): void => {
  if (type === "Opportunity") work.opportunities = work.opportunities.set(entity)
  else work.roles = work.roles.set(entity)
}

const insert = (
  work: Working,
  type: EntityType,
  object: Wire.MObject,
  fields: Map<string, string>,
  links: Links,
  now: string
): Status => {
  if (type === "OpportunityPersonRole" && (links.opportunityId === undefined || links.personId === undefined)) {
    return failed(object, "OpportunityPersonRole needs an existing Opportunity and Lead (OpportunityId and PersonId)")
  }
  const id = work.nextId[type]++
  put(work, type, {
    id,
    createdAt: now,
    updatedAt: now,
    fields,
    ...(object.externalKey === undefined ? {} : { externalKey: object.externalKey }),
    ...links
  })
  return status(object, id, "CREATED")
}

const sameEntity = (a: Entity, b: Entity): boolean =>
  a.fields.size === b.fields.size &&
  [...a.fields].every(([name, value]) => b.fields.get(name) === value) &&
  a.companyId === b.companyId && a.opportunityId === b.opportunityId && a.personId === b.personId &&
  a.externalKey?.name === b.externalKey?.name && a.externalKey?.value === b.externalKey?.value

const update = (
  work: Working,
  type: EntityType,
  existing: Entity,
  object: Wire.MObject,
  fields: Map<string, string>,
  links: Links,
  now: string
): Status => {
  const merged = new Map(existing.fields)
  for (const [name, value] of fields) merged.set(name, value)
  const next: Entity = {
    ...existing,
    fields: merged,
    ...(object.externalKey === undefined ? {} : { externalKey: object.externalKey }),
    ...links
  }
  if (sameEntity(next, existing)) return status(object, existing.id, "UNCHANGED")
  put(work, type, { ...next, updatedAt: now })
  return status(object, existing.id, "UPDATED")
}

/**
 * One Opportunity or OpportunityPersonRole of a syncMObjects call, applied to `work`.
 *
 * @internal
 */
export const syncEntity = (
  state: State,
  work: Working,
  type: EntityType,
  object: Wire.MObject,
  operation: Wire.SyncOperation,
  now: string
): Status => {
  // Values first: a bad field fails the object whatever the operation.
  const fields = valuesOf(state, type, object)
  if (typeof fields === "string") return failed(object, fields)
  const associations = associationsOf(state, work, type, object)
  if (typeof associations === "string") return failed(object, associations)
  const links = type === "OpportunityPersonRole" ? roleFieldLinks(state, work, fields, associations) : associations
  if (typeof links === "string") return failed(object, links)

  const collection = type === "Opportunity" ? work.opportunities : work.roles
  const existing = object.id !== undefined
    ? collection.get(object.id)
    : object.externalKey !== undefined
    ? collection.byExternalKey(object.externalKey)
    : undefined
  if (existing === undefined) {
    if (operation !== "UPDATE") return insert(work, type, object, fields, links, now)
    return object.id === undefined && object.externalKey === undefined
      ? failed(object, `UPDATE needs an id or an externalKey`)
      : status(object, object.id ?? 0, "SKIPPED", `no ${type} with this key`)
  }
  if (operation === "INSERT") return status(object, existing.id, "SKIPPED", `${type} ${existing.id} exists`)
  return update(work, type, existing, object, fields, links, now)
}
