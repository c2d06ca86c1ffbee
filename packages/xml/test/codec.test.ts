import { describe, expect, it } from "@effect/vitest"
import { AuthFault, MarketoFault, ProtocolError } from "@mktows/core/MarketoError"
import * as Wire from "@mktows/core/Wire"
import { XmlString } from "@mktows/core/XmlText"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import { existsSync, readFileSync } from "node:fs"
import * as SoapCodec from "../src/SoapCodec.js"
import { canonical, find, fixture, root } from "./codecHelpers.js"

const documentedHeader: Wire.AuthenticationHeaderInfo = {
  mktowsUserId: "demo17_1_809934544BFABAE58E5D27",
  requestSignature: "40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7",
  requestTimestamp: "2013-08-05T14:22:45-07:00"
}

const documentedParams: Wire.ParamsSyncMObjects = {
  mObjectList: [{
    type: "Program",
    id: 1970,
    typeAttribList: [{
      attrType: "Cost",
      attrList: [{ name: "Month", value: "2013-06" }, { name: "Amount", value: "2000" }, { name: "Id", value: "153" }]
    }]
  }],
  operation: "UPDATE"
}

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

describe("golden: the documented exchanges", () => {
  it("encodes the documented syncMObjects request to the documented params and header", () => {
    const ours = root(SoapCodec.encodeRequest("syncMObjects", documentedHeader, documentedParams))
    const theirs = root(fixture("sync-program-cost-request.xml"))
    expect(canonical(find(ours, "Body", "paramsSyncMObjects"))).toStrictEqual(
      canonical(find(theirs, "Body", "paramsSyncMObjects"))
    )
    expect(canonical(find(ours, "Header", "AuthenticationHeader"))).toStrictEqual(
      canonical(find(theirs, "Header", "AuthenticationHeader"))
    )
    // Only the global element is namespaced; its children are not.
    const params = find(ours, "Body", "paramsSyncMObjects")
    expect(params.ns).toBe(SoapCodec.namespace)
    expect(params.children.map((c) => c.ns)).toStrictEqual(["", ""])
  })

  const reference = new URL("../../../../shared/reference/marketo/PROTOCOL-NOTES.md", import.meta.url)
  it.skipIf(!existsSync(reference))("matches the request printed in the reference notes", () => {
    const notes = readFileSync(reference, "utf8")
    const block = /```xml\n(<SOAP-ENV:Envelope[\s\S]*?)```/.exec(notes)?.[1] ?? ""
    const theirs = root(block)
    const ours = root(SoapCodec.encodeRequest("syncMObjects", documentedHeader, documentedParams))
    expect(canonical(ours)).toStrictEqual(canonical(theirs))
  })

  it.effect("decodes the documented request, header included", () =>
    Effect.gen(function*() {
      const decoded = yield* SoapCodec.decodeRequest(fixture("sync-program-cost-request.xml"))
      expect(decoded.operation).toBe("syncMObjects")
      expect(Option.getOrUndefined(decoded.header)).toStrictEqual(documentedHeader)
      expect(decoded.params).toStrictEqual(documentedParams)
    }))

  it.effect("decodes the documented sync response", () =>
    Effect.gen(function*() {
      const result = yield* SoapCodec.decodeResponse("syncMObjects", fixture("sync-program-cost-response.xml"))
      expect(result).toStrictEqual({ mObjStatusList: [{ id: 1970, status: "UPDATED" }] })
    }))

  it.effect("decodes a delete response with external keys and errors", () =>
    Effect.gen(function*() {
      const result = yield* SoapCodec.decodeResponse("deleteMObjects", fixture("delete-opportunities-response.xml"))
      expect(result).toStrictEqual({
        mObjStatusList: [
          { id: 41, status: "DELETED" },
          { id: 42, externalKey: { name: "opportunityId", value: "Opportunity_42" }, status: "UNCHANGED" },
          { id: 0, status: "FAILED", error: "Opportunity not found" }
        ]
      })
    }))

  it.effect("decodes getMObjects Programs with tags and costs, exact text and empty values", () =>
    Effect.gen(function*() {
      const result = yield* SoapCodec.decodeResponse("getMObjects", fixture("get-programs-response.xml"))
      const attrs = (pairs: ReadonlyArray<readonly [string, string]>) => pairs.map(([name, value]) => ({ name, value }))
      expect(result).toStrictEqual({
        returnCount: 2,
        hasMore: false,
        newStreamPosition: "aWQ6MTAxMDtwYWdlOjI=",
        mObjectList: [
          {
            type: "Program",
            id: 1001,
            createdAt: "2012-11-14T10:02:51-08:00",
            updatedAt: "2013-07-30T16:45:12-07:00",
            attribList: attrs([
              ["Name", "Spring Webinar & Q&A"],
              ["Type", "Event"],
              ["Workspace Id", "1"],
              ["Workspace Name", "Default"],
              ["Tree Path", "Marketing Activities > Events"],
              ["Is Archived", "false"]
            ]),
            typeAttribList: [
              { attrType: "Tag", attrList: attrs([["Type", "Region"], ["Value", "EMEA"]]) },
              {
                attrType: "Cost",
                attrList: attrs([["Id", "77"], ["Month", "2011-07-01"], ["Amount", "1500.5"], [
                  "Note",
                  "  venue, catering  "
                ]])
              },
              {
                attrType: "Cost",
                attrList: attrs([["Id", "78"], ["Month", "2011-08-01"], ["Amount", "200"], ["Note", ""]])
              }
            ]
          },
          {
            type: "Program",
            id: 1010,
            typeAttribList: [{ attrType: "Tag", attrList: attrs([["Type", "Channel"], ["Value", ""]]) }]
          }
        ]
      })
    }))

  it.effect("decodes describeMObject metadata: xsi:nil under any prefix is null, 1/0 are booleans", () =>
    Effect.gen(function*() {
      const { metadata } = yield* SoapCodec.decodeResponse(
        "describeMObject",
        fixture("describe-opportunity-response.xml")
      )
      expect(metadata.name).toBe("Opportunity")
      expect(metadata.description).toBeNull()
      expect(metadata.isVirtual).toBe(false)
      expect(metadata.updatedAt).toBe("2013-06-01T08:00:00-07:00")
      expect(metadata.fieldList).toStrictEqual([
        {
          name: "Amount",
          description: "Estimated total sale amount",
          displayName: "Amount",
          sourceObject: null,
          dataType: "currency",
          size: 18,
          isReadonly: false,
          isUpdateBlocked: false,
          isName: null,
          isPrimaryKey: false,
          isCustom: false,
          isDynamic: false,
          dynamicFieldRef: null,
          updatedAt: "2013-06-01T08:00:00-07:00"
        },
        {
          name: "Id",
          description: null,
          displayName: "Opportunity ID",
          sourceObject: "Opportunity",
          dataType: "integer",
          size: null,
          isReadonly: true,
          isUpdateBlocked: true,
          isName: false,
          isPrimaryKey: true,
          isCustom: false,
          isDynamic: false,
          dynamicFieldRef: null,
          updatedAt: "2013-06-01T08:00:00-07:00"
        }
      ])
    }))

  it.effect("decodes the documented 20014 fault as an AuthFault", () =>
    Effect.gen(function*() {
      const error = yield* failure(SoapCodec.decodeResponse("syncMObjects", fixture("fault-20014.xml")))
      expect(error).toStrictEqual(new AuthFault({ code: 20014, faultString: "20014 - Authentication failed" }))
      const direct = yield* SoapCodec.decodeFault(fixture("fault-20014.xml"))
      expect(direct._tag).toBe("AuthFault")
    }))

  // Every element present, so a Wire Schema whose fields are declared out of the WSDL's
  // sequence order fails here, with the diff of the element names.
  it("writes every element of a sync request in sequence order", () => {
    const theirs = root(fixture("sync-every-element-request.xml"))
    const ours = root(SoapCodec.encodeRequest("syncMObjects", { ...documentedHeader, audit: "audit", mode: 1 }, {
      mObjectList: [{
        type: "Opportunity",
        id: 12,
        externalKey: { name: "externalOpportunityId", value: "OPP-1" },
        createdAt: "2013-06-01T08:00:00Z",
        updatedAt: "2013-06-02T08:00:00Z",
        attribList: [{ name: "Name", value: "Deal" }],
        typeAttribList: [{ attrType: "Tag", attrList: [{ name: "Region", value: "EMEA" }] }],
        associationList: [{
          mObjType: "Company",
          id: 7,
          externalKey: { name: "externalCompanyId", value: "C-7" }
        }]
      }],
      operation: "UPSERT"
    }))
    expect(canonical(find(ours, "Body", "paramsSyncMObjects"))).toStrictEqual(
      canonical(find(theirs, "Body", "paramsSyncMObjects"))
    )
    expect(canonical(find(ours, "Header", "AuthenticationHeader"))).toStrictEqual(
      canonical(find(theirs, "Header", "AuthenticationHeader"))
    )
  })

  it("writes every element of a getMObjects request and result in sequence order", () => {
    const theirs = root(fixture("get-every-element.xml"))
    const request = root(SoapCodec.encodeRequest("getMObjects", documentedHeader, {
      type: "Opportunity",
      id: 12,
      externalKey: { name: "externalOpportunityId", value: "OPP-1" },
      mObjCriteriaList: [{ attrName: "Amount", comparison: "GE", attrValue: "100" }],
      mObjAssociationList: [{ mObjType: "Company", id: 7 }],
      includeDetails: true,
      streamPosition: "abc"
    }))
    const response = root(SoapCodec.encodeResponse("getMObjects", {
      returnCount: 1,
      hasMore: false,
      newStreamPosition: "def",
      mObjectList: [{ type: "Opportunity", id: 12 }]
    }))
    expect(canonical(find(request, "Body", "paramsGetMObjects"))).toStrictEqual(
      canonical(find(theirs, "paramsGetMObjects"))
    )
    expect(canonical(find(response, "Body", "successGetMObjects"))).toStrictEqual(
      canonical(find(theirs, "successGetMObjects"))
    )
  })

  it.effect("one item decodes as an array, like many", () =>
    Effect.gen(function*() {
      const result = yield* SoapCodec.decodeResponse("listMObjects", fixture("list-one-object-response.xml"))
      expect(result).toStrictEqual({ objects: ["Opportunity"] })
    }))
})

