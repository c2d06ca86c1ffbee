/**
 * The checks run on a batch before anything is sent.
 *
 * Every check reads its input as unknown data, so a model built from plain JavaScript (or
 * cast past the type checker) is reported, never crashed on. All problems are collected.
 */
import * as Schema from "effect/Schema"
import * as Limits from "../Limits.js"
import type { ValidationIssue } from "../MarketoError.js"
import { Opportunity } from "../Opportunity.js"
import { OpportunityPersonRole } from "../OpportunityPersonRole.js"
import { Program } from "../Program.js"
import * as Wire from "../Wire.js"
import { firstInvalidIndex } from "../XmlText.js"
import * as FieldValues from "./fieldValues.js"
import * as Fields from "./mappingFields.js"
import * as Value from "./mappingValues.js"

type Path = ReadonlyArray<string | number>
type Report = (path: Path, message: string) => void
type Dict = { readonly [key: string]: unknown }

const isDict = (value: unknown): value is Dict =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)

const excerpt = (text: string): string => (text.length > 60 ? `${text.slice(0, 60)}…` : text)

const describe = (value: unknown): string => {
  if (value === undefined) return "nothing"
  if (value === null) return "null"
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid Date" : value.toISOString()
  if (typeof value === "string") return JSON.stringify(excerpt(value))
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  return Array.isArray(value) ? "an array" : typeof value
}

const isTimestamp = Schema.is(Wire.XsDateTime)

const codeAt = (text: string, index: number): string =>
  `U+${(text.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`

// The checks of one value answer the problem in words, or `undefined`: the path is built only
// for a problem, since these run for every field of every object sent.

const textProblem = (value: unknown, nonEmpty = false): string | undefined => {
  if (typeof value !== "string") return `expected text, got ${describe(value)}`
  if (nonEmpty && value.length === 0) return "expected non-empty text"
  const bad = firstInvalidIndex(value)
  return bad === undefined
    ? undefined
    : `expected text XML 1.0 can carry, but ${codeAt(value, bad)} at position ${bad} cannot be written`
}

const intProblem = (value: unknown): string | undefined => {
  if (typeof value !== "number" || !Number.isInteger(value)) return `expected an integer, got ${describe(value)}`
  return Value.isXsInt(value)
    ? undefined
    : `expected an integer within xs:int (${Limits.xsIntMin} to ${Limits.xsIntMax}), got ${value}`
}

const valueProblem = (kind: Fields.Kind, value: unknown): string | undefined => {
  switch (kind) {
    case "text":
      return textProblem(value)
    case "int":
      return intProblem(value)
    case "percent":
      return typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 100
        ? `expected an integer from 0 to 100, got ${describe(value)}`
        : undefined
    case "decimal":
      return typeof value !== "number" || !Number.isFinite(value)
        ? `expected a finite number, got ${describe(value)}`
        : undefined
    case "boolean":
      return typeof value !== "boolean" ? `expected true or false, got ${describe(value)}` : undefined
    case "date":
      return Value.isCalendarDate(value)
        ? undefined
        : `expected a date at UTC midnight in years 1 to 9999, e.g. new Date("2024-03-31") (in plain data also "2024-03-31"), got ${
          describe(value)
        }`
    case "datetime":
      return Value.isInstant(value)
        ? undefined
        : `expected a date-time in years 1 to 9999, e.g. new Date("2024-03-31T14:30:00Z") (in plain data also "2024-03-31T14:30:00Z" or "2024-03-31"), got ${
          describe(value)
        }`
  }
}

const checkText = (report: Report, path: Path, value: unknown, nonEmpty = false): void => {
  const problem = textProblem(value, nonEmpty)
  if (problem !== undefined) report(path, problem)
}

const checkInt = (report: Report, path: Path, value: unknown): void => {
  const problem = intProblem(value)
  if (problem !== undefined) report(path, problem)
}

const checkValue = (report: Report, path: Path, kind: Fields.Kind, value: unknown): void => {
  const problem = valueProblem(kind, value)
  if (problem !== undefined) report(path, problem)
}

// Own keys outside the model catch typos ("ammount") in plain-data input.
// A Set per record kind, made once: every own key of every object is looked up in one.
const unknownField = (known: ReadonlySet<string>): string => `unknown field (expected one of ${[...known].join(", ")})`

const checkKeys = (report: Report, path: Path, obj: Dict, known: ReadonlySet<string>): void => {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) report([...path, key], unknownField(known))
  }
}

