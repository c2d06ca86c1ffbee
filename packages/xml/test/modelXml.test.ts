/**
 * The SOAP model path (models straight to XML) against the wire path it replaces (model →
 * `MObject.toWire` → the layout writer): for any models, the same bytes; and through the
 * transport, the same request for a sync or a delete as `call` sends for the wire records.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import * as MObject from "@mktows/core/MObject"
import { Opportunity } from "@mktows/core/Opportunity"
import { OpportunityPersonRole } from "@mktows/core/OpportunityPersonRole"
import * as Validation from "@mktows/core/Validation"
import * as Wire from "@mktows/core/Wire"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Codec from "../src/internal/codec.js"
import * as SoapCodec from "../src/SoapCodec.js"
import * as SoapTransport from "../src/SoapTransport.js"

const headerArb = Arbitrary.make(Wire.AuthenticationHeaderInfo)
const operationArb = FastCheck.constantFrom<Wire.SyncOperation>("INSERT", "UPDATE", "UPSERT")

// Text that the writer must escape or keep: markup characters, CR, entities, non-ASCII.
const textArb = FastCheck.oneof(
  FastCheck.constantFrom("a&b", "<x>", "]]>", "r\r\n", "&amp;", "é€😀", "", " "),
  FastCheck.string({ maxLength: 6 })
)
const customArb = FastCheck.dictionary(
  FastCheck.oneof(
    FastCheck.constantFrom("Amount", "a<b", "7", "x&y"),
    FastCheck.string({ minLength: 1, maxLength: 4 })
  ),
  textArb,
  { maxKeys: 3 }
)
const keyArb = FastCheck.record({ name: textArb, value: textArb })
const linkArb = FastCheck.option(
  FastCheck.oneof(
    FastCheck.record({ id: FastCheck.integer({ min: 1, max: 1e9 }) }),
    FastCheck.record({ externalKey: keyArb })
  ),
  { nil: undefined }
)

/** Models of every type, with text that needs escaping in keys, links and custom fields. */
const modelArb: FastCheck.Arbitrary<MObject.MObject> = FastCheck.oneof(
  Arbitrary.make(MObject.MObject),
  FastCheck.tuple(Arbitrary.make(Opportunity), FastCheck.option(keyArb, { nil: undefined }), linkArb, customArb)
    .map(([o, externalKey, company, customFields]) =>
      Opportunity.make({
        ...o,
        customFields,
        ...(externalKey === undefined ? {} : { externalKey }),
        ...(company === undefined ? {} : { company })
      })
    ),
  FastCheck.tuple(Arbitrary.make(OpportunityPersonRole), linkArb, linkArb, customArb)
    .map(([o, lead, opportunity, customFields]) =>
      OpportunityPersonRole.make({
        ...o,
        customFields,
        ...(lead === undefined ? {} : { lead }),
        ...(opportunity === undefined ? {} : { opportunity })
      })
    )
)

describe("models straight to XML", () => {
  it.prop(
    "a sync envelope has the bytes of the wire records' envelope",
    [headerArb, operationArb, FastCheck.array(modelArb, { maxLength: 5 })],
    ([header, operation, objects]) => {
      expect(Codec.encodeSyncModels(header, operation, objects)).toBe(
        SoapCodec.encodeRequest("syncMObjects", header, { mObjectList: objects.map(MObject.toWire), operation })
      )
    },
    { fastCheck: { numRuns: 300 } }
  )
})

// Links as plain data may hold them (a CSV or JSON reader's output, `Validation.decode` keeps them as
// given): both keys present, one of them undefined.
const plainLinkArb = FastCheck.oneof(
  FastCheck.record({ id: FastCheck.integer({ min: 1, max: 1e9 }), externalKey: FastCheck.constant(undefined) }),
  FastCheck.record({
    id: FastCheck.constant(undefined),
    externalKey: FastCheck.record({
      name: FastCheck.constantFrom("externalCompanyId", "a&b"),
      value: FastCheck.string({ maxLength: 5 })
    })
  })
)

