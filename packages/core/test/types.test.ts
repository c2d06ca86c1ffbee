/**
 * What the client's signatures promise, checked by the type checker (`pnpm typecheck`): a
 * read of one type yields that type's model, and a batch that keeps its outcomes cannot fail
 * with PartialFailure. A `@ts-expect-error` below that stops being an error fails the check.
 * The calls are written inside functions that never run: only their types matter here.
 */
import { describe, expectTypeOf, it } from "@effect/vitest"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as MarketoClient from "../src/MarketoClient.js"
import type { CallError, PartialFailure, ValidationError } from "../src/MarketoError.js"
import type * as MObject from "../src/MObject.js"
import type { Opportunity } from "../src/Opportunity.js"
import type { OpportunityPersonRole } from "../src/OpportunityPersonRole.js"
import type { Outcome } from "../src/Outcome.js"
import type { Program } from "../src/Program.js"

type Failure<F> = F extends (...args: ReadonlyArray<never>) => Effect.Effect<infer _A, infer E, infer _R> ? E : never
type Yields<F> = F extends (...args: ReadonlyArray<never>) => Stream.Stream<infer A, infer _E, infer _R> ? A : never

declare const client: MarketoClient.MarketoClientShape
declare const objects: ReadonlyArray<MObject.MObject>
declare const refs: ReadonlyArray<MarketoClient.DeleteRef>
declare const someBoolean: boolean
declare const someType: MarketoClient.MObjectType

const _reads = {
  programs: () => client.getMObjects({ type: "Program" }),
  opportunities: () => MarketoClient.getMObjects({ type: "Opportunity", includeDetails: true }),
  rolePages: () => client.getMObjectsPages({ type: "OpportunityPersonRole" }),
  opportunityPages: () => MarketoClient.getMObjectsPages({ type: "Opportunity", streamPosition: "x" }),
  anyType: () => client.getMObjects({ type: someType })
}

const _refused = {
  notAnOpportunity: () => {
    const opportunities = (s: Stream.Stream<Opportunity, unknown>) => s
    // @ts-expect-error a read of Programs yields Programs, not Opportunities
    opportunities(client.getMObjects({ type: "Program" }))
  },
  // @ts-expect-error not a type the client _reads
  lead: () => client.getMObjects({ type: "Lead" })
}

const _batches = {
  syncKept: () => client.syncMObjects(objects, "UPSERT", { failOnPartial: false }),
  deleteKept: () => client.deleteMObjects(refs, { failOnPartial: false }),
  syncAccessorKept: () => MarketoClient.syncMObjects(objects, "INSERT", { failOnPartial: false }),
  deleteAccessorKept: () => MarketoClient.deleteMObjects(refs, { failOnPartial: false }),
  syncDefault: () => client.syncMObjects(objects, "UPSERT"),
  syncMaybe: () => MarketoClient.syncMObjects(objects, "UPSERT", { failOnPartial: someBoolean }),
  deleteFailing: () => client.deleteMObjects(refs, { failOnPartial: true })
}

describe("types", () => {
  it("getMObjects and getMObjectsPages yield the model of the type read", () => {
    expectTypeOf<Yields<typeof _reads.programs>>().toEqualTypeOf<Program>()
    expectTypeOf<Yields<typeof _reads.programs>["costs"]>().toEqualTypeOf<Program["costs"]>()
    expectTypeOf<Yields<typeof _reads.opportunities>>().toEqualTypeOf<Opportunity>()
    expectTypeOf<Yields<typeof _reads.rolePages>["objects"]>().toEqualTypeOf<ReadonlyArray<OpportunityPersonRole>>()
    expectTypeOf<Yields<typeof _reads.opportunityPages>["objects"]>().toEqualTypeOf<ReadonlyArray<Opportunity>>()
    // A type known only as the union _reads the union.
    expectTypeOf<Yields<typeof _reads.anyType>>().toEqualTypeOf<MObject.MObject>()
    // What is refused is in the @ts-expect-error lines of `_refused`, which tsc checks.
    expectTypeOf(_refused).toBeObject()
  })

  it("a batch that keeps its outcomes has no PartialFailure in its error type", () => {
    type Kept = ValidationError | CallError
    expectTypeOf<Failure<typeof _batches.syncKept>>().toEqualTypeOf<Kept>()
    expectTypeOf<Failure<typeof _batches.deleteKept>>().toEqualTypeOf<Kept>()
    expectTypeOf<Failure<typeof _batches.syncAccessorKept>>().toEqualTypeOf<Kept>()
    expectTypeOf<Failure<typeof _batches.deleteAccessorKept>>().toEqualTypeOf<Kept>()
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof _batches.syncKept>>>().toEqualTypeOf<
      ReadonlyArray<Outcome<MObject.MObject>>
    >()
    // By default, and whenever it may fail on problems, PartialFailure stays.
    expectTypeOf<Failure<typeof _batches.syncDefault>>().toEqualTypeOf<
      ValidationError | PartialFailure<MObject.MObject> | CallError
    >()
    expectTypeOf<Failure<typeof _batches.syncMaybe>>().toEqualTypeOf<
      ValidationError | PartialFailure<MObject.MObject> | CallError
    >()
    expectTypeOf<Failure<typeof _batches.deleteFailing>>().toEqualTypeOf<
      ValidationError | PartialFailure<MarketoClient.DeleteRef> | CallError
    >()
  })
})
