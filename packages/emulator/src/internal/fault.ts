/**
 * A fault the emulator answers with: a documented Marketo code, the short text of the fault
 * string (`20110 - Input error`) and the longer message that goes in the fault detail.
 *
 * The short texts are Marketo's own where public evidence shows them (the documented
 * `20014 - Authentication failed` fault; `20110 - Input error` reported from a live
 * instance in a client library's issue; `20103 - Lead not found` and `20105 - Unknown lead
 * field` in client libraries' fixtures); the other codes use the name of Marketo's error
 * code table, as `FaultCode.lookup` gives it.
 */
import * as FaultCode from "@mktows/core/FaultCode"
import * as Data from "effect/Data"

const observedTexts: ReadonlyMap<number, string> = new Map([
  [20014, "Authentication failed"],
  [20103, "Lead not found"],
  [20105, "Unknown lead field"],
  [20110, "Input error"]
])

/**
 * The short text of a code's fault string.
 *
 * @internal
 */
export const faultText = (code: number): string =>
  observedTexts.get(code) ?? FaultCode.lookup(code)?.name ?? "Internal Error"

/** @internal */
export class EmulatorFault extends Data.TaggedError("EmulatorFault")<{
  readonly code: number
  /** The long text of the fault detail, e.g. `Stream position is bad`. */
  readonly detail: string
}> {
  /** The short text, as in the fault string `20122 - Bad Stream Position`. */
  get text(): string {
    return faultText(this.code)
  }
  override get message(): string {
    return `${this.code} - ${this.text}: ${this.detail}`
  }
}

/** @internal */
export const fault = (code: number, detail: string): EmulatorFault => new EmulatorFault({ code, detail })
