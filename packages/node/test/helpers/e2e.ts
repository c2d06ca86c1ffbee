/**
 * End-to-end fixtures: an emulator on loopback and the real Node client stack
 * (`NodeMarketo.layer`: MarketoClient over SoapTransport over undici) pointed at it,
 * opportunities with every standard field set, and the comparison of what was sent with
 * what is read back through the model mapping.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as MarketoConfig from "@mktows/core/MarketoConfig"
import type * as MObject from "@mktows/core/MObject"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Emulator from "@mktows/emulator/Emulator"
import * as SoapTransport from "@mktows/xml/SoapTransport"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { demoKey, demoUserId as demoUser } from "../../../core/test/helpers/demo.js"
import * as NodeMarketo from "../../src/NodeMarketo.js"

/** Marketo's documented demo pair, which the emulator accepts by default. */
export { demoKey, demoUser }

/** The client's retry rules with short waits, and enough attempts that a seeded fault rate never exhausts them. */
export const fastRetry: NonNullable<MarketoClient.Options["retry"]> = {
  maxAttempts: 12,
  baseDelay: "10 millis",
  maxDelay: "100 millis"
}

export interface E2EOptions {
  readonly emulator?: Emulator.Options
  readonly client?: MarketoClient.Options
  /** The key the client signs with (the emulator keeps its own). */
  readonly key?: Redacted.Redacted<string>
  /** Seeds the emulator's injected faults. */
  readonly randomSeed?: number
  /** The emulator's clock (signature window, limits, timestamps); the client keeps the real one. */
  readonly emulatorClock?: Clock.Clock
  /**
   * Records every request body the client sends; the stack is then NodeMarketo's pieces
   * assembled by hand around a tapped undici client.
   */
  readonly record?: Ref.Ref<ReadonlyArray<string>>
}

const startEmulator = (options: E2EOptions) => {
  let make = Emulator.make(options.emulator)
  if (options.randomSeed !== undefined) make = Effect.withRandom(make, Random.make(options.randomSeed))
  if (options.emulatorClock !== undefined) make = Effect.withClock(make, options.emulatorClock)
  return make
}

const recordingHttpClient = (record: Ref.Ref<ReadonlyArray<string>>) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.tapRequest(client, (request) =>
        Ref.update(record, (bodies) => [
          ...bodies,
          request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : `<${request.body._tag}>`
        ])))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** The client stack for an emulator's url. */
export const clientLayer = (url: string, options: E2EOptions = {}): Layer.Layer<MarketoClient.MarketoClient> => {
  const config = { endpoint: url, userId: demoUser, encryptionKey: options.key ?? demoKey }
  if (options.record === undefined) {
    return Layer.orDie(NodeMarketo.layer({ ...config, ...(options.client ? { client: options.client } : {}) }))
  }
  return MarketoClient.layer(options.client).pipe(
    Layer.provide(SoapTransport.layer()),
    Layer.provide(Layer.merge(MarketoConfig.layer(config), recordingHttpClient(options.record))),
    Layer.orDie
  )
}

/**
 * Runs `f` with a fresh emulator and a client for it; both end with the effect. The
 * emulator's server failing to start is a defect here.
 */
export const withE2E = <A, E>(
  f: (emulator: Emulator.EmulatorShape) => Effect.Effect<A, E, MarketoClient.MarketoClient>,
  options: E2EOptions = {}
): Effect.Effect<A, E> =>
  Effect.scoped(
    Effect.flatMap(Effect.orDie(startEmulator(options)), (emulator) =>
      Effect.provide(f(emulator), clientLayer(emulator.url, options)))
  )

const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d))

/**
 * Opportunity `i` of a job: every standard field set (varying with `i`), the custom field
 * Region the default seed defines, an external key, and a company by its external key.
 * The description holds characters XML must escape.
 */
export const opportunity = (i: number, tag = "E2E"): Opportunity.Opportunity =>
  Opportunity.make({
    externalKey: { name: "opportunityId", value: `${tag}-${i}` },
    amount: 1000 + i + 0.25,
    closeDate: day(2024, 1 + (i % 12), 1 + (i % 28)),
    description: `Deal #${i} <for> "Acme" & 'co'\nsecond line`,
    expectedRevenue: (1000 + i) * 0.4,
    externalCreatedDate: day(2023, 1, 15),
    fiscal: "2024 Q1",
    fiscalQuarter: 1 + (i % 4),
    fiscalYear: 2024,
    forecastCategoryName: "Pipeline",
    isClosed: i % 2 === 0,
    isWon: i % 3 === 0,
    lastActivityDate: day(2024, 2, 29),
    leadSource: "Web",
    name: `${tag} deal ${i} — Ünïcode ✓`,
    nextStep: "Call back",
    probability: i % 101,
    quantity: 2.5 + i,
    stage: "Prospecting",
    type: "New Business",
    customFields: { Region: i % 2 === 0 ? "EMEA" : "Americas" },
    company: { externalKey: { name: "companyId", value: "COMP-1" } }
  })

/**
 * What a caller wrote, as plain data: the fields Marketo keeps as given. Marketo's id, its
 * timestamps and the form of the company link (sent by external key, read back by id) are
 * left out; the caller compares them separately.
 */
export const written = (object: MObject.MObject): Record<string, unknown> => {
  const { company: _company, createdAt: _createdAt, id: _id, updatedAt: _updatedAt, ...rest } = object as Partial<
    Opportunity.Opportunity
  >
  return { ...rest }
}
