/**
 * Spans made only when someone traces.
 *
 * Effect's own tracer, which every fiber has until an application installs another
 * (OpenTelemetry's, Effect's DevTools, a test's), hands its spans to no one: they cannot be
 * exported, sampled or read once the call is over. Making them is not free, though: a span
 * takes two clock readings and its attributes, and `withSpan` copies the fiber's context on
 * entry and on exit. For the call's span and the transport's span per request, that was 7–12 %
 * of a REST sync's client CPU in memory (docs/performance.md, "Spans only when traced"). So the client
 * asks which tracer the fiber has, and under Effect's own makes none: no span, the same work.
 * Any other tracer gets every span as before, with the same names and attributes.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"
import type { ExchangeSpan } from "../HttpEdge.js"

/** The tracer every fiber has unless something installed another. */
const effectsOwn: Tracer.Tracer = Effect.runSync(Effect.tracer)

// What a transport's use of its span sees when none is made: an attribute set goes nowhere.
const noSpan: ExchangeSpan = { attribute: () => {} }

/** `Effect.withSpan`, when the fiber's tracer is one that keeps spans. */
export const withSpan = (name: string, options: Tracer.SpanOptions) =>
<A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => tracer === effectsOwn ? self : Effect.withSpan(self, name, options))

/**
 * `Effect.useSpan` (a leaf: not the parent of what runs inside), when the fiber's tracer is one
 * that keeps spans; otherwise `use` is handed a span that records nothing.
 */
export const useLeafSpan = <A, E, R>(
  name: string,
  options: Tracer.SpanOptions,
  use: (span: ExchangeSpan) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => tracer === effectsOwn ? use(noSpan) : Effect.useSpan(name, options, use))
