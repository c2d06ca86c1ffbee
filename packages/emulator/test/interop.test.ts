/**
 * Interoperability: third-party SOAP clients that only know the served WSDL (PHP's SoapClient,
 * Python's zeep, node-soap) create, read back and delete objects on the emulator. Each client
 * gets its own emulator process, so its `/emulator/stats` count only its own calls.
 *
 * A missing PHP soap extension or zeep skips its test with a notice, except under CI, where it
 * fails: there the point is to prove the interoperability, not to skip it.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { fileURLToPath } from "node:url"
import { demoCredentials, repoRoot, spawnEmulator } from "./helpers/spawnEmulator.js"
import { runNodeSoap } from "./interop/nodeSoapClient.js"
import { probe, type ProcessResult, runProcess } from "./interop/runProcess.js"

const ci = process.env.CI === "true"
const install = "apt-get install php-cli php-soap python3-zeep"
const script = (name: string) => fileURLToPath(new URL(`./interop/${name}`, import.meta.url))
const python = "/usr/bin/python3" // Debian's python3-zeep is not seen by a pyenv shim.
const timeout = 180_000

const clients = {
  php: {
    probe: probe("php", ["-r", "exit(class_exists('SoapClient') ? 0 : 3);"]),
    needs: "php with the soap extension"
  },
  zeep: { probe: probe(python, ["-c", "import zeep"]), needs: `${python} with zeep` }
}

/** A test for a client that may be absent: skipped with a notice locally, failed under CI. */
const clientTest = (
  client: keyof typeof clients,
  name: string,
  body: () => Effect.Effect<void, unknown>
) => {
  const { needs, probe: available } = clients[client]
  if (available.ok) {
    return it.live(name, body, timeout)
  }
  const notice = `${name}: needs ${needs} (${available.detail}); install it with: ${install}`
  if (ci) {
    return it.live(name, () => Effect.fail(new Error(notice)), timeout)
  }
  console.warn(`SKIPPED ${notice}`)
  return it.skip(name, () => {})
}

const Created = Schema.Struct({ id: Schema.Int, status: Schema.Literal("CREATED"), name: Schema.String })
const ReadBack = Schema.Struct({
  returnCount: Schema.Int,
  hasMore: Schema.Boolean,
  id: Schema.Int,
  name: Schema.String
})
const Deleted = Schema.Struct({ id: Schema.Int, status: Schema.Literal("DELETED") })
const AfterDelete = Schema.Struct({ returnCount: Schema.Int })
const AuthFault = Schema.Struct({ faultcode: Schema.String, faultstring: Schema.String, code: Schema.String })

const PhpSummary = Schema.Struct({
  client: Schema.Literal("php-soap"),
  programUpdate: Schema.Struct({ id: Schema.Int, status: Schema.String }),
  created: Created,
  readBack: Schema.Struct({ ...ReadBack.fields, companyIds: Schema.Array(Schema.Int) }),
  deleted: Deleted,
  afterDelete: AfterDelete,
  authFault: AuthFault
})
const ZeepSummary = Schema.Struct({
  client: Schema.Literal("zeep"),
  listMObjects: Schema.Array(Schema.String),
  created: Created,
  readBack: ReadBack,
  byCriteria: Schema.Struct({
    returnCount: Schema.Int,
    ids: Schema.Array(Schema.Int),
    companyIds: Schema.Array(Schema.Int)
  }),
  deleted: Deleted,
  afterDelete: AfterDelete,
  authFault: AuthFault
})

/** The client's JSON summary: the last line of its stdout, after it exited cleanly. */
const summaryOf = <A, I>(schema: Schema.Schema<A, I>, run: ProcessResult) =>
  Effect.gen(function*() {
    expect(run.code, `client failed\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`).toBe(0)
    const lines = run.stdout.trim().split("\n")
    return yield* Schema.decodeUnknown(Schema.parseJson(schema))(lines[lines.length - 1])
  })

// The emulator's `GET /emulator/stats`: calls by operation (counted before authentication),
// faults by code, sync/delete outcomes by object type and status, objects held by type.
const Counts = Schema.Record({ key: Schema.String, value: Schema.Int })
const Stats = Schema.Struct({
  calls: Counts,
  faults: Counts,
  objects: Schema.Record({ key: Schema.String, value: Counts }),
  stored: Counts
})

const emulatorStats = (origin: string) =>
  Effect.tryPromise(() => fetch(`${origin}/emulator/stats`).then((response) => response.json())).pipe(
    Effect.flatMap(Schema.decodeUnknown(Stats))
  )

interface RoundTrip {
  readonly created: { readonly id: number; readonly status: string; readonly name: string }
  readonly readBack: typeof ReadBack.Type
  readonly deleted: { readonly id: number; readonly status: string }
  readonly afterDelete: typeof AfterDelete.Type
  readonly authFault: typeof AuthFault.Type
}

