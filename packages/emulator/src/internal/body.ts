/**
 * A request body: read with its size cap, then turned into text in the encoding it
 * declares. An oversize body is drained and dropped (so the connection stays usable for the
 * fault that answers it) and never held in memory. The encoding is the byte order mark's,
 * else the XML declaration's, else the Content-Type charset's, else UTF-8; bytes that are
 * not valid in it, or an encoding the emulator does not read, are refused (20012) rather
 * than replaced, so nothing is stored as U+FFFD.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { isUtf8 } from "node:buffer"
import type { IncomingMessage } from "node:http"
import { type EmulatorFault, fault } from "./fault.js"

/** What reading a body gave. @internal */
export type Body =
  | { readonly _tag: "Bytes"; readonly bytes: Buffer }
  | { readonly _tag: "TooLarge"; readonly size: number }
  | { readonly _tag: "Aborted" }

/**
 * The chunks as one Buffer. A body of one chunk (most calls: a socket read holds up to 64 KiB)
 * is kept as it came: copying a 49 KB body of 100 objects into a fresh Buffer measured 0.36 ms
 * (wall, loaded machine) of a call's ~8 ms, 4-7 % of the server's profile, about what the
 * whole store update of the call costs (the fresh memory's page faults, more than the copy).
 */
const joined = (chunks: ReadonlyArray<Buffer>, size: number): Buffer => {
  const [only] = chunks
  return only !== undefined && chunks.length === 1 ? only : Buffer.concat(chunks, size)
}

/**
 * Reads at most `cap` bytes and drains the rest.
 *
 * @internal
 */
export const readBody = (message: IncomingMessage, cap: number): Effect.Effect<Body> =>
  Effect.async<Body>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > cap) chunks.length = 0
      else chunks.push(chunk)
    }
    const onEnd = () =>
      resume(Effect.succeed(size > cap ? { _tag: "TooLarge", size } : { _tag: "Bytes", bytes: joined(chunks, size) }))
    const onAbort = () => resume(Effect.succeed({ _tag: "Aborted" }))
    message.on("data", onData)
    message.once("end", onEnd)
    message.once("error", onAbort)
    message.once("close", onAbort)
    return Effect.sync(() => {
      message.off("data", onData)
      message.off("end", onEnd)
      message.off("error", onAbort)
      message.off("close", onAbort)
    })
  })

type Reader = (bytes: Buffer) => string | undefined

const strict = (label: string): Reader => (bytes) => {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    return undefined
  }
}

// Node's native check, then its native decoder: far cheaper on a large body than a fatal
// TextDecoder, with the same outcome.
const utf8: Reader = (bytes) => isUtf8(bytes) ? bytes.toString("utf8") : undefined

const latin1: Reader = (bytes) => bytes.toString("latin1")

const ascii: Reader = (bytes) => bytes.every((b) => b < 0x80) ? bytes.toString("latin1") : undefined

// Labels as they appear in declarations and headers, lower-cased.
const readers: ReadonlyMap<string, Reader> = new Map<string, Reader>([
  ["utf-8", utf8],
  ["utf8", utf8],
  // ISO-8859-1 proper (every byte is the code point), not the WHATWG alias for windows-1252.
  ["iso-8859-1", latin1],
  ["iso8859-1", latin1],
  ["iso_8859-1", latin1],
  ["latin1", latin1],
  ["l1", latin1],
  ["us-ascii", ascii],
  ["ascii", ascii],
  ["windows-1252", strict("windows-1252")],
  ["cp1252", strict("windows-1252")],
  ["utf-16", strict("utf-16le")],
  ["utf-16le", strict("utf-16le")],
  ["utf-16be", strict("utf-16be")]
])

const declared = /^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/

const charsetOf = (contentType: string | undefined): string | undefined =>
  /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "")?.[1]

/** The encoding a body is in, and the bytes to decode (without a byte order mark). */
const encodingOf = (bytes: Buffer, contentType: string | undefined): { label: string; bytes: Buffer } => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { label: "utf-8", bytes: bytes.subarray(3) }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { label: "utf-16le", bytes: bytes.subarray(2) }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { label: "utf-16be", bytes: bytes.subarray(2) }
  const fromDeclaration = declared.exec(bytes.subarray(0, 256).toString("latin1"))?.[1]
  return { label: (fromDeclaration ?? charsetOf(contentType) ?? "utf-8").toLowerCase(), bytes }
}

/**
 * The text of a body, or 20012 saying which encoding it is not valid in.
 *
 * @internal
 */
export const decodeText = (bytes: Buffer, contentType: string | undefined): Either.Either<string, EmulatorFault> => {
  const { bytes: content, label } = encodingOf(bytes, contentType)
  const reader = readers.get(label)
  if (reader === undefined) {
    return Either.left(fault(20012, `Unexpected SOAP message: the encoding '${label}' is not supported`))
  }
  const text = reader(content)
  return text === undefined
    ? Either.left(fault(20012, `Unexpected SOAP message: the body is not valid ${label.toUpperCase()}`))
    : Either.right(text)
}
