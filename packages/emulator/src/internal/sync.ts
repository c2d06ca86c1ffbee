/**
 * syncMObjects and deleteMObjects over the State, with Marketo's documented semantics.
 *
 * Objects are applied one after another on a working copy, so a later object of a call
 * sees an earlier one (a role can refer to an opportunity created by the same call, by its
 * external key). The copy becomes the new State only when the whole call is done. The
 * Tables are persistent, so the copy costs nothing and each change O(log n).
 */
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import { type EmulatorFault, fault } from "./fault.js"
import { canonicalDecimal, canonicalValue, type FieldDef } from "./fields.js"
import type { Cost, Entity, Party, Program, State, Table, Tag } from "./state.js"

/** @internal */
export const maxObjectsPerCall = 100

interface Working {
  programs: Table<Program>
  opportunities: Table<Entity>
  roles: Table<Entity>
  nextId: { Opportunity: number; OpportunityPersonRole: number; Cost: number }
}

type Status = Wire.MObjStatus

const status = (
  object: Wire.MObject,
  id: number,
  value: Wire.MObjStatusEnum,
  error?: string
): Status => ({
  id,
  ...(object.externalKey === undefined ? {} : { externalKey: object.externalKey }),
  status: value,
  ...(error === undefined ? {} : { error })
})

const failed = (object: Wire.MObject, error: string): Status => status(object, object.id ?? 0, "FAILED", error)

const findParty = (
  parties: Table<Party> | Table<Entity>,
  association: Wire.MObjAssociation
): number | undefined => {
  if (association.id !== undefined) return parties.has(association.id) ? association.id : undefined
  if (association.externalKey !== undefined) return parties.byExternalKey(association.externalKey)?.id
  return undefined
}

const sameCosts = (a: ReadonlyArray<Cost>, b: ReadonlyArray<Cost>): boolean =>
  a.length === b.length &&
  a.every((c, i) => {
    const d = b[i]
    return d !== undefined && c.id === d.id && c.month === d.month && c.amount === d.amount && c.note === d.note
  })

const sameTags = (a: ReadonlyArray<Tag>, b: ReadonlyArray<Tag>): boolean =>
  a.length === b.length && a.every((t, i) => t.type === b[i]?.type && t.value === b[i]?.value)

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])(?:-(\d{2}))?$/

const attribMap = (list: ReadonlyArray<Wire.Attrib> | undefined): Map<string, string> => {
  const map = new Map<string, string>()
  for (const attrib of list ?? []) map.set(attrib.name, attrib.value)
  return map
}

const syncProgram = (
  state: State,
  work: Working,
  object: Wire.MObject,
  operation: Wire.SyncOperation,
  now: string
): Status => {
  if (operation !== "UPDATE") {
    return failed(object, `Program supports only the UPDATE operation, not ${operation}`)
  }
  if (object.id === undefined) return failed(object, "Program UPDATE needs the program id")
  const program = work.programs.get(object.id)
  if (program === undefined) return status(object, object.id, "SKIPPED", `no Program with id ${object.id}`)
  if ((object.attribList ?? []).length > 0) {
    return failed(object, "Program attributes cannot be changed through the API; send Cost and Tag entries")
  }
  if ((object.associationList ?? []).length > 0) return failed(object, "Program takes no associations")
  let costs = program.costs
  let tags = program.tags
  let nextCost = work.nextId.Cost
  for (const entry of object.typeAttribList ?? []) {
    const attribs = attribMap(entry.attrList)
    if (entry.attrType === "Cost") {
      for (const name of attribs.keys()) {
        if (!["Id", "Month", "Amount", "Note"].includes(name)) return failed(object, `unknown Cost attribute ${name}`)
      }
      const month = attribs.get("Month")
      const amountText = attribs.get("Amount")
      const note = attribs.get("Note")
      if (month === undefined) return failed(object, "Cost needs a Month")
      if (amountText === undefined) return failed(object, "Cost needs an Amount")
      const monthMatch = monthPattern.exec(month.trim())
      if (monthMatch === null) return failed(object, `bad value for Month: '${month}' is not a month (YYYY-MM)`)
      const amount = canonicalDecimal(amountText)
      if (amount === undefined) return failed(object, `bad value for Amount: '${amountText}' is not a decimal number`)
      const cost: Cost = {
        id: 0,
        month: `${monthMatch[1]}-${monthMatch[2]}`,
        amount,
        ...(note === undefined ? {} : { note })
      }
      const idText = attribs.get("Id")
      if (idText === undefined) {
        costs = [...costs, { ...cost, id: nextCost++ }]
      } else {
        const id = canonicalDecimal(idText)
        const existing = id === undefined ? undefined : costs.find((c) => String(c.id) === id)
        if (existing === undefined) return failed(object, `no Cost with Id ${idText} on Program ${program.id}`)
        const updated: Cost = {
          ...cost,
          id: existing.id,
          ...(note === undefined && existing.note !== undefined ? { note: existing.note } : {})
        }
        costs = costs.map((c) => c.id === existing.id ? updated : c)
      }
    } else if (entry.attrType === "Tag") {
      for (const name of attribs.keys()) {
        if (name !== "Type" && name !== "Value") return failed(object, `unknown Tag attribute ${name}`)
      }
      const type = attribs.get("Type")
      const value = attribs.get("Value")
      if (type === undefined || value === undefined) return failed(object, "Tag needs a Type and a Value")
      const values = state.tagTypes.get(type)
      if (values === undefined) {
        return failed(object, `no tag type '${type}'; tag types cannot be created through the API`)
      }
      if (!values.includes(value)) {
        return failed(
          object,
          `no value '${value}' for tag type '${type}'; tag values cannot be created through the API`
        )
      }
      tags = tags.some((t) => t.type === type)
        ? tags.map((t) => t.type === type ? { type, value } : t)
        : [...tags, { type, value }]
    } else {
      return failed(object, `unknown attrType '${entry.attrType}' for Program (Cost or Tag)`)
    }
  }
  if (sameCosts(costs, program.costs) && sameTags(tags, program.tags)) return status(object, program.id, "UNCHANGED")
  work.programs = work.programs.set({ ...program, costs, tags, updatedAt: now })
  work.nextId.Cost = nextCost
  return status(object, program.id, "UPDATED")
}

