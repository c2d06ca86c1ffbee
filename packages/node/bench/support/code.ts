/**
 * Which code the benchmarks measure: by default the compiled `dist/` of each package, what
 * users install (run `pnpm build` first); with Node's `--conditions=source` (as the smoke test
 * runs them), the TypeScript sources through tsx.
 *
 * The two differ: tsx compiles the sources with esbuild's keepNames, which names every function
 * it creates at run time (a property definition each), and on the codec's hot paths that made
 * the sources 25–30 % slower than the compiled code. The figures are of compiled code.
 */
import { existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

/** Whether this process runs the TypeScript sources rather than the compiled code. */
export const runsSources: boolean = process.execArgv.includes("--conditions=source")

/** What a script prints about the code it measures. */
export const codeUnderTest: string = runsSources
  ? "TypeScript sources through tsx (--conditions=source)"
  : "compiled dist/ (pnpm build)"

/** Node's arguments for a child TypeScript script measuring the same code as this process. */
export const tsxArgs: ReadonlyArray<string> = runsSources
  ? ["--import", "tsx", "--conditions=source"]
  : ["--import", "tsx"]

/**
 * An internal module of a workspace package (which its exports keep private), from the same
 * code as the public ones: `internalModule<typeof import("../../xml/src/internal/document.js")>("xml",
 * "internal/document")`.
 */
export const internalModule = <M>(pkg: string, path: string): Promise<M> =>
  import(`${repoRoot}packages/${pkg}/${runsSources ? "src" : "dist"}/${path}.${runsSources ? "ts" : "js"}`) as Promise<
    M
  >

/**
 * fast-xml-parser exactly as the codec drives it (its options and depth bound, its reports
 * going nowhere), and building its own tree (as the codec drove it before it built its own
 * from the parser's reports: the line issue 23's table measured), from the code under test.
 */
export const codecParsers = async () => {
  const { parserFor, treeParserFor } = await internalModule<typeof import("../../../xml/src/internal/document.js")>(
    "xml",
    "internal/document"
  )
  const { defaultMaxDepth } = await internalModule<typeof import("../../../xml/src/internal/scan.js")>(
    "xml",
    "internal/scan"
  )
  return { parser: parserFor(defaultMaxDepth), treeParser: treeParserFor(defaultMaxDepth) }
}

/** The source files under `dir`, with their paths relative to it. */
export const sources = (dir: string, prefix = ""): Array<string> =>
  readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(dir, join(prefix, entry.name))
      : entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")
      ? [join(prefix, entry.name)]
      : []
  )

/**
 * Why the compiled code cannot be measured as it stands, if it cannot: a package never built, or
 * a source file changed after the package's last build (the figures would be of older code).
 * The build's own record (`tsconfig.tsbuildinfo`, written by every `tsc -b` that found
 * something to do) is the clock: tsc does not rewrite a compiled file whose output is the same.
 */
const staleBuild = (): string | undefined => {
  if (runsSources) return undefined
  const packages = join(repoRoot, "packages")
  for (const name of readdirSync(packages)) {
    const src = join(packages, name, "src")
    const record = join(packages, name, "tsconfig.tsbuildinfo")
    if (!existsSync(src)) continue
    if (!existsSync(join(packages, name, "dist")) || !existsSync(record)) {
      return `packages/${name} is not built: run pnpm build first`
    }
    const built = statSync(record).mtimeMs
    const changed = sources(src).find((file) => statSync(join(src, file)).mtimeMs > built)
    if (changed !== undefined) {
      return `packages/${name}/src/${changed} changed after the last build: run pnpm build first`
    }
  }
  return undefined
}

/**
 * Whether `bench` must not run because the compiled code is missing or stale: then it says
 * why on stderr and sets the exit code to 1.
 */
export const refusesStaleBuild = (bench: string): boolean => {
  const stale = staleBuild()
  if (stale === undefined) return false
  process.stderr.write(`${bench}: ${stale} (it measures the compiled code)\n`)
  process.exitCode = 1
  return true
}
