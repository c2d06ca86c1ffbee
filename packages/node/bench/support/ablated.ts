/**
 * mktows with every guarantee switched off, for `--ablate` (`bench:rest`, `bench:compare`): what
 * the speed goals would be if the client kept none of them. A measurement, never a build to
 * ship: it is made for one run in a temporary directory and removed after it.
 *
 * The copy is made from the sources of core, xml, rest and node: each guarantee in {@link
 * guarantees} bypassed at its one call site, every file compiled by TypeScript's own
 * `transpileModule` (what `tsc` writes, without types), the packages laid out in a
 * `node_modules` of their own whose other dependencies link to the workspace's (so Effect is
 * the very module the rest of the benchmark runs). A call site that is not in the sources
 * exactly once (or a file that is gone) stops the benchmark with its name: the table follows the
 * code, or says it no longer does.
 *
 * What stays is what makes an outcome at all: signing, mapping the models to the wire, encoding,
 * the HTTP exchange, parsing the answer and reading its statuses, pairing them with the objects.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import ts from "typescript"
import { repoRoot, sources } from "./code.js"

/** One call site: `find`, which must be in `file` exactly once, becomes `replace`. */
export interface Bypass {
  readonly what: string
  readonly file: string
  readonly find: string
  readonly replace: string
}

// A span that records nothing, for the transports' leaf spans (`exchangeSpan(name, attributes, use)`).
const noSpan = "((_name, _attributes, use) => use({ attribute() {} }))("

/** The guarantees switched off, each at its call site. */
export const guarantees: ReadonlyArray<Bypass> = [
  {
    what: "the checks before anything is sent (validation, and the transport's refusals)",
    file: "core/src/internal/client.ts",
    find: "const issues = check(items, 0)",
    replace: "const issues = []"
  },
  {
    what: "the metric of outcomes by status",
    file: "core/src/internal/client.ts",
    find: "yield* countStatuses(outcomes)",
    replace: ""
  },
  {
    what: "the rate limiter and its bound on calls in flight",
    file: "core/src/internal/call.ts",
    find: "rt.limiter.run(\n      // Checked once the limiter lets the call go",
    replace: "((effect) => effect)(\n      // Checked once the limiter lets the call go"
  },
  {
    what: "the rate limiter's place for each further request of a call",
    file: "core/src/internal/call.ts",
    find: "more: rt.limiter.more",
    replace: "more: Effect.void"
  },
  {
    what: "the call's span",
    file: "core/src/internal/call.ts",
    find: "Spans.withSpan(`MarketoClient.${operation}`, {",
    replace: "((..._args) => (effect) => effect)(`MarketoClient.${operation}`, {"
  },
  {
    what: "the attempt's time limit",
    file: "core/src/internal/timeout.ts",
    find: "export const timeoutFail = <A, E, R, E2>(",
    replace: "export const timeoutFail = (self) => self\nconst timeoutFailUnused = <A, E, R, E2>("
  },
  {
    what: "SOAP: the guard scan before fast-xml-parser (no bound on depth, nodes or text; DTDs not refused)",
    file: "xml/src/internal/document.ts",
    find: "const checked = scan(text, {",
    replace: "const checked = Either.right(undefined) ?? scan(text, {"
  },
  {
    what: "SOAP: the transport's span",
    file: "xml/src/internal/transport.ts",
    find: "HttpEdge.exchangeSpan(",
    replace: noSpan
  },
  {
    what: "REST: the transport's span",
    file: "rest/src/internal/send.ts",
    find: "HttpEdge.exchangeSpan(",
    replace: noSpan
  },
  {
    what: "REST: the scrub of the token and the client secret from every answer",
    file: "rest/src/internal/send.ts",
    find: "const text = HttpEdge.scrub(",
    replace: "const text = ((text) => text)("
  },
  {
    what: "REST: the depth bound on every answer",
    file: "rest/src/internal/http.ts",
    find: "if (depthOf(text, maxJsonDepth) > maxJsonDepth) {",
    replace: "if (false) {"
  }
]

/** The turns of calls started together, switched off too with `--ablate-turns`. */
export const turns: ReadonlyArray<Bypass> = [
  {
    what: "SOAP: the turns of calls started together",
    file: "xml/src/internal/transport.ts",
    find: "turn: HttpEdge.makeTurns()",
    replace: "turn: undefined"
  },
  {
    what: "REST: the turns of calls started together",
    file: "rest/src/internal/transport.ts",
    find: "turn: HttpEdge.makeTurns()",
    replace: "turn: undefined"
  }
]

const packages = ["core", "xml", "rest", "node"] as const

