import { describe, expect, it } from "@effect/vitest"
import * as MarketoClient from "@mktows/core/MarketoClient"
import { MarketoTransport } from "@mktows/core/MarketoTransport"
import * as Opportunity from "@mktows/core/Opportunity"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Program from "@mktows/core/Program"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as RestTransport from "../src/RestTransport.js"
import { fail, fake, json, ok, type Route, secret, type Sent, tokenOf, tokens } from "./helpers/fakeMarketo.js"
import * as Swagger from "./helpers/swagger.js"

const withMarketo = (api: Route) => {
  const t = tokens()
  const f = fake((s) => s.path === "/identity/oauth/token" ? t.route() : api(s))
  const transport = RestTransport.layer().pipe(Layer.provide(f.layer))
  const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(Layer.provide(transport))
  return { ...f, tokens: t, transport, client, api: (s: Sent) => s.path !== "/identity/oauth/token" }
}

/** The program id of a `program/{id}.json` path, as Marketo's answer names it. */
const idOf = (path: string) => Number(/(\d+)\.json$/.exec(path)?.[1])

const opp = (ext: string, props: Partial<ConstructorParameters<typeof Opportunity.Opportunity>[0]> = {}) =>
  Opportunity.make({ externalKey: { name: "externalOpportunityId", value: ext }, ...props })

// Swagger's CustomObject marks `seq` and `marketoGUID` required, yet documents that neither
// is submitted: those two are the only differences a request may have.
const requestDifferences = (definition: string, body: unknown) =>
  Swagger.differences("swagger-mapi.json", definition, body).filter((d) =>
    !/input\[\d+\]\.(seq|marketoGUID): required$/.test(d)
  )

