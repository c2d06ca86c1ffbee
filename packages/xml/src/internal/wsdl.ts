// Marketo's mktows 2_2 contract, kept as data and written out as XML: all 23 operations,
// their messages, both SOAP headers and all 142 types.
//
// The facts (names, order, occurrence and nillability of every element) follow Marketo's
// published WSDL so that clients generated from ours send and accept exactly what Marketo's
// would. Keeping them in tables makes a divergence a one-line diff, and the reference test
// in test/wsdl.test.ts compares every table entry with Marketo's where it is at hand.
//
// The one deliberate difference: AuthenticationHeaderInfo also declares `partnerId`, the
// optional header field Marketo documents (for LaunchPoint partners) but left out of the
// 2_2 WSDL; a client generated from ours can send it, and it validates.
import type { ContractOperation } from "../Wsdl.js"
import { namespace, paramsElement, successElement } from "./names.js"
import { nonMObjectTypes } from "./wsdlNonMObjectTypes.js"
import { enumeration, renderType, type TypeDefinition } from "./wsdlTable.js"
import { complexTypes as mobjectRecords } from "./xsd.js"

/** The operations mktows speaks (and the emulator serves), in the order mktows lists them. */
export const operationNames = [
  "syncMObjects",
  "getMObjects",
  "describeMObject",
  "deleteMObjects",
  "listMObjects"
] as const

/** Every operation of the 2_2 contract: the MObject ones, then the others in Marketo's order. */
export const contractOperationNames = [
  ...operationNames,
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
] as const satisfies ReadonlyArray<ContractOperation>

// ---------------------------------------------------------------------------------------
// The MObject types: the 35 types the five MObject operations use. The enumerations are
// written here (MObjectTypeEnum is referenced by nothing, and the values keep Marketo's
// order); the records come from the Wire Schemas (xsd.ts).

export const mobjectTypes: ReadonlyArray<TypeDefinition> = [
  enumeration("SyncOperationEnum", ["UPSERT", "INSERT", "UPDATE"]),
  enumeration("MObjStatusEnum", ["CREATED", "UPDATED", "DELETED", "FAILED", "UNCHANGED", "SKIPPED"]),
  // Declared by Marketo but referenced by nothing (MObject.type is a plain string); kept so
  // that generated clients offer the same names.
  enumeration("MObjectTypeEnum", ["Opportunity", "OpportunityLeadRole", "Program"]),
  enumeration("ComparisonEnum", ["EQ", "NE", "LT", "LE", "GT", "GE"]),
  // The records, their ArrayOf and Success wrappers and the AuthenticationHeaderInfo,
  // derived from the Wire Schemas: the codec reads and writes the same description.
  ...mobjectRecords
]

// ---------------------------------------------------------------------------------------
// Operations, headers and messages.

const capitalize = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1)

/** The message an operation's input is, e.g. `SyncMObjectsRequest`. */
export const requestMessage = (operation: string): string => `${capitalize(operation)}Request`
/** The message an operation's output is, e.g. `SyncMObjectsResponse`. */
export const responseMessage = (operation: string): string => `${capitalize(operation)}Response`
/** `http://www.marketo.com/mktows/syncMObjects` for `syncMObjects`. */
export const soapAction = (operation: string): string => `${namespace}${operation}`

/** A SOAP header: its global element and type, and the message and part that carry it. */
export interface Header {
  readonly element: string
  readonly type: string
  readonly part: string
}

const authenticationHeader: Header = {
  element: "AuthenticationHeader",
  type: "AuthenticationHeaderInfo",
  part: "authentication"
}
// Only syncLead takes it: the workspace the lead is written to.
const contextHeader: Header = { element: "MktowsContextHeader", type: "MktowsContextHeaderInfo", part: "mktowsContext" }

/** The headers an operation's input carries, in binding order. */
export const headersOf = (operation: ContractOperation): ReadonlyArray<Header> =>
  operation === "syncLead" ? [authenticationHeader, contextHeader] : [authenticationHeader]

