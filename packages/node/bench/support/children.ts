/**
 * The benchmarks' servers as child processes, so that the CPU a benchmark reads with
 * `process.cpuUsage` is the client's alone: the emulator (the compiled `mktows-emulator` bin
 * when built, else its source through tsx) and the canned server.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { repoRoot, tsxArgs } from "./code.js"

export { repoRoot, tsxArgs } from "./code.js"

/** How a script run to its end went: its exit code and what it printed. */
export interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * A benchmark script (`path` from the repository's root) run to its end in a child node on the
 * TypeScript sources, as the smoke tests run every benchmark: its exit code and output. The
 * child is killed when the run is interrupted (a test's timeout).
 */
export const runScript = (path: string, args: ReadonlyArray<string>): Effect.Effect<Ran> =>
  Effect.async<Ran>((resume) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=source", path, ...args],
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error === null ? 0 : child.exitCode ?? 1, stdout, stderr }))
    )
    return Effect.sync(() => child.kill("SIGTERM"))
  })

/** The compiled, bundled emulator bin (after `pnpm build`). */
export const emulatorBin = `${repoRoot}packages/emulator/dist/bin/mktows-emulator.js`

export class ChildError extends Data.TaggedError("ChildError")<{ readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

export interface Server {
  readonly endpoint: string
  readonly pid: number
  readonly how: string
}

/**
 * A process's CPU so far (user and system, every thread), µs, from Linux's `/proc/<pid>/stat`;
 * undefined where it cannot be read (another OS, a process gone). Its unit is the kernel's
 * USER_HZ, 100 ticks a second on every Linux architecture Node runs on, so a reading is exact
 * to 10 ms: read it around work of a second or more, or take medians.
 */
export const cpuOf = (pid: number): number | undefined => {
  try {
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const ticks = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(ticks) ? ticks * 10_000 : undefined
  } catch {
    return undefined
  }
}

const stop = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    child.kill("SIGTERM")
  })

/** Spawns node with `args` and waits for a stdout line matching `ready` (its group 1 is the endpoint). */
export const spawnServer = (
  args: ReadonlyArray<string>,
  ready: RegExp,
  how: string
): Effect.Effect<Server, ChildError, Scope.Scope> =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } })
      ),
      stop
    )
    let stdout = ""
    let stderr = ""
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-8192)
    })
    const endpoint = yield* Effect.async<string, ChildError>((resume) => {
      const onData = (chunk: string) => {
        stdout = (stdout + chunk).slice(-8192)
        const match = ready.exec(stdout)
        if (match !== null) resume(Effect.succeed(match[1]!))
      }
      child.stdout?.setEncoding("utf8").on("data", onData)
      child.once("exit", (code) =>
        resume(Effect.fail(new ChildError({ detail: `${how} exited (${code}) before ready: ${stdout}${stderr}` }))))
      child.once("error", (error) =>
        resume(Effect.fail(new ChildError({ detail: `${how}: ${error.message}` }))))
    }).pipe(
      Effect.timeoutFail({
        duration: Duration.seconds(120),
        onTimeout: () =>
          new ChildError({ detail: `${how}: no ready line in 120 s: ${stdout}${stderr}` })
      })
    )
    // Keep draining stdout so a chatty server never blocks on a full pipe.
    child.stdout?.removeAllListeners("data").on("data", () => {})
    return { endpoint, pid: child.pid ?? 0, how }
  })

/** The emulator, as users run it: the compiled bin when built, else the source. */
export const emulator: Effect.Effect<Server, ChildError, Scope.Scope> = Effect.suspend(() => {
  const built = existsSync(emulatorBin)
  return spawnServer(
    built ? [emulatorBin, "--port", "0"] : [...tsxArgs, "packages/emulator/src/bin/emulator.ts", "--port", "0"],
    /mktows emulator listening on (http:\/\/\S+)/,
    built ? "emulator (dist/bin/mktows-emulator.js)" : "emulator (source, through tsx: run `pnpm build` first)"
  )
})

/**
 * Binds a process, every thread it has and every thread it makes, to one CPU (Linux's
 * `taskset`), so that a benchmark can hold a server's CPU apart from its clients', as a remote
 * Marketo's is. Fails with what went wrong where `taskset` is missing or refuses.
 */
export const pinTo = (pid: number, cpu: number): Effect.Effect<void, ChildError> =>
  Effect.async<void, ChildError>((resume) => {
    execFile("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], (error, _stdout, stderr) =>
      resume(
        error === null
          ? Effect.void
          : Effect.fail(
            new ChildError({
              detail: `taskset could not bind process ${pid} to CPU ${cpu}: ${stderr.trim() || error.message}`
            })
          )
      ))
  })

/** The canned server. */
export const canned: Effect.Effect<Server, ChildError, Scope.Scope> = spawnServer(
  [...tsxArgs, fileURLToPath(new URL("./canned-server.ts", import.meta.url))],
  /canned server listening on (http:\/\/\S+)/,
  "canned server"
)
