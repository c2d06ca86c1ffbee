/**
 * The emulator as a process:
 *
 * ```
 * pnpm emulator [--host 127.0.0.1] [--port 8080] [--user-id ID] [--encryption-key KEY]
 *               [--signature-ttl SECONDS] [--enforce-limits] [--latency MS] [--fault-rate R]
 * ```
 *
 * Prints `mktows emulator listening on http://HOST:PORT/soap/mktows/2_2` once it accepts
 * calls (the real port when `--port 0`), runs until SIGINT or SIGTERM, and exits with code 2
 * on a bad command line.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { parseArgs } from "node:util"
import * as Emulator from "../Emulator.js"

class UsageError extends Data.TaggedError("UsageError")<{ readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

const usage = `usage: pnpm emulator [--host 127.0.0.1] [--port 8080] [--user-id ID] [--encryption-key KEY]
                     [--signature-ttl SECONDS] [--enforce-limits] [--latency MS] [--fault-rate R]`

const number = (flag: string, text: string | undefined, check: (n: number) => boolean, expected: string) =>
  text === undefined
    ? Effect.succeed(undefined)
    : /^\d+(\.\d+)?$/.test(text) && check(Number(text))
    ? Effect.succeed(Number(text))
    : Effect.fail(new UsageError({ detail: `--${flag} must be ${expected}, got '${text}'` }))

const parseFlags = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { values } = yield* Effect.try({
      try: () =>
        parseArgs({
          args: [...args],
          strict: true,
          allowPositionals: false,
          options: {
            host: { type: "string" },
            port: { type: "string" },
            "user-id": { type: "string" },
            "encryption-key": { type: "string" },
            "signature-ttl": { type: "string" },
            "enforce-limits": { type: "boolean" },
            latency: { type: "string" },
            "fault-rate": { type: "string" },
            help: { type: "boolean", short: "h" }
          }
        }),
      catch: (error) => new UsageError({ detail: error instanceof Error ? error.message : String(error) })
    })
    if (values.help === true) return Option.none()
    const port = yield* number("port", values.port, (n) => Number.isInteger(n) && n <= 65535, "a port (0-65535)")
    const signatureTtl = yield* number("signature-ttl", values["signature-ttl"], () => true, "seconds (0 or more)")
    const latency = yield* number("latency", values.latency, () => true, "milliseconds (0 or more)")
    const faultRate = yield* number("fault-rate", values["fault-rate"], (n) => n <= 1, "a probability (0 to 1)")
    for (const flag of ["host", "user-id", "encryption-key"] as const) {
      if (values[flag] !== undefined && values[flag].trim() === "") {
        return yield* Effect.fail(new UsageError({ detail: `--${flag} must not be empty` }))
      }
    }
    const options: Emulator.Options = {
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(port === undefined ? {} : { port }),
      ...(values["user-id"] === undefined ? {} : { userId: values["user-id"] }),
      ...(values["encryption-key"] === undefined ? {} : { encryptionKey: Redacted.make(values["encryption-key"]) }),
      ...(signatureTtl === undefined ? {} : { signatureTtl }),
      ...(values["enforce-limits"] === true ? { enforceLimits: true } : {}),
      ...(latency === undefined ? {} : { latency }),
      ...(faultRate === undefined ? {} : { faultRate })
    }
    return Option.some(options)
  })

const main = Effect.gen(function*() {
  const options = yield* parseFlags(process.argv.slice(2))
  if (Option.isNone(options)) return yield* Console.log(usage)
  const emulator = yield* Emulator.make(options.value)
  yield* Console.log(`mktows emulator listening on ${emulator.url}`)
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.tapError((error) =>
    error._tag === "UsageError"
      ? Console.error(`mktows emulator: ${error.message}\n${usage}`)
      : Console.error(`mktows emulator: cannot listen: ${String(error.cause)}`)
  )
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return onExit(0)
    const failure = Cause.failureOption(exit.cause)
    onExit(Option.isSome(failure) && failure.value instanceof UsageError ? 2 : 1)
  }
})
