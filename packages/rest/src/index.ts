/**
 * @since 0.1.0
 */
export * as RestConfig from "./RestConfig.js"
export * as RestIdentity from "./RestIdentity.js"
export * as RestMapping from "./RestMapping.js"
export * as RestTransport from "./RestTransport.js"
export * as RestWire from "./RestWire.js"
