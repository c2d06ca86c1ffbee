import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as HttpEdge from "../src/HttpEdge.js"
import * as Limits from "../src/Limits.js"
import * as Capture from "./helpers/capture.js"

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const chunk of chunks) {
    all.set(chunk, at)
    at += chunk.length
  }
  return all
}

// A response whose bytes arrive in the given chunks; `declared` is its Content-Length, if any.
// Reading it all at once counts, so a test can see that a refused body was never read.
const responseOf = (chunks: ReadonlyArray<Uint8Array>, declared: boolean) => {
  const reads = { whole: 0, chunks: 0 }
  const all = concat(chunks)
  const response: HttpEdge.ResponseBody<never> = {
    headers: declared ? { "content-length": String(all.length) } : {},
    stream: Stream.fromIterable(chunks).pipe(Stream.tap(() => Effect.sync(() => reads.chunks++))),
    arrayBuffer: Effect.sync(() => {
      reads.whole++
      return all.slice().buffer
    })
  }
  return { response, reads, all }
}

describe("HttpEdge", () => {
  const max = Limits.maxQuotedChars

  it.prop(
    "an excerpt is one line of at most the bound (and a note of the length), the start of the flattened text",
    [FastCheck.string({ unit: FastCheck.constantFrom("a", "b", " ", "\n", "\t", "é"), maxLength: 6_000 })],
    ([text]) => {
      const shown = HttpEdge.excerpt(text)
      expect(shown).not.toMatch(/[\n\t]|\s\s/)
      const cut = /… \((\d+) characters in all\)$/.exec(shown)
      const body = cut === null ? shown : shown.slice(0, cut.index)
      expect(body.length).toBeLessThanOrEqual(max)
      const flat = text.replace(/\s+/g, " ").trim()
      expect(flat.startsWith(body.trimEnd())).toBe(true)
      // Cut exactly when the flattened text is longer than what is shown, and the note says how long.
      expect(cut !== null).toBe(flat.length > max)
      if (cut !== null) expect(Number(cut[1])).toBeGreaterThan(max)
    }
  )

  it("an excerpt of a huge text looks only at its start, and notes its length", () => {
    const huge = "x".repeat(20_000_000)
    expect(HttpEdge.excerpt(huge)).toBe(`${"x".repeat(max)}… (20000000 characters in all)`)
  })

  it.prop(
    "an excerpt never shows a secret, in any form a request carries it, even where it is cut",
    [
      FastCheck.string({ minLength: 4, maxLength: 40 }).filter((s) => !/\s/.test(s) && !s.startsWith("<")),
      FastCheck.integer({ min: 0, max: 2 * max }),
      FastCheck.constantFrom<(s: string) => string>(
        (s) => s,
        encodeURIComponent,
        (s) => new URLSearchParams({ s }).toString().slice(2),
        (s) => JSON.stringify(s).slice(1, -1)
      )
    ],
    ([secret, at, form]) => {
      const text = `${"a".repeat(at)}client_secret=${form(secret)}&more`
      const shown = HttpEdge.excerpt(text, [secret])
      expect(shown).not.toContain(form(secret))
      // Not even its start where the quote is cut.
      expect(shown).not.toContain(`client_secret=${form(secret).slice(0, 2)}`)
    }
  )

  it.effect.prop(
    "a bounded read keeps the body up to the bound, says when it was cut, and never reads a declared excess",
    [
      FastCheck.array(FastCheck.uint8Array({ maxLength: 64 }), { maxLength: 12 }),
      FastCheck.integer({ min: 0, max: 400 }),
      FastCheck.boolean()
    ],
    ([chunks, max, declared]) =>
      Effect.gen(function*() {
        const { all, reads, response } = responseOf(chunks, declared)
        const body = yield* HttpEdge.readBounded(response, max)
        expect(body.truncated).toBe(all.length > max)
        if (declared && all.length > max) {
          expect(body.bytes.length).toBe(0)
          expect(reads).toEqual({ whole: 0, chunks: 0 })
        } else {
          expect([...body.bytes]).toEqual([...all.subarray(0, Math.min(all.length, max))])
        }
      })
  )

  it.effect("an endless chunked body is read only until the bound is crossed", () =>
    Effect.gen(function*() {
      let pulled = 0
      const endless: HttpEdge.ResponseBody<never> = {
        headers: {},
        stream: Stream.repeatEffectChunk(Effect.sync(() => {
          pulled++
          return Chunk.of(new Uint8Array(1024))
        })),
        arrayBuffer: Effect.die("not used without a declared length")
      }
      const body = yield* HttpEdge.readBounded(endless, 10_000)
      expect(body).toMatchObject({ truncated: true })
      expect(body.bytes.length).toBe(10_000)
      expect(pulled).toBe(10)
    }))

  it.prop("bytes are text only when they are UTF-8", [FastCheck.uint8Array({ maxLength: 32 })], ([bytes]) => {
    const text = HttpEdge.textOf(bytes)
    if (text === undefined) expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes)).toThrow()
    else expect([...new TextEncoder().encode(text)]).toEqual([...bytes])
  })

  describe("connectionError", () => {
    const socketError = (code: string) => Object.assign(new Error(`connect ${code}`), { code })
    it.each(
      [
        [
          "a refused connection",
          { _tag: "RequestError", reason: "Transport", cause: socketError("ECONNREFUSED") },
          false
        ],
        // undici nests the socket error under its own.
        [
          "an unknown host, nested",
          {
            _tag: "RequestError",
            reason: "Transport",
            cause: new Error("fetch failed", { cause: socketError("ENOTFOUND") })
          },
          false
        ],
        [
          "a request that never left (bad URL)",
          { _tag: "RequestError", reason: "InvalidUrl", cause: undefined },
          false
        ],
        // A TLS handshake that failed: nothing of the request went out.
        [
          "a certificate the client does not trust",
          { _tag: "RequestError", reason: "Transport", cause: socketError("DEPTH_ZERO_SELF_SIGNED_CERT") },
          false
        ],
        [
          "https to a port that speaks plain HTTP",
          {
            _tag: "RequestError",
            reason: "Transport",
            cause: Object.assign(new Error("C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number"), {
              code: "EPROTO"
            })
          },
          false
        ],
        // Any other TLS protocol error may come after the request went out.
        [
          "another TLS protocol error",
          { _tag: "RequestError", reason: "Transport", cause: socketError("EPROTO") },
          true
        ],
        ["a reset connection", { _tag: "RequestError", reason: "Transport", cause: socketError("ECONNRESET") }, true],
        ["a failure after the status line", {
          _tag: "ResponseError",
          reason: "Decode",
          cause: socketError("ECONNREFUSED")
        }, true]
      ] as const
    )("%s: ambiguous is %s, and the cause is kept", (_, failure, ambiguous) => {
      const error = HttpEdge.connectionError("syncMObjects")(failure)
      expect(error).toMatchObject({
        _tag: "TransportError",
        reason: "Connection",
        operation: "syncMObjects",
        ambiguous
      })
      expect(error.cause).toBe(failure.cause)
    })

    it("quotes a bounded description without the secrets, never the failure itself", () => {
      const failure = {
        _tag: "RequestError",
        reason: "Transport",
        description: `${"d".repeat(10_000)} token=tok-123`,
        request: "the request"
      } as const
      const error = HttpEdge.connectionError("getMObjects", { secrets: ["tok-123"] })(failure)
      expect(error.message.length).toBeLessThan(max + 100)
      expect(error.message).not.toContain("the request")
      const short = HttpEdge.connectionError("x", { secrets: ["tok-123"] })({
        ...failure,
        description: "token=tok-123"
      })
      expect(short.message).toContain("token=<redacted>")
    })

    it("a failure of a request that was not a record request is never ambiguous", () => {
      const reset = { _tag: "RequestError", reason: "Transport", cause: new Error("socket hang up") } as const
      expect(HttpEdge.connectionError("identity", { sent: false })(reset).ambiguous).toBe(false)
      expect(HttpEdge.statusError("identity", 503, "busy", { sent: false }).ambiguous).toBe(false)
    })
  })

  it.prop(
    "a status error is ambiguous exactly for 5xx and 2xx (a 202 or 204 may have been applied), and quotes a bounded start of the body",
    [
      FastCheck.integer({ min: 100, max: 599 }),
      FastCheck.uint8Array({ maxLength: 5_000 })
    ],
    ([status, body]) => {
      const error = HttpEdge.statusError("deleteMObjects", status, body)
      expect(error.ambiguous).toBe(status >= 500 || (status >= 200 && status <= 299))
      expect(error.status).toBe(status)
      expect((error.excerpt ?? "").length).toBeLessThanOrEqual(max + 40)
    }
  )
})

