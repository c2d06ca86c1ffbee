/**
 * Marketo's hard limits and the wire's numeric bounds, each defined once for every package
 * (client, codecs, transports, emulator).
 *
 * @since 0.1.0
 */

/**
 * The smallest value of the WSDL's `xs:int`.
 *
 * @since 0.1.0
 * @category constants
 */
export const xsIntMin = -2147483648

/**
 * The largest value of the WSDL's `xs:int`, and so the largest Marketo id.
 *
 * @since 0.1.0
 * @category constants
 */
export const xsIntMax = 2147483647

/**
 * The largest message body either side reads: 10 MiB. Larger requests are refused by the
 * emulator (20012), larger responses by the client.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxMessageBytes = 10 * 1024 * 1024

/**
 * Marketo takes at most 100 objects per syncMObjects or deleteMObjects call.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxObjectsPerCall = 100

/**
 * Marketo allows at most 100 calls per instance in any {@link rateWindowSeconds} (fault
 * 20023 beyond).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxCallsPerWindow = 100

/**
 * The window of {@link maxCallsPerWindow}: 20 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const rateWindowSeconds = 20

/**
 * Marketo allows at most 10 calls at once per instance.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxConcurrentCalls = 10
