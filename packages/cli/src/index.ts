/**
 * @since 0.1.0
 */
export * as CliError from "./CliError.js"
export * as MktowsCli from "./MktowsCli.js"
