/**
 * Runs the emulator the way a user does, as its own process through its command line, so
 * that tests in any language can talk to it over real HTTP.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

/** The repository root: the emulator's command line is run from there, like `pnpm emulator`. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

/** Marketo's documented demo credentials, the emulator's defaults. */
export const demoCredentials = {
  userId: "demo17_1_809934544BFABAE58E5D27",
  encryptionKey: "27272727aa"
} as const

/** A running emulator: its SOAP endpoint, where it serves the WSDL, and its origin. */
export interface RunningEmulator {
  readonly endpoint: string
  readonly wsdlUrl: string
  readonly origin: string
  readonly pid: number
  /** What the process has written to stderr so far (for failure messages). */
  readonly stderr: () => string
}

/** The emulator process did not come up. */
export class EmulatorStartError extends Data.TaggedError("EmulatorStartError")<{
  readonly reason: "Spawn" | "Exited" | "Timeout"
  readonly detail: string
  readonly stderr: string
}> {
  override get message(): string {
    return `emulator did not start (${this.reason}): ${this.detail}${
      this.stderr.length > 0 ? `\n--- emulator stderr ---\n${this.stderr}` : ""
    }`
  }
}

const readyLine = /^mktows emulator listening on (http:\/\/\S+\/soap\/mktows\/2_2)\s*$/m

// Keep the tail only: a chatty emulator must not grow the test process without bound.
const appendCapped = (buffer: string, chunk: string, cap = 64 * 1024): string => {
  const joined = buffer + chunk
  return joined.length > cap ? joined.slice(joined.length - cap) : joined
}

const waitForExit = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resume(Effect.void)
    }
    const onExit = () => resume(Effect.void)
    child.once("exit", onExit)
    return Effect.sync(() => child.off("exit", onExit))
  })

// SIGTERM first so the server can close; SIGKILL if it does not exit promptly.
// A release runs uninterruptibly, where a timeout cannot interrupt what it times: the waits are
// made interruptible, or a process that ignores SIGTERM would hold the suite until its timeout.
const stop = (child: ChildProcess): Effect.Effect<void> =>
  Effect.sync(() => child.kill("SIGTERM")).pipe(
    Effect.zipRight(Effect.interruptible(waitForExit(child)).pipe(Effect.timeout(Duration.seconds(5)))),
    Effect.catchAll(() =>
      Effect.sync(() => child.kill("SIGKILL")).pipe(
        Effect.zipRight(Effect.interruptible(waitForExit(child)).pipe(Effect.timeoutOption(Duration.seconds(5))))
      )
    ),
    Effect.asVoid
  )

/**
 * Spawns `emulator.ts --port 0 ...args` with tsx from the repository root, waits for its
 * "listening" line and yields where it listens. The process is stopped when the scope closes.
 */
export const spawnEmulator = (
  args: ReadonlyArray<string> = [],
  options: {
    readonly timeout?: Duration.DurationInput
    /** Added to the test process's environment. */
    readonly env?: Readonly<Record<string, string>>
  } = {}
): Effect.Effect<RunningEmulator, EmulatorStartError, Scope.Scope> =>
  Effect.gen(function*() {
    let stdout = ""
    let stderr = ""
    const child = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          spawn(
            process.execPath,
            ["--import", "tsx", "--conditions=source", "packages/emulator/src/bin/emulator.ts", "--port", "0", ...args],
            { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env, NO_COLOR: "1" } }
          ),
        catch: (cause) => new EmulatorStartError({ reason: "Spawn", detail: String(cause), stderr: "" })
      }),
      stop
    )
    // A late spawn error must not crash the test run; startup errors are handled below.
    child.on("error", () => {})
    // Drain both pipes for the whole life of the process, or a full pipe would stall it.
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout = appendCapped(stdout, chunk)
    })
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = appendCapped(stderr, chunk)
    })

    const endpoint = yield* Effect.async<string, EmulatorStartError>((resume) => {
      const check = () => {
        const match = readyLine.exec(stdout)
        if (match !== null) {
          cleanup()
          resume(Effect.succeed(match[1]!))
        }
      }
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        cleanup()
        resume(
          Effect.fail(
            new EmulatorStartError({
              reason: "Exited",
              detail: `exited with ${code !== null ? `code ${code}` : `signal ${signal}`} before listening; stdout: ${
                JSON.stringify(stdout)
              }`,
              stderr
            })
          )
        )
      }
      const onError = (error: Error) => {
        cleanup()
        resume(Effect.fail(new EmulatorStartError({ reason: "Spawn", detail: error.message, stderr })))
      }
      const cleanup = () => {
        child.stdout?.off("data", check)
        child.off("exit", onExit)
        child.off("error", onError)
      }
      child.stdout?.on("data", check)
      child.once("exit", onExit)
      child.once("error", onError)
      check()
      return Effect.sync(cleanup)
    }).pipe(
      Effect.timeoutFail({
        duration: options.timeout ?? Duration.seconds(120),
        onTimeout: () =>
          new EmulatorStartError({
            reason: "Timeout",
            detail: `no listening line on stdout; stdout so far: ${JSON.stringify(stdout)}`,
            stderr
          })
      })
    )

    const url = new URL(endpoint)
    return {
      endpoint,
      wsdlUrl: `${endpoint}?WSDL`,
      origin: url.origin,
      pid: child.pid!,
      stderr: () => stderr
    }
  })
