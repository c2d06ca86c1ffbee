/**
 * A persistent sorted map (a B+tree): a change copies only the path to one leaf and shares
 * everything else with the map it came from, like a red-black tree, but an entry costs two
 * array slots in a leaf instead of an object of its own, which is most of the memory of a
 * store of a million objects. Keys are numbers or strings, ordered by `<`.
 *
 * The functions below build new arrays with plain loops: local mutation of arrays no one
 * else holds yet, on the store's hottest path.
 */

type Key = number | string

/**
 * A batch of changes made by one owner: nodes a batch has made are its own until it ends, so
 * it changes them in place rather than copying them again. A syncMObjects call of 100 new
 * objects otherwise copied the same path of full leaves and branches 100 times (most of the
 * store's work per object, and of its garbage). The owner is a fresh object per batch and is
 * never used again once the batch's result is published, so a published map is never changed.
 *
 * @internal
 */
export interface Owner {
  readonly _Owner: unique symbol
}

/** A new owner, for one batch. @internal */
export const makeOwner = (): Owner => ({}) as Owner

// An index the code has just checked is in range; the arrays hold no holes.
const item = <T>(array: ReadonlyArray<T>, index: number): T => array[index] as T

// Writable only by the batch that owns the node (see Owner); read-only to everyone else.
interface Leaf<K extends Key, V> {
  readonly leaf: true
  keys: Array<K>
  values: Array<V>
  readonly owner: Owner | undefined
}

interface Branch<K extends Key, V> {
  readonly leaf: false
  /** The lowest key of each child. */
  keys: Array<K>
  children: Array<Node<K, V>>
  readonly owner: Owner | undefined
}

type Node<K extends Key, V> = Leaf<K, V> | Branch<K, V>

// Entries per leaf and children per branch: a copy of a leaf stays small, the tree shallow.
const width = 32

/** The first index whose key is >= `key` (or the length). */
// Arrays built at their exact length: `splice` and `push` leave spare capacity behind, and a
// leaf lives as long as the store does.

/** `array` with `value` inserted at `at`. */
const insertAt = <T>(array: ReadonlyArray<T>, at: number, value: T): Array<T> => {
  const out = new Array<T>(array.length + 1)
  for (let i = 0; i < at; i++) out[i] = item(array, i)
  out[at] = value
  for (let i = at; i < array.length; i++) out[i + 1] = item(array, i)
  return out
}

/** `array` without the element at `at`. */
const removeAt = <T>(array: ReadonlyArray<T>, at: number): Array<T> => {
  const out = new Array<T>(array.length - 1)
  for (let i = 0; i < at; i++) out[i] = item(array, i)
  for (let i = at + 1; i < array.length; i++) out[i - 1] = item(array, i)
  return out
}

/** `array` with the element at `at` replaced. */
const replaceAt = <T>(array: ReadonlyArray<T>, at: number, value: T): Array<T> => {
  const out = array.slice()
  out[at] = value
  return out
}

const lowerBound = <K extends Key>(keys: ReadonlyArray<K>, key: K): number => {
  let low = 0
  let high = keys.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (item(keys, mid) < key) low = mid + 1
    else high = mid
  }
  return low
}

/** The first index whose key is > `key` (or the length). */
const upperBound = <K extends Key>(keys: ReadonlyArray<K>, key: K): number => {
  let low = 0
  let high = keys.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (item(keys, mid) <= key) low = mid + 1
    else high = mid
  }
  return low
}

/** The child of a branch that holds `key`, or would. */
const childIndex = <K extends Key>(keys: ReadonlyArray<K>, key: K): number => Math.max(0, upperBound(keys, key) - 1)

const leaf = <K extends Key, V>(keys: Array<K>, values: Array<V>, owner: Owner | undefined): Leaf<K, V> => ({
  leaf: true,
  keys,
  values,
  owner
})

const branch = <K extends Key, V>(
  keys: Array<K>,
  children: Array<Node<K, V>>,
  owner: Owner | undefined
): Branch<K, V> => ({
  leaf: false,
  keys,
  children,
  owner
})