/**
 * {@link checkKeys} of an instance of the model's own class by a `for…in` with an own-key test:
 * the same keys in the same order (the model's prototypes hold no enumerable key), without an
 * array per object, and the same walk `FieldValues` makes to read its fields. Anything else (a
 * subclass, plain data, a Proxy) by `Object.keys`, which never walks the prototype chain.
 */
const checkModelKeys = (report: Report, obj: Dict, known: ReadonlySet<string>, prototype: object): void => {
  if (Object.getPrototypeOf(obj) !== prototype) return checkKeys(report, [], obj, known)
  for (const key in obj) {
    if (!known.has(key) && Object.hasOwn(obj, key)) report([key], unknownField(known))
  }
}

const externalKeyKeys: ReadonlySet<string> = new Set(["name", "value"])
const associationKeys: ReadonlySet<string> = new Set(["id", "externalKey"])
const costKeys: ReadonlySet<string> = new Set(["month", "amount", "id", "note"])
const tagKeys: ReadonlySet<string> = new Set(["type", "value"])

const checkExternalKey = (report: Report, path: Path, value: unknown): void => {
  if (!isDict(value)) return report(path, `expected { name, value }, got ${describe(value)}`)
  checkKeys(report, path, value, externalKeyKeys)
  const name = textProblem(value["name"], true)
  if (name !== undefined) report([...path, "name"], name)
  const text = textProblem(value["value"])
  if (text !== undefined) report([...path, "value"], text)
}

const checkAssociation = (report: Report, path: Path, value: unknown): void => {
  if (!isDict(value)) return report(path, `expected { id } or { externalKey }, got ${describe(value)}`)
  const hasId = value["id"] !== undefined
  const hasKey = value["externalKey"] !== undefined
  if (hasId === hasKey) {
    return report(path, hasId ? "expected { id } or { externalKey }, not both" : "expected { id } or { externalKey }")
  }
  checkKeys(report, path, value, associationKeys)
  if (hasId) checkInt(report, [...path, "id"], value["id"])
  else checkExternalKey(report, [...path, "externalKey"], value["externalKey"])
}

const timestampKeys = ["createdAt", "updatedAt"] as const

const checkTimestamps = (report: Report, obj: Dict): void => {
  for (const key of timestampKeys) {
    const value = obj[key]
    if (value !== undefined && !(typeof value === "string" && isTimestamp(value))) {
      report([key], `expected an xs:dateTime such as 2024-03-31T12:00:00Z, got ${describe(value)}`)
    }
  }
}

const checkList = (
  report: Report,
  path: Path,
  value: unknown,
  check: (entry: unknown, path: Path) => void
): void => {
  if (value === undefined) return
  if (!Array.isArray(value)) return report(path, `expected an array, got ${describe(value)}`)
  // An index loop, not forEach: a sparse array's holes must be reported, not skipped.
  for (let i = 0; i < value.length; i++) {
    if (i in value) check(value[i], [...path, i])
    else report([...path, i], "expected an entry, got a hole of a sparse array")
  }
}

const checkCustomFields = (report: Report, value: unknown, standard: ReadonlyArray<Fields.StandardField<string>>) => {
  if (value === undefined) return
  if (!isDict(value)) {
    return report(["customFields"], `expected an object of field name to text, got ${describe(value)}`)
  }
  // Object.entries reads every value before anything is reported: one that throws (a getter, a
  // Proxy trap) leaves only the object's "could not be read".
  for (const [name, text] of Object.entries(value)) {
    const path = ["customFields", name]
    const clash = standard.find((field) => field.wire === name)
    if (clash !== undefined) report(path, `${name} is a standard field: set ${clash.key} instead`)
    if (name.length === 0) report(path, "expected a non-empty field name")
    checkText(report, path, name)
    checkText(report, path, text)
  }
}

const programKeys: ReadonlySet<string> = new Set([
  "_tag",
  "id",
  "costs",
  "tags",
  "tokens",
  "attributes",
  "createdAt",
  "updatedAt"
])

/** `undefined`: the operation is itself invalid (and reported), so checks that depend on it are skipped. */
type Operation = Wire.SyncOperation | undefined

