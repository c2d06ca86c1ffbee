// The record types derived from the Wire Schemas, compared type by type with the XSD the
// WSDL serves and with Marketo's own WSDL. Plain data comparisons, no validator: a field
// out of order fails here in milliseconds, with a diff naming the type.
import { describe, expect, it } from "@effect/vitest"
import { XMLParser } from "fast-xml-parser"
import { existsSync, readFileSync } from "node:fs"
import { complexTypes, renderComplexType, type XsdComplexType, type XsdElement } from "../src/internal/xsd.js"
import * as Wsdl from "../src/Wsdl.js"

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  removeNSPrefix: true,
  isArray: (name) => name === "complexType" || name === "element"
})

type Raw = Readonly<Record<string, unknown>>

const occurs = (value: unknown): 0 | 1 | "unbounded" =>
  value === undefined || value === "1" ? 1 : value === "0" ? 0 : "unbounded"

/** The named complexTypes of an `xs:schema` text, each with its sequence. */
const complexTypesOf = (xsd: string): ReadonlyMap<string, XsdComplexType> => {
  const schemaOf = (doc: Raw): Raw => {
    if ("schema" in doc) return doc["schema"] as Raw
    const types = (doc["definitions"] as Raw)["types"] as Raw
    return types["schema"] as Raw
  }
  const schema = schemaOf(parser.parse(xsd) as Raw)
  const out = new Map<string, XsdComplexType>()
  for (const type of (schema["complexType"] ?? []) as ReadonlyArray<Raw>) {
    const sequence = type["sequence"]
    const elements = typeof sequence === "object" && sequence !== null
      ? ((sequence as Raw)["element"] ?? []) as ReadonlyArray<Raw>
      : []
    out.set(String(type["name"]), {
      name: String(type["name"]),
      sequence: elements.map((e): XsdElement => ({
        name: String(e["name"]),
        type: String(e["type"]),
        minOccurs: occurs(e["minOccurs"]) === 0 ? 0 : 1,
        maxOccurs: occurs(e["maxOccurs"]) === "unbounded" ? "unbounded" : 1,
        nillable: e["nillable"] === "true"
      }))
    })
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
    expect(complexTypes).toStrictEqual(complexTypes.map((t) => theirs.get(t.name)))
  })

  it("render as XSD the served schema reads back", () => {
    const text = [
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">`,
      ...complexTypes.map((t) => renderComplexType(t)),
      `</xs:schema>`
    ].join("\n")
    expect([...complexTypesOf(text).values()]).toStrictEqual(complexTypes)
  })
})
