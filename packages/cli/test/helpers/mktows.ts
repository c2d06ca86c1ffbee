/**
 * Runs `mktows` the way a user does: as its own process, against an emulator process.
 *
 * The command is bundled once per test file with esbuild (from the TypeScript sources, the
 * `source` condition), so each run starts in well under a second instead of transpiling
 * the workspace again with tsx: the kill/resume trials start the command dozens of times.
 */
import * as Effect from "effect/Effect"
import { build } from "esbuild"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { demoCredentials, type RunningEmulator } from "../../../emulator/test/helpers/spawnEmulator.js"

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

let bundled: Promise<string> | undefined

/** The path of the bundled command (built on first use). */
export const bundle = (): Promise<string> => {
  bundled ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), "mktows-cli-")), "mktows.mjs")
    await build({
      entryPoints: [join(repoRoot, "packages/cli/src/bin/mktows.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      conditions: ["source"],
      outfile,
      // Bundled CommonJS dependencies call require(): give the ESM bundle one.
      banner: {
        js:
          "import { createRequire as __mktowsRequire } from 'node:module'; const require = __mktowsRequire(import.meta.url);"
      },
      logLevel: "error"
    })
    return outfile
  })()
  return bundled
}

/** A fresh scratch directory. */
export const scratch = (): string => mkdtempSync(join(tmpdir(), "mktows-cli-data-"))

/** The environment that points the command at an emulator. */
export const envFor = (emulator: RunningEmulator): Record<string, string> => ({
  MARKETO_SOAP_ENDPOINT: emulator.endpoint,
  MARKETO_USER_ID: demoCredentials.userId,
  MARKETO_ENCRYPTION_KEY: demoCredentials.encryptionKey
})

/** The environment that points the command at an emulator's REST side (REST whenever MARKETO_REST_ENDPOINT is set). */
export const restEnvFor = (emulator: RunningEmulator): Record<string, string> => ({
  MARKETO_REST_ENDPOINT: `${emulator.origin}/rest`,
  MARKETO_IDENTITY_ENDPOINT: `${emulator.origin}/identity`,
  MARKETO_CLIENT_ID: "mktows-demo-client",
  MARKETO_CLIENT_SECRET: "mktows-demo-secret"
})

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** The largest resident set size seen while it ran (sampled from /proc), in bytes. */
  readonly peakRss: number
}

const peakOf = (pid: number | undefined): number => {
  if (pid === undefined) return 0
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const match = /VmHWM:\s+(\d+) kB/.exec(status)
    return match === null ? 0 : Number(match[1]) * 1024
  } catch {
    return 0
  }
}

export interface RunOptions {
  readonly env?: Record<string, string>
  readonly nodeArgs?: ReadonlyArray<string>
  /** Kill the process with SIGKILL after this many milliseconds. */
  readonly killAfter?: number
  readonly onSpawn?: (child: ChildProcess) => void
}

/**
 * `mktows ...args` as an Effect: interrupting it (a test's timeout) kills the command, so
 * no process outlives the test that started it.
 */
export const mktows = (args: ReadonlyArray<string>, options: RunOptions = {}): Effect.Effect<Result> =>
  Effect.flatMap(Effect.promise(bundle), (file) =>
    Effect.async<Result>((resume) => {
      let spawned: ChildProcess | undefined
      void start(file, args, {
        ...options,
        onSpawn: (child) => {
          spawned = child
          options.onSpawn?.(child)
        }
      }).then((result) => resume(Effect.succeed(result)), (error) => resume(Effect.die(error)))
      return Effect.sync(() => void spawned?.kill("SIGKILL"))
    }))

/** Runs `mktows ...args` to its end (or its kill) and collects its output. */
export const run = async (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Result> =>
  start(await bundle(), args, options)

const start = (file: string, args: ReadonlyArray<string>, options: RunOptions): Promise<Result> => {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), file, ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", NO_COLOR: "1", ...options.env }
    })
    options.onSpawn?.(child)
    let stdout = ""
    let stderr = ""
    let peakRss = 0
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, peakOf(child.pid))), 50)
    const killer = options.killAfter === undefined
      ? undefined
      : setTimeout(() => child.kill("SIGKILL"), options.killAfter)
    child.on("error", reject)
    child.on("exit", (code, signal) => {
      clearInterval(sampler)
      if (killer !== undefined) clearTimeout(killer)
      resolve({ code, signal, stdout, stderr, peakRss })
    })
  })
}

/** The rows of an NDJSON report. */
export const readNdjson = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line))
