// The mktows contract for the five MObject operations, kept as data and written out as XML.
//
// The facts (names, order, occurrence and nillability of every element) follow Marketo's
// published WSDL so that clients generated from ours send and accept exactly what Marketo's
// would. Keeping them in one table makes a divergence a one-line diff, and the reference
// test in test/wsdl.test.ts compares this table's output with Marketo's where it is at hand.

export const namespace = "http://www.marketo.com/mktows/"

export const operationNames = [
  "syncMObjects",
  "getMObjects",
  "describeMObject",
  "deleteMObjects",
  "listMObjects"
] as const

type Occurs = "1" | "0..1" | "0..n"

interface Field {
  readonly name: string
  readonly type: string
  readonly occurs: Occurs
  readonly nillable: boolean
}

const field = (name: string, type: string, occurs: Occurs = "1", nillable = false): Field => ({
  name,
  type,
  occurs,
  nillable
})

const enums: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["SyncOperationEnum", ["UPSERT", "INSERT", "UPDATE"]],
  ["MObjStatusEnum", ["CREATED", "UPDATED", "DELETED", "FAILED", "UNCHANGED", "SKIPPED"]],
  // Declared by Marketo but referenced by nothing (MObject.type is a plain string); kept so
  // that generated clients offer the same names.
  ["MObjectTypeEnum", ["Opportunity", "OpportunityLeadRole", "Program"]],
  ["ComparisonEnum", ["EQ", "NE", "LT", "LE", "GT", "GE"]]
]

// `ArrayOfX` wrappers: one repeated child, possibly none.
const arrayOf = (item: string, type: string): ReadonlyArray<Field> => [field(item, `tns:${type}`, "0..n")]

const records: ReadonlyArray<readonly [string, ReadonlyArray<Field>]> = [
  ["Attrib", [field("name", "xs:string"), field("value", "xs:string")]],
  ["ArrayOfAttrib", arrayOf("attrib", "Attrib")],
  ["TypeAttrib", [field("attrType", "xs:string"), field("attrList", "tns:ArrayOfAttrib", "0..1")]],
  ["ArrayOfTypeAttrib", arrayOf("typeAttrib", "TypeAttrib")],
  ["MObject", [
    field("type", "xs:string"),
    field("id", "xs:int", "0..1"),
    field("externalKey", "tns:Attrib", "0..1"),
    field("createdAt", "xs:dateTime", "0..1"),
    field("updatedAt", "xs:dateTime", "0..1"),
    field("attribList", "tns:ArrayOfAttrib", "0..1"),
    field("typeAttribList", "tns:ArrayOfTypeAttrib", "0..1"),
    field("associationList", "tns:ArrayOfMObjAssociation", "0..1")
  ]],
  ["ArrayOfMObject", arrayOf("mObject", "MObject")],
  ["MObjAssociation", [
    field("mObjType", "xs:string"),
    field("id", "xs:int", "0..1"),
    field("externalKey", "tns:Attrib", "0..1")
  ]],
  ["ArrayOfMObjAssociation", arrayOf("mObjAssociation", "MObjAssociation")],
  ["MObjStatus", [
    field("id", "xs:int"),
    field("externalKey", "tns:Attrib", "0..1"),
    field("status", "tns:MObjStatusEnum"),
    field("error", "xs:string", "0..1")
  ]],
  ["ArrayOfMObjStatus", arrayOf("mObjStatus", "MObjStatus")],
  ["MObjCriteria", [
    field("attrName", "xs:string"),
    field("comparison", "tns:ComparisonEnum"),
    // Any simple value: Marketo compares numbers, dates and strings alike.
    field("attrValue", "xs:anySimpleType")
  ]],
  ["ArrayOfMObjCriteria", arrayOf("mObjCriteria", "MObjCriteria")],
  ["MObjectMetadata", [
    field("name", "xs:string"),
    field("description", "xs:string", "1", true),
    field("isCustom", "xs:boolean"),
    field("isVirtual", "xs:boolean"),
    field("fieldList", "tns:ArrayOfMObjFieldMetadata"),
    field("updatedAt", "xs:dateTime")
  ]],
  ["MObjFieldMetadata", [
    field("name", "xs:string"),
    field("description", "xs:string", "1", true),
    field("displayName", "xs:string", "1", true),
    field("sourceObject", "xs:string", "1", true),
    field("dataType", "xs:string"),
    field("size", "xs:int", "1", true),
    field("isReadonly", "xs:boolean"),
    field("isUpdateBlocked", "xs:boolean"),
    field("isName", "xs:boolean", "1", true),
    field("isPrimaryKey", "xs:boolean"),
    field("isCustom", "xs:boolean"),
    field("isDynamic", "xs:boolean"),
    field("dynamicFieldRef", "xs:string", "1", true),
    field("updatedAt", "xs:dateTime")
  ]],
  ["ArrayOfMObjFieldMetadata", arrayOf("field", "MObjFieldMetadata")],
  // Requests.
  ["ParamsSyncMObjects", [field("mObjectList", "tns:ArrayOfMObject"), field("operation", "tns:SyncOperationEnum")]],
  ["ParamsGetMObjects", [
    field("type", "xs:string"),
    field("id", "xs:int", "0..1"),
    field("externalKey", "tns:Attrib", "0..1"),
    field("mObjCriteriaList", "tns:ArrayOfMObjCriteria", "0..1"),
    field("mObjAssociationList", "tns:ArrayOfMObjAssociation", "0..1"),
    field("includeDetails", "xs:boolean", "0..1"),
    field("streamPosition", "xs:string", "0..1")
  ]],
  ["ParamsDescribeMObject", [field("objectName", "xs:string")]],
  ["ParamsDeleteMObjects", [field("mObjectList", "tns:ArrayOfMObject")]],
  ["ParamsListMObjects", []],
  // Results, and the `success` wrappers around them.
  ["ResultSyncMObjects", [field("mObjStatusList", "tns:ArrayOfMObjStatus")]],
  ["ResultGetMObjects", [
    field("returnCount", "xs:int"),
    field("hasMore", "xs:boolean"),
    field("newStreamPosition", "xs:string"),
    field("mObjectList", "tns:ArrayOfMObject", "0..1")
  ]],
  ["ResultDescribeMObject", [field("metadata", "tns:MObjectMetadata")]],
  ["ResultDeleteMObjects", [field("mObjStatusList", "tns:ArrayOfMObjStatus")]],
  // Not wrapped in an ArrayOf: each name is its own `objects` element.
  ["ResultListMObjects", [field("objects", "xs:string", "0..n")]],
  ["SuccessSyncMObjects", [field("result", "tns:ResultSyncMObjects")]],
  ["SuccessGetMObjects", [field("result", "tns:ResultGetMObjects")]],
  ["SuccessDescribeMObject", [field("result", "tns:ResultDescribeMObject")]],
  ["SuccessDeleteMObjects", [field("result", "tns:ResultDeleteMObjects")]],
  ["SuccessListMObjects", [field("result", "tns:ResultListMObjects")]],
  // The signed header of every call; `audit` and `mode` are reserved by Marketo.
  ["AuthenticationHeaderInfo", [
    field("mktowsUserId", "xs:string"),
    field("requestSignature", "xs:string"),
    field("requestTimestamp", "xs:string"),
    field("audit", "xs:string", "0..1"),
    field("mode", "xs:int", "0..1")
  ]]
]

