/**
 * The checks of MarketoClient's arguments other than the synced objects (those are
 * `internal/validation.ts`): the refs of deleteMObjects, the params of getMObjects, the name
 * of describeMObject. Each turns what the caller passed, read as unknown data, into what the
 * wire carries, or into a `ValidationError` naming the argument and the path; nothing is
 * sent unless every part is valid.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Limits from "../Limits.js"
import type { DeleteRef, GetParams } from "../MarketoClient.js"
import { ValidationError, type ValidationIssue } from "../MarketoError.js"
import * as Wire from "../Wire.js"
import { XmlString } from "../XmlText.js"
import { optional } from "./modelFields.js"
import { formatPath } from "./path.js"
import * as Validation from "./validation.js"

type Path = ReadonlyArray<string | number>

/** A Marketo id: an `xs:int` from 1 up (0 and below name no object). */
const MarketoId = Wire.XsInt.pipe(Schema.greaterThanOrEqualTo(1, { message: () => "expected a Marketo id from 1" }))

/** The caller's getMObjects params, checked against the WSDL's records they become. */
const GetParamsSchema = Schema.Struct({
  type: Schema.Literal("Program", "Opportunity", "OpportunityPersonRole"),
  id: optional(MarketoId),
  externalKey: optional(Wire.Attrib),
  criteria: optional(Schema.Array(Wire.MObjCriteria)),
  associations: optional(Schema.Array(Wire.MObjAssociation)),
  includeDetails: optional(Schema.Boolean),
  streamPosition: optional(XmlString)
})

const ObjectName = XmlString.pipe(Schema.minLength(1, { message: () => "expected a non-empty object name" }))

const unreadable = "could not be read: reading it threw (a getter or a Proxy trap)"

const literalMismatch = /^Expected (.+), actual (.+)$/

/** `Expected "EQ", actual "XX"` and `Expected "NE", actual "XX"` read as `Expected "EQ" | "NE", actual "XX"`. */
const joinAlternatives = (messages: ReadonlyArray<string>): string => {
  const matches = messages.map((message) => literalMismatch.exec(message))
  const actual = matches[0]?.[2]
  return messages.length > 1 && matches.every((m) => m !== null && m[2] === actual)
    ? `Expected ${matches.map((m) => m?.[1]).join(" | ")}, actual ${actual}`
    : messages.join("; or ")
}

/**
 * Decodes `input` with `schema`, every problem as an issue of `argument`. Schema reads the
 * input's properties, which may throw (a getter, a Proxy): that is an issue too.
 */
const decodeArgument = <A, I>(
  schema: Schema.Schema<A, I>,
  argument: string,
  input: unknown
): Either.Either<A, ValidationError> => {
  const fail = (issues: ReadonlyArray<ValidationIssue>) => Either.left(new ValidationError({ issues }))
  try {
    return Either.match(
      Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(input),
      {
        onRight: Either.right,
        onLeft: (error) => {
          // One issue per location: a union reports each of its members at the same path.
          const byPath = new Map<string, { path: Path; messages: Array<string> }>()
          for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
            const path = issue.path.map((key) => typeof key === "number" ? key : String(key))
            const key = formatPath(path)
            const entry = byPath.get(key) ?? { path, messages: [] }
            if (!entry.messages.includes(issue.message)) entry.messages.push(issue.message)
            byPath.set(key, entry)
          }
          return fail([...byPath.values()].map(({ messages, path }) => ({
            index: 0,
            argument,
            path,
            message: joinAlternatives(messages)
          })))
        }
      }
    )
  } catch {
    return fail([{ index: 0, argument, path: [], message: unreadable }])
  }
}

/** What getMObjects sends, apart from the position it starts at. */
export interface GetRequest {
  readonly params: Omit<Wire.ParamsGetMObjects, "streamPosition">
  readonly streamPosition: string | undefined
}

/** The params of getMObjects as the wire carries them, or what is wrong with them. */
export const getRequest = (params: GetParams): Either.Either<GetRequest, ValidationError> =>
  Either.map(decodeArgument(GetParamsSchema, "params", params), (p) => ({
    params: {
      type: p.type,
      ...(p.id !== undefined ? { id: p.id } : {}),
      ...(p.externalKey !== undefined ? { externalKey: p.externalKey } : {}),
      ...(p.criteria !== undefined ? { mObjCriteriaList: p.criteria } : {}),
      ...(p.associations !== undefined ? { mObjAssociationList: p.associations } : {}),
      ...(p.includeDetails !== undefined ? { includeDetails: p.includeDetails } : {})
    },
    streamPosition: p.streamPosition
  }))

/** The params of describeMObject, or what is wrong with the name. */
export const describeRequest = (objectName: string): Either.Either<Wire.ParamsDescribeMObject, ValidationError> =>
  Either.map(decodeArgument(ObjectName, "objectName", objectName), (name) => ({ objectName: name }))

/** The sync operation, when it is not INSERT, UPDATE or UPSERT. */
export const operationError = (operation: Wire.SyncOperation): ValidationError | undefined => {
  const issues = Validation.operationIssues(operation)
  return issues.length === 0 ? undefined : new ValidationError({ issues })
}

const deletable = ["Opportunity", "OpportunityPersonRole"]

const refIssues = (ref: unknown): ReadonlyArray<{ readonly path: Path; readonly message: string }> => {
  if (typeof ref !== "object" || ref === null || Array.isArray(ref)) {
    return [{ path: [], message: `expected { type, id }, got ${ref === null ? "null" : typeof ref}` }]
  }
  const { id, type } = ref as { readonly type?: unknown; readonly id?: unknown }
  return [
    ...(typeof type === "string" && deletable.includes(type)
      ? []
      : [{ path: ["type"], message: "only Opportunity and OpportunityPersonRole can be deleted" }]),
    ...(typeof id === "number" && Number.isInteger(id) && id >= 1 && id <= Limits.xsIntMax
      ? []
      : [{ path: ["id"], message: `expected a Marketo id: an integer from 1 to ${Limits.xsIntMax}` }])
  ]
}

/** Every problem of the refs of deleteMObjects, indexes counted from `startIndex`. */
export const deleteIssues = (refs: ReadonlyArray<DeleteRef>, startIndex: number): ReadonlyArray<ValidationIssue> =>
  Validation.listIssues(refs, startIndex, (ref) => {
    const found: Array<{ readonly path: Path; readonly message: string }> = []
    Validation.guarded((path, message) => found.push({ path, message }), [], () => found.push(...refIssues(ref)))
    return found
  })
