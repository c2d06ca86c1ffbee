/**
 * The JSON shapes of Marketo's REST APIs that mktows sends and reads: the identity token,
 * the Lead Database opportunity and role endpoints, and the Asset API's programs, tag types
 * and channels. Written from Adobe's Swagger contracts; decoding is lenient where Marketo is
 * (an error answer has no `result`), strict where a value is used.
 *
 * @since 0.1.0
 */
import { optional } from "@mktows/core/Wire"
import * as Schema from "effect/Schema"

/**
 * A field value of a Lead Database record: JSON scalars only.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FieldValue = Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null)
/**
 * The type of {@link FieldValue}.
 *
 * @since 0.1.0
 * @category models
 */
export type FieldValue = typeof FieldValue.Type

/**
 * A record of the Lead Database (an opportunity or a role): field names to values.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Fields = Schema.Record({ key: Schema.String, value: FieldValue })
/**
 * The type of {@link Fields}.
 *
 * @since 0.1.0
 * @category models
 */
export type Fields = typeof Fields.Type

/**
 * The answer of `/identity/oauth/token`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdentityResponse = Schema.Struct({
  access_token: Schema.NonEmptyString,
  token_type: Schema.String,
  expires_in: Schema.Int.pipe(Schema.nonNegative()),
  scope: optional(Schema.String)
}).annotations({ identifier: "IdentityResponse" })
/**
 * The type of {@link IdentityResponse}.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityResponse extends Schema.Schema.Type<typeof IdentityResponse> {}

/**
 * A response-level error or a record-level reason: a numeric code (as text) and a message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Reason = Schema.Struct({
  code: Schema.Union(Schema.String, Schema.Number),
  message: Schema.String
}).annotations({ identifier: "Reason" })
/**
 * The type of {@link Reason}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reason extends Schema.Schema.Type<typeof Reason> {}

/**
 * The envelope every REST answer shares, around the items of `result`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Response = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    requestId: optional(Schema.String),
    success: Schema.Boolean,
    errors: optional(Schema.Array(Reason)),
    warnings: optional(Schema.Array(Schema.Unknown)),
    result: optional(Schema.Array(item)),
    moreResult: optional(Schema.Boolean),
    nextPageToken: optional(Schema.String)
  })

/**
 * What a sync or delete answers per record: its place in the input, what was done, the
 * record's `marketoGUID`, and the reasons when it was skipped.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RecordStatus = Schema.Struct({
  seq: Schema.Int,
  marketoGUID: optional(Schema.String),
  status: Schema.Literal("created", "updated", "deleted", "skipped"),
  reasons: optional(Schema.Array(Reason))
}).annotations({ identifier: "RecordStatus" })
/**
 * The type of {@link RecordStatus}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordStatus extends Schema.Schema.Type<typeof RecordStatus> {}

/**
 * The answer of a sync or delete.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StatusResponse = Response(RecordStatus).annotations({ identifier: "StatusResponse" })

/**
 * An item of a query's answer that holds no record: a lookup's key that matched nothing or
 * was refused, with its reasons (the Swagger's query items carry `reasons`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const QueryMiss = Schema.Struct({
  seq: optional(Schema.Int),
  reasons: Schema.Array(Reason)
}).annotations({ identifier: "QueryMiss" })
/**
 * The type of {@link QueryMiss}.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryMiss extends Schema.Schema.Type<typeof QueryMiss> {}

/**
 * Whether a query's item is a {@link QueryMiss}: it has `reasons` and nothing but them and its
 * `seq` (no record field is named `reasons`). An item with record fields beside its reasons is
 * no miss: a reader that dropped it would lose a record.
 *
 * @since 0.1.0
 * @category guards
 */
export const isQueryMiss = (item: Fields | QueryMiss): item is QueryMiss => {
  if (!Array.isArray(item["reasons"])) return false
  for (const key in item) if (key !== "seq" && key !== "reasons") return false
  return true
}

/**
 * The answer of a query: records with their `seq` and the requested fields, and a
 * {@link QueryMiss} for each key of a lookup that found no record.
 *
 * @since 0.1.0
 * @category schemas
 */
export const QueryResponse = Response(Schema.Union(Fields, QueryMiss)).annotations({ identifier: "QueryResponse" })

