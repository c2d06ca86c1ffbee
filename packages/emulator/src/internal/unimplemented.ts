/**
 * The answer to a request the emulator cannot route to one of its operations.
 *
 * Marketo's contract has 23 operations; the emulator serves the five MObject ones. A call
 * of any other operation of the contract (getLead, syncLead, requestCampaign, …) is
 * answered with 20019 "Unsupported Operation", the code Marketo gives for an operation it
 * does not serve, with a detail that says what is true: the operation is in Marketo's WSDL,
 * and this emulator does not implement it. A body element that names no operation of the
 * contract at all gets the same code with Marketo's own reason, that the operation is not
 * defined in the WSDL.
 *
 * Both are answered before authentication, like every request the emulator cannot read.
 */
import type * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Wsdl from "@mktows/xml/Wsdl"
import { type EmulatorFault, fault } from "./fault.js"

const served = `${Wsdl.operations.slice(0, -1).join(", ")} and ${Wsdl.operations[Wsdl.operations.length - 1]}`

/**
 * The fault for a request whose body element the codec does not read (an `UnknownOperation`).
 *
 * @internal
 */
export const unknownOperation = (error: SoapCodec.SoapRequestError): EmulatorFault => {
  const operation = error.element === undefined ? undefined : Wsdl.operationOfRequest(error.element)
  return operation === undefined
    ? fault(20019, `Operation not defined in the Marketo API WSDL: ${error.detail}`)
    : fault(
      20019,
      `${operation} is an operation of the Marketo API WSDL that the mktows emulator does not implement; ` +
        `it implements ${served}`
    )
}
