/**
 * The emulator's command line, apart from the process that runs it so it can be tested:
 * flags first, then the environment for the credentials, then the defaults. The CLI listens
 * on 8080 by default (the documented command line); `Emulator.make` keeps 0.
 */
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { parseArgs } from "node:util"
import type { Options } from "../Emulator.js"
import * as Seed from "../Seed.js"
import { defaults as restDefaults } from "./rest/identity.js"
import { defaults } from "./server.js"

/**
 * What is wrong with a command line or environment; the public module turns it into its
 * `UsageError`, so this module needs nothing from it.
 *
 * @internal
 */
export class Problem extends Data.TaggedError("Problem")<{ readonly detail: string }> {}

/** @internal */
export const defaultPort = 8080

/** @internal */
export const env = {
  userId: "MKTOWS_EMULATOR_USER_ID",
  encryptionKey: "MKTOWS_EMULATOR_ENCRYPTION_KEY",
  clientId: "MKTOWS_EMULATOR_CLIENT_ID",
  clientSecret: "MKTOWS_EMULATOR_CLIENT_SECRET"
} as const

/** @internal */
export const usage = `usage: mktows-emulator [--host 127.0.0.1] [--port 8080] [--user-id ID] [--encryption-key KEY]
                       [--signature-ttl SECONDS] [--enforce-limits] [--latency MS] [--fault-rate R]
                       [--seed FILE] [--data FILE] [--client-id ID] [--client-secret SECRET] [--token-ttl SECONDS]
  (in the workspace: pnpm emulator …; in the command line: mktows emulator …)
  --port 0 picks a free port. --seed FILE starts from (and resets to) the objects of a JSON
  file in the seed format; --data FILE keeps the store in a JSON file across restarts. The
  credentials can also come from the environment, so the key stays out of the process list:
  ${env.userId}, ${env.encryptionKey}, ${env.clientId}, ${env.clientSecret} (flags win).
  --signature-ttl SECONDS  how far a SOAP requestTimestamp may be from now (default 900; 0: any)
  --enforce-limits         Marketo's limits: 100 calls per 20 s (20023), 10 at once (20024) and
                           the daily quota (20015); off by default
  --latency MS             added to every authenticated call before it is applied (default 0)
  --fault-rate R           the probability, 0 to 1, that a call meets a transient fault (20023,
                           20024, 20011) or a dropped connection (default 0)
  --token-ttl SECONDS      the lifetime of a REST access token (default 3600)

Default credentials (Marketo's documented demo pair for SOAP; the emulator's own for REST):
  SOAP  POST http://HOST:PORT/soap/mktows/2_2 (WSDL at ?WSDL)
        mktowsUserId ${defaults.userId}, encryption key ${defaults.encryptionKey}
  REST  http://HOST:PORT/rest (token: POST http://HOST:PORT/identity/oauth/token with
        grant_type=client_credentials, client_id ${restDefaults.clientId}, client_secret ${restDefaults.clientSecret})

Test endpoints, for suites in any language (JSON in and out):
  GET    /emulator/stats             calls by operation (REST by endpoint), faults by code, objects stored
  POST   /emulator/reset             back to the seed data; counters, limits, script and call log cleared
  GET    /emulator/objects[?type=T]  the store in the seed format (T: Program, Opportunity,
                                     OpportunityPersonRole, Lead or Company)
  POST   /emulator/seed              replace the store with a fixture in the --seed format (until a reset)
  POST   /emulator/script            the next calls, SOAP or REST, meet these steps in order:
                                     [{"fault": 20023}, {"delay": 500}, {"drop": true, "applied": true}]
                                     (a SOAP code is answered in REST's words: 20014 as 601, 20016 as 602, 20023 as 606, …)
  DELETE /emulator/script            forget the steps not yet met
  GET    /emulator/calls             the calls received, in order: protocol, operation, objects,
                                     outcome (no signatures, no tokens)`

const usageOf = (error: Seed.SeedError) => new Problem({ detail: error.message })

const number = (flag: string, text: string | undefined, check: (n: number) => boolean, expected: string) =>
  text === undefined
    ? Effect.succeed(undefined)
    : /^\d+(\.\d+)?$/.test(text) && check(Number(text))
    ? Effect.succeed(Number(text))
    : Effect.fail(new Problem({ detail: `--${flag} must be ${expected}, got '${text}'` }))

const notBlank = <A>(config: Config.Config<A>, text: (a: A) => string) =>
  Config.validate(config, { message: "must not be empty", validation: (a) => text(a).trim() !== "" })

