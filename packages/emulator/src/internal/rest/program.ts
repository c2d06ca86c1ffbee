/**
 * `GET /rest/asset/v1/program/{id}.json` and its update, `POST` of a form
 * (`application/x-www-form-urlencoded`): `description`, `name`, `costs` (appended, or
 * replacing every cost with `costsDestructiveUpdate=true`, which alone clears them) and
 * `tags` (existing tag types and values only; the channel is not a tag here).
 *
 * Costs and tags go through the store's Program update, so both APIs share its checks; the
 * whole update is one store transaction, applied entirely or not at all.
 */
import type * as Wire from "@mktows/core/Wire"
import * as XmlText from "@mktows/core/XmlText"
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { State } from "../state.js"
import { syncMObjects } from "../sync.js"
import { type Endpoint, envelope, noAssetsFound, parseJson, refuse, RestRefusal, schemaIssue } from "./common.js"
import { programCosts, programOf, programTags } from "./records.js"

interface Update {
  readonly costs: ReadonlyArray<RestWire.ProgramCost> | undefined
  readonly tags: ReadonlyArray<RestWire.ProgramTag> | undefined
  readonly destructive: boolean
  readonly description: string | undefined
  readonly name: string | undefined
}

// A form field holding JSON: 709 saying it is not JSON, or where it departs from what the
// field takes (`costs[0].cost: Expected Int, actual 1.5`).
const formField = <A, I>(form: URLSearchParams, name: string, schema: Schema.Schema<A, I>) => {
  const raw = form.get(name)
  const refusal = (text: string) => new RestRefusal({ code: RestWire.errorCodes.businessRule.code, text })
  return raw === null ? Effect.succeed(undefined) : Either.match(parseJson(raw), {
    onLeft: () => Effect.fail(refusal(`${RestWire.errorCodes.businessRule.message}: ${name} is not valid JSON`)),
    onRight: (parsed) =>
      Effect.mapError(Schema.decodeUnknown(schema, { onExcessProperty: "ignore" })(parsed.value), (error) => {
        const { message, path } = schemaIssue(error)
        return refusal(`${RestWire.errorCodes.businessRule.message}: ${name}${path}: ${message}`)
      })
  })
}

type Applied = { readonly _tag: "NotFound" } | { readonly _tag: "Refused"; readonly text: string } | {
  readonly _tag: "Done"
}

const apply = (state: State, id: number, update: Update, now: string): readonly [Applied, State] => {
  const program = state.programs.get(id)
  if (program === undefined) return [{ _tag: "NotFound" }, state]
  const cleared = update.destructive
    ? { ...state, programs: state.programs.set({ ...program, costs: [] }) }
    : state
  const typeAttribList: Array<Wire.TypeAttrib> = [
    ...(update.costs ?? []).map((c) => ({
      attrType: "Cost",
      attrList: [
        { name: "Month", value: c.startDate.slice(0, 7) },
        { name: "Amount", value: String(c.cost) },
        ...(c.note === undefined ? [] : [{ name: "Note", value: c.note }])
      ]
    })),
    ...(update.tags ?? []).map((t) => ({
      attrType: "Tag",
      attrList: [{ name: "Type", value: t.tagType }, { name: "Value", value: t.tagValue }]
    }))
  ]
  const synced = typeAttribList.length === 0 ? Either.right([undefined, cleared] as const) : syncMObjects(
    cleared,
    { operation: "UPDATE", mObjectList: [{ type: "Program", id, typeAttribList }] },
    now
  ).pipe(Either.map(([result, next]) => [result.mObjStatusList[0], next] as const))
  if (Either.isLeft(synced)) return [{ _tag: "Refused", text: synced.left.detail }, state]
  const [status, next] = synced.right
  if (status?.status === "FAILED") return [{ _tag: "Refused", text: status.error ?? "update failed" }, state]
  const after = next.programs.get(id) ?? program
  const renamed = {
    ...after,
    ...(update.name === undefined ? {} : { name: update.name }),
    ...(update.description === undefined ? {} : { description: update.description })
  }
  const changed = renamed.name !== program.name || renamed.description !== program.description ||
    renamed.costs !== program.costs || renamed.tags !== program.tags
  return [{ _tag: "Done" }, changed ? { ...next, programs: next.programs.set({ ...renamed, updatedAt: now }) } : state]
}

