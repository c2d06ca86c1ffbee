/**
 * What the published packages may import: core and xml nothing of Node (they run on Bun,
 * Deno, Workers), and every package only what its package.json declares, so that an install
 * from npm (where nothing is hoisted for it) resolves every import.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"

const packagesDir = fileURLToPath(new URL("../../", import.meta.url))

const sources = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = `${dir}/${name}`
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : []
  })

// Static imports and re-exports, type-only ones included (they must resolve for the .d.ts), and dynamic imports.
// Comments are dropped first: documentation quotes imports a user writes.
const specifiers = (text: string): ReadonlyArray<string> =>
  [
    ...text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "").matchAll(
      /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"'\s,]+)["']/gm
    )
  ].map((m) => m[1]!)

const packageName = (specifier: string): string => {
  const parts = specifier.split("/")
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!
}

const isNode = (specifier: string): boolean =>
  specifier.startsWith("node:") || builtinModules.includes(packageName(specifier)) ||
  packageName(specifier) === "@effect/platform-node" || packageName(specifier) === "undici"

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

const packages = readdirSync(packagesDir)
  .filter((dir) => statSync(`${packagesDir}${dir}/package.json`, { throwIfNoEntry: false })?.isFile() === true)
  .map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(`${packagesDir}${dir}/package.json`, "utf8")) as Manifest,
    imports: sources(`${packagesDir}${dir}/src`).flatMap((file) =>
      specifiers(readFileSync(file, "utf8")).map((specifier) => ({ file: file.slice(packagesDir.length), specifier }))
    )
  }))

describe("portability", () => {
  it("finds the packages and their imports", () => {
    const names = packages.map((p) => p.manifest.name)
    expect(names).toEqual(expect.arrayContaining(["@mktows/core", "@mktows/xml", "@mktows/node", "@mktows/emulator"]))
    expect(packages.find((p) => p.dir === "core")?.imports.some((i) => i.specifier === "effect/Effect")).toBe(true)
  })

  it.each(["core", "xml"])("%s imports nothing of Node", (dir) => {
    const found = packages.find((p) => p.dir === dir)?.imports.filter((i) => isNode(i.specifier)) ?? []
    expect(found).toEqual([])
  })

  it.each(packages.filter((p) => p.manifest.private !== true).map((p) => [p.manifest.name, p] as const))(
    "%s imports only what its package.json declares",
    (_, { imports, manifest }) => {
      const declared = new Set([
        manifest.name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {})
      ])
      const undeclared = imports.filter((i) =>
        !i.specifier.startsWith(".") && !i.specifier.startsWith("node:") &&
        !builtinModules.includes(packageName(i.specifier)) && !declared.has(packageName(i.specifier))
      )
      expect(undeclared).toEqual([])
    }
  )
})
