/**
 * The client's spans and metrics through OpenTelemetry.
 *
 * `@effect/opentelemetry`'s `NodeSdk.layer` turns Effect's spans and metrics into
 * OpenTelemetry's. Here they go to in-memory exporters (no collector, no network) and are
 * printed: one `MarketoClient.<operation>` span per call with its attempts, the transport's
 * span (SOAP or REST) under each, and the `mktows_client_*` counters. The calls are ones both
 * transports can make: a cost appended to Program 1970 (REST cannot name an existing cost by
 * its id), two opportunities inserted by external key, and the list of MObject types. In an application, swap
 * the in-memory exporter and reader for OTLP ones (`@opentelemetry/exporter-trace-otlp-http`,
 * `PeriodicExportingMetricReader`).
 *
 * ```
 * pnpm example opentelemetry
 * ```
 *
 * @since 0.1.0
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Program from "@mktows/core/Program"
import { type HrTime } from "@opentelemetry/api"
import { AggregationTemporality, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Environment from "./internal/environment.js"
import * as Format from "./internal/format.js"
import * as Runner from "./internal/runner.js"

// A reader that exports only when asked: the example collects once, at the end.
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/**
 * What was recorded: the finished spans and the collected metrics.
 *
 * @since 0.1.0
 * @category models
 */
export interface Telemetry {
  readonly spans: ReadonlyArray<ReadableSpan>
  readonly metrics: ResourceMetrics
}

const millis = (time: HrTime): number => time[0] * 1000 + time[1] / 1e6

// The client's own attributes and the HTTP status; the HTTP client's headers would crowd the table.
const shownAttributes = ["mktows.", "http.response.status_code"]

// Each span under its parent, indented, in start order.
const spanTree = (spans: ReadonlyArray<ReadableSpan>): ReadonlyArray<ReadonlyArray<string>> => {
  const ids = new Set(spans.map((span) => span.spanContext().spanId))
  const children = (parent: string | undefined) =>
    spans
      .filter((span) => {
        const id = span.parentSpanContext?.spanId
        return parent === undefined ? id === undefined || !ids.has(id) : id === parent
      })
      .sort((a, b) => millis(a.startTime) - millis(b.startTime))
  const rows = (parent: string | undefined, depth: number): ReadonlyArray<ReadonlyArray<string>> =>
    children(parent).flatMap((span) => [
      [
        `${"  ".repeat(depth)}${span.name}`,
        `${(millis(span.endTime) - millis(span.startTime)).toFixed(1)} ms`,
        Object.entries(span.attributes)
          .filter(([key]) => shownAttributes.some((prefix) => key.startsWith(prefix)))
          .map(([key, value]) => `${key}=${String(value)}`).join(" ")
      ],
      ...rows(span.spanContext().spanId, depth + 1)
    ])
  return rows(undefined, 0)
}

const metricRows = (metrics: ResourceMetrics): ReadonlyArray<ReadonlyArray<string>> =>
  metrics.scopeMetrics.flatMap((scope) =>
    scope.metrics
      .filter((metric) => metric.descriptor.name.startsWith("mktows_"))
      .flatMap((metric) =>
        metric.dataPoints.map((point) => [
          metric.descriptor.name,
          Object.entries(point.attributes).map(([key, value]) => `${key}=${String(value)}`).join(" "),
          typeof point.value === "number" ? String(point.value) : JSON.stringify(point.value)
        ])
      )
  )

/**
 * Makes a few calls under OpenTelemetry and prints their spans and metrics; returns them.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const spans = new InMemorySpanExporter()
  const reader = new OnDemandReader()
  const telemetry = NodeSdk.layer(() => ({
    resource: { serviceName: "mktows-example" },
    spanProcessor: new SimpleSpanProcessor(spans),
    metricReader: reader
  }))
  // Collected before the Layer closes: closing it shuts the providers down, which empties the exporter.
  const collected = yield* Effect.gen(function*() {
    // No cost id: a new cost is appended, which SOAP and REST both express.
    yield* MarketoClient.syncMObjects(
      [Program.make({ id: 1970, costs: [{ month: "2013-07", amount: 2000 }] })],
      "UPDATE"
    )
    // REST keys opportunities by externalOpportunityId, SOAP by the instance's custom key field.
    const transport = yield* Environment.transport
    yield* MarketoClient.syncMObjects(
      [
        Opportunity.make({
          externalKey: Environment.opportunityKey(transport, "OTEL-1"),
          name: "Traced deal",
          amount: 1200
        }),
        Opportunity.make({ externalKey: Environment.opportunityKey(transport, "OTEL-2"), name: "Another", amount: 800 })
      ],
      "INSERT"
    )
    yield* MarketoClient.listMObjects()
  }).pipe(
    Effect.withSpan("example.opentelemetry"),
    Effect.zipRight(Effect.promise(() => reader.collect())),
    Effect.map((collection): Telemetry => ({ spans: spans.getFinishedSpans(), metrics: collection.resourceMetrics })),
    Effect.provide(telemetry)
  )
  const recorded = collected
  yield* Console.log(`Spans (${recorded.spans.length}):`)
  yield* Console.log(Format.table(["Span", "Took", "Attributes"], spanTree(recorded.spans)))
  yield* Console.log("\nMetrics:")
  yield* Console.log(Format.table(["Metric", "Attributes", "Value"], metricRows(recorded.metrics)))
  return recorded
})

/**
 * @since 0.1.0
 * @category running
 */
export const main = Runner.main(program)

Runner.runIfEntry(import.meta.url, main)
