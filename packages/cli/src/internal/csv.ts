/**
 * A streaming CSV reader (RFC 4180): quoted fields with doubled quotes, commas and line
 * breaks inside quotes, CRLF or LF line ends, empty lines skipped. Each record carries the
 * line it starts on, so every later message can point into the file.
 *
 * State lives in the closure of one run, so memory is one record plus one text chunk.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { InputError } from "./text.js"

/** One record of the file: the line it starts on and its fields. */
export interface Record {
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

const QUOTE = 34
const COMMA = 44
const CR = 13
const LF = 10

const tooLarge = (what: string, maxChars: number) =>
  `${what} is longer than ${
    maxChars >= 1024 * 1024 ? `${maxChars / (1024 * 1024)} MiB` : `${maxChars} characters`
  }, the most one record may hold: is the file what it should be (a missing closing quote makes the rest of a file one field)?`

/** Splits text chunks into records; a record longer than `maxChars` is refused rather than buffered. */
export const records = (file: string, maxChars = Infinity) => <E, R>(text: Stream.Stream<string, E, R>) =>
  Stream.suspend(() => {
    let size = 0 // characters of the record being read
    let line = 1 // the physical line being read
    let recordLine = 1
    let fields: Array<string> = []
    let field = ""
    let quoted = false // inside a quoted field
    let afterQuote = false // just read a quote inside a quoted field: closing, or the first of a pair
    let afterCR = false // just ended a record on CR: a following LF belongs to it
    let fieldStarted = false // the record has any character, so it is not an empty line

    const fail = (detail: string, at = line) => Effect.fail(new InputError({ file, line: at, detail }))

    const push = (chunk: string): Effect.Effect<ReadonlyArray<Record>, InputError> => {
      const out: Array<Record> = []
      let start = 0 // where the pending run of plain characters of `field` starts
      const flush = (end: number) => {
        if (end > start) field += chunk.slice(start, end)
      }
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i)
        if (++size > maxChars) {
          return fail(tooLarge(`the record that starts on line ${recordLine}`, maxChars), recordLine)
        }
        if (afterCR) {
          afterCR = false
          if (c === LF) {
            start = i + 1
            continue
          }
        }
        if (quoted) {
          if (afterQuote) {
            afterQuote = false
            if (c === QUOTE) {
              // A doubled quote: one quote of text. The first was not copied.
              field += "\""
              start = i + 1
              continue
            }
            quoted = false
            // fall through: the character after a closing quote must end the field
          } else {
            if (c === QUOTE) {
              flush(i)
              afterQuote = true
              start = i + 1
            } else if (c === LF) {
              line++
            }
            continue
          }
          if (c !== COMMA && c !== LF && c !== CR) {
            return fail(`a closing quote must be followed by a comma or a line end, not '${chunk[i]}'`)
          }
        }
        if (c === COMMA) {
          flush(i)
          fields.push(field)
          field = ""
          fieldStarted = true
          start = i + 1
        } else if (c === LF || c === CR) {
          flush(i)
          if (fieldStarted || field.length > 0 || fields.length > 0) {
            fields.push(field)
            out.push({ line: recordLine, fields })
          }
          fields = []
          field = ""
          fieldStarted = false
          size = 0
          line++
          recordLine = line
          afterCR = c === CR
          start = i + 1
        } else if (c === QUOTE) {
          if (field.length > 0 || i > start) {
            return fail("a quote inside an unquoted field: quote the whole field and double the quote (\"\")")
          }
          quoted = true
          fieldStarted = true
          start = i + 1
        }
      }
      flush(chunk.length)
      return Effect.succeed(out)
    }

    const end = (): Effect.Effect<ReadonlyArray<Record>, InputError> => {
      if (quoted && !afterQuote) return fail("the file ends inside a quoted field opened here", recordLine)
      if (fieldStarted || field.length > 0 || fields.length > 0) {
        fields.push(field)
        return Effect.succeed([{ line: recordLine, fields }])
      }
      return Effect.succeed([])
    }

    return text.pipe(
      Stream.mapEffect(push),
      Stream.concat(Stream.fromEffect(Effect.suspend(end))),
      Stream.flattenIterables
    )
  })

/**
 * Splits text chunks into non-empty lines (LF or CRLF), each with its line number (for
 * NDJSON). A line longer than `maxChars` is refused as soon as it is, never held whole.
 */
export const lines = <E, R>(text: Stream.Stream<string, E, R>, file = "", maxChars = Infinity) =>
  Stream.suspend(() => {
    let line = 0
    let pending: Array<string> = []
    let pendingSize = 0
    const emit = (content: string, out: Array<{ readonly line: number; readonly content: string }>) => {
      line++
      const clean = content.endsWith("\r") ? content.slice(0, -1) : content
      if (clean.trim().length > 0) out.push({ line, content: clean })
    }
    const push = (chunk: string): Effect.Effect<ReadonlyArray<{ line: number; content: string }>, InputError> => {
      const out: Array<{ line: number; content: string }> = []
      let start = 0
      for (let at = chunk.indexOf("\n"); at >= 0; at = chunk.indexOf("\n", start)) {
        if (pendingSize + at - start > maxChars) break
        const piece = chunk.slice(start, at)
        emit(pending.length === 0 ? piece : pending.join("") + piece, out)
        pending = []
        pendingSize = 0
        start = at + 1
      }
      const rest = chunk.length - start
      if (chunk.indexOf("\n", start) >= 0 || pendingSize + rest > maxChars) {
        return Effect.fail(new InputError({ file, line: line + 1, detail: tooLarge(`line ${line + 1}`, maxChars) }))
      }
      if (rest > 0) {
        pending.push(chunk.slice(start))
        pendingSize += rest
      }
      return Effect.succeed(out)
    }
    return text.pipe(
      Stream.mapEffect(push),
      Stream.concat(Stream.suspend(() => {
        const out: Array<{ line: number; content: string }> = []
        if (pendingSize > 0) emit(pending.join(""), out)
        return Stream.make(out)
      })),
      Stream.flattenIterables
    )
  })
