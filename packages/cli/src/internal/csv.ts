/**
 * A streaming CSV reader (RFC 4180): quoted fields with doubled quotes, delimiters and line
 * breaks inside quotes, CRLF or LF line ends, empty lines skipped. Each record carries the
 * line it starts on, so every later message can point into the file. The delimiter is a
 * comma unless told (`;` as Excel writes CSV where the decimal mark is a comma, or a tab);
 * a file read with the comma no one chose whose header has none, but a semicolon or a tab,
 * is refused rather than read as one column, and so is one read with a chosen semicolon or tab
 * whose header has none of it, but a comma (or the other).
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

/** What separates the fields of a record. */
export type Delimiter = "," | ";" | "\t"

/** The delimiters `--delimiter` takes, as typed (`\t` and `tab` for a tab, which a shell makes hard to type). */
export const delimiters: ReadonlyArray<readonly [string, Delimiter]> = [
  [",", ","],
  [";", ";"],
  ["\t", "\t"],
  ["\\t", "\t"],
  ["tab", "\t"]
]

/** `--delimiter`'s value as a delimiter, or undefined when it is none. */
export const parseDelimiter = (text: string): Delimiter | undefined =>
  delimiters.find(([typed]) => typed === text.toLowerCase())?.[1]

const delimiterNames: { readonly [D in Delimiter]: string } = { ",": "a comma", ";": "a semicolon", "\t": "a tab" }

const QUOTE = 34
const CR = 13
const LF = 10

/** What the first record of a text holds outside quotes, and whether it ends in the text. */
interface HeaderScan {
  readonly complete: boolean
  /** The line it starts on: empty lines before it are skipped, as the parser skips them. */
  readonly line: number
  readonly seen: ReadonlySet<string>
}

const scanHeader = (text: string): HeaderScan => {
  let line = 1
  let i = 0
  for (; i < text.length && (text[i] === "\r" || text[i] === "\n"); i++) {
    if (text[i] === "\n" || text[i + 1] !== "\n") line++
  }
  const seen = new Set<string>()
  let quoted = false
  for (; i < text.length; i++) {
    const c = text[i] ?? ""
    if (c === "\"") quoted = !quoted
    else if (quoted) continue
    else if (c === "\r" || c === "\n") return { complete: true, line, seen }
    else if (c === "," || c === ";" || c === "\t") seen.add(c)
  }
  return { complete: false, line, seen }
}

/**
 * Why a header read with the default comma is another delimiter's, if it is: no comma outside
 * its quotes, but a semicolon or a tab. Read as it is it would be one column named after the
 * whole line (or refused for a quote the comma's rules do not expect).
 */
const otherDelimiter = (header: HeaderScan): string | undefined => {
  if (header.seen.has(",")) return undefined
  const seen = header.seen.has(";") ? ";" : header.seen.has("\t") ? "\t" : undefined
  return seen === undefined ?
    undefined :
    `the header has no comma but ${delimiterNames[seen]} (is the file separated by ${
      seen === ";" ? "semicolons, as Excel writes CSV in much of Europe" : "tabs"
    }?): pass --delimiter ${seen === ";" ? "';'" : "tab"} to read it so (or --delimiter , to read it as one column)`
}

/** How `--delimiter` is written for a delimiter, in a hint. */
const delimiterFlags: { readonly [D in Delimiter]: string } = {
  ",": "--delimiter , (or no --delimiter: a comma is the default)",
  ";": "--delimiter ';'",
  "\t": "--delimiter tab"
}

/**
 * Why a header read with a chosen semicolon or tab is another delimiter's, if it is: none of the
 * chosen delimiter outside its quotes, but a comma (or the other one). Read as it is it would be
 * one column named after the whole line (`externalOpportunityId,name,amount`), and the rows
 * objects keyed by it. A header of one column of neither reads as it is.
 */
const missingDelimiter = (header: HeaderScan, chosen: Delimiter): string | undefined => {
  if (header.seen.has(chosen)) return undefined
  const seen = ([",", ";", "\t"] as const).find((other) => other !== chosen && header.seen.has(other))
  return seen === undefined ?
    undefined :
    `the header has no ${delimiterNames[chosen].replace(/^an? /, "")} (${delimiterFlags[chosen]} was given) but ${
      delimiterNames[seen]
    }: read so, it would be one column named after the whole line. Is the file separated by ${
      seen === "," ? "commas" : seen === ";" ? "semicolons" : "tabs"
    }? Pass ${delimiterFlags[seen]} (or, for a file of one column, quote its header: "…")`
}

const tooLarge = (what: string, maxChars: number) =>
  `${what} is longer than ${
    maxChars >= 1024 * 1024 ? `${maxChars / (1024 * 1024)} MiB` : `${maxChars} characters`
  }, the most one record may hold: is the file what it should be (a missing closing quote makes the rest of a file one field)?`

/**
 * Splits text chunks into records; a record longer than `maxChars` is refused rather than
 * buffered. Without a `delimiter` fields are split at commas, and a first line with no comma
 * but a semicolon or a tab is refused (see {@link otherDelimiter}); with a chosen `;` or tab, a
 * first line with none of it but a comma (or the other) is refused (see {@link missingDelimiter}).
 */
