/**
 * getMObjects criteria that Adobe's REST can express, each mapped to its endpoint (checked on
 * a fake server: the emulator may not serve them all), and those it cannot, refused before
 * anything is sent with a message that names what would work.
 */
import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as RestTransport from "../src/RestTransport.js"
import * as RestWire from "../src/RestWire.js"
import { fail, fake, json, ok, type Route, type Sent, tokens } from "./helpers/fakeMarketo.js"

const identityPath = "/identity/oauth/token"

const withMarketo = (api: Route, options: MarketoClient.Options = { retry: { maxAttempts: 1 } }) => {
  const t = tokens()
  const f = fake((s) => s.path === identityPath ? t.route() : api(s))
  const client = MarketoClient.layer(options).pipe(
    Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
  )
  return { ...f, client, api: () => f.sent.filter((s: Sent) => s.path !== identityPath) }
}

const program = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: `P${id}`,
  type: "default",
  channel: "Webinar",
  workspace: "Default",
  tags: [{ tagType: "Region", tagValue: "EU" }],
  costs: [{ startDate: "2024-01-01", cost: 10 }],
  ...extra
})

/** The program of `list` a `program/byName.json` request names, as that endpoint answers it. */
const named = (s: Sent, list: ReadonlyArray<{ readonly name: string }>) =>
  s.path === "/rest" + RestWire.paths.programByName ? ok(list.filter((p) => p.name === s.params["name"])) : undefined

const opportunitiesDescribe = "/rest" + RestWire.paths.opportunitiesDescribe
const rolesDescribe = "/rest" + RestWire.paths.rolesDescribe

/** A describe answer whose `searchableFields` are `entries`. */
const describeOf = (...entries: ReadonlyArray<ReadonlyArray<string>>) => ({
  idField: "marketoGUID",
  dedupeFields: ["externalOpportunityId"],
  ...(entries.length === 0 ? {} : { searchableFields: entries }),
  fields: []
})

/** The record queries among the requests sent: no describe, no program read, no sync. */
const queries = (sent: ReadonlyArray<Sent>) =>
  sent.filter((s) => s.method === "GET" && /^\/rest\/v1\/opportunities(\/roles)?\.json$/.test(s.path))

const eq = (attrName: string, attrValue: string, comparison: "EQ" | "GE" | "LE" | "GT" | "NE" = "EQ") => ({
  attrName,
  comparison,
  attrValue
})