const checkProgram = (report: Report, obj: Dict, operation: Operation): void => {
  if (operation !== undefined && operation !== "UPDATE") {
    report([], `a Program can only be synced with UPDATE (costs and tags of existing programs), not ${operation}`)
  }
  checkKeys(report, [], obj, programKeys)
  if (obj["id"] === undefined) report(["id"], "expected the program id: UPDATE keys on it")
  else checkInt(report, ["id"], obj["id"])
  checkTimestamps(report, obj)
  checkList(report, ["costs"], obj["costs"], (cost, path) => {
    if (!isDict(cost)) return report(path, `expected a cost { month, amount, id?, note? }, got ${describe(cost)}`)
    checkKeys(report, path, cost, costKeys)
    const month = cost["month"]
    if (month === undefined) report([...path, "month"], "expected a month YYYY-MM, got nothing (Month is required)")
    else if (typeof month !== "string" || !Value.monthPattern.test(month)) {
      report([...path, "month"], `expected a month YYYY-MM, got ${describe(month)}`)
    }
    const amount = cost["amount"]
    if (amount === undefined) report([...path, "amount"], "expected a finite number, got nothing (Amount is required)")
    else checkValue(report, [...path, "amount"], "decimal", amount)
    if (cost["id"] !== undefined) checkInt(report, [...path, "id"], cost["id"])
    if (cost["note"] !== undefined) checkText(report, [...path, "note"], cost["note"])
  })
  checkList(report, ["tags"], obj["tags"], (tag, path) => {
    if (!isDict(tag)) return report(path, `expected a tag { type, value }, got ${describe(tag)}`)
    checkKeys(report, path, tag, tagKeys)
    checkText(report, [...path, "type"], tag["type"], true)
    checkText(report, [...path, "value"], tag["value"], true)
  })
  const tokens = obj["tokens"]
  if (tokens !== undefined && !(Array.isArray(tokens) && tokens.length === 0)) {
    report(["tokens"], "expected no tokens: they are read-only, a synced Program carries only costs and tags")
  }
  const attributes = obj["attributes"]
  if (attributes !== undefined && !(isDict(attributes) && Object.keys(attributes).length === 0)) {
    report(["attributes"], "expected no attributes: they are read-only, a synced Program carries only costs and tags")
  }
}

const externalKeyPath: Path = ["externalKey"]

const checkKeyFor = (report: Report, obj: Dict, operation: Operation): void => {
  const id = obj["id"]
  if (id !== undefined) {
    const problem = intProblem(id)
    if (problem !== undefined) report(["id"], problem)
  }
  if (obj["externalKey"] !== undefined) checkExternalKey(report, externalKeyPath, obj["externalKey"])
  if (operation === "UPDATE" && obj["id"] === undefined && obj["externalKey"] === undefined) {
    report(["id"], "expected an id or an externalKey: UPDATE changes an existing object and keys on them")
  }
}

/**
 * What the visit of an object's standard fields found: their problems, by position in the table
 * (made only for a problem), and which of the watched fields hold a value.
 */
interface Visit {
  problems: Array<readonly [number, string]> | undefined
  readonly present: Array<boolean>
}

const nothingWatched: Array<boolean> = []

/**
 * What Opportunity and OpportunityPersonRole share: keys, timestamps, fields, associations. The
 * checker answers, for each of `watched` (field keys), whether the object holds a value there, as
 * the fields were read once for the checks (a getter is not asked twice).
 */
const entityChecker = <K extends string>(
  reader: FieldValues.Reader<K>,
  associations: ReadonlyArray<string>,
  watched: ReadonlyArray<K> = []
) => {
  const fields = reader.fields
  const known: ReadonlySet<string> = new Set([
    "_tag",
    "id",
    "externalKey",
    ...fields.map((field) => field.key),
    "customFields",
    ...associations,
    "createdAt",
    "updatedAt"
  ])
  // Each table position's place among the watched fields, if it is one.
  const watchAt: ReadonlyArray<number | undefined> = fields.map((field) => {
    const at = watched.indexOf(field.key)
    return at === -1 ? undefined : at
  })
  // A visitor made once per type: no closure or array per object. Its problems are kept by
  // position and reported in the table's order, whatever order the object holds its fields in.
  const checkField = (position: number, value: unknown, visit: Visit): void => {
    const at = watchAt[position]
    if (at !== undefined) visit.present[at] = true
    const problem = valueProblem((fields[position] as Fields.StandardField<K>).kind, value)
    if (problem !== undefined) (visit.problems ??= []).push([position, problem])
  }
  return (report: Report, obj: Dict, operation: Operation): ReadonlyArray<boolean> => {
    checkModelKeys(report, obj, known, reader.prototype)
    checkKeyFor(report, obj, operation)
    checkTimestamps(report, obj)
    // The fields are read as every sender reads them (FieldValues): a value they would send is
    // a value checked here. The path of a problem is made only for a problem.
    const visit: Visit = {
      problems: undefined,
      present: watched.length === 0 ? nothingWatched : watched.map(() => false)
    }
    FieldValues.forEachValue(reader, obj, checkField, visit)
    if (visit.problems !== undefined) {
      for (const [position, problem] of visit.problems.sort((a, b) => a[0] - b[0])) {
        report([(fields[position] as Fields.StandardField<K>).key], problem)
      }
    }
    checkCustomFields(report, obj["customFields"], fields)
    for (const name of associations) {
      if (obj[name] !== undefined) checkAssociation(report, [name], obj[name])
    }
    return visit.present
  }
}

