/**
 * The standard fields of each MObject type as the mapping and validation read them, and
 * what each kind of field holds, for messages.
 */
import type { Kind } from "../StandardFields.js"

// The tables are public (`StandardFields`, which REST extends); the machinery reads them here.
export { opportunityFields, opportunityPersonRoleFields } from "../StandardFields.js"
export type { Kind, StandardField } from "../StandardFields.js"

/** What a kind of field holds, for messages. */
export const expected: Record<Kind, string> = {
  text: "text",
  int: "an integer (xs:int)",
  decimal: "a finite decimal number",
  boolean: "a boolean (1, 0, true or false)",
  date: "a date YYYY-MM-DD",
  datetime: "a date-time YYYY-MM-DDThh:mm:ss±hh:mm",
  percent: "an integer from 0 to 100"
}
