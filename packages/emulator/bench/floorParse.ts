/**
 * The floor's parse of a syncMObjects request, for `floor.bench.ts` and its floor server
 * (`floorServer.ts`): fast-xml-parser (the parser the design mandates) with the cheapest
 * options that still yield the MObjects, and the objects of the bench's requests.
 *
 * The parser keeps no tree (`updateTag` answers false for every element, as the codec drives
 * it) and builds nothing of its own: its text callback fills one plain object per MObject (its
 * type, external key, attributes and the key of its company), following the request's layout
 * by depth. It reads the layout the codec writes and nothing more: no namespace resolved, no
 * reference decoded (a value keeps its text as written), the header and the operation not
 * read, nothing checked. That is the least any server parsing with fast-xml-parser must do to
 * have the objects; the smoke test and the bench itself check that it yields what the
 * emulator's own decode yields for the bench's request.
 *
 * No runtime import of mktows here: the floor server loads fast-xml-parser and node:http only.
 */
import type * as Wire from "@mktows/core/Wire"
import { type X2jOptions, XMLParser } from "fast-xml-parser"

/** One MObject as the floor keeps it: plain fields, the attributes as a record. */
export interface FloorObject {
  type: string
  keyName: string
  key: string
  fields: Record<string, string>
  companyKey: string | undefined
  /** The store's id: 0 until stored. */
  id: number
}

/** Objects per request, as `emulator.bench.ts` sends them. */
export const batch = 100

/**
 * The 100 Opportunities of one bench request, keys `${prefix}-${from + k}`: the objects
 * `emulator.bench.ts` sends.
 */
export const requestObjects = (prefix: string, from: number): Array<Wire.MObject> =>
  Array.from({ length: batch }, (_, k) => {
    const i = from + k
    return {
      type: "Opportunity",
      externalKey: { name: "opportunityId", value: `${prefix}-${i}` },
      attribList: [
        { name: "Name", value: `Bench deal ${i}` },
        { name: "Amount", value: String(1000 + i) },
        { name: "Stage", value: "Prospecting" }
      ],
      associationList: [{ mObjType: "Company", externalKey: { name: "companyId", value: "COMP-1" } }]
    }
  })

/** What the floor's parse should yield for a decoded MObject (the check's expectation). */
export const fromWire = (m: Wire.MObject): FloorObject => ({
  type: m.type,
  keyName: m.externalKey?.name ?? "",
  key: m.externalKey?.value ?? "",
  fields: Object.fromEntries((m.attribList ?? []).map((a) => [a.name, a.value])),
  companyKey: m.associationList?.[0]?.externalKey?.value,
  id: 0
})

/**
 * The cheapest options that still report every element and text: nothing parsed into numbers,
 * no entities, no attributes, no path strings, the declaration skipped, texts untrimmed.
 */
const cheapest: X2jOptions = {
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  jPath: false,
  preserveOrder: true,
  trimValues: false
}

// The path view's depth (a string path only if `jPath` were on).
const depthOf = (path: string | { getDepth(): number }): number => typeof path === "string" ? 0 : path.getDepth()

/**
 * A parse of syncMObjects requests: the MObjects of `xml`, in order. Depths in the request:
 * Envelope 1, Body 2, paramsSyncMObjects 3, mObjectList 4, mObject 5, its children 6 (type,
 * externalKey, attribList, associationList), their children 7, an attrib's or an
 * association's 8, an association's key 9. One parse at a time (its state is the parser's).
 */
export const makeParse = (): (xml: string) => Array<FloorObject> => {
  let objects: Array<FloorObject> = []
  let current: FloorObject | undefined
  // The child of the MObject being read (depth 6), and the name of the attrib being read.
  let within = ""
  let attribName = ""
  const parser = new XMLParser({
    ...cheapest,
    updateTag: (name, path) => {
      const depth = depthOf(path)
      if (depth === 5) {
        if (name === "mObject") {
          current = { type: "", keyName: "", key: "", fields: {}, companyKey: undefined, id: 0 }
          objects.push(current)
        }
      } else if (depth === 6) {
        within = name
      }
      // Nothing kept in the parser's own tree.
      return false
    },
    // Answering undefined keeps the text as it is, skipping the parser's own value step.
    tagValueProcessor: (name, text, path) => {
      if (current === undefined) return undefined
      const depth = depthOf(path)
      if (depth === 6) {
        if (name === "type") current.type = text
      } else if (depth === 7) {
        if (within === "externalKey") {
          if (name === "name") current.keyName = text
          else if (name === "value") current.key = text
        }
      } else if (depth === 8) {
        if (within === "attribList") {
          if (name === "name") attribName = text
          else if (name === "value") current.fields[attribName] = text
        }
      } else if (depth === 9) {
        if (within === "associationList" && name === "value") current.companyKey = text
      }
      return undefined
    }
  })
  return (xml) => {
    objects = []
    current = undefined
    parser.parse(xml)
    return objects
  }
}
