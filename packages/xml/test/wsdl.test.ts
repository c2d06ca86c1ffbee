import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as SoapCodec from "../src/SoapCodec.js"
import * as Wsdl from "../src/Wsdl.js"
import { validateAll } from "./helpers/xsd.js"

// Marketo's own WSDL, where the shared reference material is checked out next to the repo.
const referencePath = fileURLToPath(new URL("../../../../shared/reference/marketo/mktows-2_2.wsdl", import.meta.url))
const hasReference = existsSync(referencePath)

// The 23 operations of Marketo's 2_2 contract, written out so that a dropped one is caught
// even where the reference is not at hand.
const contract = [
  "syncMObjects",
  "getMObjects",
  "describeMObject",
  "deleteMObjects",
  "listMObjects",
  "getCampaignsForSource",
  "getImportToListStatus",
  "getLead",
  "getLeadActivity",
  "getLeadChanges",
  "getMultipleLeads",
  "importToList",
  "listOperation",
  "requestCampaign",
  "scheduleCampaign",
  "syncLead",
  "syncMultipleLeads",
  "syncCustomObjects",
  "deleteCustomObjects",
  "getCustomObjects",
  "mergeLeads",
  "getChannels",
  "getTags"
]

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
const names = (nodes: ReadonlyArray<Node>): ReadonlyArray<string> => nodes.map((n) => attr(n, "name") ?? "")
const local = (qname: string | undefined): string => (qname ?? "").replace(/^tns:/, "")

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
// A complex type as what it means: abstract or not, the type it extends, its sequence.
const describeComplexType = (type: Node | undefined) => {
  const extension = child(child(type, "xs:complexContent"), "xs:extension")
  const sequence = child(extension ?? type, "xs:sequence")
  return {
    abstract: attr(type, "abstract") ?? "false",
    base: attr(extension, "base"),
    sequence: children(sequence, "xs:element").map(describeElement)
  }
}
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
const bindingOperations = (doc: Node) => children(child(definitions(doc), "wsdl:binding"), "wsdl:operation")
const bindingOperation = (doc: Node, op: string) => {
  const operation = named(bindingOperations(doc), op)
  const input = child(operation, "wsdl:input")
  return {
    soapAction: attr(child(operation, "soap:operation"), "soapAction"),
    headers: children(input, "soap:header").map((header) => ({
      message: attr(header, "message"),
      part: attr(header, "part"),
      use: attr(header, "use")
    })),
    inputBody: attr(child(input, "soap:body"), "use"),
    outputBody: attr(child(child(operation, "wsdl:output"), "soap:body"), "use")
  }
}
const portTypeOf = (doc: Node) => child(definitions(doc), "wsdl:portType")
const portTypeOperation = (doc: Node, op: string) => {
  const portType = portTypeOf(doc)
  const operation = named(children(portType, "wsdl:operation"), op)
  return {
    portType: attr(portType, "name"),
    input: attr(child(operation, "wsdl:input"), "message"),
    output: attr(child(operation, "wsdl:output"), "message")
  }
}
const messages = (doc: Node) => children(definitions(doc), "wsdl:message")
const message = (doc: Node, name: string | undefined) =>
  children(named(messages(doc), local(name)), "wsdl:part").map((p) => ({
    name: attr(p, "name"),
    element: attr(p, "element")
  }))
const service = (doc: Node) => {
  const svc = child(definitions(doc), "wsdl:service")
  const port = child(svc, "wsdl:port")
  return { service: attr(svc, "name"), port: attr(port, "name"), binding: attr(port, "binding") }
}

const ours = parse(Wsdl.render("http://localhost:8080/soap/mktows/2_9"))
const ourSchema = schemaOf(ours)

