// The tree the codec builds from fast-xml-parser's reports (internal/document.ts) against the
// tree fast-xml-parser builds itself from the same document, with the same options.
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { type Attributes, type Content, parseDocument, textKey, treeParserFor } from "../src/internal/document.js"
import { defaultMaxDepth } from "../src/internal/scan.js"

/** A node as both trees can say it: an element with its attributes and content, or text. */
type Plain =
  | { readonly element: string; readonly attributes: Record<string, unknown>; readonly content: ReadonlyArray<Plain> }
  | { readonly text: string }

const plainAttributes = (attributes: Attributes | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(attributes ?? {}))

/** The codec's tree: each element's children by `first`, then each one's `next`. */
const fromChain = (content: Content): ReadonlyArray<Plain> => {
  const out: Array<Plain> = []
  for (let node = content; node !== undefined; node = node.next) {
    out.push(
      node.text !== undefined
        ? { text: node.text }
        : { element: node.name, attributes: plainAttributes(node.attributes), content: fromChain(node.first) }
    )
  }
  return out
}

/** fast-xml-parser's own ordered tree: `{ [name]: children, ":@": attributes }` or `{ "#text": text }`. */
const fromOrdered = (nodes: ReadonlyArray<Record<string, unknown>>): ReadonlyArray<Plain> =>
  nodes.map((node): Plain => {
    const name = Object.keys(node).find((key) => key !== ":@") ?? ""
    if (name === textKey) return { text: String(node[name]) }
    return {
      element: name,
      attributes: plainAttributes(node[":@"] as Attributes | undefined),
      content: fromOrdered(node[name] as ReadonlyArray<Record<string, unknown>>)
    }
  })

// Documents of every shape the reports can take: text before, between and after child elements,
// empty and self-closing elements, siblings after a deeper subtree, attributes (a namespace
// declaration among them), references left as written, comments and processing instructions.
interface Shape {
  readonly name: string
  readonly attributes: ReadonlyArray<readonly [string, string]>
  readonly selfClosing: boolean
  readonly content: ReadonlyArray<Shape | string>
}

const name = FastCheck.constantFrom("a", "b", "item", "x-y", "p:q", "z.1")
const text = FastCheck.array(
  FastCheck.constantFrom(
    "t",
    "Zürich",
    " ",
    "\n",
    "\t",
    "&amp;",
    "&#60;",
    "&lt;b&gt;",
    "1.5",
    "<!-- c -->",
    "<?pi x?>"
  ),
  { minLength: 1, maxLength: 4 }
).map((parts) => parts.join(""))
const attributes = FastCheck.uniqueArray(
  FastCheck.tuple(FastCheck.constantFrom("id", "k", "xsi:nil", "p:r"), FastCheck.constantFrom("1", "true", "a b", "")),
  { selector: ([key]) => key, maxLength: 3 }
)

const shape: FastCheck.Arbitrary<Shape> = FastCheck.letrec<{ shape: Shape }>((tie) => ({
  shape: FastCheck.record({
    name,
    attributes,
    selfClosing: FastCheck.boolean(),
    content: FastCheck.array(FastCheck.oneof({ depthSize: "small" }, text, tie("shape")), { maxLength: 4 })
  })
})).shape

const write = (s: Shape): string => {
  const attrs = s.attributes.map(([key, value]) => ` ${key}="${value}"`).join("")
  if (s.selfClosing && s.content.length === 0) return `<${s.name}${attrs}/>`
  return `<${s.name}${attrs}>${s.content.map((c) => typeof c === "string" ? c : write(c)).join("")}</${s.name}>`
}

// Every prefix the names use is declared on the root, so every document is namespace-well-formed;
// the root holds text of its own too, around the element.
const document = FastCheck.tuple(shape, FastCheck.option(text), FastCheck.option(text)).map(([root, before, after]) =>
  `<?xml version="1.0"?><root xmlns:p="urn:p" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${before ?? ""}${
    write(root)
  }${after ?? ""}</root>`
)

describe("the parsed tree", () => {
  it.prop("is fast-xml-parser's own tree, node for node", [document], ([xml]) => {
    const parsed = Either.getOrThrowWith(parseDocument(xml), (p) => new Error(`${p.kind}: ${p.detail}`))
    const ours: Plain = {
      element: parsed.name,
      attributes: plainAttributes(parsed.attributes),
      content: fromChain(parsed.content)
    }
    const theirs = fromOrdered(treeParserFor(defaultMaxDepth).parse(xml) as ReadonlyArray<Record<string, unknown>>)
    expect([ours]).toStrictEqual(theirs)
  }, { fastCheck: { numRuns: 300 } })

  it("keeps text before, between and after child elements, in order", () => {
    const parsed = Either.getOrThrowWith(
      parseDocument("<r>x<a><b/></a>y<c/>z</r>"),
      (p) => new Error(p.detail)
    )
    expect(fromChain(parsed.content)).toStrictEqual([
      { text: "x" },
      { element: "a", attributes: {}, content: [{ element: "b", attributes: {}, content: [] }] },
      { text: "y" },
      { element: "c", attributes: {}, content: [] },
      { text: "z" }
    ])
  })
})
