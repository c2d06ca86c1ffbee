import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Wsdl from "../src/Wsdl.js"
import { validateAll } from "./helpers/xsd.js"

// Marketo's own WSDL, where the shared reference material is checked out next to the repo.
const referencePath = fileURLToPath(new URL("../../../../shared/reference/marketo/mktows-2_2.wsdl", import.meta.url))
const hasReference = existsSync(referencePath)

type Node = Record<string, unknown>

// Every element becomes an array, so one child and many children read alike.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  isArray: (_, __, ___, attr) => !attr
})

const parse = (xml: string): Node => parser.parse(xml) as Node

const children = (node: Node | undefined, name: string): ReadonlyArray<Node> => {
  const value = node?.[name]
  return Array.isArray(value) ? value.filter((v): v is Node => typeof v === "object" && v !== null) : []
}
const child = (node: Node | undefined, name: string): Node | undefined => children(node, name)[0]
const attr = (node: Node | undefined, name: string): string | undefined => {
  const value = node?.[`@${name}`]
  return typeof value === "string" ? value : undefined
}
const named = (nodes: ReadonlyArray<Node>, name: string): Node | undefined =>
  nodes.find((n) => attr(n, "name") === name)

// Both documents use the conventional prefixes (wsdl, soap, xs, tns), so paths can name them.
const definitions = (doc: Node) => child(doc, "wsdl:definitions")
const schemaOf = (doc: Node) => child(child(definitions(doc), "wsdl:types"), "xs:schema")

// An element declaration with XSD's defaults filled in, so an omitted attribute and an
// explicit default compare equal.
const describeElement = (el: Node) => ({
  name: attr(el, "name"),
  type: attr(el, "type"),
  minOccurs: attr(el, "minOccurs") ?? "1",
  maxOccurs: attr(el, "maxOccurs") ?? "1",
  nillable: attr(el, "nillable") ?? "false"
})
const sequenceOf = (complexType: Node | undefined) =>
  children(child(complexType, "xs:sequence"), "xs:element").map(describeElement)
const enumerationOf = (simpleType: Node | undefined) => ({
  base: attr(child(simpleType, "xs:restriction"), "base"),
  values: children(child(simpleType, "xs:restriction"), "xs:enumeration").map((e) => attr(e, "value"))
})

const bindingOf = (doc: Node) => {
  const binding = child(definitions(doc), "wsdl:binding")
  return {
    name: attr(binding, "name"),
    type: attr(binding, "type"),
    style: attr(child(binding, "soap:binding"), "style"),
    transport: attr(child(binding, "soap:binding"), "transport")
  }
}
const bindingOperation = (doc: Node, op: string) => {
  const operation = named(children(child(definitions(doc), "wsdl:binding"), "wsdl:operation"), op)
  const input = child(operation, "wsdl:input")
  const header = child(input, "soap:header")
  return {
    soapAction: attr(child(operation, "soap:operation"), "soapAction"),
    header: { message: attr(header, "message"), part: attr(header, "part"), use: attr(header, "use") },
    inputBody: attr(child(input, "soap:body"), "use"),
    outputBody: attr(child(child(operation, "wsdl:output"), "soap:body"), "use")
  }
}
const portTypeOperation = (doc: Node, op: string) => {
  const portType = child(definitions(doc), "wsdl:portType")
  const operation = named(children(portType, "wsdl:operation"), op)
  return {
    portType: attr(portType, "name"),
    input: attr(child(operation, "wsdl:input"), "message"),
    output: attr(child(operation, "wsdl:output"), "message")
  }
}
const message = (doc: Node, name: string | undefined) =>
  children(named(children(definitions(doc), "wsdl:message"), name ?? ""), "wsdl:part").map((p) => ({
    name: attr(p, "name"),
    element: attr(p, "element")
  }))
const service = (doc: Node) => {
  const svc = child(definitions(doc), "wsdl:service")
  const port = child(svc, "wsdl:port")
  return { service: attr(svc, "name"), port: attr(port, "name"), binding: attr(port, "binding") }
}

const ours = parse(Wsdl.render("http://localhost:8080/soap/mktows/2_9"))

