/**
 * The one way a location inside an input or a message is written, for every error that
 * names one: `objects[3].costs[0].month`, `params.criteria[1].comparison`,
 * `mObject.attribList[2]`.
 *
 * @internal
 */

/** A location: property names and array indexes, outermost first. */
export type Path = ReadonlyArray<PropertyKey>

/** `root` followed by `path`: names joined with `.`, indexes in brackets. */
export const formatPath = (path: Path, root: string = ""): string =>
  path.reduce<string>(
    (out, segment) =>
      typeof segment === "number"
        ? `${out}[${segment}]`
        : out === ""
        ? String(segment)
        : `${out}.${String(segment)}`,
    root
  )