/**
 * `action` of a sync: INSERT, UPDATE and UPSERT in REST's words.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SyncAction = Schema.Literal("createOnly", "updateOnly", "createOrUpdate")

/**
 * `dedupeBy` of a sync and `deleteBy` of a delete: the id field or the dedupe fields.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyKind = Schema.Literal("idField", "dedupeFields")

/**
 * The body of `POST /rest/v1/opportunities.json` and `/rest/v1/opportunities/roles.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SyncRequest = Schema.Struct({
  action: optional(SyncAction),
  dedupeBy: optional(KeyKind),
  input: Schema.Array(Fields)
}).annotations({ identifier: "SyncRequest" })
/**
 * The type of {@link SyncRequest}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SyncRequest extends Schema.Schema.Type<typeof SyncRequest> {}

/**
 * The body of `POST /rest/v1/opportunities/delete.json` and `…/roles/delete.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DeleteRequest = Schema.Struct({
  deleteBy: optional(KeyKind),
  input: Schema.Array(Fields)
}).annotations({ identifier: "DeleteRequest" })
/**
 * The type of {@link DeleteRequest}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeleteRequest extends Schema.Schema.Type<typeof DeleteRequest> {}

/**
 * One field of a describe answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ObjectField = Schema.Struct({
  name: Schema.String,
  displayName: optional(Schema.String),
  dataType: Schema.String,
  length: optional(Schema.Int),
  updateable: optional(Schema.Boolean),
  crmManaged: optional(Schema.Boolean)
}).annotations({ identifier: "ObjectField" })
/**
 * The type of {@link ObjectField}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ObjectField extends Schema.Schema.Type<typeof ObjectField> {}

/**
 * The answer item of `describe.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ObjectMetadata = Schema.Struct({
  name: optional(Schema.String),
  apiName: optional(Schema.String),
  displayName: optional(Schema.String),
  description: optional(Schema.NullOr(Schema.String)),
  createdAt: optional(Schema.String),
  updatedAt: optional(Schema.String),
  idField: Schema.String,
  dedupeFields: Schema.Array(Schema.String),
  searchableFields: optional(Schema.Array(Schema.Array(Schema.String))),
  fields: Schema.Array(ObjectField)
}).annotations({ identifier: "ObjectMetadata" })
/**
 * The type of {@link ObjectMetadata}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ObjectMetadata extends Schema.Schema.Type<typeof ObjectMetadata> {}

/**
 * The answer of `describe.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DescribeResponse = Response(ObjectMetadata).annotations({ identifier: "DescribeResponse" })

/**
 * A period cost of a program: `startDate` (`YYYY-MM-DD`), a whole `cost`, an optional note.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProgramCost = Schema.Struct({
  startDate: Schema.String,
  cost: Schema.Int,
  note: optional(Schema.String)
}).annotations({ identifier: "ProgramCost" })
/**
 * The type of {@link ProgramCost}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgramCost extends Schema.Schema.Type<typeof ProgramCost> {}

/**
 * A program tag: its type and value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProgramTag = Schema.Struct({ tagType: Schema.String, tagValue: Schema.String }).annotations({
  identifier: "ProgramTag"
})
/**
 * The type of {@link ProgramTag}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgramTag extends Schema.Schema.Type<typeof ProgramTag> {}

/**
 * The form of `POST /rest/asset/v1/program/{id}.json` as mktows sends it: `costs` and `tags`
 * are JSON arrays inside form fields; `costsDestructiveUpdate` replaces every cost.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdateProgramRequest = Schema.Struct({
  costs: optional(Schema.Array(ProgramCost)),
  costsDestructiveUpdate: optional(Schema.Boolean),
  tags: optional(Schema.Array(ProgramTag))
}).annotations({ identifier: "UpdateProgramRequest" })
/**
 * The type of {@link UpdateProgramRequest}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdateProgramRequest extends Schema.Schema.Type<typeof UpdateProgramRequest> {}

/**
 * A program's folder. The Swagger names its id `id`; the answers Adobe documents name it
 * `value`, with the folder's name beside it. mktows reads neither, so it takes either.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProgramFolder = Schema.Struct({
  type: optional(Schema.String),
  id: optional(Schema.Int),
  value: optional(Schema.Int),
  folderName: optional(Schema.String)
}).annotations({ identifier: "ProgramFolder" })
/**
 * The type of {@link ProgramFolder}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgramFolder extends Schema.Schema.Type<typeof ProgramFolder> {}

const nullable = <S extends Schema.Schema.Any>(schema: S) => optional(Schema.NullOr(schema))

/**
 * A period cost of a program as an answer gives it: a cost without a note may carry
 * `"note": null` (the Asset API writes a field without a value as `null`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProgramCostRead = Schema.Struct({ ...ProgramCost.fields, note: nullable(Schema.String) }).annotations({
  identifier: "ProgramCostRead"
})
/**
 * The type of {@link ProgramCostRead}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgramCostRead extends Schema.Schema.Type<typeof ProgramCostRead> {}

/**
 * A program as the Asset API returns it: what mktows reads strictly (id, name, type, channel,
 * costs and tags when present), the rest as the documented answers give it, where a field
 * without a value may be `null` (`"costs": null`) rather than absent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Program = Schema.Struct({
  // Positive: a read's position carries the last one read (`offset:<n>:<id>`).
  id: Schema.Int.pipe(Schema.positive()),
  name: Schema.String,
  description: nullable(Schema.String),
  type: Schema.String,
  channel: Schema.String,
  status: nullable(Schema.String),
  workspace: nullable(Schema.String),
  folder: nullable(ProgramFolder),
  url: nullable(Schema.String),
  createdAt: nullable(Schema.String),
  updatedAt: nullable(Schema.String),
  costs: nullable(Schema.Array(ProgramCostRead)),
  tags: nullable(Schema.Array(ProgramTag))
}).annotations({ identifier: "Program" })
/**
 * The type of {@link Program}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Program extends Schema.Schema.Type<typeof Program> {}

/**
 * The answer of the program endpoints.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProgramResponse = Response(Program).annotations({ identifier: "ProgramResponse" })

/**
 * The answer of a program update as the client reads it: only the program's id. The rest of the
 * program it echoes is not needed to know the update was applied, so an odd field there (a
 * value Marketo adds later) cannot turn an applied update into one in doubt, which a user
 * might send again: a program's costs are added to on each update.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProgramUpdateResponse = Response(Schema.Struct({ id: Schema.Int })).annotations({
  identifier: "ProgramUpdateResponse"
})

/**
 * A tag type of `tagTypes.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TagType = Schema.Struct({
  tagType: Schema.String,
  applicableProgramTypes: Schema.String,
  required: Schema.Boolean,
  allowableValues: optional(Schema.String)
}).annotations({ identifier: "TagType" })
/**
 * The type of {@link TagType}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TagType extends Schema.Schema.Type<typeof TagType> {}

/**
 * The answer of `tagTypes.json` and `tagType/byName.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TagTypeResponse = Response(TagType).annotations({ identifier: "TagTypeResponse" })

/**
 * A program status of a channel: a step members of the channel's programs can reach. Every
 * documented answer writes `description` `null` and no `type` (the Swagger types the one a
 * string and lists the other).
 *
 * @since 0.2.0
 * @category schemas
 */
