/**
 * getMObjects over the State: up to 100 objects of one type per page, in id order, chosen
 * by id, external key, criteria and associations, with a stream position to continue.
 *
 * A Program is answered as Marketo documents it: Name, Type, Workspace Id, Workspace Name,
 * Tree Path (`/Marketing Activities/<workspace>/<folders>/<name>`), Is Archived (`false`),
 * Start Date and End Date when it has them, and its Tag, Token and Cost entries; with
 * includeDetails its createdAt and updatedAt too. Archived programs are left out unless a
 * criterion `Include Archive` EQ `true` asks for them.
 */
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import { entityAttributes, matcher, programAttributes } from "./criteria.js"
import { type EmulatorFault, fault } from "./fault.js"
import { queryHash, readPosition, writePosition } from "./position.js"
import type { Entity, Program, State } from "./state.js"
import type { Row, Table } from "./table.js"

/** @internal */
export const pageSize = 100

const attrib = (name: string, value: string): Wire.Attrib => ({ name, value })

const treePath = (program: Program): string =>
  ["", "Marketing Activities", program.workspace, ...program.folder.split("/").filter((f) => f !== ""), program.name]
    .join("/")

const entry = (attrType: string, attribs: ReadonlyArray<Wire.Attrib>): Wire.TypeAttrib => ({
  attrType,
  attrList: [...attribs]
})

const renderProgram = (program: Program, details: boolean): Wire.MObject => {
  const entries = [
    ...program.tags.map((tag) => entry("Tag", [attrib("Type", tag.type), attrib("Value", tag.value)])),
    ...program.tokens.map((token) => entry("Token", [attrib("Name", token.name), attrib("Value", token.value)])),
    ...program.costs.map((cost) =>
      entry("Cost", [
        attrib("Id", String(cost.id)),
        attrib("Month", `${cost.month}-01`),
        attrib("Amount", cost.amount),
        ...(cost.note === undefined ? [] : [attrib("Note", cost.note)])
      ])
    )
  ]
  return {
    type: "Program",
    id: program.id,
    ...(details ? { createdAt: program.createdAt, updatedAt: program.updatedAt } : {}),
    attribList: [
      attrib("Name", program.name),
      attrib("Type", program.programType),
      attrib("Workspace Id", String(program.workspaceId)),
      attrib("Workspace Name", program.workspace),
      attrib("Tree Path", treePath(program)),
      attrib("Is Archived", String(program.archived)),
      ...(program.startDate === undefined ? [] : [attrib("Start Date", program.startDate)]),
      ...(program.endDate === undefined ? [] : [attrib("End Date", program.endDate)])
    ],
    ...(entries.length === 0 ? {} : { typeAttribList: entries })
  }
}

const renderEntity = (type: string, entity: Entity): Wire.MObject => {
  const links: Array<Wire.Attrib> = [
    ...(entity.opportunityId === undefined ? [] : [attrib("OpportunityId", String(entity.opportunityId))]),
    ...(entity.personId === undefined ? [] : [attrib("PersonId", String(entity.personId))])
  ]
  return {
    type,
    id: entity.id,
    ...(entity.externalKey === undefined ? {} : { externalKey: entity.externalKey }),
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
    attribList: [...links, ...[...entity.fields].map(([name, value]) => attrib(name, value))],
    ...(entity.companyId === undefined ? {} : {
      associationList: [{ mObjType: "Company", id: entity.companyId }]
    })
  }
}

/** An association filter: its test, and the opportunity it names (every match is one of its roles). */
interface Linked {
  readonly test: (e: Entity) => boolean
  readonly opportunity: number | undefined
}

