/**
 * The emulator as a server: WSDL, signature and timestamp checks, hostile and malformed
 * requests (answered with the right fault and leaving the store as it was), limits,
 * injected faults, the stats endpoint, and the command line.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { spawn } from "node:child_process"
import { request as httpRequest } from "node:http"
import { fileURLToPath } from "node:url"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorCommand from "../src/EmulatorCommand.js"
import * as Cli from "../src/internal/cli.js"
import { makeLimiter } from "../src/internal/limits.js"
import * as Rest from "../src/internal/rest/routes.js"
import { advertisedOrigin, isSoapPost, soapPathPattern } from "../src/internal/server.js"
import { spawnEmulator } from "./helpers/spawnEmulator.js"

const userId = "demo17_1_809934544BFABAE58E5D27"
const key = Redacted.make("27272727aa")

const post = (url: string, body: string) =>
  Effect.tryPromise(() =>
    fetch(url, { method: "POST", headers: { "content-type": "text/xml; charset=utf-8" }, body }).then(
      async (response) => ({
        status: response.status,
        contentType: response.headers.get("content-type"),
        text: await response.text()
      })
    )
  )

const header = (options: { user?: string; secret?: Redacted.Redacted<string>; skewMillis?: number } = {}) =>
  Effect.gen(function*() {
    const requestTimestamp = Signature.formatTimestamp(Date.now() + (options.skewMillis ?? 0))
    const user = options.user ?? userId
    const requestSignature = yield* Signature.sign(options.secret ?? key, requestTimestamp, user)
    return { mktowsUserId: user, requestSignature, requestTimestamp }
  })

const callWith = <Op extends Wire.Operation>(
  url: string,
  operation: Op,
  params: Wire.ParamsOf<Op>,
  auth: Parameters<typeof header>[0] = {}
) =>
  Effect.gen(function*() {
    const response = yield* Effect.orDie(post(url, SoapCodec.encodeRequest(operation, yield* header(auth), params)))
    return yield* SoapCodec.decodeResponse(operation, response.text)
  })

const faultCode = <A, E extends object>(effect: Effect.Effect<A, E>) =>
  Effect.flip(effect).pipe(Effect.map((error) => "code" in error ? error.code : undefined))

/** The fault code of a raw body's answer, with its HTTP status and content type. */
const rawFault = (url: string, body: string) =>
  Effect.gen(function*() {
    const response = yield* Effect.orDie(post(url, body))
    const error = yield* SoapCodec.decodeFault(response.text)
    return { status: response.status, contentType: response.contentType, code: "code" in error ? error.code : -1 }
  })

const withEmulator = <A, E>(
  f: (emulator: Emulator.EmulatorShape) => Effect.Effect<A, E>,
  options: Emulator.Options = {}
) => Effect.scoped(Effect.flatMap(Emulator.make(options), f))

const envelope = (body: string, head = "") =>
  `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.marketo.com/mktows/">
<SOAP-ENV:Header>${head}</SOAP-ENV:Header><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`

const authXml = (h: Wire.AuthenticationHeaderInfo) =>
  `<ns1:AuthenticationHeader><mktowsUserId>${h.mktowsUserId}</mktowsUserId><requestSignature>${h.requestSignature}</requestSignature><requestTimestamp>${h.requestTimestamp}</requestTimestamp></ns1:AuthenticationHeader>`

/** A POST of `body` to `target` exactly as written (fetch would resolve `.` and `..` first). */
const rawPost = (url: string, target: string, body: string) =>
  Effect.async<{ status: number; headers: Record<string, string | Array<string> | undefined>; text: string }>(
    (resume) => {
      const { hostname, port } = new URL(url)
      const request = httpRequest(
        { hostname, port, path: target, method: "POST", headers: { "content-type": "text/xml; charset=utf-8" } },
        (response) => {
          let text = ""
          response.setEncoding("utf8").on("data", (chunk: string) => text += chunk).on(
            "end",
            () => resume(Effect.succeed({ status: response.statusCode ?? 0, headers: response.headers, text }))
          )
        }
      )
      request.on("error", (error) => resume(Effect.die(error)))
      request.end(body)
    }
  )

