/**
 * @since 0.1.0
 */
export * as FetchMarketo from "./FetchMarketo.js"
export * as SoapCodec from "./SoapCodec.js"
export * as SoapTransport from "./SoapTransport.js"
export * as Wsdl from "./Wsdl.js"
