#!/usr/bin/env node
/**
 * The `mktows` command. `mktows --help` lists the commands, `mktows COMMAND --help` their
 * flags. Exit codes: 0 every row went through, 1 some rows FAILED or are IN_DOUBT (or the
 * job stopped early), 2 usage or validation errors.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as EmulatorCommand from "@mktows/emulator/EmulatorCommand"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as MktowsCli from "../MktowsCli.js"

const args = process.argv.slice(2)

// `mktows emulator …` goes to the emulator's own command line, flags and all (and
// `mktows help emulator` to its usage).
const emulatorArgs = args[0] === "emulator"
  ? args.slice(1)
  : args.length === 2 && args[0] === "help" && args[1] === "emulator"
  ? ["--help"]
  : undefined
const program = emulatorArgs !== undefined
  ? Effect.scoped(EmulatorCommand.run(emulatorArgs)).pipe(
    Effect.tapError((error) =>
      error._tag === "UsageError"
        ? Console.error(`mktows emulator: ${error.message}\n${EmulatorCommand.usage}`)
        : Console.error(`mktows emulator: cannot listen: ${String(error.cause)}`)
    )
  )
  : MktowsCli.run(process.argv).pipe(
    Effect.tapError((error) => MktowsCli.report(error)),
    // Standard output is for data (`mktows list > types.txt`): logs go to stderr, and only
    // warnings and errors unless `--log-level` asks for more (it sets its level inside this
    // one, so it wins). Waits and retries show in the progress line already.
    Logger.withMinimumLogLevel(LogLevel.Warning)
  )

const exitCode = (cause: Cause.Cause<unknown>): number => {
  const failure = Cause.failureOption(cause)
  return Option.isSome(failure) ? MktowsCli.exitCode(failure.value) : 1
}

// Exit once stdout and stderr are flushed: idle keep-alive connections must not hold the
// process open after the job is done.
const exitAfterFlush = (code: number) =>
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))

const logger = Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true }))

NodeRuntime.runMain(Effect.provide(program, Layer.merge(NodeContext.layer, logger)), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit) => {
    if (Exit.isSuccess(exit)) return exitAfterFlush(0)
    if (Cause.isInterruptedOnly(exit.cause)) return exitAfterFlush(130)
    if (Cause.isDie(exit.cause)) process.stderr.write(`mktows: ${Cause.pretty(exit.cause)}\n`)
    exitAfterFlush(exitCode(exit.cause))
  }
})
