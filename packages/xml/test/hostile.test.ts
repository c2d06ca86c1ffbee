import { describe, expect, it } from "@effect/vitest"
import { ProtocolError } from "@mktows/core/MarketoError"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import { defaultMaxDepth, defaultMaxNodes, scan } from "../src/internal/scan.js"
import * as SoapCodec from "../src/SoapCodec.js"

const env = SoapCodec.soapEnvelopeNamespace
const mkt = SoapCodec.namespace

/** The tag and reason a response body ends in; "success" if it decoded. */
const responseOutcome = (body: string, options?: SoapCodec.DecodeResponseOptions) =>
  Effect.map(
    Effect.exit(SoapCodec.decodeResponse("syncMObjects", body, options)),
    (exit) =>
      Exit.isSuccess(exit)
        ? "success"
        : Exit.isFailure(exit) && Cause.isFailType(exit.cause) && exit.cause.error instanceof ProtocolError
        ? `ProtocolError/${exit.cause.error.reason}`
        : Exit.isFailure(exit) && Cause.isFailType(exit.cause)
        ? exit.cause.error._tag
        : `defect: ${String(exit)}`
  )

const requestOutcome = (body: string, options?: SoapCodec.ParseOptions) =>
  Effect.map(
    Effect.exit(SoapCodec.decodeRequest(body, options)),
    (exit) =>
      Exit.isSuccess(exit)
        ? "success"
        : Exit.isFailure(exit) && Cause.isFailType(exit.cause)
        ? `${exit.cause.error._tag}/${exit.cause.error.reason}`
        : `defect: ${String(exit)}`
  )

const wrapResponse = (result: string) =>
  `<s:Envelope xmlns:s="${env}"><s:Body><m:successSyncMObjects xmlns:m="${mkt}"><result>${result}` +
  `</result></m:successSyncMObjects></s:Body></s:Envelope>`

const entityBomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<s:Envelope xmlns:s="${env}"><s:Body><m:successListMObjects xmlns:m="${mkt}"><result>` +
  `<objects>&lol4;</objects></result></m:successListMObjects></s:Body></s:Envelope>`

const externalEntity = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
  wrapResponse(
    "<mObjStatusList><mObjStatus><id>1</id><status>UPDATED</status><error>&xxe;</error>" +
      "</mObjStatus></mObjStatusList>"
  )

const deep = (n: number) => "<a>".repeat(n) + "</a>".repeat(n)

const html = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><br></body></html>`

// Each hostile body, with what a response read and a request read must end in.
const cases: ReadonlyArray<readonly [name: string, body: string, response: string, request: string]> = [
  ["an entity bomb", entityBomb, "ProtocolError/Forbidden", "SoapRequestError/Forbidden"],
  ["an external entity", externalEntity, "ProtocolError/Forbidden", "SoapRequestError/Forbidden"],
  [
    "an undeclared entity reference",
    wrapResponse("<mObjStatusList><mObjStatus><id>1</id><status>&lol;</status></mObjStatus></mObjStatusList>"),
    "ProtocolError/Forbidden",
    "SoapRequestError/Forbidden"
  ],
  [
    "a DOCTYPE alone",
    `<!DOCTYPE s:Envelope>${wrapResponse("")}`,
    "ProtocolError/Forbidden",
    "SoapRequestError/Forbidden"
  ],
  ["1e6 nested elements", deep(1_000_000), "ProtocolError/TooLarge", "SoapRequestError/TooLarge"],
  ["1e6 unclosed elements", "<a>".repeat(1_000_000), "ProtocolError/TooLarge", "SoapRequestError/TooLarge"],
  ["an HTML error page", html, "ProtocolError/NotXml", "SoapRequestError/Malformed"],
  [
    "HTML without a doctype",
    "<html><body><p>Service Unavailable</body></html>",
    "ProtocolError/NotXml",
    "SoapRequestError/Malformed"
  ],
  ["plain text", "Service Unavailable", "ProtocolError/NotXml", "SoapRequestError/Malformed"],
  ["an empty body", "", "ProtocolError/NotXml", "SoapRequestError/Malformed"],
  ["a NUL byte", wrapResponse("\u0000"), "ProtocolError/NotXml", "SoapRequestError/Malformed"],
  ["a forbidden numeric reference", wrapResponse("<x>&#0;</x>"), "ProtocolError/NotXml", "SoapRequestError/Malformed"],
  ["a bare ampersand", wrapResponse("<x>a & b</x>"), "ProtocolError/NotXml", "SoapRequestError/Malformed"],
  ["two root elements", wrapResponse("") + "<again/>", "ProtocolError/NotXml", "SoapRequestError/Malformed"],
  [
    "mismatched tags",
    `<s:Envelope xmlns:s="${env}"><s:Body></s:Envelope></s:Body>`,
    "ProtocolError/NotXml",
    "SoapRequestError/Malformed"
  ],
  [
    "a __proto__ element",
    wrapResponse("<__proto__><polluted>1</polluted></__proto__>"),
    "ProtocolError/Forbidden",
    "SoapRequestError/Forbidden"
  ],
  [
    "a prefixed __proto__ element",
    wrapResponse(`<m:__proto__/>`),
    "ProtocolError/Forbidden",
    "SoapRequestError/Forbidden"
  ],
  [
    "a constructor element",
    wrapResponse("<mObjStatusList><constructor/></mObjStatusList>"),
    "ProtocolError/Forbidden",
    "SoapRequestError/Forbidden"
  ],
  [
    "a prototype element",
    wrapResponse("<prototype>x</prototype>"),
    "ProtocolError/Forbidden",
    "SoapRequestError/Forbidden"
  ],
  ...[`<m:a:b/>`, `<:a/>`, `<m:/>`, `<m:1a/>`, `<1a/>`, `<-a/>`].map((element) =>
    [
      `a malformed name: ${element}`,
      wrapResponse(`<mObjStatusList>${element}</mObjStatusList>`),
      "ProtocolError/NotXml",
      "SoapRequestError/Malformed"
    ] as const
  ),
  [
    "a __proto__ attribute",
    wrapResponse(`<mObjStatusList __proto__="x"/>`),
    "ProtocolError/Forbidden",
    "SoapRequestError/Forbidden"
  ]
]