export const records =
  (file: string, maxChars = Infinity, delimiter?: Delimiter) => <E, R>(text: Stream.Stream<string, E, R>) =>
    Stream.suspend(() => {
      const DELIMITER = (delimiter ?? ",").charCodeAt(0)
      const delimiterName = delimiterNames[delimiter ?? ","]
      let size = 0 // characters of the record being read
      let line = 1 // the physical line being read
      let recordLine = 1
      let fields: Array<string> = []
      let field = ""
      let quoted = false // inside a quoted field
      let afterQuote = false // just read a quote inside a quoted field: closing, or the first of a pair
      let afterCR = false // just ended a record on CR: a following LF belongs to it
      let fieldStarted = false // the record has any character, so it is not an empty line
      let column = 0 // the column of the character being read on its physical line (from 1, in characters)
      let openLine = 0 // where the quoted field being read opened: its line and the column of its quote
      let openColumn = 0

      const fail = (detail: string, at = line, col?: number) =>
        Effect.fail(new InputError({ file, line: at, column: col, detail }))

      /** Where the quoted field being read opened, in words. */
      const opened = () => `the quoted field that opens on line ${openLine}, column ${openColumn}`

      // The text up to the end of the first line, held back while the delimiter is still to be
      // checked against it (the default comma, or a chosen semicolon or tab; a comma chosen on
      // purpose reads a header of none as one column): a header of another delimiter can hold
      // quotes that the chosen one's rules would refuse first, with a message about quotes. Empty
      // lines before it are skipped, as the parser skips them.
      let held: string | undefined = delimiter === "," ? undefined : ""

      const release = (header: HeaderScan): Effect.Effect<ReadonlyArray<Record>, InputError> => {
        const text = held ?? ""
        held = undefined
        const other = delimiter === undefined ? otherDelimiter(header) : missingDelimiter(header, delimiter)
        return other === undefined ? push(text) : fail(other, header.line)
      }

      const parse = (chunk: string): Effect.Effect<ReadonlyArray<Record>, InputError> =>
        Effect.suspend(() => {
          if (held === undefined) return push(chunk)
          held += chunk
          // Scanned again as the line grows: a header is short, and a long one is capped by maxChars.
          const header = scanHeader(held)
          return !header.complete && held.length <= maxChars ? Effect.succeed([]) : release(header)
        })

      const push = (chunk: string): Effect.Effect<ReadonlyArray<Record>, InputError> => {
        const out: Array<Record> = []
        let start = 0 // where the pending run of plain characters of `field` starts
        const flush = (end: number) => {
          if (end > start) field += chunk.slice(start, end)
        }
        for (let i = 0; i < chunk.length; i++) {
          const c = chunk.charCodeAt(i)
          if (++size > maxChars) {
            return quoted
              ? fail(
                `${tooLarge(`the record that starts on line ${recordLine}`, maxChars)} Here ${opened()} is still open.`,
                openLine,
                openColumn
              )
              : fail(tooLarge(`the record that starts on line ${recordLine}`, maxChars), recordLine)
          }
          if (afterCR) {
            afterCR = false
            if (c === LF) {
              start = i + 1
              continue
            }
          }
          // The second half of a surrogate pair is the same character as the first.
          if (c < 0xdc00 || c > 0xdfff) column++
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
                column = 0
              }
              continue
            }
            if (c !== DELIMITER && c !== LF && c !== CR) {
              // Where the field opened is where to look: a quote missing there makes a later
              // line's quote look like its closing one.
              const closedAt = line === openLine ? `column ${column - 1}` : `line ${line}, column ${column - 1}`
              return fail(
                `${opened()} closes at ${closedAt}, and a closing quote must be followed by ${delimiterName} or a line end, not '${
                  chunk[i]
                }'${
                  line === openLine
                    ? ": quote the whole field and double each quote inside it (\"\")"
                    : `: is its closing quote missing on line ${openLine}?`
                }`,
                openLine,
                openColumn
              )
            }
          }
          if (c === DELIMITER) {
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
            column = 0
            recordLine = line
            afterCR = c === CR
            start = i + 1
          } else if (c === QUOTE) {
            if (field.length > 0 || i > start) {
              return fail(
                "a quote inside an unquoted field: quote the whole field and double the quote (\"\")",
                line,
                column
              )
            }
            openLine = line
            openColumn = column
            quoted = true
            fieldStarted = true
            start = i + 1
          }
        }
        flush(chunk.length)
        return Effect.succeed(out)
      }

      const end = (): Effect.Effect<ReadonlyArray<Record>, InputError> => {
        if (quoted && !afterQuote) {
          return fail(`the file ends inside ${opened()}: is its closing quote missing?`, openLine, openColumn)
        }
        if (fieldStarted || field.length > 0 || fields.length > 0) {
          fields.push(field)
          return Effect.succeed([{ line: recordLine, fields }])
        }
        return Effect.succeed([])
      }

      return text.pipe(
        Stream.mapEffect(parse),
        Stream.concat(Stream.fromEffect(Effect.suspend(() =>
          held === undefined
            ? end()
            : Effect.zipWith(release(scanHeader(held)), Effect.suspend(end), (a, b) => [...a, ...b])
        ))),
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