describe("Emulator: the Node server's own SOAP route", () => {
  // The server answers SOAP POSTs itself and hands every other request to the route table:
  // what it takes must be what the table would have sent to the SOAP POST route.
  const segment = FastCheck.constantFrom("soap", "mktows", "2_2", "v1", ".", "..", "", "a.b", "%2e", "rest", "x?y")
  const targets = FastCheck.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => "/" + parts.join("/"))
  const prefixed = FastCheck.array(segment, { maxLength: 3 }).map((parts) => "/soap/mktows/" + parts.join("/"))

  it("takes only what the route table would route to SOAP POST", () =>
    FastCheck.assert(
      FastCheck.property(FastCheck.oneof(targets, prefixed), FastCheck.constantFrom("POST", "GET", "PUT"), (t, m) => {
        if (!isSoapPost(m, t)) return
        const pathname = new URL(t, "http://emulator.invalid").pathname
        expect(m).toBe("POST")
        expect(soapPathPattern.test(pathname) && !Rest.handles(pathname)).toBe(true)
      })
    ))

  it.live("answers in one piece with its length, and leaves dot segments and other paths to the route table", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const junk = "<x/>"
        for (
          const target of ["/soap/mktows/2_2", "/soap/mktows/2_2/", "/soap/mktows/2_2?a=b", "/soap/mktows/2_2/../v9"]
        ) {
          const answer = yield* rawPost(emulator.url, target, junk)
          expect(answer.status).toBe(500)
          expect(answer.headers["content-type"]).toBe("text/xml; charset=utf-8")
          expect(answer.headers["content-length"]).toBe(String(Buffer.byteLength(answer.text)))
          expect(answer.headers["transfer-encoding"]).toBeUndefined()
          expect(answer.text).toContain("<code>20012</code>")
        }
        // Resolved by the URL to /soap/ and /soap/mktows/: not the SOAP endpoint.
        for (const target of ["/soap/mktows/..", "/soap/mktows/."]) {
          expect((yield* rawPost(emulator.url, target, junk)).status).toBe(404)
        }
      })
    ))

  it.live("answers a request target that is no URL with HTTP 400 naming it, not a SOAP fault", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        for (const target of ["http://[zz/rest/v1/x.json", "http://a:99999/emulator/stats"]) {
          const answer = yield* rawPost(emulator.url, target, "{}")
          expect([target, answer.status, answer.text]).toEqual([
            target,
            400,
            `Bad Request: the request target '${target}' is no URL`
          ])
        }
      })
    ))
})

describe("Emulator: WSDL and stats", () => {
  it.live("serves its WSDL at ?WSDL and ?wsdl with the address it was reached at", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const get = (url: string) =>
          Effect.promise(() =>
            fetch(url).then(async (r) => ({
              status: r.status,
              type: r.headers.get("content-type"),
              text: await r.text()
            }))
          )
        const upper = yield* get(`${emulator.url}?WSDL`)
        expect(upper.status).toBe(200)
        expect(upper.type).toMatch(/^text\/xml/)
        expect(upper.text).toContain(`location="${emulator.url}"`)
        const other = emulator.url.replace("2_2", "2_7")
        const lower = yield* get(`${other}?wsdl`)
        expect(lower.text).toContain(`location="${other}"`)
        expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/soap\/mktows\/2_2$/)
        expect((yield* get(emulator.url.replace("/soap/mktows/2_2", "/elsewhere"))).status).toBe(404)
      })
    ))

  it.live("advertises the request's Host in the WSDL when it is a plausible host[:port], else where it listens", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        // node:http, not fetch: the Host header is set verbatim.
        const wsdlWithHost = (path: string, host: string) =>
          Effect.async<string>((resume) => {
            const target = new URL(emulator.url)
            const req = httpRequest(
              { host: target.hostname, port: target.port, path: `${path}?WSDL`, headers: { host } },
              (response) => {
                let text = ""
                response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk))
                response.on("end", () => resume(Effect.succeed(text)))
              }
            )
            req.on("error", (error) => resume(Effect.die(error)))
            req.end()
          })
        const location = (wsdl: string) => /<soap:address location="([^"]*)"/.exec(wsdl)?.[1]
        expect(location(yield* wsdlWithHost("/soap/mktows/2_7", "example.test:1234"))).toBe(
          "http://example.test:1234/soap/mktows/2_7"
        )
        expect(location(yield* wsdlWithHost(Emulator.soapPath, "[::1]:8080"))).toBe(
          "http://[::1]:8080/soap/mktows/2_2"
        )
        for (const garbage of ["evil.test\"/><x a=\"", "example.test:99999", "a b", "-bad-.test", "x.test:12ab"]) {
          expect({ garbage, at: location(yield* wsdlWithHost(Emulator.soapPath, garbage)) }).toEqual({
            garbage,
            at: emulator.url
          })
        }
        expect(advertisedOrigin(undefined, "http://127.0.0.1:1")).toBe("http://127.0.0.1:1")
        expect(advertisedOrigin("", "http://127.0.0.1:1")).toBe("http://127.0.0.1:1")
        expect(advertisedOrigin("Example.TEST", "http://127.0.0.1:1")).toBe("http://example.test")
      })
    ))

  it.live("counts calls by operation, faults by code and outcomes by type and status", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        yield* callWith(emulator.url, "listMObjects", {})
        yield* callWith(emulator.url, "syncMObjects", {
          operation: "INSERT",
          mObjectList: [{ type: "Opportunity", attribList: [{ name: "Name", value: "x" }] }, { type: "Program", id: 1 }]
        })
        yield* Effect.flip(callWith(emulator.url, "listMObjects", {}, { secret: Redacted.make("nope") }))
        const stats = yield* Effect.promise(() =>
          fetch(emulator.url.replace("/soap/mktows/2_2", "/emulator/stats")).then((r) => r.json())
        )
        expect(stats).toEqual(yield* emulator.stats)
        expect(stats).toMatchObject({
          calls: { listMObjects: 2, syncMObjects: 1 },
          faults: { "20014": 1 },
          objects: { Opportunity: { CREATED: 1 }, Program: { FAILED: 1 } },
          stored: { Opportunity: 3, Program: 4 }
        })
        yield* emulator.reset
        expect(yield* emulator.stats).toMatchObject({ calls: {}, faults: {}, objects: {}, stored: { Opportunity: 2 } })
      })
    ))
})