/**
 * Where an overfull array is cut: after `width` entries when the new entry went last (keys
 * that grow, as ids do, then fill every leaf), else in the middle.
 */
const cutAt = (length: number, insertedAt: number): number => insertedAt === length - 1 ? width : length >>> 1

interface Inserted<K extends Key, V> {
  readonly node: Node<K, V>
  /** The right half when `node` was cut in two. */
  readonly split: Node<K, V> | undefined
  readonly added: boolean
  /** False when the key already had this very value: nothing was made or written. */
  readonly changed: boolean
}

/**
 * `node` with `key` set to `value`. A node `owner` owns is written in place; any other is
 * copied, and the copy is `owner`'s. Every array of an owned node was made by its batch for
 * that node alone, so writing it changes no other node (a leaf's keys are never written in
 * place, only replaced, so a copy that only changes a value may share them). Leaves stay at
 * their exact length either way. A node made by a batch has a parent made by the same batch
 * (a change copies the whole path), so a child written in place has an owned parent.
 */
const insert = <K extends Key, V>(
  node: Node<K, V>,
  key: K,
  value: V,
  owner: Owner | undefined
): Inserted<K, V> => {
  const owned = owner !== undefined && node.owner === owner
  if (node.leaf) {
    const at = lowerBound(node.keys, key)
    if (at < node.keys.length && node.keys[at] === key) {
      if (item(node.values, at) === value) return { node, split: undefined, added: false, changed: false }
      if (!owned) {
        return {
          node: leaf(node.keys, replaceAt(node.values, at, value), owner),
          split: undefined,
          added: false,
          changed: true
        }
      }
      node.values[at] = value
      return { node, split: undefined, added: false, changed: true }
    }
    const keys = insertAt(node.keys, at, key)
    const values = insertAt(node.values, at, value)
    if (keys.length <= width) {
      if (!owned) return { node: leaf(keys, values, owner), split: undefined, added: true, changed: true }
      node.keys = keys
      node.values = values
      return { node, split: undefined, added: true, changed: true }
    }
    const cut = cutAt(keys.length, at)
    return {
      node: leaf(keys.slice(0, cut), values.slice(0, cut), owner),
      split: leaf(keys.slice(cut), values.slice(cut), owner),
      added: true,
      changed: true
    }
  }
  const at = childIndex(node.keys, key)
  const inserted = insert(item(node.children, at), key, value, owner)
  if (!inserted.changed) return { node, split: undefined, added: false, changed: false }
  let keys: Array<K>
  let children: Array<Node<K, V>>
  if (owned) {
    keys = node.keys
    children = node.children
    keys[at] = item(inserted.node.keys, 0)
    children[at] = inserted.node
  } else {
    keys = replaceAt(node.keys, at, item(inserted.node.keys, 0))
    children = replaceAt(node.children, at, inserted.node)
  }
  if (inserted.split !== undefined) {
    keys = insertAt(keys, at + 1, item(inserted.split.keys, 0))
    children = insertAt(children, at + 1, inserted.split)
  }
  if (children.length <= width) {
    if (!owned) return { node: branch(keys, children, owner), split: undefined, added: inserted.added, changed: true }
    node.keys = keys
    node.children = children
    return { node, split: undefined, added: inserted.added, changed: true }
  }
  const cut = cutAt(children.length, at + 1)
  return {
    node: branch(keys.slice(0, cut), children.slice(0, cut), owner),
    split: branch(keys.slice(cut), children.slice(cut), owner),
    added: inserted.added,
    changed: true
  }
}

/** The node without `key`: the same node when it has none, `undefined` when it is left empty. */
const remove = <K extends Key, V>(node: Node<K, V>, key: K): Node<K, V> | undefined => {
  if (node.leaf) {
    const at = lowerBound(node.keys, key)
    if (at === node.keys.length || node.keys[at] !== key) return node
    if (node.keys.length === 1) return undefined
    return leaf(removeAt(node.keys, at), removeAt(node.values, at), undefined)
  }
  const at = childIndex(node.keys, key)
  const child = item(node.children, at)
  const removed = remove(child, key)
  if (removed === child) return node
  if (removed === undefined) {
    return node.children.length === 1
      ? undefined
      : branch(removeAt(node.keys, at), removeAt(node.children, at), undefined)
  }
  // Underfull nodes are kept: lookups stay correct and the depth never grows on removal.
  return branch(replaceAt(node.keys, at, item(removed.keys, 0)), replaceAt(node.children, at, removed), undefined)
}