const checkOpportunity = entityChecker(FieldValues.opportunity, ["company"])

// Whether a role's two ids are there is read as it is sent, in the one reading of its fields.
const checkRoleEntity = entityChecker(FieldValues.opportunityPersonRole, ["opportunity", "lead"], [
  "opportunityId",
  "personId"
])

const checkOpportunityPersonRole = (report: Report, obj: Dict, operation: Operation): void => {
  const [hasOpportunityId, hasPersonId] = checkRoleEntity(report, obj, operation)
  if (hasOpportunityId !== true && obj["opportunity"] === undefined) {
    report(["opportunityId"], "expected an opportunityId or an opportunity association")
  }
  if (hasPersonId !== true && obj["lead"] === undefined) {
    report(["personId"], "expected a personId or a lead association")
  }
}

/**
 * Runs `check`, turning an exception thrown while reading the input (a throwing getter, a
 * Proxy trap, a revoked Proxy) into a problem at `path`: input never escapes as a defect.
 */
export const guarded = (report: Report, path: Path, check: () => void): void => {
  try {
    check()
  } catch {
    // The thrown value is not described: reading it could throw again.
    report(path, unreadableInput)
  }
}

const unreadableInput = "could not be read: reading it threw (a getter or a Proxy trap)"

/**
 * Only a model is sent: its constructor supplies what plain data may lack (a Program's
 * `costs`, an Opportunity's `customFields`), and a value cast past the type checker must be
 * reported, not crashed on while it is written. Plain data goes through `Validation.decode`.
 */
const isModel = (value: unknown): boolean =>
  value instanceof Program || value instanceof Opportunity || value instanceof OpportunityPersonRole

/** What a value that is not a model is, in words: a plain object, an instance of a class, …. */
const kindOf = (value: unknown): string => {
  if (!isDict(value)) return describe(value)
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) {
    const tag = value["_tag"]
    return `a plain object${typeof tag === "string" ? ` with _tag ${describe(tag)}` : ""}`
  }
  const constructor: unknown = value["constructor"]
  return typeof constructor === "function" && constructor.name !== ""
    ? `an instance of ${excerpt(constructor.name)}`
    : "an instance of another class"
}

const notAModel = (value: unknown): string =>
  `expected a Program, Opportunity or OpportunityPersonRole made by its make (plain data: Validation.decode), got ${
    kindOf(value)
  }`

/**
 * Reports the problems of one object, with paths relative to it (guarded as {@link guarded}
 * guards, written out: this runs once per object, and creates no closure).
 */
const checkObject = (report: Report, obj: unknown, operation: Operation, models: boolean): void => {
  try {
    if (models && !isModel(obj)) return report([], notAModel(obj))
    if (!isDict(obj)) {
      return report([], `expected a Program, Opportunity or OpportunityPersonRole, got ${describe(obj)}`)
    }
    switch (obj["_tag"]) {
      case "Program":
        return checkProgram(report, obj, operation)
      case "Opportunity":
        checkOpportunity(report, obj, operation)
        return
      case "OpportunityPersonRole":
        return checkOpportunityPersonRole(report, obj, operation)
      default:
        report(["_tag"], `expected Program, Opportunity or OpportunityPersonRole, got ${describe(obj["_tag"])}`)
    }
  } catch {
    report([], unreadableInput)
  }
}

/** The problems of one object, with paths relative to it. */
export const objectIssues = (
  obj: unknown,
  operation: Operation
): ReadonlyArray<{ readonly path: Path; readonly message: string }> => {
  const found: Array<{ readonly path: Path; readonly message: string }> = []
  checkObject(
    (path, message) => {
      found.push({ path, message })
    },
    obj,
    operation,
    false
  )
  return found
}

/** The date and datetime fields of each type, by key: plain data gives them as text. */
const dateKeys: ReadonlyMap<unknown, ReadonlyArray<{ readonly key: string; readonly kind: Fields.Kind }>> = new Map(
  Object.entries({
    Opportunity: Fields.opportunityFields.filter((field) => field.kind === "date" || field.kind === "datetime"),
    OpportunityPersonRole: Fields.opportunityPersonRoleFields.filter((field) =>
      field.kind === "date" || field.kind === "datetime"
    )
  })
)

const dayPattern = /^\d{4}-\d{2}-\d{2}$/

// ISO 8601 as JSON.stringify writes a Date, or with an offset, or a plain day (midnight UTC).
const instantPattern = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/

