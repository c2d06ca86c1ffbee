import { defineConfig } from "vitest/config"

// Tests that take minutes on a 2-core machine (a million-object stream, real-time limits,
// the e2e load test, the chaos run) are named *.slow.test.ts; the tests that drive external
// programs (PHP, zeep, node-soap and JAX-WS against the emulator; xmllint over generated shapes;
// the emulator and mktows commands spawned as processes) spend most of their time starting
// processes and join them. `pnpm test` runs the fast
// project, `pnpm test:slow` the slow one, and `pnpm verify` both, fast first.
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
    projects: [
      { extends: true, test: { name: "fast", include, exclude: slow } },
      { extends: true, test: { name: "slow", include: slow, testTimeout: 300_000 } }
    ]
  }
})
