/**
 * The records of Marketo's mktows WSDL, as Schemas named after the WSDL types.
 *
 * These are the shapes that travel in a SOAP body, with the WSDL's `ArrayOfX` wrappers
 * written as arrays and `minOccurs="0"` elements as optional (absent, never null) keys.
 * A present-but-empty list (`[]`) and an absent list are kept apart, because the wire
 * keeps them apart. Every string is an {@link XmlText.XmlString}, so whatever a record
 * holds can be written as XML 1.0. `@mktows/xml` only turns these into XML and back.
 *
 * @since 0.1.0
 */
import * as Arbitrary from "effect/Arbitrary"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import { xsIntMax, xsIntMin } from "./Limits.js"
import { XmlString } from "./XmlText.js"

/**
 * An optional key that is absent when absent, never `undefined`:
 * `Schema.optionalWith(schema, { exact: true })`, as `minOccurs="0"` reads (and as
 * `exactOptionalPropertyTypes` wants). The one definition every mktows Schema uses.
 *
 * @since 0.1.0
 * @category schemas
 */
export const optional = <S extends Schema.Schema.All>(schema: S): Schema.optionalWith<S, { exact: true }> =>
  Schema.optionalWith(schema, { exact: true })

/**
 * The key of the {@link XmlAnnotation} on a Wire Schema (as `@effect/platform`'s
 * OpenApi annotations are keyed by a symbol).
 *
 * @since 0.1.0
 * @category annotations
 */
export const XmlAnnotationId: unique symbol = Symbol.for("@mktows/core/Wire/XmlAnnotation")

/**
 * The few facts of the XML form that a Schema does not say by itself. Everything else
 * (element names = property names, sequence order = declaration order, `minOccurs="0"` =
 * optional key, `nillable` = `Schema.NullOr`, complexType name = `identifier`) is read from
 * the Schema's AST by the SOAP codec and the XSD writer of `@mktows/xml`.
 *
 * @since 0.1.0
 * @category annotations
 */
export interface XmlAnnotation {
  /**
   * On an array: the element name of each item inside its `ArrayOfX` wrapper
   * (`attribList` holds `attrib` elements).
   */
  readonly item?: string
  /**
   * On an array: no wrapper; the property's element itself repeats (`maxOccurs="unbounded"`
   * directly in the sequence), as `objects` in listMObjects' result.
   */
  readonly unwrapped?: true
  /**
   * The XSD type of a simple value, qualified (`xs:int`, `tns:SyncOperationEnum`), where
   * the Schema's keyword does not name it (a string is `xs:string`, a boolean `xs:boolean`).
   */
  readonly xsdType?: string
}

const xml = (annotation: XmlAnnotation): { readonly [XmlAnnotationId]: XmlAnnotation } => ({
  [XmlAnnotationId]: annotation
})

/**
 * The {@link XmlAnnotation} of an AST node, if it has one.
 *
 * @since 0.1.0
 * @category annotations
 */
export const getXmlAnnotation = (ast: AST.AST): XmlAnnotation | undefined =>
  ast.annotations[XmlAnnotationId] as XmlAnnotation | undefined

/** An `ArrayOfX` list whose items are `<item>` elements. */
const arrayOf = <S extends Schema.Schema.Any>(item: string, schema: S) =>
  Schema.Array(schema).annotations(xml({ item }))

/**
 * `xs:int`: a 32-bit signed integer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const XsInt = Schema.Int.pipe(
  Schema.between(xsIntMin, xsIntMax),
  Schema.annotations({ identifier: "XsInt", ...xml({ xsdType: "xs:int" }) })
)

const dateTimePattern = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/

/**
 * `xs:dateTime`, kept as the text that was sent (Marketo echoes its own format back).
 *
 * @since 0.1.0
 * @category schemas
 */
export const XsDateTime = Schema.String.pipe(
  Schema.pattern(dateTimePattern),
  Schema.annotations({
    identifier: "XsDateTime",
    ...xml({ xsdType: "xs:dateTime" }),
    arbitrary: (): Arbitrary.LazyArbitrary<string> => (fc) =>
      fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true })
        .map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z"))
  })
)

