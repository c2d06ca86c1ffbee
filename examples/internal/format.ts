/**
 * Small text helpers so the examples print results a person can read.
 *
 * @since 0.1.0
 */
import type { Outcome } from "@mktows/core/Outcome"

/**
 * `CREATED, Marketo id 66` or `FAILED: <Marketo's error text>`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const outcome = <A>(result: Outcome<A>): string =>
  [
    result.status,
    result.id !== undefined && result.id !== 0 ? `, Marketo id ${result.id}` : "",
    result.error !== undefined ? `: ${result.error}` : ""
  ].join("")

/**
 * A number with thousands separators: `20,000`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const count = (n: number): string => n.toLocaleString("en-US")

/**
 * Milliseconds as seconds with one decimal: `21.4 s`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const seconds = (millis: number): string => `${(millis / 1000).toFixed(1)} s`

/**
 * A plain-text table: a header, a rule, one line per row, columns padded to their widest cell.
 *
 * @since 0.1.0
 * @category formatting
 */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd()
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n")
}

/**
 * Shortens long text (a stream position can be kilobytes) for display.
 *
 * @since 0.1.0
 * @category formatting
 */
export const abbreviate = (text: string, max = 48): string => text.length <= max ? text : `${text.slice(0, max - 1)}…`
