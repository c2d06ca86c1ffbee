/**
 * node-soap (the `soap` npm package) against the emulator: reads the served WSDL, signs every
 * call with a fresh AuthenticationHeader (node:crypto, independent of our own signing code),
 * describes Opportunity, creates one, reads it back, deletes it and checks it is gone.
 * Every reply is decoded with a Schema, so an unexpected shape fails with the path that broke.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { createHmac, randomBytes } from "node:crypto"
import * as soap from "soap"

/** A node-soap call failed, or answered something other than the expected result. */
export class NodeSoapError extends Data.TaggedError("NodeSoapError")<{
  readonly step: string
  readonly detail: string
  readonly lastRequest?: string | undefined
  readonly lastResponse?: string | undefined
}> {
  override get message(): string {
    return `node-soap ${this.step}: ${this.detail}\n--- last request ---\n${
      this.lastRequest ?? ""
    }\n--- last response ---\n${this.lastResponse ?? ""}`
  }
}

// node-soap gives a one-item sequence as the item itself and may leave numbers as text.
const listOf = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.transform(Schema.Union(Schema.Array(item), item), Schema.Array(Schema.typeSchema(item)), {
    strict: true,
    decode: (value) => (Array.isArray(value) ? value : [value]) as ReadonlyArray<A>,
    encode: (value) => value
  })
const Int = Schema.Union(Schema.Int, Schema.compose(Schema.NumberFromString, Schema.Int))
const Bool = Schema.Union(Schema.Boolean, Schema.BooleanFromString)

const Attrib = Schema.Struct({ name: Schema.String, value: Schema.String })
const MObjStatus = Schema.Struct({ id: Int, status: Schema.String, error: Schema.optional(Schema.String) })
const StatusReply = Schema.Struct({
  result: Schema.Struct({ mObjStatusList: Schema.Struct({ mObjStatus: listOf(MObjStatus) }) })
})
const GetReply = Schema.Struct({
  result: Schema.Struct({
    returnCount: Int,
    hasMore: Bool,
    // An empty <mObjectList/> comes back as null.
    mObjectList: Schema.optional(Schema.NullOr(Schema.Struct({
      mObject: listOf(Schema.Struct({
        type: Schema.String,
        id: Int,
        attribList: Schema.optional(Schema.NullOr(Schema.Struct({ attrib: listOf(Attrib) })))
      }))
    })))
  })
})
const DescribeReply = Schema.Struct({
  result: Schema.Struct({
    metadata: Schema.Struct({
      name: Schema.String,
      isCustom: Bool,
      fieldList: Schema.Struct({ field: listOf(Schema.Struct({ name: Schema.String, dataType: Schema.String })) })
    })
  })
})

// node-soap rejects with an Error whose `root` is the parsed fault envelope.
const FaultError = Schema.Struct({
  root: Schema.Struct({
    Envelope: Schema.Struct({
      Body: Schema.Struct({
        Fault: Schema.Struct({
          faultcode: Schema.String,
          faultstring: Schema.String,
          detail: Schema.Struct({
            serviceException: Schema.Struct({ code: Schema.Union(Schema.String, Schema.Number) })
          })
        })
      })
    })
  })
})

/** What the node-soap run saw, in the same shape as the PHP and zeep summaries. */
export interface NodeSoapSummary {
  readonly client: "node-soap"
  readonly describe: { readonly name: string; readonly fields: ReadonlyArray<string> }
  readonly created: { readonly id: number; readonly status: string; readonly name: string }
  readonly readBack: {
    readonly returnCount: number
    readonly hasMore: boolean
    readonly id: number
    readonly name: string
  }
  readonly deleted: { readonly id: number; readonly status: string }
  readonly afterDelete: { readonly returnCount: number }
  readonly authFault: { readonly faultcode: string; readonly faultstring: string; readonly code: string }
}

type Reply = [result: unknown, rawResponse: string, soapHeader: unknown, rawRequest: string]
type Method = (args: object) => Promise<Reply>

const mktows = "http://www.marketo.com/mktows/"

const w3cTimestamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "+00:00")

