/**
 * Captures what a program tells the outside world: every span it opens (a tracer that
 * records and delegates) and every log line it writes (logfmt, all levels). Used where a
 * test checks what is observable, e.g. that a secret never shows.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Tracer from "effect/Tracer"

export interface Captured {
  readonly spans: Array<Tracer.Span>
  readonly lines: Array<string>
  /** Records spans: give it to `Effect.withTracer`. */
  readonly tracer: Tracer.Tracer
  /** Records log lines at every level. */
  readonly logger: Layer.Layer<never>
  /** Everything captured so far as text: log lines, span names and attributes, metrics. */
  readonly text: () => string
}

/** A recorder over the tracer in context. */
export const make: Effect.Effect<Captured> = Effect.map(Effect.tracer, (base) => {
  const spans: Array<Tracer.Span> = []
  const lines: Array<string> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      return span
    },
    context: (f, fiber) => base.context(f, fiber)
  })
  const logger = Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))),
    Logger.minimumLogLevel(LogLevel.All)
  )
  const text = () =>
    [
      lines.join("\n"),
      JSON.stringify(spans.map((span) => ({ name: span.name, attributes: [...span.attributes] }))),
      JSON.stringify(Metric.unsafeSnapshot().map((pair) => [pair.metricKey.name, String(pair.metricState)]))
    ].join("\n")
  return { spans, lines, tracer, logger, text }
})

/** Runs `effect` with its spans and logs captured by `captured`. */
export const within = (captured: Captured) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provide(captured.logger), Effect.withTracer(captured.tracer))