type EntityType = "Opportunity" | "OpportunityPersonRole"

const syncEntity = (
  state: State,
  work: Working,
  type: EntityType,
  object: Wire.MObject,
  operation: Wire.SyncOperation,
  now: string
): Status => {
  const collection = type === "Opportunity" ? work.opportunities : work.roles
  const fieldDefs = type === "Opportunity" ? state.opportunityFields : state.roleFields
  const byName = new Map<string, FieldDef>(fieldDefs.map((f) => [f.name, f]))

  // Values first: a bad field fails the object whatever the operation.
  const fields = new Map<string, string>()
  for (const attrib of object.attribList ?? []) {
    const def = byName.get(attrib.name)
    if (def === undefined) return failed(object, `unknown field '${attrib.name}' for ${type}`)
    if (def.readonly === true) return failed(object, `field '${attrib.name}' is read-only`)
    const value = canonicalValue(def, attrib.value)
    if ("error" in value) return failed(object, value.error)
    fields.set(attrib.name, value.value)
  }
  if ((object.typeAttribList ?? []).length > 0) return failed(object, `${type} takes no typeAttribList`)

  // Links: Opportunity -> Company; OpportunityPersonRole -> Opportunity and Lead.
  let companyId: number | undefined
  let opportunityId: number | undefined
  let personId: number | undefined
  for (const association of object.associationList ?? []) {
    const target = association.mObjType
    const key = association.id !== undefined ? `id ${association.id}` : association.externalKey !== undefined
      ? `${association.externalKey.name} '${association.externalKey.value}'`
      : undefined
    if (key === undefined) return failed(object, `association with ${target} needs an id or an externalKey`)
    if (type === "Opportunity" && target === "Company") {
      companyId = findParty(state.companies, association)
      if (companyId === undefined) return failed(object, `no Company with ${key}`)
    } else if (type === "OpportunityPersonRole" && target === "Opportunity") {
      opportunityId = findParty(work.opportunities, association)
      if (opportunityId === undefined) return failed(object, `no Opportunity with ${key}`)
    } else if (type === "OpportunityPersonRole" && target === "Lead") {
      personId = findParty(state.leads, association)
      if (personId === undefined) return failed(object, `no Lead with ${key}`)
    } else {
      return failed(object, `${type} cannot be associated with ${target}`)
    }
  }
  if (type === "OpportunityPersonRole") {
    const oppField = fields.get("OpportunityId")
    const personField = fields.get("PersonId")
    fields.delete("OpportunityId")
    fields.delete("PersonId")
    if (oppField !== undefined) {
      if (opportunityId !== undefined && String(opportunityId) !== oppField) {
        return failed(object, "OpportunityId and the Opportunity association disagree")
      }
      if (!work.opportunities.has(Number(oppField))) return failed(object, `no Opportunity with id ${oppField}`)
      opportunityId = Number(oppField)
    }
    if (personField !== undefined) {
      if (personId !== undefined && String(personId) !== personField) {
        return failed(object, "PersonId and the Lead association disagree")
      }
      if (!state.leads.has(Number(personField))) return failed(object, `no Lead with id ${personField}`)
      personId = Number(personField)
    }
  }

  const existing = object.id !== undefined
    ? collection.get(object.id)
    : object.externalKey !== undefined
    ? collection.byExternalKey(object.externalKey)
    : undefined
  const put = (entity: Entity): void => {
    if (type === "Opportunity") work.opportunities = work.opportunities.set(entity)
    else work.roles = work.roles.set(entity)
  }

  if (existing === undefined) {
    if (operation === "UPDATE") {
      return object.id === undefined && object.externalKey === undefined
        ? failed(object, `UPDATE needs an id or an externalKey`)
        : status(object, object.id ?? 0, "SKIPPED", `no ${type} with this key`)
    }
    if (type === "OpportunityPersonRole" && (opportunityId === undefined || personId === undefined)) {
      return failed(object, "OpportunityPersonRole needs an existing Opportunity and Lead (OpportunityId and PersonId)")
    }
    const id = work.nextId[type]++
    put({
      id,
      createdAt: now,
      updatedAt: now,
      fields,
      ...(object.externalKey === undefined ? {} : { externalKey: object.externalKey }),
      ...(companyId === undefined ? {} : { companyId }),
      ...(opportunityId === undefined ? {} : { opportunityId }),
      ...(personId === undefined ? {} : { personId })
    })
    return status(object, id, "CREATED")
  }

  if (operation === "INSERT") return status(object, existing.id, "SKIPPED", `${type} ${existing.id} exists`)
  const merged = new Map(existing.fields)
  for (const [name, value] of fields) merged.set(name, value)
  const next: Entity = {
    ...existing,
    fields: merged,
    ...(object.externalKey === undefined ? {} : { externalKey: object.externalKey }),
    ...(companyId === undefined ? {} : { companyId }),
    ...(opportunityId === undefined ? {} : { opportunityId }),
    ...(personId === undefined ? {} : { personId })
  }
  const unchanged = merged.size === existing.fields.size &&
    [...merged].every(([name, value]) => existing.fields.get(name) === value) &&
    next.companyId === existing.companyId && next.opportunityId === existing.opportunityId &&
    next.personId === existing.personId && next.externalKey?.name === existing.externalKey?.name &&
    next.externalKey?.value === existing.externalKey?.value
  if (unchanged) return status(object, existing.id, "UNCHANGED")
  put({ ...next, updatedAt: now })
  return status(object, existing.id, "UPDATED")
}

