/**
 * What a call asks that REST cannot express faithfully, as validation issues: the client
 * refuses it before anything is sent. Reads are planned (and refused) by `query.ts`.
 *
 * @internal
 */
import * as Limits from "@mktows/core/Limits"
import type { ValidationIssue } from "@mktows/core/MarketoError"
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { FieldMapping } from "../RestMapping.js"
import {
  association,
  attrib,
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

const customIssues = (
  index: number,
  o: Wire.MObject,
  fields: ReadonlyMap<string, FieldMapping>,
  standardRest: ReadonlySet<string>,
  refused: ReadonlyArray<string>
): Array<Issue> => {
  const soap = fields
  const issues: Array<Issue> = []
  const attribs = o.attribList ?? []
  for (let i = 0; i < attribs.length; i++) {
    const a = attribs[i] as Wire.Attrib
    if (refused.includes(a.name)) {
      issues.push(issue(index, ["attribList", i, "name"], refusedAttrib(a.name)))
    } else if (!soap.has(a.name) && (reserved.has(a.name) || standardRest.has(a.name.toLowerCase()))) {
      issues.push(
        issue(
          index,
          ["customFields", a.name],
          `REST names a standard or key field '${a.name}': a custom field of that name would mean something else`
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
  o: Wire.MObject,
  sync: Wire.SyncOperation | "DELETE",
  dedupe: string
): Array<Issue> => {
  const issues: Array<Issue> = []
  if (o.id !== undefined) {
    issues.push(
      issue(
        index,
        ["id"],
        `REST has no integer ids for ${o.type}: name it by externalKey ${
          dedupe === "" ? "" : `${dedupe} or `
        }marketoGUID`
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
          `REST identifies ${o.type} by ${dedupe === "" ? "" : `${dedupe} or `}marketoGUID, not by '${key.name}'`
        )
      )
    }
  }
  return issues
}

const opportunityIssues = (index: number, o: Wire.MObject, sync: Wire.SyncOperation): Array<Issue> => {
  const issues = keyIssues(index, o, sync, opportunityKey)
  if (o.id === undefined && o.externalKey === undefined) {
    issues.push(
      issue(index, ["externalKey"], "REST needs externalKey externalOpportunityId (or marketoGUID for UPDATE)")
    )
  }
  const company = association(o, "Company")
  if (company !== undefined && (company.externalKey === undefined || company.externalKey.name !== companyKey)) {
    issues.push(
      issue(index, ["company"], "REST links an opportunity to its company by externalKey externalCompanyId only")
    )
  }
  issues.push(...customIssues(index, o, opportunityBySoap, opportunityRestNames, []))
  return issues
}

const roleIssues = (index: number, o: Wire.MObject, sync: Wire.SyncOperation): Array<Issue> => {
  const issues = keyIssues(index, o, sync, "")
  const opportunity = association(o, "Opportunity")
  if (
    opportunity !== undefined &&
    (opportunity.externalKey === undefined || opportunity.externalKey.name !== opportunityKey)
  ) {
    issues.push(
      issue(index, ["opportunity"], "REST links a role to its opportunity by externalKey externalOpportunityId only")
    )
  }
  const lead = association(o, "Lead")
  if (lead !== undefined && lead.id === undefined) {
    issues.push(issue(index, ["lead"], "REST links a role to its lead by the lead id (leadId) only"))
  }
  const byGuid = o.externalKey?.name === guidKey
  if (!byGuid && o.id === undefined) {
    // REST's compound dedupe key.
    const hasLead = lead?.id !== undefined || attrib(o, "PersonId") !== undefined
    if (opportunity === undefined || !hasLead || attrib(o, "Role") === undefined) {
      issues.push(
        issue(
          index,
          [],
          "REST identifies a role by marketoGUID (UPDATE) or by its opportunity (externalOpportunityId), lead and role together: give all three"
        )
      )
    }
  }
  issues.push(...customIssues(index, o, roleBySoap, roleRestNames, ["OpportunityId"]))
  return issues
}

const programIssues = (index: number, o: Wire.MObject): Array<Issue> => {
  const issues: Array<Issue> = []
  let cost = 0
  for (const entry of o.typeAttribList ?? []) {
    if (entry.attrType !== "Cost") continue
    const values = new Map((entry.attrList ?? []).map((a) => [a.name, a.value]))
    if (values.has("Id")) {
      issues.push(
        issue(
          index,
          ["costs", cost, "id"],
          "REST cannot name an existing cost (its costs have no ids): it can only append costs or replace them all"
        )
      )
    }
    const amount = Number(values.get("Amount"))
    if (!Number.isInteger(amount) || (amount < Limits.xsIntMin || amount > Limits.xsIntMax)) {
      issues.push(issue(index, ["costs", cost, "amount"], "REST takes whole cost amounts (an int32) only"))
    }
    cost++
  }
  return issues
}

const deleteIssues = (index: number, o: Wire.MObject): Array<Issue> => {
  if (o.type !== "Opportunity" && o.type !== "OpportunityPersonRole") return []
  const issues = keyIssues(index, o, "DELETE", o.type === "Opportunity" ? opportunityKey : "")
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
      return mObjectList.flatMap((o, i) =>
        o.type === "Opportunity"
          ? opportunityIssues(i, o, sync)
          : o.type === "OpportunityPersonRole"
          ? roleIssues(i, o, sync)
          : o.type === "Program"
          ? programIssues(i, o)
          : []
      )
    }
    case "deleteMObjects":
      return (p as Wire.ParamsDeleteMObjects).mObjectList.flatMap((o, i) => deleteIssues(i, o))
    case "getMObjects":
      return Either.getLeft(Query.plan(p as Wire.ParamsGetMObjects)).pipe(Option.getOrElse(() => []))
    case "describeMObject": {
      const name = (p as Wire.ParamsDescribeMObject).objectName
      return describable.includes(name)
        ? []
        : [issue(0, ["objectName"], `REST describes ${describable.join(" and ")} only, not '${name}'`)]
    }
    default:
      return []
  }
}