const expectRoundTrip = (summary: RoundTrip) => {
  expect(summary.created.status).toBe("CREATED")
  expect(summary.created.id).toBeGreaterThan(0)
  expect(summary.readBack).toMatchObject({
    returnCount: 1,
    hasMore: false,
    id: summary.created.id,
    name: summary.created.name
  })
  expect(summary.deleted).toEqual({ id: summary.created.id, status: "DELETED" })
  expect(summary.afterDelete).toEqual({ returnCount: 0 })
  // The wrong-key call: Marketo's fault shape, parsed by the client itself.
  expect(summary.authFault.faultcode).toMatch(/(^|:)Client$/)
  expect(summary.authFault.faultstring).toMatch(/^20014 - /)
  expect(summary.authFault.code).toBe("20014")
}

describe("third-party SOAP clients against the emulator", () => {
  clientTest(
    "php",
    "PHP SoapClient runs Marketo's syncMObjects sample, then reads back and deletes",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const emulator = yield* spawnEmulator()
        const before = yield* emulatorStats(emulator.origin)
        const run = yield* runProcess(
          "php",
          [script("sync.php"), emulator.wsdlUrl, demoCredentials.userId, demoCredentials.encryptionKey],
          { cwd: repoRoot }
        )
        const summary = yield* summaryOf(PhpSummary, run)
        expect(summary.programUpdate).toEqual({ id: 1970, status: "UPDATED" })
        expectRoundTrip(summary)
        // Associated by the Company's external key companyId = COMP-1, read back by its id.
        expect(summary.readBack.companyIds).toEqual([7])
        const after = yield* emulatorStats(emulator.origin)
        expect(after.calls).toEqual({ syncMObjects: 2, getMObjects: 2, deleteMObjects: 1, listMObjects: 1 })
        expect(after.faults).toEqual({ "20014": 1 })
        expect(after.stored).toEqual(before.stored)
        expect(after.objects).toEqual({ Program: { UPDATED: 1 }, Opportunity: { CREATED: 1, DELETED: 1 } })
      }))
  )

  clientTest(
    "zeep",
    "zeep lists the MObject types, then creates, reads back and deletes an Opportunity",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const emulator = yield* spawnEmulator()
        const before = yield* emulatorStats(emulator.origin)
        const run = yield* runProcess(
          python,
          [script("zeep_client.py"), emulator.wsdlUrl, demoCredentials.userId, demoCredentials.encryptionKey],
          { cwd: repoRoot }
        )
        const summary = yield* summaryOf(ZeepSummary, run)
        expect(summary.listMObjects).toEqual(expect.arrayContaining(["Opportunity", "OpportunityPersonRole"]))
        expectRoundTrip(summary)
        expect(summary.byCriteria).toEqual({ returnCount: 1, ids: [summary.created.id], companyIds: [8] })
        const after = yield* emulatorStats(emulator.origin)
        expect(after.calls).toEqual({ listMObjects: 2, syncMObjects: 1, getMObjects: 3, deleteMObjects: 1 })
        expect(after.faults).toEqual({ "20014": 1 })
        expect(after.stored).toEqual(before.stored)
        expect(after.objects).toEqual({ Opportunity: { CREATED: 1, DELETED: 1 } })
      }))
  )

  it.live(
    "node-soap describes Opportunity, then creates, reads back and deletes one",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const emulator = yield* spawnEmulator()
        const before = yield* emulatorStats(emulator.origin)
        const summary = yield* runNodeSoap(emulator.wsdlUrl, demoCredentials)
        expect(summary.describe.name).toBe("Opportunity")
        expect(summary.describe.fields).toEqual(expect.arrayContaining(["Name", "Amount", "Stage"]))
        expectRoundTrip(summary)
        const after = yield* emulatorStats(emulator.origin)
        expect(after.calls).toEqual({
          describeMObject: 1,
          syncMObjects: 1,
          getMObjects: 2,
          deleteMObjects: 1,
          listMObjects: 1
        })
        expect(after.faults).toEqual({ "20014": 1 })
        expect(after.stored).toEqual(before.stored)
        expect(after.objects).toEqual({ Opportunity: { CREATED: 1, DELETED: 1 } })
      })),
    timeout
  )

  it.live(
    "spawnEmulator reports an emulator that exits before listening, with its stderr",
    () =>
      Effect.gen(function*() {
        const error = yield* Effect.scoped(spawnEmulator(["--port", "not-a-port"])).pipe(Effect.flip)
        expect(error.reason).toBe("Exited")
        expect(error.detail).toMatch(/code 2/)
        expect(error.stderr).toContain("--port")
      }),
    timeout
  )
})
