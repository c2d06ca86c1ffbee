/**
 * The emulator gives Marketo's documented answers where the docs show them (describe of the
 * virtual objects, partnerId and MktowsContextHeader, 20123, declared encodings, fault
 * texts), and the documented choices of the README where they do not (unknown elements, an
 * empty `<attrib/>`, `mObjAssociationList` inside an mObject). Raw envelopes carry the
 * documented AuthenticationHeader (a 2013 signature, hence signatureTtl 0).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import { call, post } from "./helpers/soap.js"

const withEmulator = <A, E>(f: (url: string) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(Emulator.make({ signatureTtl: 0 }), (emulator) => f(emulator.url)))

const authentication = (extra = "") =>
  `<ns1:AuthenticationHeader><mktowsUserId>demo17_1_809934544BFABAE58E5D27</mktowsUserId>` +
  `<requestSignature>40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7</requestSignature>` +
  `<requestTimestamp>2013-08-05T14:22:45-07:00</requestTimestamp>${extra}</ns1:AuthenticationHeader>`

const envelope = (body: string, header = authentication(), declaration = "") =>
  `${declaration}<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:ns1="http://www.marketo.com/mktows/"><SOAP-ENV:Header>${header}</SOAP-ENV:Header>` +
  `<SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`

const syncBody = (mObjects: string, operation = "UPSERT") =>
  `<ns1:paramsSyncMObjects><mObjectList>${mObjects}</mObjectList><operation>${operation}</operation>` +
  `</ns1:paramsSyncMObjects>`

const opportunity = (name: string, extra = "") =>
  `<mObject><type>Opportunity</type><attribList><attrib><name>Name</name><value>${name}</value></attrib>` +
  `</attribList>${extra}</mObject>`

const faultOf = (text: string) => ({
  string: /<faultstring>([^<]*)<\/faultstring>/.exec(text)?.[1],
  code: Number(/<code>(\d+)<\/code>/.exec(text)?.[1])
})

const opportunityNames = (url: string) =>
  call(url, "getMObjects", { type: "Opportunity" }).pipe(
    Effect.map((r) =>
      (r.mObjectList ?? []).map((o) => (o.attribList ?? []).find((a) => a.name === "Name")?.value ?? "")
    )
  )

describe("Emulator: describeMObject of the virtual objects", () => {
  it.live("describes ActivityRecord as documented: virtual, 11 lower-camel-case fields, dateTime and Array", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const { metadata } = yield* call(url, "describeMObject", { objectName: "ActivityRecord" })
        expect(metadata.isVirtual).toBe(true)
        expect(metadata.isCustom).toBe(false)
        expect(metadata.fieldList.map((f) => [f.name, f.dataType, f.sourceObject])).toEqual([
          ["id", "integer", "Event"],
          ["activityDateTime", "dateTime", "Event"],
          ["activityType", "string", "Event"],
          ["mktgAssetName", "string", "Event"],
          ["activityAttributes", "Array", "Event"],
          ["campaign", "string", "Campaign"],
          ["personName", "string", "Lead"],
          ["mktPersonId", "integer", "Lead"],
          ["foreignSysId", "string", "Lead"],
          ["orgName", "string", "Company"],
          ["foreignSysOrgId", "string", "Company"]
        ])
        expect(metadata.fieldList.every((f) => f.isReadonly && f.isUpdateBlocked && f.displayName === null)).toBe(true)
        expect(metadata.fieldList.filter((f) => f.isPrimaryKey).map((f) => f.name)).toEqual(["id"])
        expect(metadata.fieldList.filter((f) => f.isName).map((f) => f.name)).toEqual(["activityType"])
      })
    ))

  it.live("describes LeadRecord as a virtual object with lower-camel-case fields", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const { metadata } = yield* call(url, "describeMObject", { objectName: "LeadRecord" })
        expect(metadata.isVirtual).toBe(true)
        expect(metadata.fieldList.map((f) => f.name)).toEqual([
          "id",
          "email",
          "foreignSysPersonId",
          "foreignSysType",
          "leadAttributeList"
        ])
        expect(metadata.fieldList.every((f) => /^[a-z]/.test(f.name))).toBe(true)
      })
    ))
})

describe("Emulator: headers", () => {
  it.live("accepts a partnerId in the AuthenticationHeader and a MktowsContextHeader", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const withPartner = yield* post(
          url,
          envelope(syncBody(opportunity("Partner")), authentication("<partnerId>LP-123</partnerId>"))
        )
        expect(withPartner.status).toBe(200)
        const withContext = yield* post(
          url,
          envelope(
            syncBody(opportunity("Context")),
            authentication() +
              "<ns1:MktowsContextHeader><targetWorkspace>Default</targetWorkspace></ns1:MktowsContextHeader>"
          )
        )
        expect(withContext.status).toBe(200)
        expect(yield* opportunityNames(url)).toEqual(expect.arrayContaining(["Partner", "Context"]))
        // The signature still decides.
        const forged = authentication("<partnerId>LP-123</partnerId>").replace("40e6d89b", "00000000")
        expect(faultOf((yield* post(url, envelope(syncBody(opportunity("Forged")), forged))).text).code).toBe(20014)
      })
    ))

  it.live("answers a header without its user id, timestamp or signature 20014 (no credentials), not 20017", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const headers = [
          authentication().replace(/<requestSignature>[^<]*<\/requestSignature>/, ""),
          authentication().replace(/<requestTimestamp>[^<]*<\/requestTimestamp>/, ""),
          authentication().replace(/<mktowsUserId>[^<]*<\/mktowsUserId>/, ""),
          "<ns1:AuthenticationHeader/>"
        ]
        for (const header of headers) {
          const answer = yield* post(url, envelope(syncBody(opportunity("NoCredentials")), header))
          expect(faultOf(answer.text).code).toBe(20014)
        }
        expect(yield* opportunityNames(url)).not.toContain("NoCredentials")
      })
    ))
})

describe("Emulator: stream at end", () => {
  it.live("answers 20123 when the position of the last page is sent again", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const first = yield* call(url, "getMObjects", { type: "Opportunity" })
        expect(first.hasMore).toBe(false)
        const again = yield* Effect.flip(
          call(url, "getMObjects", { type: "Opportunity", streamPosition: first.newStreamPosition })
        )
        expect("code" in again ? again.code : undefined).toBe(20123)
        // A middle page's position still continues.
        const inserts = Array.from({ length: 100 }, (_, i) => ({
          type: "Opportunity",
          attribList: [{ name: "Name", value: `Opp ${i}` }]
        }))
        yield* call(url, "syncMObjects", { mObjectList: inserts, operation: "INSERT" })
        const page1 = yield* call(url, "getMObjects", { type: "Opportunity" })
        expect(page1.hasMore).toBe(true)
        const page2 = yield* call(url, "getMObjects", { type: "Opportunity", streamPosition: page1.newStreamPosition })
        expect(page2.hasMore).toBe(false)
        const end = yield* Effect.flip(
          call(url, "getMObjects", { type: "Opportunity", streamPosition: page2.newStreamPosition })
        )
        expect("code" in end ? end.code : undefined).toBe(20123)
      })
    ))
})

describe("Emulator: encodings", () => {
  const latin1 = (text: string) => Buffer.from(text, "latin1")

  it.live("reads the encoding of the XML declaration, then of the Content-Type; never stores U+FFFD", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const declared = envelope(
          syncBody(opportunity("café")),
          undefined,
          `<?xml version="1.0" encoding="ISO-8859-1"?>`
        )
        expect((yield* post(url, latin1(declared))).status).toBe(200)
        const byHeader = envelope(syncBody(opportunity("naïve")))
        expect((yield* post(url, latin1(byHeader), "text/xml; charset=ISO-8859-1")).status).toBe(200)
        const names = yield* opportunityNames(url)
        expect(names).toEqual(expect.arrayContaining(["café", "naïve"]))
        expect(names.some((n) => n.includes("\uFFFD"))).toBe(false)
      })
    ))

  it.live("refuses invalid UTF-8 and unknown encodings with 20012, storing nothing", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const before = yield* opportunityNames(url)
        const [head, tail] = envelope(syncBody(opportunity("MARK"))).split("MARK")
        const invalid = Buffer.concat([Buffer.from(head!), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(tail!)])
        const answer = yield* post(url, invalid)
        expect(answer.status).toBe(500)
        expect(faultOf(answer.text).code).toBe(20012)
        // A Latin-1 body sent as UTF-8 (no declaration, no charset) is invalid UTF-8 too.
        const mislabelled = yield* post(url, latin1(envelope(syncBody(opportunity("café")))), "text/xml")
        expect(faultOf(mislabelled.text).code).toBe(20012)
        const unknown = envelope(syncBody(opportunity("x")), undefined, `<?xml version="1.0" encoding="EBCDIC-US"?>`)
        expect(faultOf((yield* post(url, unknown)).text).code).toBe(20012)
        expect(yield* opportunityNames(url)).toEqual(before)
      })
    ))
})

describe("Emulator: fault texts", () => {
  it.live("uses Marketo's own fault strings where public evidence shows them, keeping the codes", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const unknownField = yield* post(url, envelope(syncBody(opportunity("x", "<colour>red</colour>"))))
        expect(faultOf(unknownField.text)).toEqual({ string: "20110 - Input error", code: 20110 })
        const forged = authentication().replace("40e6d89b", "00000000")
        expect(faultOf((yield* post(url, envelope(syncBody(opportunity("x")), forged))).text))
          .toEqual({ string: "20014 - Authentication failed", code: 20014 })
        const notXml = yield* post(url, "hello")
        expect(faultOf(notXml.text)).toEqual({ string: "20012 - Request Not Understood", code: 20012 })
      })
    ))
})

describe("Emulator: undocumented input, as the README's emulator reference says", () => {
  it.live("refuses unknown elements, an empty <attrib/> and mObjAssociationList inside an mObject, storing nothing", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const before = yield* opportunityNames(url)
        const unknown = yield* post(url, envelope(syncBody(opportunity("x", "<colour>red</colour>"))))
        expect(faultOf(unknown.text).code).toBe(20110)
        expect(unknown.text).toContain("colour")
        const empty = yield* post(
          url,
          envelope(syncBody("<mObject><type>Opportunity</type><attribList><attrib/></attribList></mObject>"))
        )
        expect(faultOf(empty.text).code).toBe(20017)
        const spelt = yield* post(
          url,
          envelope(syncBody(opportunity(
            "x",
            "<mObjAssociationList><mObjAssociation><mObjType>Company</mObjType><id>7</id></mObjAssociation>" +
              "</mObjAssociationList>"
          )))
        )
        expect(faultOf(spelt.text).code).toBe(20110)
        expect(spelt.text).toContain("mObjAssociationList")
        expect(yield* opportunityNames(url)).toEqual(before)
      })
    ))
})
