/**
 * The SOAP 1.1 wire form of the mktows MObject operations: request, response and fault
 * envelopes, written and read.
 *
 * Writing follows the WSDL exactly: only the global elements (`AuthenticationHeader`,
 * `paramsX`, `successX`, `serviceException`) are in the mktows namespace, their children
 * are unqualified and in sequence order, absent optional elements are omitted, nillable
 * `null`s are `xsi:nil="true"`, booleans are `true`/`false`, and a carriage return is
 * written as `&#13;` so that no parser normalises it away.
 *
 * Reading is hardened and liberal in form, strict in content: a linear scan before parsing
 * bounds the work per body (bytes, nesting depth, nodes by what the operation can carry,
 * attributes per element, text per element; see {@link ParseOptions}) and stops at the
 * first excess; DOCTYPE/ENTITY declarations are refused, only XML's five predefined
 * entities and numeric references are decoded, prefixes are resolved from the document
 * (any prefix, default namespaces included), element order is not enforced, one item and
 * many items read alike, text is kept untrimmed, and the result is checked with the Wire
 * Schemas, so a bad value is a typed error naming its path. Unknown elements are skipped
 * (but counted) in responses, as a newer WSDL revision may add some, and refused in
 * requests, so an emulator tells a client about a misspelt element. The layouts read and
 * written are derived from the Wire Schemas (`@mktows/core/Wire`), the one description of
 * the records.
 *
 * @since 0.1.0
 */
import type { AuthFault, MarketoFault, ProtocolError } from "@mktows/core/MarketoError"
import type * as Wire from "@mktows/core/Wire"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import * as internal from "./internal/codec.js"
import * as names from "./internal/names.js"

/**
 * The mktows target namespace.
 *
 * @since 0.1.0
 * @category constants
 */
export const namespace: "http://www.marketo.com/mktows/" = names.namespace

/**
 * The SOAP 1.1 envelope namespace.
 *
 * @since 0.1.0
 * @category constants
 */
export const soapEnvelopeNamespace: string = names.soapEnvelope

/**
 * Limits applied to every body read.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  /** Largest accepted body, in UTF-8 bytes. Default 10 MiB. */
  readonly maxBytes?: number
  /** Deepest accepted element nesting. Default 64 (this protocol needs about 12). */
  readonly maxDepth?: number
  /**
   * Most nodes: elements, attributes (namespace declarations included), comments, CDATA
   * sections and processing instructions. Default 100,000; a syncMObjects or deleteMObjects
   * response defaults to what 100 statuses need (1,632). Counted while scanning: the first
   * node over the bound ends the read.
   */
  readonly maxNodes?: number
  /** Most attributes on one element, namespace declarations included. Default 32. */
  readonly maxAttributes?: number
  /** Most characters of text in one element, or in one attribute value. Default 1 MiB. */
  readonly maxTextLength?: number
}

/**
 * Options of {@link decodeResponse}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeResponseOptions extends ParseOptions {
  /**
   * For syncMObjects and deleteMObjects: how many objects the request carried. A status
   * list of another length fails with `ProtocolError` reason `CountMismatch`. Without it,
   * the count is left to the caller.
   */
  readonly expectedCount?: number
}

/**
 * The request envelope of `operation`, with the signed header in `soap:Header`.
 * The inputs are taken as valid (Wire records hold only XML-representable strings).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRequest: <Op extends Wire.Operation>(
  operation: Op,
  header: Wire.AuthenticationHeaderInfo,
  params: Wire.ParamsOf<Op>
) => string = internal.encodeRequest

/**
 * Reads the response to `operation`: the result, or the fault it carries (20013/20014 as
 * `AuthFault`, every other code as `MarketoFault`), or a `ProtocolError` with a reason and
 * an excerpt of what was received (not XML, forbidden construct, too large, wrong root or
 * success element, a value the Wire Schema refuses, a count mismatch).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse: <Op extends Wire.Operation>(
  operation: Op,
  body: string,
  options?: DecodeResponseOptions
) => Effect.Effect<Wire.ResultOf<Op>, ProtocolError | MarketoFault | AuthFault> = internal.decodeResponse

/**
 * The success envelope of `operation` (what the emulator answers).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeResponse: <Op extends Wire.Operation>(operation: Op, result: Wire.ResultOf<Op>) => string =
  internal.encodeResponse

/**
 * A request read by {@link decodeRequest}, discriminated by `operation`.
 *
 * @since 0.1.0
 * @category models
 */
