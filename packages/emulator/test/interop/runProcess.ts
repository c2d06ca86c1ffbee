/**
 * Runs a third-party client as a child process and captures what it says.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { spawn, spawnSync } from "node:child_process"

/** How a client process ended, and everything it wrote. */
export interface ProcessResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** The client could not be started, or did not finish in time. */
export class ProcessError extends Data.TaggedError("ProcessError")<{
  readonly command: string
  readonly reason: "Spawn" | "Timeout"
  readonly detail: string
}> {
  override get message(): string {
    return `${this.command}: ${this.reason}: ${this.detail}`
  }
}

/** Runs `command args` to completion (killed after `timeout`), collecting stdout and stderr. */
export const runProcess = (
  command: string,
  args: ReadonlyArray<string>,
  options: {
    readonly cwd?: string
    readonly timeout?: Duration.DurationInput
    /** Added to this process's environment. */
    readonly env?: Readonly<Record<string, string>>
  } = {}
): Effect.Effect<ProcessResult, ProcessError> => {
  const label = [command, ...args].join(" ")
  return Effect.async<ProcessResult, ProcessError>((resume) => {
    let stdout = ""
    let stderr = ""
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...options.env }
    })
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.once(
      "error",
      (error) => resume(Effect.fail(new ProcessError({ command: label, reason: "Spawn", detail: error.message })))
    )
    // "close", not "exit": it fires after both pipes are drained, so no output is lost.
    child.once("close", (code, signal) => resume(Effect.succeed({ code, signal, stdout, stderr })))
    return Effect.sync(() => {
      child.kill("SIGKILL")
    })
  }).pipe(
    Effect.timeoutFail({
      duration: options.timeout ?? Duration.seconds(60),
      onTimeout: () => new ProcessError({ command: label, reason: "Timeout", detail: "did not finish in time" })
    })
  )
}

/**
 * Whether a client is usable here: runs a quick probe synchronously, at test collection time,
 * so a missing client can turn into a skipped test.
 */
export const probe = (
  command: string,
  args: ReadonlyArray<string>
): { readonly ok: boolean; readonly detail: string } => {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 })
  if (result.error !== undefined) {
    return { ok: false, detail: result.error.message }
  }
  return { ok: result.status === 0, detail: `exit ${result.status}: ${result.stderr.trim()}` }
}
