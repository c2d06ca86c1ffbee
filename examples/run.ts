/**
 * Runs one example:
 *
 * ```
 * pnpm example <name> [arguments for the example]
 * ```
 *
 * Without a name, or with a name that is not an example, prints the list of examples and
 * exits with code 2. The example talks to the Marketo of `MARKETO_SOAP_ENDPOINT`, or to an
 * emulator started in-process when that is not set.
 *
 * @since 0.1.0
 */
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
    return `${problem} Run one with: pnpm example <name>\n\n${Catalog.listing()}`
  }
}

const main = Effect.gen(function*() {
  const name = process.argv[2]
  const example = Catalog.examples.find((candidate) => candidate.name === name)
  if (example === undefined) return yield* Effect.fail(new UnknownExample({ name }))
  const module = yield* Effect.promise(example.load)
  return yield* module.main
})

Runner.run(main, { exitCode: (error) => error instanceof UnknownExample ? 2 : 1 })
