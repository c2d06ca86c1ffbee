/**
 * The vocabulary the WSDL's type tables are written in, and how a table entry is written
 * out as XSD.
 *
 * A type is data (a name, its sequence of elements, each with its type, occurrence and
 * nillability), so a divergence from Marketo's contract is a one-line diff in a table and
 * the reference test can compare entry by entry.
 *
 * @internal
 */

/** How often an element of a sequence occurs: `minOccurs..maxOccurs`. */
export type Occurs = "1" | "0..1" | "0..n"

/** One element of a sequence. */
export interface Field {
  readonly name: string
  /** A qualified type name: `xs:string`, `tns:Attrib`, … */
  readonly type: string
  readonly occurs: Occurs
  readonly nillable: boolean
}

/** An element of a sequence; required, once, not nillable unless told. */
export const field = (name: string, type: string, occurs: Occurs = "1", nillable = false): Field => ({
  name,
  type,
  occurs,
  nillable
})

/** An `xs:complexType`: a sequence, possibly extending an (abstract) base type. */
export interface ComplexType {
  readonly _tag: "ComplexType"
  readonly name: string
  readonly fields: ReadonlyArray<Field>
  /** Declared `abstract="true"`: only its extensions appear on the wire (with `xsi:type`). */
  readonly abstract: boolean
  /** The type this one extends (`xs:complexContent/xs:extension`), its fields following the base's. */
  readonly base: string | undefined
}

/** An `xs:simpleType`: a restriction of `xs:string` to a list of values. */
export interface Enumeration {
  readonly _tag: "Enumeration"
  readonly name: string
  readonly values: ReadonlyArray<string>
}

/** One named type of the schema. */
export type TypeDefinition = ComplexType | Enumeration

/** A record: a sequence of elements. */
export const record = (name: string, fields: ReadonlyArray<Field>): ComplexType => ({
  _tag: "ComplexType",
  name,
  fields,
  abstract: false,
  base: undefined
})

/** An `ArrayOfX` wrapper: one repeated child element, possibly none. */
export const arrayOf = (name: string, item: string, itemType: string): ComplexType =>
  record(name, [field(item, itemType, "0..n")])

/** An abstract type with no elements of its own, extended by the types that can take its place. */
export const abstractType = (name: string): ComplexType => ({
  _tag: "ComplexType",
  name,
  fields: [],
  abstract: true,
  base: undefined
})

/** A record that extends `base` with `fields`. */
export const extension = (name: string, base: string, fields: ReadonlyArray<Field>): ComplexType => ({
  _tag: "ComplexType",
  name,
  fields,
  abstract: false,
  base
})

/** A string enumeration. */
export const enumeration = (name: string, values: ReadonlyArray<string>): Enumeration => ({
  _tag: "Enumeration",
  name,
  values
})

const occursAttributes: Record<Occurs, string> = {
  "1": `minOccurs="1" maxOccurs="1"`,
  "0..1": `minOccurs="0" maxOccurs="1"`,
  "0..n": `minOccurs="0" maxOccurs="unbounded"`
}

const renderSequence = (fields: ReadonlyArray<Field>, indent: string): ReadonlyArray<string> =>
  fields.length === 0 ? [`${indent}<xs:sequence/>`] : [
    `${indent}<xs:sequence>`,
    ...fields.map((f) =>
      `${indent}  <xs:element name="${f.name}" type="${f.type}" ${
        occursAttributes[f.occurs]
      } nillable="${f.nillable}"/>`
    ),
    `${indent}</xs:sequence>`
  ]

const renderComplexType = (type: ComplexType): ReadonlyArray<string> => {
  if (type.abstract) return [`  <xs:complexType name="${type.name}" abstract="true"/>`]
  if (type.base !== undefined) {
    return [
      `  <xs:complexType name="${type.name}">`,
      `    <xs:complexContent>`,
      `      <xs:extension base="${type.base}">`,
      ...renderSequence(type.fields, "        "),
      `      </xs:extension>`,
      `    </xs:complexContent>`,
      `  </xs:complexType>`
    ]
  }
  return [`  <xs:complexType name="${type.name}">`, ...renderSequence(type.fields, "    "), `  </xs:complexType>`]
}

const renderEnumeration = (type: Enumeration): ReadonlyArray<string> => [
  `  <xs:simpleType name="${type.name}">`,
  `    <xs:restriction base="xs:string">`,
  ...type.values.map((v) => `      <xs:enumeration value="${v}"/>`),
  `    </xs:restriction>`,
  `  </xs:simpleType>`
]

/** The XSD text of one type, indented for a place directly inside `xs:schema`. */
export const renderType = (type: TypeDefinition): string =>
  (type._tag === "Enumeration" ? renderEnumeration(type) : renderComplexType(type)).join("\n")
