// The test kit: the SOAP or the REST transport over an HttpClient that hands each request to
// the emulator's app in the caller's fiber (so on the caller's Clock), with scripted steps in front.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as FaultCode from "@mktows/core/FaultCode"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import type { MarketoTransport } from "@mktows/core/MarketoTransport"
import * as MObject from "@mktows/core/MObject"
import * as RestConfig from "@mktows/rest/RestConfig"
import * as RestIdentity from "@mktows/rest/RestIdentity"
import * as RestTransport from "@mktows/rest/RestTransport"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as SoapTransport from "@mktows/xml/SoapTransport"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../Emulator.js"
import type { Options, RecordedCall, RestOptions, Step, TestMarketoShape } from "../Testing.js"
import { defaults as identityDefaults, identityPath } from "./rest/identity.js"
import { defaults, droppedConnection } from "./server.js"

export const fault = (code: number, message?: string): Step => ({
  _tag: "Fault",
  code,
  message: message ?? FaultCode.lookup(code)?.name ?? "Scripted fault"
})

export const delay = (duration: Duration.DurationInput): Step => ({
  _tag: "Delay",
  duration: Duration.decode(duration)
})

export const drop = (options?: { readonly applied?: boolean }): Step => ({
  _tag: "Drop",
  applied: options?.applied ?? false
})

export const refuse: Step = { _tag: "Refuse" }

const xmlHeaders = { "content-type": "text/xml; charset=utf-8" }
const jsonHeaders = { "content-type": "application/json; charset=utf-8" }

/** A scripted fault as each protocol answers one: SOAP's fault envelope, REST's error envelope. */
const faultAnswer = (step: Extract<Step, { readonly _tag: "Fault" }>, rest: boolean): Response =>
  rest
    ? new Response(
      JSON.stringify({
        requestId: "test#1",
        success: false,
        errors: [{ code: String(step.code), message: step.message }]
      }),
      { status: 200, headers: jsonHeaders }
    )
    : new Response(SoapCodec.encodeFault({ code: step.code, text: step.message }), { status: 500, headers: xmlHeaders })

const lost = (request: HttpClientRequest.HttpClientRequest, description: string, code?: string) =>
  new HttpClientError.RequestError({
    request,
    reason: "Transport",
    description,
    // Shaped like the errors fetch and undici give, which the transport reads the code of.
    cause: Object.assign(new Error(description), code === undefined ? {} : { code })
  })

const inMemoryClient = (
  emulator: Emulator.App,
  steps: Ref.Ref<ReadonlyArray<Step>>,
  rest = false
): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      // Over REST a step is for a call's request: the access token's requests take none.
      const step = rest && url.pathname.startsWith(identityPath)
        ? undefined
        : yield* Ref.modify(steps, (queue): [Step | undefined, ReadonlyArray<Step>] => [queue[0], queue.slice(1)])
      if (step?._tag === "Delay") yield* Effect.sleep(step.duration)
      if (step?._tag === "Refuse") return yield* lost(request, "connection refused (scripted)", "ECONNREFUSED")
      if (step?._tag === "Drop" && !step.applied) {
        return yield* lost(request, "connection lost before an answer (scripted)", "ECONNRESET")
      }
      if (step?._tag === "Fault") return HttpClientResponse.fromWeb(request, faultAnswer(step, rest))
      if (request.body._tag !== "Uint8Array" && request.body._tag !== "Empty") {
        return yield* new HttpClientError.RequestError({
          request,
          reason: "Encode",
          description: `the in-memory emulator takes byte bodies, not ${request.body._tag}`
        })
      }
      const web = new Request(url, {
        method: request.method,
        headers: request.headers,
        ...(request.body._tag === "Uint8Array" ? { body: new Uint8Array(request.body.body) } : {})
      })
      const response = yield* emulator.app.pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(web)),
        Effect.scoped
      )
      if (response === droppedConnection || step?._tag === "Drop") {
        return yield* lost(request, "connection lost after the call was applied (scripted)", "ECONNRESET")
      }
      return HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response))
    })
  )

// Records every call with its exit, after the SOAP transport has decoded it. The model path is
// left out, so that syncs and deletes go through `call` (as wire records) and are recorded too.
const recording = (
  transport: MarketoTransport["Type"],
  calls: Ref.Ref<ReadonlyArray<RecordedCall>>
): MarketoTransport["Type"] => ({
  call: (operation, params) =>
    transport.call(operation, params).pipe(
      Effect.onExit((exit) =>
        Ref.update(calls, (recorded) => [...recorded, { operation, params, exit } as unknown as RecordedCall])
      )
    )
})

