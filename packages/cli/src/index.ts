/**
 * @since 0.1.0
 */
export * as MktowsCli from "./MktowsCli.js"