describe("Emulator: authentication", () => {
  it.live("refuses an unknown user, a wrong signature and a missing header (20014)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        expect(yield* faultCode(callWith(emulator.url, "listMObjects", {}, { user: "someone_else" }))).toBe(20014)
        expect(yield* faultCode(callWith(emulator.url, "listMObjects", {}, { secret: Redacted.make("x") }))).toBe(
          20014
        )
        const bare = yield* rawFault(emulator.url, envelope("<ns1:paramsListMObjects/>"))
        expect(bare).toEqual({ status: 500, contentType: "text/xml; charset=utf-8", code: 20014 })
        const tampered = yield* header()
        const forged = { ...tampered, requestTimestamp: Signature.formatTimestamp(Date.now() + 1000) }
        expect((yield* rawFault(emulator.url, envelope("<ns1:paramsListMObjects/>", authXml(forged)))).code).toBe(20014)
        const ok = yield* Effect.orDie(post(emulator.url, envelope("<ns1:paramsListMObjects/>", authXml(tampered))))
        expect(ok.status).toBe(200)
      })
    ))

  it.live("refuses a syncMObjects with a wrong signature, an expired timestamp or no header, changing nothing", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const url = emulator.url
        const costs = callWith(url, "getMObjects", { type: "Program", id: 1970, includeDetails: true }).pipe(
          Effect.map((r) => (r.mObjectList?.[0]?.typeAttribList ?? []).filter((t) => t.attrType === "Cost"))
        )
        const snapshot = Effect.all([costs, Effect.map(emulator.stats, (s) => s.stored)])
        const before = yield* snapshot
        expect(before[0]).not.toEqual([])
        const calls: ReadonlyArray<Wire.ParamsOf<"syncMObjects">> = [
          { operation: "INSERT", mObjectList: [{ type: "Opportunity", attribList: [{ name: "Name", value: "New" }] }] },
          {
            operation: "UPDATE",
            mObjectList: [{
              type: "Program",
              id: 1970,
              typeAttribList: [{
                attrType: "Cost",
                attrList: [{ name: "Id", value: "153" }, { name: "Month", value: "2013-06" }, {
                  name: "Amount",
                  value: "9"
                }]
              }]
            }]
          }
        ]
        for (const params of calls) {
          const sync = (auth: Parameters<typeof header>[0]) => faultCode(callWith(url, "syncMObjects", params, auth))
          expect(yield* sync({ secret: Redacted.make("not-the-key") })).toBe(20014)
          expect(yield* sync({ skewMillis: -16 * 60_000 })).toBe(20016)
          const signed = SoapCodec.encodeRequest("syncMObjects", yield* header(), params)
          const bare = signed.replace(/<ns1:AuthenticationHeader>.*<\/ns1:AuthenticationHeader>/s, "")
          expect(bare).not.toContain("requestSignature")
          expect((yield* rawFault(url, bare)).code).toBe(20014)
        }
        expect(yield* snapshot).toEqual(before)
        // The same calls, signed right, do change the store: the snapshot can see it.
        for (const params of calls) yield* callWith(url, "syncMObjects", params)
        expect(yield* snapshot).not.toEqual(before)
      })
    ))

  it.live("refuses timestamps outside the window either way (20016), and accepts any with signatureTtl 0", () =>
    Effect.gen(function*() {
      yield* withEmulator((emulator) =>
        Effect.gen(function*() {
          const at = (skewMillis: number) => faultCode(callWith(emulator.url, "listMObjects", {}, { skewMillis }))
          expect(yield* at(-16 * 60_000)).toBe(20016)
          expect(yield* at(16 * 60_000)).toBe(20016)
          expect(yield* callWith(emulator.url, "listMObjects", {}, { skewMillis: -10 * 60_000 })).toHaveProperty(
            "objects"
          )
        })
      )
      yield* withEmulator((emulator) =>
        Effect.gen(function*() {
          expect(yield* faultCode(callWith(emulator.url, "listMObjects", {}, { skewMillis: -90_000 }))).toBe(20016)
        }), { signatureTtl: 60 })
      yield* withEmulator((emulator) =>
        Effect.gen(function*() {
          const old = yield* callWith(emulator.url, "listMObjects", {}, { skewMillis: -400 * 86_400_000 })
          expect(old.objects).toHaveLength(4)
        }), { signatureTtl: 0 })
    }))
})

