#!/usr/bin/env node
// The published `mktows` command: it loads the command line that `pnpm build` writes to
// dist/. It is a committed file of its own, not dist/ itself, so that installing a fresh
// workspace can link the command before anything is built (pnpm warns about every bin it
// cannot link), and so that running it unbuilt says what to do instead of a module trace.
import { existsSync } from "node:fs"

const built = new URL("../dist/bin/mktows.js", import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  process.stderr.write("mktows: this copy of @mktows/cli is not built; run `pnpm build` in the workspace first\n")
  process.exitCode = 1
}
