/**
 * Outcomes and safety over REST under hostile or faulty servers: each test names the finding
 * of issue 19 it guards (a fake HttpClient answers as scripted and records what was sent).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Limits from "@mktows/core/Limits"
import * as MarketoClient from "@mktows/core/MarketoClient"
import * as Opportunity from "@mktows/core/Opportunity"
import * as OpportunityPersonRole from "@mktows/core/OpportunityPersonRole"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as RestTransport from "../src/RestTransport.js"
import {
  connectionFailure,
  fail,
  fake,
  json,
  ok,
  type Route,
  secret,
  type Sent,
  tokenOf,
  tokens
} from "./helpers/fakeMarketo.js"

const identityPath = "/identity/oauth/token"

const withMarketo = (api: Route, options: MarketoClient.Options = { retry: { maxAttempts: 1 } }, identity?: Route) => {
  const t = tokens()
  const f = fake((s) => s.path === identityPath ? (identity ?? t.route)(s) : api(s))
  const transport = RestTransport.layer().pipe(Layer.provide(f.layer))
  const client = MarketoClient.layer(options).pipe(Layer.provide(transport))
  return { ...f, tokens: t, client, api: (s: Sent) => s.path !== identityPath }
}

const ext = (value: string) => ({ name: "externalOpportunityId", value })
const opp = (value: string) => Opportunity.make({ externalKey: ext(value), name: value })
const role = (opportunity: string, lead: number) =>
  OpportunityPersonRole.make({ role: "Buyer", lead: { id: lead }, opportunity: { externalKey: ext(opportunity) } })

const inputOf = (s: Sent): ReadonlyArray<Record<string, unknown>> =>
  (JSON.parse(s.body) as { input: ReadonlyArray<Record<string, unknown>> }).input

/** Every record of the request created, in order. */
const created = (s: Sent) =>
  ok(inputOf(s).map((_, seq) => ({ seq, marketoGUID: `g-${s.path}-${seq}`, status: "created" })))

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

