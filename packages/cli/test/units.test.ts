/**
 * The pieces under the command, in-process: the CSV reader and UTF-8 decoder (laws over
 * any record and any way the bytes are cut into chunks), the CSV columns, and the journal's
 * survival of a torn last line.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as MarketoError from "@mktows/core/MarketoError"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as fc from "fast-check"
import { spawnSync } from "node:child_process"
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { dirname, join } from "node:path"
import * as Columns from "../src/internal/columns.js"
import * as Connection from "../src/internal/connection.js"
import * as Csv from "../src/internal/csv.js"
import * as Deletes from "../src/internal/delete.js"
import * as Journal from "../src/internal/journal.js"
import * as Mapping from "../src/internal/mapping.js"
import * as Progress from "../src/internal/progress.js"
import * as Read from "../src/internal/read.js"
import * as Report from "../src/internal/report.js"
import * as Rows from "../src/internal/rows.js"
import { decodeUtf8 } from "../src/internal/text.js"
import { readNdjson, scratch } from "./helpers/mktows.js"

const encodeCsv = (records: ReadonlyArray<ReadonlyArray<string>>, eol: string, delimiter = ","): string =>
  records.map((fields) =>
    fields.map((f) =>
      /["\r\n]/.test(f) || f.includes(delimiter) || f.length === 0 ? `"${f.replaceAll("\"", "\"\"")}"` : f
    ).join(delimiter)
  ).join(eol) + eol

const cut = (bytes: Uint8Array, cuts: ReadonlyArray<number>): ReadonlyArray<Uint8Array> => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Array<Uint8Array> = []
  let start = 0
  for (const point of points) {
    out.push(bytes.subarray(start, point))
    start = point
  }
  out.push(bytes.subarray(start))
  return out
}

const parse = (chunks: ReadonlyArray<Uint8Array>, delimiter?: Csv.Delimiter) =>
  Stream.fromIterable(chunks).pipe(
    decodeUtf8("t.csv"),
    Csv.records("t.csv", Infinity, delimiter),
    Stream.runCollect,
    Effect.map(Chunk.toArray)
  )

describe("CSV reader", () => {
  it.effect.prop(
    "reads back any records, however the bytes are cut, with CRLF or LF",
    {
      records: fc.array(fc.array(fc.string({ unit: "binary", maxLength: 8 }), { minLength: 2, maxLength: 4 }), {
        minLength: 1,
        maxLength: 6
      }),
      cuts: fc.array(fc.nat(), { maxLength: 6 }),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      // A last record without a line end is a record all the same.
      lastLineEnd: fc.boolean()
    },
    ({ bom, crlf, cuts, lastLineEnd, records }) =>
      Effect.gen(function*() {
        // Lone surrogates are not text a file can hold.
        const clean = records.map((fields) => fields.map((f) => f.replace(/[\uD800-\uDFFF]/g, "x")))
        const eol = crlf ? "\r\n" : "\n"
        const encoded = encodeCsv(clean, eol)
        const text = (bom ? "\uFEFF" : "") + (lastLineEnd ? encoded : encoded.slice(0, -eol.length))
        const parsed = yield* parse(cut(new TextEncoder().encode(text), cuts))
        expect(parsed.map((record) => record.fields)).toEqual(clean)
      })
  )

  it.effect("numbers records by the line they start on and skips empty lines", () =>
    Effect.gen(function*() {
      const parsed = yield* parse([new TextEncoder().encode("a,b\n\n\"x\ny\",1\r\nz,2")])
      expect(parsed).toEqual([
        { line: 1, fields: ["a", "b"] },
        { line: 3, fields: ["x\ny", "1"] },
        { line: 5, fields: ["z", "2"] }
      ])
    }))

  it.effect("refuses a stray quote, an unclosed quote and invalid UTF-8, with the line", () =>
    Effect.gen(function*() {
      const error = (text: Uint8Array) => Effect.flip(parse([text]))
      expect((yield* error(new TextEncoder().encode("a,b\nx\"y,1\n"))).message).toMatch(/^t\.csv:2:2: a quote inside/)
      expect((yield* error(new TextEncoder().encode("a,b\n1,2\n\"open,3\n"))).message).toBe(
        "t.csv:3:1: the file ends inside the quoted field that opens on line 3, column 1: is its closing quote missing?"
      )
      expect((yield* error(Uint8Array.from([0x61, 0x0a, 0x62, 0x0a, 0xff, 0x0a]))).message).toMatch(
        /^t\.csv:3: not UTF-8/
      )
      // A character cut across chunks is fine.
      const euro = new TextEncoder().encode("a\n€\n")
      expect((yield* parse([euro.subarray(0, 3), euro.subarray(3)])).map((r) => r.fields)).toEqual([["a"], ["€"]])
    }))
})

describe("CSV reader, a quote out of place", () => {
  const error = (text: string, chunks: ReadonlyArray<number> = []) =>
    Effect.map(Effect.flip(parse(cut(new TextEncoder().encode(text), chunks))), (error) => error.message)

  it.effect("is said where its quoted field opened, line and column, and where the problem was found", () =>
    Effect.gen(function*() {
      // An unclosed quote on line 3: the next quote, on line 5, reads as its closing one.
      const unclosed =
        "externalKey.externalOpportunityId,name,amount\nQ-1,ok,5\nQ-2,\"Unclosed,6\nQ-3,Ok,7\nQ-4,\"Fine\",8\n"
      for (const chunks of [[], [50, 61, 70]]) {
        expect(yield* error(unclosed, chunks)).toBe(
          "t.csv:3:5: the quoted field that opens on line 3, column 5 closes at line 5, column 5, and a closing quote must be followed by a comma or a line end, not 'F': is its closing quote missing on line 3?"
        )
      }
      // Columns count characters, a character outside the BMP as one.
      expect(yield* error("a,b\n😀é,\"x\"y\n")).toMatch(
        /^t\.csv:2:4: the quoted field that opens on line 2, column 4 closes at column 6,/
      )
      expect(yield* error("a,b\r\n1,x\"\r\n")).toMatch(/^t\.csv:2:4: a quote inside an unquoted field/)
      expect(yield* error("a,b\n1,\"x\ny\nz")).toBe(
        "t.csv:2:3: the file ends inside the quoted field that opens on line 2, column 3: is its closing quote missing?"
      )
    }))
})

describe("CSV reader, --delimiter", () => {
  const parseWith = (text: string, delimiter?: Csv.Delimiter, chunks: ReadonlyArray<number> = []) =>
    Effect.map(
      parse(cut(new TextEncoder().encode(text), chunks), delimiter),
      (records) => records.map((record) => record.fields)
    )

  it.effect.prop(
    "reads back any records separated by ; or a tab, quoted as RFC 4180 says, however the bytes are cut",
    {
      records: fc.array(fc.array(fc.string({ unit: "binary", maxLength: 8 }), { minLength: 2, maxLength: 4 }), {
        minLength: 1,
        maxLength: 6
      }),
      cuts: fc.array(fc.nat(), { maxLength: 6 }),
      delimiter: fc.constantFrom<Csv.Delimiter>(";", "\t"),
      crlf: fc.boolean()
    },
    ({ crlf, cuts, delimiter, records }) =>
      Effect.gen(function*() {
        const clean = records.map((fields) => fields.map((f) => f.replace(/[\uD800-\uDFFF]/g, "x")))
        const text = encodeCsv(clean, crlf ? "\r\n" : "\n", delimiter)
        expect(yield* parseWith(text, delimiter, cuts)).toEqual(clean)
      })
  )

  it.effect("takes ',', ';' and a tab as \\t or tab; a comma inside a ;-separated field is text", () =>
    Effect.gen(function*() {
      expect([",", ";", "\t", "\\t", "tab", "TAB", "|", ""].map(Csv.parseDelimiter)).toEqual(
        [",", ";", "\t", "\t", "\t", "\t", undefined, undefined]
      )
      expect(yield* parseWith("a;b\n\"x;\"\"y\"\"\";1,5\n", ";")).toEqual([["a", "b"], ["x;\"y\"", "1,5"]])
      // A closing quote followed by anything but the delimiter names the delimiter.
      const stray = yield* Effect.flip(parseWith("a;b\n\"x\",1\n", ";"))
      expect(stray.message).toBe(
        "t.csv:2:1: the quoted field that opens on line 2, column 1 closes at column 3, and a closing quote must be followed by a semicolon or a line end, not ',': quote the whole field and double each quote inside it (\"\")"
      )
    }))

  it.effect("with the default comma, refuses a header with no comma but a ; or a tab before reading on", () =>
    Effect.gen(function*() {
      const semi = yield* Effect.flip(parseWith("externalKey.externalOpportunityId;name;amount\nK-1;One;10\n"))
      expect(semi._tag).toBe("InputError")
      expect(semi.message).toMatch(/^t\.csv:1: the header has no comma but a semicolon .*--delimiter ';'/)
      // A quoted header field: refused for its delimiter, not for the quote the comma's rules see.
      const quoted = yield* Effect.flip(parseWith("name;\"Opportunity Name\"\nx;y\n", undefined, [3, 9]))
      expect(quoted.message).toMatch(/^t\.csv:1: the header has no comma but a semicolon/)
      const tab = yield* Effect.flip(parseWith("\n\nname\tamount\nx\t1\n"))
      expect(tab.message).toMatch(/^t\.csv:3: the header has no comma but a tab .*--delimiter tab/)
      // The header alone, with no line end.
      expect((yield* Effect.flip(parseWith("a;b"))).message).toMatch(/no comma but a semicolon/)
      // Only what is outside quotes counts: a quoted comma is text of a ;-separated header.
      expect((yield* Effect.flip(parseWith("\"a,b\";c\n1;2\n"))).message).toMatch(/no comma but a semicolon/)
      // A comma outside quotes, or a single column of neither, reads as it always did.
      expect(yield* parseWith("name,\"a;b\"\nx,y\n")).toEqual([["name", "a;b"], ["x", "y"]])
      expect(yield* parseWith("\"x;\ny\",z\n1,2\n", undefined, [2])).toEqual([["x;\ny", "z"], ["1", "2"]])
      expect(yield* parseWith("name\nx;y\n")).toEqual([["name"], ["x;y"]])
      // A comma chosen on purpose reads the line as one column.
      expect(yield* parseWith("a;b\n1;2\n", ",")).toEqual([["a;b"], ["1;2"]])
    }))
})

describe("CSV reader, a chosen --delimiter the header does not have", () => {
  const parseWith = (text: string, delimiter?: Csv.Delimiter, chunks: ReadonlyArray<number> = []) =>
    Effect.map(
      parse(cut(new TextEncoder().encode(text), chunks), delimiter),
      (records) => records.map((record) => record.fields)
    )

  it.effect("refuses a header of none of it but another delimiter, naming the delimiter that fits", () =>
    Effect.gen(function*() {
      // A comma file read with ';': one column named after the whole line, and an object keyed by it.
      const comma = "externalKey.externalOpportunityId,name,amount\nZ-1,Alpha,5\n"
      for (const [delimiter, chunks] of [[";", []], ["\t", [5, 20]]] as const) {
        const refused = yield* Effect.flip(parseWith(comma, delimiter, chunks))
        expect(refused._tag).toBe("InputError")
        expect(refused.message).toMatch(
          new RegExp(
            `^t\\.csv:1: the header has no ${
              delimiter === ";" ? "semicolon" : "tab"
            } \\(.*was given\\) but a comma: .*one column .*Pass --delimiter , \\(or no --delimiter: a comma is the default\\) \\(or, for a file of one column, quote its header: "…"\\)$`
          )
        )
      }
      // A ;-file read with a tab: the hint names the semicolon.
      expect((yield* Effect.flip(parseWith("\n\nname;amount\nx;1\n", "\t"))).message).toMatch(
        /^t\.csv:3: the header has no tab .* but a semicolon: .*Pass --delimiter ';' \(or, for a file of one column, quote its header: "…"\)$/
      )
      // The header of the delimiter given, a header of one column, or a comma only inside quotes: read.
      expect(yield* parseWith("a;b,c\n1;2\n", ";")).toEqual([["a", "b,c"], ["1", "2"]])
      expect(yield* parseWith("name\nx,y\n", ";")).toEqual([["name"], ["x,y"]])
      expect(yield* parseWith("\"a,b\"\n1\n", "\t")).toEqual([["a,b"], ["1"]])
    }))
})

describe("CSV columns", () => {
  it("a row whose every cell read is empty is invalid: an object of no field is nothing to send", () => {
    const header = Columns.parseHeader("Opportunity", ["name", "externalKey.externalOpportunityId", "amount"])
    if (!("columns" in header)) return expect.fail("an Opportunity header")
    expect(Columns.toPlainData("Opportunity", header.columns, ["", " ", ""])).toEqual({
      problems: [{
        field: "",
        message:
          "no field: its cells of 'name', 'externalKey.externalOpportunityId', 'amount' are empty, so there is nothing to send"
      }]
    })
    // One cell is enough.
    expect(Columns.toPlainData("Opportunity", header.columns, ["", "K-1", ""])).toEqual({
      data: { _tag: "Opportunity", externalKey: { name: "externalOpportunityId", value: "K-1" } }
    })
  })

  it("an externalCreatedDate column keeps its time (a datetime field), a closeDate column its day; an export writes each so", () => {
    const header = Columns.parseHeader("Opportunity", ["closeDate", "externalCreatedDate"])
    if (!("columns" in header)) return expect.fail("an Opportunity header")
    const row = Columns.toPlainData("Opportunity", header.columns, ["2015-06-30", "2015-05-07T20:47:30-08:00"])
    expect(row).toEqual({
      data: { _tag: "Opportunity", closeDate: "2015-06-30", externalCreatedDate: "2015-05-08T04:47:30.000Z" }
    })
    // What `get` writes of the models reads back as they were, a date-time at UTC midnight too
    // (a bare day would read back as midnight in --time-zone).
    expect(Read.toPlain({ closeDate: new Date("2015-06-30"), externalCreatedDate: new Date("2015-05-08T04:47:30Z") }))
      .toEqual({ closeDate: "2015-06-30", externalCreatedDate: "2015-05-08T04:47:30.000Z" })
    expect(Read.toPlain({ externalCreatedDate: new Date("2015-05-08") }))
      .toEqual({ externalCreatedDate: "2015-05-08T00:00:00.000Z" })
  })

  it("maps headers to fields by the model's Schema, and refuses unknown ones", () => {
    const header = Columns.parseHeader("Opportunity", [
      "Name",
      "amount",
      "isWon",
      "externalKey.externalId",
      "company.id",
      "customFields.a.b"
    ])
    expect("columns" in header).toBe(true)
    if (!("columns" in header)) return
    const row = Columns.toPlainData("Opportunity", header.columns, ["N", "12.5", "1", "K-1", "7", "v"])
    expect(row).toEqual({
      data: {
        _tag: "Opportunity",
        name: "N",
        amount: 12.5,
        isWon: true,
        externalKey: { name: "externalId", value: "K-1" },
        company: { id: 7 },
        customFields: { "a.b": "v" }
      }
    })
    const costs = Columns.parseHeader("Program", [
      "id",
      "costs.0.month",
      "costs.0.amount",
      "tags.1.type",
      "tags.1.value"
    ])
    if (!("columns" in costs)) return expect.fail("a Program header")
    expect(Columns.toPlainData("Program", costs.columns, ["5", "2026-01", "10", "Channel", "Webinar"])).toEqual({
      data: {
        _tag: "Program",
        id: 5,
        costs: [{ month: "2026-01", amount: 10 }],
        tags: [{ type: "Channel", value: "Webinar" }]
      }
    })
    const bad = Columns.parseHeader("Opportunity", ["nmae", "company.name", "externalKey"])
    // Each column's problem, then the type's fields and the way out, once.
    expect("problems" in bad && bad.problems.length).toBe(5)
    // A row has one external key (and a company one): a mapping that gives a second column of it,
    // under another name, would overwrite the first in every row where both are filled.
    const twoKeys = Columns.parseHeader(
      "Opportunity",
      [
        "externalKey.externalOpportunityId",
        "externalKey.marketoGUID",
        "company.externalKey.externalCompanyId",
        "company.externalKey.other"
      ],
      new Map([
        ["externalKey.externalOpportunityId", "externalKey.externalOpportunityId"],
        ["externalKey.marketoGUID", "externalKey.marketoGUID"],
        ["company.externalKey.externalCompanyId", "company.externalKey.externalCompanyId"],
        ["company.externalKey.other", "company.externalKey.other"]
      ])
    )
    expect("problems" in twoKeys && twoKeys.problems).toEqual([
      "column 2 ('externalKey.marketoGUID'): a second externalKey (column 'externalKey.externalOpportunityId' gives it already); a row has one: map one of them to null",
      "column 4 ('company.externalKey.other'): a second company.externalKey (column 'company.externalKey.externalCompanyId' gives it already); a row has one: map one of them to null"
    ])
    const proto = Columns.parseHeader("Opportunity", ["customFields.__proto__"])
    if (!("columns" in proto)) return expect.fail("a custom field")
    const data = Columns.toPlainData("Opportunity", proto.columns, ["x"])
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect("data" in data && Object.getPrototypeOf((data.data as { customFields: object }).customFields)).toBe(
      Object.prototype
    )
  })

  it("a FIELD.externalKey.NAME column only where the model has that key; elsewhere refused, naming the column", () => {
    // A link's key is read as one; a field without a key is no field, as any unknown path is.
    const links = Columns.parseHeader("OpportunityPersonRole", [
      "lead.externalKey.leadKey",
      "opportunity.ExternalKey.o"
    ])
    if (!("columns" in links)) return expect.fail(`a role's links: ${JSON.stringify(links)}`)
    expect(links.columns.map((column) => [column.path, column.keyName])).toEqual([
      [["lead", "externalKey"], "leadKey"],
      [["opportunity", "externalKey"], "o"]
    ])
    const bad = Columns.parseHeader("Opportunity", ["name.externalKey.x", "amount.ExternalKey.k", "stage"])
    expect("problems" in bad && bad.problems).toEqual([
      "column 1 ('name.externalKey.x'): name has no external key (the key columns of Opportunity: externalKey.NAME, company.externalKey.NAME)",
      "column 2 ('amount.ExternalKey.k'): amount has no external key (the key columns of Opportunity: externalKey.NAME, company.externalKey.NAME)",
      "map the file's headers to fields with --map or --map-file"
    ])
    const program = Columns.parseHeader("Program", ["id", "costs.externalKey.x"])
    expect("problems" in program && program.problems).toEqual([
      "column 2 ('costs.externalKey.x'): costs has no external key (Program has none)",
      "map the file's headers to fields with --map or --map-file"
    ])
    // A mapping to one is refused before the file is read, as any field the model does not have.
    expect(Either.isLeft(Mapping.check("Opportunity", new Map([["Deal", "name.externalKey.x"]])))).toBe(true)
    expect(Columns.isField("Opportunity", "company.externalKey.externalCompanyId")).toBe(true)
    // A custom field's name may hold dots, `externalKey.` too: it is no key.
    const custom = Columns.parseHeader("Opportunity", ["customFields.externalKey.Region"])
    if (!("columns" in custom)) return expect.fail(`a custom field: ${JSON.stringify(custom)}`)
    expect(Columns.toPlainData("Opportunity", custom.columns, ["EMEA"])).toEqual({
      data: { _tag: "Opportunity", customFields: { "externalKey.Region": "EMEA" } }
    })
  })

  it("a key field name no field can have (a header of another dialect read as one column) is refused, naming it", () => {
    // As a quoted header read with the comma, or a mapping, would give it: never sent as a key's name.
    const whole = Columns.parseHeader("Opportunity", ["externalKey.externalOpportunityId,name,amount"])
    expect("problems" in whole && whole.problems[0]).toBe(
      "column 1 ('externalKey.externalOpportunityId,name,amount'): 'externalOpportunityId,name,amount' is not a field name (it holds a comma, which no Marketo field name has): is the header read with the wrong --delimiter, so that several columns became one?"
    )
    for (const name of ["a;b", "a\tb", "external Id", "\"id\""]) {
      const header = Columns.parseHeader("OpportunityPersonRole", [`lead.externalKey.${name}`])
      expect("problems" in header && header.problems[0]).toMatch(
        /is not a field name \(it holds a (semicolon|tab|space|quote)/
      )
    }
    expect(Either.isLeft(Mapping.check("Opportunity", new Map([["Id", "externalKey.a,b"]])))).toBe(true)
    // Marketo's own names, and custom ones with underscores, are names.
    for (const name of ["externalOpportunityId", "marketoGUID", "Legacy_Id__c"]) {
      expect(Columns.isField("Opportunity", `externalKey.${name}`)).toBe(true)
    }
  })
})

describe("an export of mktows get, read back", () => {
  it("a column per key name: each row fills at most one; a row that fills two is invalid, naming both columns", () => {
    // As `get` writes them: one column per key name found among the objects exported.
    const header = Columns.parseHeader("Opportunity", [
      "id",
      "externalKey.opportunityId",
      "name",
      "company.externalKey.externalCompanyId",
      "externalKey.externalOpportunityId",
      "company.externalKey.companyId"
    ])
    if (!("columns" in header)) return expect.fail(`an export's header: ${JSON.stringify(header)}`)
    const row = (cells: ReadonlyArray<string>) => Columns.toPlainData("Opportunity", header.columns, cells)
    expect(row(["64", "OPP-64", "Acme", "ACME", "", ""])).toEqual({
      data: {
        _tag: "Opportunity",
        id: 64,
        externalKey: { name: "opportunityId", value: "OPP-64" },
        name: "Acme",
        company: { externalKey: { name: "externalCompanyId", value: "ACME" } }
      }
    })
    expect(row(["", "", "New", "", "K-1", "GLOBEX"])).toEqual({
      data: {
        _tag: "Opportunity",
        name: "New",
        externalKey: { name: "externalOpportunityId", value: "K-1" },
        company: { externalKey: { name: "companyId", value: "GLOBEX" } }
      }
    })
    // No key at all is the model's matter (an UPDATE by id), not the columns'.
    expect(row(["65", "", "Globex", "", "", ""])).toEqual({ data: { _tag: "Opportunity", id: 65, name: "Globex" } })
    expect(row(["64", "OPP-64", "Both", "ACME", "K-1", "GLOBEX"])).toMatchObject({
      problems: [
        {
          field: "externalKey.externalOpportunityId",
          message:
            "a second externalKey in this row (column 'externalKey.opportunityId' gives it already): a row fills one of them"
        },
        {
          field: "company.externalKey.companyId",
          message:
            "a second company.externalKey in this row (column 'company.externalKey.externalCompanyId' gives it already): a row fills one of them"
        }
      ]
    })
    // The same key name twice is the same field twice, as before.
    const same = Columns.parseHeader("Opportunity", [
      "externalKey.externalOpportunityId",
      "externalKey.externalOpportunityId"
    ])
    expect("problems" in same && same.problems).toEqual([
      "column 2 ('externalKey.externalOpportunityId'): a second externalKey (column 'externalKey.externalOpportunityId' gives it already); a row has one: map one of them to null"
    ])
  })

  it("the columns of fields Marketo writes are read and left out; a mapping to one is refused", () => {
    const header = Columns.parseHeader("Opportunity", ["id", "createdAt", "updatedAt", "name"])
    if (!("columns" in header)) return expect.fail(`an export's header: ${JSON.stringify(header)}`)
    expect(header.readOnly).toEqual(["createdAt", "updatedAt"])
    expect(header.columns.map((column) => column.header)).toEqual(["id", "name"])
    const row = (cells: ReadonlyArray<string>) => Columns.toPlainData("Opportunity", header.columns, cells, 4)
    expect(row(["64", "2013-01-01T00:00:00+00:00", "not even a time", "Acme"])).toEqual({
      data: { _tag: "Opportunity", id: 64, name: "Acme" }
    })
    // A row of nothing but them is a row of no field sent.
    expect(row(["", "2013-01-01T00:00:00+00:00", "", ""])).toMatchObject({
      problems: [{ field: "", message: expect.stringMatching(/^no field: its cells of 'id', 'name' are empty/) }]
    })
    // A role's too, and a Program's tokens and attributes (read-only: core refuses them when sent).
    const role = Columns.parseHeader("OpportunityPersonRole", ["id", "CreatedAt", "role"])
    expect("readOnly" in role && role.readOnly).toEqual(["CreatedAt"])
    const program = Columns.parseHeader("Program", [
      "id",
      "createdAt",
      "tags.0.type",
      "tags.0.value",
      "attributes.Tree Path",
      "costs.0.month",
      "costs.0.amount",
      "costs.0.id",
      "tokens.0.name",
      "tokens.0.value"
    ])
    if (!("columns" in program)) return expect.fail(`a Program export's header: ${JSON.stringify(program)}`)
    expect(program.readOnly).toEqual(["createdAt", "attributes.Tree Path", "tokens.0.name", "tokens.0.value"])
    expect(
      Columns.toPlainData(
        "Program",
        program.columns,
        ["1002", "2013-01-01T00:00:00+00:00", "Channel", "Webinar", "/Marketing", "2013-04", "800", "101", "t", "v"],
        10
      )
    ).toEqual({
      data: {
        _tag: "Program",
        id: 1002,
        tags: [{ type: "Channel", value: "Webinar" }],
        costs: [{ month: "2013-04", amount: 800, id: 101 }]
      }
    })
    // Only a path of the model: anything else under them is refused as before.
    const bad = Columns.parseHeader("Opportunity", ["createdAt.x", "createdAt.externalKey.k"])
    // Two problems, and the way out once.
    expect("problems" in bad && bad.problems.length).toBe(3)
    // A mapping is the user's choice of columns: a field no sync sends is refused there, and mapping
    // checks and proposals never offer one.
    const mapped = Columns.parseHeader("Opportunity", ["Created", "name"], new Map([["Created", "createdAt"]]))
    expect("problems" in mapped && mapped.problems).toEqual([
      "column 1 ('Created') mapped to 'createdAt': Marketo writes createdAt, a sync never sends it; map the column to null"
    ])
    expect(Columns.isField("Opportunity", "createdAt")).toBe(false)
    expect(Columns.isField("Program", "attributes.Name")).toBe(false)
    expect(Columns.filledField("Opportunity", "updatedAt")).toBeUndefined()
  })

  it.effect("an NDJSON record's fields Marketo writes are read and left out, told once; a record of only them is no field", () =>
    Effect.gen(function*() {
      // As `get --include-details` writes a Program: core refuses tokens and attributes when sent.
      const lines = [
        {
          id: 1001,
          createdAt: "2013-01-01T00:00:00+00:00",
          costs: [],
          tags: [],
          tokens: [],
          attributes: { Name: "W" }
        },
        { id: 1970, tags: [{ type: "Channel", value: "Trade Show" }], tokens: [{ name: "Booth", value: "B-12" }] },
        { id: 1003, _tag: "Program" },
        { updatedAt: "2013-01-01T00:00:00+00:00", attributes: {} }
      ]
      const told: Array<ReadonlyArray<string>> = []
      const rows = yield* Stream.runCollect(
        Rows.read(
          "p.ndjson",
          "ndjson",
          "Program",
          "UPDATE",
          Stream.make(new TextEncoder().encode(lines.map((line) => JSON.stringify(line)).join("\n"))),
          { onReadOnly: (names, as) => Effect.sync(() => void told.push([as, ...names])) }
        )
      )
      expect(told).toEqual([["fields", "createdAt", "updatedAt", "tokens", "attributes"]])
      const [first, second, third, fourth] = Chunk.toReadonlyArray(rows)
      expect(first?.valid && second?.valid && third?.valid).toBe(true)
      expect(first?.valid === true && first.object).toMatchObject({ id: 1001, tokens: [], attributes: {} })
      expect(first?.valid === true && first.object.createdAt).toBeUndefined()
      expect(second?.valid === true && second.object).toMatchObject({ id: 1970, tokens: [] })
      // The line as the file has it, for a report that carries the input.
      expect(second?.cells).toEqual([JSON.stringify(lines[1])])
      expect(fourth).toMatchObject({
        valid: false,
        problems: [{ field: "", message: "no field: the line's object has none, so there is nothing to send" }]
      })
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it("an export of no object has the type's own columns, read back as a header", () => {
    for (const type of Columns.objectTypes) {
      const columns = Columns.standardColumns(type)
      expect(columns).toContain("id")
      expect(columns).toContain("createdAt")
      expect("columns" in Columns.parseHeader(type, columns)).toBe(true)
    }
    expect(Columns.standardColumns("Opportunity")).toEqual([
      "id",
      "amount",
      "closeDate",
      "description",
      "expectedRevenue",
      "externalCreatedDate",
      "fiscal",
      "fiscalQuarter",
      "fiscalYear",
      "forecastCategoryName",
      "isClosed",
      "isWon",
      "lastActivityDate",
      "leadSource",
      "name",
      "nextStep",
      "probability",
      "quantity",
      "stage",
      "type",
      "createdAt",
      "updatedAt"
    ])
  })
})

describe("file formats", () => {
  it("a .json file is refused, as any other extension, naming what is read and written", () => {
    expect(Rows.checkFormat("in.csv")).toEqual(Either.right("csv"))
    expect(Rows.checkFormat("IN.NDJSON")).toEqual(Either.right("ndjson"))
    expect(Rows.checkFormat("in.jsonl")).toEqual(Either.right("ndjson"))
    expect(Rows.checkFormat("out.json")).toEqual(
      Either.left(
        "a .json file is one JSON document to other programs, and mktows reads and writes one JSON object per line (NDJSON): name the file .ndjson or .jsonl (or use .csv)"
      )
    )
    expect(Rows.checkFormat("out.txt")).toEqual(
      Either.left("expected a .csv, .ndjson or .jsonl file (NDJSON: one JSON object per line)")
    )
  })
})

/** The journal's record of an Opportunity INSERT of an input of this size and hash. */
const insertJob = (size: number, sha256: string): Journal.Job => ({
  command: "sync",
  input: { size, sha256 },
  type: "Opportunity",
  operation: "INSERT",
  destination: { transport: "soap", endpoint: "http://127.0.0.1:8080/soap/mktows/3_1", user: "demo" }
})

