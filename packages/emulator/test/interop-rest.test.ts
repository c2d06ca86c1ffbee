/**
 * A REST client used in the wild against the emulator: `node-marketo-rest` authenticates at
 * the identity endpoint (client credentials) and reads opportunities through its generic
 * request helper, after mktows wrote them over SOAP.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Effect from "effect/Effect"
import { createRequire } from "node:module"
import * as Emulator from "../src/Emulator.js"
import { soapClient } from "./helpers/clients.js"

interface NodeMarketoRest {
  readonly _connection: {
    readonly get: (path: string, options: { readonly query: Record<string, string> }) => PromiseLike<unknown>
  }
}

// The package has no types; its constructor is all this test uses.
const Marketo = createRequire(import.meta.url)("node-marketo-rest") as new(options: {
  readonly endpoint: string
  readonly identity: string
  readonly clientId: string
  readonly clientSecret: string
}) => NodeMarketoRest

describe("node-marketo-rest against the emulator", () => {
  it.live("authenticates and reads what SOAP wrote", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      yield* Effect.provide(
        MarketoClient.syncMObjects([
          Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "I-1" }, name: "interop", amount: 5 })
        ], "INSERT"),
        soapClient(emulator)
      )
      const marketo = new Marketo({
        endpoint: emulator.restUrl,
        identity: emulator.identityUrl,
        clientId: "mktows-demo-client",
        clientSecret: "mktows-demo-secret"
      })
      const answer = yield* Effect.promise(() =>
        marketo._connection.get("/v1/opportunities.json", {
          query: {
            filterType: "externalOpportunityId",
            filterValues: "I-1",
            fields: "name,amount,externalOpportunityId"
          }
        })
      )
      expect(answer).toMatchObject({
        success: true,
        result: [{ seq: 0, externalOpportunityId: "I-1", name: "interop", amount: 5 }]
      })
    }).pipe(Effect.scoped))
})