export const ChannelProgression = Schema.Struct({
  name: Schema.String,
  step: Schema.Int,
  description: optional(Schema.NullOr(Schema.String)),
  hidden: Schema.Boolean,
  success: Schema.Boolean,
  type: optional(Schema.String)
}).annotations({ identifier: "ChannelProgression" })
/**
 * The type of {@link ChannelProgression}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ChannelProgression extends Schema.Schema.Type<typeof ChannelProgression> {}

/**
 * A channel of `channels.json` and `channel/byName.json`, with its program statuses in order
 * of their steps (optional, as the Swagger has them).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Channel = Schema.Struct({
  id: Schema.Int,
  name: Schema.String,
  applicableProgramType: Schema.String,
  progressionStatuses: optional(Schema.Array(ChannelProgression)),
  createdAt: Schema.String,
  updatedAt: Schema.String
}).annotations({ identifier: "Channel" })
/**
 * The type of {@link Channel}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Channel extends Schema.Schema.Type<typeof Channel> {}

/**
 * The answer of `channels.json` and `channel/byName.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChannelResponse = Response(Channel).annotations({ identifier: "ChannelResponse" })

/**
 * How one side of the API (REST or SOAP) names a lead field, and whether it may write it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LeadMapAttribute = Schema.Struct({
  name: Schema.String,
  readOnly: optional(Schema.Boolean)
}).annotations({ identifier: "LeadMapAttribute" })

/**
 * One lead field of `leads/describe.json`: its id, display name, type and length, and its
 * names in REST and in SOAP.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LeadAttribute = Schema.Struct({
  id: Schema.Int,
  displayName: Schema.String,
  dataType: Schema.String,
  length: optional(Schema.Int),
  rest: optional(LeadMapAttribute),
  soap: optional(LeadMapAttribute)
}).annotations({ identifier: "LeadAttribute" })
/**
 * The type of {@link LeadAttribute}.
 *
 * @since 0.1.0
 * @category models
 */