/**
 * The real file system, but a write made while `interruptedHalfway` runs its effect stops half
 * way until that effect's fiber has been told to stop: what a job giving up on a chunk, or
 * Ctrl-C, can do to a write in progress.
 */
const halvedWrites = Effect.gen(function*() {
  const node = yield* FileSystem.FileSystem
  let gate: { readonly halfway: Deferred.Deferred<void>; readonly resume: Deferred.Deferred<void> } | undefined
  const fs: FileSystem.FileSystem = {
    ...node,
    open: (path, options) =>
      Effect.map(node.open(path, options), (handle) =>
        new Proxy(handle, {
          get: (target, property) => {
            if (property === "writeAll") {
              return (bytes: Uint8Array) => {
                const held = gate
                return held === undefined ? target.writeAll(bytes) : target.writeAll(bytes.subarray(0, 10)).pipe(
                  Effect.zipRight(Deferred.succeed(held.halfway, undefined)),
                  Effect.zipRight(Deferred.await(held.resume)),
                  Effect.zipRight(target.writeAll(bytes.subarray(10)))
                )
              }
            }
            const value: unknown = Reflect.get(target, property, target)
            return typeof value === "function" ? value.bind(target) : value
          }
        }))
  }
  const interruptedHalfway = <A, E>(effect: Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const held = { halfway: yield* Deferred.make<void>(), resume: yield* Deferred.make<void>() }
      gate = held
      const fiber = yield* Effect.fork(effect)
      yield* Deferred.await(held.halfway)
      gate = undefined
      yield* Fiber.interruptFork(fiber)
      yield* Deferred.succeed(held.resume, undefined)
      yield* Fiber.await(fiber)
    })
  return { fs, interruptedHalfway }
})