/**
 * `SyncOperationEnum`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SyncOperation = Schema.Literal("INSERT", "UPDATE", "UPSERT").annotations(
  xml({ xsdType: "tns:SyncOperationEnum" })
)
/**
 * The type of {@link SyncOperation}.
 *
 * @since 0.1.0
 * @category models
 */
export type SyncOperation = typeof SyncOperation.Type

/**
 * `MObjStatusEnum`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MObjStatusEnum = Schema.Literal("CREATED", "UPDATED", "DELETED", "FAILED", "UNCHANGED", "SKIPPED")
  .annotations(xml({ xsdType: "tns:MObjStatusEnum" }))
/**
 * The type of {@link MObjStatusEnum}.
 *
 * @since 0.1.0
 * @category models
 */
export type MObjStatusEnum = typeof MObjStatusEnum.Type

/**
 * `ComparisonEnum`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ComparisonEnum = Schema.Literal("EQ", "NE", "LT", "LE", "GT", "GE").annotations(
  xml({ xsdType: "tns:ComparisonEnum" })
)
/**
 * The type of {@link ComparisonEnum}.
 *
 * @since 0.1.0
 * @category models
 */
export type ComparisonEnum = typeof ComparisonEnum.Type

/**
 * `Attrib`: a name/value pair.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Attrib = Schema.Struct({ name: XmlString, value: XmlString }).annotations({ identifier: "Attrib" })
/**
 * The type of {@link Attrib}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attrib extends Schema.Schema.Type<typeof Attrib> {}

/**
 * `TypeAttrib`: a typed group of attributes (a Program's `Cost` or `Tag` entries).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TypeAttrib = Schema.Struct({
  attrType: XmlString,
  attrList: optional(arrayOf("attrib", Attrib))
}).annotations({ identifier: "TypeAttrib" })
/**
 * The type of {@link TypeAttrib}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypeAttrib extends Schema.Schema.Type<typeof TypeAttrib> {}

/**
 * `MObjAssociation`: a link to another object, by id or by external key.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MObjAssociation = Schema.Struct({
  mObjType: XmlString,
  id: optional(XsInt),
  externalKey: optional(Attrib)
}).annotations({ identifier: "MObjAssociation" })
/**
 * The type of {@link MObjAssociation}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MObjAssociation extends Schema.Schema.Type<typeof MObjAssociation> {}

/**
 * `MObject`: one Marketo object as it travels.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MObject = Schema.Struct({
  type: XmlString,
  id: optional(XsInt),
  externalKey: optional(Attrib),
  createdAt: optional(XsDateTime),
  updatedAt: optional(XsDateTime),
  attribList: optional(arrayOf("attrib", Attrib)),
  typeAttribList: optional(arrayOf("typeAttrib", TypeAttrib)),
  associationList: optional(arrayOf("mObjAssociation", MObjAssociation))
}).annotations({ identifier: "MObject" })
/**
 * The type of {@link MObject}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MObject extends Schema.Schema.Type<typeof MObject> {}

/**
 * `MObjStatus`: the outcome of one object in a sync or delete.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MObjStatus = Schema.Struct({
  id: XsInt,
  externalKey: optional(Attrib),
  status: MObjStatusEnum,
  error: optional(XmlString)
}).annotations({ identifier: "MObjStatus" })
/**
 * The type of {@link MObjStatus}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MObjStatus extends Schema.Schema.Type<typeof MObjStatus> {}

/**
 * `MObjCriteria`: an attribute filter of getMObjects.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MObjCriteria = Schema.Struct({
  attrName: XmlString,
  comparison: ComparisonEnum,
  // Any simple value: Marketo compares numbers, dates and strings alike.
  attrValue: XmlString.annotations(xml({ xsdType: "xs:anySimpleType" }))
}).annotations({ identifier: "MObjCriteria" })
/**
 * The type of {@link MObjCriteria}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MObjCriteria extends Schema.Schema.Type<typeof MObjCriteria> {}

/**
 * `MObjFieldMetadata`: one field of describeMObject. Nillable elements are `null` when nil.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MObjFieldMetadata = Schema.Struct({
  name: XmlString,
  description: Schema.NullOr(XmlString),
  displayName: Schema.NullOr(XmlString),
  sourceObject: Schema.NullOr(XmlString),
  dataType: XmlString,
  size: Schema.NullOr(XsInt),
  isReadonly: Schema.Boolean,
  isUpdateBlocked: Schema.Boolean,
  isName: Schema.NullOr(Schema.Boolean),
  isPrimaryKey: Schema.Boolean,
  isCustom: Schema.Boolean,
  isDynamic: Schema.Boolean,
  dynamicFieldRef: Schema.NullOr(XmlString),
  updatedAt: XsDateTime
}).annotations({ identifier: "MObjFieldMetadata" })
/**
 * The type of {@link MObjFieldMetadata}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MObjFieldMetadata extends Schema.Schema.Type<typeof MObjFieldMetadata> {}

/**
 * `MObjectMetadata`: the result of describeMObject.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MObjectMetadata = Schema.Struct({
  name: XmlString,
  description: Schema.NullOr(XmlString),
  isCustom: Schema.Boolean,
  isVirtual: Schema.Boolean,
  fieldList: arrayOf("field", MObjFieldMetadata),
  updatedAt: XsDateTime
}).annotations({ identifier: "MObjectMetadata" })
/**
 * The type of {@link MObjectMetadata}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MObjectMetadata extends Schema.Schema.Type<typeof MObjectMetadata> {}

/**
 * `AuthenticationHeaderInfo`: the signed SOAP header of every call.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthenticationHeaderInfo = Schema.Struct({
  mktowsUserId: XmlString,
  requestSignature: XmlString,
  requestTimestamp: XmlString,
  audit: optional(XmlString),
  mode: optional(XsInt),
  /** Marketo's documented optional field for LaunchPoint partners (absent from the 2_2 WSDL). */
  partnerId: optional(XmlString)
}).annotations({ identifier: "AuthenticationHeaderInfo" })
/**
 * The type of {@link AuthenticationHeaderInfo}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthenticationHeaderInfo extends Schema.Schema.Type<typeof AuthenticationHeaderInfo> {}

/**
 * `ParamsSyncMObjects`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ParamsSyncMObjects = Schema.Struct({
  mObjectList: arrayOf("mObject", MObject),
  operation: SyncOperation
}).annotations({ identifier: "ParamsSyncMObjects" })
/**
 * The type of {@link ParamsSyncMObjects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParamsSyncMObjects extends Schema.Schema.Type<typeof ParamsSyncMObjects> {}

/**
 * `ParamsGetMObjects`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ParamsGetMObjects = Schema.Struct({
  type: XmlString,
  id: optional(XsInt),
  externalKey: optional(Attrib),
  mObjCriteriaList: optional(arrayOf("mObjCriteria", MObjCriteria)),
  mObjAssociationList: optional(arrayOf("mObjAssociation", MObjAssociation)),
  includeDetails: optional(Schema.Boolean),
  streamPosition: optional(XmlString)
}).annotations({ identifier: "ParamsGetMObjects" })
/**
 * The type of {@link ParamsGetMObjects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParamsGetMObjects extends Schema.Schema.Type<typeof ParamsGetMObjects> {}

/**
 * `ParamsDescribeMObject`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ParamsDescribeMObject = Schema.Struct({ objectName: XmlString }).annotations({
  identifier: "ParamsDescribeMObject"
})
/**
 * The type of {@link ParamsDescribeMObject}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParamsDescribeMObject extends Schema.Schema.Type<typeof ParamsDescribeMObject> {}

/**
 * `ParamsDeleteMObjects`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ParamsDeleteMObjects = Schema.Struct({ mObjectList: arrayOf("mObject", MObject) }).annotations({
  identifier: "ParamsDeleteMObjects"
})
/**
 * The type of {@link ParamsDeleteMObjects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParamsDeleteMObjects extends Schema.Schema.Type<typeof ParamsDeleteMObjects> {}

/**
 * `ParamsListMObjects`: no parameters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ParamsListMObjects = Schema.Struct({}).annotations({ identifier: "ParamsListMObjects" })
/**
 * The type of {@link ParamsListMObjects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParamsListMObjects extends Schema.Schema.Type<typeof ParamsListMObjects> {}

/**
 * `ResultSyncMObjects`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultSyncMObjects = Schema.Struct({ mObjStatusList: arrayOf("mObjStatus", MObjStatus) }).annotations({
  identifier: "ResultSyncMObjects"
})
/**
 * The type of {@link ResultSyncMObjects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultSyncMObjects extends Schema.Schema.Type<typeof ResultSyncMObjects> {}

/**
 * `ResultDeleteMObjects`: the same shape as the sync result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultDeleteMObjects = Schema.Struct({ mObjStatusList: arrayOf("mObjStatus", MObjStatus) }).annotations({
  identifier: "ResultDeleteMObjects"
})
/**
 * The type of {@link ResultDeleteMObjects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultDeleteMObjects extends Schema.Schema.Type<typeof ResultDeleteMObjects> {}

/**
 * `ResultGetMObjects`: one page of objects and the position of the next.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultGetMObjects = Schema.Struct({
  returnCount: XsInt,
  hasMore: Schema.Boolean,
  newStreamPosition: XmlString,
  mObjectList: optional(arrayOf("mObject", MObject))
}).annotations({ identifier: "ResultGetMObjects" })
/**
 * The type of {@link ResultGetMObjects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultGetMObjects extends Schema.Schema.Type<typeof ResultGetMObjects> {}

/**
 * `ResultDescribeMObject`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultDescribeMObject = Schema.Struct({ metadata: MObjectMetadata }).annotations({
  identifier: "ResultDescribeMObject"
})
/**
 * The type of {@link ResultDescribeMObject}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultDescribeMObject extends Schema.Schema.Type<typeof ResultDescribeMObject> {}

/**
 * `ResultListMObjects`: the names of the object types the instance knows.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultListMObjects = Schema.Struct({
  objects: Schema.Array(XmlString).annotations(xml({ unwrapped: true }))
}).annotations({
  identifier: "ResultListMObjects"
})
/**
 * The type of {@link ResultListMObjects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultListMObjects extends Schema.Schema.Type<typeof ResultListMObjects> {}

/**
 * The five MObject operations, each with the Schemas of its params and result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const operations = {
  syncMObjects: { params: ParamsSyncMObjects, result: ResultSyncMObjects },
  getMObjects: { params: ParamsGetMObjects, result: ResultGetMObjects },
  describeMObject: { params: ParamsDescribeMObject, result: ResultDescribeMObject },
  deleteMObjects: { params: ParamsDeleteMObjects, result: ResultDeleteMObjects },
  listMObjects: { params: ParamsListMObjects, result: ResultListMObjects }
} as const

/**
 * The name of an MObject operation, as in the WSDL and the SOAPAction.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = keyof typeof operations

/**
 * The operation names as a Schema, to check a name read from untrusted input (a request
 * element, a `SOAPAction`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Operation = Schema.Literal(
  ...(Object.keys(operations) as [keyof typeof operations, ...Array<keyof typeof operations>])
)

/**
 * The params record of an operation.
 *
 * @since 0.1.0
 * @category models
 */
export type ParamsOf<Op extends Operation> = Schema.Schema.Type<(typeof operations)[Op]["params"]>

/**
 * The result record of an operation.
 *
 * @since 0.1.0
 * @category models
 */
export type ResultOf<Op extends Operation> = Schema.Schema.Type<(typeof operations)[Op]["result"]>
