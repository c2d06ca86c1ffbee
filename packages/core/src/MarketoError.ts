/**
 * The errors of mktows, as tagged data for the error channel.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as FaultCode from "./FaultCode.js"
import { formatPath } from "./internal/path.js"
import * as Limits from "./Limits.js"
import { isProblem, type Outcome } from "./Outcome.js"

/**
 * Server text as an error or an outcome carries it: at most `max` characters
 * (`Limits.maxQuotedChars`), and when cut, its original length noted, so a server's
 * megabyte message costs a report a kilobyte per object.
 *
 * @since 0.1.0
 * @category constructors
 */
export const quote = (text: string, max: number = Limits.maxQuotedChars): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters in all)`

/**
 * One problem found in the caller's input.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidationIssue {
  /** Position of the offending object in the input (0 when `argument` names another argument). */
  readonly index: number
  /** Where in the object (or argument), e.g. `["costs", 0, "month"]`. */
  readonly path: ReadonlyArray<string | number>
  /** What was expected. */
  readonly message: string
  /**
   * The argument at fault when it is not the list of objects: `"operation"` (of a sync),
   * `"params"` (of getMObjects), `"objectName"` (of describeMObject).
   */
  readonly argument?: string
}

/**
 * The input was rejected before any request was sent. Lists every problem of the batch.
 *
 * A stream (`syncStream`) checks its objects a chunk at a time: an invalid chunk ends it, after
 * the chunks before it were sent (their outcomes came first). `sentBefore` is then how many
 * objects those were; nothing from that position on was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Data.TaggedError("ValidationError")<{
  readonly issues: ReadonlyArray<ValidationIssue>
  readonly sentBefore?: number
}> {
  override get message(): string {
    const shown = this.issues.slice(0, 20).map((issue) => {
      const where = issue.argument === undefined
        ? formatPath([issue.index, ...issue.path], "objects")
        : formatPath(issue.path, issue.argument)
      return `${where}: ${issue.message}`
    })
    const more = this.issues.length > 20 ? [`… and ${this.issues.length - 20} more`] : []
    const sent = this.sentBefore === undefined || this.sentBefore === 0
      ? "nothing was sent"
      : `nothing from objects[${this.sentBefore}] on was sent (the ${this.sentBefore} before it were, and have their outcomes)`
    return `${this.issues.length} invalid input(s), ${sent}:\n  ${[...shown, ...more].join("\n  ")}`
  }
}

// A fault's text without the code it begins with ("20014 - Authentication failed"), for a
// message that says the code already. The text as received stays in `faultString`.
const withoutCode = (code: number, text: string): string => {
  const prefix = `${code} - `
  return text.startsWith(prefix) && text.length > prefix.length ? text.slice(prefix.length) : text
}

// A fault's detail without the code it ends with ("unknown criteria attribute 'x' (20114)",
// as Marketo's serviceException message has it), for the same message.
const withoutTrailingCode = (code: number, text: string): string => {
  const suffix = ` (${code})`
  return text.endsWith(suffix) && text.length > suffix.length ? text.slice(0, -suffix.length) : text
}

/**
 * Marketo refused the caller: 20013 (blocked), 20014 (bad credentials), or 20016 when
 * signing again with a fresh timestamp did not help (a clock far off).
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthFault extends Data.TaggedError("AuthFault")<{
  readonly code: number
  readonly faultString: string
  /**
   * What to check, when the transport knows better than SOAP's advice (the user id and
   * encryption key): REST names its LaunchPoint client id and secret and the API user's role.
   *
   * @since 0.1.0
   */
  readonly advice?: string
  /**
   * The refusal in the transport's own terms, when it is not SOAP's (`REST 601`, `identity HTTP
   * 401`): the message names it instead of the SOAP code whose handling it shares (`code`).
   *
   * @since 0.1.0
   */
  readonly refusal?: string
}> {
  override get message(): string {
    const hint = this.advice !== undefined
      ? this.advice
      : this.code === 20016
      ? "the request timestamp was rejected as expired even when freshly signed: check this machine's clock"
      : this.code === 20013
      ? "this client is blocked from API access"
      : "check the user id and encryption key (Admin > Integration > Web Services)"
    return `Marketo authentication failed (${this.refusal ?? this.code}): ${
      withoutCode(this.code, this.faultString)
    }; ${hint}`
  }
}

/**
 * A SOAP fault carrying a Marketo error code other than an authentication failure.
 *
 * @since 0.1.0
 * @category errors
 */
export class MarketoFault extends Data.TaggedError("MarketoFault")<{
  readonly code: number
  /** The SOAP `faultstring`, e.g. `20023 - Rate Limit Exceeded`. */
  readonly faultString: string
  /** The longer text of the fault detail, when there is one. */
  readonly detail?: string
  /** The operation that was called. */
  readonly operation?: string
  /**
   * What the code means, when the transport's own table says it and SOAP's does not: a REST
   * code (1003, 1006, …) means what Adobe's REST error-code table says, not "undocumented".
   *
   * @since 0.1.0
   */
  readonly meaning?: string
}> {
  /** Whether repeating the call (after re-signing or backing off) can succeed. */
  get retryable(): boolean {
    return FaultCode.isRetryable(this.code)
  }
  /** How a client may react to this code. */
  get retry(): FaultCode.RetryClass {
    return FaultCode.retryClass(this.code)
  }
  override get message(): string {
    const meaning = this.meaning ?? FaultCode.lookup(this.code)?.reason ?? "undocumented code"
    const op = this.operation === undefined ? "" : ` in ${this.operation}`
    const detail = this.detail === undefined ? "" : ` (${withoutTrailingCode(this.code, this.detail)})`
    // The code is said once: SOAP's texts begin with it ("20110 - Input error"), and REST's
    // with the table's meaning ("Invalid data: …"), which is then not said again.
    const text = withoutCode(this.code, this.faultString)
    const said = text.toLowerCase().startsWith(meaning.toLowerCase())
    return `Marketo fault ${this.code}${op}: ${text}${detail}${said ? "" : `: ${meaning}`}${
      this.retryable ? "; retryable" : ""
    }`
  }
}

/**
 * A fault as a transport saw it on the wire: Marketo's numeric code and texts.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultReport {
  readonly code: number
  readonly faultString: string
  readonly detail?: string | undefined
  readonly operation?: string | undefined
  /** What the code means, when SOAP's table does not say it (see `MarketoFault.meaning`). */
  readonly meaning?: string | undefined
}

/**
 * The one classification of Marketo's fault codes that every transport uses: 20013/20014
 * are `AuthFault`, every other code a `MarketoFault` (whose `retry` says how to react).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFault = (fault: FaultReport): AuthFault | MarketoFault =>
  FaultCode.authCodes.includes(fault.code)
    ? new AuthFault({ code: fault.code, faultString: fault.faultString })
    : new MarketoFault({
      code: fault.code,
      faultString: fault.faultString,
      ...(fault.detail === undefined ? {} : { detail: fault.detail }),
      ...(fault.operation === undefined ? {} : { operation: fault.operation }),
      ...(fault.meaning === undefined ? {} : { meaning: fault.meaning })
    })

/**
 * The error a fault ends a call with once no retry is left, by the same table as
 * {@link fromFault} (`FaultCode.documented`): 20015 becomes `QuotaExceeded`, resetting at the
 * next midnight US Central after `nowMillis`; 20016, which only re-signing can cure, becomes
 * `AuthFault` (the clock is off); every other fault is final as it is.
 *
 * @since 0.1.0
 * @category constructors
 */
export const finalFault = (
  fault: AuthFault | MarketoFault,
  nowMillis: number
): AuthFault | MarketoFault | QuotaExceeded => {
  switch (FaultCode.retryClass(fault.code)) {
    case "quota":
      return new QuotaExceeded({ faultString: fault.faultString, resetsAt: FaultCode.quotaResetAfter(nowMillis) })
    case "resign":
      return new AuthFault({ code: fault.code, faultString: fault.faultString })
    default:
      return fault
  }
}

/**
 * The daily call quota (20015) is spent; calls fail until it resets.
 *
 * @since 0.1.0
 * @category errors
 */
export class QuotaExceeded extends Data.TaggedError("QuotaExceeded")<{
  readonly faultString: string
  /** When the quota resets: midnight US Central time, as Marketo documents. */
  readonly resetsAt: Date
}> {
  override get message(): string {
    return `Marketo's daily API quota is spent (20015: ${
      withoutCode(20015, this.faultString)
    }); it resets at ${this.resetsAt.toISOString()}`
  }
}

/**
 * Some objects of a sync or delete FAILED (or are in doubt). Carries every outcome, the
 * successes too, so nothing is lost and the caller can re-drive just the failures.
 *
 * @since 0.1.0
 * @category errors
 */
export class PartialFailure<A = unknown> extends Data.TaggedError("PartialFailure")<{
  readonly outcomes: ReadonlyArray<Outcome<A>>
}> {
  /** The outcomes that FAILED or are in doubt. */
  get problems(): ReadonlyArray<Outcome<A>> {
    return this.outcomes.filter(isProblem)
  }
  override get message(): string {
    const problems = this.problems
    const first = problems.slice(0, 5).map((o) => `objects[${o.index}] ${o.status}${o.error ? `: ${o.error}` : ""}`)
    return `${problems.length} of ${this.outcomes.length} object(s) did not go through:\n  ${first.join("\n  ")}${
      problems.length > 5 ? `\n  … and ${problems.length - 5} more` : ""
    }`
  }
}

/**
 * The HTTP exchange failed: no connection, a dropped connection, or a status that is
 * neither success nor a SOAP fault.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly reason: "Connection" | "Status"
  readonly operation: string
  /** The HTTP status, for `Status`. */
  readonly status?: number
  /** The start of the response body, for `Status`. */
  readonly excerpt?: string
  /** What the HTTP client said, for `Connection`. */
  readonly description?: string
  /**
   * Whether the request may have reached Marketo: false only when it certainly did not
   * (the connection was refused), so that an INSERT is never repeated on a guess.
   */
  readonly ambiguous: boolean
  /**
   * What the HTTP client failed with, kept whole for diagnosis; the message quotes only
   * its start. Never a request body (bodies carry the signature).
   *
   * @since 0.1.0
   */
  readonly cause?: unknown
}> {
  override get message(): string {
    // A Status without an HTTP status is an answer of the protocol's own (REST 604, 611, … in
    // an HTTP 200): said as the endpoint's answer, not as "HTTP ?".
    return this.reason === "Status"
      ? this.status === undefined
        ? `${this.operation}: the endpoint answered ${this.excerpt ?? "an error"}`
        : `${this.operation}: HTTP ${this.status} from the endpoint: ${this.excerpt ?? ""}`
      // A connection lost after the request may have gone out is no "could not reach".
      : this.ambiguous
      ? `${this.operation}: the connection to the endpoint failed: ${this.description ?? "connection failed"}`
      : `${this.operation}: could not reach the endpoint: ${this.description ?? "connection failed"}`
  }
}

/**
 * A call took longer than its timeout. The request may or may not have been applied, unless
 * `ambiguous` is false: the time ran out before the request was sent (a REST access token that
 * did not come in time, or the caller's `MarketoClient.withOnSend`), so nothing was applied.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Data.TaggedError("TimeoutError")<{
  readonly operation: string
  readonly timeout: Duration.Duration
  /** False when nothing was sent before the time ran out (absent: it may have been). */
  readonly ambiguous?: boolean
}> {
  override get message(): string {
    return this.ambiguous === false
      ? `${this.operation}: not sent within ${
        Duration.format(this.timeout)
      } (what comes before a request, such as a REST access token, a describe or a place in the rate window, took longer); nothing that was not answered was applied`
      : `${this.operation}: no answer within ${Duration.format(this.timeout)}`
  }
}

/**
 * Why an answer (or, in the emulator, a request) was not what the protocol allows:
 * - `NotXml`: not well-formed XML, or not a SOAP envelope;
 * - `Forbidden`: a construct refused for safety (DOCTYPE, entities, processing instructions);
 * - `TooLarge`: more bytes, elements, attributes or text than the operation can carry;
 * - `InvalidEncoding`: bytes that are not valid in the declared encoding (e.g. bad UTF-8);
 * - `WrongElement`: an element the operation does not have, or a required one missing;
 * - `SchemaMismatch`: a value the WSDL's type does not allow;
 * - `ModelMapping`: a well-formed record that cannot become a model object;
 * - `CountMismatch`: a different number of statuses than objects sent;
 * - `IdentityMismatch`: a status that cannot be the object's at its position (another id, not
 *   one Marketo created it under; another external key);
 * - `PositionCycle`: a stream position that does not move forward (repeated or cycling).
 *
 * @since 0.1.0
 * @category models
 */
export type ProtocolErrorReason =
  | "NotXml"
  | "Forbidden"
  | "TooLarge"
  | "InvalidEncoding"
  | "WrongElement"
  | "SchemaMismatch"
  | "ModelMapping"
  | "CountMismatch"
  | "IdentityMismatch"
  | "PositionCycle"

/**
 * A response (or, in the emulator, a request) that is not what the protocol (SOAP or REST)
 * allows.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProtocolError extends Data.TaggedError("ProtocolError")<{
  readonly reason: ProtocolErrorReason
  /** What was wrong and where. */
  readonly detail: string
  /** The start of what was received. */
  readonly received: string
}> {
  override get message(): string {
    return `Not the expected answer (${this.reason}): ${this.detail}; received: ${this.received}`
  }
}

/**
 * Every error a call to Marketo can end in, once the request is valid.
 *
 * @since 0.1.0
 * @category models
 */
export type CallError = AuthFault | MarketoFault | QuotaExceeded | TransportError | TimeoutError | ProtocolError

/**
 * The errors a single transport call can end in.
 *
 * @since 0.1.0
 * @category models
 */
export type TransportCallError = AuthFault | MarketoFault | TransportError | TimeoutError | ProtocolError

/**
 * Whether a failed call may have been applied by Marketo without an answer saying so: a
 * timeout, a connection lost after the request went out, or Marketo's internal errors
 * (10001, 20011: nothing documents that such a call was not applied). The objects of such a
 * call are repeated only where repeating is harmless; otherwise they are `IN_DOUBT`. The one
 * rule the client's retries, its outcomes and the command line's journal all follow.
 *
 * @since 0.1.0
 * @category guards
 */
export const isAmbiguous = (error: CallError): error is TransportError | TimeoutError | MarketoFault =>
  (error._tag === "TimeoutError" && error.ambiguous !== false) ||
  (error._tag === "TransportError" && error.ambiguous) ||
  (error._tag === "MarketoFault" && FaultCode.retryClass(error.code) === "bounded")

/**
 * Whether every later call would fail the same way (refused credentials, a spent daily
 * quota), so a batch stops instead of sending the rest.
 *
 * @since 0.1.0
 * @category guards
 */
export const isFatal = (error: CallError): error is AuthFault | QuotaExceeded =>
  error._tag === "AuthFault" || error._tag === "QuotaExceeded"