const capitalize = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1)

// Per operation: the body element of the request and of the response, and their messages.
export const paramsElement = (operation: string): string => `params${capitalize(operation)}`
export const successElement = (operation: string): string => `success${capitalize(operation)}`
export const requestMessage = (operation: string): string => `${capitalize(operation)}Request`
export const responseMessage = (operation: string): string => `${capitalize(operation)}Response`
export const soapAction = (operation: string): string => `${namespace}${operation}`

const globalElements: ReadonlyArray<readonly [string, string]> = [
  ["AuthenticationHeader", "AuthenticationHeaderInfo"],
  ...operationNames.map((op) => [paramsElement(op), `Params${capitalize(op)}`] as const),
  ...operationNames.map((op) => [successElement(op), `Success${capitalize(op)}`] as const)
]

const occursAttributes: Record<Occurs, string> = {
  "1": `minOccurs="1" maxOccurs="1"`,
  "0..1": `minOccurs="0" maxOccurs="1"`,
  "0..n": `minOccurs="0" maxOccurs="unbounded"`
}

const renderField = (f: Field): string =>
  `      <xs:element name="${f.name}" type="${f.type}" ${occursAttributes[f.occurs]} nillable="${f.nillable}"/>`

const renderRecord = ([name, fields]: readonly [string, ReadonlyArray<Field>]): string =>
  fields.length === 0
    ? `  <xs:complexType name="${name}">\n    <xs:sequence/>\n  </xs:complexType>`
    : [
      `  <xs:complexType name="${name}">`,
      `    <xs:sequence>`,
      ...fields.map(renderField),
      `    </xs:sequence>`,
      `  </xs:complexType>`
    ].join("\n")

const renderEnum = ([name, values]: readonly [string, ReadonlyArray<string>]): string =>
  [
    `  <xs:simpleType name="${name}">`,
    `    <xs:restriction base="xs:string">`,
    ...values.map((v) => `      <xs:enumeration value="${v}"/>`),
    `    </xs:restriction>`,
    `  </xs:simpleType>`
  ].join("\n")

// No elementFormDefault: only the global elements are namespaced, their children are not,
// exactly as Marketo's own messages are written.
export const schema: string = [
  `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${namespace}" targetNamespace="${namespace}">`,
  ...enums.map(renderEnum),
  ...records.map(renderRecord),
  ...globalElements.map(([name, type]) => `  <xs:element name="${name}" type="tns:${type}"/>`),
  `</xs:schema>`
].join("\n")

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(
    /'/g,
    "&apos;"
  )

const messages = (): string =>
  [
    `  <wsdl:message name="AuthenticationHeader">`,
    `    <wsdl:part name="authentication" element="tns:AuthenticationHeader"/>`,
    `  </wsdl:message>`,
    ...operationNames.flatMap((op) => [
      `  <wsdl:message name="${requestMessage(op)}">`,
      `    <wsdl:part name="${paramsElement(op)}" element="tns:${paramsElement(op)}"/>`,
      `  </wsdl:message>`,
      `  <wsdl:message name="${responseMessage(op)}">`,
      `    <wsdl:part name="${successElement(op)}" element="tns:${successElement(op)}"/>`,
      `  </wsdl:message>`
    ])
  ].join("\n")

const portType = (): string =>
  [
    `  <wsdl:portType name="MktowsPort">`,
    ...operationNames.flatMap((op) => [
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
    ...operationNames.flatMap((op) => [
      `    <wsdl:operation name="${op}">`,
      `      <soap:operation soapAction="${soapAction(op)}" style="document"/>`,
      `      <wsdl:input>`,
      `        <soap:header message="tns:AuthenticationHeader" part="authentication" use="literal"/>`,
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