const auth = (extra = "") =>
  `<m:AuthenticationHeader xmlns:m="http://www.marketo.com/mktows/"><mktowsUserId>u</mktowsUserId>` +
  `<requestSignature>s</requestSignature><requestTimestamp>t</requestTimestamp>${extra}</m:AuthenticationHeader>`

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
    expect(ourSchema).toEqual(child(parse(Wsdl.schema), "xs:schema"))
  })

  it("declares every operation of Marketo's 2_2 contract, with its SOAPAction and headers", () => {
    expect(Wsdl.contractOperations).toEqual(contract)
    expect(names(children(portTypeOf(ours), "wsdl:operation"))).toEqual(contract)
    expect(names(bindingOperations(ours))).toEqual(contract)
    const authentication = { message: "tns:AuthenticationHeader", part: "authentication", use: "literal" }
    for (const op of Wsdl.contractOperations) {
      expect(Wsdl.soapAction(op)).toBe(`http://www.marketo.com/mktows/${op}`)
      expect(bindingOperation(ours, op)).toEqual({
        soapAction: Wsdl.soapAction(op),
        headers: op === "syncLead"
          ? [authentication, { message: "tns:MktowsContextHeader", part: "mktowsContext", use: "literal" }]
          : [authentication],
        inputBody: "literal",
        outputBody: "literal"
      })
      const capitalized = op.charAt(0).toUpperCase() + op.slice(1)
      const port = portTypeOperation(ours, op)
      expect(port).toEqual({
        portType: "MktowsPort",
        input: `tns:${capitalized}Request`,
        output: `tns:${capitalized}Response`
      })
      expect(message(ours, port.input)).toEqual([{ name: `params${capitalized}`, element: `tns:params${capitalized}` }])
      expect(message(ours, port.output)).toEqual([
        { name: `success${capitalized}`, element: `tns:success${capitalized}` }
      ])
    }
    expect(service(ours)).toEqual({
      service: "MktMktowsApiService",
      port: "MktowsApiSoapPort",
      binding: "tns:MktowsApiSoapBinding"
    })
  })

  it("speaks the five MObject operations, the ones the codec reads and writes", () => {
    expect(Wsdl.operations).toEqual([
      "syncMObjects",
      "getMObjects",
      "describeMObject",
      "deleteMObjects",
      "listMObjects"
    ])
    expect(Wsdl.operations.every((op) => Wsdl.contractOperations.includes(op))).toBe(true)
  })

  it("finds the operation of a request body element, in the mktows namespace only", () => {
    for (const op of Wsdl.contractOperations) {
      const localName = `params${op.charAt(0).toUpperCase()}${op.slice(1)}`
      expect(Wsdl.operationOfRequest({ namespace: SoapCodec.namespace, localName })).toBe(op)
      expect(Wsdl.operationOfRequest({ namespace: "urn:other", localName })).toBeUndefined()
    }
    expect(Wsdl.operationOfRequest({ namespace: SoapCodec.namespace, localName: "successGetLead" })).toBeUndefined()
    expect(Wsdl.operationOfRequest({ namespace: SoapCodec.namespace, localName: "paramsFrobnicate" })).toBeUndefined()
  })

  // What a WSDL validator checks beyond well-formedness: every name used is declared once.
  it("resolves every reference: types, elements, messages, parts, port type and binding", () => {
    const definedTypes = [...children(ourSchema, "xs:complexType"), ...children(ourSchema, "xs:simpleType")]
    const typeNames = new Set(names(definedTypes))
    expect(typeNames.size).toBe(definedTypes.length)
    expect(definedTypes.length).toBe(142)
    const builtIn = new Set(["string", "int", "integer", "boolean", "dateTime", "anySimpleType", "base64Binary"])
    const referenced = (qname: string | undefined) => {
      const [prefix, name] = (qname ?? ":").split(":")
      return prefix === "xs" ? builtIn.has(name ?? "") : prefix === "tns" && typeNames.has(name ?? "")
    }
    for (const type of children(ourSchema, "xs:complexType")) {
      const described = describeComplexType(type)
      if (described.base !== undefined) expect(referenced(described.base), described.base).toBe(true)
      for (const element of described.sequence) expect(referenced(element.type), `${element.name}`).toBe(true)
    }
    const elements = children(ourSchema, "xs:element")
    expect(elements.length).toBe(48)
    const elementNames = new Set(names(elements))
    expect(elementNames.size).toBe(elements.length)
    for (const element of elements) expect(referenced(attr(element, "type"))).toBe(true)
    const messageNames = new Set(names(messages(ours)))
    for (const m of messages(ours)) {
      for (const part of children(m, "wsdl:part")) expect(elementNames.has(local(attr(part, "element")))).toBe(true)
    }
    for (const op of Wsdl.contractOperations) {
      const port = portTypeOperation(ours, op)
      expect(messageNames.has(local(port.input)) && messageNames.has(local(port.output))).toBe(true)
      for (const header of bindingOperation(ours, op).headers) {
        expect(message(ours, header.message).map((p) => p.name)).toContain(header.part)
      }
    }
    expect(bindingOf(ours).type).toBe(`tns:${attr(portTypeOf(ours), "name")}`)
    expect(service(ours).binding).toBe(`tns:${bindingOf(ours).name}`)
  })

  it.effect("has a schema that xmllint compiles and enforces", () =>
    Effect.gen(function*() {
      const ns = `xmlns:m="http://www.marketo.com/mktows/"`
      const xsi = `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
      const cases: ReadonlyArray<readonly [boolean, string]> = [
        [true, `<m:paramsListMObjects ${ns}/>`],
        [
          true,
          `<m:paramsSyncMObjects ${ns}><mObjectList><mObject><type>Program</type><id>1970</id></mObject></mObjectList><operation>UPDATE</operation></m:paramsSyncMObjects>`
        ],
        // Not a SyncOperationEnum value.
        [false, `<m:paramsSyncMObjects ${ns}><mObjectList/><operation>DELETE</operation></m:paramsSyncMObjects>`],
        // Children are unqualified: a namespaced child is a different element.
        [false, `<m:paramsDescribeMObject ${ns}><m:objectName>Opportunity</m:objectName></m:paramsDescribeMObject>`],
        // Sequence order matters.
        [
          false,
          `<m:AuthenticationHeader ${ns}><requestSignature>s</requestSignature><mktowsUserId>u</mktowsUserId><requestTimestamp>t</requestTimestamp></m:AuthenticationHeader>`
        ],
        // The documented optional partnerId.
        [true, auth("<partnerId>p</partnerId>")],
        [true, `<m:MktowsContextHeader ${ns}><targetWorkspace>Default</targetWorkspace></m:MktowsContextHeader>`],
        [false, `<m:MktowsContextHeader ${ns}/>`],
        // The lead operations.
        [
          true,
          `<m:paramsGetLead ${ns}><leadKey><keyType>EMAIL</keyType><keyValue>a@b.c</keyValue></leadKey></m:paramsGetLead>`
        ],
        [
          false,
          `<m:paramsGetLead ${ns}><leadKey><keyType>PHONE</keyType><keyValue>1</keyValue></leadKey></m:paramsGetLead>`
        ],
        [
          true,
          `<m:paramsSyncLead ${ns} ${xsi}><leadRecord><Email>a@b.c</Email><leadAttributeList><attribute><attrName>FirstName</attrName><attrValue>Ann</attrValue></attribute></leadAttributeList></leadRecord><returnLead>false</returnLead><marketoCookie xsi:nil="true"/></m:paramsSyncLead>`
        ],
        // A lead selector is one of the extensions of the abstract LeadSelector, named by xsi:type.
        [
          true,
          `<m:paramsGetMultipleLeads ${ns} ${xsi}><leadSelector xsi:type="m:LeadKeySelector"><keyType>IDNUM</keyType><keyValues><stringItem>1</stringItem></keyValues></leadSelector><batchSize>10</batchSize></m:paramsGetMultipleLeads>`
        ],
        [
          false,
          `<m:paramsGetMultipleLeads ${ns}><leadSelector><keyType>IDNUM</keyType><keyValues/></leadSelector></m:paramsGetMultipleLeads>`
        ],
        [
          true,
          `<m:successGetLeadActivity ${ns}><leadActivityList><returnCount>0</returnCount><remainingCount>0</remainingCount><newStartPosition/></leadActivityList></m:successGetLeadActivity>`
        ],
        [
          true,
          `<m:paramsRequestCampaign ${ns}><source>MKTOWS</source><campaignId>4</campaignId><leadList><leadKey><keyType>IDNUM</keyType><keyValue>19</keyValue></leadKey></leadList></m:paramsRequestCampaign>`
        ]
      ]
      const verdicts = yield* validateAll(cases.map(([, doc]) => doc))
      expect(verdicts.map((v, i) => ({ i, valid: v.valid, errors: v.errors }))).toEqual(
        cases.map(([valid], i) => ({ i, valid, errors: valid ? [] : expect.anything() }))
      )
      expect(verdicts[2]?.errors.join("\n")).toContain("DELETE")
    }))
})

describe.skipIf(!hasReference)("Wsdl against Marketo's 2_2 WSDL", () => {
  const reference = hasReference ? parse(readFileSync(referencePath, "utf8")) : {}
  const theirSchema = schemaOf(reference)

  it("declares the same 142 types, complex type for complex type, element for element", () => {
    const ourTypes = children(ourSchema, "xs:complexType")
    const theirTypes = children(theirSchema, "xs:complexType")
    expect([...names(ourTypes)].sort()).toEqual([...names(theirTypes)].sort())
    expect(ourTypes.length + children(ourSchema, "xs:simpleType").length).toBe(142)
    for (const name of names(theirTypes)) {
      const theirs = describeComplexType(named(theirTypes, name))
      // Marketo documents partnerId as an optional header field; its 2_2 WSDL leaves it out.
      const expected = name === "AuthenticationHeaderInfo"
        ? {
          ...theirs,
          sequence: [
            ...theirs.sequence,
            { name: "partnerId", type: "xs:string", minOccurs: "0", maxOccurs: "1", nillable: "false" }
          ]
        }
        : theirs
      expect({ name, ...describeComplexType(named(ourTypes, name)) }).toEqual({ name, ...expected })
    }
  })

  it("has every enumeration value for value as Marketo's", () => {
    const ourTypes = children(ourSchema, "xs:simpleType")
    const theirTypes = children(theirSchema, "xs:simpleType")
    expect([...names(ourTypes)].sort()).toEqual([...names(theirTypes)].sort())
    for (const name of names(theirTypes)) {
      expect({ name, ...enumerationOf(named(ourTypes, name)) }).toEqual({
        name,
        ...enumerationOf(named(theirTypes, name))
      })
    }
  })

  it("declares the same global elements with the same types", () => {
    const describe = (schema: Node | undefined) =>
      children(schema, "xs:element").map((e) => `${attr(e, "name")}: ${attr(e, "type")}`).sort()
    expect(describe(ourSchema)).toEqual(describe(theirSchema))
  })

  it("has the same operations, messages, port type, binding, SOAPActions, headers, service and port", () => {
    const sorted = (list: ReadonlyArray<string>) => [...list].sort()
    expect(sorted(Wsdl.contractOperations)).toEqual(sorted(names(children(portTypeOf(reference), "wsdl:operation"))))
    expect(sorted(names(bindingOperations(ours)))).toEqual(sorted(names(bindingOperations(reference))))
    expect(sorted(names(messages(ours)))).toEqual(sorted(names(messages(reference))))
    for (const name of names(messages(reference))) {
      expect({ name, parts: message(ours, name) }).toEqual({ name, parts: message(reference, name) })
    }
    expect(bindingOf(ours)).toEqual(bindingOf(reference))
    for (const op of Wsdl.contractOperations) {
      expect({ op, ...portTypeOperation(ours, op) }).toEqual({ op, ...portTypeOperation(reference, op) })
      expect({ op, ...bindingOperation(ours, op) }).toEqual({ op, ...bindingOperation(reference, op) })
    }
    expect(service(ours)).toEqual(service(reference))
  })
})