describe("hostile bodies end in typed errors", () => {
  for (const [name, body, response, request] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        expect(yield* responseOutcome(body)).toBe(response)
        expect(yield* requestOutcome(body)).toBe(request)
      }))
  }

  it.effect("nothing reached Object.prototype", () =>
    Effect.gen(function*() {
      for (const [, body] of cases) {
        yield* responseOutcome(body)
        yield* requestOutcome(body)
      }
      expect(Object.prototype).not.toHaveProperty("polluted")
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    }))

  it.effect("object-method names elsewhere are plain, skipped elements", () =>
    Effect.gen(function*() {
      const body = wrapResponse(
        "<mObjStatusList><mObjStatus><toString>x</toString><hasOwnProperty/><id>5</id><valueOf>1</valueOf>" +
          "<status>CREATED</status></mObjStatus></mObjStatusList>"
      )
      const result = yield* SoapCodec.decodeResponse("syncMObjects", body)
      expect(result).toStrictEqual({ mObjStatusList: [{ id: 5, status: "CREATED" }] })
    }))

  it.effect("a body over maxBytes, counted in UTF-8 bytes", () =>
    Effect.gen(function*() {
      const ascii = wrapResponse(`<x>${"a".repeat(2000)}</x>`)
      expect(yield* responseOutcome(ascii, { maxBytes: 1000 })).toBe("ProtocolError/TooLarge")
      expect(yield* requestOutcome(ascii, { maxBytes: 1000 })).toBe("SoapRequestError/TooLarge")
      // 600 UTF-16 units of euro signs are 1800 bytes: over 1000 although shorter in characters.
      const euros = wrapResponse(`<mObjStatusList/><x>${"€".repeat(600)}</x>`)
      expect(euros.length).toBeLessThan(1000)
      expect(yield* responseOutcome(euros, { maxBytes: 1000 })).toBe("ProtocolError/TooLarge")
      expect(yield* responseOutcome(euros, { maxBytes: 4000 })).toBe("success")
    }))

  it.effect("maxDepth is configurable and counts element nesting", () =>
    Effect.gen(function*() {
      const body = wrapResponse("<mObjStatusList/><x><y><z/></y></x>")
      expect(yield* responseOutcome(body, { maxDepth: 6 })).toBe("success")
      expect(yield* responseOutcome(body, { maxDepth: 5 })).toBe("ProtocolError/TooLarge")
    }))

  it.effect("every truncation of a valid response is refused", () =>
    Effect.gen(function*() {
      const full = SoapCodec.encodeResponse("syncMObjects", {
        mObjStatusList: [{ id: 1, externalKey: { name: "k", value: "v & w" }, status: "FAILED", error: "<bad>" }]
      })
      expect(yield* responseOutcome(full)).toBe("success")
      const seen = new Set<string>()
      for (let cut = 0; cut < full.length; cut++) seen.add(yield* responseOutcome(full.slice(0, cut)))
      expect([...seen].sort()).toStrictEqual(["ProtocolError/NotXml"])
    }))

  it.effect.prop(
    "random bytes never decode and never crash",
    [FastCheck.uint8Array({ maxLength: 400 })],
    ([bytes]) =>
      Effect.gen(function*() {
        const body = new TextDecoder().decode(bytes)
        expect(yield* responseOutcome(body)).toMatch(/^ProtocolError\/(NotXml|Forbidden)$/)
        expect(yield* requestOutcome(body)).toMatch(/^SoapRequestError\/(Malformed|Forbidden|NotSoap)$/)
      }),
    { fastCheck: { numRuns: 300 } }
  )

  const markup = FastCheck.array(
    FastCheck.constantFrom(
      "<",
      ">",
      "/",
      "a",
      "s:",
      "Envelope",
      "Body",
      " ",
      "=",
      "\"",
      "&",
      ";",
      "amp",
      "!",
      "?",
      "[",
      "]",
      "-",
      "xmlns:s",
      `"${env}"`
    ),
    { maxLength: 60 }
  ).map((parts) => parts.join(""))

  it.effect.prop(
    "markup-shaped noise ends in a typed error, never a defect",
    [markup],
    ([body]) =>
      Effect.gen(function*() {
        expect(yield* responseOutcome(body)).toMatch(/^ProtocolError\//)
        expect(yield* requestOutcome(body)).toMatch(/^SoapRequestError\//)
      }),
    { fastCheck: { numRuns: 500 } }
  )
})