describe("REST reads", () => {
  it.effect("a Program by Name reads program/byName.json with its tags and costs", () => {
    const m = withMarketo(() => ok([program(7)]))
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Program", criteria: [eq("Name", "Spring, launch")] })
      )
      expect([...found].map((o) => o.id)).toEqual([7])
      const [read] = m.api()
      expect([read?.method, read?.path]).toEqual(["GET", "/rest/asset/v1/program/byName.json"])
      expect(read?.params).toEqual({ name: "Spring, launch", includeTags: "true", includeCosts: "true" })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("Programs by tag read program/byTag.json, paged by offset, each page after the first from the last program read, then each program by name for its costs", () => {
    const all = Array.from({ length: 201 }, (_, i) => program(i + 1))
    // byTag's answers, as Adobe's example gives them, have no costs: only byName does.
    const tagged = all.map(({ costs: _costs, ...p }) => p)
    const m = withMarketo((s) => {
      const offset = Number(s.params["offset"])
      return named(s, all) ?? ok(tagged.slice(offset, offset + Number(s.params["maxReturn"])))
    })
    return Effect.gen(function*() {
      // 203 requests, paced by the client's rate limit (100 in 20 s) on the test's clock.
      const reading = yield* Effect.fork(Stream.runCollect(
        MarketoClient.getMObjects({ type: "Program", criteria: [eq("Tag Type", "Region"), eq("Tag Value", "EU")] })
      ))
      yield* TestClock.adjust("2 minutes")
      const found = yield* Fiber.join(reading)
      expect([...found].map((o) => o.id)).toEqual(all.map((p) => p.id))
      expect([...found].every((o) => o._tag === "Program" && o.costs.length === 1)).toBe(true)
      const reads = m.api().filter((s) => s.path.endsWith("/byTag.json"))
      expect(m.api().filter((s) => s.path.endsWith("/byName.json")).map((s) => s.params["name"])).toEqual(
        all.map((p) => p.name)
      )
      expect(reads.map((s) => s.path)).toEqual([
        "/rest/asset/v1/program/byTag.json",
        "/rest/asset/v1/program/byTag.json"
      ])
      expect(reads.map((s) => [s.params["tagType"], s.params["tagValue"], s.params["offset"]])).toEqual([
        ["Region", "EU", "0"],
        ["Region", "EU", "199"]
      ])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a page whose last program has the largest safe id goes on from it; an id that is not positive is a ProtocolError, not a defect", () => {
    // The last program of the first page has a sixteen-digit id: the next page is asked from it.
    const all = Array.from({ length: 201 }, (_, i) => program(i === 199 ? Number.MAX_SAFE_INTEGER : i + 1))
    const m = withMarketo((s) => {
      const offset = Number(s.params["offset"])
      return named(s, all) ?? ok(all.slice(offset, offset + Number(s.params["maxReturn"])))
    })
    const byTag = MarketoClient.getMObjects({
      type: "Program",
      criteria: [eq("Tag Type", "Region"), eq("Tag Value", "EU")]
    })
    return Effect.gen(function*() {
      const reading = yield* Effect.fork(Stream.runCollect(byTag))
      yield* TestClock.adjust("2 minutes")
      const found = yield* Fiber.join(reading)
      expect([...found].map((o) => o.id)).toEqual(all.map((p) => p.id))
      const negative = withMarketo(() => ok([program(-5)]))
      const exit = yield* Effect.exit(Stream.runCollect(byTag).pipe(Effect.provide(negative.client)))
      expect(Exit.isFailure(exit) && Cause.isFailType(exit.cause)).toBe(true)
      if (Exit.isFailure(exit)) expect(Cause.squash(exit.cause)).toMatchObject({ _tag: "ProtocolError" })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a Program by id is read again by name for its costs (by id answers \"costs\": null); renamed since, it keeps what its id answered", () => {
    const m = withMarketo((s) =>
      s.path === "/rest" + RestWire.paths.program(3)
        ? ok([program(3, { costs: null })])
        : s.path === "/rest" + RestWire.paths.program(4)
        ? ok([program(4, { costs: null })])
        // P4 was renamed between its two reads: no program of that name any more.
        : named(s, [program(3, { costs: [{ startDate: "2024-02-01", cost: 25, note: null }] })]) ??
          fail("702", "No data found for given search scenario")
    )
    return Effect.gen(function*() {
      const [three] = yield* Stream.runCollect(MarketoClient.getMObjects({ type: "Program", id: 3 }))
      expect(three?._tag === "Program" && three.costs).toEqual([{ month: "2024-02", amount: 25 }])
      const [four] = yield* Stream.runCollect(MarketoClient.getMObjects({ type: "Program", id: 4 }))
      expect(four?.id).toBe(4)
      expect(m.api().map((s) => s.path)).toEqual([
        "/rest/asset/v1/program/3.json",
        "/rest/asset/v1/program/byName.json",
        "/rest/asset/v1/program/4.json",
        "/rest/asset/v1/program/byName.json",
        "/rest/asset/v1/program/4.json"
      ])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("Programs by Id, by Workspace Name and by update time read programs.json with its filters, then each program by name for its costs and tags", () => {
    // programs.json answers the Swagger's BrowseAllPrograms: no costs, no tags.
    const { costs: _costs, tags: _tags, ...browsed } = program(3)
    const m = withMarketo((s) =>
      s.path === "/rest/asset/v1/programs.json"
        ? ok([browsed])
        // A cost without a note, as the Asset API writes a field without a value.
        : ok([program(3, { costs: [{ startDate: "2024-01-01", cost: 10, note: null }] })])
    )
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(MarketoClient.getMObjects({ type: "Program", criteria: [eq("Id", "3")] }))
      yield* Stream.runDrain(
        MarketoClient.getMObjects({
          type: "Program",
          criteria: [
            eq("Workspace Name", "Europe"),
            eq("Updated At", "2024-01-01T00:00:00Z", "GE"),
            eq("Updated At", "2024-06-30", "LE")
          ]
        })
      )
      const [byId, detail, byWorkspace, detailAgain] = m.api()
      expect([byId?.path, detail?.path, byWorkspace?.path, detailAgain?.path]).toEqual([
        "/rest/asset/v1/programs.json",
        "/rest/asset/v1/program/byName.json",
        "/rest/asset/v1/programs.json",
        "/rest/asset/v1/program/byName.json"
      ])
      expect(detail?.params).toEqual({ name: "P3", includeTags: "true", includeCosts: "true" })
      expect(byId?.params).toMatchObject({ filterType: "id", filterValues: "3", maxReturn: "20" })
      expect(byWorkspace?.params).toMatchObject({
        filterType: "workspace",
        filterValues: "Europe",
        earliestUpdatedAt: "2024-01-01T00:00:00Z",
        latestUpdatedAt: "2024-06-30"
      })
      // What was read is the program as its own request answered it, costs and tags included.
      const [read] = [...found]
      expect(read?._tag === "Program" && [read.costs, read.tags]).toEqual([
        [{ month: "2024-01", amount: 10 }],
        [{ type: "Channel", value: "Webinar" }, { type: "Region", value: "EU" }]
      ])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a role by its compound key is one lookup with filterType dedupeFields, sent as JSON", () => {
    const m = withMarketo((s) =>
      s.path === rolesDescribe
        ? ok([describeOf()])
        : ok([{ seq: 0, marketoGUID: "r1", externalOpportunityId: "O,1", leadId: 7, role: "Buyer" }])
    )
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({
          type: "OpportunityPersonRole",
          associations: [
            { mObjType: "Opportunity", externalKey: { name: "externalOpportunityId", value: "O,1" } },
            { mObjType: "Lead", id: 7 }
          ],
          criteria: [eq("Role", "Buyer")]
        })
      )
      expect(found.length).toBe(1)
      const [read] = m.api().filter((s) => s.path !== rolesDescribe)
      expect([read?.method, read?.path, read?.params]).toEqual([
        "POST",
        "/rest/v1/opportunities/roles.json",
        { _method: "GET" }
      ])
      expect(JSON.parse(read?.body ?? "")).toMatchObject({
        filterType: "dedupeFields",
        input: [{ externalOpportunityId: "O,1", leadId: 7, role: "Buyer" }]
      })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("describeMObject LeadRecord reads leads/describe.json, fields named as SOAP names them", () => {
    const m = withMarketo(() =>
      ok([
        {
          id: 2,
          displayName: "Company Name",
          dataType: "string",
          length: 255,
          rest: { name: "company" },
          soap: { name: "Company" }
        },
        { id: 1, displayName: "Id", dataType: "integer", rest: { name: "id", readOnly: true } }
      ])
    )
    return Effect.gen(function*() {
      const meta = yield* MarketoClient.describeMObject("LeadRecord")
      expect(meta.name).toBe("LeadRecord")
      expect(meta.isVirtual).toBe(true)
      expect(meta.fieldList?.map((f) => [f.name, f.dataType, f.size, f.isReadonly])).toEqual([
        ["Company", "string", 255, false],
        ["id", "integer", null, true]
      ])
      expect(m.api().map((s) => s.path)).toEqual(["/rest/v1/leads/describe.json"])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("listMObjects lists what REST describes once the opportunities' describe answers, kept for later calls; a wrong base path fails it", () => {
    const m = withMarketo((s) => s.path === opportunitiesDescribe ? ok([describeOf()]) : fail("610", "no"))
    const lost = withMarketo(() => json("<html>Not Found</html>", 404))
    return Effect.gen(function*() {
      expect(yield* MarketoClient.listMObjects()).toEqual(["LeadRecord", "Opportunity", "OpportunityPersonRole"])
      expect(yield* MarketoClient.listMObjects()).toEqual(["LeadRecord", "Opportunity", "OpportunityPersonRole"])
      expect(m.api().map((s) => `${s.method} ${s.path}`)).toEqual([`GET ${opportunitiesDescribe}`])
      const error = yield* Effect.flip(MarketoClient.listMObjects().pipe(Effect.provide(lost.client)))
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("404")
    }).pipe(Effect.provide(m.client))
  })

  it.effect("an Opportunity by one field EQ a value reads filterType = its REST name; a field the instance refuses all the same ends the read with its error, said once", () => {
    // An instance whose describe calls stage and myCustom searchable, yet refuses myCustom:
    // the describe is the first check, the instance keeps the last word.
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ok([describeOf(["externalOpportunityId"], ["marketoGUID"], ["stage"], ["myCustom"])])
        : s.params["filterType"] === "stage"
        ? ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A", stage: "Won" }])
        : fail("1003", `Invalid data: filterType '${s.params["filterType"]}' is not searchable`)
    )
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("Stage", "Won")] })
      )
      expect(found.length).toBe(1)
      expect(queries(m.api())[0]?.params).toMatchObject({ filterType: "stage", filterValues: "Won" })
      const error = yield* Effect.flip(
        Stream.runDrain(MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("myCustom", "x")] }))
      )
      expect(error._tag === "MarketoFault" && error.code).toBe(1003)
      // The code once, with Adobe's meaning (which the instance's text already begins with),
      // never SOAP's "undocumented code".
      expect(error.message).toBe(
        "Marketo fault 1003 in getMObjects: Invalid data: filterType 'myCustom' is not searchable (REST)"
      )
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a REST code the instance refuses a read with is said once, with Adobe's meaning from its REST table", () => {
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ok([describeOf(["externalOpportunityId"], ["marketoGUID"], ["stage"])])
        : json({
          requestId: "r#1",
          success: false,
          errors: [{ code: "1003", message: "Value 'Won' is not allowed" }, { code: 1006, message: "'x' unknown" }]
        })
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(
        Stream.runDrain(MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("Stage", "Won")] }))
      )
      expect(error.message).toBe(
        "Marketo fault 1003 in getMObjects: Value 'Won' is not allowed; 1006: 'x' unknown (REST): Invalid data"
      )
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a search by a field the instance's describe does not search alone is refused, naming the fields that would work, and no query is sent", () => {
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ok([describeOf(["externalOpportunityId"], ["marketoGUID"])])
        : s.path === rolesDescribe
        // A compound entry is searched only as a whole: not one of its fields alone.
        ? ok([describeOf(["externalOpportunityId", "leadId", "role"], ["marketoGUID"], ["leadId"])])
        : ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A", stage: "Won" }])
    )
    return Effect.gen(function*() {
      const stage = yield* Effect.flip(
        Stream.runDrain(MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("Stage", "Won")] }))
      )
      // Refused like any input REST cannot express: a ValidationError naming the criterion.
      expect(stage._tag).toBe("ValidationError")
      expect(stage._tag === "ValidationError" && stage.issues).toEqual([{
        index: 0,
        path: ["criteria", 0, "attrName"],
        argument: "params",
        message:
          "REST searches Opportunity on this instance by externalOpportunityId or marketoGUID (its describe's searchableFields); 'Stage' is not searchable"
      }])
      const role = yield* Effect.flip(
        Stream.runDrain(MarketoClient.getMObjects({ type: "OpportunityPersonRole", criteria: [eq("Role", "Buyer")] }))
      )
      expect(role.message).toContain(
        "REST searches OpportunityPersonRole on this instance by marketoGUID or leadId (its describe's searchableFields); 'Role' is not searchable"
      )
      expect(m.api().map((s) => s.path)).toEqual([opportunitiesDescribe, rolesDescribe])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a search by a searchable field is sent, the describe asked once per client and for record reads only; reads ask for its custom fields; a sync's custom fields reuse it", () => {
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ok([{
          ...describeOf(["externalOpportunityId"], ["marketoGUID"], ["Region"]),
          fields: [{ name: "region", dataType: "string" }, { name: "score", dataType: "integer" }]
        }])
        : s.path.startsWith("/rest/asset/")
        ? ok([program(3)])
        : s.method === "POST"
        ? ok([{ seq: 0, marketoGUID: "g", status: "updated" }])
        : ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A", region: "EU" }])
    )
    return Effect.gen(function*() {
      // A program read asks no describe; a record read asks it, for the fields there are to read.
      yield* Stream.runDrain(MarketoClient.getMObjects({ type: "Program", id: 3 }))
      expect(m.api().filter((s) => s.path === opportunitiesDescribe)).toEqual([])
      const [byKey] = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "A" } })
      )
      expect(m.api().filter((s) => s.path === opportunitiesDescribe)).toHaveLength(1)
      // Custom fields come back only when asked for by name: the describe's are.
      expect(queries(m.api())[0]?.params["fields"]?.split(",")).toEqual(expect.arrayContaining(["region", "score"]))
      expect(byKey?._tag === "Opportunity" && byKey.customFields).toEqual({ region: "EU" })
      // Names are compared without case: only a field the describe lacks is refused.
      for (const value of ["EU", "US"]) {
        const found = yield* Stream.runCollect(
          MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("region", value)] })
        )
        expect(found.length).toBe(1)
      }
      expect(m.api().filter((s) => s.path === opportunitiesDescribe)).toHaveLength(1)
      expect(queries(m.api()).map((s) => [s.params["filterType"], s.params["filterValues"]])).toEqual([
        ["externalOpportunityId", "A"],
        ["region", "EU"],
        ["region", "US"]
      ])
      // The same describe types a sync's custom fields: not asked again.
      yield* MarketoClient.syncMObjects(
        [
          Opportunity.make({
            externalKey: { name: "externalOpportunityId", value: "A" },
            customFields: { score: "7" }
          })
        ],
        "UPDATE"
      )
      expect(m.api().filter((s) => s.path === opportunitiesDescribe)).toHaveLength(1)
      const sync = m.api().find((s) => s.method === "POST")
      expect(JSON.parse(sync?.body ?? "")).toMatchObject({ input: [{ score: 7 }] })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("reads that need the describe at the same time share one request", () => {
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ok([describeOf(["externalOpportunityId"], ["marketoGUID"], ["region"])])
        : ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A", region: "EU" }])
    )
    return Effect.gen(function*() {
      const found = yield* Effect.all(
        Array.from(
          { length: 6 },
          () => Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("region", "EU")] }))
        ),
        { concurrency: "unbounded" }
      )
      expect(found.map((chunk) => chunk.length)).toEqual([1, 1, 1, 1, 1, 1])
      expect(m.api().filter((s) => s.path === opportunitiesDescribe)).toHaveLength(1)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("calls awaiting a describe whose asker is interrupted ask for it themselves", () => {
    let describes = 0
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        // The first describe never answers: its asker is given up on.
        ? ++describes === 1 ? Effect.never : ok([{
          ...describeOf(["externalOpportunityId"]),
          fields: [{ name: "score", dataType: "integer" }]
        }])
        : ok([{ seq: 0, marketoGUID: "g", status: "updated" }])
    )
    const sync = MarketoClient.syncMObjects(
      [Opportunity.make({ externalKey: { name: "externalOpportunityId", value: "A" }, customFields: { score: "7" } })],
      "UPDATE"
    )
    return Effect.gen(function*() {
      const asker = yield* Effect.fork(sync)
      while (describes === 0) yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(sync)
      // The waiter awaits the asker's describe before the asker is given up on.
      for (let i = 0; i < 2000; i++) yield* Effect.yieldNow()
      yield* Fiber.interrupt(asker)
      yield* Fiber.join(waiter)
      expect(describes).toBe(2)
      // Its custom field typed by the describe it asked for: not sent as text.
      const sent = m.api().find((s) => s.method === "POST")
      expect(JSON.parse(sent?.body ?? "")).toMatchObject({ input: [{ score: 7 }] })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("an item with a record and an empty reasons is a record; one with a record and reasons ends the read, never dropped", () => {
    let answer: Record<string, unknown> = {}
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe ? ok([describeOf(["externalOpportunityId"])]) : ok([answer])
    )
    const read = Stream.runCollect(
      MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "O-1" } })
    )
    return Effect.gen(function*() {
      answer = { seq: 0, marketoGUID: "g-1", externalOpportunityId: "O-1", name: "n1", reasons: [] }
      const found = [...yield* read]
      expect(found.map((o) => o._tag === "Opportunity" ? [o.externalKey?.value, o.name] : [])).toEqual([["O-1", "n1"]])
      answer = {
        seq: 0,
        marketoGUID: "g-1",
        externalOpportunityId: "O-1",
        reasons: [{ code: "1013", message: "Not found" }]
      }
      const error = yield* Effect.flip(read)
      expect(error._tag === "ProtocolError" && error.detail).toContain("both a record and reasons")
      // A miss, reasons (or none) and nothing else: no record, and no error.
      answer = { seq: 0, reasons: [{ code: "1013", message: "Not found" }] }
      expect((yield* read).length).toBe(0)
      answer = { seq: 0, reasons: [] }
      expect((yield* read).length).toBe(0)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a read's check takes a place in the rate window only for the describe it sends: three requests, three places", () =>
    Effect.gen(function*() {
      for (const calls of [3, 2]) {
        const m = withMarketo(
          (s) =>
            s.path === opportunitiesDescribe
              ? ok([describeOf(["externalOpportunityId"], ["region"])])
              : ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A", region: "EU" }]),
          { retry: { maxAttempts: 1 }, rateLimit: { calls, window: "20 seconds", inFlight: 10 } }
        )
        // A search (its check asks the describe, then the query), then a read by key (the
        // describe kept, the check sends nothing): three requests.
        const reads = yield* Effect.fork(
          Effect.zip(
            Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("region", "EU")] })),
            Stream.runCollect(
              MarketoClient.getMObjects({
                type: "Opportunity",
                externalKey: { name: "externalOpportunityId", value: "A" }
              })
            )
          ).pipe(Effect.provide(m.client))
        )
        yield* TestClock.adjust("1 second")
        // In a window of three they all go at once; in a window of two the third waits for it.
        expect([calls, (yield* Fiber.poll(reads))._tag]).toEqual([calls, calls === 3 ? "Some" : "None"])
        yield* TestClock.adjust("20 seconds")
        yield* Fiber.join(reads)
        expect(m.api()).toHaveLength(3)
      }
    }))

  it.effect("a describe that never answers a read's check is given up on at the call's time limit: the read goes on, and the next call asks again", () => {
    let describes = 0
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ++describes === 1 ? Effect.never : ok([{
          ...describeOf(["externalOpportunityId"]),
          fields: [{ name: "score", dataType: "integer" }]
        }])
        : s.method === "POST"
        ? ok([{ seq: 0, marketoGUID: "g", status: "updated" }])
        : ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A", stage: "Won" }]), {
      retry: { maxAttempts: 1 },
      callTimeout: "10 seconds"
    })
    return Effect.gen(function*() {
      const reading = yield* Effect.fork(Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("Stage", "Won")] })
      ))
      yield* TestClock.adjust("11 seconds")
      // The check could not tell: the instance had the last word, and answered. The hung
      // describe was not kept for the read's own (the fields to read): that one asked again.
      expect((yield* Fiber.join(reading)).length).toBe(1)
      expect(describes).toBe(2)
      // The describe answered is kept: a sync with a custom field is typed by it.
      const outcomes = yield* MarketoClient.syncMObjects(
        [Opportunity.make({
          externalKey: { name: "externalOpportunityId", value: "A" },
          customFields: { score: "7" }
        })],
        "UPDATE"
      )
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED"])
      expect(describes).toBe(2)
      expect(JSON.parse(m.api().find((s) => s.method === "POST")?.body ?? "")).toMatchObject({ input: [{ score: 7 }] })
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a describe that fails leaves the search to the instance and is asked again; one that lists no searchable fields leaves it to the instance too", () => {
    let describes = 0
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ++describes === 1 ? fail("611", "System error") : ok([describeOf()])
        : ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A", stage: "Won" }])
    )
    return Effect.gen(function*() {
      for (let i = 0; i < 3; i++) {
        const found = yield* Stream.runCollect(
          MarketoClient.getMObjects({ type: "Opportunity", criteria: [eq("Stage", "Won")] })
        )
        expect(found.length).toBe(1)
      }
      // The failed describe is not kept; the one that answered is, though it lists no searches.
      expect(describes).toBe(2)
      expect(queries(m.api())).toHaveLength(3)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("what REST cannot express is refused before anything is sent, naming what would work", () => {
    const m = withMarketo(() => ok([]))
    return Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [MarketoClient.GetParams, RegExp]> = [
        [{ type: "Program", criteria: [eq("Created At", "2024-01-01", "GE")] }, /Name EQ.*Updated At GE/],
        [{ type: "Program", criteria: [eq("Updated At", "2024-01-01", "GT")] }, /use Updated At GE or LE/],
        [{ type: "Program", criteria: [eq("Name", "a"), eq("Id", "3")] }, /by Name alone/],
        [{ type: "Program", criteria: [eq("Tag Type", "Region")] }, /Tag Type EQ and Tag Value EQ together/],
        [{ type: "Program", criteria: [eq("Updated At", "yesterday", "GE")] }, /ISO-8601/],
        // A date of the right shape that names no day, or no time, is refused as well.
        [{ type: "Program", criteria: [eq("Updated At", "2021-13-45T99:99:99Z", "GE")] }, /ISO-8601/],
        [{ type: "Program", criteria: [eq("Updated At", "2021-02-30", "LE")] }, /ISO-8601/],
        [{ type: "Program", criteria: [eq("Updated At", "2021-02-28T24:00:00Z", "LE")] }, /ISO-8601/],
        // A paged program read resumes from a position REST answered, not from one it would send as NaN.
        [
          { type: "Program", criteria: [eq("Tag Type", "Region"), eq("Tag Value", "EU")], streamPosition: "abc" },
          /params\.streamPosition: a REST read of Programs resumes from a position it answered/
        ],
        // filterValues trims its values: a value with spaces at an end would read another.
        [
          { type: "Opportunity", criteria: [eq("Stage", " Won")] },
          /params\.criteria\[0\]\.attrValue: .*trim its spaces/
        ],
        [
          {
            type: "OpportunityPersonRole",
            associations: [
              { mObjType: "Opportunity", externalKey: { name: "externalOpportunityId", value: "O-1" } },
              { mObjType: "Lead", id: 7 }
            ],
            criteria: [eq("Role", "Buyer", "NE")]
          },
          /params\.criteria\[0\]\.comparison: REST compares for equal values only: use EQ/
        ],
        [{ type: "Program", externalKey: { name: "Name", value: "x" } }, /read it by id, or by Name EQ/],
        [{ type: "Opportunity", criteria: [eq("Stage", "Won", "NE")] }, /use EQ/],
        [{ type: "Opportunity", criteria: [eq("Stage", "Won"), eq("Name", "x")] }, /one criterion alone/],
        [
          {
            type: "OpportunityPersonRole",
            associations: [{ mObjType: "Opportunity", externalKey: { name: "externalOpportunityId", value: "a,b" } }]
          },
          /compound key/
        ]
      ]
      for (const [params, message] of cases) {
        const error = yield* Effect.flip(Stream.runDrain(MarketoClient.getMObjects(params)))
        expect(error._tag).toBe("ValidationError")
        expect(error.message).toMatch(message)
      }
      // Two criteria are one problem, said once: not also "cannot list every", which says none was given.
      const two = yield* Effect.flip(Stream.runDrain(MarketoClient.getMObjects({
        type: "Opportunity",
        criteria: [eq("externalOpportunityId", "A"), eq("externalOpportunityId", "B")]
      })))
      expect(two._tag === "ValidationError" && two.issues.map((i) => i.message)).toEqual([
        "REST reads Opportunity by one criterion alone (2 were given; REST cannot combine them): externalKey externalOpportunityId or marketoGUID, or one searchable field EQ a value"
      ])
      expect(m.sent).toEqual([])
    }).pipe(Effect.provide(m.client))
  })
  it.effect("a program as Adobe documents it (folder by value and name, costs null, times with Z+0000) is read", () => {
    const adobe = program(1107, {
      folder: { type: "Folder", value: 1910, folderName: "ProgramQueryTestFolder" },
      costs: null,
      tags: null,
      description: null,
      createdAt: "2015-05-21T22:45:13Z+0000",
      updatedAt: "2015-05-21T22:45:13Z+0000"
    })
    const m = withMarketo(() => ok([adobe]))
    return Effect.gen(function*() {
      for (const params of [{ id: 1107 }, { criteria: [eq("Name", "P1107")] }, {}] as const) {
        const [found] = yield* Stream.runCollect(MarketoClient.getMObjects({ type: "Program", ...params }))
        expect(found?.id).toBe(1107)
        expect(found?.createdAt).toBe("2015-05-21T22:45:13Z")
      }
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a refused program read ends with the instance's reason; only 702 (no data found) is an empty result", () => {
    const m = withMarketo((s) =>
      s.params["tagType"] === "Missing" || s.path.endsWith("/program/9.json")
        ? fail("702", "No data found for given search scenario")
        : fail("1003", "Invalid tag type")
    )
    return Effect.gen(function*() {
      const none = yield* Stream.runCollect(MarketoClient.getMObjects({ type: "Program", id: 9 }))
      expect(none.length).toBe(0)
      const noTag = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Program", criteria: [eq("Tag Type", "Missing"), eq("Tag Value", "x")] })
      )
      expect(noTag.length).toBe(0)
      for (const params of [{ id: 3 }, { criteria: [eq("Name", "x")] }, { criteria: [eq("Workspace Name", "W")] }]) {
        const error = yield* Effect.flip(Stream.runDrain(MarketoClient.getMObjects({ type: "Program", ...params })))
        expect(error.message).toContain("1003")
        expect(error.message).toContain("Invalid tag type")
      }
    }).pipe(Effect.provide(m.client))
  })

  it.effect("programs read by offset lose and repeat nothing when the list shifts, and a server that ignores the offset ends in an error", () => {
    const list = Array.from({ length: 450 }, (_, i) => program(i + 1))
    let asked = 0
    // One program created at the front after the first page, one deleted after the second.
    const shifting = withMarketo((s) => {
      // Each program of a page is read again by name (programs.json has no costs or tags).
      const read = named(s, list)
      if (read !== undefined) return read
      asked++
      if (asked === 2) list.unshift(program(1000))
      if (asked === 3) list.splice(5, 1)
      const offset = Number(s.params["offset"])
      return ok(list.slice(offset, offset + Number(s.params["maxReturn"])))
    })
    // Ignores offset and maxReturn alike, even for a program by id.
    const ignoring = withMarketo(() => ok(Array.from({ length: 200 }, (_, i) => program(i + 1))))
    return Effect.gen(function*() {
      // 450 programs are 473 requests (a page of 20, then each program by name): paced by the
      // client's rate limit, 100 in 20 s, on the test's clock.
      const reading = yield* Effect.fork(
        Stream.runCollect(MarketoClient.getMObjects({ type: "Program" })).pipe(Effect.provide(shifting.client))
      )
      yield* TestClock.adjust("10 minutes")
      const found = yield* Fiber.join(reading)
      const ids = [...found].map((o) => o.id)
      expect(new Set(ids).size).toBe(ids.length)
      // Every program there from start to end was read (the one created meanwhile may or may not be).
      expect(ids.filter((id) => id !== 1000).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
        Array.from({ length: 450 }, (_, i) => i + 1).filter((id) => id !== 5)
          .concat(ids.includes(5) ? [5] : []).sort((a, b) => a - b)
      )
      const error = yield* Effect.flip(
        Stream.runDrain(MarketoClient.getMObjects({ type: "Program" })).pipe(Effect.provide(ignoring.client))
      )
      expect(error._tag).toBe("ProtocolError")
      expect(ignoring.api().length).toBeLessThan(40)
    })
  })

  it.effect("a datetime field read keeps its instant (the offset Marketo answers with applied); a date field its day", () => {
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ok([describeOf()])
        : ok([{
          seq: 0,
          marketoGUID: "g",
          externalOpportunityId: "A",
          externalCreatedDate: "2015-05-07T20:47:30-08:00",
          closeDate: "2015-06-30"
        }])
    )
    return Effect.gen(function*() {
      const [read] = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "A" } })
      )
      expect(read?._tag === "Opportunity" && [read.externalCreatedDate?.toISOString(), read.closeDate?.toISOString()])
        .toEqual(["2015-05-08T04:47:30.000Z", "2015-06-30T00:00:00.000Z"])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a page over maxResponseBytes is asked again for the same place in half the size, down to one record; the next page starts at 300 again", () => {
    // Records of about 1 KB: 120 KB holds a page of 75, not of 150.
    const big = "x".repeat(1000)
    const all = Array.from(
      { length: 250 },
      (_, i) => ({ seq: i, marketoGUID: `g${i}`, externalOpportunityId: "A", description: big })
    )
    const t = tokens()
    const f = fake((s) => {
      if (s.path === identityPath) return t.route()
      if (s.path === opportunitiesDescribe) return ok([describeOf()])
      const from = Number(s.params["nextPageToken"] ?? "0")
      const to = Math.min(all.length, from + Number(s.params["batchSize"]))
      const more = to < all.length
      return ok(all.slice(from, to), more ? { moreResult: true, nextPageToken: String(to) } : {})
    })
    const client = (max: number) =>
      MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
        Layer.provide(RestTransport.layer({ maxResponseBytes: max }).pipe(Layer.provide(f.layer)))
      )
    const read = MarketoClient.getMObjects({
      type: "Opportunity",
      externalKey: { name: "externalOpportunityId", value: "A" }
    })
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(read).pipe(Effect.provide(client(120_000)))
      expect([...found].map((o) => o._tag === "Opportunity" && o.externalKey?.value)).toEqual(all.map(() => "A"))
      expect(found.length).toBe(250)
      expect(queries(f.sent).map((s) => [s.params["nextPageToken"] ?? "", s.params["batchSize"]])).toEqual([
        ["", "300"],
        ["", "150"],
        ["", "75"],
        ["75", "300"],
        ["75", "150"],
        ["75", "75"],
        ["150", "300"]
      ])
      // One record alone over the bound: halved down to one, then the read ends in TooLarge.
      const before = queries(f.sent).length
      const error = yield* Effect.flip(Stream.runDrain(read).pipe(Effect.provide(client(500))))
      expect(error).toMatchObject({ _tag: "ProtocolError", reason: "TooLarge" })
      expect(queries(f.sent).slice(before).map((s) => s.params["batchSize"])).toEqual(
        ["300", "150", "75", "38", "19", "10", "5", "3", "2", "1"]
      )
    })
  })

  it.effect("a read follows moreResult: a short or empty page that says there is more is not the end; more without a token is an error", () => {
    const record = (i: number) => ({ seq: i, marketoGUID: `g${i}`, externalOpportunityId: "A" })
    const pages: Record<string, unknown> = {
      first: ok(Array.from({ length: 120 }, (_, i) => record(i)), { moreResult: true, nextPageToken: "P2" }),
      P2: ok([], { moreResult: true, nextPageToken: "P3" }),
      P3: ok([record(120), record(121)])
    }
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? ok([describeOf()])
        : s.params["filterValues"] === "B"
        ? ok([record(0)], { moreResult: true })
        : pages[s.params["nextPageToken"] ?? "first"] as ReturnType<Route>
    )
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "A" } })
      )
      expect(found.length).toBe(122)
      const error = yield* Effect.flip(Stream.runDrain(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "B" } })
      ))
      expect(error.message).toContain("says there is more (moreResult) but gives no nextPageToken")
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a key with spaces at an end is looked up whole as JSON; a lookup's key that found nothing is skipped, one refused ends the read", () => {
    const m = withMarketo((s) => {
      if (s.path === opportunitiesDescribe) return ok([describeOf()])
      const key = (JSON.parse(s.body || "{}") as { input?: ReadonlyArray<{ externalOpportunityId?: string }> })
        .input?.[0]?.externalOpportunityId
      return key === " lead"
        ? ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: " lead" }])
        : key === "gone "
        ? ok([{ seq: 0, reasons: [{ code: "1013", message: "Object not found" }] }])
        : ok([{ seq: 0, reasons: [{ code: "1003", message: "Invalid value for externalOpportunityId" }] }])
    })
    const read = (value: string) =>
      Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value } })
      )
    return Effect.gen(function*() {
      const [found] = yield* read(" lead")
      expect(found?.externalKey?.value).toBe(" lead")
      const lookups = m.api().filter((s) => s.path !== opportunitiesDescribe)
      expect([lookups[0]?.method, lookups[0]?.params["_method"]]).toEqual(["POST", "GET"])
      expect((yield* read("gone ")).length).toBe(0)
      const error = yield* Effect.flip(read("bad,key"))
      expect(error.message).toContain("Invalid value for externalOpportunityId")
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a refused describe ends with the instance's code; an empty one is no answer, for LeadRecord as for Opportunity", () => {
    const m = withMarketo((s) => s.path === opportunitiesDescribe ? fail("1003", "Invalid request") : ok([]))
    return Effect.gen(function*() {
      const refused = yield* Effect.flip(MarketoClient.describeMObject("Opportunity"))
      expect(refused._tag).toBe("MarketoFault")
      expect(refused.message).toContain("1003")
      const empty = yield* Effect.flip(MarketoClient.describeMObject("LeadRecord"))
      expect(empty._tag).toBe("ProtocolError")
      expect(empty.message).toContain("describe of LeadRecord answered no fields")
    }).pipe(Effect.provide(m.client))
  })
  it.effect("a record read whose describe is refused, or answers no metadata, fails: it would otherwise lose the custom fields", () => {
    const m = withMarketo((s) =>
      s.path === opportunitiesDescribe
        ? fail("1003", "Invalid request")
        : s.path === rolesDescribe
        ? ok([])
        : ok([{ seq: 0, marketoGUID: "g", externalOpportunityId: "A" }])
    )
    return Effect.gen(function*() {
      const refused = yield* Effect.flip(Stream.runDrain(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "A" } })
      ))
      expect(refused._tag).toBe("MarketoFault")
      expect(refused.message).toContain("1003")
      const empty = yield* Effect.flip(Stream.runDrain(
        MarketoClient.getMObjects({ type: "OpportunityPersonRole", externalKey: { name: "marketoGUID", value: "g" } })
      ))
      expect(empty._tag).toBe("ProtocolError")
      expect(empty.message).toContain("the describe of roles answered no metadata")
      // No record query went out without its fields.
      expect(queries(m.api())).toEqual([])
    }).pipe(Effect.provide(m.client))
  })
})