describe("journal", () => {
  const job = insertJob(3, "abc")

  it.scoped("survives a torn last line; refuses a changed file and another job's journal", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "job.journal")
      yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* Journal.open(file, job)
        yield* journal.intend([1, 2, 3])
        yield* journal.record([{ line: 1, status: "CREATED", id: 10 }])
      }))
      // A crash in the middle of a write leaves half a line.
      appendFileSync(file, "0123456789abcdef {\"t\":\"done\",\"outcomes\":[{\"line\":2,\"sta")
      const reopened = yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* Journal.open(file, job)
        const before = yield* Effect.forEach([1, 2, 3, 4], journal.previous)
        yield* journal.record([{ line: 3, status: "CREATED", id: 12 }])
        return before
      }))
      // In doubt since the intent, recorded at the (test) clock's time.
      expect(reopened).toEqual([
        { _tag: "Done", outcome: { line: 1, status: "CREATED", id: 10 } },
        { _tag: "Doubt", sentAt: 0 },
        { _tag: "Doubt", sentAt: 0 },
        { _tag: "New" }
      ])
      const lines = readFileSync(file, "utf8").trimEnd().split("\n")
      expect(lines.every((line) => Journal.decodeLine(line) !== undefined)).toBe(true)
      const again = yield* Effect.scoped(
        Effect.flatMap(Journal.open(file, job), (journal) => Effect.forEach([2, 3], journal.previous))
      )
      expect(again).toEqual([{ _tag: "Doubt", sentAt: 0 }, {
        _tag: "Done",
        outcome: { line: 3, status: "CREATED", id: 12 }
      }])
      const changed = yield* Effect.flip(
        Effect.scoped(Journal.open(file, { ...job, input: { size: 4, sha256: "def" } }))
      )
      expect(changed.message).toMatch(/the file changed since this journal was started.*A changed file is a new job/)
      const other = yield* Effect.flip(Effect.scoped(Journal.open(file, { ...job, operation: "UPSERT" })))
      expect(other.message).toMatch(/belongs to another job/)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refuses a run sent to another endpoint or over another transport; accepts another user of the same one", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "job.journal")
      yield* Effect.scoped(
        Effect.flatMap(Journal.open(file, job), (journal) => journal.record([{ line: 1, status: "CREATED", id: 10 }]))
      )
      const header = Journal.decodeLine(readFileSync(file, "utf8").split("\n")[0] ?? "") as {
        readonly job?: { readonly destination?: unknown }
      }
      // Where the job went, and never a secret.
      expect(header.job?.destination).toEqual(job.destination)
      const elsewhere = [
        { transport: "soap", endpoint: "http://127.0.0.1:9090/soap/mktows/3_1", user: "demo" },
        { transport: "rest", endpoint: "http://127.0.0.1:8080/rest", user: "client" }
      ] as const
      for (const destination of elsewhere) {
        const refused = yield* Effect.flip(Effect.scoped(Journal.open(file, { ...job, destination })))
        expect(refused._tag).toBe("JournalError")
        expect(refused.message).toContain(
          `it belongs to a job sent to SOAP http://127.0.0.1:8080/soap/mktows/3_1 (user id demo), and this run goes to ${
            destination.transport === "rest" ? "REST" : "SOAP"
          } ${destination.endpoint}`
        )
        expect(refused.message).toContain("run the command with a new --journal path (or remove this journal)")
      }
      // Refused before anything was added to it.
      expect(readFileSync(file, "utf8").trimEnd().split("\n").length).toBe(2)
      const sameInstance = yield* Effect.scoped(
        Effect.flatMap(
          Journal.open(file, { ...job, destination: { ...job.destination, user: "another-api-user" } }),
          (journal) => journal.previous(1)
        )
      )
      expect(sameInstance._tag).toBe("Done")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a journal of an older mktows, with no destination, is used with a warning that it cannot be checked", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "old.journal")
      const { destination: _, ...old } = job
      writeFileSync(
        file,
        Journal.encodeLine({ t: "job", v: 1, job: old }) +
          Journal.encodeLine({ t: "done", outcomes: [{ line: 1, status: "CREATED", id: 10 }] })
      )
      const warnings: Array<string> = []
      const keep = (...args: ReadonlyArray<unknown>) => Effect.sync(() => void warnings.push(args.join(" ")))
      const previous = yield* Console.consoleWith((base) =>
        Effect.withConsole(
          Effect.scoped(Effect.flatMap(Journal.open(file, job), (journal) => journal.previous(1))),
          { ...base, error: keep }
        )
      )
      expect(previous).toEqual({ _tag: "Done", outcome: { line: 1, status: "CREATED", id: 10 } })
      expect(warnings).toEqual([
        `mktows: warning: journal ${file} was started by an older mktows, which did not record where its job was sent: it cannot be checked that this run goes to the same Marketo (this run: SOAP http://127.0.0.1:8080/soap/mktows/3_1 (user id demo)). If that job went to another instance or transport, stop now and start with a new --journal.`
      ])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a record once started is written whole, even when the job gives up on its chunk meanwhile", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "job.journal")
      const disk = yield* halvedWrites
      yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* Journal.open(file, job)
        // Given up half way (a chunk held back as the job stops), while other chunks go on.
        yield* disk.interruptedHalfway(journal.intend([1, 2]))
        yield* journal.record([{ line: 3, status: "CREATED", id: 12 }])
      })).pipe(Effect.provideService(FileSystem.FileSystem, disk.fs))
      const lines = readFileSync(file, "utf8").trimEnd().split("\n")
      expect(lines.every((line) => Journal.decodeLine(line) !== undefined)).toBe(true)
      const after = yield* Effect.scoped(
        Effect.flatMap(Journal.open(file, job), (journal) => Effect.forEach([1, 2, 3], journal.previous))
      )
      expect(after).toEqual([{ _tag: "Doubt", sentAt: 0 }, { _tag: "Doubt", sentAt: 0 }, {
        _tag: "Done",
        outcome: { line: 3, status: "CREATED", id: 12 }
      }])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a report's block of rows once started is written whole, even when Ctrl-C comes meanwhile", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "report.ndjson")
      const disk = yield* halvedWrites
      yield* Effect.scoped(Effect.gen(function*() {
        const report = yield* Report.open(file, "ndjson")
        yield* disk.interruptedHalfway(Effect.suspend(() => report.write([{ line: 1, status: "CREATED", id: 10 }])))
        // What a stop then reports.
        yield* report.write([{ line: 2, status: "IN_DOUBT", error: "stopped" }])
        yield* report.commit
      })).pipe(Effect.provideService(FileSystem.FileSystem, disk.fs))
      expect(readNdjson(file).map((row) => [row["line"], row["status"]])).toEqual([[1, "CREATED"], [2, "IN_DOUBT"]])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refuses a journal whose header line is missing or damaged, whatever follows it", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "job.journal")
      yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* Journal.open(file, job)
        yield* journal.intend([1, 2])
        yield* journal.record([{ line: 1, status: "CREATED", id: 10 }, { line: 2, status: "CREATED", id: 11 }])
      }))
      const [, ...rest] = readFileSync(file, "utf8").split("\n")
      for (const first of ["", "0123456789abcdef {\"t\":\"job\"", "garbage"]) {
        writeFileSync(file, [...(first === "" ? [] : [first]), ...rest].join("\n"))
        const error = yield* Effect.flip(Effect.scoped(Journal.open(file, job)))
        expect(error.message).toMatch(/does not name a job|line 1 is damaged/)
      }
      // An empty journal (a crash before its header was written) starts afresh.
      writeFileSync(file, "")
      const fresh = yield* Effect.scoped(Effect.flatMap(Journal.open(file, job), (j) => j.previous(1)))
      expect(fresh).toEqual({ _tag: "New" })
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refuses a journal of another format, and changes nothing in it", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "job.journal")
      yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* Journal.open(file, job)
        yield* journal.intend([1])
        yield* journal.record([{ line: 1, status: "CREATED", id: 10 }])
      }))
      const [, ...rest] = readFileSync(file, "utf8").split("\n")
      for (const v of [2, "1", null]) {
        const content = [Journal.encodeLine({ t: "job", v, job }).trimEnd(), ...rest].join("\n")
        writeFileSync(file, content)
        const error = yield* Effect.flip(Effect.scoped(Journal.open(file, job)))
        expect(error.message).toContain(`it is in journal format ${JSON.stringify(v)}, and this mktows reads format 1`)
        expect(readFileSync(file, "utf8")).toBe(content)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a line in doubt was sent when it was first sent since its last outcome, by the lines each send listed", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "job.journal")
      const step = (f: (journal: Journal.Journal) => Effect.Effect<void, Journal.JournalError>) =>
        Effect.scoped(Effect.flatMap(Journal.open(file, job), f))
      // Lines 1 to 3 sent at 0 and never answered; at 5 s, 1 and 3 are sent again (2 is not,
      // though it lies between them); at 9 s, 4 is sent, answered FAILED, and sent again at 12 s.
      yield* step((j) => j.intend([1, 2, 3]))
      yield* TestClock.adjust("5 seconds")
      yield* step((j) => j.intend([1, 3]))
      yield* TestClock.adjust("4 seconds")
      yield* step((j) => Effect.zipRight(j.intend([4]), j.record([{ line: 4, status: "FAILED", error: "x" }])))
      yield* TestClock.adjust("3 seconds")
      yield* step((j) => j.intend([4]))
      const seen = yield* Effect.scoped(
        Effect.flatMap(Journal.open(file, job), (journal) => Effect.forEach([1, 2, 3, 4], journal.previous))
      )
      expect(seen).toEqual([
        { _tag: "Doubt", sentAt: 0 },
        { _tag: "Doubt", sentAt: 0 },
        { _tag: "Doubt", sentAt: 0 },
        { _tag: "Doubt", sentAt: 12_000 }
      ])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a line sent again after FAILED: in doubt until its new outcome, then the new outcome", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "job.journal")
      const step = (f: (journal: Journal.Journal) => Effect.Effect<void, Journal.JournalError>) =>
        Effect.scoped(Effect.flatMap(Journal.open(file, job), f))
      const look = Effect.scoped(
        Effect.flatMap(Journal.open(file, job), (journal) => Effect.forEach([1, 2], journal.previous))
      )
      yield* step((j) =>
        Effect.zipRight(
          j.intend([1, 2]),
          j.record([{ line: 1, status: "FAILED", error: "unknown field" }, { line: 2, status: "CREATED", id: 2 }])
        )
      )
      // Sent again later: in doubt since its latest send.
      yield* TestClock.adjust("5 seconds")
      yield* step((j) => j.intend([1]))
      expect(yield* look).toEqual([
        { _tag: "Doubt", sentAt: 5_000 },
        { _tag: "Done", outcome: { line: 2, status: "CREATED", id: 2 } }
      ])
      yield* step((j) => j.record([{ line: 1, status: "CREATED", id: 1 }]))
      expect(yield* look).toEqual([
        { _tag: "Done", outcome: { line: 1, status: "CREATED", id: 1 } },
        { _tag: "Done", outcome: { line: 2, status: "CREATED", id: 2 } }
      ])
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("journal lock", () => {
  const job = insertJob(1, "lock")

  it.scoped("a journal in use is refused, and free again once its job ends", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "locked.journal")
      yield* Effect.scoped(Effect.gen(function*() {
        yield* Journal.open(file, job)
        expect(readFileSync(`${file}.lock`, "utf8")).toBe(`${process.pid}@${hostname()}`)
        const second = yield* Effect.flip(Effect.scoped(Journal.open(file, job)))
        expect(second._tag).toBe("JournalError")
        expect(second.message).toContain(`another mktows (${process.pid}@${hostname()}) is using this journal`)
        expect(second.message).toContain(`delete ${file}.lock`)
      }))
      expect(existsSync(`${file}.lock`)).toBe(false)
      yield* Effect.scoped(Journal.open(file, job))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a lock left by a process that is gone is taken over; another host's is refused", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "stale.journal")
      // A process that has exited: its pid names no live process.
      const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"])
      const deadPid = Number(child.stdout.toString())
      writeFileSync(`${file}.lock`, `${deadPid}@${hostname()}`)
      yield* Effect.scoped(Effect.gen(function*() {
        yield* Journal.open(file, job)
        expect(readFileSync(`${file}.lock`, "utf8")).toBe(`${process.pid}@${hostname()}`)
      }))
      writeFileSync(`${file}.lock`, `${deadPid}@another-host.example`)
      const refused = yield* Effect.flip(Effect.scoped(Journal.open(file, job)))
      expect(refused.message).toContain(`another mktows (${deadPid}@another-host.example)`)
      // Refusing leaves the other host's lock where it is.
      expect(readFileSync(`${file}.lock`, "utf8")).toBe(`${deadPid}@another-host.example`)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("an empty lock, left by a process killed while creating it, is taken over", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "empty-lock.journal")
      writeFileSync(`${file}.lock`, "")
      yield* Effect.scoped(Effect.gen(function*() {
        yield* Journal.open(file, job)
        expect(readFileSync(`${file}.lock`, "utf8")).toBe(`${process.pid}@${hostname()}`)
      }))
      expect(existsSync(`${file}.lock`)).toBe(false)
      // The lock is made under a name of the process's own, linked to the lock's: none is left.
      expect(readdirSync(dirname(file)).filter((name) => name.startsWith("empty-lock.journal.lock"))).toEqual([])
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("journal, resumed", () => {
  const job = insertJob(1, "model")
  const statuses = ["CREATED", "FAILED", "IN_DOUBT"] as const

  // Runs of a job, each opening the journal, sending chunks of lines that have no definite
  // outcome yet, and recording some of their outcomes (a kill can cut a run anywhere).
  // After each run, `previous` must say what a model of "the latest outcome per line" says.
  it.effect.prop(
    "tells each line's latest state, whatever the runs recorded",
    {
      runs: fc.array(
        fc.array(
          fc.record({
            lines: fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }),
            answered: fc.array(fc.constantFrom(...statuses), { maxLength: 8 })
          }),
          { maxLength: 5 }
        ),
        { minLength: 1, maxLength: 4 }
      )
    },
    ({ runs }) =>
      Effect.gen(function*() {
        const file = join(scratch(), "job.journal")
        const definite = new Map<number, Journal.LineOutcome>()
        const doubt = new Set<number>()
        const lines = Array.from({ length: 60 }, (_, i) => i + 1)
        const expected = () =>
          lines.map((line) => {
            const outcome = definite.get(line)
            return outcome !== undefined
              ? { _tag: "Done", outcome }
              : doubt.has(line)
              ? { _tag: "Doubt", sentAt: 0 }
              : { _tag: "New" }
          })
        for (const chunks of [...runs, []]) {
          const before = expected()
          const seen = yield* Effect.scoped(Effect.gen(function*() {
            const journal = yield* Journal.open(file, job)
            const previous = yield* Effect.forEach(lines, journal.previous)
            for (const chunk of chunks) {
              const open = chunk.lines.filter((line) => !definite.has(line))
              yield* journal.intend(open)
              for (const line of open) doubt.add(line)
              const outcomes = open.flatMap((line, i): Array<Journal.LineOutcome> => {
                const status = chunk.answered[i]
                return status === undefined ? [] : [{ line, status, id: line * 10 }]
              })
              yield* journal.record(outcomes)
              for (const outcome of outcomes) {
                if (outcome.status !== "IN_DOUBT") definite.set(outcome.line, outcome)
              }
            }
            return previous
          }))
          expect(seen).toEqual(before)
        }
      }).pipe(Effect.provide(NodeFileSystem.layer)),
    // Every record is fsync'd: fewer runs than the default keep this test short.
    { fastCheck: { numRuns: 40 } }
  )

  it("keeps a bit per line", () => {
    const bits = new Journal.LineBits()
    for (let line = 1; line <= 1_000_000; line += 3) bits.add(line)
    // It grows by doubling: at most twice the bitmap of the largest line.
    expect(bits.size).toBeLessThanOrEqual(2 * (1_000_000 / 8))
    expect([1, 2, 3, 4, 999_997, 999_998].map((line) => bits.has(line))).toEqual([
      true,
      false,
      false,
      true,
      true,
      false
    ])
  })
})

describe("--rate-limit", () => {
  it.effect.prop(
    "reads any CALLS/SECONDS back",
    { calls: fc.integer({ min: 1, max: 10_000_000 }), millis: fc.integer({ min: 1, max: 3_600_000 }) },
    ({ calls, millis }) =>
      Effect.gen(function*() {
        const limit = yield* Connection.parseRateLimit(`${calls}/${millis / 1000}`)
        expect(limit).toEqual({ calls, seconds: millis / 1000 })
      })
  )

  it.effect("refuses what is not CALLS/SECONDS, as a usage error", () =>
    Effect.gen(function*() {
      for (const text of ["", "100", "0/20", "100/0", "-1/20", "1.5/20", "100/20s", "100/-1", "a/b", "100/20/3"]) {
        const error = yield* Effect.flip(Connection.parseRateLimit(text))
        expect(error.code).toBe(2)
      }
      expect(yield* Connection.parseRateLimit(" 100 / 20 ")).toEqual({ calls: 100, seconds: 20 })
    }))
})

describe("core's in-doubt and stop rules, as the jobs use them", () => {
  it("ambiguous: a timeout, a connection lost after sending, Marketo's internal errors; fatal: auth and quota", () => {
    const cases: ReadonlyArray<readonly [MarketoError.CallError, boolean, boolean]> = [
      [new MarketoError.TimeoutError({ operation: "syncMObjects", timeout: Duration.seconds(1) }), true, false],
      [new MarketoError.TransportError({ reason: "Connection", operation: "s", ambiguous: true }), true, false],
      [new MarketoError.TransportError({ reason: "Connection", operation: "s", ambiguous: false }), false, false],
      [new MarketoError.MarketoFault({ code: 20011, faultString: "internal" }), true, false],
      [new MarketoError.MarketoFault({ code: 20023, faultString: "rate" }), false, false],
      [new MarketoError.AuthFault({ code: 20014, faultString: "auth" }), false, true],
      [new MarketoError.QuotaExceeded({ faultString: "quota", resetsAt: new Date(0) }), false, true],
      [new MarketoError.ProtocolError({ reason: "NotXml", detail: "d", received: "r" }), false, false]
    ]
    for (const [error, ambiguous, fatal] of cases) {
      expect([error._tag, MarketoError.isAmbiguous(error), MarketoError.isFatal(error)]).toEqual([
        error._tag,
        ambiguous,
        fatal
      ])
    }
  })
})

describe("the summary", () => {
  const window = { calls: 100, millis: 20_000 }
  const counted = (statuses: ReadonlyArray<string>, sent: number) => {
    const counters = Progress.make(statuses.length, window)
    for (const status of statuses) Progress.count(counters, status)
    counters.sent = sent
    return counters
  }

  it("gives the rate of the rows sent, and why the others were not", () => {
    fc.assert(fc.property(
      fc.nat({ max: 500 }),
      fc.nat({ max: 50 }),
      fc.nat({ max: 500 }),
      fc.integer({ min: 1, max: 100_000 }),
      (sent, invalid, journaled, millis) => {
        const statuses = [
          ...Array.from({ length: sent }, () => "CREATED"),
          ...Array.from({ length: invalid }, () => "INVALID"),
          ...Array.from({ length: journaled }, () => "UPDATED")
        ]
        const last = Progress.summary(counted(statuses, sent), millis).split("\n").at(-1) ?? ""
        expect(last.startsWith(`sent ${sent.toLocaleString("en-US")} row(s) in `)).toBe(true)
        // No rate when nothing was sent: rows settled without a call are no speed.
        expect(last.includes("sent/s")).toBe(sent > 0)
        if (sent > 0) {
          expect(last).toContain(`(${Math.round(sent / (millis / 1000)).toLocaleString("en-US")} sent/s)`)
        }
        const why = [
          ...(invalid > 0 ? [`${invalid} invalid`] : []),
          ...(journaled > 0
            ? [
              `${
                journaled.toLocaleString("en-US")
              } settled without a call (the journal, a read-back or a report's status)`
            ]
            : [])
        ]
        if (why.length === 0) expect(last).not.toContain("not sent")
        else expect(last).toContain(`; ${(invalid + journaled).toLocaleString("en-US")} not sent (${why.join(", ")})`)
      }
    ))
  })

  it("while Marketo's window holds the calls back, the ETA is never before the window frees", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 19_999 }),
      fc.integer({ min: 1, max: 5_000 }),
      (sinceFirstEnd, done) => {
        const counters = Progress.make(done + 1_000, window)
        for (let i = 0; i < done; i++) Progress.count(counters, "CREATED")
        counters.pending = 1
        // A full window of call ends, the first `sinceFirstEnd` ms ago: the next call waits for it.
        const now = 1_000_000
        for (let i = 0; i < window.calls; i++) counters.callEnds.push(now - sinceFirstEnd)
        const line = Progress.line(counters, now - 2_000, now)
        expect(line).toContain("waiting for Marketo's rate window")
        const [m, s] = (/ETA (\d+):(\d\d)/.exec(line) ?? []).slice(1).map(Number)
        expect((m ?? 0) * 60 + (s ?? 0)).toBeGreaterThanOrEqual(Math.round((window.millis - sinceFirstEnd) / 1000))
      }
    ))
  })

  it("once the job is stopping, says it waits for the calls already sent while any is out; no ETA, no window wait", () => {
    fc.assert(fc.property(fc.nat({ max: 10 }), fc.boolean(), (pending, full) => {
      const counters = Progress.make(1_000, window)
      for (let i = 0; i < 100; i++) Progress.count(counters, "CREATED")
      counters.pending = pending
      const now = 1_000_000
      if (full) { for (let i = 0; i < window.calls; i++) counters.callEnds.push(now - 10) }
      counters.stopping = true
      const line = Progress.line(counters, now - 2_000, now)
      expect(line.includes("stopping: waiting for the calls already sent")).toBe(pending > 0)
      expect(line).not.toContain("ETA")
      expect(line).not.toContain("waiting for Marketo's rate window")
    }))
  })
})

