/**
 * The types of the 2_2 contract outside the MObject operations: leads, their activity and
 * changes, campaigns, static lists and list imports, custom objects, tags and channels, and
 * the context header. mktows does not call these operations and the emulator does not serve
 * them; they are declared so that a client generated from the served WSDL (wsimport checks
 * every method of its port against it) gets Marketo's whole contract.
 *
 * The facts (names, order, type, occurrence, nillability) follow Marketo's 2_2 WSDL; the
 * reference test in test/wsdl.test.ts compares every entry with it where it is at hand.
 *
 * @internal
 */
import { abstractType, arrayOf, enumeration, extension, field, record, type TypeDefinition } from "./wsdlTable.js"

const enumerations: ReadonlyArray<TypeDefinition> = [
  enumeration("LeadKeyRef", [
    "IDNUM",
    "COOKIE",
    "EMAIL",
    "LEADOWNEREMAIL",
    "SFDCACCOUNTID",
    "SFDCCONTACTID",
    "SFDCLEADID",
    "SFDCLEADOWNERID",
    "SFDCOPPTYID"
  ]),
  enumeration("LeadSyncStatus", ["CREATED", "UPDATED", "FAILED"]),
  // Marketo's activity types, spelled as Marketo spells them (`NewSFDCOpprtnty`, `AddtoSFDCCampaign`).
  enumeration("ActivityType", [
    "VisitWebpage",
    "FillOutForm",
    "ClickLink",
    "SendEmail",
    "EmailDelivered",
    "EmailBounced",
    "UnsubscribeEmail",
    "OpenEmail",
    "ClickEmail",
    "NewLead",
    "ChangeDataValue",
    "LeadAssigned",
    "NewSFDCOpprtnty",
    "Wait",
    "RunSubflow",
    "RemoveFromFlow",
    "PushLeadToSales",
    "CreateTask",
    "ConvertLead",
    "ChangeScore",
    "ChangeOwner",
    "AddToList",
    "RemoveFromList",
    "SFDCActivity",
    "EmailBouncedSoft",
    "PushLeadUpdatesToSales",
    "DeleteLeadFromSales",
    "SFDCActivityUpdated",
    "SFDCMergeLeads",
    "MergeLeads",
    "ResolveConflicts",
    "AssocWithOpprtntyInSales",
    "DissocFromOpprtntyInSales",
    "UpdateOpprtntyInSales",
    "DeleteLead",
    "SendAlert",
    "SendSalesEmail",
    "OpenSalesEmail",
    "ClickSalesEmail",
    "AddtoSFDCCampaign",
    "RemoveFromSFDCCampaign",
    "ChangeStatusInSFDCCampaign",
    "ReceiveSalesEmail",
    "InterestingMoment",
    "RequestCampaign",
    "SalesEmailBounced",
    "ChangeLeadPartition",
    "ChangeRevenueStage",
    "ChangeRevenueStageManually",
    "ComputeDataValue",
    "ChangeStatusInProgression",
    "ChangeFieldInProgram",
    "EnrichWithDatacom",
    "ChangeSegment",
    "ResolveRuleset",
    "SmartCampaignTest",
    "SmartCampaignTestTrigger"
  ]),
  enumeration("ForeignSysType", ["CUSTOM", "SFDC", "NETSUITE"]),
  enumeration("ReqCampSourceType", ["MKTOWS", "SALES"]),
  enumeration("ListKeyType", ["MKTOLISTNAME", "MKTOSALESUSERID", "SFDCLEADOWNERID"]),
  enumeration("ListOperationType", ["ADDTOLIST", "ISMEMBEROFLIST", "REMOVEFROMLIST"]),
  // Custom object outcomes; unlike MObjStatusEnum there is no UNCHANGED or SKIPPED.
  enumeration("SyncStatusEnum", ["CREATED", "UPDATED", "DELETED", "FAILED"]),
  enumeration("LeadMergeStatusEnum", ["MERGED", "FAILED"]),
  enumeration("ImportToListStatusEnum", ["PROCESSING", "COMPLETE", "FAILED", "CANCELED"]),
  enumeration("ImportToListModeEnum", ["UPSERTLEADS", "LISTONLY"])
]

