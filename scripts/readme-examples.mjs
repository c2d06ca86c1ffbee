// Typechecks every ```ts block of the READMEs and docs/, so no documented example drifts from the code.
// Each block is a module of its own, compiled as a user's strict NodeNext project would compile it,
// against the workspace's sources (the `source` condition). A block that is not meant to compile on
// its own is not a ```ts block.
//
// Usage: node scripts/readme-examples.mjs
import { execFileSync } from "node:child_process"
import console from "node:console"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import process from "node:process"

const root = join(import.meta.dirname, "..")
// Under examples/, whose node_modules hold every @mktows package and their peers; @effect/vitest
// resolves from the root's.
const out = join(root, "examples", ".readme-examples")

const documents = [
  "README.md",
  ...readdirSync(join(root, "packages")).map((name) => join("packages", name, "README.md")),
  ...(existsSync(join(root, "docs")) ? readdirSync(join(root, "docs")).map((name) => join("docs", name)) : [])
].filter((path) => path.endsWith(".md") && existsSync(join(root, path)))

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const files = []
for (const document of documents) {
  const lines = readFileSync(join(root, document), "utf8").split("\n")
  let block = null
  lines.forEach((line, index) => {
    if (block === null && line.trim() === "```ts") block = { start: index + 2, lines: [] }
    else if (block !== null && line.trim() === "```") {
      const name = `${document.replace(/[/.]/g, "_")}_line${block.start}.ts`
      writeFileSync(join(out, name), block.lines.join("\n") + "\nexport {}\n")
      files.push({ name, document, start: block.start })
      block = null
    } else if (block !== null) block.lines.push(line)
  })
}

writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify(
    {
      // The workspace's options (strict, exactOptionalPropertyTypes, NodeNext), which its sources need too;
      // an example may leave a name unused.
      extends: "../../tsconfig.base.json",
      compilerOptions: {
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        noEmit: true,
        noUnusedLocals: false,
        noUnusedParameters: false,
        types: ["node"]
      },
      include: ["*.ts"]
    },
    null,
    2
  )
)

try {
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(out, "tsconfig.json")], {
    cwd: out,
    encoding: "utf8",
    stdio: "pipe"
  })
  console.log(`readme-examples: ${files.length} \`\`\`ts blocks in ${documents.length} documents typecheck`)
} catch (error) {
  // Name the README and line of each error instead of the scratch file's.
  const text = `${error.stdout ?? ""}${error.stderr ?? ""}`.replace(
    /^(\S+?_line(\d+)\.ts)\((\d+),(\d+)\)/gm,
    (match, file, start, line, column) => {
      const found = files.find((f) => file.endsWith(f.name))
      return found ? `${found.document}:${found.start + Number(line) - 1}:${column}` : match
    }
  )
  console.error(text)
  console.error("readme-examples: a ```ts block does not typecheck (places above)")
  process.exitCode = 1
} finally {
  rmSync(out, { recursive: true, force: true })
}
