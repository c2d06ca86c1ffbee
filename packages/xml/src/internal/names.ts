/**
 * Namespace URIs and element names of the SOAP 1.1 envelope and of mktows.
 *
 * @internal
 */

/** The mktows target namespace: only global elements live in it. */
export const namespace = "http://www.marketo.com/mktows/" as const
/** SOAP 1.1 envelope. */
export const soapEnvelope = "http://schemas.xmlsoap.org/soap/envelope/"
/** SOAP 1.2 envelope, recognised only to say that it is not supported. */
export const soap12Envelope = "http://www.w3.org/2003/05/soap-envelope"
/** XML Schema instance (xsi:nil). */
export const xsi = "http://www.w3.org/2001/XMLSchema-instance"

const capitalise = (op: string): string => op.charAt(0).toUpperCase() + op.slice(1)

/** `paramsSyncMObjects` for `syncMObjects`. */
export const paramsElement = (operation: string): string => `params${capitalise(operation)}`
/** `successSyncMObjects` for `syncMObjects`. */
export const successElement = (operation: string): string => `success${capitalise(operation)}`
