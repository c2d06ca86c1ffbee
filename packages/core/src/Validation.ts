/**
 * Checks a batch of MObjects before anything is sent, and reports every problem at once.
 *
 * The models accept any value of the right JavaScript type, so building one never fails;
 * this module says what Marketo would refuse or what could not be written: a Program
 * outside UPDATE, a cost without month or amount, a month not `YYYY-MM`, a non-finite
 * number, a tag without type or value, an UPDATE without id or external key, a role
 * without its opportunity or person, a probability outside 0–100, text XML 1.0 cannot
 * carry, an integer outside `xs:int`, a date not at UTC midnight, and unknown fields.
 *
 * Plain data works too: {@link decode} checks `{ _tag: "Program", id: 1970, costs: […] }`
 * style objects (e.g. parsed JSON) and builds the models from them. JSON has no dates, so
 * there a date field may also be `YYYY-MM-DD` text, e.g. `closeDate: "2024-06-30"`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Instances from "./internal/instances.js"
import * as Path from "./internal/path.js"
import * as internal from "./internal/validation.js"
import { ValidationError, type ValidationIssue } from "./MarketoError.js"
import type { MObject } from "./MObject.js"
import type { SyncOperation } from "./Wire.js"

/**
 * Writes a location the one way every mktows error does: names joined with `.`, indexes
 * in brackets, after an optional root, e.g. `formatPath(["costs", 0, "month"], "objects[3]")`
 * is `objects[3].costs[0].month`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatPath: (path: ReadonlyArray<PropertyKey>, root?: string) => string = Path.formatPath

/**
 * Every problem of a batch, in object order; empty when the batch can be sent. Pure.
 * `startIndex` is added to each reported index (for a chunk of a longer stream). Every
 * object must be a model, made by its `make` (or by {@link decode} from plain data):
 * anything else (a plain object, an instance of another class, null, a number) is a problem
 * at its place.
 *
 * @since 0.1.0
 * @category validation
 */
export const issues = (
  objects: ReadonlyArray<MObject>,
  operation: SyncOperation,
  startIndex: number = 0
): ReadonlyArray<ValidationIssue> => internal.issues(objects, operation, startIndex, true)

/**
 * Succeeds when the batch can be sent; fails with one `ValidationError` listing every problem.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (
  objects: ReadonlyArray<MObject>,
  operation: SyncOperation
): Effect.Effect<void, ValidationError> => {
  const found = internal.issues(objects, operation, 0, true)
  return found.length === 0 ? Effect.void : Effect.fail(new ValidationError({ issues: found }))
}

/**
 * Checks plain data (e.g. parsed JSON with a `_tag` per object) for `operation` and builds
 * the models from it; fails with one `ValidationError` listing every problem. A date field
 * may be a `Date` or `YYYY-MM-DD` text of a real day (read as UTC midnight).
 *
 * @since 0.1.0
 * @category validation
 */
export const decode = (
  input: ReadonlyArray<unknown>,
  operation: SyncOperation
): Effect.Effect<ReadonlyArray<MObject>, ValidationError> =>
  Effect.suspend(() => {
    const data = internal.fromPlainDataList(input)
    const found = internal.issues(data, operation, 0, false)
    if (found.length > 0) return Effect.fail(new ValidationError({ issues: found }))
    // Every object was checked field by field above, so the models are built without a
    // second validation pass (which would throw instead of report). Building reads the input
    // again; a getter that throws only now is still reported, not crashed on.
    return Effect.try({
      try: () => (data as ReadonlyArray<MObject>).map(build),
      catch: () =>
        new ValidationError({
          issues: [{ index: 0, path: [], message: "could not be read: reading it threw (a getter or a Proxy trap)" }]
        })
    })
  })

const build = (props: MObject): MObject => {
  switch (props._tag) {
    case "Program":
      return Instances.program(props)
    case "Opportunity":
      return Instances.opportunity(props)
    case "OpportunityPersonRole":
      return Instances.opportunityPersonRole(props)
  }
}
