/**
 * The emulator's data: immutable records in persistent Tables. Every change makes a new
 * State; the store keeps the current one.
 */
import type * as Wire from "@mktows/core/Wire"
import type { FieldDef } from "./fields.js"
import type { Table } from "./table.js"

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

/** A program's My Token. @internal */
export interface Token {
  readonly name: string
  readonly value: string
}

/** @internal */
export interface Program {
  readonly id: number
  readonly name: string
  readonly programType: string
  readonly workspace: string
  readonly workspaceId: number
  /** The folders between the workspace and the program, `/`-separated; may be empty. */
  readonly folder: string
  readonly archived: boolean
  readonly startDate?: string
  readonly endDate?: string
  readonly createdAt: string
  readonly updatedAt: string
  readonly tags: ReadonlyArray<Tag>
  readonly tokens: ReadonlyArray<Token>
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

/**
 * The group a role belongs to in `State.roles`: its opportunity, so deleting an opportunity
 * finds its roles without a scan.
 *
 * @internal
 */
export const rolesGroup = (role: Entity): number | undefined => role.opportunityId

/** @internal */
export interface State {
  readonly programs: Table<Program>
  readonly opportunities: Table<Entity>
  /** Grouped by their opportunity. */
  readonly roles: Table<Entity>
  readonly leads: Table<Party>
  readonly companies: Table<Party>
  /** Tag type to its allowed values. */
  readonly tagTypes: ReadonlyMap<string, ReadonlyArray<string>>
  readonly opportunityFields: ReadonlyArray<FieldDef>
  readonly roleFields: ReadonlyArray<FieldDef>
  /** The two lists above by name, built once per State rather than per object synced. */
  readonly fieldsByName: {
    readonly Opportunity: ReadonlyMap<string, FieldDef>
    readonly OpportunityPersonRole: ReadonlyMap<string, FieldDef>
  }
  readonly nextId: {
    readonly Opportunity: number
    readonly OpportunityPersonRole: number
    readonly Cost: number
  }
}