/** Runs the create / read / delete flow with node-soap against the WSDL at `wsdlUrl`. */
export const runNodeSoap = (
  wsdlUrl: string,
  credentials: { readonly userId: string; readonly encryptionKey: string }
): Effect.Effect<NodeSoapSummary, NodeSoapError> =>
  Effect.gen(function*() {
    const client = yield* Effect.tryPromise({
      try: () => soap.createClientAsync(wsdlUrl),
      catch: (cause) => new NodeSoapError({ step: "createClient", detail: String(cause) })
    })
    // A function header is evaluated for every request, so each call is signed afresh.
    const signWith = (encryptionKey: string) => () => {
      const requestTimestamp = w3cTimestamp(new Date())
      const requestSignature = createHmac("sha1", encryptionKey)
        .update(requestTimestamp + credentials.userId)
        .digest("hex")
      return {
        AuthenticationHeader: { mktowsUserId: credentials.userId, requestSignature, requestTimestamp }
      }
    }
    client.addSoapHeader(signWith(credentials.encryptionKey), "", "tns", mktows)

    const fail = (step: string, detail: string) =>
      new NodeSoapError({
        step,
        detail,
        lastRequest: client.lastRequest,
        lastResponse: typeof client.lastResponse === "string" ? client.lastResponse : undefined
      })
    const call = <A, I>(operation: string, args: object, reply: Schema.Schema<A, I>) =>
      Effect.tryPromise({
        try: () => (client[`${operation}Async`] as Method)(args),
        catch: (cause) => fail(operation, cause instanceof Error ? cause.message : String(cause))
      }).pipe(
        Effect.flatMap(([result]) =>
          Schema.decodeUnknown(reply)(result).pipe(
            Effect.mapError((error) =>
              fail(operation, JSON.stringify(ParseResult.ArrayFormatter.formatErrorSync(error)))
            )
          )
        )
      )
    const check = (step: string, ok: boolean, detail: () => string) =>
      ok ? Effect.void : Effect.fail(fail(step, detail()))

    const described = yield* call("describeMObject", { objectName: "Opportunity" }, DescribeReply)
    const fields = described.result.metadata.fieldList.field.map((field) => field.name)
    yield* check(
      "describeMObject",
      described.result.metadata.name === "Opportunity" && fields.includes("Name"),
      () => `expected Opportunity with a Name field, got ${JSON.stringify(described)}`
    )

    const name = `node-soap opportunity ${randomBytes(4).toString("hex")}`
    const inserted = yield* call("syncMObjects", {
      mObjectList: {
        mObject: [{
          type: "Opportunity",
          attribList: {
            attrib: [{ name: "Name", value: name }, { name: "Amount", value: "10" }, {
              name: "Stage",
              value: "Closed Won"
            }]
          }
        }]
      },
      operation: "INSERT"
    }, StatusReply)
    const created = inserted.result.mObjStatusList.mObjStatus
    yield* check(
      "syncMObjects INSERT",
      created.length === 1 && created[0]!.status === "CREATED",
      () => `expected one CREATED status, got ${JSON.stringify(created)}`
    )
    const id = created[0]!.id

    const read = yield* call("getMObjects", { type: "Opportunity", id }, GetReply)
    const found = read.result.mObjectList?.mObject ?? []
    const readName = found[0]?.attribList?.attrib.find((attrib) => attrib.name === "Name")?.value
    yield* check(
      "getMObjects",
      read.result.returnCount === 1 && found.length === 1 && found[0]!.id === id && readName === name,
      () => `expected opportunity ${id} named ${name}, got ${JSON.stringify(read)}`
    )

    const removed = yield* call(
      "deleteMObjects",
      { mObjectList: { mObject: [{ type: "Opportunity", id }] } },
      StatusReply
    )
    const deleted = removed.result.mObjStatusList.mObjStatus
    yield* check(
      "deleteMObjects",
      deleted.length === 1 && deleted[0]!.status === "DELETED" && deleted[0]!.id === id,
      () => `expected one DELETED status for ${id}, got ${JSON.stringify(deleted)}`
    )

    const after = yield* call("getMObjects", { type: "Opportunity", id }, GetReply)
    yield* check(
      "getMObjects after delete",
      after.result.returnCount === 0 && (after.result.mObjectList?.mObject ?? []).length === 0,
      () => `expected no opportunity, got ${JSON.stringify(after)}`
    )

    // A wrong key: node-soap must surface Marketo's fault, detail included.
    client.clearSoapHeaders()
    client.addSoapHeader(signWith(`${credentials.encryptionKey}x`), "", "tns", mktows)
    const rejected = yield* Effect.tryPromise({
      try: () => (client["listMObjectsAsync"] as Method)({}),
      catch: (cause) => cause
    }).pipe(Effect.flip, Effect.mapError(() => fail("listMObjects with a wrong key", "expected a fault, it succeeded")))
    const fault = yield* Schema.decodeUnknown(FaultError)(rejected).pipe(
      Effect.mapError((error) =>
        fail("listMObjects with a wrong key", JSON.stringify(ParseResult.ArrayFormatter.formatErrorSync(error)))
      )
    )
    const { detail, faultcode, faultstring } = fault.root.Envelope.Body.Fault

    return {
      client: "node-soap",
      describe: { name: described.result.metadata.name, fields },
      created: { id, status: created[0]!.status, name },
      readBack: {
        returnCount: read.result.returnCount,
        hasMore: read.result.hasMore,
        id: found[0]!.id,
        name: readName!
      },
      deleted: { id: deleted[0]!.id, status: deleted[0]!.status },
      afterDelete: { returnCount: after.result.returnCount },
      authFault: { faultcode, faultstring, code: String(detail.serviceException.code) }
    } as const
  })
