/**
 * A persistent collection of objects by id (an effect RedBlackTree), with HashMap indexes of
 * external keys and of a group beside it: a change costs O(log n) and shares everything
 * else with the Table it came from, so a call that changes a few objects of a store of
 * 100,000 copies none of the rest, and an old version (the seed kept for reset, a page
 * being read) stays as it was.
 */
import type * as Wire from "@mktows/core/Wire"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Order from "effect/Order"
import * as RedBlackTree from "effect/RedBlackTree"

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
