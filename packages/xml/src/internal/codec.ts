/**
 * SOAP 1.1 envelopes of the mktows MObject operations: writing and reading.
 *
 * @internal
 */
import * as HttpEdge from "@mktows/core/HttpEdge"
import { maxObjectsPerCall } from "@mktows/core/Limits"
import * as MarketoError from "@mktows/core/MarketoError"
import type { MObject } from "@mktows/core/MObject"
import * as Wire from "@mktows/core/Wire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { DecodedRequest as Decoded, FaultInput, RequestReason } from "../SoapCodec.js"
import { decoder } from "./decoder.js"
import { childElements, type Element, is, isXmlProblem, type Limits, parseDocument, textOf } from "./document.js"
import * as Layout from "./layout.js"
import { mObjectXml } from "./modelXml.js"
import { namespace, paramsElement, soap12Envelope, soapEnvelope, successElement, xsi } from "./names.js"
import { readFields, type ReadRecord } from "./reader.js"
import { defaultMaxNodes, type XmlProblem } from "./scan.js"

// The prefixes we write: the ones Marketo's own server used. Readers resolve prefixes from
// the document, so any others work as well.
const env = "SOAP-ENV"
const mkt = "ns1"
const envelopeOpen = `<?xml version="1.0" encoding="UTF-8"?>\n<${env}:Envelope xmlns:${env}="${soapEnvelope}" ` +
  `xmlns:${mkt}="${namespace}" xmlns:xsi="${xsi}">`
const envelopeClose = `</${env}:Envelope>`

const operationNames: ReadonlyArray<Wire.Operation> = Wire.Operation.literals

// The Schema decoders, made once per operation.
const decodeParams = Object.fromEntries(
  operationNames.map((op) => [op, decoder(Wire.operations[op].params as Schema.Schema.AnyNoContext)])
) as unknown as {
  readonly [Op in Wire.Operation]: (u: unknown) => Either.Either<Wire.ParamsOf<Op>, ParseResult.ParseError>
}
const decodeResult = Object.fromEntries(
  operationNames.map((op) => [op, decoder(Wire.operations[op].result as Schema.Schema.AnyNoContext)])
) as unknown as {
  readonly [Op in Wire.Operation]: (u: unknown) => Either.Either<Wire.ResultOf<Op>, ParseResult.ParseError>
}
const decodeHeader = decoder(Wire.AuthenticationHeaderInfo)

/**
 * Whether the reader's record is the Schema's answer already: the reader vouches for it
 * (every value checked as it was read, see `reader.ts`) and the layout it read is the one
 * derived from that very Schema. Otherwise the Schema decodes the record, and decides.
 */
const vouchedFor = (read: ReadRecord, layout: Layout.Struct, schema: Schema.Schema.Any): boolean =>
  read.vouched && layout.ast === schema.ast

// ---------------------------------------------------------------------------------------
// Writing

const writeHeader = Layout.writeStruct(Layout.AuthenticationHeader)

const envelope = (operation: Wire.Operation, header: Wire.AuthenticationHeaderInfo, params: string): string => {
  const element = `${mkt}:${paramsElement(operation)}`
  return envelopeOpen + `<${env}:Header><${mkt}:AuthenticationHeader>` + writeHeader(header) +
    `</${mkt}:AuthenticationHeader></${env}:Header><${env}:Body><${element}>` + params +
    `</${element}></${env}:Body>` + envelopeClose
}

/** A whole request envelope. */
export const encodeRequest = <Op extends Wire.Operation>(
  operation: Op,
  header: Wire.AuthenticationHeaderInfo,
  params: Wire.ParamsOf<Op>
): string => envelope(operation, header, Layout.writeStruct(Layout.layouts[operation].params)(params))

/**
 * A syncMObjects request envelope written from the models: the bytes `encodeRequest` writes
 * for `{ mObjectList: objects.map(MObject.toWire), operation }`, with no wire record made.
 */