/** A plain-data date or date-time text of a real instant, as the model holds it. */
const plainDate = (kind: Fields.Kind, value: string): Date | undefined =>
  kind === "datetime"
    ? instantPattern.test(value) ? Value.parseDateTime(value) : undefined
    : dayPattern.test(value)
    ? Value.parseDate(value)
    : undefined

/**
 * Plain data as the models hold it: JSON has no dates, so a date field given as exact
 * `YYYY-MM-DD` text of a real day becomes a `Date` at UTC midnight, and a datetime field given
 * as ISO 8601 text (`2024-03-31T14:30:00Z`, an offset, or a plain day) the instant it names. Anything else is left
 * as it is, for the checks to report. The input is not modified.
 */
/** {@link fromPlainData} over a list; anything that is not a readable array is left as it is, for the checks to report. */
export const fromPlainDataList = (input: unknown): unknown => {
  if (!Array.isArray(input)) return input
  try {
    return input.map(fromPlainData)
  } catch {
    return input
  }
}

export const fromPlainData = (obj: unknown): unknown => {
  if (!isDict(obj)) return obj
  // A Map, not a record lookup: `_tag` is untrusted and could be "constructor".
  const keys = dateKeys.get(obj["_tag"])
  if (keys === undefined) return obj
  let copy: { [key: string]: unknown } | undefined
  for (const { key, kind } of keys) {
    const value = obj[key]
    const date = typeof value === "string" ? plainDate(kind, value) : undefined
    if (date !== undefined) {
      copy ??= { ...obj }
      copy[key] = date
    }
  }
  return copy ?? obj
}

const isSyncOperation = Schema.is(Wire.SyncOperation)

/** The problem of a sync operation that is not INSERT, UPDATE or UPSERT, if it is not. */
export const operationIssues = (operation: unknown): ReadonlyArray<ValidationIssue> =>
  isSyncOperation(operation) ? [] : [{
    index: 0,
    argument: "operation",
    path: [],
    message: `expected INSERT, UPDATE or UPSERT, got ${describe(operation)}`
  }]

/**
 * Every problem of a list of items, each checked by `check` with paths relative to it;
 * the list itself may be anything (null, a sparse array, a Proxy).
 */
export const listIssues = (
  items: unknown,
  startIndex: number,
  check: (item: unknown) => ReadonlyArray<{ readonly path: Path; readonly message: string }>
): ReadonlyArray<ValidationIssue> => {
  const found: Array<ValidationIssue> = []
  guarded((path, message) => found.push({ index: startIndex, path, message }), [], () => {
    if (!Array.isArray(items)) {
      return found.push({
        index: startIndex,
        path: [],
        message: `expected an array of objects, got ${describe(items)}`
      })
    }
    for (let i = 0; i < items.length; i++) {
      const index = startIndex + i
      if (!(i in items)) {
        found.push({ index, path: [], message: "expected an object, got a hole of a sparse array" })
        continue
      }
      for (const issue of check(items[i])) found.push({ index, path: issue.path, message: issue.message })
    }
  })
  return found
}

/**
 * Every problem of a batch; with `models`, every object must be a model (see {@link isModel}),
 * without, it may be plain data (what `Validation.decode` checks before it builds the models).
 */
export const issues = (
  objects: unknown,
  operation: unknown,
  startIndex: number,
  models: boolean
): ReadonlyArray<ValidationIssue> => {
  const badOperation = operationIssues(operation)
  // With an operation that is none of the three, the object checks that depend on it
  // (Program only in UPDATE, keys for UPDATE) are left out: they would only add noise.
  const checkedAs = badOperation.length === 0 ? operation as Wire.SyncOperation : undefined
  // listIssues with objectIssues, written out with one report for the whole list that names
  // the object being checked: checking an object allocates no closure and no array of its
  // own (under a loader that names every function, as tsx does, a closure costs a property
  // definition too).
  const found: Array<ValidationIssue> = [...badOperation]
  let index = startIndex
  const report: Report = (path, message) => {
    found.push({ index, path, message })
  }
  try {
    if (!Array.isArray(objects)) {
      found.push({ index, path: [], message: `expected an array of objects, got ${describe(objects)}` })
      return found
    }
    for (let i = 0; i < objects.length; i++) {
      index = startIndex + i
      if (!(i in objects)) {
        found.push({ index, path: [], message: "expected an object, got a hole of a sparse array" })
        continue
      }
      checkObject(report, objects[i], checkedAs, models)
    }
  } catch {
    found.push({ index: startIndex, path: [], message: unreadableInput })
  }
  return found
}