describe("models built from plain data", () => {
  it.prop(
    "links holding an undefined id or key are written as the wire path writes them, by what is defined",
    [
      headerArb,
      FastCheck.array(FastCheck.tuple(plainLinkArb, plainLinkArb, plainLinkArb), { minLength: 1, maxLength: 3 })
    ],
    ([header, links]) => {
      const data = links.flatMap(([company, lead, opportunity], i) => [
        { _tag: "Opportunity", externalKey: { name: "externalOpportunityId", value: `O-${i}` }, company },
        { _tag: "OpportunityPersonRole", externalKey: { name: "externalKey", value: `R-${i}` }, lead, opportunity }
      ])
      const objects = Effect.runSync(Validation.decode(data, "UPSERT"))
      const xml = Codec.encodeSyncModels(header, "UPSERT", objects)
      expect(xml).toBe(
        SoapCodec.encodeRequest("syncMObjects", header, {
          mObjectList: objects.map(MObject.toWire),
          operation: "UPSERT"
        })
      )
      expect(xml).not.toContain("undefined")
      // Every link is written, by its id or by its key.
      expect(xml.split("<mObjAssociation>").length - 1).toBe(links.length * 3)
    }
  )
})

// ---------------------------------------------------------------------------------------
// Through the transport

const settings = {
  endpoint: "https://123-ABC-456.mktoapi.com/soap/mktows/3_1",
  userId: "demo17_1_809934544BFABAE58E5D27",
  encryptionKey: Redacted.make("27272727aa")
}

/** An answer of one status per `<mObject>` of the request, as the operation's success element. */
const answerTo = (body: string): string => {
  const count = body.split("<mObject>").length - 1
  return body.includes("paramsDeleteMObjects")
    ? SoapCodec.encodeResponse("deleteMObjects", {
      mObjStatusList: Array.from({ length: count }, (_, i) => ({ id: i + 1, status: "DELETED" as const }))
    })
    : SoapCodec.encodeResponse("syncMObjects", {
      mObjStatusList: Array.from({ length: count }, (_, i) => ({ id: i + 1, status: "UPDATED" as const }))
    })
}

/** The SOAP transport over an HttpClient that records each body and answers each object. */
const recordingTransport = (bodies: Array<string>) =>
  SoapTransport.make().pipe(
    Effect.provideService(
      HttpClient.HttpClient,
      HttpClient.make((request) => {
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        bodies.push(body)
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(answerTo(body), { status: 200 })))
      })
    ),
    Effect.provide(MarketoConfig.layer(settings))
  )

describe("the SOAP transport's model path", () => {
  it.effect("sends a sync as the bytes `call` sends for the wire records, and hands back its statuses", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-08-05T14:22:45Z"))
      const bodies: Array<string> = []
      const transport = yield* recordingTransport(bodies)
      const objects = FastCheck.sample(modelArb, { numRuns: 20, seed: 7 })
      const models = transport.models
      expect(models).toBeDefined()
      const statuses = yield* models!.send({ operation: "syncMObjects", sync: "UPSERT", objects })
      yield* transport.call("syncMObjects", { mObjectList: objects.map(MObject.toWire), operation: "UPSERT" })
      expect(bodies).toHaveLength(2)
      expect(bodies[0]).toBe(bodies[1])
      expect(statuses.map((s) => s.id)).toStrictEqual(objects.map((_, i) => i + 1))
    }))

  it.effect("sends a delete as `call` sends the references mapped to the wire", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-08-05T14:22:45Z"))
      const bodies: Array<string> = []
      const transport = yield* recordingTransport(bodies)
      const refs: ReadonlyArray<MarketoClient.DeleteRef> = [
        { type: "Opportunity", id: 7 },
        { type: "OpportunityPersonRole", externalKey: { name: "externalKey", value: "a&b" } }
      ]
      const statuses = yield* transport.models!.send({ operation: "deleteMObjects", objects: refs })
      yield* transport.call("deleteMObjects", { mObjectList: refs.map(MarketoClient.deleteRefToWire) })
      expect(bodies).toHaveLength(2)
      expect(bodies[0]).toBe(bodies[1])
      expect(bodies[0]).toContain("<value>a&amp;b</value>")
      expect(statuses.map((s) => s.status)).toStrictEqual(["DELETED", "DELETED"])
    }))
})
