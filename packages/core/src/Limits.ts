/**
 * Marketo's hard limits and the wire's numeric bounds, each defined once for every package
 * (client, codecs, transports, emulator).
 *
 * @since 0.1.0
 */

import * as FiberRef from "effect/FiberRef"

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

/**
 * The most characters of server text (a message, a reason, a body excerpt) that an error or
 * an outcome carries: a server's text is quoted, never trusted to be short. Longer text is
 * cut, and the quote says how long it was.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxQuotedChars = 1024

/**
 * The longest stream position (SOAP `newStreamPosition`, REST `nextPageToken`) a read
 * follows. Marketo's are tens of characters; one that keeps growing ends the read.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxStreamPositionChars = 4096

/**
 * How many pages in a row a read follows that hold no object yet say there is more.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxEmptyPagesInRow = 32

/**
 * The most pages one read follows (over any transport) before it ends with a
 * `ProtocolError` `TooLarge`: a position that changes on every page is never followed
 * forever. 100,000 pages are 10 million objects over SOAP; set it per read with
 * `Effect.locally(Limits.maxPagesPerRead, n)`.
 *
 * @since 0.1.0
 * @category references
 */
export const maxPagesPerRead: FiberRef.FiberRef<number> = FiberRef.unsafeMake(100_000)
