/**
 * getMObjects, describeMObject and listMObjects over the State.
 *
 * A stream position is base64url JSON `{ q, a }` (the query's hash and the last id
 * returned) followed by an HMAC of it under the emulator's secret: opaque to a client,
 * stable while objects are added or removed (pages follow ids, not offsets), and a forged
 * or edited one, or one sent with a different query, is refused with 20122.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import { type EmulatorFault, fault } from "./fault.js"
import {
  activityFields,
  canonicalDecimal,
  canonicalValue,
  type FieldDef,
  isNumeric,
  leadFields,
  metadataOf
} from "./fields.js"
import type { Entity, Program, Row, State, Table } from "./state.js"

/** @internal */
export const pageSize = 100

const metadataTime = Signature.formatTimestamp(Date.UTC(2013, 0, 1))

/** @internal */
export const listMObjects = (): Wire.ResultListMObjects => ({
  objects: ["ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"]
})

/** @internal */
export const describeMObject = (
  state: State,
  params: Wire.ParamsDescribeMObject
): Either.Either<Wire.ResultDescribeMObject, EmulatorFault> => {
  switch (params.objectName) {
    case "Opportunity":
      return Either.right({
        metadata: metadataOf("Opportunity", "A sales opportunity", state.opportunityFields, metadataTime)
      })
    case "OpportunityPersonRole":
      return Either.right({
        metadata: metadataOf(
          "OpportunityPersonRole",
          "The role a person plays in an opportunity",
          state.roleFields,
          metadataTime
        )
      })
    case "LeadRecord":
      return Either.right({ metadata: metadataOf("LeadRecord", "A person", leadFields, metadataTime) })
    case "ActivityRecord":
      return Either.right({ metadata: metadataOf("ActivityRecord", "A lead activity", activityFields, metadataTime) })
    default:
      return Either.left(fault(20110, `describeMObject does not support object '${params.objectName}'`))
  }
}

// ---------------------------------------------------------------------------------------
// stream positions

interface Position {
  readonly q: string
  readonly a: number
}

const queryHash = (params: Wire.ParamsGetMObjects): string => {
  const { streamPosition: _, ...query } = params
  return createHash("sha256").update(JSON.stringify(query)).digest("base64url").slice(0, 16)
}

const mac = (secret: string, payload: string): string =>
  createHmac("sha256", secret).update(payload).digest("base64url")

const writePosition = (secret: string, position: Position): string => {
  const payload = Buffer.from(JSON.stringify(position)).toString("base64url")
  return `${payload}.${mac(secret, payload)}`
}

const readPosition = (secret: string, token: string, q: string): Either.Either<Position, EmulatorFault> => {
  const bad = (why: string) => Either.left(fault(20122, `Stream position is bad: ${why}`))
  const [payload, signature, ...rest] = token.trim().split(".")
  if (payload === undefined || signature === undefined || rest.length > 0) return bad("not a stream position")
  const expected = Buffer.from(mac(secret, payload))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return bad("not issued by this server, or modified")
  }
  const parsed: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))
  if (
    typeof parsed !== "object" || parsed === null || !("q" in parsed) || !("a" in parsed) ||
    typeof parsed.q !== "string" || typeof parsed.a !== "number"
  ) return bad("not a stream position")
  if (parsed.q !== q) return bad("issued for a different query")
  return Either.right({ q: parsed.q, a: parsed.a })
}

// ---------------------------------------------------------------------------------------
// criteria

type Value = { readonly kind: "number"; readonly n: number } | { readonly kind: "text"; readonly s: string }

/** Reads the values an attribute name has on an object (several for tags). */
type Reader<A> = (object: A) => ReadonlyArray<Value>

const num = (n: number): Value => ({ kind: "number", n })
const text = (s: string): Value => ({ kind: "text", s })
const time = (iso: string): Value => num(Signature.parseTimestamp(iso) ?? Number.NaN)

const compare = (left: Value, comparison: Wire.ComparisonEnum, right: Value): boolean => {
  const order = left.kind === "number" && right.kind === "number"
    ? Math.sign(left.n - right.n)
    : left.kind === "text" && right.kind === "text"
    ? (left.s < right.s ? -1 : left.s > right.s ? 1 : 0)
    : Number.NaN
  if (Number.isNaN(order)) return comparison === "NE"
  switch (comparison) {
    case "EQ":
      return order === 0
    case "NE":
      return order !== 0
    case "LT":
      return order < 0
    case "LE":
      return order <= 0
    case "GT":
      return order > 0
    case "GE":
      return order >= 0
  }
}

/** How to read a criterion's value for the attribute: the same kind as the attribute. */
interface Attribute<A> {
  readonly read: Reader<A>
  readonly parse: (value: string) => Value | undefined
}

const numberAttr = <A>(read: (a: A) => number | undefined): Attribute<A> => ({
  read: (a) => {
    const n = read(a)
    return n === undefined ? [] : [num(n)]
  },
  parse: (value) => {
    const canonical = canonicalDecimal(value)
    return canonical === undefined ? undefined : num(Number(canonical))
  }
})

const textAttr = <A>(read: (a: A) => ReadonlyArray<string>): Attribute<A> => ({
  read: (a) => read(a).map(text),
  parse: text
})