/** `text` with every bypass of `file` applied, or why one cannot be (a call site not there exactly once). */
export const bypassed = (
  file: string,
  text: string,
  bypasses: ReadonlyArray<Bypass>
): string | { readonly problem: string } => {
  let out = text
  for (const bypass of bypasses) {
    if (bypass.file !== file) continue
    const count = out.split(bypass.find).length - 1
    if (count !== 1) {
      return {
        problem:
          `${bypass.what}: "${bypass.find}" is in ${bypass.file} ${count} times, not once (update bench/support/ablated.ts)`
      }
    }
    out = out.replace(bypass.find, () => bypass.replace)
  }
  return out
}

export interface Ablated {
  /** A module of the copy, by package and path (`load("core", "MarketoClient")`). */
  readonly load: <M>(pkg: (typeof packages)[number], path: string) => Promise<M>
  /** What was switched off, a line each. */
  readonly what: ReadonlyArray<string>
  readonly close: () => void
}

/** The copy with `bypasses` applied, in a new temporary directory; or why it cannot be made. */
export const make = (bypasses: ReadonlyArray<Bypass>): Ablated | { readonly problem: string } => {
  const root = mkdtempSync(join(tmpdir(), "mktows-ablated-"))
  const close = () => rmSync(root, { recursive: true, force: true })
  const modules = join(root, "node_modules")
  const seen = new Set<string>()
  for (const pkg of packages) {
    const from = join(repoRoot, "packages", pkg)
    const to = join(modules, "@mktows", pkg)
    for (const file of sources(join(from, "src"))) {
      const path = `${pkg}/src/${file}`
      seen.add(path)
      const text = bypassed(path, readFileSync(join(from, "src", file), "utf8"), bypasses)
      if (typeof text !== "string") {
        close()
        return text
      }
      const js = ts.transpileModule(text, {
        fileName: file,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true }
      }).outputText
      const out = join(to, "dist", file.replace(/\.ts$/, ".js"))
      mkdirSync(dirname(out), { recursive: true })
      writeFileSync(out, js)
    }
    writeFileSync(
      join(to, "package.json"),
      JSON.stringify({
        name: `@mktows/${pkg}`,
        type: "module",
        exports: { ".": "./dist/index.js", "./*": "./dist/*.js" }
      })
    )
    // Every other dependency is the workspace's own (the same Effect, the same parser).
    for (const entry of readdirSync(join(from, "node_modules"))) {
      if (entry === "@mktows" || entry.startsWith(".")) continue
      const names = entry.startsWith("@")
        ? readdirSync(join(from, "node_modules", entry)).map((name) => `${entry}/${name}`)
        : [entry]
      for (const name of names) {
        const link = join(modules, name)
        if (existsSync(link)) continue
        mkdirSync(dirname(link), { recursive: true })
        symlinkSync(realpathSync(join(from, "node_modules", name)), link, "dir")
      }
    }
  }
  const gone = bypasses.filter((b) => !seen.has(b.file))
  if (gone.length > 0) {
    close()
    return { problem: `no such source file: ${gone.map((b) => b.file).join(", ")} (update bench/support/ablated.ts)` }
  }
  return {
    load: <M>(pkg: (typeof packages)[number], path: string) =>
      import(pathToFileURL(join(modules, "@mktows", pkg, "dist", `${path}.js`)).href) as Promise<M>,
    what: bypasses.map((b) => b.what),
    close
  }
}

/** The client's public modules a benchmark drives: the workspace's, or the copy's. */
export interface Client {
  readonly MarketoClient: typeof import("@mktows/core/MarketoClient")
  readonly Opportunity: typeof import("@mktows/core/Opportunity")
  readonly NodeMarketo: typeof import("@mktows/node/NodeMarketo")
  readonly RestConfig: typeof import("@mktows/rest/RestConfig")
}

/** The copy's client modules (the same shapes as the workspace's: the same sources). */
export const client = async (ablated: Ablated): Promise<Client> => ({
  MarketoClient: await ablated.load("core", "MarketoClient"),
  Opportunity: await ablated.load("core", "Opportunity"),
  NodeMarketo: await ablated.load("node", "NodeMarketo"),
  RestConfig: await ablated.load("rest", "RestConfig")
})

/** The name of the contender with its guarantees switched off. */
export const contenderName = "mktows, no guarantees"

/**
 * `--ablate` (and `--ablate-turns`) on this process's command line: the copy to measure beside
 * the client, made, or undefined when not asked for.
 */
export const fromFlags = (): Ablated | { readonly problem: string } | undefined =>
  process.argv.includes("--ablate") || process.argv.includes("--ablate-turns")
    ? make(process.argv.includes("--ablate-turns") ? [...guarantees, ...turns] : guarantees)
    : undefined

/** What `ablated` switched off, for a benchmark of `transport` (the other's lines left out). */
export const describe = (ablated: Ablated, transport: "SOAP" | "REST"): string =>
  ablated.what.filter((what) => !what.startsWith(transport === "SOAP" ? "REST:" : "SOAP:")).join("; ")
