/**
 * The endpoints a test suite in any language drives the emulator with, over HTTP:
 * `GET /emulator/stats`, `POST /emulator/reset`, `GET /emulator/objects[?type=]`,
 * `POST /emulator/seed` (a fixture in the seed format, replacing the store until the next
 * reset), `POST /emulator/script` (steps the next calls meet) and `GET /emulator/calls`
 * (the calls received, secrets left out).
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { isUtf8 } from "node:buffer"
import type { Stats } from "../Emulator.js"
import * as Seed from "../Seed.js"
import type { Body } from "./body.js"
import type { CallLog } from "./calls.js"
import type { Script, ScriptStep } from "./guard.js"
import { companiesOf, fromSeed, leadsOf, opportunitiesOf, programsOf, rolesOf, toSeed } from "./seed.js"
import type { Context, Route } from "./server.js"
import type { State } from "./state.js"
import type { Store } from "./store.js"

/** What the control endpoints use. @internal */
export interface ControlParts {
  readonly store: Store
  readonly script: Script
  readonly calls: CallLog
  readonly stats: Effect.Effect<Stats>
  /** Back to the seed data, with counters, limits, script and call log cleared. */
  readonly reset: Effect.Effect<void, { readonly message: string }>
  readonly body: (context: Context, cap: number) => Effect.Effect<Body>
}

/** The objects of one type, or all of them, in the seed format. */
const objectsOf = (state: State, type: string | null): unknown => {
  switch (type) {
    case null:
      return toSeed(state)
    case "Program":
      return programsOf(state)
    case "Opportunity":
      return opportunitiesOf(state)
    case "OpportunityPersonRole":
      return rolesOf(state)
    case "Lead":
      return leadsOf(state)
    case "Company":
      return companiesOf(state)
    default:
      return undefined
  }
}

const objectTypes = "Program, Opportunity, OpportunityPersonRole, Lead or Company"

/**
 * One step of `POST /emulator/script`: `{"fault": 20023}` (with an optional `message`),
 * `{"delay": 250}` (milliseconds), or `{"drop": true}` (with `"applied": true` to apply the
 * call before the connection is cut).
 */
// Each check carries the one message, so a refusal reads the same whichever check failed.
const number = (message: string, min: number, max: number, int: boolean) =>
  Schema.Number.annotations({ message: () => message }).pipe(
    Schema.filter((n) => !int || Number.isInteger(n), { message: () => message }),
    Schema.between(min, max, { message: () => message })
  )

const FaultStep = Schema.Struct({
  fault: number("an integer from 1 to 99999", 1, 99_999, true),
  message: Schema.optional(Schema.String.annotations({ message: () => "a string" }))
})
const DelayStep = Schema.Struct({ delay: number("milliseconds from 0 to 600000", 0, 600_000, false) })
const DropStep = Schema.Struct({
  drop: Schema.Literal(true).annotations({ message: () => "true" }),
  applied: Schema.optional(Schema.Boolean.annotations({ message: () => "a boolean" }))
})
type Step = typeof FaultStep.Type | typeof DelayStep.Type | typeof DropStep.Type

const stepsShape =
  "a JSON array of steps: {\"fault\": CODE, \"message\"?: TEXT}, {\"delay\": MILLIS}, {\"drop\": true, \"applied\"?: BOOLEAN}"

// One step decoded by the kind its key names, so a refusal names the entry and its problem
// rather than every way the union could have matched.
const stepAt = (entry: unknown, index: number): Either.Either<Step, string> => {
  const options = { errors: "first" } as const
  const decoded: Either.Either<Step, ParseResult.ParseError> | undefined = typeof entry !== "object" || entry === null
    ? undefined
    : "fault" in entry
    ? Schema.decodeUnknownEither(FaultStep, options)(entry)
    : "delay" in entry
    ? Schema.decodeUnknownEither(DelayStep, options)(entry)
    : "drop" in entry
    ? Schema.decodeUnknownEither(DropStep, options)(entry)
    : undefined
  if (decoded === undefined) return Either.left(`step ${index}: expected {"fault": …}, {"delay": …} or {"drop": true}`)
  return Either.mapLeft(
    decoded,
    (error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const key = String(issue?.path[0] ?? "")
      const given = typeof entry === "object" && entry !== null && key in entry
        ? ` (got ${JSON.stringify((entry as Record<string, unknown>)[key])})`
        : ""
      return `step ${index}: ${key === "" ? "" : `${key}: `}${issue?.message ?? "not a step"}${given}`
    }
  )
}

