/**
 * Seed data to State and back: `fromSeed` builds the State a seed describes (at start, on
 * reset, from a `--data` file), `toSeed` writes a State in the same format, so what
 * `GET /emulator/objects` answers and what `--data` keeps can be loaded again as a seed.
 */
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import type { SeedData } from "../Seed.js"
import { canonicalDecimal, type DataType, type FieldDef, opportunityFields, roleFields } from "./fields.js"
import { decimalOf } from "./rest/records.js"
import { Entity, type Party, type Program, rolesGroup, type State } from "./state.js"
import { Table } from "./table.js"

/**
 * A cost amount as the store keeps it: a JSON number as the plain decimal it denotes (as REST
 * reads one), a text as SOAP's sync reads it; `undefined` when it is no decimal.
 *
 * @internal
 */
export const costAmount = (amount: number | string): string | undefined =>
  typeof amount === "number" ? (Number.isFinite(amount) ? decimalOf(amount) : undefined) : canonicalDecimal(amount)

const epoch = Signature.formatTimestamp(Date.UTC(2013, 0, 1))

const maxId = (ids: Iterable<number>, floor: number): number => {
  let max = floor
  for (const id of ids) if (id > max) max = id
  return max
}

// `{ key: value }` when the seed gives a value, else nothing to spread: the State's records
// leave absent fields out (exactOptionalPropertyTypes) rather than holding `undefined`.
const presentAs = <K extends string, A>(key: K, value: A | undefined): { [P in K]?: A } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: A }

const custom = (defs: ReadonlyArray<{ name: string; dataType: DataType }> | undefined): Array<FieldDef> =>
  (defs ?? []).map((def) => ({ name: def.name, displayName: def.name, dataType: def.dataType, isCustom: true }))

const byName = (fields: ReadonlyArray<FieldDef>): ReadonlyMap<string, FieldDef> =>
  new Map(fields.map((field) => [field.name, field]))

type SeedProgram = NonNullable<SeedData["programs"]>[number]

const program = (p: SeedProgram): Program => ({
  id: p.id,
  name: p.name,
  ...presentAs("description", p.description),
  programType: p.type ?? "Marketing Program",
  workspace: p.workspace ?? "Default",
  workspaceId: p.workspaceId ?? 1,
  folder: p.folder ?? "",
  archived: p.archived ?? false,
  ...presentAs("startDate", p.startDate),
  ...presentAs("endDate", p.endDate),
  createdAt: p.createdAt ?? epoch,
  updatedAt: p.updatedAt ?? epoch,
  tags: p.tags ?? [],
  tokens: p.tokens ?? [],
  costs: (p.costs ?? []).map((c) => ({
    id: c.id,
    month: c.month.slice(0, 7),
    // A decoded seed's amount is already kept form; "0" only for one given in code unchecked.
    amount: costAmount(c.amount) ?? "0",
    ...presentAs("note", c.note)
  }))
})

/** Seed fields as pairs, names the definitions' own strings where there is one. */
const pairsOf = (
  defs: ReadonlyMap<string, FieldDef>,
  fields: { readonly [name: string]: string } | undefined
): Array<string> => Object.entries(fields ?? {}).flatMap(([name, value]) => [defs.get(name)?.name ?? name, value])

const party = (p: { id: number; name: string; externalKey?: Wire.Attrib | undefined }): Party => ({
  id: p.id,
  name: p.name,
  ...presentAs("externalKey", p.externalKey)
})

/**
 * The State a seed describes. Seeded objects without timestamps carry a fixed creation
 * time, so two emulators built from one seed answer alike.
 *
 * @internal
 */
