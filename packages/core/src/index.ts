/**
 * @since 0.1.0
 */
export * as FaultCode from "./FaultCode.js"
export * as HttpEdge from "./HttpEdge.js"
export * as Limits from "./Limits.js"
export * as MarketoClient from "./MarketoClient.js"
export * as MarketoConfig from "./MarketoConfig.js"
export * as MarketoError from "./MarketoError.js"
export * as MarketoTransport from "./MarketoTransport.js"
export * as MObject from "./MObject.js"
export * as Opportunity from "./Opportunity.js"
export * as OpportunityPersonRole from "./OpportunityPersonRole.js"
export * as Outcome from "./Outcome.js"
export * as Program from "./Program.js"
export * as Signature from "./Signature.js"
export * as Validation from "./Validation.js"
export * as Wire from "./Wire.js"
export * as XmlText from "./XmlText.js"