describe("delete's rows", () => {
  const read = (
    text: string,
    format: "csv" | "ndjson",
    options: { readonly transport?: "soap" | "rest"; readonly type?: "Opportunity" } = {}
  ) =>
    Effect.gen(function*() {
      const file = join(scratch(), `refs.${format}`)
      writeFileSync(file, text)
      const rows = yield* Stream.runCollect(Deletes.readRows({
        file,
        format,
        type: Option.fromNullable(options.type),
        chunkSize: 100,
        transport: options.transport ?? "rest",
        report: Option.none(),
        journal: Option.none(),
        rateWindow: { calls: 100, millis: 20_000 },
        tty: false,
        maxFailures: 1,
        skipInvalid: false,
        reportColumns: "standard",
        command: "mktows delete",
        destination: { transport: options.transport ?? "rest", endpoint: "http://127.0.0.1:8080/rest" }
      }))
      return Chunk.toReadonlyArray(rows).map((row) =>
        row.valid
          ? row.object
          : row.pass !== undefined
          ? { pass: row.pass }
          : { problems: row.problems.map((p) => `${p.field}: ${p.message}`) }
      )
    }).pipe(Effect.provide(NodeFileSystem.layer))

  it.effect("a sync's report names each row by its NAME=VALUE key over REST, by its id over SOAP", () =>
    Effect.gen(function*() {
      const report = [
        "line,status,id,externalKey,error",
        "2,CREATED,,externalOpportunityId=OPP-1,",
        "3,CREATED,,externalOpportunityId=a=b,",
        "4,UPDATED,,OPP-3,",
        "5,CREATED,7,externalOpportunityId=OPP-4,"
      ].join("\n")
      expect(yield* read(report, "csv", { type: "Opportunity" })).toEqual([
        { type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "OPP-1" } },
        // Split at the first `=`: a key's value may hold one.
        { type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "a=b" } },
        { problems: ["externalKey: expected NAME=VALUE, as mktows's report writes a key, got \"OPP-3\""] },
        { type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "OPP-4" } }
      ])
      expect((yield* read(report, "csv", { type: "Opportunity", transport: "soap" })).at(-1)).toEqual({
        type: "Opportunity",
        id: 7
      })
    }))

  it.effect("a sync's report deletes only what the sync stored: a SKIPPED row's object was there before it", () =>
    Effect.gen(function*() {
      const statuses = ["CREATED", "UPDATED", "UNCHANGED", "SKIPPED", "FAILED", "INVALID", "IN_DOUBT", "DELETED", ""]
      const report = [
        "line,status,id,externalKey,error,Opportunity ID",
        ...statuses.map((status, i) => `${i + 2},${status},${70 + i},externalOpportunityId=OPP-${i},,OPP-${i}`)
      ].join("\n")
      const rows = yield* read(report, "csv", { type: "Opportunity", transport: "soap" })
      expect(rows.slice(0, 3)).toEqual([70, 71, 72].map((id) => ({ type: "Opportunity", id })))
      expect(rows.slice(3).map((row) => "pass" in row && row.pass)).toEqual([
        "not deleted: the report says SKIPPED: the sync left its object as it was (there before it, or created by another row of the file)",
        "not deleted: the report says FAILED: the sync stored nothing for this row",
        "not deleted: the report says INVALID: the sync stored nothing for this row",
        "not deleted: the report says IN_DOUBT: the sync does not know whether it stored it: check, then delete it by its id or key",
        "not deleted: the report says DELETED: it was deleted",
        "not deleted: the report says no status: the sync stored nothing for this row"
      ])
      // A file that is no report of mktows keeps its own "status" column as data.
      const other = "type,id,status\nOpportunity,5,SKIPPED\n"
      expect(yield* read(other, "csv", { transport: "soap" })).toEqual([{ type: "Opportunity", id: 5 }])
    }))

  it.effect("over REST a CSV row is named by its one external key, never by an id; anything else says why", () =>
    Effect.gen(function*() {
      const rows = yield* read(
        [
          "Type,ID,externalKey.externalOpportunityId,externalKey.marketoGUID",
          "Opportunity,64,OPP-1,",
          "Opportunity,,OPP-2,",
          "OpportunityPersonRole, ,,g-3",
          "OpportunityPersonRole,,OPP-R,",
          "Opportunity,,OPP-4,g-4",
          "Opportunity,,  ,",
          "Lead,,OPP-6,",
          "Opportunity,64,,",
          "Opportunity,x,,",
          "opportunity,,OPP-9,"
        ].join("\n"),
        "csv"
      )
      expect(rows).toEqual([
        { type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "OPP-1" } },
        { type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "OPP-2" } },
        { type: "OpportunityPersonRole", externalKey: { name: "marketoGUID", value: "g-3" } },
        // What REST cannot delete by, refused in this pass with the transport's own words.
        {
          problems: [
            "externalKey.name: REST identifies OpportunityPersonRole by marketoGUID, not by 'externalOpportunityId'"
          ]
        },
        { problems: ["externalKey: 2 external keys (externalOpportunityId, marketoGUID): give one"] },
        { problems: ["id: no external key and no id: give one"] },
        {
          problems: [
            "type: expected Opportunity or OpportunityPersonRole, got \"Lead\" (if this file is an export of get, its type column is the object's own Type field: pass --type to name the MObject type)"
          ]
        },
        {
          problems: [
            "id: REST has no integer ids for Opportunity: name it by externalKey externalOpportunityId or marketoGUID"
          ]
        },
        { problems: ["id: expected a Marketo id (1 to 2147483647), got \"x\""] },
        { problems: ["type: expected Opportunity or OpportunityPersonRole, got \"opportunity\" (written Opportunity)"] }
      ])
    }))

  it.effect("over SOAP a row is named by its id (deleteMObjects requires it); --type reads a type column only for a conflict", () =>
    Effect.gen(function*() {
      const csv = [
        "id,type,externalKey.externalOpportunityId",
        "7,Renewal,OPP-7",
        ",Renewal,OPP-8",
        "9,OpportunityPersonRole,",
        "10,Opportunity,"
      ].join("\n")
      expect(yield* read(csv, "csv", { transport: "soap", type: "Opportunity" })).toEqual([
        { type: "Opportunity", id: 7 },
        { problems: ["id: no id: over SOAP, Marketo deletes by id only"] },
        { problems: ["type: the row is of type OpportunityPersonRole, --type says Opportunity"] },
        { type: "Opportunity", id: 10 }
      ])
      const header = yield* Effect.flip(read("id\n7\n", "csv"))
      expect(header.message).toContain(
        "the header must have the columns type (or pass --type) and id or externalKey.NAME"
      )
      // With --type, no type column is needed.
      expect(yield* read("id\n7\n", "csv", { transport: "soap", type: "Opportunity" })).toEqual([
        { type: "Opportunity", id: 7 }
      ])
    }))

  it.effect("an NDJSON row is read as the library's DeleteRef; an export's _tag is its type, its type a field", () =>
    Effect.gen(function*() {
      const rows = yield* read(
        [
          JSON.stringify({ type: "Opportunity", id: 64 }),
          JSON.stringify({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "OPP-1" } }),
          JSON.stringify({ _tag: "Opportunity", type: "Renewal", externalKey: { name: "marketoGUID", value: "g" } }),
          JSON.stringify({ type: "Opportunity", externalKey: "OPP-2" })
        ].join("\n"),
        "ndjson"
      )
      expect(rows).toEqual([
        {
          problems: [
            "id: REST has no integer ids for Opportunity: name it by externalKey externalOpportunityId or marketoGUID"
          ]
        },
        { type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "OPP-1" } },
        { type: "Opportunity", externalKey: { name: "marketoGUID", value: "g" } },
        { problems: ["externalKey: expected {\"name\", \"value\"} texts, got \"OPP-2\""] }
      ])
      // An export of roles deleted as opportunities: refused row by row.
      const roles = JSON.stringify({ _tag: "OpportunityPersonRole", id: 30 })
      expect(yield* read(roles, "ndjson", { transport: "soap", type: "Opportunity" })).toEqual([
        { problems: ["type: the row is of type OpportunityPersonRole, --type says Opportunity"] }
      ])
    }))
})

