/**
 * One CSV cell as mktows writes it (reports, `get --out`): quoted when it holds a quote, a
 * comma or a line break, and escaped against formula injection (OWASP's "CSV Injection"): a
 * cell that starts with `=`, `+`, `-`, `@`, a TAB or a CR would be run as a formula by a
 * spreadsheet, so it gets a leading `'` (and quotes), which spreadsheets show as text. A
 * plain number (`-5`, `+1.5e3`) is no formula and is written as it is. `mktows sync` reads
 * such a cell back without the `'`, so an export syncs back unchanged.
 */

const formula = /^[=+\-@\t\r]/
const plainNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** Whether a cell would be taken for a formula. */
export const isFormula = (text: string): boolean => formula.test(text) && !plainNumber.test(text)

/**
 * Whether a text gets the `'`: a formula, or a formula behind leading `'`s. Without the second
 * case a text such as `'=x` would be written as it is and read back as `=x` (its `'` taken for
 * the escape): an export synced back would change it.
 */
const escaped = (text: string): boolean => {
  let quotes = 0
  while (text.charCodeAt(quotes) === 39) quotes++
  return isFormula(quotes === 0 ? text : text.slice(quotes))
}

/** The cell as written to a CSV file. */
export const encode = (text: string): string => {
  const safe = escaped(text) ? `'${text}` : text
  return safe !== text || /[",\r\n]/.test(safe) ? `"${safe.replaceAll("\"", "\"\"")}"` : safe
}

/** A cell as read back: the `'` of {@link encode}'s escape removed. */
export const decode = (text: string): string => text.startsWith("'") && escaped(text.slice(1)) ? text.slice(1) : text
