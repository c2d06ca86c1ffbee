/**
 * How an example file runs: its `program` (which needs a MarketoClient) gets the client of
 * {@link Environment.layer}, and runs under `NodeRuntime.runMain` when the file is the entry
 * point (`tsx --conditions=source examples/<name>.ts`), but not when it is imported by the
 * runner of `pnpm example`, the demo or the tests.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type { ServeError } from "@effect/platform/HttpServerError"
import type * as MarketoClient from "@mktows/core/MarketoClient"
import * as Cause from "effect/Cause"
import type * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Environment from "./environment.js"

/**
 * An example's program with its Marketo client provided: what `pnpm example <name>` runs.
 *
 * @since 0.1.0
 * @category constructors
 */
export const main = <A, E>(
  program: Effect.Effect<A, E, MarketoClient.MarketoClient>
): Effect.Effect<A, E | ConfigError.ConfigError | ServeError> => Effect.provide(program, Environment.layer)

// The errors' messages are sentences meant for people; defects keep their full trace.
const describeFailure = (error: unknown): string =>
  Predicate.hasProperty(error, "message") ? String(error.message) : String(error)

const reportFailure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tapErrorCause(effect, (cause) => {
    if (Cause.isInterruptedOnly(cause)) return Effect.void
    const failures = [...Cause.failures(cause)]
    return failures.length > 0
      ? Effect.forEach(failures, (error) => Console.error(describeFailure(error)), { discard: true })
      : Console.error(Cause.pretty(cause))
  })

// The teardown sees the error untyped, so the code is computed while the type is still known.
class ExitCode extends Data.TaggedError("ExitCode")<{ readonly code: number }> {}

/**
 * Runs an effect as the process: exit code 0 on success (or Ctrl+C), `exitCode(error)` on a
 * failure (default 1), 1 on a defect. Failures are printed on stderr.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <A, E>(
  effect: Effect.Effect<A, E>,
  options?: { readonly exitCode?: (error: E) => number }
): void =>
  NodeRuntime.runMain(
    reportFailure(effect).pipe(
      Effect.mapError((error) => new ExitCode({ code: options?.exitCode?.(error) ?? 1 }))
    ),
    {
      disableErrorReporting: true,
      teardown: (exit, onExit) => {
        if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return onExit(0)
        const failure = Cause.failureOption(exit.cause)
        onExit(Option.isSome(failure) && failure.value instanceof ExitCode ? failure.value.code : 1)
      }
    }
  )

/**
 * Whether the module at `moduleUrl` (its `import.meta.url`) is the script node was started with.
 *
 * @since 0.1.0
 * @category running
 */
export const isEntry = (moduleUrl: string): boolean => {
  const script = process.argv[1]
  return script !== undefined && path.resolve(script) === fileURLToPath(moduleUrl)
}

/**
 * Runs `effect` with {@link run} when the module at `moduleUrl` is the entry point.
 *
 * @since 0.1.0
 * @category running
 */
export const runIfEntry = <A, E>(moduleUrl: string, effect: Effect.Effect<A, E>): void => {
  if (isEntry(moduleUrl)) run(effect)
}
