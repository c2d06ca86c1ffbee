/**
 * Runs every example in turn over SOAP and then over REST, each in its own process exactly
 * as `pnpm example <name>` would (so each gets a fresh emulator), then prints a summary:
 *
 * ```
 * pnpm demo [--help]
 * ```
 *
 * The demo always uses the emulator, even when `MARKETO_*_ENDPOINT` is set: it creates
 * 20,000 opportunities (fewer with `BULK_COUNT=N`), which is not something to do to a real
 * instance by accident. Exits with code 1 if any example failed.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Command from "@effect/platform/Command"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"
import * as Catalog from "./internal/catalog.js"
import * as Format from "./internal/format.js"
import * as Runner from "./internal/runner.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const runScript = fileURLToPath(new URL("./run.ts", import.meta.url))

/**
 * Some examples did not exit with code 0.
 *
 * @since 0.1.0
 * @category errors
 */
export class DemoFailed extends Data.TaggedError("DemoFailed")<{ readonly failed: ReadonlyArray<string> }> {
  override get message(): string {
    return `${this.failed.length} example(s) failed: ${this.failed.join(", ")}`
  }
}

const transports = ["SOAP", "REST"] as const

const runExample = (example: Catalog.Example, transport: (typeof transports)[number]) =>
  Command.make(process.execPath, "--import", "tsx", "--conditions=source", runScript, example.name).pipe(
    Command.workingDirectory(root),
    // Blank means unset to the examples' environment: the child starts its own emulator.
    Command.env({ MARKETO_SOAP_ENDPOINT: "", MARKETO_REST_ENDPOINT: "", MKTOWS_EXAMPLE_TRANSPORT: transport }),
    Command.stdout("inherit"),
    Command.stderr("inherit"),
    Command.exitCode,
    Effect.timed,
    Effect.map(([elapsed, exitCode]) => ({ name: example.name, transport, exitCode: Number(exitCode), elapsed }))
  )

const main = Effect.gen(function*() {
  const results = yield* Effect.forEach(
    transports.flatMap((transport) => Catalog.examples.map((example) => [example, transport] as const)),
    ([example, transport]) =>
      Console.log(`\n=== ${example.name} over ${transport}: ${example.summary}`).pipe(
        Effect.zipRight(runExample(example, transport))
      )
  )
  yield* Console.log(`\n=== Summary\n`)
  yield* Console.log(Format.table(
    ["Example", "Transport", "Result", "Time"],
    results.map((result) => [
      result.name,
      result.transport,
      result.exitCode === 0 ? "ok" : `FAILED (exit code ${result.exitCode})`,
      Format.seconds(Duration.toMillis(result.elapsed))
    ])
  ))
  const failed = results.filter((result) => result.exitCode !== 0).map((result) =>
    `${result.name} (${result.transport})`
  )
  if (failed.length > 0) return yield* Effect.fail(new DemoFailed({ failed }))
  yield* Console.log(`\nAll ${Catalog.examples.length} examples ran over both transports.`)
})

const usage = `pnpm demo: runs every example (pnpm example --help lists them) over SOAP and then over REST,
each in its own process against a fresh emulator, never against the MARKETO_* endpoints, and prints a
summary; exits with code 1 if any example failed. BULK_COUNT=N: the bulk example's opportunities
(default 20,000). Takes about a minute.`

const help = process.argv.slice(2).some((arg) => arg === "--help" || arg === "-h")

Runner.run(help ? Console.log(usage) : main.pipe(Effect.provide(NodeContext.layer)))
