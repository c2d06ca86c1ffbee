/**
 * Checks JSON values against a definition of Adobe's Swagger 2.0 files, where the shared
 * reference is present: `$ref`, `type`, `required`, `enum`, `items` and `properties`, the
 * parts of Swagger those definitions use. Answers the list of differences, empty when the
 * value fits.
 */
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const dir = new URL("../../../../../shared/reference/marketo/rest/", import.meta.url)

export type SwaggerFile = "swagger-identity.json" | "swagger-mapi.json" | "swagger-asset.json"

/** Whether the reference files are here (they are not on a clone without ../shared). */
export const available: boolean = existsSync(fileURLToPath(new URL("swagger-mapi.json", dir)))

interface Node {
  readonly $ref?: string
  readonly type?: string
  readonly required?: ReadonlyArray<string>
  readonly enum?: ReadonlyArray<unknown>
  readonly items?: Node
  readonly properties?: Readonly<Record<string, Node>>
}

const cache = new Map<SwaggerFile, { readonly definitions: Readonly<Record<string, Node>> }>()

const load = (file: SwaggerFile) => {
  const found = cache.get(file)
  if (found !== undefined) return found
  const parsed = JSON.parse(readFileSync(fileURLToPath(new URL(file, dir)), "utf8")) as {
    readonly definitions: Readonly<Record<string, Node>>
  }
  cache.set(file, parsed)
  return parsed
}

const typeOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value

const check = (file: SwaggerFile, node: Node, value: unknown, path: string, out: Array<string>): void => {
  if (node.$ref !== undefined) {
    const name = node.$ref.replace("#/definitions/", "")
    const def = load(file).definitions[name]
    if (def === undefined) return void out.push(`${path}: unknown definition ${name}`)
    return check(file, def, value, path, out)
  }
  const actual = typeOf(value)
  if (node.type !== undefined) {
    const ok = node.type === actual || (node.type === "number" && actual === "integer") ||
      (node.type === "object" && actual === "object")
    if (!ok) return void out.push(`${path}: expected ${node.type}, got ${actual}`)
  }
  if (node.enum !== undefined && !node.enum.includes(value)) out.push(`${path}: ${String(value)} not in enum`)
  if (actual === "array" && node.items !== undefined) {
    ;(value as ReadonlyArray<unknown>).forEach((item, i) => check(file, node.items!, item, `${path}[${i}]`, out))
  }
  if (actual === "object") {
    const record = value as Readonly<Record<string, unknown>>
    for (const name of node.required ?? []) if (!(name in record)) out.push(`${path}.${name}: required`)
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      if (name in record) check(file, child, record[name], `${path}.${name}`, out)
    }
  }
}

/** The differences between `value` and the definition `name` of `file`. */
export const differences = (file: SwaggerFile, name: string, value: unknown): ReadonlyArray<string> => {
  const out: Array<string> = []
  check(file, { $ref: `#/definitions/${name}` }, value, name, out)
  return out
}