/**
 * A persistent map sorted by key.
 *
 * @internal
 */
export class SortedMap<K extends Key, V> {
  private constructor(private readonly root: Node<K, V> | undefined, readonly size: number) {}

  static empty<K extends Key, V>(): SortedMap<K, V> {
    return new SortedMap<K, V>(undefined, 0)
  }

  get(key: K): V | undefined {
    let node = this.root
    while (node !== undefined && !node.leaf) node = node.children[childIndex(node.keys, key)]
    if (node === undefined) return undefined
    const at = lowerBound(node.keys, key)
    return at < node.keys.length && node.keys[at] === key ? node.values[at] : undefined
  }

  /** The key equal to `key` as this map holds it (one string shared by all who ask), if any. */
  storedKey(key: K): K | undefined {
    let node = this.root
    while (node !== undefined && !node.leaf) node = node.children[childIndex(node.keys, key)]
    if (node === undefined) return undefined
    const at = lowerBound(node.keys, key)
    return at < node.keys.length && node.keys[at] === key ? node.keys[at] : undefined
  }

  has(key: K): boolean {
    return this.get(key) !== undefined
  }

  /**
   * This map with `key` set to `value` (itself when it already was). With an `owner`, the
   * nodes that owner made are written in place (see {@link Owner}): the maps it returned
   * before are then stale, and only the last one is to be used.
   */
  set(key: K, value: V, owner?: Owner): SortedMap<K, V> {
    if (this.root === undefined) return new SortedMap(leaf([key], [value], owner), 1)
    const inserted = insert(this.root, key, value, owner)
    if (!inserted.changed) return this
    const root = inserted.split === undefined
      ? inserted.node
      : branch([item(inserted.node.keys, 0), item(inserted.split.keys, 0)], [inserted.node, inserted.split], owner)
    return new SortedMap(root, this.size + (inserted.added ? 1 : 0))
  }

  /** This map without `key` (itself when it has none). */
  remove(key: K): SortedMap<K, V> {
    if (this.root === undefined) return this
    let root = remove(this.root, key)
    if (root === this.root) return this
    while (root !== undefined && !root.leaf && root.children.length === 1) root = root.children[0]
    return new SortedMap(root, this.size - 1)
  }

  /** The entry with the highest key. */
  last(): readonly [K, V] | undefined {
    let node = this.root
    while (node !== undefined && !node.leaf) node = node.children[node.children.length - 1]
    if (node === undefined) return undefined
    return [item(node.keys, node.keys.length - 1), item(node.values, node.values.length - 1)]
  }

  /** The entries with a key greater than `after` (all of them without it), ascending. */
  *entries(after?: K): Generator<readonly [K, V]> {
    if (this.root === undefined) return
    // A stack of (branch, next child) from the root down to the current leaf.
    const stack: Array<{ node: Branch<K, V>; next: number }> = []
    let node: Node<K, V> = this.root
    while (!node.leaf) {
      const at = after === undefined ? 0 : childIndex(node.keys, after)
      stack.push({ node, next: at + 1 })
      node = item(node.children, at)
    }
    let start = after === undefined ? 0 : upperBound(node.keys, after)
    for (;;) {
      for (let i = start; i < node.keys.length; i++) yield [item(node.keys, i), item(node.values, i)]
      let top = stack[stack.length - 1]
      while (top !== undefined && top.next >= top.node.children.length) {
        stack.pop()
        top = stack[stack.length - 1]
      }
      if (top === undefined) return
      node = item(top.node.children, top.next++)
      while (!node.leaf) {
        stack.push({ node, next: 1 })
        node = item(node.children, 0)
      }
      start = 0
    }
  }
}