describe("issue 19 findings over REST", () => {
  it.effect("finding 1: a read by an external key holding a comma sends the key whole, never as a list", () => {
    // A server that, like Marketo, splits filterValues on commas, and matches JSON input whole.
    const stored = [{ seq: 0, marketoGUID: "g1", externalOpportunityId: "CM-1" }]
    const m = withMarketo((s) => {
      if (s.path.endsWith("/describe.json")) {
        return ok([{ idField: "marketoGUID", dedupeFields: ["externalOpportunityId"], fields: [] }])
      }
      if (s.method === "GET") {
        const values = (s.params["filterValues"] ?? "").split(",")
        return ok(stored.filter((r) => values.includes(r.externalOpportunityId)))
      }
      const body = JSON.parse(s.body) as { input: ReadonlyArray<{ externalOpportunityId?: string }> }
      const wanted = body.input.map((i) => i.externalOpportunityId)
      return ok(stored.filter((r) => wanted.includes(r.externalOpportunityId)))
    })
    return Effect.gen(function*() {
      const found = yield* Stream.runCollect(
        MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext("CM-1,CM-2") })
      )
      expect(found.length).toBe(0)
      const [read] = m.sent.filter(m.api).filter((s) => !s.path.endsWith("/describe.json"))
      expect(read?.params["_method"]).toBe("GET")
      expect(JSON.parse(read?.body ?? "{}")).toMatchObject({
        filterType: "dedupeFields",
        input: [{ externalOpportunityId: "CM-1,CM-2" }]
      })
      // Without a comma, the plain query still reads the one record.
      const one = yield* Stream.runCollect(MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext("CM-1") }))
      expect(one.length).toBe(1)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("finding 2: records a success answer does not account for are IN_DOUBT, never FAILED", () =>
    Effect.gen(function*() {
      const answers: ReadonlyArray<readonly [string, Route, ReadonlyArray<string>]> = [
        ["no result", () => json({ requestId: "r", success: true }), ["IN_DOUBT", "IN_DOUBT", "IN_DOUBT"]],
        ["empty result", () => ok([]), ["IN_DOUBT", "IN_DOUBT", "IN_DOUBT"]],
        [
          "short result",
          () => ok([{ seq: 1, marketoGUID: "g", status: "created" }]),
          ["IN_DOUBT", "CREATED", "IN_DOUBT"]
        ]
      ]
      for (const [name, route, expected] of answers) {
        const m = withMarketo(route)
        const outcomes = yield* MarketoClient.syncMObjects([opp("a"), opp("b"), opp("c")], "INSERT", {
          failOnPartial: false
        }).pipe(Effect.provide(m.client))
        expect([name, outcomes.map((o) => o.status)]).toEqual([name, expected])
      }
    }))

  it.effect("finding 3: a mixed INSERT whose roles meet 606 retries the roles only; the opportunity is CREATED once", () => {
    let rolesCalls = 0
    const m = withMarketo(
      (s) => {
        if (s.path.endsWith("/roles.json") && ++rolesCalls === 1) return fail("606", "Max rate limit exceeded")
        return created(s)
      },
      { retry: { maxAttempts: 3, baseDelay: 0, maxDelay: 0 } }
    )
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.syncMObjects([opp("O-1"), role("O-1", 7)], "INSERT")
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED", "CREATED"])
      const paths = m.sent.filter(m.api).map((s) => s.path)
      expect(paths.filter((p) => p === "/rest/v1/opportunities.json")).toHaveLength(1)
      expect(paths.filter((p) => p === "/rest/v1/opportunities/roles.json")).toHaveLength(2)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("713 and 719 are transient: an UPDATE is sent again until answered; an INSERT is not, and is IN_DOUBT", () =>
    Effect.gen(function*() {
      for (const code of ["713", "719"]) {
        let calls = 0
        const retried = withMarketo(
          () => ++calls === 1 ? fail(code, "busy") : ok([{ seq: 0, status: "updated", marketoGUID: "g-1" }]),
          { retry: { maxAttempts: 3, baseDelay: 0, maxDelay: 0 } }
        )
        const update = yield* MarketoClient.syncMObjects([opp("O-1")], "UPDATE").pipe(Effect.provide(retried.client))
        expect([code, update.map((o) => o.status), calls]).toEqual([code, ["UPDATED"], 2])
        // An INSERT answered with it may have been applied: sent once, and IN_DOUBT rather than FAILED.
        let inserts = 0
        const refused = withMarketo(
          () => {
            inserts++
            return fail(code, "busy")
          },
          { retry: { maxAttempts: 3, baseDelay: 0, maxDelay: 0 } }
        )
        const insert = yield* MarketoClient.syncMObjects([opp("O-2")], "INSERT", { failOnPartial: false }).pipe(
          Effect.provide(refused.client)
        )
        expect([code, insert.map((o) => o.status), inserts]).toEqual([code, ["IN_DOUBT"], 1])
      }
    }))

  it.effect("an object whose request never went is FAILED not sent, not IN_DOUBT: the call stopped at an earlier request", () => {
    // The opportunities request meets a gateway error (ambiguous); the roles request after it never goes.
    const m = withMarketo(() => json("<html>bad gateway</html>", 502), {
      retry: { maxAttempts: 3, baseDelay: 0, maxDelay: 0 }
    })
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.syncMObjects([opp("O-1"), role("O-1", 7)], "INSERT", {
        failOnPartial: false
      })
      expect(m.sent.filter(m.api).map((s) => s.path)).toEqual(["/rest/v1/opportunities.json"])
      expect(outcomes.map((o) => o.status)).toEqual(["IN_DOUBT", "FAILED"])
      expect(outcomes[1]?.error).toMatch(/^not sent: .*safe to send again/)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a delete sent again after a lost answer that finds nothing says the lost attempt may have deleted it", () => {
    let calls = 0
    const m = withMarketo(
      () =>
        ++calls === 1
          ? json("<html>bad gateway</html>", 502)
          : ok([{ seq: 0, status: "skipped", reasons: [{ code: "1013", message: "Record not found" }] }]),
      { retry: { maxAttempts: 3, baseDelay: 0, maxDelay: 0 } }
    )
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.deleteMObjects([{ type: "Opportunity", externalKey: ext("O-1") }])
      expect(calls).toBe(2)
      expect(outcomes[0]?.status).toBe("UNCHANGED")
      expect(outcomes[0]?.error).toMatch(/the attempt before, whose answer was lost, may have deleted it$/)
      // Answered at once, the same is said plainly.
      calls = 1
      const plain = yield* MarketoClient.deleteMObjects([{ type: "Opportunity", externalKey: ext("O-2") }])
      expect(plain[0]?.status).toBe("UNCHANGED")
      expect(plain[0]?.error ?? "").not.toMatch(/may have deleted it/)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("finding 3: a part that fails for good leaves the parts already answered with their statuses", () => {
    const m = withMarketo((s) => s.path.endsWith("/roles.json") ? fail("606", "Max rate limit exceeded") : created(s))
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.syncMObjects([opp("O-1"), role("O-1", 7)], "INSERT", {
        failOnPartial: false
      })
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED", "FAILED"])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a call whose JSON is over Marketo's 1 MB goes as requests within it; a retry sends only those not answered", () => {
    // 300 opportunities of 2,000 three-byte characters each: about 1.8 MB of JSON.
    const big = (i: number) =>
      Opportunity.make({ externalKey: ext(`BIG-${i}`), name: `Big ${i}`, description: "\u20ac".repeat(2000) })
    let requests = 0
    const m = withMarketo(
      (s) => {
        requests++
        // The second request meets a rate limit once: the first, answered, is not sent again.
        return requests === 2 ? fail("606", "Max rate limit exceeded") : created(s)
      },
      { retry: { maxAttempts: 3, baseDelay: 0, maxDelay: 0 } }
    )
    return Effect.gen(function*() {
      const objects = Array.from({ length: 300 }, (_, i) => big(i))
      const outcomes = yield* MarketoClient.syncMObjects(objects, "INSERT")
      expect(outcomes.map((o) => o.status)).toEqual(objects.map(() => "CREATED"))
      const sent = m.sent.filter(m.api)
      // Two halves, the second twice: the first, answered, was not sent again.
      expect(sent).toHaveLength(3)
      for (const s of sent) expect(new TextEncoder().encode(s.body).length).toBeLessThanOrEqual(1_000_000)
      // Every record sent once and answered, in order, however the call was cut.
      const keys = sent.filter((_, i) => i !== 1).flatMap((s) => inputOf(s).map((r) => r["externalOpportunityId"]))
      expect(keys).toEqual(objects.map((_, i) => `BIG-${i}`))
      expect(outcomes.map((o) => o.externalKey?.value)).toEqual(keys)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("a record alone over Marketo's 1 MB is FAILED, never sent; a retry sends only what was not answered", () => {
    const small = (key: string) => Opportunity.make({ externalKey: ext(key), name: key })
    // About 1.1 MB of JSON on its own (370,000 three-byte characters).
    const huge = Opportunity.make({ externalKey: ext("HUGE"), name: "Huge", description: "\u20ac".repeat(370_000) })
    let requests = 0
    const m = withMarketo(
      // The request after the huge record meets a rate limit once.
      (s) => ++requests === 2 ? fail("606", "Max rate limit exceeded") : created(s),
      { retry: { maxAttempts: 2, baseDelay: 0, maxDelay: 0 } }
    )
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.syncMObjects([small("S-1"), huge, small("S-2")], "INSERT", {
        failOnPartial: false
      })
      expect(outcomes.map((o) => o.status)).toEqual(["CREATED", "FAILED", "CREATED"])
      expect(outcomes[1]?.error).toMatch(/not sent: the record alone is \d+ bytes of JSON/)
      // The huge record never went; the retry sent only the request not answered.
      const keys = m.sent.filter(m.api).map((s) => inputOf(s).map((r) => r["externalOpportunityId"]))
      expect(keys).toEqual([["S-1"], ["S-2"], ["S-2"]])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("finding 4: JSON nested deeper than the bound, in any answer, is a typed ProtocolError", () =>
    Effect.gen(function*() {
      for (const depth of [2_500, 200_000]) {
        // A sync answer that cannot be read leaves its records IN_DOUBT, naming why.
        const sync = withMarketo(() => json(`{"success":true,"result":${nested(depth)}}`))
        const e1 = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE")).pipe(
          Effect.provide(sync.client)
        )
        expect(e1.message).toContain("nests JSON deeper than")
        const errors = withMarketo(() => json(`{"success":false,"errors":${nested(depth)}}`))
        const e2 = yield* Effect.flip(MarketoClient.describeMObject("Opportunity")).pipe(Effect.provide(errors.client))
        expect(e2._tag).toBe("ProtocolError")
        const identity = withMarketo(created, undefined, () => json(`{"access_token":${nested(depth)}}`))
        const e3 = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE")).pipe(
          Effect.provide(identity.client)
        )
        expect(["ProtocolError", "TransportError"]).toContain(e3._tag)
      }
    }))

  it.effect("finding 4: RestTransport.layer({ maxResponseBytes }) bounds every answer's size", () => {
    const t = tokens()
    const f = fake((s) =>
      s.path === identityPath ? t.route() : ok([{ seq: 0, status: "updated", marketoGUID: "x".repeat(500) }])
    )
    const client = MarketoClient.layer({ retry: { maxAttempts: 1 } }).pipe(
      Layer.provide(RestTransport.layer({ maxResponseBytes: 256 }).pipe(Layer.provide(f.layer)))
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(MarketoClient.describeMObject("Opportunity"))
      expect(error._tag === "ProtocolError" && error.reason).toBe("TooLarge")
    }).pipe(Effect.provide(client))
  })

  it.effect("finding 5: an access_token holding CR/LF is a typed error, not a defect", () => {
    const m = withMarketo(
      created,
      undefined,
      () => json({ access_token: "abc\r\nX-Evil: 1", token_type: "bearer", expires_in: 3600, scope: "s" })
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE"))
      expect(["ProtocolError", "TransportError"]).toContain(error._tag)
      expect(error.message).not.toContain("X-Evil")
      expect(m.sent.filter(m.api)).toEqual([])
    }).pipe(Effect.provide(m.client))
  })

  it.effect("finding 6: server text copied into outcomes and errors has one bound, naming the length", () => {
    const huge = "x".repeat(2 * 1024 * 1024)
    const m = withMarketo((s) =>
      ok(inputOf(s).map((_, seq) => ({ seq, status: "skipped", reasons: [{ code: "1003", message: huge }] })))
    )
    const n = withMarketo(() => fail("1003", huge))
    const e = withMarketo(() => json(huge, 500))
    return Effect.gen(function*() {
      const outcomes = yield* MarketoClient.syncMObjects(Array.from({ length: 4 }, (_, i) => opp(`o${i}`)), "UPDATE", {
        failOnPartial: false
      }).pipe(Effect.provide(m.client))
      for (const o of outcomes) {
        expect(o.status).toBe("FAILED")
        expect(o.error?.length ?? 0).toBeLessThanOrEqual(1200)
        // The length of all the server sent as the reasons' text ("1003: " and the message).
        expect(o.error).toContain(`(${"1003: ".length + huge.length} characters in all, 1 reason)`)
      }
      // Many reasons, each short: the note counts them all, not the part already cut.
      const reasons = Array.from(
        { length: 100 },
        (_, i) => ({ code: "1006", message: `field ${i} ${"y".repeat(240)}` })
      )
      const whole = reasons.map((r) => `${r.code}: ${r.message}`).join("; ")
      const many = withMarketo((s) => ok(inputOf(s).map((_, seq) => ({ seq, status: "skipped", reasons }))))
      const [one] = yield* MarketoClient.syncMObjects([opp("m")], "UPDATE", { failOnPartial: false }).pipe(
        Effect.provide(many.client)
      )
      expect(one?.error?.length ?? 0).toBeLessThanOrEqual(1200)
      expect(one?.error).toContain(`(${whole.length} characters in all, 100 reasons)`)
      expect(whole.startsWith((one?.error ?? "").split("…")[0] ?? "-")).toBe(true)
      const refused = yield* MarketoClient.syncMObjects([opp("a")], "UPDATE", { failOnPartial: false }).pipe(
        Effect.provide(n.client)
      )
      expect(refused[0]?.error?.length ?? 0).toBeLessThanOrEqual(1200)
      const status = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE")).pipe(Effect.provide(e.client))
      expect(status.message.length).toBeLessThanOrEqual(1400)
    })
  })

  it.effect("finding 7: a malformed identity answer never puts the access token in the error", () =>
    Effect.gen(function*() {
      const token = "tok-4f1e-9c3a-must-not-leak"
      const answers = [
        { access_token: token, token_type: "bearer", expires_in: "3599", scope: "s" },
        { access_token: token, expires_in: 3599, scope: "s" },
        { access_token: token, token_type: "bearer", expires_in: -5, scope: "s" }
      ]
      for (const answer of answers) {
        const m = withMarketo(created, undefined, () => json(answer))
        const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE")).pipe(
          Effect.provide(m.client)
        )
        expect(JSON.stringify(error) + error.message + String(error)).not.toContain(token)
      }
    }))

  it.effect("finding 7: an identity endpoint echoing the request never leaks client_secret; a record endpoint echoing headers never leaks the token", () =>
    Effect.gen(function*() {
      for (const status of [401, 500]) {
        const m = withMarketo(created, undefined, (s) => json(`you sent: ${s.body}`, status))
        const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE")).pipe(
          Effect.provide(m.client)
        )
        expect(JSON.stringify(error) + error.message).not.toContain(secret)
        expect(JSON.stringify(error) + error.message).not.toContain(encodeURIComponent(secret))
      }
      const echo = withMarketo((s) => json(`you sent: ${s.headers["authorization"]}`, 500))
      const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE")).pipe(
        Effect.provide(echo.client)
      )
      expect(error.message).not.toContain(`Bearer ${tokenOf(1)}`)
      expect(JSON.stringify(error)).not.toContain(tokenOf(1))
    }))

  it.effect("finding 7: a token or client secret echoed inside a JSON answer (an error's message, a record's reason) reaches no outcome or error", () =>
    Effect.gen(function*() {
      const token = "cdf01657-110d-4155-99a7-f986b2ff13a0:ab"
      const identity = () => json({ access_token: token, token_type: "bearer", expires_in: 3600, scope: "s" })
      const bearer = (s: Sent) => s.headers["authorization"] ?? ""
      const leaks = (value: unknown) => JSON.stringify(value).includes(token.slice(0, 12))
      const answers: ReadonlyArray<Route> = [
        // A call-level error, a 606, a record refused, a whole request refused: each quoting the header.
        (s) => fail("1003", `bad ${bearer(s)}`),
        (s) => fail("606", `${bearer(s)}: more than 100 calls`),
        (s) =>
          ok(inputOf(s).map((_, seq) => ({ seq, status: "skipped", reasons: [{ code: "1003", message: bearer(s) }] }))),
        (s) => json({ requestId: "r", success: false, errors: [{ code: "1004", message: bearer(s) }] }),
        // A server that knows the client secret, and quotes it with the token.
        (s) => fail("1003", `bad ${bearer(s)} for ${secret}`)
      ]
      for (const answer of answers) {
        const m = withMarketo(answer, undefined, identity)
        const result = yield* MarketoClient.syncMObjects([opp("a"), opp("b")], "UPDATE", { failOnPartial: false })
          .pipe(Effect.either, Effect.provide(m.client))
        // The server did see the token, and put it in its answer.
        expect(m.sent.filter(m.api).some((s) => bearer(s).includes(token))).toBe(true)
        expect(leaks(result)).toBe(false)
        expect(JSON.stringify(result)).not.toContain(secret)
        if (result._tag === "Left") {
          expect(result.left.message + String(result.left)).not.toContain(token.slice(0, 12))
          expect(result.left.message + String(result.left)).not.toContain(secret)
        }
      }
    }))

  it.effect("finding 7: an identity answer that is not the expected JSON quotes no token, whatever its shape", () =>
    Effect.gen(function*() {
      const token = "tok-4f1e-9c3a-must-not-leak"
      const answers = [
        json({ access_token: [token], token_type: "bearer", expires_in: 3600, scope: "s" }),
        json({ access_token: { value: token }, token_type: "bearer", expires_in: 3600, scope: "s" }),
        // Cut short, or a page with the member in it: not JSON at all.
        json(`{"token_type":"bearer","access_token":"${token}`),
        json(`<pre>access_token: ${token}</pre> {"access_token": "${token}"}`, 500),
        // A body that starts with the client secret: V8's parse message quotes its first characters.
        json(`${secret}&grant_type=client_credentials`),
        // The secret or the token unquoted inside: V8 quotes the text around where it stopped.
        json(`{"echo":{"client_id":"cid","client_secret":${secret}}}`),
        json(`{"token_type":"bearer","access_token":${token},"expires_in":3600}`),
        // The answer wrapped in another object, and a body that is not UTF-8.
        json({ data: { access_token: token, token_type: "bearer", expires_in: 3600 } }),
        json(new Uint8Array([...new TextEncoder().encode(`{"access_token":"${token}","x":"`), 0xff, 0x22, 0x7d]))
      ]
      for (const answer of answers) {
        const m = withMarketo(created, undefined, () => answer)
        const error = yield* Effect.flip(MarketoClient.syncMObjects([opp("a")], "UPDATE")).pipe(
          Effect.provide(m.client)
        )
        const shown = JSON.stringify(error) + error.message + String(error)
        // Not a piece of either: V8's message quotes about ten characters, wherever it stopped.
        for (const hidden of [token, secret]) {
          for (let at = 0; at + 6 <= hidden.length; at++) expect(shown).not.toContain(hidden.slice(at, at + 6))
        }
        expect(m.sent.filter(m.api)).toEqual([])
      }
    }))

  it.effect("finding 8: an identity endpoint that fails (500, garbage) before any record request leaves INSERT rows FAILED", () =>
    Effect.gen(function*() {
      for (const identity of [() => json("oops", 500), () => json("<html>hi</html>"), () => json({ nope: 1 })]) {
        const m = withMarketo(created, undefined, identity)
        const outcomes = yield* MarketoClient.syncMObjects([opp("a"), opp("b")], "INSERT").pipe(
          Effect.either,
          Effect.provide(m.client)
        )
        // Nothing was sent, so the batch fails with the error itself (nothing is in doubt).
        expect(outcomes._tag).toBe("Left")
        if (outcomes._tag === "Left") expect(outcomes.left._tag).not.toBe("PartialFailure")
        expect(m.sent.filter(m.api)).toEqual([])
      }
    }))

  it.effect("a describe that hangs before custom fields are written ends in a not-sent error: INSERT rows are not IN_DOUBT", () =>
    Effect.gen(function*() {
      // The first sync with a custom field reads the describe first, to type it; it never answers.
      const m = withMarketo(
        (s) => s.path.endsWith("/describe.json") ? Effect.never : created(s),
        { retry: { maxAttempts: 1 }, callTimeout: "2 seconds" }
      )
      const withCustom = Opportunity.make({ externalKey: ext("a"), name: "a", customFields: { Region__c: "EU" } })
      const result = yield* Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          MarketoClient.syncMObjects([withCustom], "INSERT", { failOnPartial: false }).pipe(Effect.either)
        )
        yield* TestClock.adjust("10 seconds")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(m.client))
      // Only the describe went out: nothing was written, so nothing is in doubt.
      expect(m.sent.filter(m.api).map((s) => s.path)).toEqual(["/rest/v1/opportunities/describe.json"])
      expect(result._tag).toBe("Left")
      if (result._tag === "Left") {
        expect(result.left._tag).toBe("TimeoutError")
        if (result.left._tag === "TimeoutError") expect(result.left.ambiguous).toBe(false)
      }
    }))

  it.effect("finding 8: a hung identity endpoint ends in a not-sent error, so INSERT rows are FAILED, not IN_DOUBT", () =>
    Effect.gen(function*() {
      // The identity request's own limit (20 s) or the call's, whichever comes first: either
      // way no record request went out.
      for (const [callTimeout, ended] of [["120 seconds", "TransportError"], ["2 seconds", "TimeoutError"]] as const) {
        const m = withMarketo(created, { retry: { maxAttempts: 1 }, callTimeout }, () => Effect.never)
        const result = yield* Effect.gen(function*() {
          const fiber = yield* Effect.fork(
            MarketoClient.syncMObjects([opp("a")], "INSERT", { failOnPartial: false }).pipe(Effect.either)
          )
          yield* TestClock.adjust("200 seconds")
          return yield* Fiber.join(fiber)
        }).pipe(Effect.provide(m.client))
        expect(result._tag).toBe("Left")
        if (result._tag === "Left") {
          expect(result.left._tag).toBe(ended)
          if (result.left._tag === "TransportError" || result.left._tag === "TimeoutError") {
            expect(result.left.ambiguous).toBe(false)
          }
        }
        expect(m.sent.filter(m.api)).toEqual([])
      }
    }))

  it.effect("finding 9: a nextPageToken that changes on every page ends in a typed error", () => {
    let n = 0
    const m = withMarketo(() =>
      ok(
        Array.from({ length: 300 }, (_, i) => ({ seq: i, marketoGUID: `g${i}`, externalOpportunityId: "A" })),
        { moreResult: true, nextPageToken: `P${++n}` }
      )
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(
        Stream.runDrain(MarketoClient.getMObjects({ type: "Opportunity", externalKey: ext("A") })).pipe(
          Effect.locally(Limits.maxPagesPerRead, 20)
        )
      )
      expect(error._tag).toBe("ProtocolError")
      expect(n).toBeLessThanOrEqual(21)
    }).pipe(Effect.provide(m.client))
  })

  it.effect("finding 10: REST messages are transport-neutral and REST auth failures give REST advice", () =>
    Effect.gen(function*() {
      const bad = withMarketo(() => json("{not json"))
      const protocol = yield* Effect.flip(MarketoClient.describeMObject("Opportunity")).pipe(
        Effect.provide(bad.client)
      )
      expect(protocol._tag).toBe("ProtocolError")
      expect(protocol.message).not.toContain("SOAP")
      const denied = withMarketo(created, undefined, () => json({ error: "unauthorized" }, 401))
      const auth = yield* Effect.flip(MarketoClient.describeMObject("Opportunity")).pipe(
        Effect.provide(denied.client)
      )
      expect(auth._tag).toBe("AuthFault")
      expect(auth.message).toContain("LaunchPoint")
      expect(auth.message).toContain("role")
      expect(auth.message).not.toContain("encryption key")
      // Named in REST's terms, not by the SOAP code whose handling it shares.
      expect(auth.message).toContain("Marketo authentication failed (identity HTTP 401)")
      expect(auth.message).not.toContain("20014")
      // The same refusal answered with HTTP 200, as some gateways do.
      const denied200 = withMarketo(created, undefined, () => json({ error: "invalid_client" }, 200))
      const auth200 = yield* Effect.flip(MarketoClient.describeMObject("Opportunity")).pipe(
        Effect.provide(denied200.client)
      )
      expect(auth200._tag).toBe("AuthFault")
      expect(auth200.message).toContain("LaunchPoint")
      // A REST code answered in an HTTP 200 is said as the endpoint's answer, not as "HTTP ?".
      const busy = withMarketo(() => fail("611", "System error"))
      const system = yield* Effect.flip(MarketoClient.describeMObject("Opportunity")).pipe(
        Effect.provide(busy.client)
      )
      expect(system.message).toContain("the endpoint answered REST 611: System error")
      expect(system.message).not.toContain("HTTP ?")
    }))

  it.effect("finding 11: TransportError.cause is filled over REST, and never holds the request", () => {
    const boom = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
    const m = withMarketo(() => connectionFailure(boom))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(MarketoClient.describeMObject("Opportunity"))
      expect(error._tag).toBe("TransportError")
      if (error._tag === "TransportError") {
        expect(error.cause).toBe(boom)
        expect(error.ambiguous).toBe(true)
      }
    }).pipe(Effect.provide(m.client))
  })
})