// Shared building blocks. `Attribute` (name, optional type, value) is the leads' and custom
// objects' pair; the MObjects use the plainer `Attrib`.
const common: ReadonlyArray<TypeDefinition> = [
  arrayOf("ArrayOfString", "stringItem", "xs:string"),
  arrayOf("ArrayOfInteger", "integerItem", "xs:int"),
  arrayOf("ArrayOfBase64Binary", "base64Binary", "xs:base64Binary"),
  record("Attribute", [
    field("attrName", "xs:string"),
    field("attrType", "xs:string", "0..1", true),
    field("attrValue", "xs:string")
  ]),
  arrayOf("ArrayOfAttribute", "attribute", "tns:Attribute"),
  // Each key list is one object's compound key.
  arrayOf("ArrayOfKeyList", "keyList", "tns:ArrayOfAttribute"),
  // A position in an activity or change stream: times, or an opaque offset.
  record("StreamPosition", [
    field("latestCreatedAt", "xs:dateTime", "0..1", true),
    field("oldestCreatedAt", "xs:dateTime", "0..1", true),
    field("activityCreatedAt", "xs:dateTime", "0..1", true),
    field("offset", "xs:string", "0..1", true)
  ]),
  // Declared by Marketo and referenced by none of its operations; kept for generated clients.
  record("VersionedItem", [
    field("id", "xs:integer"),
    field("name", "xs:string"),
    field("type", "xs:string", "0..1", true),
    field("description", "xs:string", "0..1", true),
    field("timestamp", "xs:dateTime")
  ]),
  arrayOf("ArrayOfVersionedItem", "versionedItem", "tns:VersionedItem")
]

const leads: ReadonlyArray<TypeDefinition> = [
  record("LeadKey", [field("keyType", "tns:LeadKeyRef"), field("keyValue", "xs:string")]),
  arrayOf("ArrayOfLeadKey", "leadKey", "tns:LeadKey"),
  // The only record whose first elements are capitalised.
  record("LeadRecord", [
    field("Id", "xs:int", "0..1", true),
    field("Email", "xs:string", "0..1", true),
    field("ForeignSysPersonId", "xs:string", "0..1", true),
    // Required by Marketo whenever ForeignSysPersonId is given (not expressible in XSD).
    field("ForeignSysType", "tns:ForeignSysType", "0..1", true),
    field("leadAttributeList", "tns:ArrayOfAttribute", "0..1", true)
  ]),
  arrayOf("ArrayOfLeadRecord", "leadRecord", "tns:LeadRecord"),
  record("LeadStatus", [field("leadKey", "tns:LeadKey"), field("status", "xs:boolean")]),
  arrayOf("ArrayOfLeadStatus", "leadStatus", "tns:LeadStatus"),
  record("SyncStatus", [
    field("leadId", "xs:int"),
    field("status", "tns:LeadSyncStatus"),
    field("error", "xs:string", "0..1", true)
  ]),
  arrayOf("ArrayOfSyncStatus", "syncStatus", "tns:SyncStatus"),
  record("MergeStatus", [
    field("winningLeadId", "xs:int", "0..1", true),
    field("losingLeadIdList", "tns:ArrayOfInteger", "0..1", true),
    field("status", "tns:LeadMergeStatusEnum"),
    field("error", "xs:string", "0..1", true)
  ]),
  // Which leads getMultipleLeads and getLeadChanges read: a request names one of the three
  // extensions with xsi:type.
  abstractType("LeadSelector"),
  extension("LastUpdateAtSelector", "tns:LeadSelector", [
    field("latestUpdatedAt", "xs:dateTime", "0..1", true),
    field("oldestUpdatedAt", "xs:dateTime")
  ]),
  extension("StaticListSelector", "tns:LeadSelector", [
    field("staticListName", "xs:string", "0..1", true),
    field("staticListId", "xs:int", "0..1", true)
  ]),
  extension("LeadKeySelector", "tns:LeadSelector", [
    field("keyType", "tns:LeadKeyRef"),
    field("keyValues", "tns:ArrayOfString")
  ])
]

