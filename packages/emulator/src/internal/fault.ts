/**
 * A fault the emulator answers with: a documented Marketo code and the longer message that
 * goes in the fault detail.
 */
import * as FaultCode from "@mktows/core/FaultCode"
import * as Data from "effect/Data"

/** @internal */
export class EmulatorFault extends Data.TaggedError("EmulatorFault")<{
  readonly code: number
  /** The long text of the fault detail, e.g. `Stream position is bad`. */
  readonly detail: string
}> {
  /** The short name of the code, as in the fault string `20122 - Bad Stream Position`. */
  get text(): string {
    return FaultCode.lookup(this.code)?.name ?? "Error"
  }
  override get message(): string {
    return `${this.code} - ${this.text}: ${this.detail}`
  }
}

/** @internal */
export const fault = (code: number, detail: string): EmulatorFault => new EmulatorFault({ code, detail })