describe("an error as the command says it", () => {
  it("an endpoint out of reach names the setting that points at it; other errors are said as they are", () => {
    const refused = (operation: string) =>
      new MarketoError.TransportError({
        reason: "Connection",
        operation,
        description: "ECONNREFUSED",
        ambiguous: false
      })
    expect(Connection.explain(refused("identity"))).toBe(
      "identity: could not reach the endpoint: ECONNREFUSED (check MARKETO_IDENTITY_ENDPOINT: by default the /identity beside MARKETO_REST_ENDPOINT's /rest)"
    )
    expect(Connection.explain(refused("syncMObjects"))).toContain(
      "(check MARKETO_REST_ENDPOINT over REST, MARKETO_SOAP_ENDPOINT (--endpoint) over SOAP)"
    )
    // A job knows its transport: the hint names that one's setting only.
    expect(Connection.explain(refused("syncMObjects"), "soap")).toMatch(
      /\(check MARKETO_SOAP_ENDPOINT \(--endpoint\)\)$/
    )
    expect(Connection.explain(refused("syncMObjects"), "rest")).toMatch(
      /\(check MARKETO_REST_ENDPOINT, which ends in \/rest\)$/
    )
    const status = new MarketoError.TransportError({
      reason: "Status",
      operation: "identity",
      status: 500,
      excerpt: "down",
      ambiguous: false
    })
    expect(Connection.explain(status)).toBe(status.message)
    const fault = new MarketoError.MarketoFault({ code: 20023, faultString: "20023 - Rate limit" })
    expect(Connection.explain(fault)).toBe(fault.message)
  })
})

