/**
 * @since 0.1.0
 */
export * as SoapCodec from "./SoapCodec.js"
