/**
 * Reading every Program with its tags and period costs, page by page.
 *
 * `getMObjectsPages` is a `Stream` of pages that follows Marketo's stream position; with
 * `includeDetails` each program comes with its name, type, workspace, tags and costs. The
 * position after the last page is worth saving: a later read that passes it as
 * `streamPosition` returns only what comes after, instead of starting over.
 *
 * ```
 * pnpm example read-programs
 * ```
 *
 * @since 0.1.0
 */
import * as MarketoClient from "@mktows/core/MarketoClient"
import type * as Program from "@mktows/core/Program"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Format from "./internal/format.js"
import * as Runner from "./internal/runner.js"

const query: MarketoClient.GetParams = { type: "Program", includeDetails: true }

const describe = (program: Program.Program): string => {
  const { Name: name = "(no name)", Type: type = "?", "Workspace Name": workspace = "?" } = program.attributes
  const tags = program.tags.map((tag) => `${tag.type} = ${tag.value}`).join(", ") || "none"
  const costs =
    program.costs.map((cost) =>
      `${cost.month} ${Format.count(cost.amount)}` + (cost.id !== undefined ? ` (Id ${cost.id})` : "") +
      (cost.note !== undefined ? ` "${cost.note}"` : "")
    ).join(", ") || "none"
  return `Program ${program.id} "${name}" (${type}, workspace ${workspace})\n  tags:  ${tags}\n  costs: ${costs}`
}

interface Progress {
  readonly ids: ReadonlyArray<number>
  readonly pages: number
  /** Where the read stands after the last page seen. */
  readonly streamPosition: string
}

const nothingRead: Progress = { ids: [], pages: 0, streamPosition: "" }

const programsOf = (page: MarketoClient.Page): ReadonlyArray<Program.Program> =>
  page.objects.filter((object): object is Program.Program => object._tag === "Program")

/**
 * Prints every program, then resumes from the saved position (finding only programs added
 * since). Returns the ids read, the number of pages, the saved position and how many
 * programs the resumed read found.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function*() {
  const read = yield* MarketoClient.getMObjectsPages(query).pipe(
    Stream.tap((page) => Effect.forEach(programsOf(page), (p) => Console.log(describe(p)), { discard: true })),
    Stream.runFold(
      nothingRead,
      (acc, page): Progress => ({
        ids: [...acc.ids, ...programsOf(page).map((p) => p.id)],
        pages: acc.pages + 1,
        streamPosition: page.streamPosition
      })
    )
  )
  yield* Console.log(`\nRead ${read.ids.length} programs in ${read.pages} page(s).`)
  yield* Console.log(`Saved stream position: ${Format.abbreviate(read.streamPosition)}`)

  // Later (in another run, with the position from a file or a database):
  const newer = yield* MarketoClient.getMObjects({ ...query, streamPosition: read.streamPosition }).pipe(
    Stream.runCount,
    // Marketo may instead answer 20123 (Stream at End) when nothing follows the position.
    Effect.catchIf((error) => error._tag === "MarketoFault" && error.code === 20123, () => Effect.succeed(0))
  )
  yield* Console.log(`Resuming from it: ${newer} program(s) added since.`)
  return { ...read, resumed: newer }
})

/**
 * @since 0.1.0
 * @category running
 */
export const main = Runner.main(program)

Runner.runIfEntry(import.meta.url, main)
