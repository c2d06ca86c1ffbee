import { describe, expect, it } from "@effect/vitest"
import * as Wire from "@mktows/core/Wire"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as SoapCodec from "../src/SoapCodec.js"
import * as Wsdl from "../src/Wsdl.js"
import { extractChild, validateAll } from "./helpers/xsd.js"

// Each property run validates a batch in one xmllint call: 2 runs of 25 = 50 samples per
// operation. A failing batch is reported as it is, without shrinking: every shrink step is
// another xmllint run, and the report already lists each invalid document with its errors.
// Element order is checked first and fast by xsdTypes.test.ts.
const batchSize = 25
const runs = 2

// Spelt out per operation so each arbitrary keeps its operation's type.
const paramsArbitraries: { readonly [Op in Wire.Operation]: fc.Arbitrary<Wire.ParamsOf<Op>> } = {
  syncMObjects: Arbitrary.make(Wire.ParamsSyncMObjects),
  getMObjects: Arbitrary.make(Wire.ParamsGetMObjects),
  describeMObject: Arbitrary.make(Wire.ParamsDescribeMObject),
  deleteMObjects: Arbitrary.make(Wire.ParamsDeleteMObjects),
  listMObjects: Arbitrary.make(Wire.ParamsListMObjects)
}
const resultArbitraries: { readonly [Op in Wire.Operation]: fc.Arbitrary<Wire.ResultOf<Op>> } = {
  syncMObjects: Arbitrary.make(Wire.ResultSyncMObjects),
  getMObjects: Arbitrary.make(Wire.ResultGetMObjects),
  describeMObject: Arbitrary.make(Wire.ResultDescribeMObject),
  deleteMObjects: Arbitrary.make(Wire.ResultDeleteMObjects),
  listMObjects: Arbitrary.make(Wire.ResultListMObjects)
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

interface Expected {
  readonly envelope: string
  readonly container: "Header" | "Body"
  readonly element: string
}

// Cuts the header or body element out of each envelope, checks its qualified name, and
// validates all of them against the WSDL's schema in one go. Reports every invalid one, with
// its text.
const expectValid = (expected: ReadonlyArray<Expected>) =>
  Effect.gen(function*() {
    const extracted = yield* Effect.forEach(expected, ({ container, element, envelope }) =>
      Effect.gen(function*() {
        const e = yield* extractChild(envelope, container)
        expect({ namespace: e.namespace, localName: e.localName }).toEqual({
          namespace: "http://www.marketo.com/mktows/",
          localName: element
        })
        return e
      }))
    const verdicts = yield* validateAll(extracted.map((e) => e.xml))
    const invalid = verdicts.flatMap((v, i) => v.valid ? [] : [{ document: extracted[i]?.xml, errors: v.errors }])
    expect(invalid).toEqual([])
  })

const requestsAreValid = <Op extends Wire.Operation>(operation: Op) =>
  it.effect.prop(
    `${operation}: every params element and AuthenticationHeader is schema-valid`,
    [
      fc.array(
        fc.tuple(
          Arbitrary.make(Wire.AuthenticationHeaderInfo),
          paramsArbitraries[operation]
        ),
        { minLength: batchSize, maxLength: batchSize }
      )
    ],
    ([batch]) =>
      Effect.gen(function*() {
        const envelopes = batch.map(([header, params]) => SoapCodec.encodeRequest(operation, header, params))
        yield* expectValid([
          ...envelopes.map((envelope) =>
            ({ envelope, container: "Body", element: `params${capitalize(operation)}` }) as const
          ),
          ...envelopes.map((envelope) => ({ envelope, container: "Header", element: "AuthenticationHeader" }) as const)
        ])
      }),
    { fastCheck: { numRuns: runs, endOnFailure: true } }
  )

const responsesAreValid = <Op extends Wire.Operation>(operation: Op) =>
  it.effect.prop(
    `${operation}: every success element is schema-valid`,
    [
      fc.array(resultArbitraries[operation], {
        minLength: batchSize,
        maxLength: batchSize
      })
    ],
    ([batch]) =>
      expectValid(batch.map((result) => ({
        envelope: SoapCodec.encodeResponse(operation, result),
        container: "Body",
        element: `success${capitalize(operation)}`
      }))),
    { fastCheck: { numRuns: runs, endOnFailure: true } }
  )

describe("XSD validity of what the codec writes", () => {
  for (const operation of Wsdl.operations) {
    requestsAreValid(operation)
    responsesAreValid(operation)
  }
})

describe("the validation harness", () => {
  const envelope = (body: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.marketo.com/mktows/">
  <SOAP-ENV:Body>${body}</SOAP-ENV:Body>
</SOAP-ENV:Envelope>`

  it.effect("re-declares the envelope's namespaces on the element it cuts out", () =>
    Effect.gen(function*() {
      const extracted = yield* extractChild(
        envelope(
          `<ns1:paramsDescribeMObject><objectName>a &lt;b&gt; &amp;&#13;</objectName></ns1:paramsDescribeMObject>`
        ),
        "Body"
      )
      expect(extracted.namespace).toBe("http://www.marketo.com/mktows/")
      expect(extracted.xml).toContain(`xmlns:ns1="http://www.marketo.com/mktows/"`)
      // The content is the original text, not a re-serialisation.
      expect(extracted.xml).toContain(`a &lt;b&gt; &amp;&#13;`)
      expect((yield* validateAll([extracted.xml]))[0]?.valid).toBe(true)
    }))

  it.effect("catches an element out of sequence order", () =>
    Effect.gen(function*() {
      const extracted = yield* extractChild(
        envelope(`<ns1:paramsSyncMObjects><operation>UPDATE</operation><mObjectList/></ns1:paramsSyncMObjects>`),
        "Body"
      )
      const [verdict] = yield* validateAll([extracted.xml])
      expect(verdict?.valid).toBe(false)
      expect(verdict?.errors.join("\n")).toContain("operation")
    }))

  it.effect("reports an unqualified body element's missing namespace", () =>
    Effect.gen(function*() {
      const extracted = yield* extractChild(envelope(`<paramsListMObjects/>`), "Body")
      expect(extracted.namespace).toBeUndefined()
      expect((yield* validateAll([extracted.xml]))[0]?.valid).toBe(false)
    }))
})