export const encodeSyncModels = (
  header: Wire.AuthenticationHeaderInfo,
  operation: Wire.SyncOperation,
  objects: ReadonlyArray<MObject>
): string => {
  let list = ""
  for (let i = 0; i < objects.length; i++) list += mObjectXml(objects[i] as MObject)
  return envelope("syncMObjects", header, `<mObjectList>${list}</mObjectList><operation>${operation}</operation>`)
}

/** A whole success envelope. */
export const encodeResponse = <Op extends Wire.Operation>(operation: Op, result: Wire.ResultOf<Op>): string => {
  const element = `${mkt}:${successElement(operation)}`
  return envelopeOpen + `<${env}:Body><${element}><result>` +
    Layout.writeStruct(Layout.layouts[operation].result)(result) + `</result></${element}></${env}:Body>` +
    envelopeClose
}

/** Marketo's fault shape. */
export const encodeFault = (fault: FaultInput): string => {
  const text = Layout.escapeText
  const message = fault.message ?? fault.text
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${env}:Envelope xmlns:${env}="${soapEnvelope}">` +
    `<${env}:Body><${env}:Fault><faultcode>${env}:${fault.faultCode ?? "Client"}</faultcode>` +
    `<faultstring>${text(`${fault.code} - ${fault.text}`)}</faultstring>` +
    `<detail><${mkt}:serviceException xmlns:${mkt}="${namespace}"><name>mktServiceException</name>` +
    `<message>${text(`${message} (${fault.code})`)}</message><code>${fault.code}</code>` +
    `</${mkt}:serviceException></detail></${env}:Fault></${env}:Body>${envelopeClose}`
}

// ---------------------------------------------------------------------------------------
// Reading: shared envelope handling

/** A body that is not the SOAP envelope expected, before any operation is considered. */
export interface EnvelopeProblem {
  readonly kind: XmlProblem["kind"] | "NotSoap"
  readonly detail: string
}

/** The parts of an envelope. */
export interface Envelope {
  readonly header: Option.Option<Element>
  /** The single element child of Body, if any. */
  readonly content: Option.Option<Element>
}

/** The text directly in an element (decoded), or "" when it cannot be read. */
const textIn = (element: Element): string => {
  const text = textOf(element.content)
  return isXmlProblem(text) ? "" : text.text
}

const onlyElement = (parent: Element): Either.Either<Option.Option<Element>, EnvelopeProblem> => {
  if (textIn(parent).trim() !== "") {
    return Either.left({ kind: "NotSoap", detail: `text in <${parent.name}>` })
  }
  const children = childElements(parent)
  if (Either.isLeft(children)) return Either.left(children.left)
  if (children.right.length > 1) {
    const names = children.right.slice(0, 5).map((c) => `<${c.name}>`).join(", ")
    return Either.left({ kind: "NotSoap", detail: `<${parent.name}> holds more than one element: ${names}` })
  }
  return Either.right(Option.fromNullable(children.right[0]))
}

/** Parses and takes apart a SOAP 1.1 envelope. */
export const readEnvelope = (body: string, limits: Limits): Either.Either<Envelope, EnvelopeProblem> => {
  const parsed = parseDocument(body, limits)
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  const root = parsed.right
  if (is(root, soap12Envelope, "Envelope")) {
    return Either.left({ kind: "NotSoap", detail: "a SOAP 1.2 envelope; this service speaks SOAP 1.1" })
  }
  if (!is(root, soapEnvelope, "Envelope")) {
    return Either.left({
      kind: "NotSoap",
      detail: `the root element is <${root.name}> in namespace "${root.ns}", not a SOAP 1.1 Envelope`
    })
  }
  let header: Option.Option<Element> = Option.none()
  let bodyElement: Element | undefined
  const children = childElements(root)
  if (Either.isLeft(children)) return Either.left(children.left)
  for (const child of children.right) {
    if (is(child, soapEnvelope, "Header") && Option.isNone(header) && bodyElement === undefined) {
      header = Option.some(child)
    } else if (is(child, soapEnvelope, "Body") && bodyElement === undefined) {
      bodyElement = child
    } else {
      return Either.left({ kind: "NotSoap", detail: `unexpected <${child.name}> in the Envelope` })
    }
  }
  if (bodyElement === undefined) return Either.left({ kind: "NotSoap", detail: "the Envelope has no Body" })
  const content = onlyElement(bodyElement)
  if (Either.isLeft(content)) return Either.left(content.left)
  return Either.right({ header, content: content.right })
}

const pathString = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((p, i) => typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`).join("")

