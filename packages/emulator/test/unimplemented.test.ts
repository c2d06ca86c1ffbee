/**
 * The operations of Marketo's contract that the emulator does not implement, over HTTP:
 * each is answered with Marketo's 20019 fault and a detail that says the truth (it is in
 * the WSDL; the emulator does not implement it), and changes nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Signature from "@mktows/core/Signature"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Wsdl from "@mktows/xml/Wsdl"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Emulator from "../src/Emulator.js"
import { demoCredentials } from "./helpers/spawnEmulator.js"

const envelope = (body: string, header: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="${SoapCodec.namespace}">
<SOAP-ENV:Header>${header}</SOAP-ENV:Header><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`

const signedHeader = Effect.gen(function*() {
  const timestamp = Signature.formatTimestamp(Date.now())
  const signature = yield* Signature.sign(
    Redacted.make(demoCredentials.encryptionKey),
    timestamp,
    demoCredentials.userId
  )
  return `<ns1:AuthenticationHeader><mktowsUserId>${demoCredentials.userId}</mktowsUserId>` +
    `<requestSignature>${signature}</requestSignature><requestTimestamp>${timestamp}</requestTimestamp>` +
    `</ns1:AuthenticationHeader>`
})

/** POSTs a SOAP body with its SOAPAction; the HTTP answer and the fault it carries. */
const call = (url: string, action: string, body: string) =>
  Effect.gen(function*() {
    const request = envelope(body, yield* signedHeader)
    const response = yield* Effect.promise(() =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${action}"` },
        body: request
      }).then(async (r) => ({ status: r.status, contentType: r.headers.get("content-type"), text: await r.text() }))
    )
    const fault = yield* SoapCodec.decodeFault(response.text)
    return { status: response.status, contentType: response.contentType, fault }
  })

const capitalize = (op: string) => op.charAt(0).toUpperCase() + op.slice(1)

// Bodies as a generated client writes them, for a few operations; the rest are empty.
const sampleBodies: Partial<Record<Wsdl.ContractOperation, string>> = {
  getLead: `<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>jane.doe@example.com</keyValue>` +
    `</leadKey></ns1:paramsGetLead>`,
  syncLead: `<ns1:paramsSyncLead><leadRecord><Email>new@example.com</Email></leadRecord>` +
    `<returnLead>false</returnLead></ns1:paramsSyncLead>`,
  getCampaignsForSource: `<ns1:paramsGetCampaignsForSource><source>MKTOWS</source></ns1:paramsGetCampaignsForSource>`
}

const unimplemented = Wsdl.contractOperations.filter((op) => !(Wsdl.operations as ReadonlyArray<string>).includes(op))

describe("Emulator: the operations of the contract it does not implement", () => {
  it("are the 18 operations of the WSDL outside the MObject ones", () => {
    expect(unimplemented).toHaveLength(18)
    expect(unimplemented).toEqual(expect.arrayContaining(["getLead", "syncLead", "getCampaignsForSource"]))
  })

  it.live("are declared, with the whole contract, in the WSDL served at ?WSDL", () =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const served = yield* Effect.promise(() => fetch(`${emulator.url}?WSDL`).then((r) => r.text()))
      expect(served).toBe(Wsdl.render(emulator.url))
      const portType = served.slice(served.indexOf("<wsdl:portType"), served.indexOf("</wsdl:portType>"))
      const declared = [...portType.matchAll(/<wsdl:operation name="(\w+)">/g)].map((m) => m[1])
      expect(declared).toEqual(Wsdl.contractOperations)
    })))

  it.live("answers each with 20019, saying it is in the WSDL but not implemented, and changes nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const before = yield* emulator.stats
      for (const operation of unimplemented) {
        const element = `params${capitalize(operation)}`
        const body = sampleBodies[operation] ?? `<ns1:${element}/>`
        const answer = yield* call(emulator.url, Wsdl.soapAction(operation), body)
        expect({ operation, status: answer.status, contentType: answer.contentType }).toEqual({
          operation,
          status: 500,
          contentType: "text/xml; charset=utf-8"
        })
        expect(answer.fault._tag).toBe("MarketoFault")
        if (answer.fault._tag !== "MarketoFault") continue
        expect(answer.fault.code).toBe(20019)
        expect(answer.fault.faultString).toBe("20019 - Unsupported Operation")
        expect(answer.fault.detail).toBe(
          `${operation} is an operation of the Marketo API WSDL that the mktows emulator does not implement; ` +
            `it implements syncMObjects, getMObjects, describeMObject, deleteMObjects and listMObjects (20019)`
        )
      }
      const after = yield* emulator.stats
      expect(after.stored).toEqual(before.stored)
      expect(after.faults).toEqual({ "20019": unimplemented.length })
    })))

  it.live("answers a body element outside the contract with 20019, saying it is not in the WSDL", () =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const cases = [
        // Not an operation of the contract.
        `<ns1:paramsFrobnicate/>`,
        // An operation's element, but in another namespace.
        `<x:paramsGetLead xmlns:x="urn:not-marketo"/>`,
        // A response element where a request belongs.
        `<ns1:successGetLead/>`
      ]
      for (const body of cases) {
        const answer = yield* call(emulator.url, "", body)
        expect(answer.status).toBe(500)
        expect(answer.fault._tag).toBe("MarketoFault")
        if (answer.fault._tag !== "MarketoFault") continue
        expect(answer.fault.code).toBe(20019)
        expect(answer.fault.detail).toMatch(/^Operation not defined in the Marketo API WSDL: /)
      }
    })))
})