// ---------------------------------------------------------------------------------------

const header = Wire.AuthenticationHeaderInfo

describe("laws: what is written reads back the same", () => {
  const requestLaw = <Op extends Wire.Operation>(operation: Op) =>
    it.effect.prop(
      `decodeRequest(encodeRequest(${operation})) is the identity`,
      { header, params: Wire.operations[operation].params },
      ({ header, params }) =>
        Effect.gen(function*() {
          const typed = params as Wire.ParamsOf<Op>
          const decoded = yield* SoapCodec.decodeRequest(SoapCodec.encodeRequest(operation, header, typed))
          expect(decoded.operation).toBe(operation)
          expect(Option.getOrUndefined(decoded.header)).toStrictEqual(header)
          expect(decoded.params).toStrictEqual(typed)
        }),
      { fastCheck: { numRuns: 60 } }
    )

  const responseLaw = <Op extends Wire.Operation>(operation: Op) =>
    it.effect.prop(
      `decodeResponse(encodeResponse(${operation})) is the identity`,
      { result: Wire.operations[operation].result },
      ({ result }) =>
        Effect.gen(function*() {
          const typed = result as Wire.ResultOf<Op>
          const decoded = yield* SoapCodec.decodeResponse(operation, SoapCodec.encodeResponse(operation, typed))
          expect(decoded).toStrictEqual(typed)
        }),
      { fastCheck: { numRuns: 60 } }
    )

  for (const operation of Wire.Operation.literals) {
    requestLaw(operation)
    responseLaw(operation)
  }

  // The same document in another form: other prefixes, the declarations in another order,
  // a default namespace instead of a prefix, whitespace between elements. The reader walks
  // fast-xml-parser's output once, resolving names as it goes; none of this may matter.
  const form = FastCheck.record({
    env: FastCheck.constantFrom("SOAP-ENV", "s", "soapenv", "S.1", "e_2"),
    mkt: FastCheck.constantFrom("ns1", "m", "mkt", "tns", "n-2"),
    defaultMkt: FastCheck.boolean(),
    order: FastCheck.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
    space: FastCheck.constantFrom("", " ", "\n", "\n  ", "\t", "\r\n")
  })
  type Form = typeof form extends FastCheck.Arbitrary<infer A> ? A : never

  const reform = (xml: string, f: Form): string => {
    const declarations = /^(<\?xml[^>]*\?>\n?<SOAP-ENV:Envelope)((?: xmlns:[\w-]+="[^"]*")+)>/.exec(xml)
    let out = xml
    if (declarations !== null) {
      const [, start = "", attributes = ""] = declarations
      const all = attributes.trim().split(" ")
      const kept = f.defaultMkt ? all.filter((a) => !a.startsWith("xmlns:ns1=")) : all
      const ordered = f.order.map((i) => kept[i]).filter((a) => a !== undefined)
      out = `${start} ${ordered.join(" ")}>` + out.slice(declarations[0].length)
    }
    if (f.defaultMkt) {
      out = out.replace(/<ns1:(\w+)>/g, `<$1 xmlns="${SoapCodec.namespace}">`).replace(/<\/ns1:(\w+)>/g, "</$1>")
    }
    out = out.replace(/(<\/?)SOAP-ENV:/g, `$1${f.env}:`).replace(/xmlns:SOAP-ENV=/g, `xmlns:${f.env}=`)
      .replace(/(<\/?)ns1:/g, `$1${f.mkt}:`).replace(/xmlns:ns1=/g, `xmlns:${f.mkt}=`)
    // Whitespace after every end tag and empty element, and between a start tag and a child
    // element: never inside simple content.
    return out.replace(/(<\/[^>]+>|\/>)(?=<)/g, `$1${f.space}`).replace(/(<[^/!?][^>]*[^/]>)(?=<[^/])/g, `$1${f.space}`)
  }

  for (const operation of Wire.Operation.literals) {
    it.effect.prop(
      `${operation}: another form of the same request and response reads the same`,
      { header, params: Wire.operations[operation].params, result: Wire.operations[operation].result, form },
      ({ form, header, params, result }) =>
        Effect.gen(function*() {
          const request = reform(
            SoapCodec.encodeRequest(operation, header, params as Wire.ParamsOf<typeof operation>),
            form
          )
          const decoded = yield* SoapCodec.decodeRequest(request)
          expect(Option.getOrUndefined(decoded.header)).toStrictEqual(header)
          expect(decoded.params).toStrictEqual(params)
          const response = reform(
            SoapCodec.encodeResponse(operation, result as Wire.ResultOf<typeof operation>),
            form
          )
          expect(yield* SoapCodec.decodeResponse(operation, response)).toStrictEqual(result)
        }),
      { fastCheck: { numRuns: 30 } }
    )
  }

  it("another form really is another form", () => {
    const xml = SoapCodec.encodeRequest("syncMObjects", documentedHeader, documentedParams)
    const other = reform(xml, { env: "s", mkt: "m", defaultMkt: true, order: [2, 1, 0], space: "\n" })
    expect(other).toContain(`<s:Envelope xmlns:xsi=`)
    expect(other).toContain(`<paramsSyncMObjects xmlns="${SoapCodec.namespace}">\n<mObjectList>`)
    expect(other).not.toContain("ns1")
    expect(other).toContain("<value>2000</value>\n")
  })

  it.effect.prop(
    "encodeFault then decodeResponse gives back the code and the texts",
    { code: FastCheck.integer({ min: 0, max: 99999 }), text: XmlString, message: XmlString },
    ({ code: positive, message, text }) =>
      Effect.gen(function*() {
        const body = SoapCodec.encodeFault({ code: positive, text, message })
        const error = yield* failure(SoapCodec.decodeResponse("getMObjects", body))
        const faultString = `${positive} - ${text}`
        if (positive === 20013 || positive === 20014) {
          expect(error).toStrictEqual(new AuthFault({ code: positive, faultString }))
        } else {
          expect(error).toStrictEqual(
            new MarketoFault({
              code: positive,
              faultString,
              detail: `${message} (${positive})`,
              operation: "getMObjects"
            })
          )
        }
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("encodeFault writes Marketo's shape, Client by default and Server on request", () =>
    Effect.gen(function*() {
      const client = root(SoapCodec.encodeFault({ code: 20023, text: "Rate Limit Exceeded" }))
      const fault = find(client, "Body", "Fault")
      expect(find(fault, "faultcode").text).toMatch(/^[\w-]+:Client$/)
      const service = find(fault, "detail", "serviceException")
      expect(service.ns).toBe(SoapCodec.namespace)
      expect(service.children.map((c) => [c.ns, c.local, c.text])).toStrictEqual([
        ["", "name", "mktServiceException"],
        ["", "message", "Rate Limit Exceeded (20023)"],
        ["", "code", "20023"]
      ])
      const server = root(SoapCodec.encodeFault({ code: 20011, text: "Internal Error", faultCode: "Server" }))
      expect(find(server, "Body", "Fault", "faultcode").text).toMatch(/:Server$/)
      const error = yield* failure(SoapCodec.decodeResponse(
        "syncMObjects",
        SoapCodec.encodeFault({
          code: 20023,
          text: "Rate Limit Exceeded"
        })
      ))
      expect(error._tag === "MarketoFault" && error.retryable).toBe(true)
    }))
})

// ---------------------------------------------------------------------------------------

describe("escaping", () => {
  const awkward = [
    "&",
    "<",
    ">",
    "\"",
    "'",
    "]]>",
    "a]]>b<![CDATA[c]]>",
    "&amp;",
    "&#13;",
    "\u{1F600} \u{10FFFF}",
    "  leading and trailing  ",
    "",
    " ",
    "\r",
    "\r\n",
    "line\nbreak",
    "\ttab\t",
    "<value/>",
    "\uFFFD\uE000"
  ]

  it.effect("every awkward string survives a request and a response", () =>
    Effect.gen(function*() {
      for (const value of awkward) {
        const params: Wire.ParamsSyncMObjects = {
          mObjectList: [{ type: value, attribList: [{ name: value, value }] }],
          operation: "UPSERT"
        }
        const request = yield* SoapCodec.decodeRequest(
          SoapCodec.encodeRequest("syncMObjects", { ...documentedHeader, audit: value }, params)
        )
        expect(request.params).toStrictEqual(params)
        expect(Option.getOrUndefined(request.header)?.audit).toBe(value)
        const result: Wire.ResultGetMObjects = { returnCount: 0, hasMore: true, newStreamPosition: value }
        const response = yield* SoapCodec.decodeResponse("getMObjects", SoapCodec.encodeResponse("getMObjects", result))
        expect(response).toStrictEqual(result)
      }
    }))

  it("writes CR as a character reference and never a raw CR", () => {
    const xml = SoapCodec.encodeRequest("describeMObject", documentedHeader, { objectName: "a\rb\r\nc" })
    expect(xml).not.toContain("\r")
    expect(xml).toContain("a&#13;b&#13;\nc")
  })

  it.effect("reads raw CR/LF line ends as LF, as XML requires, and numeric references exactly", () =>
    Effect.gen(function*() {
      const body = `<s:Envelope xmlns:s="${SoapCodec.soapEnvelopeNamespace}"><s:Body>` +
        `<m:successListMObjects xmlns:m="${SoapCodec.namespace}"><result>` +
        `<objects>a\r\nb\rc</objects><objects>&#x1F600;&#128512;&#13;&#9;&#xA;</objects><objects/>` +
        `<objects></objects><objects><![CDATA[<&amp;>]]>&amp;</objects>` +
        `</result></m:successListMObjects></s:Body></s:Envelope>`
      const result = yield* SoapCodec.decodeResponse("listMObjects", body)
      expect(result.objects).toStrictEqual(["a\nb\nc", "\u{1F600}\u{1F600}\r\t\n", "", "", "<&amp;>&"])
    }))
})

describe("CDATA sections", () => {
  const listAnswer = (objects: string) =>
    `<s:Envelope xmlns:s="${SoapCodec.soapEnvelopeNamespace}"><s:Body>` +
    `<m:successListMObjects xmlns:m="${SoapCodec.namespace}"><result>${objects}</result>` +
    `</m:successListMObjects></s:Body></s:Envelope>`
  // A text written as CDATA sections (a "]]>" in it splits it across two of them).
  const asCdata = (text: string) => `<![CDATA[${text.split("]]>").join("]]]]><![CDATA[>")}]]>`

  it.effect.prop(
    "any text reads the same written as CDATA, escaped, or both in turn",
    { a: XmlString, b: XmlString },
    ({ a, b }) =>
      Effect.gen(function*() {
        // CR reads as LF in both forms (end-of-line handling applies inside CDATA too).
        const read = (text: string) => text.replace(/\r\n?/g, "\n")
        const escaped = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
        const result = yield* SoapCodec.decodeResponse(
          "listMObjects",
          listAnswer(
            `<objects>${asCdata(a)}</objects><objects>${escaped(a)}${asCdata(b)}</objects>` +
              `<objects>${asCdata(a)}${escaped(b)}${asCdata("")}</objects>`
          )
        )
        expect(result.objects).toStrictEqual([read(a), read(a + b), read(a + b)])
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.effect("a CDATA-like text in a comment is no section, and references in a section stay literal", () =>
    Effect.gen(function*() {
      const result = yield* SoapCodec.decodeResponse(
        "listMObjects",
        listAnswer(
          `<!-- <![CDATA[ not a section ]]> --><objects>a<!-- <![CDATA[ -->b</objects>` +
            `<objects><![CDATA[&lt;&#13;<x>]]>&lt;</objects>`
        )
      )
      expect(result.objects).toStrictEqual(["ab", "&lt;&#13;<x><"])
    }))

  it.effect("whitespace in CDATA between elements may stand, other text may not", () =>
    Effect.gen(function*() {
      const statuses = (between: string) =>
        `<s:Envelope xmlns:s="${SoapCodec.soapEnvelopeNamespace}"><s:Body>` +
        `<m:successSyncMObjects xmlns:m="${SoapCodec.namespace}"><result><mObjStatusList>` +
        `<mObjStatus>${between}<id>7</id><status>CREATED</status></mObjStatus>` +
        `</mObjStatusList></result></m:successSyncMObjects></s:Body></s:Envelope>`
      expect(yield* SoapCodec.decodeResponse("syncMObjects", statuses("<![CDATA[ \n ]]>"))).toStrictEqual({
        mObjStatusList: [{ id: 7, status: "CREATED" }]
      })
      const error = yield* failure(SoapCodec.decodeResponse("syncMObjects", statuses("<![CDATA[x]]>")))
      expect(error).toMatchObject({ _tag: "ProtocolError", reason: "SchemaMismatch" })
      expect(error.message).toContain("unexpected text in <mObjStatus>")
    }))
})

// ---------------------------------------------------------------------------------------

const syncResponseWith = (open: string, close: string, statuses: string) =>
  `<?xml version="1.0"?>${open}<result>${statuses}</result>${close}`

describe("namespaces are resolved from the document", () => {
  const statuses = "<mObjStatusList><mObjStatus><id>7</id><status>CREATED</status></mObjStatus></mObjStatusList>"
  const env = SoapCodec.soapEnvelopeNamespace
  const mkt = SoapCodec.namespace
  const variants: ReadonlyArray<readonly [string, string, string]> = [
    [
      "SOAP-ENV and ns1",
      `<SOAP-ENV:Envelope xmlns:SOAP-ENV="${env}" xmlns:ns1="${mkt}"><SOAP-ENV:Body><ns1:successSyncMObjects>`,
      "</ns1:successSyncMObjects></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ],
    [
      "soapenv and mkt declared on the element",
      `<soapenv:Envelope xmlns:soapenv="${env}"><soapenv:Body><mkt:successSyncMObjects xmlns:mkt="${mkt}">`,
      "</mkt:successSyncMObjects></soapenv:Body></soapenv:Envelope>"
    ],
    [
      "a default namespace for the envelope",
      `<Envelope xmlns="${env}"><Body><m:successSyncMObjects xmlns:m="${mkt}" xmlns="">`,
      "</m:successSyncMObjects></Body></Envelope>"
    ],
    [
      "a default mktows namespace inherited by the children",
      `<S:Envelope xmlns:S="${env}"><S:Body><successSyncMObjects xmlns="${mkt}">`,
      "</successSyncMObjects></S:Body></S:Envelope>"
    ],
    [
      "a prefix bound twice, the inner binding winning",
      `<x:Envelope xmlns:x="${env}"><x:Body xmlns:y="urn:other"><y:successSyncMObjects xmlns:y="${mkt}">`,
      "</y:successSyncMObjects></x:Body></x:Envelope>"
    ]
  ]
  for (const [name, open, close] of variants) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const result = yield* SoapCodec.decodeResponse("syncMObjects", syncResponseWith(open, close, statuses))
        expect(result).toStrictEqual({ mObjStatusList: [{ id: 7, status: "CREATED" }] })
      }))
  }

  it.effect("the right local name in the wrong namespace is refused", () =>
    Effect.gen(function*() {
      const body = syncResponseWith(
        `<s:Envelope xmlns:s="${env}"><s:Body><ns1:successSyncMObjects xmlns:ns1="http://www.marketo.com/other/">`,
        "</ns1:successSyncMObjects></s:Body></s:Envelope>",
        statuses
      )
      const error = yield* failure(SoapCodec.decodeResponse("syncMObjects", body))
      expect(error).toBeInstanceOf(ProtocolError)
      expect(error._tag === "ProtocolError" && error.reason).toBe("WrongElement")
    }))

  it.effect("an undeclared prefix is not XML", () =>
    Effect.gen(function*() {
      const error = yield* failure(SoapCodec.decodeResponse("syncMObjects", "<s:Envelope><s:Body/></s:Envelope>"))
      expect(error._tag === "ProtocolError" && error.reason).toBe("NotXml")
    }))
})

// ---------------------------------------------------------------------------------------

const protocolReason = (effect: Effect.Effect<unknown, unknown>) =>
  Effect.map(Effect.flip(effect), (e) => (e instanceof ProtocolError ? [e.reason, e.detail, e.received] : [String(e)]))

describe("responses that are not what was asked for", () => {
  const env = SoapCodec.soapEnvelopeNamespace
  const sync = (statuses: string) =>
    syncResponseWith(
      `<s:Envelope xmlns:s="${env}"><s:Body><m:successSyncMObjects xmlns:m="${SoapCodec.namespace}">`,
      "</m:successSyncMObjects></s:Body></s:Envelope>",
      `<mObjStatusList>${statuses}</mObjStatusList>`
    )

  it.effect("the success element of another operation", () =>
    Effect.gen(function*() {
      const [reason, detail] = yield* protocolReason(
        SoapCodec.decodeResponse("deleteMObjects", fixture("sync-program-cost-response.xml"))
      )
      expect(reason).toBe("WrongElement")
      expect(detail).toContain("successDeleteMObjects")
    }))

  it.effect("a value the Wire Schema refuses names its path", () =>
    Effect.gen(function*() {
      const [reason, detail] = yield* protocolReason(
        SoapCodec.decodeResponse("syncMObjects", sync("<mObjStatus><id>x1</id><status>UPDATED</status></mObjStatus>"))
      )
      expect(reason).toBe("SchemaMismatch")
      expect(detail).toContain("mObjStatusList[0].id")
      const [, badStatus] = yield* protocolReason(
        SoapCodec.decodeResponse("syncMObjects", sync("<mObjStatus><id>1</id><status>GONE</status></mObjStatus>"))
      )
      expect(badStatus).toContain("mObjStatusList[0].status")
      const [missingReason, missing] = yield* protocolReason(
        SoapCodec.decodeResponse("syncMObjects", sync("<mObjStatus><status>UPDATED</status></mObjStatus>"))
      )
      expect(missingReason).toBe("WrongElement")
      expect(missing).toContain("mObjStatusList[0].id")
    }))

  it.effect("a duplicated single element is refused; an unknown one is skipped", () =>
    Effect.gen(function*() {
      const [reason] = yield* protocolReason(
        SoapCodec.decodeResponse(
          "syncMObjects",
          sync("<mObjStatus><id>1</id><id>2</id><status>UPDATED</status></mObjStatus>")
        )
      )
      expect(reason).toBe("WrongElement")
      const result = yield* SoapCodec.decodeResponse(
        "syncMObjects",
        sync("<mObjStatus><id>1</id><seq>0</seq><status>UPDATED</status></mObjStatus>")
      )
      expect(result).toStrictEqual({ mObjStatusList: [{ id: 1, status: "UPDATED" }] })
    }))

  it.effect("a status count that does not match the request, when asked to check", () =>
    Effect.gen(function*() {
      const body = sync("<mObjStatus><id>1</id><status>UPDATED</status></mObjStatus>")
      const [reason, detail] = yield* protocolReason(
        SoapCodec.decodeResponse("syncMObjects", body, { expectedCount: 2 })
      )
      expect(reason).toBe("CountMismatch")
      expect(detail).toContain("2 object(s) sent, 1 status(es) received")
      const ok = yield* SoapCodec.decodeResponse("syncMObjects", body, { expectedCount: 1 })
      expect(ok.mObjStatusList).toHaveLength(1)
    }))

  it.effect("a SOAP 1.2 envelope, a wrong root, an empty Body", () =>
    Effect.gen(function*() {
      const [soap12, detail12] = yield* protocolReason(SoapCodec.decodeResponse(
        "listMObjects",
        `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`
      ))
      expect([soap12, detail12]).toStrictEqual(["NotXml", "a SOAP 1.2 envelope; this service speaks SOAP 1.1"])
      const [wrongRoot, , received] = yield* protocolReason(
        SoapCodec.decodeResponse("listMObjects", "<result><objects>x</objects></result>")
      )
      expect(wrongRoot).toBe("NotXml")
      expect(received).toBe("<result><objects>x</objects></result>")
      const [empty] = yield* protocolReason(
        SoapCodec.decodeResponse("listMObjects", `<e:Envelope xmlns:e="${env}"><e:Body>  </e:Body></e:Envelope>`)
      )
      expect(empty).toBe("WrongElement")
    }))

  it.effect("a fault without Marketo's detail still says what happened", () =>
    Effect.gen(function*() {
      const fault = (faultString: string) =>
        `<e:Envelope xmlns:e="${env}"><e:Body><e:Fault><faultcode>e:Server</faultcode>` +
        `<faultstring>${faultString}</faultstring></e:Fault></e:Body></e:Envelope>`
      const coded = yield* failure(SoapCodec.decodeResponse("syncMObjects", fault("20023 - Rate Limit Exceeded")))
      expect(coded).toStrictEqual(
        new MarketoFault({ code: 20023, faultString: "20023 - Rate Limit Exceeded", operation: "syncMObjects" })
      )
      const bare = yield* failure(SoapCodec.decodeResponse("syncMObjects", fault("Internal Server Error")))
      expect(bare).toStrictEqual(
        new MarketoFault({ code: 0, faultString: "Internal Server Error", operation: "syncMObjects" })
      )
      const notFault = yield* failure(SoapCodec.decodeFault(fixture("sync-program-cost-response.xml")))
      expect(notFault.reason).toBe("WrongElement")
    }))
})

// ---------------------------------------------------------------------------------------

const requestError = (body: string) =>
  Effect.map(Effect.flip(SoapCodec.decodeRequest(body)), (e) => ({ reason: e.reason, path: e.path, detail: e.detail }))

describe("requests the emulator must refuse", () => {
  const env = SoapCodec.soapEnvelopeNamespace
  const request = (body: string, headerXml = "") =>
    `<soapenv:Envelope xmlns:soapenv="${env}" xmlns:mkt="${SoapCodec.namespace}">${headerXml}` +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`

  it.effect("an operation this service does not have", () =>
    Effect.gen(function*() {
      const error = yield* requestError(
        request("<mkt:paramsSyncLead><returnLead>true</returnLead></mkt:paramsSyncLead>")
      )
      expect(error.reason).toBe("UnknownOperation")
      const unqualified = yield* requestError(request("<paramsListMObjects/>"))
      expect(unqualified.reason).toBe("UnknownOperation")
    }))

  it.effect("a missing parameter, with its path", () =>
    Effect.gen(function*() {
      const error = yield* requestError(
        request(
          "<mkt:paramsSyncMObjects><mObjectList><mObject><id>1</id></mObject></mObjectList>" +
            "<operation>UPDATE</operation></mkt:paramsSyncMObjects>"
        )
      )
      expect(error.reason).toBe("MissingParameter")
      expect(error.path).toBe("paramsSyncMObjects.mObjectList[0].type")
    }))

  it.effect("a bad value, with its path", () =>
    Effect.gen(function*() {
      const error = yield* requestError(
        request("<mkt:paramsSyncMObjects><mObjectList/><operation>DELETE</operation></mkt:paramsSyncMObjects>")
      )
      expect(error.reason).toBe("BadValue")
      expect(error.path).toBe("paramsSyncMObjects.operation")
      const int = yield* requestError(request(
        "<mkt:paramsGetMObjects><type>Program</type><id>99999999999</id></mkt:paramsGetMObjects>"
      ))
      expect([int.reason, int.path]).toStrictEqual(["BadValue", "paramsGetMObjects.id"])
    }))

  it.effect("an element the WSDL does not have at that place (a misspelt associationList)", () =>
    Effect.gen(function*() {
      const error = yield* requestError(request(
        "<mkt:paramsSyncMObjects><mObjectList><mObject><type>Opportunity</type>" +
          "<mObjAssociationList/></mObject></mObjectList><operation>INSERT</operation></mkt:paramsSyncMObjects>"
      ))
      expect(error.reason).toBe("BadValue")
      expect(error.path).toBe("paramsSyncMObjects.mObjectList[0]")
      expect(error.detail).toContain("mObjAssociationList")
    }))

  it.effect("not a SOAP envelope, and a header with a bad field", () =>
    Effect.gen(function*() {
      const notSoap = yield* requestError("<paramsListMObjects/>")
      expect(notSoap.reason).toBe("NotSoap")
      const badHeader = yield* requestError(request(
        "<mkt:paramsListMObjects/>",
        "<soapenv:Header><mkt:AuthenticationHeader><mktowsUserId>u</mktowsUserId>" +
          "<requestSignature>s</requestSignature></mkt:AuthenticationHeader></soapenv:Header>"
      ))
      expect([badHeader.reason, badHeader.path]).toStrictEqual([
        "MissingParameter",
        "AuthenticationHeader.requestTimestamp"
      ])
    }))

  it.effect("xsi:nil on an optional element reads as absent, on a required one as a bad value", () =>
    Effect.gen(function*() {
      const xsi = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
      const decoded = yield* SoapCodec.decodeRequest(request(
        `<mkt:paramsGetMObjects ${xsi}><type>Program</type><id xsi:nil="true"/>` +
          `<streamPosition xsi:nil="true"></streamPosition></mkt:paramsGetMObjects>`
      ))
      expect(decoded.params).toStrictEqual({ type: "Program" })
      const error = yield* requestError(request(
        `<mkt:paramsGetMObjects ${xsi}><type xsi:nil="true"/></mkt:paramsGetMObjects>`
      ))
      expect([error.reason, error.path]).toStrictEqual(["BadValue", "paramsGetMObjects.type"])
    }))

  it.effect("no header reads as None; an empty listMObjects is fine", () =>
    Effect.gen(function*() {
      const decoded = yield* SoapCodec.decodeRequest(request("<mkt:paramsListMObjects/>"))
      expect(decoded).toStrictEqual({ operation: "listMObjects", header: Option.none(), params: {} })
    }))

  it.effect("the error is a SoapRequestError with a readable message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(SoapCodec.decodeRequest("not xml"))
      expect(error).toBeInstanceOf(SoapCodec.SoapRequestError)
      expect(error.reason).toBe("Malformed")
      expect(error.message).toContain("Malformed")
    }))
})

// ---------------------------------------------------------------------------------------

import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { decoder, isCompiled } from "../src/internal/decoder.js"

describe("the compiled Schema decoders agree with Schema.decodeUnknownEither", () => {
  const schemas: ReadonlyArray<readonly [string, Schema.Schema.AnyNoContext]> = [
    ["AuthenticationHeaderInfo", Wire.AuthenticationHeaderInfo],
    ...Wire.Operation.literals.flatMap((op) => [
      [`params of ${op}`, Wire.operations[op].params as Schema.Schema.AnyNoContext] as const,
      [`result of ${op}`, Wire.operations[op].result as Schema.Schema.AnyNoContext] as const
    ])
  ]

  // Every place in a value, as a path of keys.
  const places = (value: unknown, at: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> =>
    value !== null && typeof value === "object"
      ? [at, ...Object.entries(value).flatMap(([k, v]) => places(v, [...at, Array.isArray(value) ? Number(k) : k]))]
      : [at]

  // `value` with the thing at `path` replaced (or, with `undefined`, its key removed).
  const replaced = (value: unknown, path: ReadonlyArray<string | number>, by: unknown): unknown => {
    const [head, ...rest] = path
    if (head === undefined) return by
    if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, by) : v))
    const record = value as Record<string, unknown>
    const inner = replaced(record[head], rest, by)
    return Object.fromEntries(
      Object.entries({ ...record, [head]: inner }).filter(([k, v]) => k !== String(head) || v !== undefined)
    )
  }

  const outcome = (result: Either.Either<unknown, ParseResult.ParseError>) =>
    Either.isRight(result)
      ? { ok: JSON.stringify(result.right) }
      : { error: ParseResult.ArrayFormatter.formatErrorSync(result.left) }

  for (const [name, schema] of schemas) {
    it("compiles " + name, () => expect(isCompiled(schema)).toBe(true))

    const fast = decoder(schema)
    const slow = Schema.decodeUnknownEither(schema)
    const corrupted = Arbitrary.make(schema).chain((value) =>
      FastCheck.tuple(
        FastCheck.constant(value),
        FastCheck.constantFrom(...places(value)),
        FastCheck.oneof(
          FastCheck.constant(undefined),
          FastCheck.constant(null),
          FastCheck.anything(),
          FastCheck.constantFrom("", "\u0000", "\uD800", "x", "2013-09-30T00:00:00Z", 1.5, 2 ** 31, -1, true, [], {})
        )
      ).map(([v, path, by]) => replaced(v, path, by))
    )

    it.prop(`${name}: the same value, keys in the same order, or the same error`, [
      FastCheck.oneof(Arbitrary.make(schema), corrupted)
    ], ([value]) => {
      expect(outcome(fast(value))).toStrictEqual(outcome(slow(value)))
    }, { fastCheck: { numRuns: 300 } })
  }

  it("drops keys the Schema does not declare, as Schema does", () => {
    const decode = decoder(Wire.Attrib)
    expect(decode({ name: "n", value: "v", extra: 1 })).toStrictEqual(Either.right({ name: "n", value: "v" }))
  })
})

// ---------------------------------------------------------------------------------------

import { readEnvelope } from "../src/internal/codec.js"
import * as Layout from "../src/internal/layout.js"
import { readFields } from "../src/internal/reader.js"

describe("what the reader vouches for is what the Schema answers", () => {
  // Write a value (valid or corrupted) with the layout writer, read it back, and compare
  // the reader's verdict with the Schema's on the very record it read.
  const cases: ReadonlyArray<readonly [string, Schema.Schema.AnyNoContext, Layout.Struct]> = [
    ["AuthenticationHeaderInfo", Wire.AuthenticationHeaderInfo, Layout.AuthenticationHeader],
    ...Wire.Operation.literals.flatMap((op) => [
      [`params of ${op}`, Wire.operations[op].params as Schema.Schema.AnyNoContext, Layout.layouts[op].params] as const,
      [`result of ${op}`, Wire.operations[op].result as Schema.Schema.AnyNoContext, Layout.layouts[op].result] as const
    ])
  ]
  const leafCorruption = FastCheck.constantFrom(
    "",
    " 7 ",
    "x",
    "2013-09-30T00:00:00Z",
    "1.5",
    String(2 ** 31),
    "-1",
    "true",
    "0",
    "MAYBE",
    null
  )
  // Every leaf (string, number, boolean) of a value, as a path.
  const leaves = (value: unknown, at: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> =>
    value !== null && typeof value === "object"
      ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, Array.isArray(value) ? Number(k) : k]))
      : [at]
  const setAt = (value: unknown, path: ReadonlyArray<string | number>, by: unknown): unknown => {
    const [head, ...rest] = path
    if (head === undefined) return by
    if (Array.isArray(value)) return value.map((v, i) => (i === head ? setAt(v, rest, by) : v))
    return { ...(value as Record<string, unknown>), [head]: setAt((value as Record<string, unknown>)[head], rest, by) }
  }
  const envelope = (inner: string) =>
    `<s:Envelope xmlns:s="${SoapCodec.soapEnvelopeNamespace}"><s:Body><m:x xmlns:m="${SoapCodec.namespace}" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${inner}</m:x></s:Body></s:Envelope>`

  for (const [name, schema, layout] of cases) {
    const corrupted = Arbitrary.make(schema).chain((value) => {
      const paths = leaves(value)
      return paths.length === 0
        ? FastCheck.constant(value)
        : FastCheck.tuple(FastCheck.constantFrom(...paths), leafCorruption).map(([path, by]) => setAt(value, path, by))
    })
    it.prop(`${name}: vouched records decode to themselves, keys in the same order`, [
      FastCheck.oneof(Arbitrary.make(schema), corrupted)
    ], ([value]) => {
      const body = envelope(Layout.writeStruct(layout)(value))
      const parsed = readEnvelope(body, {})
      const content = Either.isRight(parsed) ? Option.getOrUndefined(parsed.right.content) : undefined
      expect(content, `unreadable: ${body}`).toBeDefined()
      if (content === undefined) return
      const read = readFields(content, layout, false)
      if (Either.isLeft(read)) return
      const decoded = Schema.decodeUnknownEither(schema)(read.right.value)
      if (read.right.vouched) {
        expect(Either.isRight(decoded), JSON.stringify(read.right.value)).toBe(true)
        expect(JSON.stringify(Either.getOrUndefined(decoded))).toBe(JSON.stringify(read.right.value))
      }
      // A valid value is always vouched for: the fast path is the common path.
      if (Either.isRight(Schema.decodeUnknownEither(schema)(value)) && Either.isRight(decoded)) {
        expect(read.right.vouched || JSON.stringify(Either.getOrUndefined(decoded)) !== JSON.stringify(value)).toBe(
          true
        )
      }
    }, { fastCheck: { numRuns: 300 } })
  }
})

describe("elements out of sequence order", () => {
  it.effect("read alike, with the record's keys in the Schema's order", () =>
    Effect.gen(function*() {
      const body = `<s:Envelope xmlns:s="${SoapCodec.soapEnvelopeNamespace}"><s:Body>` +
        `<m:successSyncMObjects xmlns:m="${SoapCodec.namespace}"><result><mObjStatusList>` +
        `<mObjStatus><status>CREATED</status><externalKey><value>K</value><name>ext</name></externalKey><id>7</id>` +
        `</mObjStatus><mObjStatus><id>8</id><status>UPDATED</status></mObjStatus>` +
        `</mObjStatusList></result></m:successSyncMObjects></s:Body></s:Envelope>`
      const result = yield* SoapCodec.decodeResponse("syncMObjects", body)
      expect(JSON.stringify(result)).toBe(
        JSON.stringify({
          mObjStatusList: [
            { id: 7, externalKey: { name: "ext", value: "K" }, status: "CREATED" },
            { id: 8, status: "UPDATED" }
          ]
        })
      )
    }))
})

describe("escapeText", () => {
  const reference = (text: string): string =>
    text.replace(/[&<>\r]/g, (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;")
  const text = FastCheck.array(FastCheck.constantFrom("a", "&", "<", ">", "\r", "\n", "]]>", "é", "&amp;", " "), {
    maxLength: 16
  }).map((parts) => parts.join(""))
  it.prop("escapes &, <, > and CR, and nothing else", [text], ([t]) => {
    expect(Layout.escapeText(t)).toBe(reference(t))
  }, { fastCheck: { numRuns: 2000 } })
})

describe("text where only elements may stand", () => {
  const status = (inner: string) =>
    `<s:Envelope xmlns:s="${SoapCodec.soapEnvelopeNamespace}"><s:Body>` +
    `<m:successSyncMObjects xmlns:m="${SoapCodec.namespace}"><result><mObjStatusList>` +
    `<mObjStatus>${inner}</mObjStatus></mObjStatusList></result></m:successSyncMObjects></s:Body></s:Envelope>`
  it.effect("is the problem reported, before or after another problem of the same element", () =>
    Effect.gen(function*() {
      for (const inner of ["<id>1</id><id>2</id>junk", "junk<id>1</id><id>2</id>", "<id>1</id>junk<id>2</id>"]) {
        const error = yield* failure(SoapCodec.decodeResponse("syncMObjects", status(inner)))
        expect(error._tag).toBe("ProtocolError")
        expect(error.message, inner).toContain("unexpected text in <mObjStatus>")
      }
      // Whitespace, written as references too, may stand.
      const fine = yield* SoapCodec.decodeResponse(
        "syncMObjects",
        status("\n <id>1</id>&#32;&#x9;<status>CREATED</status> ")
      )
      expect(fine.mObjStatusList).toStrictEqual([{ id: 1, status: "CREATED" }])
    }))
})
