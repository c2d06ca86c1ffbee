/**
 * The model path (models straight to REST JSON) against the wire path it replaces (model →
 * SOAP wire record → REST JSON): for any models, the same JSON, the same refusals and, through
 * the client, the same requests and the same outcomes.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import { ValidationError, type ValidationIssue } from "@mktows/core/MarketoError"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import * as MObject from "@mktows/core/MObject"
import * as Opportunity from "@mktows/core/Opportunity"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Program from "@mktows/core/Program"
import * as StandardFields from "@mktows/core/StandardFields"
import * as Validation from "@mktows/core/Validation"
import type * as Wire from "@mktows/core/Wire"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import type * as CustomFields from "../src/internal/customFields.js"
import * as Refusals from "../src/internal/refusals.js"
import * as Requests from "../src/internal/requests.js"
import * as RestTransport from "../src/RestTransport.js"
import * as RestWire from "../src/RestWire.js"
import { fake, json, ok, type Sent, tokens } from "./helpers/fakeMarketo.js"

/**
 * The wire path's refusals as the model path words them: a refused attrib
 * (`attribList[i].name`) is named by the model's field (`opportunityId`, `customFields.X`);
 * everything else is the same.
 */
const inModelTerms = (
  objects: ReadonlyArray<MObject.MObject>,
  issues: ReadonlyArray<ValidationIssue>
): ReadonlyArray<ValidationIssue> =>
  issues.map((issue) => {
    const [first, at] = issue.path
    if (first !== "attribList" || typeof at !== "number") return issue
    const object = objects[issue.index]
    const attribs = object === undefined ? [] : MObject.toWire(object).attribList ?? []
    const name = attribs[at]?.name ?? ""
    // toWire writes the standard fields first, then the custom ones: a custom field may bear a
    // standard field's name.
    const custom = object !== undefined && "customFields" in object ? Object.keys(object.customFields).length : 0
    const table = object?._tag === "Opportunity"
      ? StandardFields.opportunityFields
      : StandardFields.opportunityPersonRoleFields
    const field = at < attribs.length - custom ? table.find((f) => f.wire === name) : undefined
    return { ...issue, path: field === undefined ? ["customFields", name] : [field.key] }
  })

const operations: ReadonlyArray<Wire.SyncOperation> = ["INSERT", "UPDATE", "UPSERT"]

// Names that mean something to REST or to the wire: keys, system fields, standard names
// (SOAP's and REST's), a role's OpportunityId, and a name JSON keeps first (an integer).
const trickyNames = [
  "externalOpportunityId",
  "marketoGUID",
  "externalCompanyId",
  "seq",
  "leadId",
  "Amount",
  "amount",
  "OpportunityId",
  "PersonId",
  "Role",
  "IsWon",
  "Custom_1",
  "7"
]
const customArb = FastCheck.dictionary(
  FastCheck.oneof(FastCheck.constantFrom(...trickyNames), FastCheck.string({ minLength: 1, maxLength: 6 })),
  FastCheck.oneof(FastCheck.constantFrom("1", "0", "true", "2.5", "-3", "1e3", " x", ""), FastCheck.string()),
  { maxKeys: 4 }
)
const keyArb = FastCheck.option(
  FastCheck.record({
    name: FastCheck.constantFrom("externalOpportunityId", "marketoGUID", "externalCompanyId", "other"),
    value: FastCheck.string({ maxLength: 8 })
  }),
  { nil: undefined }
)
const linkArb = FastCheck.option(
  FastCheck.oneof(
    FastCheck.record({ id: FastCheck.integer({ min: 1, max: 99 }) }),
    FastCheck.record({
      externalKey: FastCheck.record({
        name: FastCheck.constantFrom("externalOpportunityId", "externalCompanyId", "other"),
        value: FastCheck.string({ maxLength: 8 })
      })
    })
  ),
  { nil: undefined }
)
const idArb = FastCheck.option(FastCheck.integer({ min: 1, max: 99 }), { nil: undefined })

/** The props that are defined: an absent one keeps the generated model's own. */
const defined = <A extends object>(props: A) =>
  Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as {
    readonly [K in keyof A]?: Exclude<A[K], undefined>
  }