const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.marketo.com/mktows/">
<SOAP-ENV:Body><ns1:paramsDescribeMObject><objectName>&lol3;</objectName></ns1:paramsDescribeMObject></SOAP-ENV:Body>
</SOAP-ENV:Envelope>`

describe("Emulator: bad input", () => {
  it.live("answers malformed, hostile and unknown requests with the right fault and leaves the store unchanged", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const url = emulator.url
        const snapshot = Effect.all([
          callWith(url, "getMObjects", { type: "Program", includeDetails: true }),
          callWith(url, "getMObjects", { type: "Opportunity" }),
          emulator.stats.pipe(Effect.map((s) => ({ stored: s.stored, objects: s.objects })))
        ])
        const before = yield* snapshot
        const auth = authXml(yield* header())
        const sync = (extra: string) =>
          `<ns1:paramsSyncMObjects><mObjectList><mObject><type>Program</type><id>1970</id><typeAttribList><typeAttrib><attrType>Cost</attrType><attrList><attrib><name>Month</name><value>2013-06</value></attrib><attrib><name>Amount</name><value>9</value></attrib><attrib><name>Id</name><value>153</value></attrib><attrib><name>Note</name><value>${extra}</value></attrib></attrList></typeAttrib></typeAttribList></mObject></mObjectList><operation>UPDATE</operation></ns1:paramsSyncMObjects>`
        const cases: ReadonlyArray<[string, string, number]> = [
          ["malformed XML", envelope(sync("x").slice(0, -20), auth), 20012],
          ["not XML", "{\"operation\":\"syncMObjects\"}", 20012],
          ["empty body", "", 20012],
          [
            "DOCTYPE",
            `<!DOCTYPE x [<!ELEMENT x ANY>]>${envelope(sync("x"), auth).replace(/^<\?xml[^>]*>/, "")}`,
            20012
          ],
          ["entity bomb", bomb, 20012],
          [
            "SOAP 1.2 namespace",
            envelope(sync("x"), auth).replace(
              "http://schemas.xmlsoap.org/soap/envelope/",
              "http://www.w3.org/2003/05/soap-envelope"
            ),
            20012
          ],
          ["wrong params namespace", envelope(sync("x"), auth).replace("mktows/\"", "other/\""), 20019],
          ["unknown operation", envelope("<ns1:paramsSyncLead><x/></ns1:paramsSyncLead>", auth), 20019],
          ["missing parameter", envelope(sync("x").replace("<operation>UPDATE</operation>", ""), auth), 20017],
          ["bad value", envelope(sync("x").replace("<id>1970</id>", "<id>nineteen</id>"), auth), 20110],
          ["oversize body", envelope(sync("x".repeat(20_000)), auth), 20012]
        ]
        for (const [name, body, code] of cases) {
          const answer = yield* rawFault(url, body)
          expect({ name, ...answer }).toEqual({ name, status: 500, contentType: "text/xml; charset=utf-8", code })
        }
        expect(yield* snapshot).toEqual(before)
        // Still serving, and a well-formed version of the same request applies.
        const ok = yield* Effect.orDie(post(url, envelope(sync("x"), authXml(yield* header()))))
        expect(ok.status).toBe(200)
        expect(yield* snapshot).not.toEqual(before)
      }), { maxBodyBytes: 16_384 }))
})

describe("Emulator: limits", () => {
  it.live("answers the 11th concurrent call with 20024", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const results = yield* Effect.all(
          Array.from({ length: 11 }, () => Effect.either(callWith(emulator.url, "listMObjects", {}))),
          { concurrency: "unbounded" }
        )
        const codes = results.flatMap((r) => r._tag === "Left" ? ["code" in r.left ? r.left.code : -1] : [])
        expect(codes).toEqual([20024])
      }), { enforceLimits: true, latency: "1 second" }))

  it.live("answers the 101st call within 20 seconds with 20023, and calls over the daily quota with 20015", () =>
    Effect.gen(function*() {
      yield* withEmulator((emulator) =>
        Effect.gen(function*() {
          for (let i = 0; i < 100; i++) yield* callWith(emulator.url, "listMObjects", {})
          expect(yield* faultCode(callWith(emulator.url, "listMObjects", {}))).toBe(20023)
          yield* emulator.reset
          yield* callWith(emulator.url, "listMObjects", {})
        }), { enforceLimits: true })
      yield* withEmulator((emulator) =>
        Effect.gen(function*() {
          for (let i = 0; i < 3; i++) yield* callWith(emulator.url, "listMObjects", {})
          expect(yield* faultCode(callWith(emulator.url, "listMObjects", {}))).toBe(20015)
        }), { enforceLimits: true, dailyQuota: 3 })
    }))

  it.effect("resets the daily quota at midnight America/Chicago, daylight saving included, and says when", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter(2)
      const call = Effect.either(limiter.guard(Effect.void))
      const at = (iso: string) => TestClock.setTime(Date.parse(iso))
      const spent = (iso: string) =>
        Effect.gen(function*() {
          yield* at(iso)
          const result = yield* call
          return result._tag === "Left" ? result.left : undefined
        })
      // Spring forward (2024-03-10): that day ends at 05:00Z (midnight CDT), not 06:00Z.
      yield* at("2024-03-10T12:00:00Z")
      yield* call
      yield* call
      const refused = yield* spent("2024-03-11T04:59:59Z")
      expect(refused?.code).toBe(20015)
      expect(refused?.detail).toContain("2024-03-11T05:00:00.000Z")
      expect(yield* spent("2024-03-11T05:00:01Z")).toBeUndefined()
      // Fall back (2024-11-03): that day ends at 06:00Z (midnight CST), not 05:00Z.
      yield* at("2024-11-03T12:00:00Z")
      yield* call
      yield* call
      expect((yield* spent("2024-11-04T05:30:00Z"))?.detail).toContain("2024-11-04T06:00:00.000Z")
      expect(yield* spent("2024-11-04T06:00:01Z")).toBeUndefined()
    }))

  it.live("injects 20023, 20024, 20011 and dropped connections at faultRate, repeatably from Random", () =>
    Effect.gen(function*() {
      // A fresh generator per run: the same seed must give the same faults.
      const run = () =>
        withEmulator(
          (emulator) =>
            Effect.forEach(Array.from({ length: 24 }, (_, i) => i), () =>
              Effect.gen(function*() {
                const response = yield* Effect.either(
                  post(emulator.url, SoapCodec.encodeRequest("listMObjects", yield* header(), {}))
                )
                if (response._tag === "Left") return "drop"
                const error = yield* Effect.flip(SoapCodec.decodeResponse("listMObjects", response.right.text))
                return "code" in error ? String(error.code) : "other"
              })),
          { faultRate: 1 }
        ).pipe(Effect.withRandom(Random.make("seed")))
      const first = yield* run()
      expect(new Set(first)).toEqual(new Set(["20023", "20024", "20011", "drop"]))
      expect(yield* run()).toEqual(first)
    }))
})

describe("Emulator: command line", () => {
  const root = fileURLToPath(new URL("../../../", import.meta.url))
  const bin = "packages/emulator/src/bin/emulator.ts"
  const run = (args: ReadonlyArray<string>) =>
    spawn(process.execPath, ["--import", "tsx", "--conditions=source", bin, ...args], { cwd: root })

  it.live("prints the listening line with the real port, serves, and stops on SIGTERM", () =>
    Effect.acquireUseRelease(
      Effect.sync(() => run(["--port", "0", "--signature-ttl", "0"])),
      (child) =>
        Effect.gen(function*() {
          const line = yield* Effect.async<string>((resume) => {
            let out = ""
            child.stdout.on("data", (chunk: Buffer) => {
              out += chunk.toString("utf8")
              if (out.includes("\n")) resume(Effect.succeed(out))
            })
          }).pipe(Effect.timeout("30 seconds"), Effect.orDie)
          // The REST line may follow in the same chunk.
          const match = /^mktows emulator listening on (http:\/\/127\.0\.0\.1:(\d+)\/soap\/mktows\/2_2)\n/.exec(line)
          expect(match).not.toBeNull()
          expect(Number(match![2])).toBeGreaterThan(0)
          const list = yield* callWith(match![1]!, "listMObjects", {}, { skewMillis: -86_400_000 })
          expect(list.objects).toContain("Opportunity")
          const code = yield* Effect.async<number | null>((resume) => {
            child.once("exit", (exitCode) => resume(Effect.succeed(exitCode)))
            child.kill("SIGTERM")
          })
          expect(code).toBe(0)
        }),
      (child) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
    ))

  it.live("exits with code 2 and a clear message on a bad flag", () =>
    Effect.gen(function*() {
      const child = run(["--port", "eighty"])
      const [code, stderr] = yield* Effect.async<[number | null, string]>((resume) => {
        let err = ""
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")))
        child.once("close", (exitCode) => resume(Effect.succeed([exitCode, err])))
      })
      expect(code).toBe(2)
      expect(stderr).toContain("--port must be a port")
    }))

  const parse = (args: ReadonlyArray<string>, env: ReadonlyArray<[string, string]> = []) =>
    EmulatorCommand.options(args).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env))))

  it.effect("listens on 8080 by default, and reads the credentials from flags, then the environment", () =>
    Effect.gen(function*() {
      expect(yield* parse([])).toEqual(Option.some({ port: 8080 }))
      expect(yield* parse(["--port", "0", "--host", "0.0.0.0"])).toEqual(Option.some({ port: 0, host: "0.0.0.0" }))
      expect(yield* parse(["--help"])).toEqual(Option.none())
      const env: Array<[string, string]> = [[Cli.env.userId, "env_user"], [Cli.env.encryptionKey, "env-key"]]
      const fromEnv = Option.getOrThrow(yield* parse([], env))
      expect(fromEnv.userId).toBe("env_user")
      expect(fromEnv.encryptionKey && Redacted.value(fromEnv.encryptionKey)).toBe("env-key")
      const fromFlags = Option.getOrThrow(yield* parse(["--user-id", "flag_user", "--encryption-key", "flag-key"], env))
      expect(fromFlags.userId).toBe("flag_user")
      expect(fromFlags.encryptionKey && Redacted.value(fromFlags.encryptionKey)).toBe("flag-key")
      const blank = yield* Effect.flip(parse([], [[Cli.env.encryptionKey, "  "]]))
      expect(blank).toBeInstanceOf(EmulatorCommand.UsageError)
      expect(blank.message).toContain(`${Cli.env.encryptionKey}: "must not be empty"`)
    }))

  it.live("takes its credentials from MKTOWS_EMULATOR_USER_ID and MKTOWS_EMULATOR_ENCRYPTION_KEY", () =>
    Effect.scoped(Effect.gen(function*() {
      const secret = "s3cret-from-the-environment"
      const emulator = yield* spawnEmulator(["--signature-ttl", "0"], {
        env: { [Cli.env.userId]: "env_user_1", [Cli.env.encryptionKey]: secret }
      })
      const own = { user: "env_user_1", secret: Redacted.make(secret) }
      expect((yield* callWith(emulator.endpoint, "listMObjects", {}, own)).objects).toContain("Opportunity")
      const demoKey = { user: "env_user_1", secret: key }
      expect(yield* faultCode(callWith(emulator.endpoint, "listMObjects", {}, demoKey))).toBe(20014)
      expect(yield* faultCode(callWith(emulator.endpoint, "listMObjects", {}))).toBe(20014)
      expect(emulator.stderr()).not.toContain(secret)
    })))
})
