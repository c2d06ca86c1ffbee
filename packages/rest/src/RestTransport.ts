/**
 * core's `MarketoTransport` over Marketo's REST APIs, so `MarketoClient` (validation,
 * chunking, limits, retries, outcomes, streams) runs unchanged against a live instance.
 *
 * | MObject operation | REST |
 * | --- | --- |
 * | syncMObjects Opportunity | `POST /rest/v1/opportunities.json` (INSERT createOnly, UPDATE updateOnly, UPSERT createOrUpdate) |
 * | syncMObjects OpportunityPersonRole | `POST /rest/v1/opportunities/roles.json` |
 * | syncMObjects Program (UPDATE) | `POST /rest/asset/v1/program/{id}.json`, form-encoded, costs appended, tags set |
 * | getMObjects | `GET …/opportunities.json`, `…/roles.json` (filterType, filterValues, fields, nextPageToken), `…/program/{id}.json`, `…/programs.json`, `…/program/byTag.json`; each program then by name (`…/program/byName.json`), the one read that gives its costs |
 * | describeMObject | `GET …/describe.json` |
 * | deleteMObjects | `POST …/delete.json` |
 * | listMObjects | none in REST: reads the opportunities' describe (kept per client), answers LeadRecord, Opportunity and OpportunityPersonRole |
 *
 * Errors, one table for every transport (core's `MarketoError.fromFault` classifies them):
 *
 * | REST | core |
 * | --- | --- |
 * | 601, 602 | a new token, the request once more; then `AuthFault` |
 * | 603, identity HTTP 401 | `AuthFault` |
 * | 606, 615 | `MarketoFault` 20023/20024: backed off through the client's limiter |
 * | 607 | 20015: `QuotaExceeded` |
 * | 604, 608, 611, 614, 713, 719, 1029, HTTP 5xx, a 2xx other than 200 | ambiguous `TransportError`: retried where repeating is harmless, else IN_DOUBT |
 * | other codes (609, 610, …) of a program request | that program FAILED (SKIPPED on 702, no such program) |
 * | other codes of a record request | its records FAILED with the code and message |
 * | other codes of a read (1003, 1006, …) | `MarketoFault` with the REST code and Adobe's meaning of it |
 * | a read by a field the instance's describe does not search alone | refused before the query is sent (`refuseRead`: a `ValidationError` naming the fields it searches) |
 * | record `skipped` of an INSERT with 1005/1017 (exists), of an UPDATE with 1013 (not found) | SKIPPED: the operation skips it by design |
 * | record `skipped` of a delete with 1013/1004 (not found); with 1005/1017 | UNCHANGED; SKIPPED |
 * | record `skipped` otherwise (any UPSERT, 1004 (a role's lead not found) under every sync, other codes) | FAILED, `error` = `code: message; …` |
 *
 * The transport only moves requests and reports what it saw: timeouts, counts and retries
 * (besides the one token refresh) are the client's.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { MarketoTransport, type MarketoTransportShape } from "@mktows/core/MarketoTransport"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/transport.js"
import type { RestConfig } from "./RestConfig.js"
import * as RestIdentity from "./RestIdentity.js"

/**
 * Options of {@link make} and {@link layer}, as `SoapTransport`'s.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The largest response body read; 10 MiB (`Limits.maxMessageBytes`) when absent. */
  readonly maxResponseBytes?: number
}

/**
 * Builds the transport from the `HttpClient`, `RestConfig` and `RestIdentity` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<MarketoTransportShape, never, HttpClient.HttpClient | RestConfig | RestIdentity.RestIdentity> =
  internal.make

/**
 * The REST transport as core's `MarketoTransport`, with its own token cache; a function of
 * its options, like `SoapTransport.layer`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<MarketoTransport, never, HttpClient.HttpClient | RestConfig> =>
  Layer.effect(MarketoTransport, make(options)).pipe(Layer.provide(RestIdentity.layer))
