/**
 * The emulator's data: immutable records in persistent Tables, built from seed data. Every
 * change makes a new State; the server keeps the current one in a SynchronizedRef.
 *
 * A Table is persistent (an effect RedBlackTree by id, HashMap indexes beside it): a change
 * costs O(log n) and shares everything else with the Table it came from, so a call that
 * changes a few objects of a store of 100,000 copies none of the rest, and an old State
 * (the seed kept for reset, a page being read) stays as it was.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Order from "effect/Order"
import * as RedBlackTree from "effect/RedBlackTree"
import { canonicalDecimal, type DataType, type FieldDef, opportunityFields, roleFields } from "./fields.js"

/** @internal */
export interface Cost {
  readonly id: number
  /** `YYYY-MM` */
  readonly month: string
  /** A canonical decimal. */
  readonly amount: string
  readonly note?: string
}

/** @internal */
export interface Tag {
  readonly type: string
  readonly value: string
}

/** @internal */
export interface Program {
  readonly id: number
  readonly name: string
  readonly programType: string
  readonly workspace: string
  readonly createdAt: string
  readonly updatedAt: string
  readonly tags: ReadonlyArray<Tag>
  readonly costs: ReadonlyArray<Cost>
}

/** An Opportunity or an OpportunityPersonRole: fields by name, plus its links. @internal */
export interface Entity {
  readonly id: number
  readonly externalKey?: Wire.Attrib
  readonly createdAt: string
  readonly updatedAt: string
  /** Field values as kept (see `canonicalValue`), links and timestamps excluded. */
  readonly fields: ReadonlyMap<string, string>
  /** Opportunity: its Company. */
  readonly companyId?: number
  /** OpportunityPersonRole: its Opportunity and Lead. */
  readonly opportunityId?: number
  readonly personId?: number
}

/** A Lead or a Company: only what associations and roles refer to. @internal */
export interface Party {
  readonly id: number
  readonly name: string
  readonly externalKey?: Wire.Attrib
}

/** What a Table holds: objects with an id, some with an external key. @internal */
export interface Row {
  readonly id: number
  readonly externalKey?: Wire.Attrib
}

/** A set of ids in ascending order. */
type Ids = RedBlackTree.RedBlackTree<number, true>

const noIds: Ids = RedBlackTree.empty(Order.number)

const addId = <K>(index: HashMap.HashMap<K, Ids>, key: K, id: number): HashMap.HashMap<K, Ids> => {
  const ids = Option.getOrElse(HashMap.get(index, key), () => noIds)
  return RedBlackTree.has(ids, id) ? index : HashMap.set(index, key, RedBlackTree.insert(ids, id, true))
}

const removeId = <K>(index: HashMap.HashMap<K, Ids>, key: K, id: number): HashMap.HashMap<K, Ids> => {
  const ids = HashMap.get(index, key)
  if (Option.isNone(ids) || !RedBlackTree.has(ids.value, id)) return index
  const rest = RedBlackTree.removeFirst(ids.value, id)
  return RedBlackTree.size(rest) === 0 ? HashMap.remove(index, key) : HashMap.set(index, key, rest)
}

// JSON keeps a name and a value apart whatever characters they hold.
const keyOf = (key: Wire.Attrib): string => JSON.stringify([key.name, key.value])

const sameKey = (a: Wire.Attrib | undefined, b: Wire.Attrib | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.name === b.name && a.value === b.value)

/**
 * A persistent collection of objects by id, kept in id order (pages follow ids), with an
 * index of external keys and, optionally, of a group (a role's opportunity) so that neither
 * a lookup by key nor the roles of an opportunity need a scan.
 *
 * @internal
 */
export class Table<A extends Row> {
  private constructor(
    private readonly rows: RedBlackTree.RedBlackTree<number, A>,
    private readonly keyIndex: HashMap.HashMap<string, Ids>,
    private readonly groupIndex: HashMap.HashMap<number, Ids>,
    private readonly groupOf: (row: A) => number | undefined
  ) {}

