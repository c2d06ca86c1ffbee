/**
 * syncMObjects of an Opportunity or an OpportunityPersonRole, in three steps: its field
 * values (each checked against its field's type and kept in canonical form), its links
 * (an opportunity's company; a role's opportunity and lead, by association or by the
 * OpportunityId and PersonId fields), then INSERT, UPDATE or UPSERT on the working copy.
 */
import type * as Wire from "@mktows/core/Wire"
import { canonicalValue } from "./fields.js"
import { Entity, FieldValues, type State } from "./state.js"
import { failed, findParty, maxObjectId, type Status, status, type Working } from "./working.js"

type EntityType = "Opportunity" | "OpportunityPersonRole"

// Set once each while one object's associations are read (a local, then read only).
interface Links {
  companyId?: number
  opportunityId?: number
  personId?: number
}

/** Sets `name` in a pairs array (a later value of one name replaces an earlier one). */
const setPair = (pairs: Array<string>, name: string, value: string): void => {
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] === name) {
      pairs[i + 1] = value
      return
    }
  }
  pairs.push(name, value)
}

/** Takes `name` out of a pairs array, with its value. */
const takePair = (pairs: Array<string>, name: string): string | undefined => {
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] === name) return pairs.splice(i, 2)[1]
  }
  return undefined
}

/** The object's field values as kept, or why one cannot be written. */
const valuesOf = (
  state: State,
  type: EntityType,
  object: Wire.MObject
): Array<string> | string => {
  const byName = state.fieldsByName[type]
  // [name, value, ...] with the definition's name string, so stored objects share it.
  const fields: Array<string> = []
  for (const attrib of object.attribList ?? []) {
    const def = byName.get(attrib.name)
    if (def === undefined) return `unknown field '${attrib.name}' for ${type}`
    if (def.readonly === true) return `field '${attrib.name}' is read-only`
    const value = canonicalValue(def, attrib.value)
    if ("error" in value) return value.error
    setPair(fields, def.name, value.value)
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
  const links: Links = {}
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
      links.companyId = companyId
    } else if (type === "OpportunityPersonRole" && target === "Opportunity") {
      const opportunityId = findParty(work.opportunities, association)
      if (opportunityId === undefined) return `no Opportunity with ${key}`
      links.opportunityId = opportunityId
    } else if (type === "OpportunityPersonRole" && target === "Lead") {
      const personId = findParty(state.leads, association)
      if (personId === undefined) return `no Lead with ${key}`
      links.personId = personId
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
const roleFieldLinks = (state: State, work: Working, fields: Array<string>, links: Links): Links | string => {
  const oppField = takePair(fields, "OpportunityId")
  const personField = takePair(fields, "PersonId")
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
  if (type === "Opportunity") work.opportunities = work.opportunities.set(entity, work.owner)
  else work.roles = work.roles.set(entity, work.owner)
}

const insert = (
  work: Working,
  type: EntityType,
  object: Wire.MObject,
  fields: ReadonlyArray<string>,
  links: Links,
  now: string
): Status => {
  if (type === "OpportunityPersonRole" && (links.opportunityId === undefined || links.personId === undefined)) {
    return failed(object, "OpportunityPersonRole needs an existing Opportunity and Lead (OpportunityId and PersonId)")
  }
  // Ids are xs:int in Marketo's WSDL: past the largest, no new one can be given.
  if (work.nextId[type] > maxObjectId) {
    return failed(object, `no ${type} id is left: ids are xs:int, and ${maxObjectId} is taken`)
  }
  const id = work.nextId[type]++
  const table = type === "Opportunity" ? work.opportunities : work.roles
  const key = object.externalKey
  put(
    work,
    type,
    new Entity(
      id,
      now,
      now,
      // An exact-size copy: the array built by push keeps spare capacity for as long as it is stored.
      fields.slice(),
      key === undefined ? undefined : table.keyName(key.name),
      key?.value,
      links.companyId,
      links.opportunityId,
      links.personId
    )
  )
  return status(object, id, "CREATED")
}

const samePairs = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a.length !== b.length) return false
  const values = new FieldValues(b)
  for (let i = 0; i < a.length; i += 2) if (values.get(a[i] ?? "") !== a[i + 1]) return false
  return true
}

const update = (
  work: Working,
  type: EntityType,
  existing: Entity,
  object: Wire.MObject,
  fields: ReadonlyArray<string>,
  links: Links,
  now: string
): Status => {
  const merged = existing.pairs.slice()
  for (let i = 0; i < fields.length; i += 2) setPair(merged, fields[i] ?? "", fields[i + 1] ?? "")
  const table = type === "Opportunity" ? work.opportunities : work.roles
  const key = object.externalKey === undefined
    ? existing.externalKey
    : { name: table.keyName(object.externalKey.name), value: object.externalKey.value }
  const companyId = "companyId" in links ? links.companyId : existing.companyId
  const opportunityId = "opportunityId" in links ? links.opportunityId : existing.opportunityId
  const personId = "personId" in links ? links.personId : existing.personId
  if (
    samePairs(merged, existing.pairs) && companyId === existing.companyId &&
    opportunityId === existing.opportunityId && personId === existing.personId &&
    key?.name === existing.keyName && key?.value === existing.keyValue
  ) {
    return status(object, existing.id, "UNCHANGED")
  }
  put(
    work,
    type,
    Entity.make({
      id: existing.id,
      createdAt: existing.createdAt,
      updatedAt: now,
      pairs: merged.slice(),
      externalKey: key,
      companyId,
      opportunityId,
      personId
    })
  )
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
