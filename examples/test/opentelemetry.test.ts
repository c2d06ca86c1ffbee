/**
 * The OpenTelemetry example: the client's spans nest as documented and its counters arrive
 * as OpenTelemetry metrics, against the test kit's in-memory emulator.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Testing from "@mktows/emulator/Testing"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricState from "effect/MetricState"
import * as OpenTelemetry from "../opentelemetry.js"

// Effect's metric registry is global to the worker, and the suite's files share workers, so
// the exported counters hold what earlier tests counted too: the example's own calls are
// the difference from what the registry held before it ran.
const callsByOperation = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const pair of Metric.unsafeSnapshot()) {
    const operation = pair.metricKey.tags.find((tag) => tag.key === "operation")?.value
    if (
      pair.metricKey.name === "mktows_client_calls" && operation !== undefined &&
      MetricState.isCounterState(pair.metricState)
    ) {
      counts[operation] = (counts[operation] ?? 0) + Number(pair.metricState.count)
    }
  }
  return counts
}

describe("example: opentelemetry", () => {
  it.live("exports a span per call with the transport's under it, and the client's counters", () =>
    Effect.gen(function*() {
      const before = callsByOperation()
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
      const exported = metrics.scopeMetrics.flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === "mktows_client_calls")
        .flatMap((metric) => metric.dataPoints.map((point) => [String(point.attributes["operation"]), point.value]))
      const added = exported.map(([operation, value]) => [operation, Number(value) - (before[String(operation)] ?? 0)])
      expect(Object.fromEntries(added.filter(([, n]) => n !== 0))).toEqual({ syncMObjects: 2, listMObjects: 1 })
    }).pipe(Effect.provide(Testing.layerClient())))
})
