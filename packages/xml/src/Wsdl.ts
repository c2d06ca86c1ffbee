/**
 * The WSDL of mktows: Marketo's whole 2_2 contract, its 23 operations, their messages, the
 * `AuthenticationHeader` and `MktowsContextHeader` SOAP headers and its 142 types, of which
 * mktows speaks the MObject operations: `syncMObjects`, `getMObjects`, `describeMObject`,
 * `deleteMObjects` and `listMObjects`.
 *
 * SOAP 1.1, document/literal, target namespace `http://www.marketo.com/mktows/`, with the
 * same type, element, message, port, binding and service names as Marketo's own WSDL, so a
 * client generated from it (PHP's SoapClient, zeep, node-soap, wsimport) talks to Marketo and
 * to the emulator alike. Every input carries the signed `AuthenticationHeader` as a SOAP
 * header part named `authentication`; `syncLead`'s also carries `MktowsContextHeader` as
 * `mktowsContext`. The header type also declares `partnerId`, the optional field Marketo
 * documents for LaunchPoint partners but left out of its 2_2 WSDL.
 *
 * @since 0.1.0
 */
import type { Operation } from "@mktows/core/Wire"
import * as internal from "./internal/wsdl.js"

/**
 * An operation of Marketo's 2_2 contract, the MObject ones and the others (`getLead`,
 * `syncLead`, `requestCampaign`, …).
 *
 * @since 0.1.0
 * @category models
 */
export type ContractOperation =
  | Operation
  | "getCampaignsForSource"
  | "getImportToListStatus"
  | "getLead"
  | "getLeadActivity"
  | "getLeadChanges"
  | "getMultipleLeads"
  | "importToList"
  | "listOperation"
  | "requestCampaign"
  | "scheduleCampaign"
  | "syncLead"
  | "syncMultipleLeads"
  | "syncCustomObjects"
  | "deleteCustomObjects"
  | "getCustomObjects"
  | "mergeLeads"
  | "getChannels"
  | "getTags"

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
export const soapAction: (operation: ContractOperation) => string = internal.soapAction

/**
 * The operations mktows speaks (the MObject operations), in its order.
 *
 * @since 0.1.0
 * @category binding
 */
export const operations: ReadonlyArray<Operation> = internal.operationNames

/**
 * Every operation the WSDL declares: the MObject operations, then the others in Marketo's
 * order.
 *
 * @since 0.1.0
 * @category binding
 */
export const contractOperations: ReadonlyArray<ContractOperation> = internal.contractOperationNames

/**
 * The operation whose request is the body element `{namespace}localName` (in this
 * document/literal binding, `paramsGetLead` for `getLead`), or `undefined` when no operation
 * of the contract takes it.
 *
 * @since 0.1.0
 * @category binding
 */
export const operationOfRequest: (
  element: { readonly namespace: string; readonly localName: string }
) => ContractOperation | undefined = internal.operationOfRequest
