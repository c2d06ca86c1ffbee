/**
 * Schema decoders for the values the layout reader builds, fast on the common path.
 *
 * Effect's decoder costs about as much as parsing the XML: it threads an `Either` and
 * an issue through every node. Here a Schema's AST is compiled once into plain checks
 * that call the very same refinement predicates (`XmlString`, `XsInt`, the patterns)
 * and build the same output (a fresh record with the declared keys in declaration
 * order, excess keys dropped, fresh arrays). Only a value every check accepts takes
 * this path. Anything else, and any Schema using a construct the compiler does not
 * know (transformations, declarations, unions of records, index signatures), goes to
 * `Schema.decodeUnknownEither`, which stays the authority: it produces every error,
 * with its path and message, and every value the checks do not vouch for.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/** What a check returns for a value it does not vouch for. */
export const rejected: unique symbol = Symbol("rejected")

/** A compiled check: the value (unchanged) when the Schema accepts it, else {@link rejected}. */
export type Check = (u: unknown) => unknown

/**
 * Refinements whose predicate the caller's values are known to satisfy already, so that
 * their check is only the check of what they refine (the reader's text has passed the scan,
 * which refuses every character `XmlString` refuses).
 */
export type Trusted = (refinement: AST.Refinement) => boolean

const trustNone: Trusted = () => false

/**
 * The check of a single value (a keyword, a literal, a refinement of one, or a union of
 * those), or undefined for a Schema that is none of these.
 */
export const compileValue = (ast: AST.AST, trusted: Trusted = trustNone): Check | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string" ? u : rejected
    case "NumberKeyword":
      return (u) => typeof u === "number" ? u : rejected
    case "BooleanKeyword":
      return (u) => typeof u === "boolean" ? u : rejected
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal ? u : rejected
    }
    case "Refinement": {
      const from = compileValue(ast.from, trusted)
      if (from === undefined) return undefined
      if (trusted(ast)) return from
      return (u) => {
        const a = from(u)
        return a === rejected || Option.isSome(ast.filter(a, AST.defaultParseOption, ast)) ? rejected : a
      }
    }
    case "Union": {
      const members: Array<Check> = []
      for (const member of ast.types) {
        const check = compileValue(member, trusted)
        if (check === undefined) return undefined
        members.push(check)
      }
      return (u) => {
        for (const member of members) {
          const a = member(u)
          if (a !== rejected) return a
        }
        return rejected
      }
    }
    default:
      return undefined
  }
}

const compile = (ast: AST.AST): Check | undefined => {
  switch (ast._tag) {
    case "Refinement": {
      // A refinement of a record or an array: the predicate sees the decoded value.
      const from = compile(ast.from)
      if (from === undefined) return undefined
      return (u) => {
        const a = from(u)
        return a === rejected || Option.isSome(ast.filter(a, AST.defaultParseOption, ast)) ? rejected : a
      }
    }
    case "TupleType": {
      // Only `Schema.Array(item)`.
      const rest = ast.rest[0]
      if (ast.elements.length > 0 || ast.rest.length !== 1 || rest === undefined) return undefined
      const item = compile(rest.type)
      if (item === undefined) return undefined
      return (u) => {
        if (!Array.isArray(u)) return rejected
        const out: Array<unknown> = new Array(u.length)
        for (let i = 0; i < u.length; i++) {
          const a = item(u[i])
          if (a === rejected) return rejected
          out[i] = a
        }
        return out
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) return undefined
      // Effect reads an empty struct as "anything but null and undefined", kept as it is.
      if (ast.propertySignatures.length === 0) return (u) => u === null || u === undefined ? rejected : u
      const fields: Array<readonly [name: string, optional: boolean, check: Check]> = []
      for (const ps of ast.propertySignatures) {
        const check = compile(ps.type)
        if (check === undefined || typeof ps.name !== "string") return undefined
        fields.push([ps.name, ps.isOptional, check])
      }
      return (u) => {
        if (typeof u !== "object" || u === null || Array.isArray(u)) return rejected
        const record = u as Readonly<Record<string, unknown>>
        const out: Record<string, unknown> = {}
        for (const [name, optional, check] of fields) {
          const present = Object.hasOwn(record, name)
          if (!present && optional) continue
          const a = check(present ? record[name] : undefined)
          if (a === rejected) return rejected
          out[name] = a
        }
        return out
      }
    }
    default:
      return compileValue(ast)
  }
}

/**
 * `Schema.decodeUnknownEither(schema)`, with the same results, faster for values the
 * schema accepts.
 */
export const decoder = <A, I>(
  schema: Schema.Schema<A, I, never>
): (u: unknown) => Either.Either<A, ParseResult.ParseError> => {
  const decode = Schema.decodeUnknownEither(schema)
  const check = compile(schema.ast)
  if (check === undefined) return decode
  return (u) => {
    const a = check(u)
    return a === rejected ? decode(u) : Either.right(a as A)
  }
}

/** Whether `schema` takes the fast path at all (for the tests). */
export const isCompiled = (schema: Schema.Schema.Any): boolean => compile(schema.ast) !== undefined
