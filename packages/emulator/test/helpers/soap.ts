/**
 * Raw SOAP over real HTTP for the emulator's tests: `post` sends a body as it is (text or bytes,
 * any content type); `call` signs with the demo credentials and goes through the project's codec.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Effect from "effect/Effect"
import { demoCredentials } from "../../../core/test/helpers/demo.js"

export const post = (url: string, body: string | Uint8Array, contentType = "text/xml; charset=utf-8") =>
  Effect.promise(() =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : new Uint8Array(body)
    }).then(
      async (response) => ({ status: response.status, text: await response.text() })
    )
  )

export const call = <Op extends Wire.Operation>(url: string, operation: Op, params: Wire.ParamsOf<Op>) =>
  Effect.gen(function*() {
    const header = yield* Signature.authenticationHeader(demoCredentials)
    const response = yield* post(url, SoapCodec.encodeRequest(operation, header, params))
    return yield* SoapCodec.decodeResponse(operation, response.text)
  })