describe("a walkthrough's findings", () => {
  it.effect("a --map-file that is not a mapping is refused in a sentence naming the file, not a decode tree", () =>
    Effect.gen(function*() {
      const dir = scratch()
      const cases: ReadonlyArray<readonly [string, RegExp]> = [
        [`{"Amount": 5, "Name": "name"}`, /'Amount' maps to 5, not to a field name or null/],
        [`["name"]`, /it holds an array/],
        [`{"Name": "name",`, /it is not JSON \(/]
      ]
      for (const [text, what] of cases) {
        const file = join(dir, "bad.json")
        writeFileSync(file, text)
        const error = yield* Effect.flip(Mapping.readFile(file))
        expect(error.code).toBe(2)
        expect(error.detail).toMatch(new RegExp(`^--map-file ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `))
        expect(error.detail).toMatch(what)
        expect(error.detail).toContain("expected one JSON object from each column to a field name, or to null")
        // Effect Schema's own words stay out of it.
        expect(error.detail).not.toMatch(/└─|parseJson|readonly \[x: string\]/)
      }
      // Many bad columns: a few are named, the rest counted.
      const many = join(dir, "many.json")
      writeFileSync(many, JSON.stringify(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`C${i}`, i]))))
      const error = yield* Effect.flip(Mapping.readFile(many))
      expect(error.detail).toContain("'C0' maps to 0, 'C1' maps to 1, 'C2' maps to 2 (and 5 more)")
      // A good one still reads, null and all.
      writeFileSync(many, `{" Opportunity Name ": "name", "Account Name": null}`)
      expect([...(yield* Mapping.readFile(many))]).toEqual([["Opportunity Name", "name"], ["Account Name", null]])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it("a header of several unknown columns lists the type's fields once, after them", () => {
    const header = Columns.parseHeader("Opportunity", ["nme", "amnt", "externalKey.externalId", "stge"])
    if (!("problems" in header)) return expect.fail("a header of unknown columns was read")
    const text = header.problems.join("; ")
    for (const name of ["nme", "amnt", "stge"]) expect(text).toContain(`Opportunity has no field '${name}'`)
    expect(text.split("externalCreatedDate").length - 1).toBe(1)
    expect(header.problems.slice(-2)).toEqual([
      `the fields of Opportunity: ${Columns.fieldNames("Opportunity").join(", ")}`,
      "map the file's headers to fields with --map or --map-file"
    ])
    // A header whose problems are of another kind lists no fields.
    const other = Columns.parseHeader("Opportunity", ["name", "name"])
    expect("problems" in other && other.problems.join("; ")).not.toContain("the fields of")
  })

  it("an export writes every instant alike: Marketo's createdAt and updatedAt as its datetime fields", () => {
    fc.assert(fc.property(
      fc.date({ min: new Date("1971-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }),
      fc.constantFrom("soap", "rest", "offset"),
      (when, form) => {
        const whole = new Date(Math.floor(when.getTime() / 1000) * 1000)
        const iso = whole.toISOString()
        // As the transports answer them: SOAP `+00:00`, REST `Z`, Marketo's own zone an offset.
        const minus8 = new Date(whole.getTime() - 8 * 3_600_000).toISOString().slice(0, 19)
        const answered = form === "soap"
          ? iso.replace(/\.\d{3}Z$/, "+00:00")
          : form === "rest"
          ? iso.replace(/\.\d{3}Z$/, "Z")
          : `${minus8}-08:00`
        const plain = Read.toPlain({ createdAt: answered, updatedAt: answered, externalCreatedDate: whole }) as {
          readonly [key: string]: unknown
        }
        expect(plain["createdAt"]).toBe(iso)
        expect(plain["updatedAt"]).toBe(iso)
        expect(plain["externalCreatedDate"]).toBe(iso)
      }
    ))
    const createdAt = (text: string) => (Read.toPlain({ createdAt: text }) as { readonly createdAt: unknown }).createdAt
    // Text that is no time is kept as Marketo wrote it, not lost; so is a time without an offset,
    // which names no instant; milliseconds are kept.
    expect(createdAt("soon")).toBe("soon")
    expect(createdAt("2015-05-08T04:47:30")).toBe("2015-05-08T04:47:30")
    expect(createdAt("2015-05-08T04:47:30.123+00:00")).toBe("2015-05-08T04:47:30.123Z")
    expect(createdAt("2015-05-08T04:47:30.5-08:00")).toBe("2015-05-08T12:47:30.500Z")
  })
})

describe("rows in doubt, read back", () => {
  const window = { calls: 100, millis: 20_000 }

  it.scoped("a journal counts the lines it holds in doubt: sent without an outcome, or IN_DOUBT", () =>
    Effect.gen(function*() {
      const file = join(scratch(), "job.journal")
      const job: Journal.Job = {
        command: "sync",
        type: "Opportunity",
        operation: "INSERT",
        input: { size: 1, sha256: "x" },
        destination: { transport: "soap", endpoint: "memory://x", user: "u" }
      }
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* Journal.open(file, job)
        expect(journal.inDoubt).toBe(0)
        // 1-3 answered; 4-6 IN_DOUBT; 7-9 sent, never answered (a crash); 10-12 refused by a stop.
        yield* journal.intend([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        yield* journal.record([1, 2, 3].map((line) => ({ line, status: "CREATED" as const })))
        yield* journal.record([4, 5, 6].map((line) => ({ line, status: "IN_DOUBT" as const })))
        yield* journal.unsent([10, 11, 12])
        return journal.inDoubt
      }))
      expect(first).toBe(0)
      const again = yield* Journal.open(file, job)
      expect(again.inDoubt).toBe(6)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it("the progress line says it settles them, counts them, and its ETA is there and never sooner than their calls", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5_000 }),
      fc.nat({ max: 5_000 }),
      fc.nat({ max: 5_000 }),
      fc.integer({ min: 1, max: 600_000 }),
      (inDoubt, readFrac, done, elapsed) => {
        const counters = Progress.make(done + inDoubt + 1, window)
        for (let i = 0; i < done; i++) Progress.count(counters, "CREATED")
        counters.inDoubt = inDoubt
        counters.settled = readFrac % (inDoubt + 1)
        const now = 10_000_000
        const line = Progress.line(counters, now - elapsed, now)
        const reading = counters.settled < inDoubt
        expect(line.includes(
          `settling rows left in doubt (read back by key): ${counters.settled.toLocaleString("en-US")}/${
            inDoubt.toLocaleString("en-US")
          }`
        )).toBe(reading)
        const eta = /ETA (\d+):(\d\d)/.exec(line)
        if (reading) {
          // Even before any row is done (no rate yet), the reads left give one.
          expect(eta).not.toBeNull()
          const seconds = Number(eta?.[1]) * 60 + Number(eta?.[2])
          const calls = inDoubt - counters.settled
          expect(seconds).toBeGreaterThanOrEqual(Math.round(calls * window.millis / window.calls / 1000))
        }
        // Once the job is stopping, it reads nothing more back: not said.
        counters.stopping = true
        expect(Progress.line(counters, now - elapsed, now)).not.toContain("settling rows")
      }
    ))
  })

  it("the summary says how many were settled first", () => {
    const counters = Progress.make(3, window)
    for (const status of ["CREATED", "CREATED", "CREATED"]) Progress.count(counters, status)
    expect(Progress.summary(counters, 1_000)).not.toContain("in doubt")
    counters.inDoubt = 2
    counters.settled = 2
    expect(Progress.summary(counters, 1_000)).toContain(
      "; 2 row(s) an earlier run left in doubt settled first (read back by their external key where they have one)"
    )
  })
})