describe("Wsdl", () => {
  it("puts the given address, escaped, in soap:address", () => {
    const address = "http://127.0.0.1:4100/soap/mktows/2_9?a=1&b=\"<x>\""
    const wsdl = Wsdl.render(address)
    expect(XMLValidator.validate(wsdl)).toBe(true)
    const port = child(child(definitions(parse(wsdl)), "wsdl:service"), "wsdl:port")
    expect(attr(child(port, "soap:address"), "location")).toBe(address)
  })

  it("is well-formed and embeds exactly Wsdl.schema", () => {
    const wsdl = Wsdl.render("https://example.invalid/soap/mktows/2_9")
    expect(XMLValidator.validate(wsdl)).toBe(true)
    expect(XMLValidator.validate(Wsdl.schema)).toBe(true)
    expect(schemaOf(ours)).toEqual(child(parse(Wsdl.schema), "xs:schema"))
  })

  it("declares the five MObject operations with Marketo's SOAPActions and the signed header", () => {
    expect(Wsdl.operations).toEqual([
      "syncMObjects",
      "getMObjects",
      "describeMObject",
      "deleteMObjects",
      "listMObjects"
    ])
    for (const op of Wsdl.operations) {
      expect(Wsdl.soapAction(op)).toBe(`http://www.marketo.com/mktows/${op}`)
      expect(bindingOperation(ours, op)).toEqual({
        soapAction: Wsdl.soapAction(op),
        header: { message: "tns:AuthenticationHeader", part: "authentication", use: "literal" },
        inputBody: "literal",
        outputBody: "literal"
      })
    }
    expect(service(ours)).toEqual({
      service: "MktMktowsApiService",
      port: "MktowsApiSoapPort",
      binding: "tns:MktowsApiSoapBinding"
    })
  })

  it.effect("has a schema that xmllint compiles and enforces", () =>
    Effect.gen(function*() {
      const ns = `xmlns:m="http://www.marketo.com/mktows/"`
      const verdicts = yield* validateAll([
        `<m:paramsListMObjects ${ns}/>`,
        `<m:paramsSyncMObjects ${ns}><mObjectList><mObject><type>Program</type><id>1970</id></mObject></mObjectList><operation>UPDATE</operation></m:paramsSyncMObjects>`,
        // Not a SyncOperationEnum value.
        `<m:paramsSyncMObjects ${ns}><mObjectList/><operation>DELETE</operation></m:paramsSyncMObjects>`,
        // Children are unqualified: a namespaced child is a different element.
        `<m:paramsDescribeMObject ${ns}><m:objectName>Opportunity</m:objectName></m:paramsDescribeMObject>`,
        // Sequence order matters.
        `<m:AuthenticationHeader ${ns}><requestSignature>s</requestSignature><mktowsUserId>u</mktowsUserId><requestTimestamp>t</requestTimestamp></m:AuthenticationHeader>`
      ])
      expect(verdicts.map((v) => v.valid)).toEqual([true, true, false, false, false])
      expect(verdicts[2]?.errors.join("\n")).toContain("DELETE")
    }))
})

describe.skipIf(!hasReference)("Wsdl against Marketo's 2_2 WSDL", () => {
  const reference = hasReference ? parse(readFileSync(referencePath, "utf8")) : {}
  const ourSchema = schemaOf(ours)
  const theirSchema = schemaOf(reference)

  it("has every complex type element for element as Marketo's", () => {
    const types = children(ourSchema, "xs:complexType")
    expect(types.length).toBeGreaterThanOrEqual(30)
    for (const type of types) {
      const name = attr(type, "name") ?? ""
      const theirs = named(children(theirSchema, "xs:complexType"), name)
      expect(theirs, name).toBeDefined()
      expect({ name, sequence: sequenceOf(type) }).toEqual({ name, sequence: sequenceOf(theirs) })
    }
  })

  it("has every enumeration value for value as Marketo's", () => {
    const types = children(ourSchema, "xs:simpleType")
    expect(types.map((t) => attr(t, "name"))).toEqual([
      "SyncOperationEnum",
      "MObjStatusEnum",
      "MObjectTypeEnum",
      "ComparisonEnum"
    ])
    for (const type of types) {
      const name = attr(type, "name") ?? ""
      expect({ name, ...enumerationOf(type) }).toEqual({
        name,
        ...enumerationOf(named(children(theirSchema, "xs:simpleType"), name))
      })
    }
  })

  it("declares the same global elements with the same types", () => {
    const elements = children(ourSchema, "xs:element")
    expect(elements.length).toBe(11)
    for (const element of elements) {
      const name = attr(element, "name") ?? ""
      expect({ name, type: attr(element, "type") }).toEqual({
        name,
        type: attr(named(children(theirSchema, "xs:element"), name), "type")
      })
    }
  })

  it("has the same messages, port type, binding, SOAPActions, service and port", () => {
    expect(bindingOf(ours)).toEqual(bindingOf(reference))
    expect(message(ours, "AuthenticationHeader")).toEqual(message(reference, "AuthenticationHeader"))
    for (const op of Wsdl.operations) {
      const port = portTypeOperation(ours, op)
      expect(port).toEqual(portTypeOperation(reference, op))
      expect(message(ours, port.input?.replace("tns:", ""))).toEqual(
        message(reference, port.input?.replace("tns:", ""))
      )
      expect(message(ours, port.output?.replace("tns:", ""))).toEqual(
        message(reference, port.output?.replace("tns:", ""))
      )
      expect(bindingOperation(ours, op)).toEqual(bindingOperation(reference, op))
    }
    expect(service(ours)).toEqual(service(reference))
  })
})