  /** A Table of `rows`; of two rows with one id the later is kept, as in a Map. */
  static make<A extends Row>(
    rows: Iterable<A>,
    groupOf: (row: A) => number | undefined = () => undefined
  ): Table<A> {
    let table = new Table<A>(RedBlackTree.empty(Order.number), HashMap.empty(), HashMap.empty(), groupOf)
    for (const row of rows) table = table.set(row)
    return table
  }

  get size(): number {
    return RedBlackTree.size(this.rows)
  }

  get(id: number): A | undefined {
    return Option.getOrUndefined(RedBlackTree.findFirst(this.rows, id))
  }

  has(id: number): boolean {
    return RedBlackTree.has(this.rows, id)
  }

  /** The ids, ascending. */
  ids(): Iterable<number> {
    return RedBlackTree.keys(this.rows)
  }

  /** The objects, by ascending id. */
  values(): Iterable<A> {
    return RedBlackTree.values(this.rows)
  }

  /** The objects with an id greater than `id`, ascending. */
  *after(id: number): Generator<A> {
    for (const [, row] of RedBlackTree.greaterThan(this.rows, id)) yield row
  }

  /** The objects of `group` with an id greater than `id`, ascending. */
  *inGroup(group: number, id: number): Generator<A> {
    const ids = HashMap.get(this.groupIndex, group)
    if (Option.isNone(ids)) return
    for (const [member] of RedBlackTree.greaterThan(ids.value, id)) {
      const row = this.get(member)
      if (row !== undefined) yield row
    }
  }

  /**
   * The object an external key names: among equal keys the most recently added (highest
   * id) wins, as Marketo documents for its non-unique external keys.
   */
  byExternalKey(key: Wire.Attrib): A | undefined {
    const ids = HashMap.get(this.keyIndex, keyOf(key))
    if (Option.isNone(ids)) return undefined
    const last = RedBlackTree.last(ids.value)
    return Option.isNone(last) ? undefined : this.get(last.value[0])
  }

  /** This Table with `row` added, or replacing the object with its id. */
  set(row: A): Table<A> {
    const old = this.get(row.id)
    const rows = RedBlackTree.insert(
      old === undefined ? this.rows : RedBlackTree.removeFirst(this.rows, row.id),
      row.id,
      row
    )
    let keyIndex = this.keyIndex
    if (!sameKey(old?.externalKey, row.externalKey)) {
      if (old?.externalKey !== undefined) keyIndex = removeId(keyIndex, keyOf(old.externalKey), row.id)
      if (row.externalKey !== undefined) keyIndex = addId(keyIndex, keyOf(row.externalKey), row.id)
    }
    let groupIndex = this.groupIndex
    const oldGroup = old === undefined ? undefined : this.groupOf(old)
    const group = this.groupOf(row)
    if (oldGroup !== group) {
      if (oldGroup !== undefined) groupIndex = removeId(groupIndex, oldGroup, row.id)
      if (group !== undefined) groupIndex = addId(groupIndex, group, row.id)
    }
    return new Table(rows, keyIndex, groupIndex, this.groupOf)
  }

  /** This Table without the object `id`; itself when there is none. */
  remove(id: number): Table<A> {
    const old = this.get(id)
    if (old === undefined) return this
    const group = this.groupOf(old)
    return new Table(
      RedBlackTree.removeFirst(this.rows, id),
      old.externalKey === undefined ? this.keyIndex : removeId(this.keyIndex, keyOf(old.externalKey), id),
      group === undefined ? this.groupIndex : removeId(this.groupIndex, group, id),
      this.groupOf
    )
  }
}

/**
 * The group a role belongs to in `State.roles`: its opportunity, so deleting an opportunity
 * finds its roles without a scan.
 *
 * @internal
 */
export const rolesGroup = (role: Entity): number | undefined => role.opportunityId

