/**
 * The command line in-process, where a process is not needed to see it: what a command's help
 * says, how a global flag's bad value is refused, that the README's synopsis lists every flag
 * the help lists, and how a row's REST refusal names its field.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Sync from "../src/internal/sync.js"
import * as MktowsCli from "../src/MktowsCli.js"

/** Runs `mktows ARGS`: how it ended (an exit code), and what it printed on stdout and stderr. */
const mktows = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const keep = (into: Array<string>) => (...parts: ReadonlyArray<unknown>) =>
      Effect.sync(() => void into.push(parts.map(String).join(" ")))
    const exit = yield* Console.consoleWith((base) =>
      // As the bin runs it: an error is reported on stderr.
      Effect.withConsole(MktowsCli.run(["node", "mktows", ...args]).pipe(Effect.tapError(MktowsCli.report)), {
        ...base,
        log: keep(stdout),
        info: keep(stdout),
        error: keep(stderr),
        warn: keep(stderr)
      })
    ).pipe(Effect.either)
    return {
      code: exit._tag === "Right" ? 0 : MktowsCli.exitCode(exit.left),
      stdout: stdout.join("\n"),
      stderr: stderr.join("\n")
    }
  }).pipe(Effect.provide(NodeContext.layer))

describe("get --include-details", () => {
  it.effect("says what it adds: a Program's createdAt and updatedAt over SOAP, not its costs and tags", () =>
    Effect.gen(function*() {
      const help = yield* mktows(["get", "--help"])
      expect(help.code).toBe(0)
      const text = help.stdout.replace(/\s+/g, " ")
      expect(text).toContain("Programs over SOAP: also read each Program's createdAt and updatedAt")
      expect(text).not.toContain("a Program's costs and tags)")
    }))
})

describe("sync --time-zone", () => {
  it.effect("says how each kind of field reads a time without an offset: a date keeps its day, a date-time is wall time", () =>
    Effect.gen(function*() {
      const help = yield* mktows(["sync", "--help"])
      expect(help.code).toBe(0)
      const text = help.stdout.replace(/\s+/g, " ")
      expect(text).toContain(
        "A date field (closeDate) takes the calendar day in this zone of a date-time with an offset"
      )
      expect(text).toContain(
        "A date-time field (externalCreatedDate) takes a date-time without an offset, or a date alone (its midnight), as the wall time in this zone"
      )
    }))
})

describe("--log-level", () => {
  it.effect("a value it does not take is refused naming the flag and its values, exit 2", () =>
    Effect.gen(function*() {
      for (const args of [["--log-level", "bogus", "list"], ["--log-level=Debug", "list"]]) {
        const run = yield* mktows(args)
        expect(run.code).toBe(2)
        expect(run.stderr).toMatch(
          /--log-level '(bogus|Debug)' is not one of: all, trace, debug, info, warning, error, fatal, none/
        )
        expect(run.stderr).not.toContain("Invalid subcommand")
      }
    }))
})

describe("the README's synopsis", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
  const block = /## Command line\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? ""
  /** A command's lines in the synopsis: its own, and those indented under it. */
  const synopsis = (command: string): string => {
    const lines = block.split("\n")
    const at = lines.findIndex((line) => line.startsWith(`mktows ${command} `) || line === `mktows ${command}`)
    const rest = lines.slice(at + 1)
    const end = rest.findIndex((line) => !line.startsWith(" "))
    return at < 0 ? "" : [lines[at], ...rest.slice(0, end < 0 ? rest.length : end)].join("\n")
  }

  for (const command of ["sync", "map", "get", "describe", "list", "delete"]) {
    it.effect(`lists every flag \`mktows ${command} --help\` lists`, () =>
      Effect.gen(function*() {
        const help = yield* mktows([command, "--help"])
        const usage = /\$ mktows [^\n]*/.exec(help.stdout)?.[0] ?? ""
        const flags = [...usage.matchAll(/--[a-z-]+/g)].map((match) => match[0])
        expect(flags.length).toBeGreaterThan(0)
        const own = synopsis(command)
        expect(own).not.toBe("")
        // The connection's flags, which every command that connects takes, are said once for all.
        const missing = flags.filter((flag) =>
          !own.includes(flag) && !(["--endpoint", "--user-id"].includes(flag) && block.includes(flag))
        )
        expect(missing).toEqual([])
      }))
  }
})

describe("sync --type Program", () => {
  it.effect("with an operation other than UPDATE is one usage error, before the file is read", () =>
    Effect.gen(function*() {
      // A file of rows that would each be refused for it: none is read.
      const file = join(mkdtempSync(join(tmpdir(), "mktows-program-")), "programs.csv")
      writeFileSync(file, "id\n1003\n1004\n")
      for (const operation of ["INSERT", "UPSERT"]) {
        const run = yield* mktows(["sync", file, "--type", "Program", "--operation", operation])
        expect(run.code).toBe(2)
        expect(run.stderr).toContain(`--type Program syncs with --operation UPDATE only, not ${operation}`)
        expect(run.stderr).not.toContain("record 1")
      }
    }))
})

describe("--version", () => {
  it.effect("prints the version alone, on one line", () =>
    Effect.gen(function*() {
      const run = yield* mktows(["--version"])
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(MktowsCli.version)
    }))
})

