/**
 * Loading tens of thousands of opportunities with constant memory.
 *
 * The opportunities are generated as a `Stream` and piped through `syncStream("UPSERT")`:
 * the client cuts the stream into calls of 100, runs up to 10 at once, keeps inside
 * Marketo's limit of 100 calls per 20 seconds, and emits one outcome per opportunity in
 * input order. Progress goes to stderr; the summary counts outcomes by status. Each
 * opportunity carries an external key, so a rerun updates instead of duplicating. The key is
 * the transport's (`opportunityId`, a custom field, over SOAP; `externalOpportunityId` over
 * REST), so a rerun over the other transport keys the same numbers under another field and
 * creates its own opportunities.
 *
 * ```
 * pnpm example bulk-upsert-opportunities              # 20,000 opportunities
 * pnpm example bulk-upsert-opportunities --count 500  # or BULK_COUNT=500
 * ```
 *
 * Exits with code 1 if any opportunity FAILED or is IN_DOUBT.
 *
 * @since 0.1.0
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Outcome from "@mktows/core/Outcome"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { parseArgs } from "node:util"
import * as Environment from "./internal/environment.js"
import * as Format from "./internal/format.js"
import * as Runner from "./internal/runner.js"

/**
 * How many opportunities a run sends when neither `--count` nor `BULK_COUNT` says otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultCount = 20_000

const stages = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won"] as const

/**
 * The `i`-th generated opportunity (1-based): the same every run, so reruns update.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generated = (i: number, transport: Environment.Transport = "SOAP"): Opportunity.Opportunity =>
  Opportunity.make({
    externalKey: Environment.opportunityKey(transport, `BULK-${String(i).padStart(6, "0")}`),
    name: `Generated opportunity ${i}`,
    type: i % 3 === 0 ? "Renewal" : "New Business",
    stage: stages[i % stages.length] ?? "Prospecting",
    amount: 1000 + (i % 97) * 250,
    closeDate: new Date(Date.UTC(2024, i % 12, 1 + (i % 28))),
    company: { externalKey: Environment.companyKey(transport, i % 2 === 0 ? "COMP-1" : "COMP-2") }
  })

/**
 * What a bulk run did.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly count: number
  readonly byStatus: Readonly<Record<string, number>>
  /** Outcomes that FAILED or are IN_DOUBT (at most the first 10). */
  readonly problems: ReadonlyArray<Outcome.Outcome<unknown>>
  readonly problemCount: number
  readonly elapsedMillis: number
}

/**
 * Shows progress on stderr: one line rewritten in place on a terminal (every 1%), or a new
 * line every 10% when stderr is a file or a pipe, so logs stay short.
 */
const progressReporter = (total: number, startedAt: number) => {
  const tty = process.stderr.isTTY === true
  const steps = tty ? 100 : 10
  const step = (done: number) => Math.floor((done * steps) / total)
  const write = (text: string) => Effect.sync(() => process.stderr.write(text))
  return {
    report: (done: number): Effect.Effect<void> =>
      done === 0 || step(done) === step(done - 1) ? Effect.void : Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const line = `upserting opportunities: ${Format.count(done)} / ${Format.count(total)} ` +
          `(${Math.floor((done * 100) / total)}%) in ${Format.seconds(now - startedAt)}`
        yield* write(tty ? `\r${line}\x1b[K${done === total ? "\n" : ""}` : `${line}\n`)
      }),
    // An error message must not land on the half-written progress line.
    interrupted: tty ? write("\n") : Effect.void
  }
}

/**
 * Upserts `count` generated opportunities through `syncStream`, showing progress, and prints
 * and returns the summary. FAILED and IN_DOUBT outcomes are counted, not raised.
 *
 * @since 0.1.0
 * @category programs
 */
