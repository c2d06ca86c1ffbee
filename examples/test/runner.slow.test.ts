/**
 * The `pnpm example` runner's answer to a name it does not know. It spawns the runner through
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

  it.live("exits with code 2 and lists the examples when the name is unknown", () =>
    Effect.gen(function*() {
      const child = yield* Command.make(
        process.execPath,
        "--import",
        "tsx",
        "--conditions=source",
        "examples/run.ts",
        "nope"
      ).pipe(Command.workingDirectory(root), Command.start)
      const [stderr, exitCode] = yield* Effect.all(
        [Stream.mkString(Stream.decodeText(child.stderr)), child.exitCode],
        { concurrency: 2 }
      )
      expect(exitCode).toBe(2)
      expect(stderr).toContain(`There is no example named "nope"`)
      for (const example of Catalog.examples) expect(stderr).toContain(example.name)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
})
