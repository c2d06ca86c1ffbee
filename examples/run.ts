/**
 * Runs one example:
 *
 * ```
 * pnpm example <name> [arguments for the example]
 * ```
 *
 * Without a name, or with a name that is not an example, prints the list of examples and
 * exits with code 2; `--help` prints it and exits with 0. The example talks to the Marketo of `MARKETO_SOAP_ENDPOINT`, or to an
 * emulator started in-process when that is not set.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Catalog from "./internal/catalog.js"
import * as Runner from "./internal/runner.js"

/**
 * The command line names no example.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownExample extends Data.TaggedError("UnknownExample")<{ readonly name: string | undefined }> {
  override get message(): string {
    const problem = this.name === undefined ? "Which example?" : `There is no example named "${this.name}".`
    return `${problem} ${usage}`
  }
}

const usage = `Run one with: pnpm example <name>

${Catalog.listing()}

Each talks to the Marketo of MARKETO_REST_ENDPOINT (over REST: MARKETO_CLIENT_ID, MARKETO_CLIENT_SECRET,
MARKETO_IDENTITY_ENDPOINT) or of MARKETO_SOAP_ENDPOINT (over SOAP: MARKETO_USER_ID, MARKETO_ENCRYPTION_KEY);
with neither set, to an emulator it starts, over SOAP, or over REST with MKTOWS_EXAMPLE_TRANSPORT=rest.
pnpm demo runs them all over both transports against the emulator.`

const main = Effect.gen(function*() {
  const name = process.argv[2]
  if (name === "--help" || name === "-h" || name === "help") return yield* Console.log(usage)
  const example = Catalog.examples.find((candidate) => candidate.name === name)
  if (example === undefined) return yield* Effect.fail(new UnknownExample({ name }))
  const module = yield* Effect.promise(example.load)
  return yield* module.main
})

Runner.run(main, { exitCode: (error) => error instanceof UnknownExample ? 2 : 1 })
