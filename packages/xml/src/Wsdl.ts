/**
 * The WSDL of mktows for the MObject operations: `syncMObjects`, `getMObjects`,
 * `describeMObject`, `deleteMObjects` and `listMObjects`.
 *
 * SOAP 1.1, document/literal, target namespace `http://www.marketo.com/mktows/`, with the
 * same type, element, message, port, binding and service names as Marketo's own WSDL, so a
 * client generated from it (PHP's SoapClient, zeep, node-soap, wsimport) talks to Marketo and
 * to the emulator alike. Every input carries the signed `AuthenticationHeader` as a SOAP
 * header part named `authentication`.
 *
 * @since 0.1.0
 */
import type { Operation } from "@mktows/core/Wire"
import * as internal from "./internal/wsdl.js"

/**
 * The WSDL document, with `address` as the service's `soap:address` (XML-escaped). The
 * emulator passes the URL it is reached at; Marketo gave every instance its own.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render: (address: string) => string = internal.render

/**
 * The `xs:schema` of the WSDL on its own (with its namespace declarations), for validators.
 *
 * @since 0.1.0
 * @category schemas
 */
export const schema: string = internal.schema

/**
 * The SOAPAction of an operation, e.g. `http://www.marketo.com/mktows/syncMObjects`
 * (unquoted; the HTTP header carries it in double quotes).
 *
 * @since 0.1.0
 * @category binding
 */
export const soapAction: (operation: Operation) => string = internal.soapAction

/**
 * The operations the WSDL declares, in its order.
 *
 * @since 0.1.0
 * @category binding
 */
export const operations: ReadonlyArray<Operation> = internal.operationNames
