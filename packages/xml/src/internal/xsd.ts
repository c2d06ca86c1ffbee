/**
 * The XSD complexTypes of the MObject records, derived from the same layouts as the
 * codec (and so from the Wire Schemas): a record's complexType, the `ArrayOfX` wrapper of
 * each list, and the `SuccessX` wrapper of each result. The WSDL writer takes its record
 * types from here, so the served contract and what the codec writes cannot disagree.
 *
 * @internal
 */
import * as Wire from "@mktows/core/Wire"
import * as Layout from "./layout.js"
import { successElement } from "./names.js"

/** One `xs:element` of a sequence. */
export interface XsdElement {
  readonly name: string
  /** Qualified: `xs:int`, `tns:Attrib`. */
  readonly type: string
  readonly minOccurs: 0 | 1
  readonly maxOccurs: 1 | "unbounded"
  readonly nillable: boolean
}

/** One named `xs:complexType` holding a sequence. */
export interface XsdComplexType {
  readonly name: string
  readonly sequence: ReadonlyArray<XsdElement>
}

const capitalise = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1)

const elementOf = (field: Layout.Field): XsdElement => ({
  name: field.name,
  type: field.xsdType,
  minOccurs: field.optional === true || field.repeated === true ? 0 : 1,
  maxOccurs: field.repeated === true ? "unbounded" : 1,
  nillable: field.nillable === true
})

/**
 * Every complexType the MObject operations use, each once, in the order first met: the
 * records reached from each operation's params, then its result and its success wrapper,
 * then the AuthenticationHeaderInfo.
 */
export const complexTypes: ReadonlyArray<XsdComplexType> = (() => {
  const out = new Map<string, XsdComplexType>()
  const visitType = (type: Layout.Type): void => {
    if (typeof type === "string") return
    if (type._tag === "List") {
      visitType(type.of)
      return
    }
    visitStruct(type)
  }
  const visitStruct = (struct: Layout.Struct): void => {
    if (out.has(struct.name)) return
    out.set(struct.name, { name: struct.name, sequence: struct.fields.map(elementOf) })
    for (const field of struct.fields) {
      visitType(field.type)
      if (typeof field.type !== "string" && field.type._tag === "List") {
        const name = field.xsdType.slice(field.xsdType.indexOf(":") + 1)
        if (!out.has(name)) {
          out.set(name, {
            name,
            sequence: [{
              name: field.type.item,
              type: field.type.itemType,
              minOccurs: 0,
              maxOccurs: "unbounded",
              nillable: false
            }]
          })
        }
      }
    }
  }
  for (const op of Wire.Operation.literals) {
    visitStruct(Layout.layouts[op].params)
    const result = Layout.layouts[op].result
    visitStruct(result)
    const success = capitalise(successElement(op))
    out.set(success, {
      name: success,
      sequence: [{ name: "result", type: `tns:${result.name}`, minOccurs: 1, maxOccurs: 1, nillable: false }]
    })
  }
  visitStruct(Layout.AuthenticationHeader)
  return [...out.values()]
})()

const occurs = (e: XsdElement): string =>
  `minOccurs="${e.minOccurs}" maxOccurs="${e.maxOccurs}" nillable="${e.nillable}"`

/** A complexType as XSD text, indented by `indent` spaces. */
export const renderComplexType = (type: XsdComplexType, indent = 2): string => {
  const pad = " ".repeat(indent)
  return type.sequence.length === 0
    ? `${pad}<xs:complexType name="${type.name}">\n${pad}  <xs:sequence/>\n${pad}</xs:complexType>`
    : [
      `${pad}<xs:complexType name="${type.name}">`,
      `${pad}  <xs:sequence>`,
      ...type.sequence.map((e) => `${pad}    <xs:element name="${e.name}" type="${e.type}" ${occurs(e)}/>`),
      `${pad}  </xs:sequence>`,
      `${pad}</xs:complexType>`
    ].join("\n")
}
