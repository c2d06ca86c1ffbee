/**
 * The emulator's data: immutable records in ReadonlyMaps, built from seed data. Every
 * change makes a new State; the server keeps the current one in a SynchronizedRef.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import { canonicalDecimal, type DataType, type FieldDef, opportunityFields, roleFields } from "./fields.js"

/** @internal */
export interface Cost {
  readonly id: number
  /** `YYYY-MM` */
  readonly month: string
  /** A canonical decimal. */
  readonly amount: string
  readonly note?: string
}

/** @internal */
export interface Tag {
  readonly type: string
  readonly value: string
}

/** @internal */
export interface Program {
  readonly id: number
  readonly name: string
  readonly programType: string
  readonly workspace: string
  readonly createdAt: string
  readonly updatedAt: string
  readonly tags: ReadonlyArray<Tag>
  readonly costs: ReadonlyArray<Cost>
}

/** An Opportunity or an OpportunityPersonRole: fields by name, plus its links. @internal */
export interface Entity {
  readonly id: number
  readonly externalKey?: Wire.Attrib
  readonly createdAt: string
  readonly updatedAt: string
  /** Field values as kept (see `canonicalValue`), links and timestamps excluded. */
  readonly fields: ReadonlyMap<string, string>
  /** Opportunity: its Company. */
  readonly companyId?: number
  /** OpportunityPersonRole: its Opportunity and Lead. */
  readonly opportunityId?: number
  readonly personId?: number
}

/** A Lead or a Company: only what associations and roles refer to. @internal */
export interface Party {
  readonly id: number
  readonly name: string
  readonly externalKey?: Wire.Attrib
}

/** @internal */
export interface State {
  readonly programs: ReadonlyMap<number, Program>
  readonly opportunities: ReadonlyMap<number, Entity>
  readonly roles: ReadonlyMap<number, Entity>
  readonly leads: ReadonlyMap<number, Party>
  readonly companies: ReadonlyMap<number, Party>
  /** Tag type to its allowed values. */
  readonly tagTypes: ReadonlyMap<string, ReadonlyArray<string>>
  readonly opportunityFields: ReadonlyArray<FieldDef>
  readonly roleFields: ReadonlyArray<FieldDef>
  readonly nextId: {
    readonly Opportunity: number
    readonly OpportunityPersonRole: number
    readonly Cost: number
  }
}

/**
 * The initial data of an emulator.
 *
 * @internal
 */
export interface SeedData {
  readonly programs?: ReadonlyArray<{
    readonly id: number
    readonly name: string
    readonly type?: string
    readonly workspace?: string
    readonly tags?: ReadonlyArray<Tag>
    readonly costs?: ReadonlyArray<
      { readonly id: number; readonly month: string; readonly amount: number | string; readonly note?: string }
    >
  }>
  readonly tagTypes?: ReadonlyArray<{ readonly type: string; readonly values: ReadonlyArray<string> }>
  readonly opportunities?: ReadonlyArray<{
    readonly id: number
    readonly externalKey?: Wire.Attrib
    readonly fields?: { readonly [name: string]: string }
    readonly companyId?: number
  }>
  readonly opportunityPersonRoles?: ReadonlyArray<{
    readonly id: number
    readonly opportunityId: number
    readonly personId: number
    readonly externalKey?: Wire.Attrib
    readonly fields?: { readonly [name: string]: string }
  }>
  readonly leads?: ReadonlyArray<{ readonly id: number; readonly email: string; readonly externalKey?: Wire.Attrib }>
  readonly companies?: ReadonlyArray<{ readonly id: number; readonly name: string; readonly externalKey?: Wire.Attrib }>
  /** Custom fields describeMObject reports and syncMObjects accepts, per type. */
  readonly customFields?: {
    readonly Opportunity?: ReadonlyArray<{ readonly name: string; readonly dataType: DataType }>
    readonly OpportunityPersonRole?: ReadonlyArray<{ readonly name: string; readonly dataType: DataType }>
  }
}

/**
 * The objects Marketo's documented examples refer to, and a few more.
 *
 * @internal
 */