interface SchemaIssue {
  readonly missing: boolean
  readonly path: string
  readonly message: string
}

const firstIssue = (error: ParseResult.ParseError): SchemaIssue => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const first = issues[0]
  return first === undefined
    ? { missing: false, path: "", message: error.message }
    : { missing: first._tag === "Missing", path: pathString(first.path), message: first.message }
}

// ---------------------------------------------------------------------------------------
// Reading responses

/** Options of {@link decodeResponse}. */
export interface ResponseOptions extends Limits {
  readonly expectedCount?: number | undefined
}

// The nodes a response may hold, by what its operation can carry, so that a hostile
// answer is refused by the scan at its first excess node instead of being parsed. A
// status is at most seven elements (room is left for a newer revision's additions, which
// are skipped but still counted) and a call carries at most 100 objects; the other answers
// carry pages of objects, field lists or type names, bounded by the default.
const statusListElements = 32 + 16 * maxObjectsPerCall
const responseNodes: { readonly [Op in Wire.Operation]: number } = {
  syncMObjects: statusListElements,
  deleteMObjects: statusListElements,
  getMObjects: defaultMaxNodes,
  describeMObject: defaultMaxNodes,
  listMObjects: defaultMaxNodes
}

// What an error quotes of a body: the one bound every transport's quotes keep.
const excerpt = (body: string): string => HttpEdge.excerpt(body.charCodeAt(0) === 0xFEFF ? body.slice(1) : body)

const protocolError = (reason: MarketoError.ProtocolError["reason"], detail: string, body: string) =>
  new MarketoError.ProtocolError({ reason, detail, received: excerpt(body) })

// A body that is XML but not a SOAP 1.1 envelope is "NotXml" to a caller: not the document
// the protocol exchanges.
const fromEnvelopeProblem = (p: EnvelopeProblem, body: string) =>
  protocolError(p.kind === "NotSoap" ? "NotXml" : p.kind, p.detail, body)

const childrenOf = (parent: Element | undefined): ReadonlyArray<Element> => {
  if (parent === undefined) return []
  const children = childElements(parent)
  return Either.isLeft(children) ? [] : children.right
}

const childText = (parent: Element, local: string): string | undefined => {
  const child = childrenOf(parent).find((c) =>
    c.local === local && (c.ns === "" || c.ns === parent.ns || c.ns === namespace)
  )
  return child === undefined ? undefined : textIn(child)
}

const faultPattern = /^\s*(\d+)\s*-\s*/

/** Turns a SOAP Fault element into Marketo's typed faults. */
const readFault = (
  fault: Element,
  operation: string | undefined,
  body: string
): Either.Either<MarketoError.AuthFault | MarketoError.MarketoFault, MarketoError.ProtocolError> => {
  const faultString = childText(fault, "faultstring")
  if (faultString === undefined) {
    return Either.left(protocolError("WrongElement", "a SOAP Fault without faultstring", body))
  }
  const detail = childrenOf(fault).find((c) => c.local === "detail")
  const service = childrenOf(detail).find((c) => c.local === "serviceException")
  const codeText = service === undefined ? undefined : childText(service, "code")?.trim()
  const message = service === undefined ? undefined : childText(service, "message")
  // Without Marketo's detail, the code is read from "CODE - text"; failing that it is 0.
  const code = codeText !== undefined && /^\d+$/.test(codeText)
    ? Number(codeText)
    : Number(faultPattern.exec(faultString)?.[1] ?? "0")
  return Either.right(MarketoError.fromFault({ code, faultString, detail: message, operation }))
}

