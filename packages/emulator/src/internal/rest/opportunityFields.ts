/**
 * `GET /rest/v1/opportunities/schema/fields.json` (paged by `batchSize`, `nextPageToken`)
 * and `GET …/schema/fields/{fieldApiName}.json`: the opportunity's fields as lead-field
 * records (the Swagger's `LeadField`). One endpoint: the name in the path picks one field.
 */
import * as RestWire from "@mktows/rest/RestWire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { FieldDef } from "../fields.js"
import { type Endpoint, envelope, intParam, param, refuse } from "./common.js"
import { restDataType } from "./describe.js"
import { defsOf, names, restNameOf } from "./records.js"

const system = (name: string, displayName: string, dataType: string) => ({
  displayName,
  name,
  description: "",
  dataType,
  isHidden: false,
  isHtmlEncodingInEmail: false,
  isSensitive: false,
  isCustom: false,
  isApiCreated: false
})

const fieldOf = (d: FieldDef) => ({
  displayName: d.displayName,
  name: restNameOf(d),
  description: d.description ?? "",
  dataType: restDataType(d.dataType),
  ...(d.size === undefined ? {} : { length: d.size }),
  isHidden: false,
  isHtmlEncodingInEmail: false,
  isSensitive: false,
  isCustom: d.isCustom === true,
  isApiCreated: d.isCustom === true
})

// A malformed escape (`%ZZ`, a cut UTF-8 sequence) names no field: undefined, not a defect.
const decodedPathName = (raw: string): string | undefined =>
  Either.getOrUndefined(Either.try(() => decodeURIComponent(raw)))

const pageToken = (offset: number) => Buffer.from(`fields:${offset}`).toString("base64url")

/** @internal */
export const endpoints: ReadonlyArray<Endpoint> = [{
  path: /^\/v1\/opportunities\/schema\/fields(?:\/([^/]+))?\.json$/,
  name: "opportunity fields",
  methods: ["GET"],
  reads: () => true,
  handle: ({ store }, request) =>
    Effect.gen(function*() {
      const state = yield* store.state
      const all = [
        system(names.id, "Marketo GUID", "string"),
        system(names.opportunity, "External Opportunity Id", "string"),
        system(names.company, "External Company Id", "string"),
        ...defsOf(state, "opportunities").map(fieldOf),
        system(names.createdAt, "Created At", "datetime"),
        system(names.updatedAt, "Updated At", "datetime")
      ]
      if (request.pathParam !== undefined) {
        const name = decodedPathName(request.pathParam)
        if (name === undefined) {
          return yield* refuse(
            RestWire.errorCodes.fieldNotFound,
            `'${request.pathParam}' is not valid percent-encoding`
          )
        }
        const field = all.find((f) => f.name === name)
        return field === undefined ? yield* refuse(RestWire.errorCodes.fieldNotFound, `'${name}'`) : envelope([field])
      }
      const batchSize = yield* intParam(request.params, "batchSize", { min: 1, max: 300, fallback: 300 })
      const token = param(request.params, "nextPageToken")
      const match = token === undefined
        ? ["", "0"]
        : /^fields:(\d{1,9})$/.exec(Buffer.from(token, "base64url").toString())
      if (match === null) return yield* refuse(RestWire.errorCodes.invalidData, "nextPageToken")
      const offset = Number(match[1])
      const more = offset + batchSize < all.length
      return envelope(
        all.slice(offset, offset + batchSize),
        more ? { moreResult: true, nextPageToken: pageToken(offset + batchSize) } : {}
      )
    })
}]
