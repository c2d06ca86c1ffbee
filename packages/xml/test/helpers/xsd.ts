/**
 * XSD validation for tests: libxml2's validator (xmllint-wasm, no native binary needed) run
 * on the elements a SOAP envelope carries, against the schema of our WSDL.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { XMLParser } from "fast-xml-parser"
import { validateXML } from "xmllint-wasm"
import * as Wsdl from "../../src/Wsdl.js"

export interface Verdict {
  readonly valid: boolean
  readonly errors: ReadonlyArray<string>
}

/**
 * Validates every document against the schema in a single xmllint run (one run costs tens
 * of milliseconds, so property tests batch their samples). One verdict per document, in order.
 */
export const validateAll = (
  documents: ReadonlyArray<string>,
  schema: string = Wsdl.schema
): Effect.Effect<ReadonlyArray<Verdict>> =>
  documents.length === 0 ? Effect.succeed([]) : Effect.promise(() =>
    validateXML({
      xml: documents.map((contents, i) => ({ fileName: `doc-${i}.xml`, contents })),
      schema: [{ fileName: "mktows.xsd", contents: schema }],
      // Large property batches need more than the 32 MiB default.
      maxMemoryPages: 4096
    })
  ).pipe(
    Effect.map((result) => {
      // xmllint says "<file> validates" for each good document; anything else is a failure,
      // including documents it could not even parse.
      const validated = new Set(
        result.rawOutput.split("\n").flatMap((line) => {
          const match = /^(doc-\d+\.xml) validates$/.exec(line.trim())
          return match === null ? [] : [match[1]]
        })
      )
      return documents.map((_, i) => {
        const fileName = `doc-${i}.xml`
        return {
          valid: validated.has(fileName),
          errors: result.errors.filter((e) => e.loc?.fileName === fileName).map((e) => e.message)
        }
      })
    })
  )

/** An element taken out of an envelope, standalone, with the namespaces it relies on declared on it. */
export interface Extracted {
  readonly xml: string
  readonly namespace: string | undefined
  readonly localName: string
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false
})

type Node = Record<string, unknown>

const localNameOf = (qname: string): string => qname.slice(qname.indexOf(":") + 1)
const prefixOf = (qname: string): string | undefined =>
  qname.includes(":") ? qname.slice(0, qname.indexOf(":")) : undefined

const tagOf = (node: Node): string | undefined => Object.keys(node).find((k) => k !== ":@" && !k.startsWith("#"))
const attributesOf = (node: Node): Record<string, string> => (node[":@"] ?? {}) as Record<string, string>
const elementChildren = (node: Node, tag: string): ReadonlyArray<Node> =>
  (node[tag] as ReadonlyArray<Node>).filter((child) => {
    const t = tagOf(child)
    return t !== undefined && !t.startsWith("?")
  })

const namespaceDeclarations = (attributes: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(attributes).filter(([name]) => name === "xmlns" || name.startsWith("xmlns:")))

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;")

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * The single element inside the envelope's `Header` or `Body`, cut out of the original text
 * (so its content is byte for byte what was sent) with the envelope's namespace declarations
 * copied onto it. The parser finds the names; the text is sliced, not re-serialized.
 */
export const extractChild = (envelope: string, container: "Header" | "Body"): Either.Either<Extracted, string> => {
  const parsed = Either.try({
    try: () => parser.parse(envelope) as ReadonlyArray<Node>,
    catch: (error) => `not XML (${String(error)}): ${envelope.slice(0, 200)}`
  })
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  const roots = parsed.right.filter((n) => {
    const t = tagOf(n)
    return t !== undefined && !t.startsWith("?")
  })
  const root = roots[0]
  const rootTag = root === undefined ? undefined : tagOf(root)
  if (root === undefined || rootTag === undefined || localNameOf(rootTag) !== "Envelope") {
    return Either.left(`not a SOAP envelope: ${envelope.slice(0, 200)}`)
  }
  const holder = elementChildren(root, rootTag).find((n) => localNameOf(tagOf(n) ?? "") === container)
  const holderTag = holder === undefined ? undefined : tagOf(holder)
  if (holder === undefined || holderTag === undefined) {
    return Either.left(`no ${container} in: ${envelope.slice(0, 200)}`)
  }
  const children = elementChildren(holder, holderTag)
  const child = children[0]
  const childTag = child === undefined ? undefined : tagOf(child)
  if (children.length !== 1 || child === undefined || childTag === undefined) {
    return Either.left(`expected exactly one element in ${container}, found ${children.length}`)
  }
  const inherited = {
    ...namespaceDeclarations(attributesOf(root)),
    ...namespaceDeclarations(attributesOf(holder))
  }
  const own = namespaceDeclarations(attributesOf(child))
  const inScope = { ...inherited, ...own }
  const prefix = prefixOf(childTag)
  const namespace = inScope[prefix === undefined ? "xmlns" : `xmlns:${prefix}`]

  const open = new RegExp(`<${escapeRegExp(holderTag)}(?=[\\s/>])`).exec(envelope)
  const close = envelope.lastIndexOf(`</${holderTag}`)
  const openEnd = open === null ? -1 : envelope.indexOf(">", open.index)
  if (open === null || openEnd < 0 || close < openEnd) return Either.left(`cannot locate ${holderTag} in the text`)
  const inner = envelope.slice(openEnd + 1, close).trim()
  if (!inner.startsWith(`<${childTag}`)) return Either.left(`${holderTag} does not start with <${childTag}`)
  const declarations = Object.entries(inherited)
    .filter(([name]) => !(name in own))
    .map(([name, uri]) => ` ${name}="${escapeAttribute(uri)}"`)
    .join("")
  const xml = `<${childTag}${declarations}${inner.slice(childTag.length + 1)}`
  return Either.right({ xml, namespace, localName: localNameOf(childTag) })
}
