/**
 * What a call asks that REST cannot express faithfully, as validation issues: the client
 * refuses it before anything is sent. Reads are planned (and refused) by `query.ts`.
 *
 * @internal
 */
import * as Keys from "@mktows/core/Keys"
import * as Limits from "@mktows/core/Limits"
import { deleteRefToWire } from "@mktows/core/MarketoClient"
import type { ValidationIssue } from "@mktows/core/MarketoError"
import * as MarketoTransport from "@mktows/core/MarketoTransport"
import type * as MObject from "@mktows/core/MObject"
import type { Opportunity } from "@mktows/core/Opportunity"
import type { OpportunityPersonRole } from "@mktows/core/OpportunityPersonRole"
import * as StandardFields from "@mktows/core/StandardFields"
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { FieldMapping } from "../RestMapping.js"
import * as CustomFields from "./customFields.js"
import {
  association,
  companyKey,
  guidKey,
  opportunityBySoap,
  opportunityKey,
  opportunityRestNames,
  reserved,
  roleBySoap,
  roleRestNames
} from "./fields.js"
import * as Query from "./query.js"

type Issue = ValidationIssue

const issue = (index: number, path: ReadonlyArray<string | number>, message: string): Issue => ({
  index,
  path,
  message
})

/**
 * The fields of an object as refusals read them, from a wire record or straight from a
 * model (whose wire record is never made): its key, its links as the wire's associations
 * name them, and its attrib names in the order the wire writes them.
 */
interface Subject {
  readonly id?: number | undefined
  readonly externalKey?: Wire.Attrib | undefined
  readonly link: (type: "Company" | "Opportunity" | "Lead") => Link | undefined
  readonly names: ReadonlyArray<string>
  /**
   * Where each name is in the object, as an issue names it: a model's field (`opportunityId`,
   * `customFields.X`); a wire record's `attribList[i].name` when absent.
   */
  readonly places?: ReadonlyArray<ReadonlyArray<string>>
}

interface Link {
  readonly id?: number | undefined
  readonly externalKey?: Wire.Attrib | undefined
}

const wireSubject = (o: Wire.MObject): Subject => ({
  id: o.id,
  externalKey: o.externalKey,
  link: (type) => association(o, type),
  names: (o.attribList ?? []).map((a) => a.name)
})

/** An association as toWire links it: by id when it has one. */
const linkOf = (a: Keys.Association | undefined): Link | undefined =>
  a === undefined ? undefined : Keys.isById(a) ? { id: a.id } : { externalKey: a.externalKey }

/**
 * The names of a model's attribs as toWire writes them: standard fields in table order (read
 * as the checks and the senders read them), then custom.
 */
const namesOf = <K extends string>(
  table: ReadonlyArray<StandardFields.StandardField<K>>,
  model: Opportunity | OpportunityPersonRole,
  custom: { readonly [name: string]: string }
): Pick<Subject, "names" | "places"> => {
  const names: Array<string> = []
  const places: Array<ReadonlyArray<string>> = []
  const values = MarketoTransport.standardValues(model)
  for (let i = 0; i < table.length; i++) {
    if (values[i] !== undefined) {
      const field = table[i] as StandardFields.StandardField<K>
      names.push(field.wire)
      places.push([field.key])
    }
  }
  for (const name of Object.keys(custom)) {
    names.push(name)
    places.push(["customFields", name])
  }
  return { names, places }
}

const noNames: Pick<Subject, "names" | "places"> = { names: [] }

const customIssues = (
  index: number,
  names: ReadonlyArray<string>,
  places: ReadonlyArray<ReadonlyArray<string>> | undefined,
  fields: ReadonlyMap<string, FieldMapping>,
  standardRest: ReadonlySet<string>,
  refused: ReadonlyArray<string>
): Array<Issue> => {
  const soap = fields
  const issues: Array<Issue> = []
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string
    const lower = name.toLowerCase()
    if (refused.includes(name)) {
      issues.push(issue(index, places?.[i] ?? ["attribList", i, "name"], refusedAttrib(name)))
    } else if (!soap.has(name) && (reserved.has(lower) || standardRest.has(lower))) {
      issues.push(
        issue(
          index,
          ["customFields", name],
          `REST names a standard or key field '${name}': a custom field of that name would mean something else`
        )
      )
    }
  }
  return issues
}

const refusedAttrib = (name: string): string =>
  name === "OpportunityId"
    ? "REST links a role to its opportunity by externalOpportunityId, not by an integer id: give the opportunity association as externalKey externalOpportunityId"
    : `${name} cannot be sent over REST`