export type DecodedRequest = {
  readonly [Op in Wire.Operation]: {
    readonly operation: Op
    /** The AuthenticationHeader, when the request has one. */
    readonly header: Option.Option<Wire.AuthenticationHeaderInfo>
    readonly params: Wire.ParamsOf<Op>
  }
}[Wire.Operation]

/**
 * Why a request cannot be served: `Malformed`, `Forbidden`, `TooLarge`, `NotSoap`,
 * `UnknownOperation`, `MissingParameter` or `BadValue`.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestReason =
  | "Malformed"
  | "Forbidden"
  | "TooLarge"
  | "NotSoap"
  | "UnknownOperation"
  | "MissingParameter"
  | "BadValue"

/**
 * Why a request body cannot be served. An emulator maps the reasons to Marketo codes:
 * Malformed, Forbidden, TooLarge and NotSoap to 20012, UnknownOperation to 20019,
 * MissingParameter to 20109 (or 20017), BadValue to 20110. A body over any bound of
 * {@link ParseOptions} (bytes, depth, elements, attributes, text) is reported as TooLarge.
 *
 * @since 0.1.0
 * @category errors
 */
export class SoapRequestError extends Data.TaggedError("SoapRequestError")<{
  readonly reason: RequestReason
  readonly detail: string
  /** Where in the request, e.g. `paramsSyncMObjects.mObjectList[0].id`. */
  readonly path?: string
  /**
   * For `UnknownOperation`: the body element, so that a server can tell an operation of the
   * contract it does not serve (see `Wsdl.operationOfRequest`) from one that does not exist.
   */
  readonly element?: { readonly namespace: string; readonly localName: string }
}> {
  override get message(): string {
    return `Bad SOAP request (${this.reason}): ${this.detail}`
  }
}

/**
 * Reads a request envelope: the operation from the body element (`paramsX`), the
 * AuthenticationHeader if present, and the params checked with the Wire Schema.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRequest = (body: string, options?: ParseOptions): Effect.Effect<DecodedRequest, SoapRequestError> =>
  Either.mapLeft(internal.decodeRequest(body, options), (p) => new SoapRequestError(p))

/**
 * What {@link encodeFault} writes.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultInput {
  /** Marketo's numeric code, e.g. 20014. */
  readonly code: number
  /** The short text of the code: `faultstring` is "CODE - text". */
  readonly text: string
  /** The longer text of the detail; the detail message is "message (CODE)". Defaults to `text`. */
  readonly message?: string
  /** `Client` (the default, as Marketo answers) or `Server`. */
  readonly faultCode?: "Client" | "Server"
}

/**
 * A fault envelope in Marketo's shape: `faultcode` Client/Server, `faultstring`
 * "CODE - text", and `detail/serviceException` (namespaced, unqualified children
 * `name`=mktServiceException, `message`="message (CODE)", `code`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeFault: (fault: FaultInput) => string = internal.encodeFault

/**
 * Reads a SOAP fault envelope into its typed fault: 20013/20014 as `AuthFault`, every
 * other code as `MarketoFault` (with the serviceException message as `detail`). A fault
 * without Marketo's detail takes its code from a "CODE - text" faultstring, and is code 0
 * when there is none. A body that is not a SOAP fault fails with `ProtocolError`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeFault: (
  body: string,
  options?: ParseOptions & { readonly operation?: string }
) => Effect.Effect<AuthFault | MarketoFault, ProtocolError> = internal.decodeFault