const activity: ReadonlyArray<TypeDefinition> = [
  arrayOf("ArrayOfActivityType", "activityType", "tns:ActivityType"),
  record("ActivityTypeFilter", [
    field("includeTypes", "tns:ArrayOfActivityType", "0..1"),
    field("excludeTypes", "tns:ArrayOfActivityType", "0..1")
  ]),
  record("ActivityRecord", [
    field("id", "xs:int"),
    field("activityDateTime", "xs:dateTime"),
    field("activityType", "xs:string"),
    field("mktgAssetName", "xs:string", "0..1"),
    field("activityAttributes", "tns:ArrayOfAttribute", "0..1", true),
    field("campaign", "xs:string", "0..1", true),
    field("personName", "xs:string", "0..1", true),
    field("mktPersonId", "xs:string"),
    field("foreignSysId", "xs:string", "0..1", true),
    field("orgName", "xs:string", "0..1", true),
    field("foreignSysOrgId", "xs:string", "0..1", true)
  ]),
  arrayOf("ArrayOfActivityRecord", "activityRecord", "tns:ActivityRecord"),
  // Close to ActivityRecord, but not the same: the nillability of mktgAssetName and campaign
  // is swapped, and the person and organisation fields are absent.
  record("LeadChangeRecord", [
    field("id", "xs:int"),
    field("activityDateTime", "xs:dateTime"),
    field("activityType", "xs:string"),
    field("mktgAssetName", "xs:string", "0..1", true),
    field("activityAttributes", "tns:ArrayOfAttribute", "0..1", true),
    field("campaign", "xs:string", "0..1"),
    field("mktPersonId", "xs:string")
  ]),
  arrayOf("ArrayOfLeadChangeRecord", "leadChangeRecord", "tns:LeadChangeRecord")
]

const campaignsAndLists: ReadonlyArray<TypeDefinition> = [
  record("CampaignRecord", [field("id", "xs:int"), field("name", "xs:string"), field("description", "xs:string")]),
  arrayOf("ArrayOfCampaignRecord", "campaignRecord", "tns:CampaignRecord"),
  record("ListKey", [field("keyType", "tns:ListKeyType"), field("keyValue", "xs:string")])
]

const customObjects: ReadonlyArray<TypeDefinition> = [
  record("CustomObj", [
    field("customObjKeyList", "tns:ArrayOfAttribute", "0..1", true),
    field("customObjAttributeList", "tns:ArrayOfAttribute", "0..1", true)
  ]),
  arrayOf("ArrayOfCustomObj", "customObj", "tns:CustomObj"),
  record("SyncCustomObjStatus", [
    field("objTypeName", "xs:string"),
    field("customObjKeyList", "tns:ArrayOfAttribute", "0..1", true),
    field("status", "tns:SyncStatusEnum"),
    field("error", "xs:string", "0..1", true)
  ]),
  arrayOf("ArrayOfSyncCustomObjStatus", "syncCustomObjStatus", "tns:SyncCustomObjStatus")
]

const tagsAndChannels: ReadonlyArray<TypeDefinition> = [
  record("Tag", [field("type", "xs:string", "0..1"), field("values", "tns:ArrayOfString", "0..1")]),
  arrayOf("ArrayOfTag", "tag", "tns:Tag"),
  // A channel's progression statuses, each a list of name/value pairs.
  record("ProgressionStatus", [field("progressionStatus", "tns:ArrayOfAttrib", "0..1")]),
  arrayOf("ArrayOfProgressionStatus", "progressionStatusItem", "tns:ProgressionStatus"),
  record("TagStatus", [field("tagValue", "xs:string"), field("statusList", "tns:ArrayOfProgressionStatus")]),
  arrayOf("ArrayOfTagStatus", "tagStatus", "tns:TagStatus")
]

