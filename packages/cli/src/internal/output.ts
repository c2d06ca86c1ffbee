/**
 * What the command line prints, fit for where it goes: @effect/cli renders help and usage
 * errors with ANSI colours whatever the output is, so they are stripped when the stream is
 * not a terminal or when `NO_COLOR` is set (no-color.org: present and not empty). And the
 * usage errors @effect/cli words without the option's name (an invalid choice) are caught
 * before it parses, to name it.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

// CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks).
// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g

/** `text` without ANSI escape sequences. */
export const stripAnsi = (text: string): string => text.replace(ansi, "")

/** Whether colours belong on a stream: a terminal, and no `NO_COLOR`. */
export const colours = (isTerminal: boolean, noColor: string | undefined): boolean =>
  isTerminal && (noColor === undefined || noColor === "")

const strip = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" ? stripAnsi(arg) : arg))

/** `base` with colours removed from standard output (`out`) and standard error (`err`) as asked. */
export const plain = (base: Console.Console, keep: { readonly out: boolean; readonly err: boolean }): Console.Console =>
  keep.out && keep.err ? base : {
    ...base,
    log: (...args) => base.log(...(keep.out ? args : strip(args))),
    info: (...args) => base.info(...(keep.out ? args : strip(args))),
    error: (...args) => base.error(...(keep.err ? args : strip(args))),
    warn: (...args) => base.warn(...(keep.err ? args : strip(args)))
  }

/** Runs `effect` with colours only where they belong. */
export const withColoursWhereTheyBelong = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const noColor = process.env["NO_COLOR"]
    const keep = {
      out: colours(process.stdout.isTTY === true, noColor),
      err: colours(process.stderr.isTTY === true, noColor)
    }
    return Console.consoleWith((base) => Effect.withConsole(effect, plain(base, keep)))
  })

/** A choice option of a command: its flag and its values. */
export interface Choice {
  readonly flag: string
  readonly values: ReadonlyArray<string>
}

/**
 * The first value given to a choice option that is not one of its values, worded with the
 * option's name: `--type 'Opp' is not one of: Opportunity, OpportunityPersonRole, Program`.
 */
export const invalidChoice = (args: ReadonlyArray<string>, choices: ReadonlyArray<Choice>): Option.Option<string> => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ""
    if (arg === "--") break
    for (const choice of choices) {
      const value = arg === choice.flag
        ? args[i + 1]
        : arg.startsWith(`${choice.flag}=`)
        ? arg.slice(choice.flag.length + 1)
        : undefined
      if (value !== undefined && !choice.values.includes(value)) {
        return Option.some(`${choice.flag} '${value}' is not one of: ${choice.values.join(", ")}`)
      }
    }
  }
  return Option.none()
}

/**
 * Bash completions as @effect/cli writes them, with each choice a word of its own: it joins
 * them with commas in `compgen -W`, which splits on spaces, so `--type <TAB>` offered one
 * comma-joined word.
 */
export const fixBashChoices = (script: string): string =>
  script.replace(/compgen -W "([^"]*)"/g, (_, words: string) => `compgen -W "${words.split(",").join(" ")}"`)