export const defaultSeed: SeedData = {
  tagTypes: [
    { type: "Channel", values: ["Trade Show", "Webinar", "Email", "Content", "Online Advertising"] },
    { type: "Region", values: ["EMEA", "Americas", "APAC"] }
  ],
  programs: [
    {
      id: 1970,
      name: "Summer Trade Show 2013",
      type: "Event",
      tags: [{ type: "Channel", value: "Trade Show" }],
      costs: [{ id: 153, month: "2013-06", amount: 1500, note: "Booth" }]
    },
    { id: 1001, name: "Welcome Emails", type: "Default", tags: [{ type: "Channel", value: "Email" }] },
    {
      id: 1002,
      name: "Product Webinar",
      type: "Event",
      tags: [{ type: "Channel", value: "Webinar" }, { type: "Region", value: "EMEA" }],
      costs: [{ id: 101, month: "2013-04", amount: 800 }]
    },
    { id: 1003, name: "Nurture Track", type: "Engagement" }
  ],
  companies: [
    { id: 7, name: "Acme Corp", externalKey: { name: "companyId", value: "COMP-1" } },
    { id: 8, name: "Globex", externalKey: { name: "companyId", value: "COMP-2" } }
  ],
  leads: [
    { id: 19, email: "jane.doe@example.com", externalKey: { name: "leadId", value: "LEAD-19" } },
    { id: 20, email: "john.roe@example.com" }
  ],
  opportunities: [
    {
      id: 64,
      externalKey: { name: "opportunityId", value: "OPP-64" },
      companyId: 7,
      fields: { Name: "Acme renewal", Type: "Renewal", Stage: "Prospecting", Amount: "12500", CloseDate: "2013-09-30" }
    },
    { id: 65, companyId: 8, fields: { Name: "Globex expansion", Type: "New Business", Stage: "Closed Won" } }
  ],
  opportunityPersonRoles: [{
    id: 30,
    opportunityId: 64,
    personId: 19,
    fields: { Role: "Decision Maker", IsPrimary: "1" }
  }],
  customFields: {
    Opportunity: [{ name: "opportunityId", dataType: "string" }, { name: "Region", dataType: "string" }],
    OpportunityPersonRole: []
  }
}

const epoch = Signature.formatTimestamp(Date.UTC(2013, 0, 1))

const maxId = (ids: Iterable<number>, floor: number): number => {
  let max = floor
  for (const id of ids) if (id > max) max = id
  return max
}

/**
 * The State a seed describes. Seeded objects carry a fixed creation time, so two
 * emulators built from one seed answer alike.
 *
 * @internal
 */
export const fromSeed = (seed: SeedData): State => {
  const custom = (defs: ReadonlyArray<{ name: string; dataType: DataType }> | undefined): Array<FieldDef> =>
    (defs ?? []).map((def) => ({ name: def.name, displayName: def.name, dataType: def.dataType, isCustom: true }))
  const programs = new Map<number, Program>(
    (seed.programs ?? []).map((p) => [p.id, {
      id: p.id,
      name: p.name,
      programType: p.type ?? "Default",
      workspace: p.workspace ?? "Default",
      createdAt: epoch,
      updatedAt: epoch,
      tags: p.tags ?? [],
      costs: (p.costs ?? []).map((c) => ({
        id: c.id,
        month: c.month.slice(0, 7),
        amount: canonicalDecimal(String(c.amount)) ?? "0",
        ...(c.note === undefined ? {} : { note: c.note })
      }))
    }])
  )
  const fieldsOf = (fields: { readonly [name: string]: string } | undefined) => new Map(Object.entries(fields ?? {}))
  const opportunities = new Map<number, Entity>(
    (seed.opportunities ?? []).map((o) => [o.id, {
      id: o.id,
      createdAt: epoch,
      updatedAt: epoch,
      fields: fieldsOf(o.fields),
      ...(o.externalKey === undefined ? {} : { externalKey: o.externalKey }),
      ...(o.companyId === undefined ? {} : { companyId: o.companyId })
    }])
  )
  const roles = new Map<number, Entity>(
    (seed.opportunityPersonRoles ?? []).map((r) => [r.id, {
      id: r.id,
      createdAt: epoch,
      updatedAt: epoch,
      fields: fieldsOf(r.fields),
      opportunityId: r.opportunityId,
      personId: r.personId,
      ...(r.externalKey === undefined ? {} : { externalKey: r.externalKey })
    }])
  )
  const party = (p: { id: number; name: string; externalKey?: Wire.Attrib }): [number, Party] => [p.id, {
    id: p.id,
    name: p.name,
    ...(p.externalKey === undefined ? {} : { externalKey: p.externalKey })
  }]
  const costIds = [...programs.values()].flatMap((p) => p.costs.map((c) => c.id))
  return {
    programs,
    opportunities,
    roles,
    leads: new Map((seed.leads ?? []).map((l) => party({ ...l, name: l.email }))),
    companies: new Map((seed.companies ?? []).map(party)),
    tagTypes: new Map((seed.tagTypes ?? []).map((t) => [t.type, t.values])),
    opportunityFields: [...opportunityFields, ...custom(seed.customFields?.Opportunity)],
    roleFields: [...roleFields, ...custom(seed.customFields?.OpportunityPersonRole)],
    nextId: {
      Opportunity: maxId(opportunities.keys(), 1000) + 1,
      OpportunityPersonRole: maxId(roles.keys(), 1000) + 1,
      Cost: maxId(costIds, 1000) + 1
    }
  }
}

/**
 * The object of a collection an external key names: among equal keys the most recently
 * added (highest id) wins, as Marketo documents for its non-unique external keys.
 *
 * @internal
 */
export const byExternalKey = <A extends { readonly id: number; readonly externalKey?: Wire.Attrib }>(
  objects: ReadonlyMap<number, A>,
  key: Wire.Attrib
): A | undefined => {
  let found: A | undefined
  for (const object of objects.values()) {
    if (
      object.externalKey !== undefined && object.externalKey.name === key.name &&
      object.externalKey.value === key.value && (found === undefined || object.id > found.id)
    ) found = object
  }
  return found
}