const params: ReadonlyArray<TypeDefinition> = [
  record("ParamsGetCampaignsForSource", [
    field("source", "tns:ReqCampSourceType"),
    field("name", "xs:string", "0..1", true),
    field("exactName", "xs:boolean", "0..1", true)
  ]),
  record("ParamsGetImportToListStatus", [
    field("programName", "xs:string", "0..1"),
    field("listName", "xs:string", "0..1")
  ]),
  record("ParamsGetLead", [field("leadKey", "tns:LeadKey")]),
  record("ParamsGetLeadActivity", [
    field("leadKey", "tns:LeadKey"),
    field("activityFilter", "tns:ActivityTypeFilter", "0..1", true),
    field("startPosition", "tns:StreamPosition", "0..1", true),
    field("batchSize", "xs:int", "0..1", true)
  ]),
  record("ParamsGetLeadChanges", [
    field("startPosition", "tns:StreamPosition"),
    field("activityFilter", "tns:ActivityTypeFilter", "0..1", true),
    field("batchSize", "xs:int", "0..1", true),
    field("leadSelector", "tns:LeadSelector", "0..1")
  ]),
  record("ParamsGetMultipleLeads", [
    field("leadSelector", "tns:LeadSelector", "0..1"),
    field("lastUpdatedAt", "xs:dateTime", "0..1"),
    field("streamPosition", "xs:string", "0..1", true),
    field("batchSize", "xs:int", "0..1", true),
    field("includeAttributes", "tns:ArrayOfString", "0..1")
  ]),
  record("ParamsImportToList", [
    field("programName", "xs:string"),
    field("importFileHeader", "xs:string"),
    field("importFileRows", "tns:ArrayOfString"),
    field("importListMode", "tns:ImportToListModeEnum"),
    field("listName", "xs:string"),
    field("clearList", "xs:boolean"),
    // Required but nillable: present, possibly as xsi:nil.
    field("campaignName", "xs:string", "1", true)
  ]),
  record("ParamsListOperation", [
    field("listOperation", "tns:ListOperationType"),
    field("listKey", "tns:ListKey"),
    field("listMemberList", "tns:ArrayOfLeadKey"),
    field("strict", "xs:boolean", "0..1", true),
    field("skipActivityLog", "xs:boolean", "0..1", true)
  ]),
  record("ParamsRequestCampaign", [
    field("source", "tns:ReqCampSourceType"),
    field("campaignId", "xs:int", "0..1", true),
    field("leadList", "tns:ArrayOfLeadKey", "0..1", true),
    field("programName", "xs:string", "0..1", true),
    field("campaignName", "xs:string", "0..1", true),
    field("programTokenList", "tns:ArrayOfAttrib", "0..1", true)
  ]),
  record("ParamsScheduleCampaign", [
    field("programName", "xs:string"),
    field("campaignName", "xs:string"),
    field("campaignRunAt", "xs:dateTime", "0..1", true),
    field("programTokenList", "tns:ArrayOfAttrib", "0..1", true)
  ]),
  record("ParamsSyncLead", [
    field("leadRecord", "tns:LeadRecord"),
    field("returnLead", "xs:boolean"),
    field("marketoCookie", "xs:string", "0..1", true)
  ]),
  record("ParamsSyncMultipleLeads", [
    field("leadRecordList", "tns:ArrayOfLeadRecord"),
    field("dedupEnabled", "xs:boolean", "0..1", true)
  ]),
  record("ParamsSyncCustomObjects", [
    field("objTypeName", "xs:string"),
    field("customObjList", "tns:ArrayOfCustomObj"),
    field("operation", "tns:SyncOperationEnum", "0..1", true)
  ]),
  record("ParamsDeleteCustomObjects", [
    field("objTypeName", "xs:string"),
    field("customObjKeyLists", "tns:ArrayOfKeyList")
  ]),
  record("ParamsGetCustomObjects", [
    field("objTypeName", "xs:string"),
    field("streamPosition", "xs:string", "0..1", true),
    field("batchSize", "xs:int", "0..1", true),
    field("customObjKeyList", "tns:ArrayOfAttribute", "0..1", true),
    field("includeAttributes", "tns:ArrayOfString")
  ]),
  record("ParamsMergeLeads", [
    field("winningLeadKeyList", "tns:ArrayOfAttribute"),
    field("losingLeadKeyLists", "tns:ArrayOfKeyList")
  ]),
  record("ParamsGetChannels", [field("tag", "tns:Tag", "0..1")]),
  record("ParamsGetTags", [field("tagList", "tns:ArrayOfTag", "0..1")])
]