const associationFilter = (
  state: State,
  type: string,
  associations: ReadonlyArray<Wire.MObjAssociation>
): Either.Either<Linked, EmulatorFault> => {
  const tests: Array<(e: Entity) => boolean> = []
  let opportunity: number | undefined
  for (const association of associations) {
    const resolve = <A extends Row>(pool: Table<A>): number | undefined =>
      association.id !== undefined
        ? association.id
        : association.externalKey !== undefined
        ? (pool.byExternalKey(association.externalKey)?.id ?? -1)
        : undefined
    const pair = `${type}/${association.mObjType}`
    const target = pair === "Opportunity/Company"
      ? resolve(state.companies)
      : pair === "OpportunityPersonRole/Opportunity"
      ? resolve(state.opportunities)
      : pair === "OpportunityPersonRole/Lead"
      ? resolve(state.leads)
      : null
    if (target === null) return Either.left(fault(20114, `${type} cannot be filtered by ${association.mObjType}`))
    if (target === undefined) {
      return Either.left(fault(20109, `association with ${association.mObjType} needs an id or an externalKey`))
    }
    if (association.mObjType === "Opportunity") opportunity = target
    tests.push((e) =>
      association.mObjType === "Company"
        ? e.companyId === target
        : association.mObjType === "Opportunity"
        ? e.opportunityId === target
        : e.personId === target
    )
  }
  return Either.right({ test: (e) => tests.every((test) => test(e)), opportunity })
}

/**
 * The first `pageSize + 1` objects of `pool` (ascending ids) that pass `test`: a page, and
 * whether there is more, without looking further.
 */
const firstMatches = <A>(pool: Iterable<A>, test: (a: A) => boolean): Array<A> => {
  const found: Array<A> = []
  for (const a of pool) {
    if (!test(a)) continue
    found.push(a)
    if (found.length > pageSize) break
  }
  return found
}

/** @internal */
export const getMObjects = (
  state: State,
  params: Wire.ParamsGetMObjects,
  secret: string
): Either.Either<Wire.ResultGetMObjects, EmulatorFault> =>
  Either.gen(function*() {
    const q = queryHash(params)
    const after = params.streamPosition === undefined || params.streamPosition.trim() === ""
      ? Number.NEGATIVE_INFINITY
      : (yield* readPosition(secret, params.streamPosition, q)).a
    const criteria = params.mObjCriteriaList ?? []
    let matches: Array<Wire.MObject>
    switch (params.type) {
      case "Program": {
        if ((params.mObjAssociationList ?? []).length > 0) {
          return yield* Either.left(fault(20114, "Program cannot be filtered by associations"))
        }
        const test = yield* matcher(programAttributes, criteria, "Program")
        const archived = criteria.some((c) =>
          c.attrName === "Include Archive" && c.comparison === "EQ" && c.attrValue.trim().toLowerCase() === "true"
        )
        const pool = params.id !== undefined
          ? [state.programs.get(params.id)].filter((p) => p !== undefined)
          : params.externalKey !== undefined
          ? []
          : state.programs.after(after)
        matches = firstMatches(pool, (p) => p.id > after && (archived || !p.archived) && test(p))
          .map((p) => renderProgram(p, params.includeDetails === true))
        break
      }
      case "Opportunity":
      case "OpportunityPersonRole": {
        const collection = params.type === "Opportunity" ? state.opportunities : state.roles
        const fields = params.type === "Opportunity" ? state.opportunityFields : state.roleFields
        const test = yield* matcher(entityAttributes(fields), criteria, params.type)
        const linked = yield* associationFilter(state, params.type, params.mObjAssociationList ?? [])
        // Tables iterate in id order, so a page is read from where the last one ended.
        const pool = params.id !== undefined
          ? [collection.get(params.id)].filter((e) => e !== undefined)
          : params.externalKey !== undefined
          ? [collection.byExternalKey(params.externalKey)].filter((e) => e !== undefined)
          : params.type === "OpportunityPersonRole" && linked.opportunity !== undefined
          ? state.roles.inGroup(linked.opportunity, after)
          : collection.after(after)
        const type = params.type
        matches = firstMatches(pool, (e) => e.id > after && test(e) && linked.test(e))
          .map((e) => renderEntity(type, e))
        break
      }
      default:
        return yield* Either.left(fault(20110, `getMObjects does not support type '${params.type}'`))
    }
    const page = matches.slice(0, pageSize)
    const last = page.at(-1)?.id
    return {
      returnCount: page.length,
      hasMore: matches.length > pageSize,
      newStreamPosition: writePosition(secret, {
        q,
        a: last ?? (after === Number.NEGATIVE_INFINITY ? 0 : after),
        e: matches.length <= pageSize
      }),
      mObjectList: page
    }
  })
