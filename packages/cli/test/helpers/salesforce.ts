/**
 * A seeded generator of Salesforce-shaped Opportunity exports, as a CRM hands them over: a
 * BOM, CRLF, Salesforce's headers, cells with quotes, commas and line breaks, amounts like
 * `$104,000.99`, dates like `1/3/2026`, date-times like `1/3/2025 7:36 PM`, Yes/No/TRUE/1
 * booleans, and for odd seeds no line end after the last record.
 */
import { random } from "./random.js"

/** What a generated record should read back as. */
export interface Expected {
  readonly id: string
  readonly name: string
  readonly account: string
  readonly stage: string
  readonly amount: number
  readonly probability: number
  readonly closeDate: string
  readonly created: string
  readonly isWon: boolean
}

export const salesforceHeaders = [
  "Opportunity ID",
  "Opportunity Name",
  "Account ID",
  "Account Name",
  "Stage",
  "Amount",
  "Probability (%)",
  "Close Date",
  "Created Date",
  "Won"
]

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll("\"", "\"\"")}"` : cell)

/**
 * A Salesforce-shaped Opportunity export of `rows` records, seeded: a BOM, CRLF, cells with
 * quotes, commas and line breaks, and — for some seeds — no line end after the last record.
 */
export const salesforceExport = (seed: number, rows: number) => {
  const next = random(seed)
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)] as A
  const names = ["Big deal", "Renewal, 2026", "The \"Acme\" upsell", "Two\r\nlines", "Ünïcode ✓", "Plain"]
  const expected: Array<Expected> = []
  const lines = [salesforceHeaders.map(quote).join(",")]
  for (let i = 0; i < rows; i++) {
    const cents = Math.floor(next() * 100_000_000)
    const probability = pick([0, 10, 25, 50, 75, 90, 100])
    const close = new Date(
      Date.UTC(2020 + Math.floor(next() * 8), Math.floor(next() * 12), 1 + Math.floor(next() * 28))
    )
    const created = new Date(close.getTime() - Math.floor(next() * 400) * 86_400_000)
    const hour = Math.floor(next() * 24)
    const minute = Math.floor(next() * 60)
    const won = next() < 0.5
    const e: Expected = {
      id: `006${String(i).padStart(12, "0")}AAA`,
      name: `${pick(names)} ${i}`,
      account: `001${String(i % 97).padStart(12, "0")}BBB`,
      stage: pick(["Prospecting", "Closed Won", "Negotiation/Review"]),
      amount: cents / 100,
      probability,
      closeDate: close.toISOString().slice(0, 10),
      created: created.toISOString().slice(0, 10),
      isWon: won
    }
    expected.push(e)
    const mdyDate = (d: Date) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`
    const clock = `${hour % 12 === 0 ? 12 : hour % 12}:${String(minute).padStart(2, "0")} ${hour < 12 ? "AM" : "PM"}`
    lines.push(
      [
        e.id,
        e.name,
        e.account,
        pick(["Acme, Inc.", "Globex", "\"Initech\""]),
        e.stage,
        `$${e.amount.toLocaleString("en-US", { minimumFractionDigits: 2 })}`,
        next() < 0.5 ? `${probability}%` : String(probability),
        mdyDate(close),
        `${mdyDate(created)} ${clock}`,
        won ? pick(["Yes", "TRUE", "1"]) : pick(["No", "FALSE", "0"])
      ].map(quote).join(",")
    )
  }
  const trailing = seed % 2 === 0 ? "\r\n" : ""
  return { text: `\uFEFF${lines.join("\r\n")}${trailing}`, expected }
}