/** Models shaped as REST callers make them: REST's keys and links, and field names that mean something. */
const restShaped: FastCheck.Arbitrary<MObject.MObject> = FastCheck.oneof(
  FastCheck.tuple(Arbitrary.make(Opportunity.Opportunity), keyArb, linkArb, idArb, customArb).map((
    [o, externalKey, company, id, customFields]
  ) => {
    const { _tag, ...props } = o
    return Opportunity.make({ ...props, ...defined({ externalKey, company, id }), customFields })
  }),
  FastCheck.tuple(Arbitrary.make(OpportunityPersonRole.OpportunityPersonRole), keyArb, linkArb, linkArb, customArb)
    .map(([o, externalKey, lead, opportunity, customFields]) => {
      const { _tag, ...props } = o
      return OpportunityPersonRole.make({ ...props, ...defined({ externalKey, lead, opportunity }), customFields })
    })
)

const plainCustomArb = FastCheck.dictionary(
  FastCheck.oneof(
    FastCheck.constantFrom("Custom_1", "7"),
    FastCheck.stringMatching(/^c_[a-z0-9]{1,5}$/)
  ),
  FastCheck.oneof(FastCheck.constantFrom("1", "0", "true", "2.5", "-3", "1e3", " x", ""), FastCheck.string()),
  { maxKeys: 3 }
)

/** Models REST accepts for `sync` (so the calls reach the server), of every type. */
const sendableArb = (sync: Wire.SyncOperation): FastCheck.Arbitrary<ReadonlyArray<MObject.MObject>> => {
  const keyName = sync === "UPDATE"
    ? FastCheck.constantFrom("externalOpportunityId", "marketoGUID")
    : FastCheck.constant("externalOpportunityId")
  const opportunity = FastCheck.tuple(
    Arbitrary.make(Opportunity.Opportunity),
    keyName,
    FastCheck.string({ maxLength: 6 }),
    FastCheck.option(FastCheck.string({ maxLength: 6 }), { nil: undefined }),
    plainCustomArb
  ).map(([o, name, value, company, customFields]) => {
    const { _tag, company: _company, customFields: _custom, externalKey: _key, id: _id, ...props } = o
    return Opportunity.make({
      ...props,
      externalKey: { name, value },
      ...(company === undefined ? {} : { company: { externalKey: { name: "externalCompanyId", value: company } } }),
      customFields
    })
  })
  const role = FastCheck.tuple(
    Arbitrary.make(OpportunityPersonRole.OpportunityPersonRole),
    FastCheck.string({ maxLength: 6 }),
    FastCheck.integer({ min: 1, max: 99 }),
    FastCheck.string({ minLength: 1, maxLength: 6 }),
    plainCustomArb.map((custom) => Object.fromEntries(Object.entries(custom).filter(([name]) => name.startsWith("c_"))))
  ).map(([o, opportunity, lead, roleName, customFields]) => {
    const { _tag, customFields: _c, externalKey: _k, id: _i, lead: _l, opportunity: _o, opportunityId: _oi, ...props } =
      o
    // UPDATE keys on marketoGUID; INSERT and UPSERT on the compound key (the links and role).
    return OpportunityPersonRole.make({
      ...props,
      ...(sync === "UPDATE" ? { externalKey: { name: "marketoGUID", value: opportunity } } : {}),
      role: roleName,
      lead: { id: lead },
      opportunity: { externalKey: { name: "externalOpportunityId", value: opportunity } },
      customFields
    })
  })
  const program = FastCheck.tuple(
    FastCheck.integer({ min: 1, max: 99 }),
    FastCheck.array(FastCheck.integer({ min: -1000, max: 1000 }), { maxLength: 2 }),
    FastCheck.array(FastCheck.string({ minLength: 1, maxLength: 4 }), { maxLength: 2 })
  ).map(([id, amounts, tags]) =>
    Program.make({
      id,
      costs: amounts.map((amount) => ({ month: "2026-05", amount })),
      tags: tags.map((value) => ({ type: "Region", value }))
    })
  )
  // Programs are synced by UPDATE only.
  const any = sync === "UPDATE" ? FastCheck.oneof(opportunity, role, program) : FastCheck.oneof(opportunity, role)
  return FastCheck.array(any, { minLength: 1, maxLength: 8 })
}