/** @internal */
export interface State {
  readonly programs: Table<Program>
  readonly opportunities: Table<Entity>
  /** Grouped by their opportunity. */
  readonly roles: Table<Entity>
  readonly leads: Table<Party>
  readonly companies: Table<Party>
  /** Tag type to its allowed values. */
  readonly tagTypes: ReadonlyMap<string, ReadonlyArray<string>>
  readonly opportunityFields: ReadonlyArray<FieldDef>
  readonly roleFields: ReadonlyArray<FieldDef>
  readonly nextId: {
    readonly Opportunity: number
    readonly OpportunityPersonRole: number
    readonly Cost: number
  }
}

/**
 * The initial data of an emulator.
 *
 * @internal
 */
export interface SeedData {
  readonly programs?: ReadonlyArray<{
    readonly id: number
    readonly name: string
    readonly type?: string
    readonly workspace?: string
    readonly tags?: ReadonlyArray<Tag>
    readonly costs?: ReadonlyArray<
      { readonly id: number; readonly month: string; readonly amount: number | string; readonly note?: string }
    >
  }>
  readonly tagTypes?: ReadonlyArray<{ readonly type: string; readonly values: ReadonlyArray<string> }>
  readonly opportunities?: ReadonlyArray<{
    readonly id: number
    readonly externalKey?: Wire.Attrib
    readonly fields?: { readonly [name: string]: string }
    readonly companyId?: number
  }>
  readonly opportunityPersonRoles?: ReadonlyArray<{
    readonly id: number
    readonly opportunityId: number
    readonly personId: number
    readonly externalKey?: Wire.Attrib
    readonly fields?: { readonly [name: string]: string }
  }>
  readonly leads?: ReadonlyArray<{ readonly id: number; readonly email: string; readonly externalKey?: Wire.Attrib }>
  readonly companies?: ReadonlyArray<{ readonly id: number; readonly name: string; readonly externalKey?: Wire.Attrib }>
  /** Custom fields describeMObject reports and syncMObjects accepts, per type. */
  readonly customFields?: {
    readonly Opportunity?: ReadonlyArray<{ readonly name: string; readonly dataType: DataType }>
    readonly OpportunityPersonRole?: ReadonlyArray<{ readonly name: string; readonly dataType: DataType }>
  }
}

/**
 * The objects Marketo's documented examples refer to, and a few more.
 *
 * @internal
 */
export const defaultSeed: SeedData = {
  tagTypes: [
    { type: "Channel", values: ["Trade Show", "Webinar", "Email", "Content", "Online Advertising"] },
    { type: "Region", values: ["EMEA", "Americas", "APAC"] }
  ],
  programs: [
    {
      id: 1970,
      name: "Summer Trade Show 2013",
      type: "Event",
      tags: [{ type: "Channel", value: "Trade Show" }],
      costs: [{ id: 153, month: "2013-06", amount: 1500, note: "Booth" }]
    },
    { id: 1001, name: "Welcome Emails", type: "Default", tags: [{ type: "Channel", value: "Email" }] },
    {
      id: 1002,
      name: "Product Webinar",
      type: "Event",
      tags: [{ type: "Channel", value: "Webinar" }, { type: "Region", value: "EMEA" }],
      costs: [{ id: 101, month: "2013-04", amount: 800 }]
    },
    { id: 1003, name: "Nurture Track", type: "Engagement" }
  ],
  companies: [
    { id: 7, name: "Acme Corp", externalKey: { name: "companyId", value: "COMP-1" } },
    { id: 8, name: "Globex", externalKey: { name: "companyId", value: "COMP-2" } }
  ],
  leads: [
    { id: 19, email: "jane.doe@example.com", externalKey: { name: "leadId", value: "LEAD-19" } },
    { id: 20, email: "john.roe@example.com" }
  ],
  opportunities: [
    {
      id: 64,
      externalKey: { name: "opportunityId", value: "OPP-64" },
      companyId: 7,
      fields: { Name: "Acme renewal", Type: "Renewal", Stage: "Prospecting", Amount: "12500", CloseDate: "2013-09-30" }
    },
    { id: 65, companyId: 8, fields: { Name: "Globex expansion", Type: "New Business", Stage: "Closed Won" } }
  ],
  opportunityPersonRoles: [{
    id: 30,
    opportunityId: 64,
    personId: 19,
    fields: { Role: "Decision Maker", IsPrimary: "1" }
  }],
  customFields: {
    Opportunity: [{ name: "opportunityId", dataType: "string" }, { name: "Region", dataType: "string" }],
    OpportunityPersonRole: []
  }
}

