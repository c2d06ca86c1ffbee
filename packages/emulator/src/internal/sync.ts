/**
 * syncMObjects and deleteMObjects over the State, with Marketo's documented semantics: one
 * status per object, in order; only a call of more than 100 objects is a fault.
 */
import * as Limits from "@mktows/core/Limits"
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import { type EmulatorFault, fault } from "./fault.js"
import type { State } from "./state.js"
import { syncEntity } from "./syncEntity.js"
import { syncProgram } from "./syncProgram.js"
import { commit, failed, type Status, status, working } from "./working.js"

const tooMany = (count: number) => fault(20110, `at most ${Limits.maxObjectsPerCall} MObjects per call, got ${count}`)

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
  if (params.mObjectList.length > Limits.maxObjectsPerCall) {
    return Either.left(tooMany(params.mObjectList.length))
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
  if (params.mObjectList.length > Limits.maxObjectsPerCall) {
    return Either.left(tooMany(params.mObjectList.length))
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