/** Reads a fault envelope into its typed fault; anything else is a ProtocolError. */
export const decodeFault = (
  body: string,
  options: Limits & { readonly operation?: string | undefined } = {}
): Effect.Effect<MarketoError.AuthFault | MarketoError.MarketoFault, MarketoError.ProtocolError> => {
  const envelope = readEnvelope(body, options)
  if (Either.isLeft(envelope)) return Effect.fail(fromEnvelopeProblem(envelope.left, body))
  const content = envelope.right.content
  if (Option.isNone(content) || !is(content.value, soapEnvelope, "Fault")) {
    return Effect.fail(protocolError("WrongElement", "not a SOAP Fault", body))
  }
  return readFault(content.value, options.operation, body)
}

/** Reads a response envelope of `operation`. */
export const decodeResponse = <Op extends Wire.Operation>(
  operation: Op,
  body: string,
  options: ResponseOptions = {}
): Effect.Effect<
  Wire.ResultOf<Op>,
  MarketoError.ProtocolError | MarketoError.MarketoFault | MarketoError.AuthFault
> => {
  const envelope = readEnvelope(body, { ...options, maxNodes: options.maxNodes ?? responseNodes[operation] })
  if (Either.isLeft(envelope)) return Effect.fail(fromEnvelopeProblem(envelope.left, body))
  const content = envelope.right.content
  if (Option.isNone(content)) return Effect.fail(protocolError("WrongElement", "the Body is empty", body))
  const element = content.value
  if (is(element, soapEnvelope, "Fault")) {
    const fault = readFault(element, operation, body)
    return Either.isLeft(fault) ? Effect.fail(fault.left) : Effect.fail(fault.right)
  }
  const expected = successElement(operation)
  if (!is(element, namespace, expected)) {
    return Effect.fail(
      protocolError(
        "WrongElement",
        `expected <${expected}> in ${namespace}, found <${element.name}> in "${element.ns}"`,
        body
      )
    )
  }
  const results = childrenOf(element).filter((c) => c.local === "result" && (c.ns === "" || c.ns === namespace))
  const result = results[0]
  if (result === undefined || results.length > 1) {
    return Effect.fail(protocolError("WrongElement", `<${expected}> must hold exactly one <result>`, body))
  }
  const layout = Layout.layouts[operation].result
  const raw = readFields(result, layout, false)
  if (Either.isLeft(raw)) {
    const where = raw.left.path.length === 0 ? "" : ` at ${pathString(raw.left.path)}`
    return Effect.fail(protocolError(raw.left.kind, `${raw.left.detail}${where}`, body))
  }
  const decoded = vouchedFor(raw.right, layout, Wire.operations[operation].result)
    ? Either.right(raw.right.value as Wire.ResultOf<Op>)
    : (decodeResult[operation] as (u: unknown) => Either.Either<Wire.ResultOf<Op>, ParseResult.ParseError>)(
      raw.right.value
    )
  if (Either.isLeft(decoded)) {
    const issue = firstIssue(decoded.left)
    return Effect.fail(
      protocolError(
        issue.missing ? "WrongElement" : "SchemaMismatch",
        `${expected}/result.${issue.path}: ${issue.message}`,
        body
      )
    )
  }
  const value = decoded.right
  if (options.expectedCount !== undefined) {
    const statuses = (value as { readonly mObjStatusList?: ReadonlyArray<unknown> }).mObjStatusList
    if (statuses !== undefined && statuses.length !== options.expectedCount) {
      return Effect.fail(
        protocolError(
          "CountMismatch",
          `${options.expectedCount} object(s) sent, ${statuses.length} status(es) received`,
          body
        )
      )
    }
  }
  return Effect.succeed(value)
}

// ---------------------------------------------------------------------------------------
// Reading requests

/** What a failed request read reports. */
export interface RequestProblem {
  readonly reason: RequestReason
  readonly detail: string
  readonly path?: string
  /** UnknownOperation: the body element that names no operation the codec reads. */
  readonly element?: { readonly namespace: string; readonly localName: string }
}