const epoch = Signature.formatTimestamp(Date.UTC(2013, 0, 1))

const maxId = (ids: Iterable<number>, floor: number): number => {
  let max = floor
  for (const id of ids) if (id > max) max = id
  return max
}

/**
 * The State a seed describes. Seeded objects carry a fixed creation time, so two
 * emulators built from one seed answer alike.
 *
 * @internal
 */
export const fromSeed = (seed: SeedData): State => {
  const custom = (defs: ReadonlyArray<{ name: string; dataType: DataType }> | undefined): Array<FieldDef> =>
    (defs ?? []).map((def) => ({ name: def.name, displayName: def.name, dataType: def.dataType, isCustom: true }))
  const programs = Table.make<Program>(
    (seed.programs ?? []).map((p) => ({
      id: p.id,
      name: p.name,
      programType: p.type ?? "Default",
      workspace: p.workspace ?? "Default",
      createdAt: epoch,
      updatedAt: epoch,
      tags: p.tags ?? [],
      costs: (p.costs ?? []).map((c) => ({
        id: c.id,
        month: c.month.slice(0, 7),
        amount: canonicalDecimal(String(c.amount)) ?? "0",
        ...(c.note === undefined ? {} : { note: c.note })
      }))
    }))
  )
  const fieldsOf = (fields: { readonly [name: string]: string } | undefined) => new Map(Object.entries(fields ?? {}))
  const opportunities = Table.make<Entity>(
    (seed.opportunities ?? []).map((o) => ({
      id: o.id,
      createdAt: epoch,
      updatedAt: epoch,
      fields: fieldsOf(o.fields),
      ...(o.externalKey === undefined ? {} : { externalKey: o.externalKey }),
      ...(o.companyId === undefined ? {} : { companyId: o.companyId })
    }))
  )
  const roles = Table.make<Entity>(
    (seed.opportunityPersonRoles ?? []).map((r) => ({
      id: r.id,
      createdAt: epoch,
      updatedAt: epoch,
      fields: fieldsOf(r.fields),
      opportunityId: r.opportunityId,
      personId: r.personId,
      ...(r.externalKey === undefined ? {} : { externalKey: r.externalKey })
    })),
    rolesGroup
  )
  const party = (p: { id: number; name: string; externalKey?: Wire.Attrib }): Party => ({
    id: p.id,
    name: p.name,
    ...(p.externalKey === undefined ? {} : { externalKey: p.externalKey })
  })
  const costIds = [...programs.values()].flatMap((p) => p.costs.map((c) => c.id))
  return {
    programs,
    opportunities,
    roles,
    leads: Table.make((seed.leads ?? []).map((l) => party({ ...l, name: l.email }))),
    companies: Table.make((seed.companies ?? []).map(party)),
    tagTypes: new Map((seed.tagTypes ?? []).map((t) => [t.type, t.values])),
    opportunityFields: [...opportunityFields, ...custom(seed.customFields?.Opportunity)],
    roleFields: [...roleFields, ...custom(seed.customFields?.OpportunityPersonRole)],
    nextId: {
      Opportunity: maxId(opportunities.ids(), 1000) + 1,
      OpportunityPersonRole: maxId(roles.ids(), 1000) + 1,
      Cost: maxId(costIds, 1000) + 1
    }
  }
}
