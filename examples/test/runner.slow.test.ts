/**
 * The `pnpm example` runner's answer to a name it does not know, and to `--help`. It spawns the runner through
 * tsx (seconds of start-up), so it runs in the slow project.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Command from "@effect/platform/Command"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { fileURLToPath } from "node:url"
import * as Catalog from "../internal/catalog.js"

describe("pnpm example", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url))

  /** `pnpm example ARG` as a user runs it: its output and exit code. */
  const example = (arg: string) =>
    Effect.gen(function*() {
      const child = yield* Command.make(
        process.execPath,
        "--import",
        "tsx",
        "--conditions=source",
        "examples/run.ts",
        arg
      )
        .pipe(Command.workingDirectory(root), Command.start)
      const [stdout, stderr, exitCode] = yield* Effect.all(
        [
          Stream.mkString(Stream.decodeText(child.stdout)),
          Stream.mkString(Stream.decodeText(child.stderr)),
          child.exitCode
        ],
        { concurrency: 3 }
      )
      return { stdout, stderr, exitCode }
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))

  it.live("exits with code 2 and lists the examples when the name is unknown", () =>
    Effect.gen(function*() {
      const { exitCode, stderr } = yield* example("nope")
      expect(exitCode).toBe(2)
      expect(stderr).toContain(`There is no example named "nope"`)
      for (const example of Catalog.examples) expect(stderr).toContain(example.name)
    }))

  it.live("--help lists the examples and the transports' settings, and exits with code 0", () =>
    Effect.gen(function*() {
      const { exitCode, stdout } = yield* example("--help")
      expect(exitCode).toBe(0)
      expect(stdout).toContain("MKTOWS_EXAMPLE_TRANSPORT=rest")
      for (const example of Catalog.examples) expect(stdout).toContain(example.name)
    }))
})
