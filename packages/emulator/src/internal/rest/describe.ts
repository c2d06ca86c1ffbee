/**
 * `GET /rest/v1/opportunities/describe.json` and `…/roles/describe.json`: the object's
 * fields by their REST names, its id field, dedupe fields and searchable fields as Adobe
 * documents them (a role's compound key is its first searchable entry); and
 * `GET /rest/v1/leads/describe.json`, the lead fields the emulator keeps.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import type { DataType } from "../fields.js"
import type { State } from "../state.js"
import { type Endpoint, envelope } from "./common.js"
import { defsOf, type Kind, names, restNameOf } from "./records.js"

/** The REST data type of a store data type. @internal */
export const restDataType = (dataType: DataType): string => dataType === "text" ? "text" : dataType

const fieldsOf = (state: State, kind: Kind): Array<RestWire.ObjectField> => [
  { name: names.id, displayName: "Marketo GUID", dataType: "string", length: 36, updateable: false },
  {
    name: names.opportunity,
    displayName: "External Opportunity Id",
    dataType: "string",
    length: names.opportunityKeyLength,
    updateable: false
  },
  kind === "opportunities"
    ? { name: names.company, displayName: "External Company Id", dataType: "string", length: 100, updateable: true }
    : { name: names.lead, displayName: "Lead Id", dataType: "integer", updateable: false },
  ...defsOf(state, kind).map((d) => ({
    name: restNameOf(d),
    displayName: d.displayName,
    dataType: restDataType(d.dataType),
    ...(d.size === undefined ? {} : { length: d.size }),
    updateable: d.readonly !== true
  })),
  { name: names.createdAt, displayName: "Created At", dataType: "datetime", updateable: false },
  { name: names.updatedAt, displayName: "Updated At", dataType: "datetime", updateable: false }
]

/** @internal */
export const describeFields = fieldsOf

const describe = (kind: Kind): Endpoint["handle"] => ({ store }) =>
  Effect.map(store.state, (state) => {
    const opportunity = kind === "opportunities"
    return envelope([{
      name: opportunity ? "opportunity" : "opportunityRole",
      apiName: opportunity ? "opportunity" : "opportunityRole",
      displayName: opportunity ? "Opportunity" : "Opportunity Role",
      pluralName: opportunity ? "Opportunities" : "Opportunity Roles",
      description: opportunity ? "Opportunity" : "Opportunity Role",
      createdAt: "2013-01-01T00:00:00Z",
      updatedAt: "2013-01-01T00:00:00Z",
      idField: RestWire.objectKeys[kind].idField,
      dedupeFields: RestWire.objectKeys[kind].dedupeFields,
      searchableFields: RestWire.objectKeys[kind].searchableFields,
      relationships: [],
      fields: fieldsOf(state, kind),
      status: "approved",
      version: "approved"
    }])
  })

/**
 * `leads/describe.json` (Adobe's Describe Lead): the lead fields the emulator keeps, each with
 * its REST and SOAP names, as the Lead Database Swagger's `LeadAttribute` has them.
 */
const leadAttributes: ReadonlyArray<RestWire.LeadAttribute> = [
  {
    id: 1,
    displayName: "Id",
    dataType: "integer",
    rest: { name: "id", readOnly: true },
    soap: { name: "Id", readOnly: true }
  },
  {
    id: 2,
    displayName: "Email Address",
    dataType: "email",
    length: 255,
    rest: { name: "email", readOnly: false },
    soap: { name: "Email", readOnly: false }
  }
]

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [
  ...(["opportunities", "roles"] as const).map((kind): Endpoint => ({
    path: kind === "opportunities" ? RestWire.paths.opportunitiesDescribe : RestWire.paths.rolesDescribe,
    name: `describe ${kind}`,
    methods: ["GET"],
    reads: () => true,
    handle: describe(kind)
  })),
  {
    path: RestWire.paths.leadsDescribe,
    name: "describe leads",
    methods: ["GET"],
    reads: () => true,
    handle: () => Effect.succeed(envelope(leadAttributes))
  }
]
