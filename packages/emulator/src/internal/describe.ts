/**
 * describeMObject and listMObjects. Opportunity and OpportunityPersonRole are described from
 * the fields the store accepts (custom fields of the seed included); ActivityRecord and
 * LeadRecord are virtual objects (composites of Marketo's own records) that no MObject call
 * reads or writes here, described with lower-camel-case field names, as Marketo documents
 * ActivityRecord's.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as Either from "effect/Either"
import { type EmulatorFault, fault } from "./fault.js"
import { metadataOf } from "./fields.js"
import type { State } from "./state.js"

const metadataTime = Signature.formatTimestamp(Date.UTC(2013, 0, 1))

// Marketo's describe of its virtual objects is dated 2010-01-01.
const virtualTime = Signature.formatTimestamp(Date.UTC(2010, 0, 1))

/** The objects describeMObject knows, in Marketo's order. @internal */
export const objectNames = ["ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"] as const

/** @internal */
export const listMObjects = (): Wire.ResultListMObjects => ({ objects: [...objectNames] })

interface VirtualField {
  readonly name: string
  readonly description: string
  readonly sourceObject: string
  readonly dataType: "integer" | "string" | "dateTime" | "Array"
  readonly size?: number
  readonly isName?: true
  readonly isPrimaryKey?: true
}

const virtualField = (field: VirtualField): Wire.MObjFieldMetadata => ({
  name: field.name,
  description: field.description,
  displayName: null,
  sourceObject: field.sourceObject,
  dataType: field.dataType,
  size: field.size ?? null,
  isReadonly: true,
  isUpdateBlocked: true,
  isName: field.isName === true,
  isPrimaryKey: field.isPrimaryKey === true,
  isCustom: false,
  isDynamic: false,
  dynamicFieldRef: null,
  updatedAt: virtualTime
})

// `isVirtual` true for both: Adobe's SOAP page on Marketo objects (help/soap-api/marketo-objects.md)
// names LeadRecord as a virtual object, and its describeMObject page shows ActivityRecord answered
// `isVirtual` true. REST has no such flag: `leads/describe.json` answers fields only, so what a REST
// client says of LeadRecord's `isVirtual` is its own choice, not Marketo's answer.
const virtualObject = (
  name: string,
  description: string,
  fields: ReadonlyArray<VirtualField>
): Wire.MObjectMetadata => ({
  name,
  description,
  isCustom: false,
  isVirtual: true,
  fieldList: fields.map(virtualField),
  updatedAt: virtualTime
})

const activityRecord = virtualObject("ActivityRecord", "An activity of a lead, with its campaign, lead and company", [
  {
    name: "id",
    description: "The activity's id",
    sourceObject: "Event",
    dataType: "integer",
    size: 10,
    isPrimaryKey: true
  },
  { name: "activityDateTime", description: "When it happened", sourceObject: "Event", dataType: "dateTime" },
  {
    name: "activityType",
    description: "What happened",
    sourceObject: "Event",
    dataType: "string",
    size: 255,
    isName: true
  },
  { name: "mktgAssetName", description: "The asset involved", sourceObject: "Event", dataType: "string", size: 255 },
  { name: "activityAttributes", description: "The activity's attributes", sourceObject: "Event", dataType: "Array" },
  { name: "campaign", description: "The campaign behind it", sourceObject: "Campaign", dataType: "string", size: 255 },
  { name: "personName", description: "The lead's name", sourceObject: "Lead", dataType: "string", size: 255 },
  { name: "mktPersonId", description: "The lead's id", sourceObject: "Lead", dataType: "integer", size: 10 },
  { name: "foreignSysId", description: "The lead's CRM id", sourceObject: "Lead", dataType: "string", size: 50 },
  { name: "orgName", description: "The lead's company", sourceObject: "Company", dataType: "string", size: 255 },
  {
    name: "foreignSysOrgId",
    description: "The company's CRM id",
    sourceObject: "Company",
    dataType: "string",
    size: 50
  }
])

const leadRecord = virtualObject("LeadRecord", "A lead, with its attributes", [
  { name: "id", description: "The lead's id", sourceObject: "Lead", dataType: "integer", size: 10, isPrimaryKey: true },
  {
    name: "email",
    description: "The lead's email address",
    sourceObject: "Lead",
    dataType: "string",
    size: 255,
    isName: true
  },
  { name: "foreignSysPersonId", description: "The lead's CRM id", sourceObject: "Lead", dataType: "string", size: 50 },
  {
    name: "foreignSysType",
    description: "The CRM the lead comes from",
    sourceObject: "Lead",
    dataType: "string",
    size: 50
  },
  { name: "leadAttributeList", description: "The lead's attributes", sourceObject: "Lead", dataType: "Array" }
])

/** @internal */
export const describeMObject = (
  state: State,
  params: Wire.ParamsDescribeMObject
): Either.Either<Wire.ResultDescribeMObject, EmulatorFault> => {
  switch (params.objectName) {
    case "Opportunity":
      return Either.right({
        metadata: metadataOf("Opportunity", "A sales opportunity", state.opportunityFields, metadataTime)
      })
    case "OpportunityPersonRole":
      return Either.right({
        metadata: metadataOf(
          "OpportunityPersonRole",
          "The role a person plays in an opportunity",
          state.roleFields,
          metadataTime
        )
      })
    case "LeadRecord":
      return Either.right({ metadata: leadRecord })
    case "ActivityRecord":
      return Either.right({ metadata: activityRecord })
    default:
      return Either.left(fault(20110, `describeMObject does not support object '${params.objectName}'`))
  }
}