describe("scrub", () => {
  it("removes a secret in every form a request carries it, whatever characters it has (a `~` included)", () => {
    // Framed by a character the text around it has not (in any of its forms), so that only the
    // secret can match.
    const secrets = FastCheck.string({ maxLength: 24 }).map((s) => `\u00a7${s}\u00a7`)
    FastCheck.assert(FastCheck.property(secrets, (secret) => {
      const forms = [
        secret,
        encodeURIComponent(secret),
        new URLSearchParams({ s: secret }).toString().slice(2),
        JSON.stringify(secret).slice(1, -1)
      ]
      for (const form of forms) {
        const scrubbed = HttpEdge.scrub(`echo [${form}] end`, [secret])
        expect(scrubbed).toBe("echo [<redacted>] end")
      }
      expect(HttpEdge.scrub(`echo [${secret}]`, [secret], "[gone]")).toBe("echo [[gone]]")
    }))
    // A secret with no other form than itself, and one whose form encoding differs (`~`).
    expect(HttpEdge.scrub("s=a%7Eb", ["a~b"])).toBe("s=<redacted>")
    expect(HttpEdge.scrub("sig 0a1b2c, 0a1b2c", ["0a1b2c"])).toBe("sig <redacted>, <redacted>")
  })
})

describe("makeTurns", () => {
  it.live("the first goes on at once, the others one per turn in order; one interrupted while waiting leaves the line", () =>
    Effect.gen(function*() {
      const turn = HttpEdge.makeTurns()
      const order: Array<string> = []
      const mark = (name: string) => Effect.zipRight(turn, Effect.sync(() => order.push(name)))
      const [a, b, c, d] = yield* Effect.forEach(["a", "b", "c", "d"], (name) => Effect.fork(mark(name)))
      yield* Effect.yieldNow()
      expect(order).toEqual(["a"])
      // Turns of the loop asked for now: the first comes after b's, the second after the next.
      setImmediate(() => {
        order.push("turn 1")
        setImmediate(() => order.push("turn 2"))
      })
      yield* Fiber.interrupt(c!)
      yield* Fiber.join(a!)
      yield* Fiber.join(b!)
      yield* Fiber.join(d!)
      // d has the turn after b's: c, interrupted, left the line and took no turn from anyone.
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      expect(order).toEqual(["a", "b", "turn 1", "d", "turn 2"])
    }))

  it.live("a host without setImmediate (a browser) gets no turns: calls go on as they come", () =>
    Effect.gen(function*() {
      const host = globalThis as { setImmediate?: typeof setImmediate | undefined }
      const saved = host.setImmediate
      // Gone only while the turns are made: they read the host once, then.
      delete host.setImmediate
      const turn = (() => {
        try {
          return HttpEdge.makeTurns()
        } finally {
          host.setImmediate = saved
        }
      })()
      const order: Array<string> = []
      setImmediate(() => order.push("turn"))
      yield* Effect.forEach(["a", "b", "c"], (name) => Effect.zipRight(turn, Effect.sync(() => order.push(name))), {
        concurrency: "unbounded"
      })
      expect(order).toEqual(["a", "b", "c"])
    }))
})

