/**
 * A CRM export as it comes: Salesforce's headers, a BOM, CRLF, quotes, commas and line
 * breaks in cells, amounts like `$104,000.99`, dates like `1/3/2026` and date-times like
 * `1/3/2025 7:36 PM`, Yes/No booleans, and sometimes no line end after the last record.
 * A seeded generator writes such files; the mapping `mktows map` proposes reads every
 * record back to exactly the values written, numbered as the user counts them.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import type { Opportunity } from "@mktows/core/Opportunity"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Columns from "../src/internal/columns.js"
import * as Csv from "../src/internal/csv.js"
import * as CsvCell from "../src/internal/csvCell.js"
import * as Job from "../src/internal/job.js"
import * as Mapping from "../src/internal/mapping.js"
import * as Rows from "../src/internal/rows.js"
import * as Sync from "../src/internal/sync.js"
import * as Values from "../src/internal/values.js"
import { scratch } from "./helpers/mktows.js"
import { type Expected, salesforceExport } from "./helpers/salesforce.js"

const mdy = { dateFormat: "MDY", timeZone: "UTC" } as const

describe("values as spreadsheets write them", () => {
  it("numbers with currency symbols, thousands separators and a trailing %", () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["104000.99", 104000.99],
      ["$104,000.99", 104000.99],
      ["-$1,200", -1200],
      ["($1,200.50)", -1200.5],
      ["€ 12", 12],
      ["12 €", 12],
      ["USD 1,000", 1000],
      ["45%", 45],
      [" 7 ", 7],
      ["1e3", 1000]
    ]
    for (const [cell, value] of cases) expect(Values.number(cell)).toEqual(Either.right(value))
    for (const cell of ["$1,25O.00", "1,5", "12,34,567", "abc", "$", "1.2.3"]) {
      expect(Values.number(cell)).toEqual(Either.left(`'${cell}' is not a number`))
    }
  })

  it.prop("any amount written with $ and thousands separators reads back", [
    fc.integer({ min: -10_000_000_000, max: 10_000_000_000 })
  ], ([cents]) => {
    const written = `${cents < 0 ? "-" : ""}$${
      (Math.abs(cents) / 100).toLocaleString("en-US", { minimumFractionDigits: 2 })
    }`
    expect(Values.number(written)).toEqual(Either.right(cents / 100))
  })

  it("booleans as Yes/No, True/False, 1/0", () => {
    for (const cell of ["Yes", "TRUE", "true", "1", "y"]) expect(Values.boolean(cell)).toEqual(Either.right(true))
    for (const cell of ["No", "FALSE", "false", "0", "n"]) expect(Values.boolean(cell)).toEqual(Either.right(false))
    expect(Either.isLeft(Values.boolean("maybe"))).toBe(true)
  })

  it("dates and date-times in the order given, AM/PM included; offsets land in --time-zone", () => {
    const ymd = Values.defaults
    expect(Values.date("1/3/2026", mdy)).toEqual(Either.right("2026-01-03"))
    expect(Values.date("1/3/2026", { ...mdy, dateFormat: "DMY" })).toEqual(Either.right("2026-03-01"))
    expect(Values.date("2026-12-31", mdy)).toEqual(Either.right("2026-12-31"))
    expect(Values.date("1/3/2025 7:36 PM", mdy)).toEqual(Either.right("2025-01-03"))
    expect(Values.date("12/31/2025 11:59 pm", mdy)).toEqual(Either.right("2025-12-31"))
    expect(Values.date("2026-01-03T02:00:00Z", { ...ymd, timeZone: "America/New_York" })).toEqual(
      Either.right("2026-01-02")
    )
    expect(Values.date("2026-01-03T02:00:00Z", ymd)).toEqual(Either.right("2026-01-03"))
    expect(Values.date("31/12/2026", mdy)).toEqual(Either.left("'31/12/2026' is not a date in MDY order"))
    // In the order given but no day of the calendar: the day or month is what is wrong, not the order.
    expect(Values.date("2/30/2026", mdy)).toEqual(
      Either.left("'2/30/2026' is not a date: February 2026 has 28 days, no day 30 (read in MDY order)")
    )
    expect(Values.date("2026-02-30", ymd)).toEqual(
      Either.left("'2026-02-30' is not a date: February 2026 has 28 days, no day 30 (read in YMD order)")
    )
    expect(Values.date("2025-02-29", ymd)).toEqual(
      Either.left("'2025-02-29' is not a date: February 2025 has 28 days, no day 29 (read in YMD order)")
    )
    expect(Values.date("2024-02-29", ymd)).toEqual(Either.right("2024-02-29"))
    expect(Values.dateTime("2026-13-01T00:00:00", ymd)).toEqual(
      Either.left("'2026-13-01T00:00:00' is not a date: there is no month 13 (read in YMD order)")
    )
    // A four-digit year first is read year, month, day whatever the option: the message says so.
    expect(Values.date("2026-13-01", mdy)).toEqual(
      Either.left("'2026-13-01' is not a date: there is no month 13 (read in YMD order)")
    )
    expect(Values.date("30/02/2026", { ...mdy, dateFormat: "DMY" })).toEqual(
      Either.left("'30/02/2026' is not a date: February 2026 has 28 days, no day 30 (read in DMY order)")
    )
    expect(Values.date("2026-04-00", ymd)).toEqual(
      Either.left("'2026-04-00' is not a date: there is no day 0 (read in YMD order)")
    )
    expect(Either.isLeft(Values.date("1/3/2025 13:36 PM", mdy))).toBe(true)
    expect(Either.isLeft(Values.date("1/3/26", mdy))).toBe(true)
  })

  it("date-times for a datetime field: an offset is that instant; none, or a date alone, is the wall time in --time-zone", () => {
    const ymd = Values.defaults
    const newYork = { ...ymd, timeZone: "America/New_York" }
    expect(Values.dateTime("2015-05-07T20:47:30-08:00", newYork)).toEqual(Either.right("2015-05-08T04:47:30.000Z"))
    expect(Values.dateTime("2015-05-08T04:47:30Z", ymd)).toEqual(Either.right("2015-05-08T04:47:30.000Z"))
    expect(Values.dateTime("1/3/2025 7:36 PM", mdy)).toEqual(Either.right("2025-01-03T19:36:00.000Z"))
    // Eastern time: five hours behind UTC in January, four in July.
    expect(Values.dateTime("1/3/2025 7:36 PM", { ...newYork, dateFormat: "MDY" }))
      .toEqual(Either.right("2025-01-04T00:36:00.000Z"))
    expect(Values.dateTime("2025-07-03 19:36", newYork)).toEqual(Either.right("2025-07-03T23:36:00.000Z"))
    expect(Values.dateTime("2025-07-03", newYork)).toEqual(Either.right("2025-07-03T04:00:00.000Z"))
    expect(Values.dateTime("2025-07-03", ymd)).toEqual(Either.right("2025-07-03T00:00:00.000Z"))
    expect(Values.dateTime("31/12/2026 10:00", mdy)).toEqual(
      Either.left("'31/12/2026 10:00' is not a date in MDY order")
    )
    expect(Either.isLeft(Values.dateTime("2025-07-03 25:00", ymd))).toBe(true)
    expect(Values.dateTime("2015-05-08T04:47:30+23:99", ymd))
      .toEqual(Either.left("'2015-05-08T04:47:30+23:99': +23:99 is not an offset from UTC"))
    expect(Either.isLeft(Values.date("2015-05-08T04:47:30+99:00", ymd))).toBe(true)
    expect(Values.dateTime("2015-05-08T10:32:30+05:45", ymd)).toEqual(Either.right("2015-05-08T04:47:30.000Z"))
    // Years 1 to 99 are not 1900 to 1999.
    expect(Values.dateTime("0050-06-01T10:00:00", newYork)).toEqual(
      Either.right(new Date(Date.parse("0050-06-01T10:00:00Z") + (4 * 3600 + 56 * 60) * 1000).toISOString())
    )
    // Around a clock change, as JavaScript reads local times: a time that happens twice is the
    // earlier instant; one the change skips is read with the offset before it.
    expect(Values.dateTime("2025-11-02 01:30", newYork)).toEqual(Either.right("2025-11-02T05:30:00.000Z"))
    expect(Values.dateTime("2025-03-09 02:30", newYork)).toEqual(Either.right("2025-03-09T07:30:00.000Z"))
    expect(Values.dateTime("2025-10-26 02:30", { ...ymd, timeZone: "Europe/Berlin" }))
      .toEqual(Either.right("2025-10-26T00:30:00.000Z"))
    expect(Values.dateTime("2025-03-30 02:30", { ...ymd, timeZone: "Europe/Berlin" }))
      .toEqual(Either.right("2025-03-30T01:30:00.000Z"))
  })

  it.prop("any day written in any order reads back", [
    fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2999-12-31T00:00:00Z"), noInvalidDate: true }),
    fc.constantFrom<Values.DateFormat>("YMD", "MDY", "DMY")
  ], ([when, order]) => {
    const [y, m, d] = [when.getUTCFullYear(), when.getUTCMonth() + 1, when.getUTCDate()]
    const written = order === "YMD" ? `${y}-${m}-${d}` : order === "MDY" ? `${m}/${d}/${y}` : `${d}.${m}.${y}`
    const iso = when.toISOString().slice(0, 10)
    expect(Values.date(written, { dateFormat: order, timeZone: "UTC" })).toEqual(Either.right(iso))
  })
})

describe("CSV cells written against formula injection", () => {
  it.prop(
    "a formula never starts a cell; reading the cell back gives the text",
    [fc.oneof(
      fc.string({ maxLength: 12 }),
      // Quotes before a formula character, which the escape itself starts with.
      fc.tuple(fc.stringMatching(/^'{0,3}$/), fc.constantFrom("=", "+", "-", "@", "\t", "\r", "5"), fc.string())
        .map((parts) => parts.join(""))
    )],
    ([text]) => {
      const clean = text.replace(/[\uD800-\uDFFF]/g, "x")
      const cell = CsvCell.encode(clean)
      const unquoted = cell.startsWith("\"") ? cell.slice(1, -1).replaceAll("\"\"", "\"") : cell
      expect(CsvCell.isFormula(unquoted)).toBe(false)
      expect(CsvCell.decode(unquoted)).toBe(clean)
    }
  )

  it("escapes =, +, -, @, TAB and CR, not plain numbers", () => {
    expect(CsvCell.encode("=HYPERLINK(\"x\")")).toBe("\"'=HYPERLINK(\"\"x\"\")\"")
    for (const start of ["+", "-", "@", "\t", "\r"]) expect(CsvCell.encode(`${start}cmd`).startsWith("\"'")).toBe(true)
    expect(CsvCell.encode("-5")).toBe("-5")
    expect(CsvCell.encode("+1.5e3")).toBe("+1.5e3")
  })

  it("a text that starts with ' before a formula keeps its ': written escaped, read back whole", () => {
    for (const text of ["'=x", "''+1a", "'", "'x", "'-5"]) {
      const cell = CsvCell.encode(text)
      expect([text, CsvCell.decode(cell.startsWith("\"") ? cell.slice(1, -1).replaceAll("\"\"", "\"") : cell)])
        .toEqual([text, text])
    }
    expect(CsvCell.encode("'=x")).toBe("\"''=x\"")
    expect(CsvCell.encode("'x")).toBe("'x")
    // A long run of quotes is counted, not recursed into.
    expect(CsvCell.encode(`${"'".repeat(200_000)}=x`)).toBe(`"${"'".repeat(200_001)}=x"`)
    expect(CsvCell.decode(`${"'".repeat(200_001)}=x`)).toBe(`${"'".repeat(200_000)}=x`)
  })
})

const readAll = (file: string, options: Rows.ReadOptions & { readonly refuse?: Rows.Refuse }) =>
  Rows.read(file, "csv", "Opportunity", "UPSERT", undefined, options).pipe(
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray)
  )

describe("a Salesforce-shaped export", () => {
  it.effect.prop(
    "reads back exactly, through the mapping `mktows map` proposes, with or without a last line end",
    { seed: fc.integer({ min: 0, max: 1_000_000 }), rows: fc.integer({ min: 1, max: 40 }) },
    ({ rows, seed }) =>
      Effect.gen(function*() {
        const file = join(scratch(), "export.csv")
        const generated = salesforceExport(seed, rows)
        writeFileSync(file, generated.text)
        const proposal = Mapping.propose("Opportunity", yield* Rows.header(file))
        expect(proposal.find(([header]) => header === "Account Name")?.[1]).toBeNull()
        let ignored: ReadonlyArray<string> = []
        const read = yield* readAll(file, {
          mapping: new Map(proposal),
          values: mdy,
          onIgnored: (headers) => Effect.sync(() => void (ignored = headers))
        })
        expect(ignored).toEqual(["Account Name"])
        expect(read.map((row) => row.record)).toEqual(generated.expected.map((_, i) => i + 1))
        read.forEach((row, i) => {
          const e = generated.expected[i] as Expected
          if (!row.valid) return expect.fail(`record ${row.record}: ${JSON.stringify(row.problems)}`)
          const o = row.object as Opportunity
          expect({
            id: o.externalKey?.value,
            name: o.name,
            account: o.company !== undefined && "externalKey" in o.company ? o.company.externalKey.value : undefined,
            stage: o.stage,
            amount: o.amount,
            probability: o.probability,
            closeDate: o.closeDate?.toISOString().slice(0, 10),
            created: o.externalCreatedDate?.toISOString().slice(0, 10),
            isWon: o.isWon
          }).toEqual(e)
        })
        // Physical lines: a record after a cell with a line break starts a line later.
        const breaks = generated.expected.map((e) => e.name.includes("\n") ? 1 : 0)
        let line = 2
        read.forEach((row, i) => {
          expect(row.line).toBe(line)
          line += 1 + (breaks[i] ?? 0)
        })
      }).pipe(Effect.provide(NodeFileSystem.layer)),
    { fastCheck: { numRuns: 25 } }
  )

  it.effect("says what is wrong in the user's words: the column, the cell, the record and its line", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "bad.csv")
      writeFileSync(
        file,
        "\uFEFFOpportunity ID,Amount,Close Date,Won,Probability (%)\r\n" +
          "006A,\"$1,000.00\",12/31/2026,Yes,50\r\n" +
          "006B,\"$1,25O.00\",31/12/2026,Maybe,150\r\n" +
          "\"006\r\nC\",5,1/1/2026\r\n"
      )
      const mapping = new Map(Mapping.propose("Opportunity", yield* Rows.header(file)))
      const read = yield* readAll(file, { mapping, values: mdy })
      // Every problem of a row: the cells that cannot be read, and the model's rules for the others.
      expect(read.map(Job.problemText)).toEqual([
        "",
        "record 2 (line 3): Amount: '$1,25O.00' is not a number\n" +
        "record 2 (line 3): Close Date: '31/12/2026' is not a date in MDY order\n" +
        "record 2 (line 3): Won: 'Maybe' is not yes or no (Yes/No, True/False or 1/0)\n" +
        "record 2 (line 3): Probability (%): expected an integer from 0 to 100, got 150",
        "record 3 (line 4): expected 5 fields (as many as the header has), got 3"
      ])
      // And the transport's refusals of the cells that could be read.
      const rest = join(scratch(), "rest.csv")
      writeFileSync(rest, "externalKey.externalId,amount\nK-1,ten\n")
      const refused = yield* readAll(rest, { refuse: Sync.restRefusals })
      expect(refused.flatMap((row) => (row.valid ? [] : row.problems.map((problem) => problem.field)))).toEqual([
        "amount",
        "externalKey.name"
      ])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a mapping names its own problems: a field the type lacks, a column the file lacks", () =>
    Effect.gen(function*() {
      const bad = Mapping.check("Opportunity", new Map([["Account Name", "AccountName"]]))
      expect(Either.isLeft(bad) && bad.left.message).toMatch(/'AccountName' is not a field of Opportunity/)
      // A field Marketo writes itself is a field still: said as such, not as unknown.
      const written = Mapping.check("Opportunity", new Map([["Created", "createdAt"]]))
      expect(Either.isLeft(written) && written.left.message).toMatch(
        /the mapping of 'Created': Marketo writes createdAt, a sync never sends it; map the column to null/
      )
      const file = join(scratch(), "x.csv")
      writeFileSync(file, "Name\nx\n")
      const error = yield* Effect.flip(readAll(file, { mapping: new Map([["Nmae", "name"]]) }))
      expect(error.message).toMatch(/the mapping names a column 'Nmae' the file does not have/)
      const flags = yield* Mapping.parseFlags(["Opportunity Name=name", "Account Name="])
      expect([...flags]).toEqual([["Opportunity Name", "name"], ["Account Name", null]])
      // Without a mapping, a CRM header is refused with the way out.
      writeFileSync(file, "Opportunity Name\nx\n")
      const unmapped = yield* Effect.flip(readAll(file, {}))
      expect(unmapped.message).toMatch(/has no field 'Opportunity Name'.*--map or --map-file/)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a mapping under which no column fills a field is refused at the header; a row of no field is invalid", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "export.csv")
      writeFileSync(file, "Name,createdAt,updatedAt\nx,2026-01-01,2026-01-02\n,2026-01-01,\n")
      const none = yield* Effect.flip(readAll(file, { mapping: new Map([["createdAt", null], ["updatedAt", null]]) }))
      expect(none._tag).toBe("InputError")
      expect(none.message).toMatch(
        /^.*export\.csv:1: the header: no column maps to a field of Opportunity \(the mapping leaves out or ignores every column\)/
      )
      const read = yield* readAll(file, { mapping: new Map([["Name", "name"]]) })
      expect(read.map((row) => row.valid)).toEqual([true, false])
      expect(Job.problemText(read[1]!)).toBe(
        "record 2 (line 3): no field: its cells of 'Name' are empty, so there is nothing to send"
      )
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("mktows map", () => {
  it("proposes by field name, Salesforce's headers and, from the instance, display names and custom fields", () => {
    const names = Mapping.instanceNames("Opportunity", [
      { name: "Amount", displayName: "Deal Amount", isCustom: false },
      { name: "AccountName", displayName: "Account Name", isCustom: true },
      { name: "NoSuchStandard", displayName: "Weird", isCustom: false }
    ])
    const headers = ["Opportunity ID", "Deal Amount", "Account Name", "close_date", "Weird", "Notes", "Amount"]
    expect(Mapping.propose("Opportunity", headers, names)).toEqual([
      ["Opportunity ID", "externalKey.externalOpportunityId"],
      ["Deal Amount", "amount"],
      ["Account Name", "customFields.AccountName"],
      ["close_date", "closeDate"],
      ["Weird", null],
      ["Notes", null],
      // A field is filled by one column: the first that names it.
      ["Amount", null]
    ])
    expect(Mapping.propose("Opportunity", ["Account Name"])).toEqual([["Account Name", null]])
    // Marketo's own names for keys and links (REST's field names), whatever the case.
    expect(Mapping.propose("Opportunity", ["externalOpportunityId", "ExternalCompanyId", "marketoGUID"])).toEqual([
      ["externalOpportunityId", "externalKey.externalOpportunityId"],
      ["ExternalCompanyId", "company.externalKey.externalCompanyId"],
      // A row has one external key: the first column that names one fills it.
      ["marketoGUID", null]
    ])
    expect(Mapping.propose("Opportunity", ["marketoGUID"])).toEqual([["marketoGUID", "externalKey.marketoGUID"]])
    expect(Mapping.propose("OpportunityPersonRole", ["externalOpportunityId", "leadId", "role", "marketoGUID"]))
      .toEqual([
        ["externalOpportunityId", "opportunity.externalKey.externalOpportunityId"],
        ["leadId", "lead.id"],
        ["role", "role"],
        ["marketoGUID", "externalKey.marketoGUID"]
      ])
    // Every path proposed is one the file format reads.
    for (const type of ["Opportunity", "OpportunityPersonRole"] as const) {
      for (
        const [, field] of Mapping.propose(type, [
          "externalOpportunityId",
          "externalCompanyId",
          "marketoGUID",
          "leadId"
        ])
      ) {
        if (field !== null) expect(Columns.isField(type, field)).toBe(true)
      }
    }
    const rendered = Mapping.render([["A \"quoted\" header", "name"], ["B", null]])
    expect(JSON.parse(rendered)).toEqual({ "A \"quoted\" header": "name", B: null })
  })
})

describe("a cap on the size of a record", () => {
  it.effect("refuses a longer NDJSON line or CSV record as soon as it passes the cap, with its line", () =>
    Effect.gen(function*() {
      const text = (s: string) => Stream.make(s.slice(0, 7), s.slice(7))
      const lines = yield* Effect.flip(
        Stream.runCollect(Csv.lines(text("{\"a\":1}\n{\"b\":\"" + "x".repeat(40) + "\"}\n"), "t.ndjson", 20))
      )
      expect(lines.message).toMatch(/^t\.ndjson:2: line 2 is longer than 20 characters/)
      const records = yield* Effect.flip(
        Stream.runCollect(Csv.records("t.csv", 20)(text("a,b\n1,2\n\"" + "y".repeat(40) + "\",3\n")))
      )
      // Inside a quoted field: said where the field opened, whose closing quote may be missing.
      expect(records.message).toMatch(
        /^t\.csv:3:1: the record that starts on line 3 is longer than 20 characters.* Here the quoted field that opens on line 3, column 1 is still open\.$/
      )
      const unquoted = yield* Effect.flip(
        Stream.runCollect(Csv.records("t.csv", 20)(text("a,b\n1,2\n" + "y".repeat(40) + ",3\n")))
      )
      expect(unquoted.message).toMatch(/^t\.csv:3: the record that starts on line 3 is longer than 20 characters/)
      // Up to the cap, records and lines read as ever.
      const fine = yield* Stream.runCollect(Csv.lines(text("{\"a\":1}\r\n\n{\"b\":2}"), "t.ndjson", 20))
      expect(Chunk.toReadonlyArray(fine)).toEqual([{ line: 1, content: "{\"a\":1}" }, {
        line: 3,
        content: "{\"b\":2}"
      }])
      expect(Rows.maxRecordChars).toBe(1024 * 1024)
    }))
})
