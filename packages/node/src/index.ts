/**
 * @since 0.1.0
 */
export * as NodeMarketo from "./NodeMarketo.js"