const working = (state: State): Working => ({
  programs: state.programs,
  opportunities: state.opportunities,
  roles: state.roles,
  nextId: { ...state.nextId }
})

const commit = (state: State, work: Working): State => ({
  ...state,
  programs: work.programs,
  opportunities: work.opportunities,
  roles: work.roles,
  nextId: work.nextId
})

/**
 * syncMObjects: one status per object, in order. Only more than 100 objects faults the call.
 *
 * @internal
 */
export const syncMObjects = (
  state: State,
  params: Wire.ParamsSyncMObjects,
  now: string
): Either.Either<readonly [Wire.ResultSyncMObjects, State], EmulatorFault> => {
  if (params.mObjectList.length > maxObjectsPerCall) {
    return Either.left(fault(20110, `at most ${maxObjectsPerCall} MObjects per call, got ${params.mObjectList.length}`))
  }
  const work = working(state)
  const list = params.mObjectList.map((object): Status => {
    switch (object.type) {
      case "Program":
        return syncProgram(state, work, object, params.operation, now)
      case "Opportunity":
      case "OpportunityPersonRole":
        return syncEntity(state, work, object.type, object, params.operation, now)
      default:
        return failed(object, `syncMObjects does not support type '${object.type}'`)
    }
  })
  return Either.right([{ mObjStatusList: list }, commit(state, work)] as const)
}

/**
 * deleteMObjects: Opportunity and OpportunityPersonRole by id. Deleting an opportunity
 * deletes its roles too, since a role cannot exist without its opportunity.
 *
 * @internal
 */
export const deleteMObjects = (
  state: State,
  params: Wire.ParamsDeleteMObjects
): Either.Either<readonly [Wire.ResultDeleteMObjects, State], EmulatorFault> => {
  if (params.mObjectList.length > maxObjectsPerCall) {
    return Either.left(fault(20110, `at most ${maxObjectsPerCall} MObjects per call, got ${params.mObjectList.length}`))
  }
  const work = working(state)
  const list = params.mObjectList.map((object): Status => {
    if (object.type !== "Opportunity" && object.type !== "OpportunityPersonRole") {
      return failed(object, `deleteMObjects does not support type '${object.type}'`)
    }
    if (object.id === undefined) return failed(object, "deleteMObjects needs the object id")
    if (object.type === "Opportunity") {
      if (!work.opportunities.has(object.id)) return status(object, object.id, "UNCHANGED")
      work.opportunities = work.opportunities.remove(object.id)
      for (const role of [...work.roles.inGroup(object.id, Number.NEGATIVE_INFINITY)]) {
        work.roles = work.roles.remove(role.id)
      }
    } else {
      if (!work.roles.has(object.id)) return status(object, object.id, "UNCHANGED")
      work.roles = work.roles.remove(object.id)
    }
    return status(object, object.id, "DELETED")
  })
  return Either.right([{ mObjStatusList: list }, commit(state, work)] as const)
}