describe("exchangeSpan", () => {
  // What runs inside: the span current there, and whether `use` was handed a real span.
  const exchange = HttpEdge.exchangeSpan(
    "my.Transport.request",
    { "mktows.operation": "listMObjects" },
    (span) =>
      Effect.map(Effect.currentSpan, (current) => {
        span.attribute("http.response.status_code", 200)
        return { current: current.name, real: "spanId" in span }
      }).pipe(Effect.orDie)
  )

  it.effect("a tracer that keeps spans gets a leaf span with its attributes, closed with the exchange", () =>
    Effect.gen(function*() {
      const captured = yield* Capture.make
      const inside = yield* exchange.pipe(Effect.withSpan("call"), Effect.withTracer(captured.tracer))
      // A leaf: what runs inside still has the call's span as its current one.
      expect(inside).toEqual({ current: "call", real: true })
      const span = captured.spans.find((s) => s.name === "my.Transport.request")
      expect(span?.parent._tag === "Some" && span.parent.value.spanId).toBe(captured.spans[0]?.spanId)
      expect(Object.fromEntries(span?.attributes ?? [])).toEqual({
        "mktows.operation": "listMObjects",
        "http.response.status_code": 200
      })
      expect(span?.status._tag).toBe("Ended")
    }))

  it.effect("under Effect's own tracer no span is made: the exchange runs the same, with a span that records nothing", () =>
    Effect.gen(function*() {
      expect(yield* exchange.pipe(Effect.withSpan("call"))).toEqual({ current: "call", real: false })
    }))
})

describe("endpoint settings", () => {
  it("only http(s) URLs are endpoints", () => {
    expect(HttpEdge.httpUrl("https://123-ABC-456.mktorest.com/rest")?.host).toBe("123-abc-456.mktorest.com")
    for (const text of ["ftp://host/rest", "127.0.0.1:8080/rest", "not a url", ""]) {
      expect(HttpEdge.httpUrl(text)).toBeUndefined()
    }
  })

  it("an endpoint with white space anywhere is refused, and the refusal says so (the URL parser would drop it, the paths joined to it would not)", () => {
    for (const text of ["https://host/rest ", " https://host/rest", "https://host/re\tst", "https://host/rest\r\n"]) {
      expect(HttpEdge.httpUrl(text)).toBeUndefined()
      expect(HttpEdge.notHttpUrl(text)).toContain("with no white space in it")
    }
    expect(HttpEdge.notHttpUrl("ftp://u:pw@host/rest", "https://x/rest")).toBe(
      "expected an http(s) URL such as https://x/rest, got \"ftp://…@host/rest\""
    )
  })

  it("a URL is quoted without the user and password written into it, and otherwise as it is", () => {
    expect(HttpEdge.shownUrl("ftp://u:s3cr3t@host/rest")).toBe("ftp://…@host/rest")
    expect(HttpEdge.shownUrl("https://user@host/soap")).toBe("https://…@host/soap")
    // An @ in the path or query is no user: left alone.
    expect(HttpEdge.shownUrl("https://host/a@b?c=d@e")).toBe("https://host/a@b?c=d@e")
    expect(HttpEdge.shownUrl("host:8080/rest")).toBe("host:8080/rest")
  })
})