/** The steps of a script body, or what is wrong with it (the first bad entry, by index). */
const stepsOf = (text: string): Either.Either<ReadonlyArray<Step>, string> =>
  Either.flatMap(
    Either.mapLeft(
      Either.try((): unknown => JSON.parse(text)),
      () => `not JSON: expected ${stepsShape}`
    ),
    (json) => {
      const list: unknown = typeof json === "object" && json !== null && !Array.isArray(json) && "steps" in json
        ? json.steps
        : json
      return Array.isArray(list)
        ? Either.all(list.map((entry: unknown, i) => stepAt(entry, i)))
        : Either.left(`expected ${stepsShape}, or {"steps": [...]}`)
    }
  )

const stepOf = (step: Step): ScriptStep =>
  "fault" in step
    ? { _tag: "Fault", code: step.fault, message: step.message }
    : "delay" in step
    ? { _tag: "Delay", millis: step.delay }
    : { _tag: "Drop", applied: step.applied ?? false }

const maxControlBytes = 64 * 1024 * 1024

const bad = (message: string) => HttpServerResponse.unsafeJson({ error: message }, { status: 400 })

const textOf = (parts: ControlParts, context: Context) =>
  Effect.map(
    parts.body(context, maxControlBytes),
    (body) => body._tag === "Bytes" && isUtf8(body.bytes) ? body.bytes.toString("utf8") : undefined
  )

/** @internal */
export const routes = (parts: ControlParts): ReadonlyArray<Route> => {
  const route = (method: string, path: string, handle: Route["handle"]): Route => ({
    method,
    path: (p) => p === path,
    handle
  })
  return [
    route("GET", "/emulator/stats", () => Effect.map(parts.stats, (s) => HttpServerResponse.unsafeJson(s))),
    route("POST", "/emulator/reset", () =>
      parts.reset.pipe(
        Effect.as(HttpServerResponse.unsafeJson({ reset: true })),
        Effect.catchAll((error) => HttpServerResponse.text(error.message, { status: 500 }))
      )),
    route("GET", "/emulator/objects", ({ url }) =>
      Effect.map(parts.store.state, (state) => {
        const objects = objectsOf(state, url.searchParams.get("type"))
        return objects === undefined
          ? HttpServerResponse.text(`Unknown type: expected ${objectTypes}`, { status: 400 })
          : HttpServerResponse.unsafeJson(objects)
      })),
    route("POST", "/emulator/seed", (context) =>
      Effect.gen(function*() {
        const text = yield* textOf(parts, context)
        if (text === undefined) return bad("the body is not UTF-8, too large, or was cut")
        const seed = yield* Effect.either(Seed.fromJson(text, "POST /emulator/seed"))
        if (seed._tag === "Left") return bad(seed.left.message)
        const loaded = yield* Effect.either(parts.store.load(fromSeed(seed.right)))
        if (loaded._tag === "Left") return HttpServerResponse.text(loaded.left.message, { status: 500 })
        return HttpServerResponse.unsafeJson({ seeded: true, stored: (yield* parts.stats).stored })
      })),
    route("POST", "/emulator/script", (context) =>
      Effect.gen(function*() {
        const text = yield* textOf(parts, context)
        if (text === undefined) return bad("the body is not UTF-8, too large, or was cut")
        const steps = stepsOf(text)
        if (Either.isLeft(steps)) return bad(steps.left)
        yield* parts.script.push(steps.right.map(stepOf))
        return HttpServerResponse.unsafeJson({ pending: yield* parts.script.pending })
      })),
    route(
      "DELETE",
      "/emulator/script",
      () => Effect.as(parts.script.reset, HttpServerResponse.unsafeJson({ pending: 0 }))
    ),
    route(
      "GET",
      "/emulator/calls",
      () => Effect.map(parts.calls.calls, (calls) => HttpServerResponse.unsafeJson(calls))
    )
  ]
}