/** The operation whose request body is the element `{namespace}localName`, if any. */
export const operationOfRequest = (
  element: { readonly namespace: string; readonly localName: string }
): ContractOperation | undefined =>
  element.namespace === namespace
    ? contractOperationNames.find((op) => paramsElement(op) === element.localName)
    : undefined

const globalElements: ReadonlyArray<readonly [string, string]> = [
  ...[authenticationHeader, contextHeader].map((h) => [h.element, h.type] as const),
  ...contractOperationNames.map((op) => [paramsElement(op), `Params${capitalize(op)}`] as const),
  ...contractOperationNames.map((op) => [successElement(op), `Success${capitalize(op)}`] as const)
]

// No elementFormDefault: only the global elements are namespaced, their children are not,
// exactly as Marketo's own messages are written.
export const schema: string = [
  `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${namespace}" targetNamespace="${namespace}">`,
  ...mobjectTypes.map(renderType),
  ...nonMObjectTypes.map(renderType),
  ...globalElements.map(([name, type]) => `  <xs:element name="${name}" type="tns:${type}"/>`),
  `</xs:schema>`
].join("\n")

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(
    /'/g,
    "&apos;"
  )

const message = (name: string, part: string, element: string): ReadonlyArray<string> => [
  `  <wsdl:message name="${name}">`,
  `    <wsdl:part name="${part}" element="tns:${element}"/>`,
  `  </wsdl:message>`
]

const messages = (): string =>
  [
    ...[authenticationHeader, contextHeader].flatMap((h) => message(h.element, h.part, h.element)),
    ...contractOperationNames.flatMap((op) => [
      ...message(requestMessage(op), paramsElement(op), paramsElement(op)),
      ...message(responseMessage(op), successElement(op), successElement(op))
    ])
  ].join("\n")

const portType = (): string =>
  [
    `  <wsdl:portType name="MktowsPort">`,
    ...contractOperationNames.flatMap((op) => [
      `    <wsdl:operation name="${op}">`,
      `      <wsdl:input message="tns:${requestMessage(op)}"/>`,
      `      <wsdl:output message="tns:${responseMessage(op)}"/>`,
      `    </wsdl:operation>`
    ]),
    `  </wsdl:portType>`
  ].join("\n")

const binding = (): string =>
  [
    `  <wsdl:binding name="MktowsApiSoapBinding" type="tns:MktowsPort">`,
    `    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>`,
    ...contractOperationNames.flatMap((op) => [
      `    <wsdl:operation name="${op}">`,
      `      <soap:operation soapAction="${soapAction(op)}" style="document"/>`,
      `      <wsdl:input>`,
      ...headersOf(op).map((h) => `        <soap:header message="tns:${h.element}" part="${h.part}" use="literal"/>`),
      `        <soap:body use="literal"/>`,
      `      </wsdl:input>`,
      `      <wsdl:output>`,
      `        <soap:body use="literal"/>`,
      `      </wsdl:output>`,
      `    </wsdl:operation>`
    ]),
    `  </wsdl:binding>`
  ].join("\n")

export const render = (address: string): string =>
  [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<wsdl:definitions name="mktows" targetNamespace="${namespace}"`,
    `    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"`,
    `    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"`,
    `    xmlns:xs="http://www.w3.org/2001/XMLSchema"`,
    `    xmlns:tns="${namespace}">`,
    `  <wsdl:types>`,
    schema.split("\n").map((line) => `    ${line}`).join("\n"),
    `  </wsdl:types>`,
    messages(),
    portType(),
    binding(),
    `  <wsdl:service name="MktMktowsApiService">`,
    `    <wsdl:port name="MktowsApiSoapPort" binding="tns:MktowsApiSoapBinding">`,
    `      <soap:address location="${escapeAttribute(address)}"/>`,
    `    </wsdl:port>`,
    `  </wsdl:service>`,
    `</wsdl:definitions>`,
    ``
  ].join("\n")