describe("REST's refusals of a row", () => {
  it("name the model's field, as the row's columns do, not the SOAP wire record's", () => {
    const role = OpportunityPersonRole.make({ opportunityId: 1, personId: 2, role: "r" })
    const problems = Sync.restRefusals(role, "UPSERT")
    expect(problems.map((p) => p.field)).toContain("opportunityId")
    expect(problems.map((p) => p.field).join(" ")).not.toContain("attribList")
  })
})

describe("a file written over the input, or over another written file", () => {
  it.effect("is a usage error before anything is read or sent, naming both flags and paths", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "mktows-same-"))
      const input = join(dir, "same.csv")
      const text = "externalKey.externalOpportunityId,name\nS-1,One\n"
      writeFileSync(input, text)
      symlinkSync(input, join(dir, "link.csv"))
      const sync = ["sync", input, "--type", "Opportunity", "--operation", "INSERT"]
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
        [
          [...sync, "--report", input],
          /--report \S+same\.csv and FILE \S+same\.csv are the same file: the report would be written over the input\. Give --report another path/
        ],
        // Written another way: through ./, or a symbolic link to it.
        [[...sync, "--report", `${dir}/./same.csv`], /the report would be written over the input/],
        [[...sync, "--report", join(dir, "link.csv")], /link\.csv and FILE .*same\.csv are the same file \(/],
        // Not "journal same.csv: line 1 is damaged": the input is no journal.
        [
          [...sync, "--journal", input],
          /--journal \S+ and FILE \S+ are the same file: the journal would be written over the input/
        ],
        [
          [...sync, "--report", join(dir, "r.csv"), "--journal", join(dir, "r.csv")],
          /--journal \S+r\.csv and --report \S+r\.csv are the same file: the journal would be written over the report/
        ],
        [["delete", input, "--type", "Opportunity", "--report", input], /the report would be written over the input/],
        [
          ["get", "--type", "Opportunity", "--out", join(dir, "all.ndjson"), "--journal", join(dir, "all.ndjson")],
          /the journal would be written over the export\. Give --journal another path/
        ]
      ]
      for (const [args, message] of cases) {
        const run = yield* mktows(args)
        expect(run.code).toBe(2)
        expect(run.stderr).toMatch(message)
        expect(readFileSync(input, "utf8")).toBe(text)
      }
      expect(readdirSync(dir).sort()).toEqual(["link.csv", "same.csv"])
    }))
})

describe("a header with two columns of one name", () => {
  it.effect("map refuses it, naming the columns, and prints no mapping; sync refuses a mapping of it", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "mktows-dup-"))
      const file = join(dir, "dup.csv")
      writeFileSync(file, "Opportunity ID,Opportunity Name,Amount,Opportunity Name\nD-1,First,10,Second\n")
      const map = yield* mktows(["map", file, "--type", "Opportunity"])
      expect(map.code).toBe(2)
      expect(map.stdout).toBe("")
      expect(map.stderr).toContain(
        `${file}:1: the header: 'Opportunity Name' is the header of columns 2 and 4. A mapping names each column by its header`
      )
      // A mapping file (a JSON object keeps one of two keys alike) or --map flags: refused the same.
      const mapping = join(dir, "mapping.ndjson")
      writeFileSync(
        mapping,
        JSON.stringify({ "Opportunity ID": "externalKey.externalOpportunityId", "Opportunity Name": "name" })
      )
      for (
        const given of [["--map-file", mapping], [
          "--map",
          "Opportunity Name=name",
          "--map",
          "Opportunity ID=externalKey.externalOpportunityId"
        ]]
      ) {
        const sync = yield* mktows([
          "sync",
          file,
          "--type",
          "Opportunity",
          "--operation",
          "UPSERT",
          "--dry-run",
          ...given
        ])
        expect(sync.code).toBe(2)
        expect(sync.stderr).toContain(
          "'Opportunity Name' is the header of columns 2 and 4: a mapping names a column by its header, so it cannot tell them apart"
        )
      }
    }))

  it.effect("blank headers (the empty columns a spreadsheet writes after the last) are not columns of one name: map maps the file, and a mapping leaving them out is taken", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "mktows-blank-"))
      const file = join(dir, "blank.csv")
      writeFileSync(file, "Opportunity ID,Opportunity Name,,\nB-1,First,,\n")
      const map = yield* mktows(["map", file, "--type", "Opportunity"])
      expect(map.code).toBe(0)
      expect(map.stderr).toContain("left out (null): '', ''")
      const mapping = join(dir, "mapping.json")
      writeFileSync(mapping, map.stdout)
      // What map printed leaves the blank columns out (null), as would a mapping written by hand.
      expect(JSON.parse(map.stdout)).toMatchObject({ "": null })
      const sync = yield* mktows([
        "sync",
        file,
        "--type",
        "Opportunity",
        "--operation",
        "UPSERT",
        "--dry-run",
        "--map-file",
        mapping
      ])
      expect(sync.code).toBe(0)
      expect(sync.stderr).toContain("mktows: 2 column(s) left out by the mapping: '', ''")
      expect(sync.stdout).toContain("1 row(s) checked, 0 invalid")
    }))
})
