/**
 * A persistent collection of objects by id (a SortedMap, a B+tree), with indexes of
 * external keys and of a group beside it: a change costs O(log n) and shares everything
 * else with the Table it came from, so a call that changes a few objects of a store of
 * 1,000,000 copies none of the rest, and an old version (the seed kept for reset, a page
 * being read) stays as it was.
 *
 * Memory per object is kept small: the key index holds the object's own key strings (one
 * name table per key name, the values by value), and an id that is alone under its key or
 * group is kept as a number, not as a set of one.
 */
import type * as Wire from "@mktows/core/Wire"
import { type Owner, SortedMap } from "./sortedMap.js"

/** What a Table holds: objects with an id, some with an external key. @internal */
export interface Row {
  readonly id: number
  readonly externalKey?: Wire.Attrib | undefined
}

/** The ids under one key or group: one id alone, or a set of several (highest last). */
type Ids = number | SortedMap<number, true>

const addId = (ids: Ids | undefined, id: number): Ids => {
  if (ids === undefined || ids === id) return id
  const set = typeof ids === "number" ? SortedMap.empty<number, true>().set(ids, true) : ids
  return set.set(id, true)
}

/** The ids without `id`; `undefined` when none is left. */
const removeId = (ids: Ids | undefined, id: number): Ids | undefined => {
  if (ids === undefined || ids === id) return undefined
  if (typeof ids === "number") return ids
  const rest = ids.remove(id)
  if (rest.size === 0) return undefined
  const only = rest.size === 1 ? rest.last() : undefined
  return only === undefined ? rest : only[0]
}

const highest = (ids: Ids): number => typeof ids === "number" ? ids : ids.last()?.[0] ?? -1

function* idsAfter(ids: Ids, after: number): Generator<number> {
  if (typeof ids === "number") {
    if (ids > after) yield ids
    return
  }
  for (const [id] of ids.entries(after)) yield id
}

const update = <K extends number | string>(
  index: SortedMap<K, Ids>,
  key: K,
  f: (ids: Ids | undefined) => Ids | undefined,
  owner: Owner | undefined
): SortedMap<K, Ids> => {
  const before = index.get(key)
  const after = f(before)
  return after === before ? index : after === undefined ? index.remove(key) : index.set(key, after, owner)
}

/** External keys: by key name, then by value. */
type KeyIndex = SortedMap<string, SortedMap<string, Ids>>

const updateKey = (
  index: KeyIndex,
  key: Wire.Attrib,
  f: (ids: Ids | undefined) => Ids | undefined,
  owner: Owner | undefined
): KeyIndex => {
  const byValue = index.get(key.name) ?? SortedMap.empty<string, Ids>()
  const next = update(byValue, key.value, f, owner)
  return next === byValue ? index : next.size === 0 ? index.remove(key.name) : index.set(key.name, next, owner)
}

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
    private readonly rows: SortedMap<number, A>,
    private readonly keyIndex: KeyIndex,
    private readonly groupIndex: SortedMap<number, Ids>,
    private readonly groupOf: (row: A) => number | undefined
  ) {}

  /** A Table of `rows`; of two rows with one id the later is kept, as in a Map. */
  static make<A extends Row>(
    rows: Iterable<A>,
    groupOf: (row: A) => number | undefined = () => undefined
  ): Table<A> {
    let table = new Table<A>(SortedMap.empty(), SortedMap.empty(), SortedMap.empty(), groupOf)
    for (const row of rows) table = table.set(row)
    return table
  }

  get size(): number {
    return this.rows.size
  }

  get(id: number): A | undefined {
    return this.rows.get(id)
  }

  has(id: number): boolean {
    return this.rows.has(id)
  }

  /** The ids, ascending. */
  *ids(): Generator<number> {
    for (const [id] of this.rows.entries()) yield id
  }

  /** The objects, by ascending id. */
  *values(): Generator<A> {
    for (const [, row] of this.rows.entries()) yield row
  }

  /** The objects with an id greater than `id`, ascending. */
  *after(id: number): Generator<A> {
    for (const [, row] of this.rows.entries(id)) yield row
  }

  /** The objects of `group` with an id greater than `id`, ascending. */
  *inGroup(group: number, id: number): Generator<A> {
    const ids = this.groupIndex.get(group)
    if (ids === undefined) return
    for (const member of idsAfter(ids, id)) {
      const row = this.get(member)
      if (row !== undefined) yield row
    }
  }

  /**
   * The object an external key names: among equal keys the most recently added (highest
   * id) wins, as Marketo documents for its non-unique external keys.
   */
  byExternalKey(key: Wire.Attrib): A | undefined {
    const ids = this.keyIndex.get(key.name)?.get(key.value)
    return ids === undefined ? undefined : this.get(highest(ids))
  }

  /**
   * The key name as this Table already holds it, so that a million objects with the key
   * `opportunityId` share one string rather than each keeping its own copy.
   */
  keyName(name: string): string {
    return this.keyIndex.storedKey(name) ?? name
  }

  /**
   * This Table with `row` added, or replacing the object with its id. With an `owner`, the
   * nodes that owner made are written in place (see `SortedMap.set`): the Tables it returned
   * before are then stale, and only the last one is to be used.
   */
  set(row: A, owner?: Owner): Table<A> {
    const old = this.get(row.id)
    const rows = this.rows.set(row.id, row, owner)
    let keyIndex = this.keyIndex
    const oldKey = old?.externalKey
    const key = row.externalKey
    if (!sameKey(oldKey, key)) {
      if (oldKey !== undefined) keyIndex = updateKey(keyIndex, oldKey, (ids) => removeId(ids, row.id), owner)
      if (key !== undefined) keyIndex = updateKey(keyIndex, key, (ids) => addId(ids, row.id), owner)
    }
    let groupIndex = this.groupIndex
    const oldGroup = old === undefined ? undefined : this.groupOf(old)
    const group = this.groupOf(row)
    if (oldGroup !== group) {
      if (oldGroup !== undefined) groupIndex = update(groupIndex, oldGroup, (ids) => removeId(ids, row.id), owner)
      if (group !== undefined) groupIndex = update(groupIndex, group, (ids) => addId(ids, row.id), owner)
    }
    return new Table(rows, keyIndex, groupIndex, this.groupOf)
  }

  /** This Table without the object `id`; itself when there is none. */
  remove(id: number): Table<A> {
    const old = this.get(id)
    if (old === undefined) return this
    const key = old.externalKey
    const group = this.groupOf(old)
    return new Table(
      this.rows.remove(id),
      key === undefined ? this.keyIndex : updateKey(this.keyIndex, key, (ids) => removeId(ids, id), undefined),
      group === undefined ? this.groupIndex : update(this.groupIndex, group, (ids) => removeId(ids, id), undefined),
      this.groupOf
    )
  }
}