// Over REST syncs and deletes take the transport's model path, as they do in production (its
// refusals name the models' fields): recorded as the wire call they stand for.
const recordingRest = (
  transport: MarketoTransport["Type"],
  calls: Ref.Ref<ReadonlyArray<RecordedCall>>
): MarketoTransport["Type"] => {
  const record = (entry: RecordedCall) => Ref.update(calls, (recorded) => [...recorded, entry])
  const models = transport.models
  return {
    ...transport,
    ...recording(transport, calls),
    ...(models === undefined ? {} : {
      models: {
        ...models,
        send: (call) =>
          models.send(call).pipe(Effect.onExit((exit) => {
            const result = Exit.map(exit, (statuses) => ({ mObjStatusList: statuses }))
            return record(
              call.operation === "syncMObjects"
                ? {
                  operation: "syncMObjects",
                  params: { mObjectList: call.objects.map(MObject.toWire), operation: call.sync },
                  exit: result
                } as unknown as RecordedCall
                : {
                  operation: "deleteMObjects",
                  params: { mObjectList: call.objects.map(MarketoClient.deleteRefToWire) },
                  exit: result
                } as unknown as RecordedCall
            )
          }))
      }
    })
  }
}

/** The emulator in memory, the script and the record of calls, and the kit's controls over them. */
const makeKit = (options: Omit<Emulator.Options, "host" | "port">) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.makeApp(options)
    const steps = yield* Ref.make<ReadonlyArray<Step>>([])
    const calls = yield* Ref.make<ReadonlyArray<RecordedCall>>([])
    const kit: TestMarketoShape = {
      url: emulator.url,
      restUrl: emulator.restUrl,
      identityUrl: emulator.identityUrl,
      stats: emulator.stats,
      objects: emulator.objects,
      reset: Effect.zipRight(emulator.reset, Effect.all([Ref.set(steps, []), Ref.set(calls, [])], { discard: true })),
      calls: Ref.get(calls),
      script: (...more) => Ref.update(steps, (queue) => [...queue, ...more])
    }
    return { emulator, steps, calls, kit }
  })

/** The in-memory transport (recording every call) and the kit's controls. */
export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const { calls, emulator, kit, steps } = yield* makeKit(options)
    const config = yield* MarketoConfig.make({
      endpoint: emulator.url,
      userId: options.userId ?? defaults.userId,
      encryptionKey: options.encryptionKey ?? Redacted.make(defaults.encryptionKey)
    }).pipe(Effect.orDie)
    const transport = yield* SoapTransport.make(options.transport).pipe(
      Effect.provideService(HttpClient.HttpClient, inMemoryClient(emulator, steps)),
      Effect.provideService(MarketoConfig.MarketoConfig, config)
    )
    return { transport: recording(transport, calls), kit }
  })

/** The REST transport in memory (recording every call) and the kit's controls. */
export const makeRest = (options: RestOptions = {}) =>
  Effect.gen(function*() {
    const { calls, emulator, kit, steps } = yield* makeKit(options)
    const http = inMemoryClient(emulator, steps, true)
    const config = yield* RestConfig.make({
      endpoint: emulator.restUrl,
      clientId: options.clientId ?? identityDefaults.clientId,
      clientSecret: options.clientSecret ?? Redacted.make(identityDefaults.clientSecret)
    }).pipe(Effect.orDie)
    const identity = yield* RestIdentity.make.pipe(
      Effect.provideService(HttpClient.HttpClient, http),
      Effect.provideService(RestConfig.RestConfig, config)
    )
    const transport = yield* RestTransport.make(options.restTransport).pipe(
      Effect.provideService(HttpClient.HttpClient, http),
      Effect.provideService(RestConfig.RestConfig, config),
      Effect.provideService(RestIdentity.RestIdentity, identity)
    )
    return { transport: recordingRest(transport, calls), kit }
  })

/** @internal */
export const settle = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  step: Duration.DurationInput = "1 second"
): Effect.Effect<A, E> =>
  // One step at a time, with the fiber polled in between: a call that has not yet reached its
  // next sleep (signing is real asynchronous work) is never skipped past.
  TestClock.adjust(step).pipe(
    Effect.zipRight(fiber.poll),
    Effect.repeat({ until: Option.isSome, times: 100_000 }),
    Effect.zipRight(Fiber.join(fiber))
  )