const fromSchemaError = (error: ParseResult.ParseError, root: string): RequestProblem => {
  const issue = firstIssue(error)
  const path = issue.path === "" ? root : `${root}.${issue.path}`
  return { reason: issue.missing ? "MissingParameter" : "BadValue", detail: `${path}: ${issue.message}`, path }
}

const readHeader = (
  header: Option.Option<Element>
): Either.Either<Option.Option<Wire.AuthenticationHeaderInfo>, RequestProblem> => {
  if (Option.isNone(header)) return Either.right(Option.none())
  const auth = childrenOf(header.value).filter((c) => is(c, namespace, "AuthenticationHeader"))
  const first = auth[0]
  if (first === undefined) return Either.right(Option.none())
  if (auth.length > 1) {
    return Either.left({
      reason: "BadValue",
      detail: "more than one AuthenticationHeader",
      path: "AuthenticationHeader"
    })
  }
  // Not strict: Marketo documents an optional partnerId that its WSDLs do not declare, and
  // other fields a client adds are no reason to refuse a call (its signature still decides).
  const raw = readFields(first, Layout.AuthenticationHeader, false)
  if (Either.isLeft(raw)) {
    const path = ["AuthenticationHeader", ...raw.left.path].join(".")
    return Either.left({ reason: "BadValue", detail: `${raw.left.detail} at ${path}`, path })
  }
  const decoded = vouchedFor(raw.right, Layout.AuthenticationHeader, Wire.AuthenticationHeaderInfo)
    ? Either.right(raw.right.value as Wire.AuthenticationHeaderInfo)
    : decodeHeader(raw.right.value)
  return Either.isLeft(decoded)
    ? Either.left(fromSchemaError(decoded.left, "AuthenticationHeader"))
    : Either.right(Option.some(decoded.right))
}

/** Reads a request envelope: operation from the body element, header, validated params. */
export const decodeRequest = (body: string, limits: Limits = {}): Either.Either<Decoded, RequestProblem> => {
  const envelope = readEnvelope(body, limits)
  if (Either.isLeft(envelope)) {
    const kind = envelope.left.kind
    const reason: RequestReason = kind === "NotXml" ? "Malformed" : kind
    return Either.left({ reason, detail: envelope.left.detail })
  }
  const content = envelope.right.content
  if (Option.isNone(content)) return Either.left({ reason: "NotSoap", detail: "the Body is empty" })
  const element = content.value
  const operation = element.ns === namespace
    ? operationNames.find((op) => paramsElement(op) === element.local)
    : undefined
  if (operation === undefined) {
    return Either.left({
      reason: "UnknownOperation",
      detail: `<${element.name}> in namespace "${element.ns}" is not a request of this service`,
      element: { namespace: element.ns, localName: element.local }
    })
  }
  const header = readHeader(envelope.right.header)
  if (Either.isLeft(header)) return Either.left(header.left)
  const layout = Layout.layouts[operation].params
  const raw = readFields(element, layout, true)
  if (Either.isLeft(raw)) {
    const path = pathString([element.local, ...raw.left.path])
    const kind = raw.left.kind
    const reason: RequestReason = kind === "TooLarge" || kind === "Forbidden"
      ? kind
      : kind === "NotXml"
      ? "Malformed"
      : "BadValue"
    return Either.left({ reason, detail: `${raw.left.detail} at ${path}`, path })
  }
  const decoded = vouchedFor(raw.right, layout, Wire.operations[operation].params)
    ? Either.right(raw.right.value as Wire.ParamsOf<Wire.Operation>)
    : (decodeParams[operation] as (u: unknown) => Either.Either<Wire.ParamsOf<Wire.Operation>, ParseResult.ParseError>)(
      raw.right.value
    )
  if (Either.isLeft(decoded)) return Either.left(fromSchemaError(decoded.left, element.local))
  return Either.right({ operation, header: header.right, params: decoded.right } as Decoded)
}
