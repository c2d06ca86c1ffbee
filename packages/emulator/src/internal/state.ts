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
  /** What the Asset API's update may set; SOAP does not show it. */
  readonly description?: string
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

/**
 * An Opportunity's or an OpportunityPersonRole's field values: names and values alternating
 * in one array, the names the field definitions' own strings. A store of a million objects
 * keeps one such array per object instead of a Map (a fifth of the memory); read as a Map.
 *
 * @internal
 */
export class FieldValues implements ReadonlyMap<string, string> {
  constructor(
    /** `[name, value, name, value, ...]`, each name once. */
    readonly pairs: ReadonlyArray<string>
  ) {}

  get size(): number {
    return this.pairs.length >>> 1
  }

  get(name: string): string | undefined {
    for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i] === name) return this.pairs[i + 1]
    return undefined
  }

  has(name: string): boolean {
    return this.get(name) !== undefined
  }

  *entries(): MapIterator<[string, string]> {
    for (let i = 0; i < this.pairs.length; i += 2) yield [this.pairs[i] ?? "", this.pairs[i + 1] ?? ""]
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.pairs.length; i += 2) yield this.pairs[i] ?? ""
  }

  *values(): MapIterator<string> {
    for (let i = 1; i < this.pairs.length; i += 2) yield this.pairs[i] ?? ""
  }

  forEach(f: (value: string, name: string, map: ReadonlyMap<string, string>) => void): void {
    for (let i = 0; i < this.pairs.length; i += 2) f(this.pairs[i + 1] ?? "", this.pairs[i] ?? "", this)
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries()
  }
}

/**
 * An Opportunity or an OpportunityPersonRole: field values, its links and its key, in one
 * compact object per stored object (a million of them is the store's size): the values as
 * one array of pairs, the key as two strings, ids as numbers.
 *
 * @internal
 */
export class Entity {
  constructor(
    readonly id: number,
    readonly createdAt: string,
    readonly updatedAt: string,
    /** Field values as kept (see `canonicalValue`), links and timestamps excluded: `[name, value, ...]`. */
    readonly pairs: ReadonlyArray<string>,
    readonly keyName: string | undefined,
    readonly keyValue: string | undefined,
    /** Opportunity: its Company. */
    readonly companyId: number | undefined,
    /** OpportunityPersonRole: its Opportunity and Lead. */
    readonly opportunityId: number | undefined,
    readonly personId: number | undefined
  ) {}

  static make(props: {
    readonly id: number
    readonly createdAt: string
    readonly updatedAt: string
    readonly pairs: ReadonlyArray<string>
    readonly externalKey?: Wire.Attrib | undefined
    readonly companyId?: number | undefined
    readonly opportunityId?: number | undefined
    readonly personId?: number | undefined
  }): Entity {
    return new Entity(
      props.id,
      props.createdAt,
      props.updatedAt,
      props.pairs,
      props.externalKey?.name,
      props.externalKey?.value,
      props.companyId,
      props.opportunityId,
      props.personId
    )
  }

  get externalKey(): Wire.Attrib | undefined {
    return this.keyName === undefined ? undefined : { name: this.keyName, value: this.keyValue ?? "" }
  }

  /** Field values by name (a view: read it, do not keep it). */
  get fields(): FieldValues {
    return new FieldValues(this.pairs)
  }
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
