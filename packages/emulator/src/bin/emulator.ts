#!/usr/bin/env node
/**
 * The emulator as a process:
 *
 * ```
 * pnpm emulator [--host 127.0.0.1] [--port 8080] [--user-id ID] [--encryption-key KEY]
 *               [--signature-ttl SECONDS] [--enforce-limits] [--latency MS] [--fault-rate R]
 *               [--seed FILE] [--data FILE]
 *               [--client-id ID] [--client-secret SECRET] [--token-ttl SECONDS]
 * ```
 *
 * `--seed FILE` starts from the objects of a JSON file in the format of the `Seed` module
 * (and `POST /emulator/reset` goes back to them); a file that breaks the format stops the
 * emulator with exit code 2 and a message naming the path of the bad value. `--data FILE`
 * keeps the store in a JSON file: loaded at start when it exists, rewritten atomically
 * after every call that changes something.
 *
 * Listens on port 8080 unless told otherwise (`--port 0` picks a free one). The credentials
 * can also come from `MKTOWS_EMULATOR_USER_ID` and `MKTOWS_EMULATOR_ENCRYPTION_KEY`, which
 * keeps the key out of the process list; the flags win over them. Prints
 * `mktows emulator listening on http://HOST:PORT/soap/mktows/2_2` once it accepts calls (the
 * real port when `--port 0`), runs until SIGINT or SIGTERM, and exits with code 2 on a bad
 * command line or environment. The key is never printed.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as EmulatorCommand from "../EmulatorCommand.js"

const main = EmulatorCommand.run(process.argv.slice(2)).pipe(
  Effect.scoped,
  Effect.tapError((error) =>
    error._tag === "UsageError"
      ? Console.error(`mktows emulator: ${error.message}\n(mktows-emulator --help lists the flags)`)
      : Console.error(
        `mktows emulator: cannot listen: ${String(error.cause)}${
          String(error.cause).includes("EADDRINUSE") ? " (another process has the port: --port 0 picks a free one)" : ""
        }`
      )
  )
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return onExit(0)
    const failure = Cause.failureOption(exit.cause)
    onExit(Option.isSome(failure) && failure.value instanceof EmulatorCommand.UsageError ? 2 : 1)
  }
})
