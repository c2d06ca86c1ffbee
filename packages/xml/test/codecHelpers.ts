// Shared helpers of the codec tests: fixtures and a structural view of parsed XML.
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { readFileSync } from "node:fs"
import { childElements, type Element, isXmlProblem, parseDocument, textOf } from "../src/internal/document.js"

/** The text of a fixture in test/fixtures. */
export const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")

/** An element as {namespace URI, local name, children or text}: prefixes and formatting gone. */
export interface Canonical {
  readonly ns: string
  readonly local: string
  readonly children?: ReadonlyArray<Canonical>
  readonly text?: string
}

/** A parsed element as a plain tree: resolved names, child elements, own text (decoded). */
export interface XmlElement {
  readonly ns: string
  readonly local: string
  readonly name: string
  readonly children: ReadonlyArray<XmlElement>
  readonly text: string
}

const tree = (element: Element): XmlElement => {
  const text = textOf(element.content)
  return {
    ns: element.ns,
    local: element.local,
    name: element.name,
    children: Either.getOrThrowWith(childElements(element), (p) => new Error(p.detail)).map(tree),
    text: isXmlProblem(text) ? `(${text.detail})` : text.text
  }
}

export const canonical = (element: XmlElement): Canonical =>
  element.children.length === 0
    ? { ns: element.ns, local: element.local, text: element.text }
    : { ns: element.ns, local: element.local, children: element.children.map(canonical) }

/** The root element of a document that must parse. */
export const root = (xml: string): XmlElement =>
  tree(Either.getOrThrowWith(parseDocument(xml), (p) => new Error(`the document does not parse: ${p.detail}`)))

/** The element reached by following local names from `from`. */
export const find = (from: XmlElement, ...locals: ReadonlyArray<string>): XmlElement =>
  locals.reduce(
    (at, local) =>
      Option.getOrThrowWith(
        Option.fromNullable(at.children.find((c) => c.local === local)),
        () => new Error(`no <${local}> in <${at.name}>`)
      ),
    from
  )