// Config.option: an unset variable is "no value"; a set but empty one is an error, as for
// flags. The key is checked once redacted, so no error can carry it.
const environment = Config.all({
  userId: Config.option(Config.nested(notBlank(Config.string(), (text) => text), env.userId)),
  encryptionKey: Config.option(Config.nested(notBlank(Config.redacted(), Redacted.value), env.encryptionKey)),
  clientId: Config.option(Config.nested(notBlank(Config.string(), (text) => text), env.clientId)),
  clientSecret: Config.option(Config.nested(notBlank(Config.redacted(), Redacted.value), env.clientSecret))
})

const parseFlags = (args: ReadonlyArray<string>) =>
  Effect.try({
    try: () =>
      parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: false,
        options: {
          host: { type: "string" },
          port: { type: "string" },
          "user-id": { type: "string" },
          "encryption-key": { type: "string" },
          "signature-ttl": { type: "string" },
          "enforce-limits": { type: "boolean" },
          latency: { type: "string" },
          "fault-rate": { type: "string" },
          seed: { type: "string" },
          data: { type: "string" },
          "client-id": { type: "string" },
          "client-secret": { type: "string" },
          "token-ttl": { type: "string" },
          help: { type: "boolean", short: "h" }
        }
      }).values,
    catch: (error) => new Problem({ detail: error instanceof Error ? error.message : String(error) })
  })

/**
 * The emulator's options from a command line and the ConfigProvider (the environment when
 * run), or none when help was asked for. Error texts never carry the key.
 *
 * @internal
 */
export const options = (args: ReadonlyArray<string>): Effect.Effect<Option.Option<Options>, Problem> =>
  Effect.gen(function*() {
    const values = yield* parseFlags(args)
    if (values.help === true) return Option.none()
    const port = yield* number("port", values.port, (n) => Number.isInteger(n) && n <= 65535, "a port (0-65535)")
    const signatureTtl = yield* number("signature-ttl", values["signature-ttl"], () => true, "seconds (0 or more)")
    const latency = yield* number("latency", values.latency, () => true, "milliseconds (0 or more)")
    const faultRate = yield* number("fault-rate", values["fault-rate"], (n) => n <= 1, "a probability (0 to 1)")
    const tokenTtl = yield* number(
      "token-ttl",
      values["token-ttl"],
      (n) => Number.isInteger(n) && n > 0,
      "seconds (1 or more)"
    )
    for (const flag of ["host", "user-id", "encryption-key", "seed", "data", "client-id", "client-secret"] as const) {
      if (values[flag] !== undefined && values[flag].trim() === "") {
        return yield* Effect.fail(new Problem({ detail: `--${flag} must not be empty` }))
      }
    }
    const seed = values.seed === undefined ? undefined : yield* Effect.mapError(Seed.readFile(values.seed), usageOf)
    const restore = values.data === undefined
      ? Option.none()
      : yield* Effect.mapError(Seed.load(values.data), usageOf)
    const fromEnv = yield* Effect.mapError(environment, (error) => new Problem({ detail: String(error) }))
    const userId = Option.orElse(Option.fromNullable(values["user-id"]), () => fromEnv.userId)
    const encryptionKey = Option.orElse(
      Option.map(Option.fromNullable(values["encryption-key"]), Redacted.make),
      () => fromEnv.encryptionKey
    )
    const clientId = Option.orElse(Option.fromNullable(values["client-id"]), () => fromEnv.clientId)
    const clientSecret = Option.orElse(
      Option.map(Option.fromNullable(values["client-secret"]), Redacted.make),
      () => fromEnv.clientSecret
    )
    return Option.some<Options>({
      port: port ?? defaultPort,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(Option.isSome(userId) ? { userId: userId.value } : {}),
      ...(Option.isSome(encryptionKey) ? { encryptionKey: encryptionKey.value } : {}),
      ...(signatureTtl === undefined ? {} : { signatureTtl }),
      ...(values["enforce-limits"] === true ? { enforceLimits: true } : {}),
      ...(latency === undefined ? {} : { latency }),
      ...(faultRate === undefined ? {} : { faultRate }),
      ...(seed === undefined ? {} : { seed }),
      ...(values.data === undefined ? {} : { dataFile: values.data }),
      ...(Option.isSome(restore) ? { restore: restore.value } : {}),
      ...(Option.isSome(clientId) ? { clientId: clientId.value } : {}),
      ...(Option.isSome(clientSecret) ? { clientSecret: clientSecret.value } : {}),
      ...(tokenTtl === undefined ? {} : { tokenTtl })
    })
  })