const updateOf = (text: string): Effect.Effect<Update, RestRefusal> =>
  Effect.gen(function*() {
    const form = new URLSearchParams(text)
    const costs = yield* formField(form, "costs", Schema.Array(RestWire.ProgramCost))
    const tags = yield* formField(form, "tags", Schema.Array(RestWire.ProgramTag))
    const destructive = form.get("costsDestructiveUpdate")
    if (destructive !== null && destructive !== "true" && destructive !== "false") {
      return yield* refuse(RestWire.errorCodes.invalidValue, `'${destructive}' for costsDestructiveUpdate`)
    }
    for (const c of costs ?? []) {
      if (!/^\d{4}-\d{2}-01/.test(c.startDate)) {
        return yield* refuse(
          RestWire.errorCodes.businessRule,
          `cost startDate ${c.startDate} is not the first of a month`
        )
      }
    }
    if ((tags ?? []).some((t) => t.tagType === RestWire.channelTagType)) {
      return yield* refuse(RestWire.errorCodes.businessRule, "the channel is not a tag type")
    }
    const name = form.get("name") ?? undefined
    if (name !== undefined && name.trim() === "") return yield* refuse(RestWire.errorCodes.cannotBeBlank, "name")
    const description = form.get("description") ?? undefined
    const texts = [
      name,
      description,
      ...(costs ?? []).map((c) => c.note),
      ...(tags ?? []).flatMap((t) => [t.tagType, t.tagValue])
    ]
    if (texts.some((t) => t !== undefined && !XmlText.isXmlText(t))) {
      return yield* refuse(RestWire.errorCodes.businessRule, "a character XML 1.0 cannot carry")
    }
    return { costs, tags, destructive: destructive === "true", name, description }
  })

const idOf = (pathParam: string | undefined): number => Number(pathParam ?? "0")

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: /^\/asset\/v1\/program\/(\d{1,9})\.json$/,
  name: "program",
  methods: ["GET", "POST"],
  body: "form",
  reads: (request) => request.request.method === "GET" || request.tunnelled,
  handle: ({ guard, store }, request) =>
    Effect.gen(function*() {
      const id = idOf(request.pathParam)
      if (request.request.method === "POST" && !request.tunnelled) {
        const text = yield* request.text
        if (text === "drop") return "drop" as const
        const update = yield* updateOf(text)
        const applied = yield* guard(store.transact((state, now) => Either.right(apply(state, id, update, now))))
        if (applied === "drop") return "drop" as const
        // An update of a program that is not there stays 702 (no data found): the docs give
        // the success-with-warning answer for reads only.
        if (applied._tag === "NotFound") return yield* refuse(RestWire.errorCodes.noDataFound)
        if (applied._tag === "Refused") return yield* refuse(RestWire.errorCodes.businessRule, applied.text)
        // The update answers the program with its tags and costs, as programs.md's example does.
        const updated = (yield* store.state).programs.get(id)
        return updated === undefined
          ? yield* refuse(RestWire.errorCodes.noDataFound)
          : envelope([{ ...programOf(updated), tags: programTags(updated), costs: programCosts(updated) }])
      }
      // By id, programs.md's answer has the tags and `"costs": null`: only byName.json's
      // includeCosts gives costs.
      const program = (yield* store.state).programs.get(id)
      return program === undefined
        ? noAssetsFound()
        : envelope([{ ...programOf(program), tags: programTags(program), costs: null }])
    })
}]
