/**
 * Models straight to their `<mObject>` XML: what the SOAP transport's model path sends. The
 * bytes are those of `MObject.toWire` written by the layout writer (the laws in
 * `test/modelXml.test.ts` hold them equal), without the wire records in between: an
 * Opportunity or a role is written from its fields, with no `Attrib` object, array or
 * association record made per field of every object sent. A Program (few per call, with its
 * costs, tags and tokens) goes through its wire record.
 *
 * @internal
 */
import * as Keys from "@mktows/core/Keys"
import * as MarketoTransport from "@mktows/core/MarketoTransport"
import * as MObject from "@mktows/core/MObject"
import type { Opportunity } from "@mktows/core/Opportunity"
import type { OpportunityPersonRole } from "@mktows/core/OpportunityPersonRole"
import * as StandardFields from "@mktows/core/StandardFields"
import * as Wire from "@mktows/core/Wire"
import type * as AST from "effect/SchemaAST"
import { escapeText, structOf, writeStruct } from "./layout.js"

const writeWireMObject = writeStruct(structOf(Wire.MObject.ast as AST.TypeLiteral))

interface Table {
  readonly fields: ReadonlyArray<StandardFields.StandardField<string>>
  /** Each field's `<attrib><name>…</name><value>`, made once. */
  readonly opens: ReadonlyArray<string>
}

const tableOf = (fields: ReadonlyArray<StandardFields.StandardField<string>>): Table => ({
  fields,
  opens: fields.map((f) => `<attrib><name>${escapeText(f.wire)}</name><value>`)
})
const opportunityTable = tableOf(StandardFields.opportunityFields)
const roleTable = tableOf(StandardFields.opportunityPersonRoleFields)

const attribClose = "</value></attrib>"

const keyXml = (key: Wire.Attrib): string =>
  `<name>${escapeText(key.name)}</name><value>${escapeText(key.value)}</value>`

/** `type`, `id`, `externalKey` and the timestamps, as toWire's header writes them. */
const headerXml = (model: Opportunity | OpportunityPersonRole): string => {
  let out = `<type>${model._tag}</type>`
  if (model.id !== undefined) out += `<id>${model.id}</id>`
  // Read once, as toWire reads it: a getter may answer anew each time.
  const key = model.externalKey
  if (key !== undefined) out += `<externalKey>${keyXml(key)}</externalKey>`
  if (model.createdAt !== undefined) out += `<createdAt>${escapeText(model.createdAt)}</createdAt>`
  if (model.updatedAt !== undefined) out += `<updatedAt>${escapeText(model.updatedAt)}</updatedAt>`
  return out
}

// Standard fields in table order, read as core's checks read them (what is sent was checked),
// then custom fields in insertion order.
const attribsXml = (
  model: Opportunity | OpportunityPersonRole,
  table: Table,
  custom: { readonly [name: string]: string }
): string => {
  const values = MarketoTransport.standardValues(model)
  const { fields, opens } = table
  let out = ""
  for (let i = 0; i < fields.length; i++) {
    const value = values[i]
    if (value !== undefined) {
      out += (opens[i] as string) +
        escapeText(MarketoTransport.fieldText((fields[i] as StandardFields.StandardField<string>).kind, value)) +
        attribClose
    }
  }
  // Object.keys, not for…in: a property added to Object.prototype is no field of the model.
  for (const name of Object.keys(custom)) {
    out += `<attrib><name>${escapeText(name)}</name><value>${escapeText(custom[name] as string)}` + attribClose
  }
  return out === "" ? "" : `<attribList>${out}</attribList>`
}

const associationXml = (mObjType: string, a: Keys.Association): string =>
  Keys.isById(a)
    ? `<mObjAssociation><mObjType>${mObjType}</mObjType><id>${a.id}</id></mObjAssociation>`
    : `<mObjAssociation><mObjType>${mObjType}</mObjType><externalKey>${
      keyXml(a.externalKey)
    }</externalKey></mObjAssociation>`

/** One model as its `<mObject>` element. */
export const mObjectXml = (model: MObject.MObject): string => {
  switch (model._tag) {
    case "Opportunity": {
      const company = model.company === undefined
        ? ""
        : `<associationList>${associationXml("Company", model.company)}</associationList>`
      return `<mObject>${headerXml(model)}${
        attribsXml(model, opportunityTable, model.customFields)
      }${company}</mObject>`
    }
    case "OpportunityPersonRole": {
      let links = ""
      if (model.lead !== undefined) links += associationXml("Lead", model.lead)
      if (model.opportunity !== undefined) links += associationXml("Opportunity", model.opportunity)
      return `<mObject>${headerXml(model)}${attribsXml(model, roleTable, model.customFields)}${
        links === "" ? "" : `<associationList>${links}</associationList>`
      }</mObject>`
    }
    case "Program":
      return `<mObject>${writeWireMObject(MObject.toWire(model))}</mObject>`
  }
}
