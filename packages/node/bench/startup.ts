/**
 * Start-up of the compiled bins (`pnpm bench:startup`, after `pnpm build`): wall time from
 * spawning `node BIN` to `mktows-emulator`'s ready line (`--port 0`), and to the exit of
 * `mktows --version` and `mktows --help`. The bins are the ones the packages' `bin` fields
 * name, as `npx` would run them. Medians of N spawns, the commands interleaved in a rotated
 * order; the first round is a warm-up (the file system cache) and is discarded. The last line is
 * JSON for `pnpm bench:all`.
 *
 * Usage: `pnpm bench:startup [--spawns 8] [--quick]`
 */
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { repoRoot } from "./support/children.js"
import { load, median, numberFlag, quick, rotate, round3 } from "./support/stats.js"

interface Command {
  readonly name: string
  readonly args: ReadonlyArray<string>
  /** Ready when stdout matches this; else when the process exits with code 0. */
  readonly ready?: RegExp
}

const binOf = (pkg: string, name: string): string | undefined => {
  const manifest = JSON.parse(readFileSync(`${repoRoot}packages/${pkg}/package.json`, "utf8")) as {
    readonly bin?: Record<string, string>
  }
  const bin = manifest.bin?.[name]
  return bin === undefined ? undefined : `${repoRoot}packages/${pkg}/${bin}`
}

/** Milliseconds to ready, or why it did not get there. */
const once = (command: Command): Promise<number | string> =>
  new Promise((resolve) => {
    const start = performance.now()
    const child = spawn(process.execPath, command.args, { stdio: ["ignore", "pipe", "pipe"], cwd: repoRoot })
    let stdout = ""
    let done = false
    const finish = (result: number | string) => {
      if (done) return
      done = true
      resolve(result)
    }
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (command.ready?.test(stdout) === true) {
        finish(performance.now() - start)
        child.kill("SIGTERM")
      }
    })
    child.stderr.resume()
    child.once("error", (error) => finish(`${command.name}: ${error.message}`))
    child.once("exit", (code) => {
      if (command.ready !== undefined) finish(`${command.name} exited (${code}) before its ready line`)
      else if (code === 0 && stdout.trim().length > 0) finish(performance.now() - start)
      else finish(`${command.name} exited with ${code}, stdout ${JSON.stringify(stdout.slice(0, 200))}`)
    })
  })

const main = async () => {
  const spawns = numberFlag("spawns", quick ? 1 : 8)
  const emulator = binOf("emulator", "mktows-emulator")
  const cli = binOf("cli", "mktows")
  const commands: Array<Command> = []
  if (emulator !== undefined && existsSync(emulator)) {
    commands.push({
      name: "mktows-emulator to its ready line",
      args: [emulator, "--port", "0"],
      ready: /mktows emulator listening on/
    })
  }
  if (cli !== undefined && existsSync(cli)) {
    commands.push({ name: "mktows --version", args: [cli, "--version"] })
    commands.push({ name: "mktows --help", args: [cli, "--help"] })
  }
  if (commands.length < 3) {
    process.stderr.write(`startup: a bin is missing (run \`pnpm build\` first): ${emulator}, ${cli}\n`)
    process.exitCode = 1
    return
  }
  const loadBefore = load()
  process.stdout.write(`startup: ${spawns} spawns of each compiled bin, after one warm-up; load ${loadBefore}\n`)
  const times = new Map<string, Array<number>>(commands.map((c) => [c.name, []]))
  for (let round = 0; round <= spawns; round++) {
    for (const command of rotate(commands, round)) {
      const result = await once(command)
      if (typeof result === "string") {
        process.stderr.write(`startup failed: ${result}\n`)
        process.exitCode = 1
        return
      }
      if (round > 0) times.get(command.name)!.push(result)
    }
  }
  const figures: Record<string, { readonly medianMs: number; readonly minMs: number }> = {}
  for (const [name, list] of times) {
    figures[name] = { medianMs: round3(median(list)), minMs: round3(Math.min(...list)) }
    process.stdout.write(
      `  ${name.padEnd(36)} median ${String(figures[name].medianMs).padStart(6)} ms, min ${figures[name].minMs} ms\n`
    )
  }
  const loadAfter = load()
  process.stdout.write(`load average before ${loadBefore}, after ${loadAfter}\n`)
  process.stdout.write(
    `${JSON.stringify({ bench: "startup", load: [loadBefore, loadAfter], spawns, startup: figures })}\n`
  )
}

main().catch((cause: unknown) => {
  process.stderr.write(`startup failed: ${String(cause)}\n`)
  process.exitCode = 1
})