describe("tag-level checks of the pre-parse scan", () => {
  const good = "<mObjStatusList><mObjStatus><id>1</id><status>CREATED</status></mObjStatus></mObjStatusList>"

  it.effect("an end tag that only starts like the open element's name is refused", () =>
    Effect.gen(function*() {
      expect(yield* responseOutcome(wrapResponse(good))).toBe("success")
      const bad = good.replace("</id>", "</idx>")
      expect(yield* responseOutcome(wrapResponse(bad))).toBe("ProtocolError/NotXml")
      expect(yield* responseOutcome(wrapResponse(good.replace("</id>", "</i>")))).toBe("ProtocolError/NotXml")
    }))

  it("an end tag is compared with the open element's whole name, and the refusal names both", () => {
    const limits = {
      maxBytes: 1 << 20,
      maxDepth: defaultMaxDepth,
      maxNodes: defaultMaxNodes,
      maxAttributes: 32,
      maxTextLength: 1 << 20
    }
    const detail = (body: string) => Either.match(scan(body, limits), { onLeft: (p) => p.detail, onRight: () => "ok" })
    expect(detail("<a:b xmlns:a=\"u\"><c>1</c></a:b>")).toBe("ok")
    expect(detail("<ab><c>1</c></abc>")).toBe(`end tag "</abc>" does not close "<ab>"`)
    expect(detail("<abc><c>1</c></ab>")).toBe(`end tag "</ab>" does not close "<abc>"`)
    expect(detail("<a:b xmlns:a=\"u\"></a:bc>")).toBe(`end tag "</a:bc>" does not close "<a:b>"`)
    expect(detail("<a><b></a></b>")).toBe(`end tag "</a>" does not close "<b>"`)
    expect(detail("<a></a")).toBe(`truncated: the end tag of "a" is not closed`)
    expect(detail("<a></a x>")).toBe(`malformed end tag "</a" at position 3`)
  })

  it.effect("space before the end of an end tag is accepted", () =>
    Effect.gen(function*() {
      const spaced = good.replace("</id>", "</id  \n>").replace("</mObjStatus>", "</mObjStatus\t>")
      expect(yield* responseOutcome(wrapResponse(spaced))).toBe("success")
    }))

  it.effect("an attribute written twice is refused", () =>
    Effect.gen(function*() {
      const twice = wrapResponse(good.replace("<id>", `<id a="1" a="2">`))
      expect(yield* responseOutcome(twice)).toBe("ProtocolError/NotXml")
      expect(yield* requestOutcome(twice)).toBe("SoapRequestError/Malformed")
    }))

  it.effect("a truncated body is refused as truncated even after a bad entity", () =>
    Effect.gen(function*() {
      const body = wrapResponse(good.replace("CREATED", "&nope;"))
      expect(yield* responseOutcome(body)).toBe("ProtocolError/Forbidden")
      expect(yield* responseOutcome(body.slice(0, -5))).toBe("ProtocolError/NotXml")
    }))
})

