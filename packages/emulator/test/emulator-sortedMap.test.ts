import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import { makeOwner, SortedMap } from "../src/internal/sortedMap.js"

// Enough operations over a key range wide enough that leaves and branches split, empty and
// collapse many times (a node holds 32).
const ops = FastCheck.array(
  FastCheck.record({
    remove: FastCheck.boolean(),
    key: FastCheck.oneof(FastCheck.integer({ min: 0, max: 3000 }), FastCheck.integer({ min: 0, max: 40 })),
    value: FastCheck.integer()
  }),
  { minLength: 200, maxLength: 3000 }
)

describe("Emulator: SortedMap", () => {
  it.prop("answers as a sorted scan of a Map would, and leaves earlier versions unchanged", [ops], ([list]) => {
    let map = SortedMap.empty<number, number>()
    const model = new Map<number, number>()
    const versions: Array<[SortedMap<number, number>, Array<[number, number]>]> = []
    list.forEach((step, i) => {
      if (step.remove) {
        map = map.remove(step.key)
        model.delete(step.key)
      } else {
        map = map.set(step.key, step.value)
        model.set(step.key, step.value)
      }
      if (i % 97 === 0 || i === list.length - 1) {
        const sorted = [...model].sort((a, b) => a[0] - b[0])
        versions.push([map, sorted])
        expect(map.size).toBe(model.size)
        expect([...map.entries()]).toEqual(sorted)
        expect([...map.entries(1500)]).toEqual(sorted.filter(([k]) => k > 1500))
        expect(map.last()).toEqual(sorted.at(-1))
        for (const key of [0, 17, 40, 1500, 2999, 3000]) expect(map.get(key)).toBe(model.get(key))
      }
    })
    for (const [version, sorted] of versions) expect([...version.entries()]).toEqual(sorted)
  })

  it.prop(
    "a batch that writes its own nodes in place answers as one that copies, and changes no map made before it",
    [ops, FastCheck.array(FastCheck.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 })],
    ([list, cuts]) => {
      // The same steps, in batches of the given lengths (each with its owner), and without owners.
      let copied = SortedMap.empty<number, number>()
      let batched = SortedMap.empty<number, number>()
      const published: Array<[SortedMap<number, number>, Array<readonly [number, number]>]> = []
      let at = 0
      for (const cut of [...cuts, list.length]) {
        const owner = makeOwner()
        for (const step of list.slice(at, at + cut)) {
          copied = step.remove ? copied.remove(step.key) : copied.set(step.key, step.value)
          batched = step.remove ? batched.remove(step.key) : batched.set(step.key, step.value, owner)
        }
        at += cut
        expect(batched.size).toBe(copied.size)
        expect([...batched.entries()]).toEqual([...copied.entries()])
        published.push([batched, [...batched.entries()]])
      }
      for (const [version, entries] of published) expect([...version.entries()]).toEqual(entries)
    }
  )

  it("keeps ascending inserts in full leaves and stays shallow at 100,000 entries", () => {
    let map = SortedMap.empty<number, string>()
    for (let i = 0; i < 100_000; i++) map = map.set(i, "x")
    expect(map.size).toBe(100_000)
    expect(map.get(99_999)).toBe("x")
    expect(map.last()?.[0]).toBe(99_999)
    expect([...map.entries(99_990)].map(([k]) => k)).toEqual([
      99_991,
      99_992,
      99_993,
      99_994,
      99_995,
      99_996,
      99_997,
      99_998,
      99_999
    ])
    for (let i = 0; i < 100_000; i += 2) map = map.remove(i)
    expect(map.size).toBe(50_000)
    expect([...map.entries()].every(([k]) => k % 2 === 1)).toBe(true)
  })

  it("orders string keys by code unit and finds them", () => {
    const keys = ["b", "a", "ab", "", "\uFFFF", "é", "B"]
    let map = SortedMap.empty<string, number>()
    keys.forEach((k, i) => (map = map.set(k, i)))
    expect([...map.entries()].map(([k]) => k)).toEqual([...keys].sort())
    keys.forEach((k, i) => expect(map.get(k)).toBe(i))
    expect(map.get("c")).toBeUndefined()
  })
})