const keyIssues = (
  index: number,
  type: string,
  o: Link,
  sync: Wire.SyncOperation | "DELETE",
  dedupe: string
): Array<Issue> => {
  const issues: Array<Issue> = []
  if (o.id !== undefined) {
    issues.push(
      issue(
        index,
        ["id"],
        `REST has no integer ids for ${type}: name it by externalKey ${dedupe === "" ? "" : `${dedupe} or `}marketoGUID`
      )
    )
  }
  const key = o.externalKey
  if (key !== undefined) {
    if (key.name === guidKey) {
      if (sync === "INSERT" || sync === "UPSERT") {
        issues.push(
          issue(
            index,
            ["externalKey"],
            `marketoGUID names an existing record: REST accepts it for UPDATE only, not ${sync}`
          )
        )
      }
    } else if (dedupe === "" || key.name !== dedupe) {
      issues.push(
        issue(
          index,
          ["externalKey", "name"],
          `REST identifies ${type} by ${dedupe === "" ? "" : `${dedupe} or `}marketoGUID, not by '${key.name}'`
        )
      )
    }
  }
  return issues
}

const opportunityIssues = (index: number, o: Subject, sync: Wire.SyncOperation): Array<Issue> => {
  const issues = keyIssues(index, "Opportunity", o, sync, opportunityKey)
  if (o.id === undefined && o.externalKey === undefined) {
    issues.push(
      issue(index, ["externalKey"], "REST needs externalKey externalOpportunityId (or marketoGUID for UPDATE)")
    )
  }
  const company = o.link("Company")
  if (company !== undefined && (company.externalKey === undefined || company.externalKey.name !== companyKey)) {
    issues.push(
      issue(index, ["company"], "REST links an opportunity to its company by externalKey externalCompanyId only")
    )
  }
  issues.push(...customIssues(index, o.names, o.places, opportunityBySoap, opportunityRestNames, []))
  return issues
}

const roleIssues = (index: number, o: Subject, sync: Wire.SyncOperation): Array<Issue> => {
  const issues = keyIssues(index, "OpportunityPersonRole", o, sync, "")
  const opportunity = o.link("Opportunity")
  if (
    opportunity !== undefined &&
    (opportunity.externalKey === undefined || opportunity.externalKey.name !== opportunityKey)
  ) {
    issues.push(
      issue(index, ["opportunity"], "REST links a role to its opportunity by externalKey externalOpportunityId only")
    )
  }
  const lead = o.link("Lead")
  if (lead !== undefined && lead.id === undefined) {
    issues.push(issue(index, ["lead"], "REST links a role to its lead by the lead id (leadId) only"))
  }
  const byGuid = o.externalKey?.name === guidKey
  if (!byGuid && o.id === undefined) {
    // REST's compound dedupe key.
    const hasLead = lead?.id !== undefined || o.names.includes("PersonId")
    if (opportunity === undefined || !hasLead || !o.names.includes("Role")) {
      issues.push(
        issue(
          index,
          [],
          "REST identifies a role by marketoGUID (UPDATE) or by its opportunity (externalOpportunityId), lead and role together: give all three"
        )
      )
    }
  }
  issues.push(...customIssues(index, o.names, o.places, roleBySoap, roleRestNames, ["OpportunityId"]))
  return issues
}

/**
 * A program's costs as refusals read them (whether each names an id, and its amount). Its tags
 * have none: a tag of type Channel (how SOAP shows a program's channel) is weighed when sent, as
 * REST cannot change the channel (`writes.ts`: one naming the program's own is left out).
 */
const programIssues = (
  index: number,
  costs: ReadonlyArray<{ readonly id: boolean; readonly amount: number }>
) => {
  const issues: Array<Issue> = []
  costs.forEach(({ amount, id }, cost) => {
    if (id) {
      issues.push(
        issue(
          index,
          ["costs", cost, "id"],
          "REST cannot name an existing cost (its costs have no ids): it can only append costs or replace them all"
        )
      )
    }
    if (!Number.isInteger(amount) || (amount < Limits.xsIntMin || amount > Limits.xsIntMax)) {
      issues.push(issue(index, ["costs", cost, "amount"], "REST takes whole cost amounts (an int32) only"))
    }
  })
  return issues
}

const wireCosts = (o: Wire.MObject) =>
  (o.typeAttribList ?? []).flatMap((entry) => {
    if (entry.attrType !== "Cost") return []
    const values = new Map((entry.attrList ?? []).map((a) => [a.name, a.value]))
    return [{ id: values.has("Id"), amount: Number(values.get("Amount")) }]
  })

/** The issues of a sync of wire records. */
const syncIssues = (mObjectList: ReadonlyArray<Wire.MObject>, sync: Wire.SyncOperation): ReadonlyArray<Issue> =>
  mObjectList.flatMap((o, i) =>
    o.type === "Opportunity"
      ? opportunityIssues(i, wireSubject(o), sync)
      : o.type === "OpportunityPersonRole"
      ? roleIssues(i, wireSubject(o), sync)
      : o.type === "Program"
      ? programIssues(i, wireCosts(o))
      : []
  )