export interface LeadAttribute extends Schema.Schema.Type<typeof LeadAttribute> {}

/**
 * The answer of `leads/describe.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LeadDescribeResponse = Response(LeadAttribute).annotations({ identifier: "LeadDescribeResponse" })

/**
 * The paths mktows calls, relative to the REST base (`…/rest`).
 *
 * @since 0.1.0
 * @category constants
 */
export const paths = {
  opportunities: "/v1/opportunities.json",
  opportunitiesDelete: "/v1/opportunities/delete.json",
  opportunitiesDescribe: "/v1/opportunities/describe.json",
  roles: "/v1/opportunities/roles.json",
  rolesDelete: "/v1/opportunities/roles/delete.json",
  rolesDescribe: "/v1/opportunities/roles/describe.json",
  program: (id: number) => `/asset/v1/program/${id}.json`,
  programByName: "/asset/v1/program/byName.json",
  programsByTag: "/asset/v1/program/byTag.json",
  programs: "/asset/v1/programs.json",
  leadsDescribe: "/v1/leads/describe.json",
  tagTypes: "/asset/v1/tagTypes.json",
  channels: "/asset/v1/channels.json"
} as const

/**
 * The most records one sync, delete or query page carries.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxRecordsPerCall = 300

/**
 * The largest request body Marketo's REST API takes, in bytes ("1MB"; a larger one is answered
 * HTTP 413), read as a million: the client's requests stay within it, and the emulator answers
 * 413 above it.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxRequestBytes = 1_000_000

/**
 * The longest URI of a GET Marketo's REST API takes, in characters ("8KB"; a longer one is
 * answered HTTP 414: the query then goes as a POST with `_method=GET`).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxGetUriChars = 8_192

/**
 * The standard fields of an opportunity, by their REST names (Adobe's `describe` of
 * `opportunities`), `marketoGUID` and the timestamps included.
 *
 * @since 0.1.0
 * @category constants
 */
export const opportunityFieldNames = [
  "marketoGUID",
  "externalOpportunityId",
  "externalCompanyId",
  "externalSalesPersonId",
  "amount",
  "closeDate",
  "description",
  "expectedRevenue",
  "externalCreatedDate",
  "fiscal",
  "fiscalQuarter",
  "fiscalYear",
  "forecastCategoryName",
  "isClosed",
  "isWon",
  "lastActivityDate",
  "leadSource",
  "name",
  "nextStep",
  "probability",
  "quantity",
  "stage",
  "type",
  "createdAt",
  "updatedAt"
] as const

/**
 * The standard fields of an opportunity role, by their REST names (Adobe's `describe` of
 * `opportunities/roles`), `marketoGUID` and the timestamps included.
 *
 * @since 0.1.0
 * @category constants
 */
export const roleFieldNames = [
  "marketoGUID",
  "externalOpportunityId",
  "leadId",
  "role",
  "isPrimary",
  "externalCreatedDate",
  "createdAt",
  "updatedAt"
] as const

/**
 * The keys of the Lead Database objects as `describe` gives them: the id field, the dedupe
 * fields (one compound key for roles) and the searchable fields (each entry one key).
 *
 * @since 0.1.0
 * @category constants
 */
export const objectKeys = {
  opportunities: {
    idField: "marketoGUID",
    dedupeFields: ["externalOpportunityId"],
    searchableFields: [["externalOpportunityId"], ["marketoGUID"]]
  },
  roles: {
    idField: "marketoGUID",
    dedupeFields: ["externalOpportunityId", "leadId", "role"],
    searchableFields: [["externalOpportunityId", "leadId", "role"], ["marketoGUID"], ["leadId"], [
      "externalOpportunityId"
    ]]
  }
} as const

/**
 * The tag type under which SOAP gives a program's channel (a `Tag` of type `Channel`). The Asset
 * API keeps the channel apart from tags (`channels.json`; a program's `channel`), and its
 * program update cannot change it, so such a tag cannot be sent over REST.
 *
 * @since 0.1.0
 * @category constants
 */
