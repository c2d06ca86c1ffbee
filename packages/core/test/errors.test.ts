import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as FaultCode from "../src/FaultCode.js"
import * as MarketoError from "../src/MarketoError.js"

describe("FaultCode", () => {
  it("classifies every documented code", () => {
    const codes = FaultCode.documented.map((info) => info.code)
    expect(new Set(codes).size).toBe(codes.length)
    expect(FaultCode.retryClass(20016)).toBe("resign")
    expect(FaultCode.retryClass(20023)).toBe("backoff")
    expect(FaultCode.retryClass(20024)).toBe("backoff")
    expect(FaultCode.retryClass(10001)).toBe("bounded")
    expect(FaultCode.retryClass(20011)).toBe("bounded")
    expect(FaultCode.retryClass(20015)).toBe("quota")
    for (const code of [20012, 20013, 20014, 20017, 20019, 20109, 20110, 20114, 20122, 20123, 99999]) {
      expect(FaultCode.isRetryable(code)).toBe(false)
    }
  })
})

describe("MarketoError", () => {
  it("a fault says its code, meaning and whether it is retryable", () => {
    for (const info of FaultCode.documented) {
      const fault = new MarketoError.MarketoFault({ code: info.code, faultString: `${info.code} - ${info.name}` })
      expect(fault.message).toContain(String(info.code))
      expect(fault.message).toContain(info.reason)
      expect(fault.retryable).toBe(FaultCode.isRetryable(info.code))
      expect(fault.message.includes("retryable")).toBe(fault.retryable)
    }
    expect(new MarketoError.MarketoFault({ code: 4242, faultString: "4242 - odd" }).message).toContain("undocumented")
  })

  it("a fault whose transport knows the code's meaning says it, once, and never 'undocumented'", () => {
    const fault = MarketoError.fromFault({
      code: 1003,
      faultString: "filterType 'stage' is not searchable",
      detail: "REST",
      operation: "getMObjects",
      meaning: "Invalid data"
    })
    expect(fault.message).toBe(
      "Marketo fault 1003 in getMObjects: filterType 'stage' is not searchable (REST): Invalid data"
    )
    // A server text that begins with the meaning does not hear it twice.
    const echoed = new MarketoError.MarketoFault({
      code: 1003,
      faultString: "Invalid data: filterType 'stage' is not searchable",
      meaning: "Invalid data"
    })
    expect(echoed.message).toBe("Marketo fault 1003: Invalid data: filterType 'stage' is not searchable")
  })

  it("a SOAP fault's message says its code once, its text as received kept in faultString", () => {
    const fault = MarketoError.fromFault({
      code: 20110,
      faultString: "20110 - Input error",
      detail: "no such MObject type 'Program'",
      operation: "describeMObject"
    })
    expect(fault.message).toBe(
      "Marketo fault 20110 in describeMObject: Input error (no such MObject type 'Program'): a parameter value is bad"
    )
    expect(fault.message.match(/20110/g)).toHaveLength(1)
    expect(fault.faultString).toBe("20110 - Input error")
    // Marketo's serviceException message ends with the code too: said once, kept in `detail`.
    const criteria = MarketoError.fromFault({
      code: 20114,
      faultString: "20114 - Bad Parameter",
      detail: "unknown criteria attribute 'x' for Opportunity (20114)",
      operation: "getMObjects"
    })
    expect(criteria.message).toBe(
      "Marketo fault 20114 in getMObjects: Bad Parameter (unknown criteria attribute 'x' for Opportunity): a parameter value is bad"
    )
    expect(criteria._tag === "MarketoFault" && criteria.detail).toBe(
      "unknown criteria attribute 'x' for Opportunity (20114)"
    )
    const auth = MarketoError.fromFault({ code: 20014, faultString: "20014 - Authentication failed" })
    expect(auth.message.match(/20014/g)).toHaveLength(1)
    expect(auth.message).toContain("Marketo authentication failed (20014): Authentication failed;")
    // A text that is only the code, or another code, is kept whole.
    expect(new MarketoError.MarketoFault({ code: 20023, faultString: "20023 - " }).message).toContain("20023 - ")
    expect(new MarketoError.MarketoFault({ code: 20023, faultString: "20024 - x" }).message).toContain("20024 - x")
  })

  it("a validation error lists every issue with its place", () => {
    const error = new MarketoError.ValidationError({
      issues: [
        { index: 0, path: ["costs", 1, "month"], message: "expected YYYY-MM, got \"June\"" },
        { index: 7, path: [], message: "a Program can only be synced with UPDATE" }
      ]
    })
    expect(error.message).toContain("objects[0].costs[1].month: expected YYYY-MM")
    expect(error.message).toContain("objects[7]: a Program can only be synced with UPDATE")
    expect(error.message).toMatch(/^2 invalid/)
  })

  it("a partial failure counts the problems and keeps every outcome", () => {
    const error = new MarketoError.PartialFailure({
      outcomes: [
        { index: 0, input: "a", status: "CREATED", id: 1 },
        { index: 1, input: "b", status: "FAILED", id: 0, error: "Field 'X' not found" },
        { index: 2, input: "c", status: "IN_DOUBT", error: "no answer" }
      ]
    })
    expect(error.outcomes).toHaveLength(3)
    expect(error.problems.map((o) => o.index)).toEqual([1, 2])
    expect(error.message).toContain("2 of 3")
    expect(error.message).toContain("Field 'X' not found")
  })

  it("transport, timeout, quota and protocol errors say what happened", () => {
    expect(
      new MarketoError.TransportError({
        reason: "Status",
        operation: "syncMObjects",
        status: 502,
        excerpt: "<html>Bad Gateway",
        ambiguous: true
      }).message
    ).toContain("HTTP 502")
    // Refused: never reached. Lost after sending: it may have, so not "could not reach".
    const connection = (ambiguous: boolean) =>
      new MarketoError.TransportError({ reason: "Connection", operation: "sync", description: "ECONNRESET", ambiguous })
        .message
    expect(connection(false)).toBe("sync: could not reach the endpoint: ECONNRESET")
    expect(connection(true)).toBe("sync: the connection to the endpoint failed: ECONNRESET")
    expect(new MarketoError.TimeoutError({ operation: "getMObjects", timeout: Duration.seconds(30) }).message)
      .toContain("30s")
    expect(
      new MarketoError.QuotaExceeded({ faultString: "x", resetsAt: new Date("2026-11-29T06:00:00Z") }).message
    ).toContain("2026-11-29T06:00:00.000Z")
    // The code once: SOAP's fault text begins with it.
    expect(
      new MarketoError.QuotaExceeded({
        faultString: "20015 - Request Limit Exceeded",
        resetsAt: new Date("2026-11-29T06:00:00Z")
      }).message
    ).toContain("(20015: Request Limit Exceeded)")
    expect(new MarketoError.ProtocolError({ reason: "NotXml", detail: "no root", received: "<html>" }).message)
      .toContain("<html>")
    expect(new MarketoError.AuthFault({ code: 20014, faultString: "20014 - Authentication failed" }).message)
      .toContain("encryption key")
  })

  it("finalFault: the error a fault ends a call with, by the same table as fromFault", () => {
    const now = Date.parse("2026-01-15T03:00:00Z")
    for (const info of FaultCode.documented) {
      const fault = MarketoError.fromFault({ code: info.code, faultString: `${info.code} - ${info.name}` })
      const final = MarketoError.finalFault(fault, now)
      if (info.code === 20015) {
        expect(final).toBeInstanceOf(MarketoError.QuotaExceeded)
        expect(final._tag === "QuotaExceeded" && final.resetsAt.toISOString()).toBe("2026-01-15T06:00:00.000Z")
      } else if (info.code === 20016 || FaultCode.authCodes.includes(info.code)) {
        expect(final).toMatchObject({ _tag: "AuthFault", code: info.code })
      } else {
        expect(final).toBe(fault)
      }
    }
  })

  it("a TransportError keeps its cause whole, and its message short", () => {
    const cause = new TypeError("fetch failed", { cause: Object.assign(new Error("x".repeat(5000)), { code: "E" }) })
    const error = new MarketoError.TransportError({
      reason: "Connection",
      operation: "listMObjects",
      description: "fetch failed",
      ambiguous: true,
      cause
    })
    expect(error.cause).toBe(cause)
    expect(error.message.length).toBeLessThan(200)
  })
})