export const fromSeed = (seed: SeedData): State => {
  const oppFields = [...opportunityFields, ...custom(seed.customFields?.Opportunity)]
  const personRoleFields = [...roleFields, ...custom(seed.customFields?.OpportunityPersonRole)]
  const fieldsByName = { Opportunity: byName(oppFields), OpportunityPersonRole: byName(personRoleFields) }
  const programs = Table.make<Program>((seed.programs ?? []).map(program))
  const opportunities = Table.make<Entity>(
    (seed.opportunities ?? []).map((o) =>
      Entity.make({
        id: o.id,
        createdAt: o.createdAt ?? epoch,
        updatedAt: o.updatedAt ?? epoch,
        pairs: pairsOf(fieldsByName.Opportunity, o.fields),
        externalKey: o.externalKey,
        companyId: o.companyId
      })
    )
  )
  const roles = Table.make<Entity>(
    (seed.opportunityPersonRoles ?? []).map((r) =>
      Entity.make({
        id: r.id,
        createdAt: r.createdAt ?? epoch,
        updatedAt: r.updatedAt ?? epoch,
        pairs: pairsOf(fieldsByName.OpportunityPersonRole, r.fields),
        opportunityId: r.opportunityId,
        personId: r.personId,
        externalKey: r.externalKey
      })
    ),
    rolesGroup
  )
  const costIds = [...programs.values()].flatMap((p) => p.costs.map((c) => c.id))
  return {
    programs,
    opportunities,
    roles,
    leads: Table.make((seed.leads ?? []).map((l) => party({ ...l, name: l.email }))),
    companies: Table.make((seed.companies ?? []).map(party)),
    tagTypes: new Map((seed.tagTypes ?? []).map((t) => [t.type, t.values])),
    opportunityFields: oppFields,
    roleFields: personRoleFields,
    fieldsByName,
    nextId: {
      Opportunity: Math.max(seed.nextId?.Opportunity ?? 0, maxId(opportunities.ids(), 1000) + 1),
      OpportunityPersonRole: Math.max(seed.nextId?.OpportunityPersonRole ?? 0, maxId(roles.ids(), 1000) + 1),
      Cost: Math.max(seed.nextId?.Cost ?? 0, maxId(costIds, 1000) + 1)
    }
  }
}

const customOf = (fields: ReadonlyArray<FieldDef>) =>
  fields.filter((f) => f.isCustom === true).map((f) => ({ name: f.name, dataType: f.dataType }))

/** The programs of a State in the seed format. @internal */
export const programsOf = (state: State): NonNullable<SeedData["programs"]> =>
  Array.from(state.programs.values(), (p) => ({
    id: p.id,
    name: p.name,
    ...presentAs("description", p.description),
    type: p.programType,
    workspace: p.workspace,
    workspaceId: p.workspaceId,
    ...(p.folder === "" ? {} : { folder: p.folder }),
    ...(p.archived ? { archived: true } : {}),
    ...presentAs("startDate", p.startDate),
    ...presentAs("endDate", p.endDate),
    ...(p.tags.length === 0 ? {} : { tags: p.tags }),
    ...(p.tokens.length === 0 ? {} : { tokens: p.tokens }),
    ...(p.costs.length === 0 ? {} : { costs: p.costs }),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt
  }))

const entityOf = (e: Entity) => ({
  id: e.id,
  ...presentAs("externalKey", e.externalKey),
  ...(e.fields.size === 0 ? {} : { fields: Object.fromEntries(e.fields) }),
  createdAt: e.createdAt,
  updatedAt: e.updatedAt
})

/** The opportunities of a State in the seed format. @internal */
export const opportunitiesOf = (state: State): NonNullable<SeedData["opportunities"]> =>
  Array.from(state.opportunities.values(), (o) => ({ ...entityOf(o), ...presentAs("companyId", o.companyId) }))

/** The roles of a State in the seed format. @internal */
export const rolesOf = (state: State): NonNullable<SeedData["opportunityPersonRoles"]> =>
  Array.from(state.roles.values(), (r) => ({
    ...entityOf(r),
    opportunityId: r.opportunityId ?? 0,
    personId: r.personId ?? 0
  }))

/** The leads of a State in the seed format. @internal */
export const leadsOf = (state: State): NonNullable<SeedData["leads"]> =>
  Array.from(state.leads.values(), (l) => ({ id: l.id, email: l.name, ...presentAs("externalKey", l.externalKey) }))

/** The companies of a State in the seed format. @internal */
export const companiesOf = (state: State): NonNullable<SeedData["companies"]> =>
  Array.from(state.companies.values(), (c) => ({ id: c.id, name: c.name, ...presentAs("externalKey", c.externalKey) }))

/**
 * A State as seed data: loading it again gives an equal State, ids to hand out included.
 *
 * @internal
 */
export const toSeed = (state: State): SeedData => ({
  tagTypes: Array.from(state.tagTypes, ([type, values]) => ({ type, values })),
  programs: programsOf(state),
  companies: companiesOf(state),
  leads: leadsOf(state),
  opportunities: opportunitiesOf(state),
  opportunityPersonRoles: rolesOf(state),
  customFields: {
    Opportunity: customOf(state.opportunityFields),
    OpportunityPersonRole: customOf(state.roleFields)
  },
  nextId: state.nextId
})
