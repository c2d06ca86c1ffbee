/**
 * A call's working copy: syncMObjects and deleteMObjects apply objects one after another to
 * it, so a later object of a call sees an earlier one (a role can refer to an opportunity
 * created by the same call, by its external key), and it becomes the new State only when
 * the whole call is done. The Tables are persistent, so the copy costs nothing.
 */
import type * as Wire from "@mktows/core/Wire"
import { makeOwner, type Owner } from "./sortedMap.js"
import type { Entity, Party, Program, State } from "./state.js"
import type { Table } from "./table.js"

/** A call's working copy of what it may change. @internal */
export interface Working {
  programs: Table<Program>
  opportunities: Table<Entity>
  roles: Table<Entity>
  nextId: { Opportunity: number; OpportunityPersonRole: number; Cost: number }
  /**
   * The call's own: what it sets in the Tables above is written in place once made by it
   * (`Table.set`), so only the Tables above, the latest, are to be read.
   */
  readonly owner: Owner
}

/** @internal */
export type Status = Wire.MObjStatus

/**
 * One object's status. Built by cases rather than conditional spreads: it is made for every
 * object of every call, and a spread costs a call to the runtime.
 *
 * @internal
 */
export const status = (
  object: Wire.MObject,
  id: number,
  value: Wire.MObjStatusEnum,
  error?: string
): Status => {
  const externalKey = object.externalKey
  if (externalKey === undefined) return error === undefined ? { id, status: value } : { id, status: value, error }
  return error === undefined ? { id, externalKey, status: value } : { id, externalKey, status: value, error }
}

/** @internal */
export const failed = (object: Wire.MObject, error: string): Status => status(object, object.id ?? 0, "FAILED", error)

/** @internal */
export const working = (state: State): Working => ({
  programs: state.programs,
  opportunities: state.opportunities,
  roles: state.roles,
  nextId: { ...state.nextId },
  owner: makeOwner()
})

/**
 * The State a call leaves. Written out field by field rather than spread: a REST write commits
 * once per record, and the spread was a twentieth of the server's time in a 300-record write.
 *
 * @internal
 */
export const commit = (state: State, work: Working): State => ({
  programs: work.programs,
  opportunities: work.opportunities,
  roles: work.roles,
  leads: state.leads,
  companies: state.companies,
  tagTypes: state.tagTypes,
  opportunityFields: state.opportunityFields,
  roleFields: state.roleFields,
  fieldsByName: state.fieldsByName,
  nextId: work.nextId
})

/** The id of the object an association names in `parties`, if there is one. @internal */
export const findParty = (
  parties: Table<Party> | Table<Entity>,
  association: Wire.MObjAssociation
): number | undefined => {
  if (association.id !== undefined) return parties.has(association.id) ? association.id : undefined
  if (association.externalKey !== undefined) return parties.byExternalKey(association.externalKey)?.id
  return undefined
}

/** The largest id the store gives: MObject, MObjStatus and Cost ids are xs:int. @internal */
export const maxObjectId = 2_147_483_647
