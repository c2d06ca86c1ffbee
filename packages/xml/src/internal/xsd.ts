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
import { arrayOf, type ComplexType, type Field, field, record } from "./wsdlTable.js"

const capitalise = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1)

const elementOf = (f: Layout.Field): Field =>
  field(f.name, f.xsdType, f.repeated === true ? "0..n" : f.optional === true ? "0..1" : "1", f.nillable === true)

/**
 * Every complexType the MObject operations use, each once, in the order first met: the
 * records reached from each operation's params, then its result and its success wrapper,
 * then the AuthenticationHeaderInfo.
 */
export const complexTypes: ReadonlyArray<ComplexType> = (() => {
  const out = new Map<string, ComplexType>()
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
    out.set(struct.name, record(struct.name, struct.fields.map(elementOf)))
    for (const f of struct.fields) {
      visitType(f.type)
      if (typeof f.type !== "string" && f.type._tag === "List") {
        const name = f.xsdType.slice(f.xsdType.indexOf(":") + 1)
        if (!out.has(name)) out.set(name, arrayOf(name, f.type.item, f.type.itemType))
      }
    }
  }
  for (const op of Wire.Operation.literals) {
    visitStruct(Layout.layouts[op].params)
    const result = Layout.layouts[op].result
    visitStruct(result)
    const success = capitalise(successElement(op))
    out.set(success, record(success, [field("result", `tns:${result.name}`)]))
  }
  visitStruct(Layout.AuthenticationHeader)
  return [...out.values()]
})()
