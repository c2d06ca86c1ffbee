/**
 * Bytes to text, chunk by chunk, refusing invalid UTF-8 with the line it is on.
 *
 * A multi-byte character split across two chunks is carried over to the next one, so the
 * result does not depend on where the file system cut the stream. A leading byte-order
 * mark is dropped.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** The file is not what it claims to be: invalid UTF-8, a quote out of place, bad JSON. */
// Defined in the public CliError module: commands end with it.
import { InputError } from "../CliError.js"

export { InputError }

const LF = 0x0a

/** Where the last, possibly incomplete, UTF-8 sequence of `bytes` starts (bytes.length when complete). */
const completeUpTo = (bytes: Uint8Array): number => {
  const n = bytes.length
  for (let back = 1; back <= 3 && back <= n; back++) {
    const byte = bytes[n - back] ?? 0
    if ((byte & 0xc0) === 0x80) continue // a continuation byte: look further back
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return need > back ? n - back : n
  }
  return n
}

/** The offset of the first byte that is not part of valid UTF-8 (only called once decoding failed). */
const firstInvalid = (bytes: Uint8Array): number => {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i] ?? 0
    const need = b < 0x80
      ? 0
      : b >= 0xc2 && b <= 0xdf
      ? 1
      : b >= 0xe0 && b <= 0xef
      ? 2
      : b >= 0xf0 && b <= 0xf4
      ? 3
      : -1
    if (need < 0) return i
    if (i + need >= bytes.length && need > 0) return i
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k] ?? 0
      const lo = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80
      const hi = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf
      if (c < lo || c > hi) return i
    }
    i += need + 1
  }
  return bytes.length
}

const countLines = (bytes: Uint8Array, end: number): number => {
  let lines = 0
  for (let i = 0; i < end; i++) if (bytes[i] === LF) lines++
  return lines
}

/** Decodes a byte stream as UTF-8 text chunks; fails with the line of the first invalid byte. */
export const decodeUtf8 = (file: string) => <E, R>(bytes: Stream.Stream<Uint8Array, E, R>) =>
  Stream.suspend(() => {
    // The first chunk drops a byte-order mark; later chunks keep U+FEFF as the character it is.
    const first = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })
    const later = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
    let carry: Uint8Array = new Uint8Array(0)
    let linesBefore = 0
    let started = false
    const decode = (buffer: Uint8Array): Effect.Effect<string, InputError> =>
      Effect.suspend(() => {
        let text: string
        try {
          text = (started ? later : first).decode(buffer)
        } catch {
          const at = firstInvalid(buffer)
          return Effect.fail(
            new InputError({
              file,
              line: linesBefore + countLines(buffer, at) + 1,
              detail: `not UTF-8 text: byte 0x${
                (buffer[at] ?? 0).toString(16).padStart(2, "0")
              } is not part of a UTF-8 character (save the file as UTF-8)`
            })
          )
        }
        // The BOM can only be at the very start: an empty first chunk does not settle it.
        if (buffer.length > 0) started = true
        linesBefore += countLines(buffer, buffer.length)
        return Effect.succeed(text)
      })
    return bytes.pipe(
      Stream.mapEffect((chunk) => {
        // Cut at a character boundary; the incomplete tail waits for the next chunk.
        const buffer = carry.length === 0 ? chunk : concat(carry, chunk)
        const cut = completeUpTo(buffer)
        carry = buffer.slice(cut)
        return decode(buffer.subarray(0, cut))
      }),
      Stream.concat(Stream.suspend(() =>
        carry.length === 0
          ? Stream.empty
          : Stream.fail(
            new InputError({ file, line: linesBefore + 1, detail: "not UTF-8 text: the file ends inside a character" })
          )
      )),
      Stream.filter((text) => text.length > 0)
    )
  })

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