/** The issues of a sync of models: the issues {@link syncIssues} finds in their wire records. */
/**
 * Whether an opportunity is the usual one, which has no issue: keyed by externalOpportunityId
 * without an id, no custom fields, a company (if any) by externalCompanyId. Known without
 * building what `opportunityIssues` reads, since this runs for every opportunity sent.
 */
const isPlainOpportunity = (o: Opportunity): boolean =>
  o.id === undefined && o.externalKey !== undefined && o.externalKey.name === opportunityKey &&
  CustomFields.isEmpty(o.customFields) &&
  (o.company === undefined || (!Keys.isById(o.company) && o.company.externalKey.name === companyKey))

const modelIssues = (o: MObject.MObject, i: number, sync: Wire.SyncOperation): ReadonlyArray<Issue> => {
  switch (o._tag) {
    case "Opportunity": {
      if (isPlainOpportunity(o)) return noIssues
      const company = linkOf(o.company)
      return opportunityIssues(i, {
        id: o.id,
        externalKey: o.externalKey,
        link: (type) => type === "Company" ? company : undefined,
        // An opportunity's standard names are never refused: only custom ones can be, so
        // without any the names need not be listed.
        ...(CustomFields.isEmpty(o.customFields)
          ? noNames
          : namesOf(StandardFields.opportunityFields, o, o.customFields))
      }, sync)
    }
    case "OpportunityPersonRole": {
      const lead = linkOf(o.lead)
      const opportunity = linkOf(o.opportunity)
      return roleIssues(i, {
        id: o.id,
        externalKey: o.externalKey,
        link: (type) => type === "Lead" ? lead : type === "Opportunity" ? opportunity : undefined,
        ...namesOf(StandardFields.opportunityPersonRoleFields, o, o.customFields)
      }, sync)
    }
    case "Program":
      return programIssues(
        i,
        // The amount as the wire writes it and reads it back.
        o.costs.map((c) => ({
          id: c.id !== undefined,
          amount: Number(MarketoTransport.fieldText("decimal", c.amount))
        }))
      )
  }
}

const noIssues: ReadonlyArray<Issue> = []

// A loop into one array, not a flatMap: an array per object would be made for none.
const syncModelIssues = (objects: ReadonlyArray<MObject.MObject>, sync: Wire.SyncOperation): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  for (let i = 0; i < objects.length; i++) {
    const found = modelIssues(objects[i] as MObject.MObject, i, sync)
    for (const one of found) issues.push(one)
  }
  return issues
}

const deleteIssues = (index: number, o: Wire.MObject): Array<Issue> => {
  if (o.type !== "Opportunity" && o.type !== "OpportunityPersonRole") return []
  const issues = keyIssues(index, o.type, o, "DELETE", o.type === "Opportunity" ? opportunityKey : "")
  if (o.id === undefined && o.externalKey === undefined) {
    issues.push(
      issue(index, ["externalKey"], "REST deletes by marketoGUID (or an opportunity's externalOpportunityId)")
    )
  }
  return issues
}

const describable = ["Opportunity", "OpportunityPersonRole", "LeadRecord"]

export const refuse = <Op extends Wire.Operation>(operation: Op, params: Wire.ParamsOf<Op>): ReadonlyArray<Issue> => {
  // The params type follows the operation name; narrowed by hand.
  const p = params as Wire.ParamsOf<Wire.Operation>
  switch (operation) {
    case "syncMObjects": {
      const { mObjectList, operation: sync } = p as Wire.ParamsSyncMObjects
      return syncIssues(mObjectList, sync)
    }
    case "deleteMObjects":
      return (p as Wire.ParamsDeleteMObjects).mObjectList.flatMap((o, i) => deleteIssues(i, o))
    case "getMObjects":
      return Either.getLeft(Query.plan(p as Wire.ParamsGetMObjects)).pipe(Option.getOrElse(() => []))
    case "describeMObject": {
      const name = (p as Wire.ParamsDescribeMObject).objectName
      return describable.includes(name)
        ? []
        : [{
          index: 0,
          path: [],
          argument: "objectName",
          message: `REST describes ${describable.slice(0, -1).join(", ")} and ${describable.at(-1)} only, not '${name}'`
        }]
    }
    default:
      return []
  }
}

/** What REST cannot express of a sync or delete of models (the model path's refusals). */
export const refuseModels = (call: MarketoTransport.ModelCall): ReadonlyArray<Issue> =>
  call.operation === "syncMObjects"
    ? syncModelIssues(call.objects, call.sync)
    : call.objects.flatMap((ref, i) => deleteIssues(i, deleteRefToWire(ref)))
