/**
 * `--ablate`'s copy of the client (`bench/support/ablated.ts`, slow project: it compiles four
 * packages' sources): what it switches off is off in the copy, and on in the workspace's client
 * beside it, through the same in-memory Marketo. Checked for two of its switches, the checks
 * before anything is sent and the call's span.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Testing from "@mktows/emulator/Testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import * as Ablated from "../bench/support/ablated.js"

const made = Ablated.make(Ablated.guarantees)
const copy = "problem" in made ? undefined : made
afterAll(() => copy?.close())

// A name Marketo cannot store (a control character): refused by the client's checks.
const invalid = { externalKey: { name: "externalOpportunityId", value: "ABL-1" }, name: "bad \u0001 name" }

/** The names of the spans a program starts, through a tracer that records them. */
const spanNames = <A, E, R>(program: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const names: Array<string> = []
    const tracer = Tracer.make({
      span: (name, parent, context, links, startTime, kind): Tracer.Span => {
        names.push(name)
        const attributes = new Map<string, unknown>()
        return {
          _tag: "Span",
          name,
          spanId: `span-${names.length}`,
          traceId: "trace",
          parent,
          context,
          status: { _tag: "Started", startTime },
          attributes,
          links,
          sampled: true,
          kind,
          end: () => {},
          attribute: (key, value) => void attributes.set(key, value),
          event: () => {},
          addLinks: () => {}
        }
      },
      context: (f) => f()
    })
    yield* Effect.exit(Effect.withTracer(program, tracer))
    return names
  })

describe("bench --ablate: the copy with its guarantees switched off", () => {
  it("is made from the sources", () => {
    expect("problem" in made ? made.problem : undefined).toBeUndefined()
  })

  it.effect(
    "sends an object the workspace's client refuses before sending, and starts no call span",
    () =>
      Effect.gen(function*() {
        const client = yield* Effect.promise(() => Ablated.client(copy!))
        const ours = MarketoClient.syncMObjects([Opportunity.make(invalid)], "UPSERT")
        const theirs = client.MarketoClient.syncMObjects([client.Opportunity.make(invalid)], "UPSERT")
        const kit = Testing.layer()
        // The workspace's client: refused, nothing sent.
        const refused = yield* Effect.flip(
          ours.pipe(Effect.provide(MarketoClient.layer().pipe(Layer.provideMerge(kit))))
        )
        expect(refused._tag).toBe("ValidationError")
        // The copy: sent (whatever the in-memory Marketo then makes of it).
        const sent = yield* Effect.gen(function*() {
          yield* Effect.exit(theirs)
          return (yield* (yield* Testing.TestMarketo).calls).length
        }).pipe(Effect.provide(client.MarketoClient.layer().pipe(Layer.provideMerge(kit))))
        expect(sent).toBe(1)
        // The call's span: the workspace's client starts one, the copy none.
        const valid = { ...invalid, name: "fine" }
        const withSpans = yield* spanNames(
          MarketoClient.syncMObjects([Opportunity.make(valid)], "UPSERT").pipe(
            Effect.provide(MarketoClient.layer().pipe(Layer.provideMerge(kit)))
          )
        )
        const without = yield* spanNames(
          client.MarketoClient.syncMObjects([client.Opportunity.make(valid)], "UPSERT").pipe(
            Effect.provide(client.MarketoClient.layer().pipe(Layer.provideMerge(kit)))
          )
        )
        expect(withSpans).toContain("MarketoClient.syncMObjects")
        expect(without).not.toContain("MarketoClient.syncMObjects")
      }),
    60_000
  )
})
