/**
 * The emulator's command line as a library, for programs that embed it (the `mktows
 * emulator` command): the same flags, environment and defaults as `pnpm emulator`.
 *
 * @since 0.1.0
 */
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Emulator from "./Emulator.js"
import * as Cli from "./internal/cli.js"

/**
 * A bad command line or environment; its message says what, never with the key.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

/**
 * The flags, as the help text shows them.
 *
 * @since 0.1.0
 * @category constants
 */
export const usage: string = Cli.usage

/**
 * The emulator's options from a command line and the ConfigProvider (the environment when
 * run), or none when help was asked for. Error texts never carry the key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const options = (args: ReadonlyArray<string>): Effect.Effect<Option.Option<Emulator.Options>, UsageError> =>
  Effect.mapError(Cli.options(args), (problem) => new UsageError({ detail: problem.detail }))

/**
 * Starts the emulator from command-line flags, prints where it listens (the SOAP endpoint on
 * one line, the REST and identity bases on the next), and runs until interrupted; prints the
 * usage when asked for help.
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = (
  args: ReadonlyArray<string>
): Effect.Effect<void, UsageError | ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const parsed = yield* options(args)
    if (Option.isNone(parsed)) return yield* Console.log(Cli.usage)
    const emulator = yield* Emulator.make(parsed.value)
    yield* Console.log(`mktows emulator listening on ${emulator.url}`)
    yield* Console.log(`mktows emulator REST at ${emulator.restUrl} (identity ${emulator.identityUrl})`)
    return yield* Effect.never
  })