/** Valid models from the Schemas, and REST-shaped ones. */
const modelsArb = FastCheck.array(FastCheck.oneof(Arbitrary.make(MObject.MObject), restShaped), { maxLength: 6 })

/** What a describe may say of custom fields: some names as numbers or booleans. */
const kindsArb: FastCheck.Arbitrary<CustomFields.Kinds> = FastCheck.dictionary(
  FastCheck.constantFrom(...trickyNames),
  FastCheck.constantFrom<"number" | "boolean">("number", "boolean")
).map((record) => new Map(Object.entries(record)))

const refArb: FastCheck.Arbitrary<MarketoClient.DeleteRef> = FastCheck.oneof(
  FastCheck.record({
    type: FastCheck.constantFrom("Opportunity" as const, "OpportunityPersonRole" as const),
    id: FastCheck.integer({ min: 1, max: 99 })
  }),
  FastCheck.record({
    type: FastCheck.constantFrom("Opportunity" as const, "OpportunityPersonRole" as const),
    externalKey: FastCheck.record({
      name: FastCheck.constantFrom("externalOpportunityId", "marketoGUID", "other"),
      value: FastCheck.string({ maxLength: 8 })
    })
  })
)

describe("models straight to REST JSON, against their wire records", () => {
  it.prop(
    "the same requests, byte for byte, and the same endpoints asked to describe",
    [modelsArb, kindsArb, kindsArb],
    ([objects, opportunities, roles]) => {
      const wire = objects.map(MObject.toWire)
      const kinds = { opportunities, roles }
      expect(JSON.stringify(Requests.syncModelParts(objects, kinds))).toBe(
        JSON.stringify(Requests.syncParts(wire, kinds))
      )
      expect(Requests.customModelEndpoints(objects)).toEqual(Requests.customEndpoints(wire))
    }
  )

  it("the same requests and refusals for fields held oddly (a getter, a hidden or inherited property, a Proxy)", () => {
    // The model path reads a model's fields as core's checks and toWire read them
    // (MarketoTransport.standardValues): whatever way a model holds a field, the JSON it
    // sends is the JSON of its wire record.
    class Priced extends Opportunity.Opportunity {
      override get amount(): number {
        return 5
      }
    }
    const key = (value: string) => ({ externalKey: { name: "externalOpportunityId", value } })
    const hidden = Opportunity.make({ ...key("K-2"), name: "shown" })
    Object.defineProperty(hidden, "amount", { value: 7, enumerable: false })
    const inherited: Opportunity.Opportunity = Object.create(Opportunity.make({ ...key("K-3"), amount: 9 }))
    const base = Opportunity.make({ ...key("K-4"), name: "base", stage: "Open" })
    const hiding = new Proxy(base, { ownKeys: (target) => Reflect.ownKeys(target).filter((k) => k !== "stage") })
    const role = OpportunityPersonRole.make({ ...key("K-5"), role: "Buyer", lead: { id: 3 }, isPrimary: true })
    // A role whose OpportunityId (no REST field: refused when sent) and Role are not enumerable.
    const hiddenRole = OpportunityPersonRole.make({ ...key("K-6"), lead: { id: 4 }, isPrimary: false })
    Object.defineProperty(hiddenRole, "opportunityId", { value: 9, enumerable: false })
    Object.defineProperty(hiddenRole, "role", { value: "Buyer", enumerable: false })
    // Custom fields, so the refusals list every name the record would carry.
    const customHidden = Opportunity.make({ ...key("K-7"), customFields: { Custom_1: "x" } })
    Object.defineProperty(customHidden, "stage", { value: "Open", enumerable: false })
    const objects: ReadonlyArray<MObject.MObject> = [
      new Priced(key("K-1")),
      hidden,
      inherited,
      base,
      hiding,
      role,
      hiddenRole,
      customHidden
    ]
    const wire = objects.map(MObject.toWire)
    const sent = JSON.stringify(Requests.syncModelParts(objects, undefined))
    expect(sent).toBe(JSON.stringify(Requests.syncParts(wire, undefined)))
    expect(Requests.customModelEndpoints(objects)).toEqual(Requests.customEndpoints(wire))
    // Held by a getter of a subclass or by the prototype: sent. Non-enumerable or hidden by
    // the Proxy: neither sent (here) nor checked (core's "Validation reads what is sent").
    expect(sent).toContain(`"amount":5`)
    expect(sent).toContain(`"amount":9`)
    expect(sent).not.toContain(`"amount":7`)
    expect(sent.match(/"stage":"Open"/g)?.length).toBe(1)
    for (const sync of operations) {
      expect(Refusals.refuseModels({ operation: "syncMObjects", sync, objects })).toEqual(
        Refusals.refuse("syncMObjects", { mObjectList: objects.map(MObject.toWire), operation: sync })
      )
    }
  })

  it.effect("links held as plain data with an undefined id go by their external key, as the wire path has them", () =>
    Effect.gen(function*() {
      // `Validation.decode` keeps plain data's links as given: both keys present, the id undefined.
      const objects = yield* Validation.decode([
        {
          _tag: "Opportunity",
          externalKey: { name: "externalOpportunityId", value: "O-1" },
          company: { id: undefined, externalKey: { name: "externalCompanyId", value: "C-1" } }
        },
        {
          _tag: "OpportunityPersonRole",
          externalKey: { name: "externalKey", value: "R-1" },
          lead: { id: 4, externalKey: undefined },
          opportunity: { id: undefined, externalKey: { name: "externalOpportunityId", value: "O-1" } }
        }
      ], "UPSERT")
      const sent = JSON.stringify(Requests.syncModelParts(objects, undefined))
      expect(sent).toBe(JSON.stringify(Requests.syncParts(objects.map(MObject.toWire), undefined)))
      expect(sent).toContain(`"externalCompanyId":"C-1"`)
      expect(sent).toContain(`"leadId":4`)
      for (const sync of operations) {
        expect(Refusals.refuseModels({ operation: "syncMObjects", sync, objects })).toEqual(
          Refusals.refuse("syncMObjects", { mObjectList: objects.map(MObject.toWire), operation: sync })
        )
      }
    }))

  it.prop("the same refusals, for every operation", [modelsArb, FastCheck.constantFrom(...operations)], (
    [objects, sync]
  ) => {
    expect(Refusals.refuseModels({ operation: "syncMObjects", sync, objects })).toEqual(
      inModelTerms(
        objects,
        Refusals.refuse("syncMObjects", { mObjectList: objects.map(MObject.toWire), operation: sync })
      )
    )
  })

  it.prop("the same refusals of deletes", [FastCheck.array(refArb, { maxLength: 6 })], ([refs]) => {
    expect(Refusals.refuseModels({ operation: "deleteMObjects", objects: refs })).toEqual(
      Refusals.refuse("deleteMObjects", { mObjectList: refs.map(MarketoClient.deleteRefToWire) })
    )
  })

  it("a key named __proto__ is sent as a field, not made the prototype, by both paths", () => {
    const objects = [
      Opportunity.make({ externalKey: { name: "__proto__", value: "k" }, customFields: { c_1: "x" } }),
      OpportunityPersonRole.make({ externalKey: { name: "__proto__", value: "r" } })
    ]
    const sent = JSON.stringify(Requests.syncModelParts(objects))
    expect(sent).toBe(JSON.stringify(Requests.syncParts(objects.map(MObject.toWire))))
    expect(sent).toContain(`"input":[{"__proto__":"k","c_1":"x"}]`)
    expect(sent).toContain(`"input":[{"__proto__":"r"}]`)
  })

  it("a program's costs and tags go as the wire path sends them", () => {
    const program = Program.make({
      id: 12,
      costs: [{ month: "2026-03", amount: 1e21, note: "n" }, { month: "0001-12", amount: -0 }],
      tags: [{ type: "Region", value: "EMEA" }]
    })
    expect(JSON.stringify(Requests.syncModelParts([program]))).toBe(
      JSON.stringify(Requests.syncParts([MObject.toWire(program)]))
    )
  })
})