export const channelTagType = "Channel"

/**
 * Adobe's REST error codes, with the messages of its error-code table, that mktows reads or
 * the emulator answers: response-level (6xx, 7xx) and record-level (1xxx).
 *
 * @since 0.1.0
 * @category constants
 */
export const errorCodes = {
  emptyAccessToken: { code: "600", message: "Access token empty" },
  invalidAccessToken: { code: "601", message: "Access token invalid" },
  expiredAccessToken: { code: "602", message: "Access token expired" },
  methodNotSupported: { code: "605", message: "HTTP Method not supported" },
  rateLimit: { code: "606", message: "Max rate limit exceeded" },
  dailyQuota: { code: "607", message: "Daily quota reached" },
  invalidJson: { code: "609", message: "Invalid JSON" },
  notFound: { code: "610", message: "Requested resource not found" },
  systemError: { code: "611", message: "System error" },
  invalidContentType: { code: "612", message: "Invalid Content Type" },
  concurrencyLimit: { code: "615", message: "Concurrent access limit reached" },
  cannotBeBlank: { code: "701", message: "cannot be blank" },
  noDataFound: { code: "702", message: "No data found for given search scenario" },
  businessRule: { code: "709", message: "Business rule violation" },
  transientError: { code: "713", message: "Transient Error" },
  lockWaitTimeout: { code: "719", message: "Lock wait timeout exception" },
  invalidValue: { code: "1001", message: "Invalid value" },
  missingParameter: { code: "1002", message: "Missing value for required parameter" },
  invalidData: { code: "1003", message: "Invalid data" },
  leadNotFound: { code: "1004", message: "Lead not found" },
  fieldNotFound: { code: "1006", message: "Field not found" },
  objectNotFound: { code: "1013", message: "Object not found" },
  alreadyExists: { code: "1017", message: "Object already exists" }
} as const

/**
 * The Lead Database query paths that take `POST …?_method=GET` (a query too long for a URL,
 * or a compound key), and the Asset paths of programs by name and by tag and of a tag type and a
 * channel by name, and the opportunity field schema.
 *
 * @since 0.1.0
 * @category constants
 */
export const morePaths = {
  opportunityFields: "/v1/opportunities/schema/fields.json",
  opportunityField: (name: string) => `/v1/opportunities/schema/fields/${name}.json`,
  programByName: "/asset/v1/program/byName.json",
  programByTag: "/asset/v1/program/byTag.json",
  tagTypeByName: "/asset/v1/tagType/byName.json",
  channelByName: "/asset/v1/channel/byName.json"
} as const

/**
 * The most items one Asset API browse answers (`maxReturn`), and its default.
 *
 * @since 0.1.0
 * @category constants
 */
export const assetPage = { max: 200, default: 20 } as const

/**
 * REST response-level codes that say the access token is invalid (601) or expired (602): the
 * client gets one new token and sends the request once more before it counts an
 * authentication failure.
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenCodes: ReadonlySet<string> = new Set(["601", "602"])

/**
 * REST response-level codes and the SOAP code whose handling they share, one table for the
 * client (core's `MarketoError.fromFault` classifies them and its retry rules apply unchanged)
 * and the emulator: 601/602 (after one refresh) and 603 are authentication failures; 606 and
 * 615 back off like 20023/20024 through the same limiter; 607 is the daily quota (20015).
 *
 * @since 0.1.0
 * @category constants
 */
export const soapCodeOf: ReadonlyMap<string, number> = new Map([
  ["601", 20014],
  ["602", 20014],
  ["603", 20013],
  ["606", 20023],
  ["615", 20024],
  ["607", 20015]
])

/**
 * Transient REST codes: the request may or may not have been applied, so they are ambiguous like
 * an HTTP 5xx: 604 (timeout), 608 (unavailable), 611 (system error), 614 (the subscription
 * unreachable, which Adobe's table says "usually indicates temporary inaccessibility"), 713 (a system resource
 * briefly unavailable: Adobe advises waiting and sending again), 719 (a lock wait timed out;
 * Adobe documents it for a program clone, and a lock that was busy may be free a moment later)
 * and 1029 (the export queue is full).
 *
 * @since 0.1.0
 * @category constants
 */
export const transientCodes: ReadonlySet<string> = new Set(["604", "608", "611", "614", "713", "719", "1029"])