export const upsertOpportunities = (count: number) =>
  Effect.gen(function*() {
    const transport = yield* Environment.transport
    // A call carries 100 objects over SOAP, 300 over REST; Marketo allows 100 calls per 20 s.
    const perCall = transport === "REST" ? 300 : 100
    yield* Console.log(
      `Upserting ${Format.count(count)} opportunities in calls of up to ${perCall}; the client keeps to ` +
        `Marketo's limit of 100 calls per 20 s, so more than ${Format.count(perCall * 100)} take at least 20 s.`
    )
    const startedAt = yield* Clock.currentTimeMillis
    const progress = progressReporter(count, startedAt)
    const initial: Summary = { count: 0, byStatus: {}, problems: [], problemCount: 0, elapsedMillis: 0 }
    const totals = yield* Stream.range(1, count).pipe(
      Stream.map((i) => generated(i, transport)),
      MarketoClient.syncStream("UPSERT"),
      Stream.runFoldEffect(initial, (summary, outcome) => {
        const problem = Outcome.isProblem(outcome)
        const next: Summary = {
          ...summary,
          count: summary.count + 1,
          byStatus: { ...summary.byStatus, [outcome.status]: (summary.byStatus[outcome.status] ?? 0) + 1 },
          problems: problem && summary.problems.length < 10 ? [...summary.problems, outcome] : summary.problems,
          problemCount: summary.problemCount + (problem ? 1 : 0)
        }
        return Effect.as(progress.report(next.count), next)
      }),
      Effect.onError(() => progress.interrupted)
    )
    const summary: Summary = { ...totals, elapsedMillis: (yield* Clock.currentTimeMillis) - startedAt }
    const rate = summary.elapsedMillis > 0 ? Math.round((summary.count * 1000) / summary.elapsedMillis) : summary.count
    yield* Console.log(
      `Upserted ${Format.count(summary.count)} opportunities in ${Format.seconds(summary.elapsedMillis)} ` +
        `(${Format.count(rate)} per second)`
    )
    for (const [status, n] of Object.entries(summary.byStatus)) {
      yield* Console.log(`  ${status.padEnd(10)} ${Format.count(n).padStart(8)}`)
    }
    for (const problem of summary.problems) {
      yield* Console.log(`  #${problem.index + 1}: ${Format.outcome(problem)}`)
    }
    return summary
  })

/**
 * A `--count` or `BULK_COUNT` that is not a positive whole number.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadCount extends Data.TaggedError("BadCount")<{ readonly text: string }> {
  override get message(): string {
    return `the count must be a positive whole number, got "${this.text}"`
  }
}

/**
 * Some opportunities FAILED or are IN_DOUBT.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProblemsFound extends Data.TaggedError("ProblemsFound")<{ readonly problems: number }> {
  override get message(): string {
    return `${Format.count(this.problems)} opportunities FAILED or are IN_DOUBT`
  }
}

const positive = (text: string): Effect.Effect<number, BadCount> =>
  /^\d+$/.test(text.trim()) && Number(text) > 0
    ? Effect.succeed(Number(text))
    : Effect.fail(new BadCount({ text }))

/**
 * The count: `--count N` on the command line, else `BULK_COUNT`, else {@link defaultCount}.
 *
 * @since 0.1.0
 * @category config
 */
export const requestedCount = Effect.gen(function*() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { count: { type: "string" } },
    strict: false,
    allowPositionals: true
  })
  if (typeof values.count === "string") return yield* positive(values.count)
  const fromEnv = yield* Config.string("BULK_COUNT").pipe(Config.withDefault(String(defaultCount)))
  return yield* positive(fromEnv)
})

/**
 * Runs with the requested count; fails with {@link ProblemsFound} if any outcome needs attention.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const summary = yield* upsertOpportunities(yield* requestedCount)
  if (summary.problemCount > 0) return yield* Effect.fail(new ProblemsFound({ problems: summary.problemCount }))
  return summary
})

/**
 * @since 0.1.0
 * @category running
 */
export const main = Runner.main(program)

Runner.runIfEntry(import.meta.url, main)