describe("the work per message is bounded while scanning", () => {
  const status = (i: number) => `<mObjStatus><id>${i}</id><status>CREATED</status></mObjStatus>`
  const statuses = (n: number, extra = "") =>
    wrapResponse(`<mObjStatusList>${Array.from({ length: n }, (_, i) => status(i)).join("")}${extra}</mObjStatusList>`)
  const request = (inner: string) =>
    `<s:Envelope xmlns:s="${env}"><s:Body><m:paramsSyncMObjects xmlns:m="${mkt}"><mObjectList>${inner}` +
    `</mObjectList><operation>INSERT</operation></m:paramsSyncMObjects></s:Body></s:Envelope>`
  const mObject = (attributes = "") => `<mObject${attributes}><type>Opportunity</type></mObject>`

  it.effect("a sync response carries what 100 statuses need, and no more nodes", () =>
    Effect.gen(function*() {
      expect(yield* responseOutcome(statuses(100), { expectedCount: 100 })).toBe("success")
      // Unknown elements are skipped, but they count.
      expect(yield* responseOutcome(statuses(1, "<x/>".repeat(200)))).toBe("success")
      expect(yield* responseOutcome(statuses(1, "<x/>".repeat(2_000)))).toBe("ProtocolError/TooLarge")
      expect(yield* responseOutcome(statuses(1, "<!---->".repeat(2_000)))).toBe("ProtocolError/TooLarge")
    }))

  it.effect("the node bound is exact and can be set", () =>
    Effect.gen(function*() {
      // The envelope, Body, success, result and list elements and two namespace
      // declarations: 7, then 3 per status.
      const body = statuses(10)
      expect(yield* responseOutcome(body, { maxNodes: 37 })).toBe("success")
      expect(yield* responseOutcome(body, { maxNodes: 36 })).toBe("ProtocolError/TooLarge")
      // Attributes count, on however many elements they are spread.
      const spread = body.replaceAll("<mObjStatus>", `<mObjStatus a="1">`)
      expect(yield* responseOutcome(spread, { maxNodes: 47 })).toBe("success")
      expect(yield* responseOutcome(spread, { maxNodes: 46 })).toBe("ProtocolError/TooLarge")
      expect(yield* requestOutcome(request(mObject().repeat(100)), { maxNodes: 200 })).toBe(
        "SoapRequestError/TooLarge"
      )
      expect(yield* requestOutcome(request(mObject().repeat(2)), { maxNodes: 200 })).toBe("success")
    }))

  it.effect("attributes on one element, namespace declarations included", () =>
    Effect.gen(function*() {
      const attributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="v"`).join("")
      const declarations = (n: number) => Array.from({ length: n }, (_, i) => ` xmlns:p${i}="urn:${i}"`).join("")
      expect(yield* requestOutcome(request(mObject(attributes(31))))).toBe("success")
      expect(yield* requestOutcome(request(mObject(attributes(33))))).toBe("SoapRequestError/TooLarge")
      expect(yield* requestOutcome(request(mObject(declarations(33))))).toBe("SoapRequestError/TooLarge")
      expect(yield* responseOutcome(wrapResponse(`<mObjStatusList${attributes(800)}/>`))).toBe(
        "ProtocolError/TooLarge"
      )
      expect(yield* requestOutcome(request(mObject()), { maxAttributes: 0 })).toBe("SoapRequestError/TooLarge")
    }))

  it.effect("text in one element, however it is split, and attribute values", () =>
    Effect.gen(function*() {
      const withError = (text: string) =>
        wrapResponse(
          `<mObjStatusList><mObjStatus><id>1</id><status>FAILED</status><error>${text}</error>` +
            `</mObjStatus></mObjStatusList>`
        )
      expect(yield* responseOutcome(withError("e".repeat(1000)), { maxTextLength: 1000 })).toBe("success")
      expect(yield* responseOutcome(withError("e".repeat(1001)), { maxTextLength: 1000 })).toBe(
        "ProtocolError/TooLarge"
      )
      const split = Array.from({ length: 11 }, () => "e".repeat(100)).join("<!---->")
      expect(yield* responseOutcome(withError(split), { maxTextLength: 1000 })).toBe("ProtocolError/TooLarge")
      const cdata = `<![CDATA[${"e".repeat(1001)}]]>`
      expect(yield* responseOutcome(withError(cdata), { maxTextLength: 1000 })).toBe("ProtocolError/TooLarge")
      expect(yield* responseOutcome(withError("e".repeat(1024 * 1024 + 1)))).toBe("ProtocolError/TooLarge")
      const attribute = wrapResponse(`<mObjStatusList a="${"v".repeat(1001)}"/>`)
      expect(yield* responseOutcome(attribute, { maxTextLength: 1000 })).toBe("ProtocolError/TooLarge")
    }))

  it.effect("namespaces declared on every nested element still resolve", () =>
    Effect.gen(function*() {
      // Each level declares a prefix the next one uses: the innermost resolves through all.
      const depth = 40
      const open = Array.from({ length: depth }, (_, i) => `<p${i}:e xmlns:p${i}="urn:${i}">`).join("")
      const close = Array.from({ length: depth }, (_, i) => `</p${depth - 1 - i}:e>`).join("")
      const body = statuses(1, `${open}${close}`)
      expect(yield* responseOutcome(body)).toBe("success")
    }))
})