describe("the client over REST, with and without the model path", () => {
  const identityPath = "/identity/oauth/token"
  const describePaths = ["/rest" + RestWire.paths.opportunitiesDescribe, "/rest" + RestWire.paths.rolesDescribe]
  const metadata = {
    idField: "marketoGUID",
    dedupeFields: ["externalOpportunityId"],
    fields: trickyNames.map((name, i) => ({ name, dataType: ["integer", "boolean", "string"][i % 3] }))
  }

  /** One run: a client whose transport has its model path or not, and the server's answers by seq. */
  const run = (
    withModels: boolean,
    statuses: ReadonlyArray<string>,
    act: Effect.Effect<unknown, unknown, MarketoClient.MarketoClient>
  ) => {
    const t = tokens()
    const f = fake((s) => {
      if (s.path === identityPath) return t.route()
      if (describePaths.includes(s.path)) return ok([metadata])
      if (s.path.startsWith("/rest/asset/")) return ok([{ id: 1 }])
      const input = (JSON.parse(s.body) as { input: ReadonlyArray<unknown> }).input
      return json({
        requestId: "r",
        success: true,
        result: input.map((_, seq) => {
          const status = statuses[seq % statuses.length] ?? "updated"
          return status === "skipped"
            ? { seq, status, reasons: [{ code: "1013", message: "not found" }] }
            : { seq, marketoGUID: `g${seq}`, status }
        })
      })
    })
    const transport = RestTransport.layer().pipe(Layer.provide(f.layer))
    const wireOnly = Layer.effect(
      MarketoTransport,
      Effect.map(MarketoTransport, ({ models: _models, ...shape }) => shape)
    ).pipe(Layer.provide(transport))
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 }, rateLimit: { calls: 1e9 } }).pipe(
      Layer.provide(withModels ? transport : wireOnly)
    )
    return Effect.map(Effect.exit(Effect.provide(act, client)), (exit) => ({
      exit,
      requests: f.sent.filter((s: Sent) => s.path !== identityPath).map((s) => `${s.method} ${s.path} ${s.body}`)
    }))
  }

  const statusesArb = FastCheck.array(FastCheck.constantFrom("created", "updated", "skipped"), {
    minLength: 1,
    maxLength: 4
  })

  // The wire path and the model path, each against its own fake server: the same requests, the same
  // exit. Answers the model path's run.
  const samePaths = (
    statuses: ReadonlyArray<string>,
    act: Effect.Effect<unknown, unknown, MarketoClient.MarketoClient>,
    objects: ReadonlyArray<MObject.MObject> = []
  ) =>
    Effect.gen(function*() {
      const viaWire = yield* run(false, statuses, act)
      const viaModels = yield* run(true, statuses, act)
      expect(viaModels.requests).toEqual(viaWire.requests)
      // A refusal: the same issues, the model path naming the model's fields.
      const wireExit = Exit.mapError(viaWire.exit, (error) =>
        error instanceof ValidationError ? new ValidationError({ issues: inModelTerms(objects, error.issues) }) : error)
      expect(viaModels.exit).toEqual(wireExit)
      return viaModels
    })

  it.effect.prop(
    "the same requests and the same outcomes (or the same refusal) for any sync",
    [modelsArb, FastCheck.constantFrom(...operations), statusesArb],
    ([objects, sync, statuses]) =>
      Effect.gen(function*() {
        const act = MarketoClient.syncMObjects(objects, sync, { failOnPartial: false })
        yield* samePaths(statuses, act, objects)
      }),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect.prop(
    "the same requests and the same outcomes for any delete",
    [FastCheck.array(refArb, { maxLength: 6 }), statusesArb],
    ([refs, statuses]) =>
      Effect.gen(function*() {
        const act = MarketoClient.deleteMObjects(refs, { failOnPartial: false })
        yield* samePaths(statuses, act)
      }),
    { fastCheck: { numRuns: 40 } }
  )

  it.effect.prop(
    "the same requests and the same outcomes for any sync REST accepts, each sent",
    [
      FastCheck.constantFrom(...operations).chain((sync) =>
        FastCheck.tuple(FastCheck.constant(sync), sendableArb(sync))
      ),
      statusesArb
    ],
    ([[sync, objects], statuses]) =>
      Effect.gen(function*() {
        const act = MarketoClient.syncMObjects(objects, sync, { failOnPartial: false })
        const viaModels = yield* samePaths(statuses, act)
        // Not refused: every object has its outcome, and requests went out.
        expect(Exit.isSuccess(viaModels.exit) && (viaModels.exit.value as ReadonlyArray<unknown>).length).toBe(
          objects.length
        )
        expect(viaModels.requests.length).toBeGreaterThan(0)
      }),
    { fastCheck: { numRuns: 60 } }
  )
})
