/**
 * The OpenTelemetry example: the client's spans nest as documented and its counters arrive
 * as OpenTelemetry metrics, against the test kit's in-memory emulator.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Testing from "@mktows/emulator/Testing"
import * as Effect from "effect/Effect"
import * as OpenTelemetry from "../opentelemetry.js"

describe("example: opentelemetry", () => {
  it.live("exports a span per call with the transport's under it, and the client's counters", () =>
    Effect.gen(function*() {
      const { metrics, spans } = yield* OpenTelemetry.program
      const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]))
      const parentName = (name: string) =>
        spans.filter((span) => span.name === name).map((span) => byId.get(span.parentSpanContext?.spanId ?? "")?.name)
      expect(parentName("MarketoClient.syncMObjects")).toEqual(["example.opentelemetry", "example.opentelemetry"])
      expect(parentName("mktows.SoapTransport.call")).toEqual([
        "MarketoClient.syncMObjects",
        "MarketoClient.syncMObjects",
        "MarketoClient.listMObjects"
      ])
      const calls = metrics.scopeMetrics.flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === "mktows_client_calls")
        .flatMap((metric) => metric.dataPoints.map((point) => [point.attributes["operation"], point.value]))
      expect(Object.fromEntries(calls)).toEqual({ syncMObjects: 2, listMObjects: 1 })
    }).pipe(Effect.provide(Testing.layerClient())))
})
