import { defineConfig } from "vitest/config"

// Tests that take minutes on a 2-core machine (a million-object stream, real-time limits,
// the e2e load test, the chaos run) are named *.slow.test.ts; the tests that drive external
// programs (PHP, zeep, node-soap and JAX-WS against the emulator; xmllint over generated shapes;
// the emulator and mktows commands spawned as processes) spend most of their time starting
// processes and join them. `pnpm test` runs the fast
// project, `pnpm test:slow` the slow one, and `pnpm verify` both, fast first.
//
// `pnpm test` adds --no-isolate: the fast project's files share one module graph per worker,
// so effect and the packages load once per worker instead of once per file, which halves the
// suite. Every fast file must therefore pass after any other in the same worker: no test may
// rely on module-level or global state (Effect's metric registry, spies on globals) being
// fresh. (Vitest 3 takes isolation from the root options only, not per project; hence the
// flag rather than a project setting, and the slow project keeps isolation.)
const include = ["packages/*/test/**/*.test.ts", "examples/test/**/*.test.ts"]
const slow = [
  "packages/*/test/**/*.slow.test.ts",
  "examples/test/**/*.slow.test.ts",
  "packages/emulator/test/interop*.test.ts",
  "packages/emulator/test/emulator-tool.test.ts",
  "packages/emulator/test/emulator-server.test.ts",
  "packages/cli/test/sync.test.ts",
  "packages/cli/test/commands.test.ts",
  "packages/xml/test/xsd.test.ts"
]

// Workspace packages export their TypeScript sources under the "source" condition,
// so tests run against src/ without a build step.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fakeTimers: { toFake: [] },
    setupFiles: ["packages/core/test/helpers/setup.ts"],
    projects: [
      { extends: true, test: { name: "fast", include, exclude: slow } },
      { extends: true, test: { name: "slow", include: slow, testTimeout: 300_000 } }
    ]
  }
})
