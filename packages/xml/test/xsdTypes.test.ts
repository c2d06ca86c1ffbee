// The record types derived from the Wire Schemas, compared type by type with the XSD the
// WSDL serves and with Marketo's own WSDL. Plain data comparisons, no validator: a field
// out of order fails here in milliseconds, with a diff naming the type (and, where the
// reference is absent, in the golden tests of codec.test.ts, which write every element).
import { describe, expect, it } from "@effect/vitest"
import { XMLParser } from "fast-xml-parser"
import { existsSync, readFileSync } from "node:fs"
import { type ComplexType, field, type Occurs, record } from "../src/internal/wsdlTable.js"
import { complexTypes } from "../src/internal/xsd.js"
import * as Wsdl from "../src/Wsdl.js"

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  removeNSPrefix: true,
  isArray: (name) => name === "complexType" || name === "element"
})

type Raw = Readonly<Record<string, unknown>>

const occursOf = (e: Raw): Occurs => e["maxOccurs"] === "unbounded" ? "0..n" : e["minOccurs"] === "0" ? "0..1" : "1"

/** The named complexTypes of an `xs:schema` or WSDL text, each with its sequence. */
const complexTypesOf = (xsd: string): ReadonlyMap<string, ComplexType> => {
  const schemaOf = (doc: Raw): Raw => {
    if ("schema" in doc) return doc["schema"] as Raw
    const types = (doc["definitions"] as Raw)["types"] as Raw
    return types["schema"] as Raw
  }
  const schema = schemaOf(parser.parse(xsd) as Raw)
  const out = new Map<string, ComplexType>()
  for (const type of (schema["complexType"] ?? []) as ReadonlyArray<Raw>) {
    const sequence = type["sequence"]
    const elements = typeof sequence === "object" && sequence !== null
      ? ((sequence as Raw)["element"] ?? []) as ReadonlyArray<Raw>
      : []
    const name = String(type["name"])
    out.set(
      name,
      record(
        name,
        elements.map((e) => field(String(e["name"]), String(e["type"]), occursOf(e), e["nillable"] === "true"))
      )
    )
  }
  return out
}

const derivedNames = complexTypes.map((t) => t.name)

describe("the record types derived from the Wire Schemas", () => {
  it("cover every record of the five operations, each once", () => {
    expect(new Set(derivedNames).size).toBe(derivedNames.length)
    expect(derivedNames).toEqual(expect.arrayContaining([
      "MObject",
      "ArrayOfMObject",
      "Attrib",
      "ArrayOfAttrib",
      "TypeAttrib",
      "MObjAssociation",
      "MObjStatus",
      "MObjCriteria",
      "MObjectMetadata",
      "MObjFieldMetadata",
      "ArrayOfMObjFieldMetadata",
      "ParamsSyncMObjects",
      "ResultListMObjects",
      "SuccessGetMObjects",
      "AuthenticationHeaderInfo"
    ]))
    expect(complexTypes).toHaveLength(31)
  })

  const served = complexTypesOf(Wsdl.schema)
  for (const type of complexTypes) {
    it(`${type.name} equals the served XSD's`, () => {
      expect(type).toStrictEqual(served.get(type.name))
    })
  }

  const reference = new URL("../../../../shared/reference/marketo/mktows-2_2.wsdl", import.meta.url)
  it.skipIf(!existsSync(reference))("every type equals Marketo's WSDL's, element by element", () => {
    const theirs = complexTypesOf(readFileSync(reference, "utf8"))
    // The one deliberate difference: the header's documented partnerId, which 2_2 omits.
    const ours = complexTypes.map((t) =>
      t.name === "AuthenticationHeaderInfo" ? { ...t, fields: t.fields.filter((f) => f.name !== "partnerId") } : t
    )
    expect(ours).toStrictEqual(complexTypes.map((t) => theirs.get(t.name)))
  })
})