const timeAttr = <A>(read: (a: A) => string): Attribute<A> => ({
  read: (a) => [time(read(a))],
  parse: (value) => {
    const millis = Signature.parseTimestamp(value.trim()) ??
      (/^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? Date.parse(`${value.trim()}T00:00:00Z`) : undefined)
    return millis === undefined || Number.isNaN(millis) ? undefined : num(millis)
  }
})

const programAttributes: ReadonlyMap<string, Attribute<Program>> = new Map<string, Attribute<Program>>([
  ["Id", numberAttr((p) => p.id)],
  ["Name", textAttr((p) => [p.name])],
  ["Type", textAttr((p) => [p.programType])],
  ["CRM Id", textAttr(() => [])],
  ["Created At", timeAttr((p) => p.createdAt)],
  ["Updated At", timeAttr((p) => p.updatedAt)],
  ["Tag Type", textAttr((p) => p.tags.map((t) => t.type))],
  ["Tag Value", textAttr((p) => p.tags.map((t) => t.value))],
  ["Workspace Id", numberAttr(() => 1)],
  ["Workspace Name", textAttr((p) => [p.workspace])]
])

const entityAttributes = (fields: ReadonlyArray<FieldDef>): ReadonlyMap<string, Attribute<Entity>> => {
  const map = new Map<string, Attribute<Entity>>([
    ["Id", numberAttr((e) => e.id)],
    ["Created At", timeAttr((e) => e.createdAt)],
    ["Updated At", timeAttr((e) => e.updatedAt)],
    ["OpportunityId", numberAttr((e) => e.opportunityId)],
    ["PersonId", numberAttr((e) => e.personId)]
  ])
  for (const field of fields) {
    if (map.has(field.name) || field.name === "CreatedAt" || field.name === "UpdatedAt") continue
    const get = (e: Entity) => e.fields.get(field.name)
    map.set(
      field.name,
      isNumeric(field.dataType)
        ? numberAttr((e) => {
          const v = get(e)
          return v === undefined ? undefined : Number(v)
        })
        : {
          read: (e) => {
            const v = get(e)
            return v === undefined ? [] : [text(v)]
          },
          parse: (value) => {
            const canonical = canonicalValue(field, value)
            return "error" in canonical ? undefined : text(canonical.value)
          }
        }
    )
  }
  return map
}

const matcher = <A>(
  attributes: ReadonlyMap<string, Attribute<A>>,
  criteria: ReadonlyArray<Wire.MObjCriteria>,
  type: string
): Either.Either<(a: A) => boolean, EmulatorFault> => {
  const tests: Array<(a: A) => boolean> = []
  for (const criterion of criteria) {
    // Accepted and without effect here: nothing is archived.
    if (type === "Program" && criterion.attrName === "Include Archive") continue
    const attribute = attributes.get(criterion.attrName)
    if (attribute === undefined) {
      return Either.left(fault(20114, `unknown criteria attribute '${criterion.attrName}' for ${type}`))
    }
    const right = attribute.parse(criterion.attrValue)
    if (right === undefined) {
      return Either.left(
        fault(20114, `bad criteria value '${criterion.attrValue}' for ${type} attribute '${criterion.attrName}'`)
      )
    }
    tests.push((a) => {
      const values = attribute.read(a)
      // NE holds when no value equals; the others when some value compares so.
      return criterion.comparison === "NE"
        ? values.every((v) => compare(v, "NE", right))
        : values.some((v) => compare(v, criterion.comparison, right))
    })
  }
  return Either.right((a) => tests.every((test) => test(a)))
}

// ---------------------------------------------------------------------------------------
// rendering

const attrib = (name: string, value: string): Wire.Attrib => ({ name, value })

const renderProgram = (program: Program, details: boolean): Wire.MObject => ({
  type: "Program",
  id: program.id,
  createdAt: program.createdAt,
  updatedAt: program.updatedAt,
  attribList: details
    ? [
      attrib("Name", program.name),
      attrib("Type", program.programType),
      attrib("Workspace Id", "1"),
      attrib("Workspace Name", program.workspace),
      attrib("Tree Path", `Marketing Activities > ${program.name}`),
      attrib("Is Archived", "0")
    ]
    : [attrib("Name", program.name)],
  ...(details
    ? {
      typeAttribList: [
        ...program.tags.map((tag) => ({
          attrType: "Tag",
          attrList: [attrib("Type", tag.type), attrib("Value", tag.value)]
        })),
        ...program.costs.map((cost) => ({
          attrType: "Cost",
          attrList: [
            attrib("Id", String(cost.id)),
            attrib("Month", `${cost.month}-01`),
            attrib("Amount", cost.amount),
            ...(cost.note === undefined ? [] : [attrib("Note", cost.note)])
          ]
        }))
      ]
    }
    : {})
})

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

// ---------------------------------------------------------------------------------------
// getMObjects

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
        const pool = params.id !== undefined
          ? [state.programs.get(params.id)].filter((p) => p !== undefined)
          : params.externalKey !== undefined
          ? []
          : state.programs.after(after)
        matches = firstMatches(pool, (p) => p.id > after && test(p))
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
      newStreamPosition: writePosition(secret, { q, a: last ?? (after === Number.NEGATIVE_INFINITY ? 0 : after) }),
      mObjectList: page
    }
  })