describe("RestTransport over MarketoClient", () => {
  it.effect("an INSERT of opportunities is one createOnly request with typed JSON fields", () => {
    const m = withMarketo((s) =>
      s.path.endsWith("/describe.json")
        ? ok([{
          idField: "marketoGUID",
          dedupeFields: ["externalOpportunityId"],
          fields: [{ name: "myField", dataType: "string" }]
        }])
        : ok((JSON.parse(s.body) as { input: Array<unknown> }).input.map((_, seq) => ({
          seq,
          marketoGUID: `guid-${seq}`,
          status: "created"
        })))
    )
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.syncMObjects([
        opp("A", { name: "Big", amount: 12.5, isWon: true, closeDate: new Date("2024-06-30"), fiscalYear: 2024 }),
        opp("B", {
          company: { externalKey: { name: "externalCompanyId", value: "ACME" } },
          customFields: { myField: "x" }
        })
      ], "INSERT")
      // Each outcome names its object by the key it was sent with.
      expect(outcomes.map((o) => [o.status, o.externalKey?.value, o.id])).toEqual([
        ["CREATED", "A", undefined],
        ["CREATED", "B", undefined]
      ])
      // The describe types custom fields (here: text), once per client.
      const calls = m.sent.filter(m.api).filter((s) => !s.path.endsWith("/describe.json"))
      expect(calls).toHaveLength(1)
      const [call] = calls
      expect(call?.path).toBe("/rest/v1/opportunities.json")
      expect(call?.headers["authorization"]).toBe(`Bearer ${tokenOf(1)}`)
      expect(call?.params).toEqual({})
      const body = JSON.parse(call?.body ?? "")
      expect(body).toEqual({
        action: "createOnly",
        input: [
          {
            externalOpportunityId: "A",
            amount: 12.5,
            closeDate: "2024-06-30",
            fiscalYear: 2024,
            isWon: true,
            name: "Big"
          },
          { externalOpportunityId: "B", myField: "x", externalCompanyId: "ACME" }
        ]
      })
      if (Swagger.available) expect(requestDifferences("SyncCustomObjectRequest", body)).toEqual([])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("UPDATE by marketoGUID uses dedupeBy idField, by externalOpportunityId dedupeFields", () => {
    const m = withMarketo((s) =>
      ok(
        (JSON.parse(s.body) as { input: Array<unknown> }).input.map((_, seq) => ({
          seq,
          marketoGUID: "g",
          status: "updated"
        }))
      )
    )
    return Effect.gen(function*() {
      yield* MarketoClient.syncMObjects([
        Opportunity.make({ externalKey: { name: "marketoGUID", value: "g1" }, stage: "Won" }),
        opp("B", { stage: "Lost" })
      ], "UPDATE")
      const bodies = m.sent.filter(m.api).map((s) => JSON.parse(s.body))
      expect(bodies).toEqual([
        { action: "updateOnly", dedupeBy: "idField", input: [{ marketoGUID: "g1", stage: "Won" }] },
        { action: "updateOnly", dedupeBy: "dedupeFields", input: [{ externalOpportunityId: "B", stage: "Lost" }] }
      ])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("record statuses: SKIPPED only where the operation skips by design; UNCHANGED for a delete of what is not there; else FAILED", () => {
    // The same four skipped records under every operation: not found, lead not found, exists, invalid.
    const reasons = [["1013", "Object not found"], ["1004", "Lead not found"], ["1017", "Object already exists"], [
      "1003",
      "Invalid value"
    ]] as const
    const m = withMarketo(() =>
      ok(reasons.map(([code, message], seq) => ({ seq, status: "skipped", reasons: [{ code, message }] })))
    )
    const objects = ["a", "b", "c", "d"].map((key) => opp(key))
    return Effect.gen(function*() {
      const sync = (operation: "INSERT" | "UPDATE" | "UPSERT") =>
        MarketoClient.syncMObjects(objects, operation, { failOnPartial: false })
      const statuses = (outcomes: ReadonlyArray<{ readonly status: string }>) => outcomes.map((o) => o.status)
      // INSERT skips what exists; a record it names that is not there (a role's opportunity or lead) was refused.
      expect(statuses(yield* sync("INSERT"))).toEqual(["FAILED", "FAILED", "SKIPPED", "FAILED"])
      // UPDATE skips what is not there; a lead not found is a role's lead, never the record itself.
      expect(statuses(yield* sync("UPDATE"))).toEqual(["SKIPPED", "FAILED", "FAILED", "FAILED"])
      // UPSERT creates what is not there and updates what is: it skips nothing by design.
      const upserted = yield* sync("UPSERT")
      expect(statuses(upserted)).toEqual(["FAILED", "FAILED", "FAILED", "FAILED"])
      expect(upserted.map((o) => o.error)).toEqual(reasons.map(([code, message]) => `${code}: ${message}`))
      const deleted = yield* MarketoClient.deleteMObjects(
        ["a", "b", "c", "d"].map((key) => ({
          type: "Opportunity" as const,
          externalKey: { name: "externalOpportunityId", value: key }
        })),
        { failOnPartial: false }
      )
      expect(statuses(deleted)).toEqual(["UNCHANGED", "UNCHANGED", "SKIPPED", "FAILED"])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("an answer with a seq given twice or out of range keeps none of its statuses: every record IN_DOUBT", () => {
    const answers = [
      // seq 0 twice: the second cannot be trusted, nor can the first, nor the rest of the answer.
      [{ seq: 0, marketoGUID: "g0", status: "created" }, { seq: 0, status: "skipped", reasons: [] }, {
        seq: 1,
        marketoGUID: "g1",
        status: "created"
      }, { seq: 2, marketoGUID: "g2", status: "created" }],
      // seq 7 for three records, after two that look right.
      [{ seq: 0, marketoGUID: "g0", status: "created" }, { seq: 1, marketoGUID: "g1", status: "created" }, {
        seq: 7,
        marketoGUID: "g7",
        status: "created"
      }]
    ]
    return Effect.forEach(answers, (answer) => {
      const m = withMarketo(() => ok(answer))
      return Effect.gen(function*() {
        const outcomes = yield* MarketoClient.syncMObjects([opp("a"), opp("b"), opp("c")], "INSERT", {
          failOnPartial: false
        })
        expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT", "IN_DOUBT", "IN_DOUBT"])
      }).pipe(Effect.provide(m.client))
    }, { discard: true })
  })

  it.effect("statuses are paired by seq, whatever their order", () => {
    const m = withMarketo(() =>
      ok([{ seq: 1, marketoGUID: "second", status: "created" }, { seq: 0, marketoGUID: "first", status: "updated" }])
    )
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.syncMObjects([opp("a"), opp("b")], "UPSERT")
      expect(outcomes.map((o) => [o.status, o.externalKey?.value])).toEqual([["UPDATED", "a"], ["CREATED", "b"]])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("601 refreshes the token and sends once more; a second 601 is an AuthFault", () => {
    let calls = 0
    const m = withMarketo((s) => {
      calls++
      return s.headers["authorization"] === `Bearer ${tokenOf(2)}` && calls < 3
        ? ok([{ seq: 0, marketoGUID: "g", status: "created" }])
        : fail("601", "Access token invalid")
    })
    return Effect.gen(function*() {
      const first = yield* MarketoClient.syncMObjects([opp("a")], "INSERT")
      expect(first[0]?.status).toBe("CREATED")
      expect(m.tokens.count()).toBe(2)
      const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("b")], "INSERT"))
      expect(error._tag).toBe("AuthFault")
      expect(error.message).toMatch(/^Marketo authentication failed \(REST 601\): Access token invalid; /)
      expect(m.tokens.count()).toBe(3)
      expect(calls).toBe(4)
    }).pipe(Effect.provide(m.client))
  })

  const callWith = (api: Route) => {
    const m = withMarketo(api)
    return Effect.flatMap(MarketoTransport, (t) =>
      Effect.flip(t.call("syncMObjects", {
        operation: "UPSERT",
        mObjectList: [{ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "x" } }]
      }))).pipe(Effect.provide(m.transport))
  }

  it.effect("response-level codes map to core's errors (the table of RestTransport)", () =>
    Effect.gen(function*() {
      const table: ReadonlyArray<readonly [string, string, number | boolean]> = [
        ["606", "MarketoFault", 20023],
        ["615", "MarketoFault", 20024],
        ["607", "MarketoFault", 20015],
        ["603", "AuthFault", 20013],
        ["602", "AuthFault", 20014],
        ["604", "TransportError", true],
        ["608", "TransportError", true],
        ["611", "TransportError", true],
        ["614", "TransportError", true],
        ["713", "TransportError", true],
        ["719", "TransportError", true],
        ["1029", "TransportError", true]
      ]
      for (const [code, tag, detail] of table) {
        const error = yield* callWith(() => fail(code, "refused"))
        expect([code, error._tag]).toEqual([code, tag])
        if (error._tag === "MarketoFault" || error._tag === "AuthFault") expect(error.code).toBe(detail)
        if (error._tag === "TransportError") expect(error.ambiguous).toBe(detail)
        // The REST code said once: the fault's own code is SOAP's, whose handling it shares.
        expect([code, error.message.split(code).length - 1]).toEqual([code, 1])
        expect(error.message).not.toContain("undocumented")
      }
    }))

  it.effect("HTTP 5xx and a 2xx other than 200 are an ambiguous TransportError, 4xx a plain one, bad JSON a ProtocolError", () =>
    Effect.gen(function*() {
      const e502 = yield* callWith(() => json("<html>bad gateway</html>", 502))
      expect(e502._tag === "TransportError" && e502.ambiguous && e502.status === 502).toBe(true)
      const e413 = yield* callWith(() => json("too large", 413))
      expect(e413._tag === "TransportError" && !e413.ambiguous).toBe(true)
      // A 2xx that is not the answer (accepted for later, done with nothing said) may have been applied.
      for (const status of [201, 202]) {
        const accepted = yield* callWith(() => json("", status))
        expect([status, accepted._tag === "TransportError" && accepted.ambiguous]).toEqual([status, true])
      }
      const bad = yield* callWith(() => json("{not json"))
      expect(bad._tag).toBe("ProtocolError")
      const wrong = yield* callWith(() => ok([{ seq: 0, status: "exploded" }]))
      expect(wrong._tag).toBe("ProtocolError")
      const stray = yield* callWith(() => ok([{ seq: 7, status: "created" }]))
      expect(stray._tag === "ProtocolError" && stray.reason === "IdentityMismatch").toBe(true)
    }))

  it.effect("an error page over the size bound is its status still: a 502 ambiguous, a 400 refused; only a 200 that large is TooLarge", () =>
    Effect.gen(function*() {
      const page = `<html>${"x".repeat(2_000)}</html>`
      const bounded = (status: number) => {
        const m = withMarketo(() => json(page, status))
        const transport = RestTransport.layer({ maxResponseBytes: 1_000 }).pipe(Layer.provide(m.layer))
        return Effect.flatMap(MarketoTransport, (t) =>
          Effect.flip(t.call("syncMObjects", {
            operation: "UPSERT",
            mObjectList: [{ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "x" } }]
          }))).pipe(Effect.provide(transport))
      }
      const gateway = yield* bounded(502)
      expect(gateway._tag === "TransportError" && gateway.status === 502 && gateway.ambiguous).toBe(true)
      const refused = yield* bounded(400)
      expect(refused._tag === "TransportError" && refused.status === 400 && !refused.ambiguous).toBe(true)
      const large = yield* bounded(200)
      expect(large._tag === "ProtocolError" && large.reason === "TooLarge").toBe(true)
    }))

  it.effect("a success body that is not UTF-8 is an InvalidEncoding ProtocolError; other statuses are only quoted", () =>
    Effect.gen(function*() {
      // A created record whose message holds a lone 0xFF byte: no UTF-8 text has it.
      const text = JSON.stringify({ requestId: "r#1", success: true, result: [{ seq: 0, status: "created", id: 7 }] })
      const at = text.indexOf("created")
      const bytes = new Uint8Array([
        ...new TextEncoder().encode(text.slice(0, at)),
        0xFF,
        ...new TextEncoder().encode(text.slice(at))
      ])
      const bad = yield* callWith(() => Effect.succeed({ status: 200, body: bytes }))
      expect(bad._tag === "ProtocolError" && bad.reason === "InvalidEncoding").toBe(true)
      const gateway = yield* callWith(() => Effect.succeed({ status: 502, body: bytes }))
      expect(gateway._tag === "TransportError" && gateway.status === 502).toBe(true)
    }))

  it.effect("what REST cannot express is refused before anything is sent", () => {
    const m = withMarketo(() => ok([]))
    return Effect.gen(function*() {
      const cases = [
        [Opportunity.make({ id: 12, name: "x" }), "UPDATE", "id"],
        [Opportunity.make({ name: "no key" }), "INSERT", "externalKey"],
        [Opportunity.make({ externalKey: { name: "marketoGUID", value: "g" } }), "UPSERT", "externalKey"],
        [Opportunity.make({ externalKey: { name: "myKey", value: "k" } }), "UPSERT", "externalKey"],
        [opp("a", { company: { id: 5 } }), "UPSERT", "company"],
        [opp("a", { customFields: { marketoGUID: "g" } }), "UPSERT", "customFields"],
        // A key's name in another case is the key still, where Marketo matches names without case.
        [opp("a", { customFields: { ExternalOpportunityId: "B" } }), "UPSERT", "customFields"],
        [opp("a", { customFields: { MarketoGUID: "g" } }), "UPSERT", "customFields"],
        [
          OpportunityPersonRole.make({
            role: "Buyer",
            lead: { id: 7 },
            opportunity: { externalKey: { name: "externalOpportunityId", value: "a" } },
            customFields: { ExternalOpportunityId: "B" }
          }),
          "UPSERT",
          "customFields"
        ],
        [opp("a", { customFields: { AMOUNT: "1" } }), "UPSERT", "customFields"],
        [OpportunityPersonRole.make({ opportunityId: 1, personId: 2, role: "r" }), "UPSERT", "opportunityId"],
        [Program.make({ id: 1, costs: [{ id: 3, month: "2024-01", amount: 5 }] }), "UPDATE", "costs"],
        [Program.make({ id: 1, costs: [{ month: "2024-01", amount: 5.5 }] }), "UPDATE", "costs"]
      ] as const
      for (const [object, operation, path] of cases) {
        const error = yield* Effect.flip(MarketoClient.syncMObjects([object], operation))
        expect(error._tag).toBe("ValidationError")
        if (error._tag === "ValidationError") expect(error.issues.map((i) => i.path[0])).toContain(path)
      }
      const read = yield* Effect.flip(Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", id: 3 })))
      expect(read._tag).toBe("ValidationError")
      const del = yield* Effect.flip(MarketoClient.deleteMObjects([{ type: "Opportunity", id: 3 }]))
      expect(del._tag).toBe("ValidationError")
      const describe = yield* Effect.flip(MarketoClient.describeMObject("Channel"))
      expect(describe._tag).toBe("ValidationError")
      expect(describe.message).toContain(
        "REST describes Opportunity, OpportunityPersonRole and LeadRecord only, not 'Channel'"
      )
      expect(m.sent).toEqual([])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("every request of a call counts against the client's rate limit: seven Programs at three requests a second", () => {
    // Marketo counts requests: a call of seven Programs is seven requests, not one call.
    const times: Array<number> = []
    const t = tokens()
    const f = fake((s) =>
      s.path === "/identity/oauth/token"
        ? t.route()
        : Effect.flatMap(Clock.currentTimeMillis, (now) => {
          times.push(now)
          return ok([{ id: idOf(s.path), name: "P", type: "default", channel: "Webinar", costs: [], tags: [] }])
        })
    )
    const client = MarketoClient.layer({ rateLimit: { calls: 3, window: "1 seconds", inFlight: 1 } }).pipe(
      Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer)))
    )
    const programs = Array.from(
      { length: 7 },
      (_, i) => Program.make({ id: 1970 + i })
    )
    return Effect.gen(function*() {
      const t0 = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(MarketoClient.syncMObjects(programs, "UPDATE"))
      yield* TestClock.adjust("1 minutes")
      const outcomes = yield* Fiber.join(fiber)
      // No cost and no tag to send: each is read (a request) to find it there, and not updated.
      expect(outcomes.map((o) => o.status)).toEqual(programs.map(() => "UNCHANGED"))
      // Three at once, then three a window later, then the last: never more than three in a second.
      expect(times.map((time) => time - t0)).toEqual([0, 0, 0, 1_000, 1_000, 1_000, 2_000])
    }).pipe(Effect.provide(client))
  })

  it.effect("the waits for the rate window between a call's requests are not counted against callTimeout: twelve Programs at three a second, in one attempt of two seconds", () => {
    // Twelve Programs are twelve requests at three a second: four seconds, twice the attempt's
    // limit, nearly all of it waiting for the rate window. The attempt counts only its own time.
    const t = tokens()
    const times: Array<number> = []
    const f = fake((s) =>
      s.path === "/identity/oauth/token"
        ? t.route()
        : Effect.flatMap(Clock.currentTimeMillis, (now) => {
          times.push(now)
          return ok([{ id: idOf(s.path), name: "P", type: "default", channel: "Webinar", costs: [], tags: [] }])
        })
    )
    const client = MarketoClient.layer({
      rateLimit: { calls: 3, window: "1 seconds", inFlight: 1 },
      callTimeout: "2 seconds",
      retry: { maxAttempts: 1 }
    }).pipe(Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer))))
    // Programs with nothing to send: a read of each, which counts as every request does.
    const programs = Array.from(
      { length: 12 },
      (_, i) => Program.make({ id: 1970 + i })
    )
    return Effect.gen(function*() {
      const t0 = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(MarketoClient.syncMObjects(programs, "UPDATE", { failOnPartial: false }))
      yield* TestClock.adjust("10 minutes")
      const outcomes = yield* Fiber.join(fiber)
      expect(outcomes.map((o) => o.status)).toEqual(programs.map(() => "UNCHANGED"))
      // Each Program once, in the one attempt, the last three seconds after the first.
      const paths = f.sent.filter((s) => s.path !== "/identity/oauth/token").map((s) => s.path)
      expect(paths).toEqual(programs.map((p) => `/rest/asset/v1/program/${p.id}.json`))
      expect(times.at(-1)! - t0).toBe(3_000)
    }).pipe(Effect.provide(client))
  })

  it.effect("callTimeout still ends a request of a many-request call that does not come back in time", () => {
    // The fifth Program's update is never answered: its attempt ends after two seconds of its own
    // time, the four answered before keep their statuses. (Each Program is read first for its tags.)
    const t = tokens()
    let updates = 0
    const f = fake((s) => {
      if (s.path === "/identity/oauth/token") return t.route()
      return s.method === "POST" && ++updates === 5
        ? Effect.never
        : ok([{ id: idOf(s.path), name: "P", type: "default", channel: "Webinar", costs: [], tags: [] }])
    })
    const client = MarketoClient.layer({
      rateLimit: { calls: 3, window: "1 seconds", inFlight: 1 },
      callTimeout: "2 seconds",
      retry: { maxAttempts: 1 }
    }).pipe(Layer.provide(RestTransport.layer().pipe(Layer.provide(f.layer))))
    const programs = Array.from(
      { length: 6 },
      (_, i) => Program.make({ id: 1970 + i, tags: [{ type: "Region", value: "EU" }] })
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(MarketoClient.syncMObjects(programs, "UPDATE", { failOnPartial: false }))
      yield* TestClock.adjust("10 minutes")
      const outcomes = yield* Fiber.join(fiber)
      expect(outcomes.slice(0, 4).map((o) => o.status)).toEqual(["UPDATED", "UPDATED", "UPDATED", "UPDATED"])
      // Sent and not answered: it may have been applied. The sixth never went.
      expect(outcomes[4]?.status).toBe("IN_DOUBT")
      expect(outcomes[4]?.error).toMatch(/no answer within 2s/)
      expect(outcomes[5]?.status).toBe("FAILED")
      expect(outcomes[5]?.error).toMatch(/^not sent/)
      expect(updates).toBe(5)
    }).pipe(Effect.provide(client))
  })

  it.effect("a role goes by its compound key; a Program UPDATE is a form with costs appended and tags", () => {
    const m = withMarketo((s) =>
      s.path.startsWith("/rest/asset/")
        ? ok([{ id: 1970, name: "P", type: "default", channel: "Webinar", costs: [], tags: [] }])
        : ok([{ seq: 0, marketoGUID: "r", status: "created" }])
    )
    return Effect.gen(function*() {
      const roles = yield* MarketoClient.syncMObjects([
        OpportunityPersonRole.make({
          role: "Buyer",
          isPrimary: true,
          lead: { id: 7 },
          opportunity: { externalKey: { name: "externalOpportunityId", value: "A" } }
        })
      ], "UPSERT")
      const programs = yield* MarketoClient.syncMObjects([
        Program.make({
          id: 1970,
          costs: [{ month: "2013-06", amount: 2000, note: "ads" }],
          tags: [{ type: "Region", value: "EU" }]
        })
      ], "UPDATE")
      expect([...roles, ...programs].map((o) => o.status)).toEqual(["CREATED", "UPDATED"])
      const [role, byId, byName, program] = m.sent.filter(m.api)
      // The program's costs are read first (REST can only add costs): by id, then by name.
      expect([byId?.method, byId?.path, byName?.path, byName?.params]).toEqual([
        "GET",
        "/rest/asset/v1/program/1970.json",
        "/rest/asset/v1/program/byName.json",
        { name: "P", includeCosts: "true" }
      ])
      expect(role?.path).toBe("/rest/v1/opportunities/roles.json")
      const roleBody = JSON.parse(role?.body ?? "")
      expect(roleBody).toEqual({
        action: "createOrUpdate",
        input: [{ role: "Buyer", isPrimary: true, externalOpportunityId: "A", leadId: 7 }]
      })
      if (Swagger.available) expect(requestDifferences("SyncCustomObjectRequest", roleBody)).toEqual([])
      expect(program?.path).toBe("/rest/asset/v1/program/1970.json")
      expect(program?.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      const form = new URLSearchParams(program?.body)
      expect(JSON.parse(form.get("costs") ?? "")).toEqual([{ startDate: "2013-06-01", cost: 2000, note: "ads" }])
      expect(JSON.parse(form.get("tags") ?? "")).toEqual([{ tagType: "Region", tagValue: "EU" }])
      expect(form.has("costsDestructiveUpdate")).toBe(false)
      if (Swagger.available) {
        expect(Swagger.differences("swagger-asset.json", "UpdateProgramRequest", {
          costs: JSON.parse(form.get("costs") ?? ""),
          tags: JSON.parse(form.get("tags") ?? "")
        })).toEqual([])
      }
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a Program UPDATE adds only the costs the program lacks, each one it has matching one sent; tags are read by id alone", () => {
    const program = {
      id: 1970,
      name: "P",
      type: "Default",
      channel: "",
      costs: [{ startDate: "2013-06-01T00:00:00Z+0000", cost: 2000, note: "ads" }, { startDate: "2013-08-01", cost: 1 }]
    }
    const m = withMarketo((s) => s.path.startsWith("/rest/asset/") ? ok([program]) : fail("610", "no"))
    return Effect.gen(function*() {
      const ads = { month: "2013-06", amount: 2000, note: "ads" }
      const outcomes = yield* MarketoClient.syncMObjects([
        Program.make({ id: 1970, costs: [ads, ads, { month: "2013-07", amount: 5 }, { month: "2013-08", amount: 1 }] }),
        Program.make({ id: 1970, tags: [{ type: "Region", value: "EU" }] })
      ], "UPDATE")
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED", "UPDATED"])
      const posts = m.sent.filter(m.api).filter((s) => s.method === "POST")
      expect(posts.map((s) => new URLSearchParams(s.body).get("costs"))).toEqual([
        JSON.stringify([{ startDate: "2013-06-01", cost: 2000, note: "ads" }, { startDate: "2013-07-01", cost: 5 }]),
        null
      ])
      // Two reads for the update with costs (by id, by name), one for the one with tags alone.
      expect(m.sent.filter(m.api).filter((s) => s.method === "GET").map((s) => s.path)).toEqual([
        "/rest/asset/v1/program/1970.json",
        "/rest/asset/v1/program/byName.json",
        "/rest/asset/v1/program/1970.json"
      ])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a Program whose costs cannot be read by its name (renamed meanwhile, 702) is FAILED not sent, never sent costs it may have; tags it has are not sent again", () => {
    const program = {
      id: 1970,
      name: "P",
      type: "Default",
      channel: "",
      tags: [{ tagType: "Region", tagValue: "EU" }],
      costs: [{ startDate: "2013-06-01", cost: 500, note: "ads" }]
    }
    let byName: "702" | "renamed" | "found" = "702"
    const m = withMarketo((s) =>
      !s.path.startsWith("/rest/asset/")
        ? fail("610", "no")
        : s.path.endsWith("/byName.json")
        ? byName === "702"
          ? fail("702", "No data found")
          : ok([byName === "renamed" ? { ...program, id: 2001, name: "P" } : program])
        : ok([program])
    )
    return Effect.gen(function*() {
      const update = Program.make({
        id: 1970,
        costs: [{ month: "2013-06", amount: 500, note: "ads" }],
        tags: [{ type: "Region", value: "EU" }, { type: "Product", value: "X" }]
      })
      for (const answer of ["702", "renamed"] as const) {
        byName = answer
        const outcomes = yield* MarketoClient.syncMObjects([update], "UPDATE", { failOnPartial: false })
        expect([answer, outcomes[0]?.status]).toEqual([answer, "FAILED"])
        expect(outcomes[0]?.error).toContain("not sent: the program's costs could not be read")
      }
      expect(m.sent.filter(m.api).filter((s) => s.method === "POST")).toEqual([])
      // Found by its name: the cost it has is not sent, nor the tag it has; only the tag it lacks.
      byName = "found"
      const outcomes = yield* MarketoClient.syncMObjects([update], "UPDATE")
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED"])
      const posts = m.sent.filter(m.api).filter((s) => s.method === "POST")
      expect(posts.map((s) => [new URLSearchParams(s.body).get("costs"), new URLSearchParams(s.body).get("tags")]))
        .toEqual([[null, JSON.stringify([{ tagType: "Product", tagValue: "X" }])]])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a Program's Channel tag (how SOAP shows its channel): left out when it names the program's channel, FAILED not sent when another; nothing left to change is UNCHANGED", () => {
    const program = {
      id: 1970,
      name: "P",
      type: "Default",
      channel: "Webinar",
      tags: [{ tagType: "Region", tagValue: "EU" }],
      costs: [{ startDate: "2013-06-01", cost: 2000 }]
    }
    const m = withMarketo((s) => s.path.startsWith("/rest/asset/") ? ok([program]) : fail("610", "no"))
    const channel = (value: string) => ({ type: "Channel", value })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(MarketoClient.syncMObjects([
        // As a read gives it back: nothing to change.
        Program.make({
          id: 1970,
          costs: [{ month: "2013-06", amount: 2000 }],
          tags: [channel("Webinar"), { type: "Region", value: "EU" }]
        }),
        Program.make({ id: 1970, tags: [channel("Trade Show")] }),
        Program.make({ id: 1970, tags: [channel("Webinar"), { type: "Product", value: "X" }] })
      ], "UPDATE"))
      const outcomes = error._tag === "PartialFailure" ? error.outcomes : []
      expect(outcomes.map((o) => o.status)).toEqual(["UNCHANGED", "FAILED", "UPDATED"])
      expect(outcomes[1]?.error).toBe(
        "not sent: REST cannot change a program's channel (it is 'Webinar', the update names 'Trade Show'); change it in Marketo, or leave the Channel tag out"
      )
      const posts = m.sent.filter(m.api).filter((s) => s.method === "POST")
      expect(posts.map((s) => new URLSearchParams(s.body).get("tags"))).toEqual([
        JSON.stringify([{ tagType: "Product", tagValue: "X" }])
      ])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a Program UPDATE applied is UPDATED whatever else the program it echoes holds; 702 (no such program) is SKIPPED, 610 (no such path) FAILED", () => {
    const program = { id: 1970, name: "P", type: "Default", channel: "", costs: [] }
    const m = withMarketo((s) =>
      s.path.endsWith("/1970.json")
        ? s.method === "POST"
          // A cost without a note (`null`), a field Marketo added: the update was applied.
          ? ok([{ id: 1970, name: "P", type: 7, costs: [{ startDate: "2013-06-01", cost: 2000, note: null }] }])
          : ok([program])
        : s.path.endsWith("/byName.json")
        ? ok([program])
        : s.path.endsWith("/1971.json")
        ? fail("702", "No data found for given search scenario")
        : fail("610", "Requested resource not found")
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(MarketoClient.syncMObjects(
        [1970, 1971, 1972].map((id) => Program.make({ id, costs: [{ month: "2013-06", amount: 2000 }] })),
        "UPDATE"
      ))
      const outcomes = error._tag === "PartialFailure" ? error.outcomes : []
      expect(outcomes.map((o) => o.status)).toEqual(["UPDATED", "SKIPPED", "FAILED"])
      // 610 met reading its costs first: not sent.
      expect(outcomes[2]?.error).toContain("610")
      expect(outcomes[2]?.error).toMatch(/^not sent/)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a Program UPDATE with no cost and no tag sends no update: UNCHANGED when the program is there, SKIPPED when not", () => {
    const m = withMarketo((s) =>
      s.path.endsWith("/1970.json")
        ? ok([{ id: 1970, name: "P", type: "Default", channel: "Webinar", tags: [], costs: null }])
        : s.path.endsWith("/1972.json")
        ? fail("709", "Blocked due to asset specific constraints")
        : fail("702", "No data found for given search scenario")
    )
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.syncMObjects(
        [Program.make({ id: 1970 }), Program.make({ id: 1971, costs: [], tags: [] }), Program.make({ id: 1972 })],
        "UPDATE",
        { failOnPartial: false }
      )
      expect(outcomes.map((o) => o.status)).toEqual(["UNCHANGED", "SKIPPED", "FAILED"])
      expect(outcomes[1]?.error).toBe("no program has id 1971")
      // A read refused: nothing was to be sent, so it says what could not be checked.
      expect(outcomes[2]?.error).toMatch(/^not checked: the program could not be read to find it there: .*709/)
      // Each read by id, once; nothing posted.
      expect(m.sent.filter(m.api).map((s) => `${s.method} ${s.path}`)).toEqual([
        "GET /rest/asset/v1/program/1970.json",
        "GET /rest/asset/v1/program/1971.json",
        "GET /rest/asset/v1/program/1972.json"
      ])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a read follows nextPageToken with the filter, the fields and the bearer token", () => {
    const page = (n: number, from: number) =>
      Array.from(
        { length: n },
        (_, i) => ({ seq: i, marketoGUID: `g${from + i}`, externalOpportunityId: "A", amount: 3 })
      )
    const m = withMarketo((s) =>
      s.path.endsWith("/describe.json")
        ? ok([{ idField: "marketoGUID", dedupeFields: ["externalOpportunityId"], fields: [] }])
        : s.params["nextPageToken"] === undefined
        ? ok(page(300, 0), { moreResult: true, nextPageToken: "P2" })
        // A last page may still carry a token: without moreResult, a short page is the end.
        : ok(page(2, 300), { nextPageToken: "P3" })
    )
    return Effect.gen(function*() {
      const objects = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: { name: "externalOpportunityId", value: "A" } })
      )
      expect(objects.length).toBe(302)
      const [first, second, third] = m.sent.filter(m.api).filter((s) => !s.path.endsWith("/describe.json"))
      expect(third).toBeUndefined()
      expect(first?.params["filterType"]).toBe("externalOpportunityId")
      expect(first?.params["filterValues"]).toBe("A")
      expect(first?.params["fields"]?.split(",")).toContain("amount")
      expect(second?.params["nextPageToken"]).toBe("P2")
      expect(
        m.sent.every((s) => !("access_token" in s.params) && !s.body.includes(secret) || s.path.includes("identity"))
      )
        .toBe(true)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("chunks carry up to 300 objects over REST", () => {
    const m = withMarketo((s) =>
      ok(
        (JSON.parse(s.body) as { input: Array<unknown> }).input.map((_, seq) => ({
          seq,
          marketoGUID: "g",
          status: "created"
        }))
      )
    )
    return Effect.gen(function*() {
      const objects = Array.from({ length: 650 }, (_, i) => opp(`o${i}`))
      const outcomes = yield* MarketoClient.syncMObjects(objects, "INSERT")
      expect(outcomes).toHaveLength(650)
      expect(m.sent.filter(m.api).map((s) => (JSON.parse(s.body) as { input: Array<unknown> }).input.length)).toEqual([
        300,
        300,
        50
      ])
    }).pipe(Effect.provide(m.client))
  })
})
