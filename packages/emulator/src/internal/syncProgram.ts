/**
 * syncMObjects of a Program: Marketo lets the API add and change period costs and set tags
 * of an existing program, nothing else.
 */
import type * as Wire from "@mktows/core/Wire"
import { canonicalDecimal } from "./fields.js"
import type { Cost, State, Tag } from "./state.js"
import { failed, maxObjectId, type Status, status, type Working } from "./working.js"

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

interface Entries {
  readonly costs: ReadonlyArray<Cost>
  readonly tags: ReadonlyArray<Tag>
  readonly nextCost: number
}

/** A Cost entry applied: a new period cost without Id, a change of the cost with its Id. */
const applyCost = (entries: Entries, attribs: Map<string, string>, programId: number): Entries | string => {
  for (const name of attribs.keys()) {
    if (!["Id", "Month", "Amount", "Note"].includes(name)) return `unknown Cost attribute ${name}`
  }
  const month = attribs.get("Month")
  const amountText = attribs.get("Amount")
  const note = attribs.get("Note")
  if (month === undefined) return "Cost needs a Month"
  if (amountText === undefined) return "Cost needs an Amount"
  const monthMatch = monthPattern.exec(month.trim())
  if (monthMatch === null) return `bad value for Month: '${month}' is not a month (YYYY-MM)`
  const amount = canonicalDecimal(amountText)
  if (amount === undefined) return `bad value for Amount: '${amountText}' is not a decimal number`
  const cost: Cost = {
    id: 0,
    month: `${monthMatch[1]}-${monthMatch[2]}`,
    amount,
    ...(note === undefined ? {} : { note })
  }
  const idText = attribs.get("Id")
  if (idText === undefined) {
    if (entries.nextCost > maxObjectId) return `no Cost id is left: ids are xs:int, and ${maxObjectId} is taken`
    return { ...entries, costs: [...entries.costs, { ...cost, id: entries.nextCost }], nextCost: entries.nextCost + 1 }
  }
  const id = canonicalDecimal(idText)
  const existing = id === undefined ? undefined : entries.costs.find((c) => String(c.id) === id)
  if (existing === undefined) return `no Cost with Id ${idText} on Program ${programId}`
  const updated: Cost = {
    ...cost,
    id: existing.id,
    ...(note === undefined && existing.note !== undefined ? { note: existing.note } : {})
  }
  return { ...entries, costs: entries.costs.map((c) => c.id === existing.id ? updated : c) }
}

/** A Tag entry applied: the program's tag of that type set, if the type and value exist. */
const applyTag = (state: State, entries: Entries, attribs: Map<string, string>): Entries | string => {
  for (const name of attribs.keys()) {
    if (name !== "Type" && name !== "Value") return `unknown Tag attribute ${name}`
  }
  const type = attribs.get("Type")
  const value = attribs.get("Value")
  if (type === undefined || value === undefined) return "Tag needs a Type and a Value"
  const values = state.tagTypes.get(type)
  if (values === undefined) return `no tag type '${type}'; tag types cannot be created through the API`
  if (!values.includes(value)) {
    return `no value '${value}' for tag type '${type}'; tag values cannot be created through the API`
  }
  const tags = entries.tags.some((t) => t.type === type)
    ? entries.tags.map((t) => t.type === type ? { type, value } : t)
    : [...entries.tags, { type, value }]
  return { ...entries, tags }
}

/**
 * A Program object of syncMObjects: UPDATE only, its Cost and Tag entries (tags of existing
 * types and values only); its attributes cannot change.
 *
 * @internal
 */
export const syncProgram = (
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
  let entries: Entries = { costs: program.costs, tags: program.tags, nextCost: work.nextId.Cost }
  for (const entry of object.typeAttribList ?? []) {
    const attribs = attribMap(entry.attrList)
    const next = entry.attrType === "Cost"
      ? applyCost(entries, attribs, program.id)
      : entry.attrType === "Tag"
      ? applyTag(state, entries, attribs)
      : `unknown attrType '${entry.attrType}' for Program (Cost or Tag)`
    if (typeof next === "string") return failed(object, next)
    entries = next
  }
  if (sameCosts(entries.costs, program.costs) && sameTags(entries.tags, program.tags)) {
    return status(object, program.id, "UNCHANGED")
  }
  work.programs = work.programs.set(
    { ...program, costs: entries.costs, tags: entries.tags, updatedAt: now },
    work.owner
  )
  work.nextId.Cost = entries.nextCost
  return status(object, program.id, "UPDATED")
}