const results: ReadonlyArray<TypeDefinition> = [
  record("ResultGetCampaignsForSource", [
    field("returnCount", "xs:int"),
    field("campaignRecordList", "tns:ArrayOfCampaignRecord", "0..1", true)
  ]),
  record("ResultGetImportToListStatus", [
    field("status", "tns:ImportToListStatusEnum"),
    field("startedTime", "xs:dateTime", "0..1", true),
    field("endedTime", "xs:dateTime", "0..1", true),
    field("estimatedTime", "xs:int", "0..1", true),
    field("estimatedRows", "xs:int", "0..1", true),
    field("rowsImported", "xs:int", "0..1", true),
    field("rowsFailed", "xs:int", "0..1", true),
    field("rowsIgnored", "xs:int", "0..1", true),
    field("importSummary", "xs:string", "0..1", true)
  ]),
  record("ResultGetLead", [
    field("count", "xs:int"),
    field("leadRecordList", "tns:ArrayOfLeadRecord", "0..1", true)
  ]),
  // getLeadActivity's result has its own name, and its own element in the success wrapper.
  record("LeadActivityList", [
    field("returnCount", "xs:int"),
    field("remainingCount", "xs:int"),
    field("newStartPosition", "tns:StreamPosition"),
    field("activityRecordList", "tns:ArrayOfActivityRecord", "0..1", true)
  ]),
  record("ResultGetLeadChanges", [
    field("returnCount", "xs:int"),
    field("remainingCount", "xs:int"),
    field("newStartPosition", "tns:StreamPosition"),
    field("leadChangeRecordList", "tns:ArrayOfLeadChangeRecord", "0..1", true)
  ]),
  record("ResultGetMultipleLeads", [
    field("returnCount", "xs:int"),
    field("remainingCount", "xs:int"),
    field("newStreamPosition", "xs:string"),
    field("leadRecordList", "tns:ArrayOfLeadRecord", "0..1", true)
  ]),
  record("ResultImportToList", [field("importStatus", "tns:ImportToListStatusEnum")]),
  record("ResultListOperation", [
    field("success", "xs:boolean"),
    field("statusList", "tns:ArrayOfLeadStatus", "0..1", true)
  ]),
  record("ResultRequestCampaign", [field("success", "xs:boolean")]),
  record("ResultScheduleCampaign", [field("success", "xs:boolean")]),
  record("ResultSyncLead", [
    field("leadId", "xs:int"),
    field("syncStatus", "tns:SyncStatus"),
    field("leadRecord", "tns:LeadRecord", "0..1", true)
  ]),
  record("ResultSyncMultipleLeads", [field("syncStatusList", "tns:ArrayOfSyncStatus")]),
  record("ResultSyncCustomObjects", [field("syncCustomObjStatusList", "tns:ArrayOfSyncCustomObjStatus")]),
  record("ResultDeleteCustomObjects", [field("deleteCustomObjStatusList", "tns:ArrayOfSyncCustomObjStatus")]),
  record("ResultGetCustomObjects", [
    field("objTypeName", "xs:string"),
    field("returnCount", "xs:int"),
    field("remainingCount", "xs:int"),
    field("newStreamPosition", "xs:string"),
    field("customObjList", "tns:ArrayOfCustomObj", "0..1", true)
  ]),
  record("ResultMergeLeads", [field("mergeStatus", "tns:MergeStatus")]),
  record("ResultGetChannels", [field("tags", "tns:ArrayOfTagStatus")]),
  record("ResultGetTags", [field("tagList", "tns:ArrayOfTag")])
]

// `SuccessX` holds one `result` of type `ResultX`, except for getLeadActivity.
const success = (operation: string): TypeDefinition =>
  record(`Success${operation}`, [field("result", `tns:Result${operation}`)])

const successes: ReadonlyArray<TypeDefinition> = [
  success("GetCampaignsForSource"),
  success("GetImportToListStatus"),
  success("GetLead"),
  record("SuccessGetLeadActivity", [field("leadActivityList", "tns:LeadActivityList")]),
  success("GetLeadChanges"),
  success("GetMultipleLeads"),
  success("ImportToList"),
  success("ListOperation"),
  success("RequestCampaign"),
  success("ScheduleCampaign"),
  success("SyncLead"),
  success("SyncMultipleLeads"),
  success("SyncCustomObjects"),
  success("DeleteCustomObjects"),
  success("GetCustomObjects"),
  success("MergeLeads"),
  success("GetChannels"),
  success("GetTags")
]

/** The second SOAP header of the contract: the workspace a syncLead writes to. */
const headers: ReadonlyArray<TypeDefinition> = [
  record("MktowsContextHeaderInfo", [field("targetWorkspace", "xs:string")])
]

/** Every type of the contract that the MObject operations do not use, by topic. */
export const nonMObjectTypes: ReadonlyArray<TypeDefinition> = [
  ...enumerations,
  ...common,
  ...leads,
  ...activity,
  ...campaignsAndLists,
  ...customObjects,
  ...tagsAndChannels,
  ...params,
  ...results,
  ...successes,
  ...headers
]
