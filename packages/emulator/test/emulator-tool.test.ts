/**
 * The emulator as a tool for any language's tests, driven as such a test would: its own
 * process (the command line), plain HTTP for reset and objects, JSON files for the seed
 * and the data. Also the Seed format's errors, which name the path of the bad value.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Signature from "@mktows/core/Signature"
import type * as Wire from "@mktows/core/Wire"
import * as SoapCodec from "@mktows/xml/SoapCodec"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Seed from "../src/Seed.js"
import { demoCredentials, repoRoot, spawnEmulator } from "./helpers/spawnEmulator.js"

const credentials = { userId: demoCredentials.userId, encryptionKey: Redacted.make(demoCredentials.encryptionKey) }

const request = (url: string, init?: RequestInit) =>
  Effect.promise(() =>
    fetch(url, init).then(async (response) => ({ status: response.status, text: await response.text() }))
  )

const json = (url: string, init?: RequestInit) =>
  Effect.map(request(url, init), (response): unknown => JSON.parse(response.text))

const call = <Op extends Wire.Operation>(url: string, operation: Op, params: Wire.ParamsOf<Op>) =>
  Effect.gen(function*() {
    const header = yield* Signature.authenticationHeader(credentials)
    const response = yield* request(url, {
      method: "POST",
      headers: { "content-type": "text/xml; charset=utf-8" },
      body: SoapCodec.encodeRequest(operation, header, params)
    })
    return yield* SoapCodec.decodeResponse(operation, response.text)
  })

const insert = (url: string, name: string) =>
  call(url, "syncMObjects", {
    operation: "INSERT",
    mObjectList: [{ type: "Opportunity", attribList: [{ name: "Name", value: name }] }]
  })

// Starting the bin through tsx takes seconds on a loaded machine; two starts in one test.
const spawnTimeout = 150_000

const directory = () => mkdtempSync(join(tmpdir(), "mktows-emulator-"))

const seed: Seed.SeedData = {
  tagTypes: [{ type: "Channel", values: ["Webinar"] }],
  programs: [{ id: 5, name: "Spring Webinar", tags: [{ type: "Channel", value: "Webinar" }] }],
  companies: [{ id: 3, name: "Initech" }],
  leads: [{ id: 4, email: "peter@initech.example" }],
  opportunities: [{ id: 10, companyId: 3, fields: { Name: "Initech deal" } }],
  opportunityPersonRoles: [{ id: 11, opportunityId: 10, personId: 4, fields: { Role: "Buyer" } }]
}

const names = (objects: unknown) =>
  (objects as ReadonlyArray<{ readonly fields?: { readonly Name?: string } }>).map((o) => o.fields?.Name)

describe("Emulator as a test tool, over HTTP from another process", () => {
  it.live(
    "starts from --seed FILE, answers the store at /emulator/objects, and POST /emulator/reset goes back",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const seedFile = join(directory(), "seed.json")
        writeFileSync(seedFile, JSON.stringify(seed))
        const emulator = yield* spawnEmulator(["--seed", seedFile])
        const objects = (type: string) => json(`${emulator.origin}/emulator/objects?type=${type}`)
        expect(names(yield* objects("Opportunity"))).toEqual(["Initech deal"])
        expect(yield* objects("Program")).toMatchObject([{ id: 5, name: "Spring Webinar" }])
        yield* insert(emulator.endpoint, "New deal")
        expect(names(yield* objects("Opportunity"))).toEqual(["Initech deal", "New deal"])
        expect(yield* json(`${emulator.origin}/emulator/stats`)).toMatchObject({ calls: { syncMObjects: 1 } })

        expect((yield* request(`${emulator.origin}/emulator/reset`, { method: "POST" })).status).toBe(200)
        expect(names(yield* objects("Opportunity"))).toEqual(["Initech deal"])
        expect(yield* json(`${emulator.origin}/emulator/stats`)).toMatchObject({ calls: {}, faults: {} })
        // The whole store is itself a seed.
        const whole = yield* json(`${emulator.origin}/emulator/objects`)
        expect((yield* Seed.decode(whole)).opportunityPersonRoles).toMatchObject([{ id: 11, opportunityId: 10 }])
        expect((yield* request(`${emulator.origin}/emulator/objects?type=Nope`)).status).toBe(400)
      })),
    spawnTimeout
  )

  it.live(
    "keeps the store in --data FILE across restarts, written whole, and resets it to the seed",
    () =>
      Effect.gen(function*() {
        const dir = directory()
        const dataFile = join(dir, "store.json")
        yield* Effect.scoped(Effect.gen(function*() {
          const emulator = yield* spawnEmulator(["--data", dataFile])
          yield* insert(emulator.endpoint, "Kept")
          // Written before the call was answered, as a loadable seed.
          const kept = yield* Seed.fromJson(readFileSync(dataFile, "utf8"))
          expect(names(kept.opportunities)).toContain("Kept")
        }))
        yield* Effect.scoped(Effect.gen(function*() {
          const emulator = yield* spawnEmulator(["--data", dataFile])
          const after = yield* call(emulator.endpoint, "getMObjects", { type: "Opportunity" })
          const kept = (after.mObjectList ?? []).find((o) => o.attribList?.some((a) => a.value === "Kept"))
          expect(kept).toBeDefined()
          // New ids continue after the kept ones.
          const created = yield* insert(emulator.endpoint, "Second")
          expect(created.mObjStatusList[0]?.id).toBeGreaterThan(kept!.id!)
          yield* request(`${emulator.origin}/emulator/reset`, { method: "POST" })
          const reset = yield* Seed.fromJson(readFileSync(dataFile, "utf8"))
          expect(names(reset.opportunities)).toEqual(names(Seed.defaultSeed.opportunities))
        }))
        // Only the data file is left: every temporary file was renamed or removed.
        expect(readdirSync(dir)).toEqual(["store.json"])
      }),
    spawnTimeout
  )

  it.live("exits with code 2 and names the path of the bad value in a seed file", () =>
    Effect.gen(function*() {
      const seedFile = join(directory(), "bad.json")
      writeFileSync(
        seedFile,
        JSON.stringify({ ...seed, programs: [{ id: 5, name: "X", costs: [{ id: 1, month: "June", amount: 1 }] }] })
      )
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--conditions=source", "packages/emulator/src/bin/emulator.ts", "--seed", seedFile],
        { cwd: repoRoot }
      )
      const [code, stderr] = yield* Effect.async<[number | null, string]>((resume) => {
        let err = ""
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")))
        child.once("close", (exitCode) => resume(Effect.succeed([exitCode, err])))
      })
      expect(code).toBe(2)
      expect(stderr).toContain("programs[0].costs[0].month")
    }), spawnTimeout)
})

describe("Seed format", () => {
  const error = (input: unknown) => Effect.flip(Seed.decode(input, "seed.json"))

  it.effect("accepts the default seed and refuses bad values, naming the path", () =>
    Effect.gen(function*() {
      expect(yield* Seed.decode(Seed.defaultSeed)).toEqual(Seed.defaultSeed)
      expect((yield* error({ programs: [{ id: 0, name: "x" }] })).path).toBe("programs[0].id")
      expect((yield* error({ leads: [{ id: 1 }] })).path).toBe("leads[0].email")
      expect((yield* error({ opportunities: [{ id: 1, colour: "red" }] })).path).toBe("opportunities[0].colour")
      const missing = yield* error({ opportunityPersonRoles: [{ id: 1, opportunityId: 9, personId: 9 }] })
      expect(missing.message).toBe("seed.json: opportunityPersonRoles[0].opportunityId: no opportunity with id 9")
      const tag = yield* error({ programs: [{ id: 1, name: "x", tags: [{ type: "Channel", value: "Radio" }] }] })
      expect(tag.path).toBe("programs[0].tags[0]")
      const twice = yield* error({ companies: [{ id: 1, name: "a" }, { id: 1, name: "b" }] })
      expect(twice.path).toBe("companies[1].id")
      expect((yield* Effect.flip(Seed.fromJson("{", "f.json"))).message).toContain("f.json: not JSON")
    }))

  it.effect("refuses a field its type does not have, or a value of the wrong type: the store holds what a call could write", () =>
    Effect.gen(function*() {
      const bogus = yield* error({ opportunities: [{ id: 1, fields: { Name: "x", Bogus: "1" } }] })
      expect(bogus.path).toBe("opportunities[0].fields.Bogus")
      expect(bogus.message).toContain("no field 'Bogus'")
      const amount = yield* error({ opportunities: [{ id: 1, fields: { Amount: "abc" } }] })
      expect(amount.path).toBe("opportunities[0].fields.Amount")
      expect(amount.message).toContain("not a decimal number")
      const readOnly = yield* error({ opportunities: [{ id: 1, fields: { Id: "5" } }] })
      expect(readOnly.message).toContain("read-only")
      // A custom field is one the seed declares, checked by its declared type.
      const custom = yield* error({
        customFields: { Opportunity: [{ name: "Seats", dataType: "integer" }] },
        opportunities: [{ id: 1, fields: { Seats: "many" } }]
      })
      expect(custom.path).toBe("opportunities[0].fields.Seats")
      yield* Seed.decode({
        customFields: { Opportunity: [{ name: "Seats", dataType: "integer" }] },
        opportunities: [{ id: 1, fields: { Name: "ok", Amount: "12.5", Seats: "3" } }]
      })
    }))

  it.effect("keeps each seeded value as a write of it would: field names as declared, values and times canonical", () =>
    Effect.gen(function*() {
      const decoded = yield* Seed.decode({
        leads: [{ id: 19, email: "a@b" }],
        programs: [{
          id: 1,
          name: "p",
          createdAt: "2013-08-05T14:22:45-07:00",
          costs: [{ id: 1, month: "2013-06", amount: 0.0000001 }, { id: 2, month: "2013-06", amount: 1e21 }, {
            id: 3,
            month: "2013-06",
            amount: "0150.50"
          }]
        }],
        opportunities: [{
          id: 1,
          fields: {
            amount: "2000.00",
            IsWon: "true",
            ExternalCreatedDate: "2013-08-05T14:22:45-07:00",
            CloseDate: "2013-09-30T10:00:00Z"
          },
          createdAt: "2013-03-07T10:00:00Z"
        }]
      })
      expect(decoded.opportunities?.[0]).toEqual({
        id: 1,
        fields: {
          Amount: "2000",
          IsWon: "1",
          ExternalCreatedDate: "2013-08-05T21:22:45+00:00",
          CloseDate: "2013-09-30"
        },
        createdAt: "2013-03-07T10:00:00+00:00"
      })
      expect(decoded.programs?.[0]?.createdAt).toBe("2013-08-05T21:22:45+00:00")
      expect(decoded.programs?.[0]?.costs?.map((c) => c.amount)).toEqual([
        "0.0000001",
        "1000000000000000000000",
        "150.5"
      ])
    }))

  it.effect("refuses what cannot be kept as a write would keep it, naming the path", () =>
    Effect.gen(function*() {
      const at = (input: unknown) => Effect.map(error(input), (e) => [e.path, e.detail])
      expect(yield* at({ opportunities: [{ id: 1, createdAt: "March 7, 2013" }] })).toEqual([
        "opportunities[0].createdAt",
        expect.stringContaining("ISO 8601")
      ])
      expect(yield* at({ opportunities: [{ id: 1, fields: { Amount: "1", amount: "2" } }] })).toEqual([
        "opportunities[0].fields.amount",
        expect.stringContaining("'amount' and 'Amount' name one field")
      ])
      const role = {
        leads: [{ id: 19, email: "a@b" }],
        opportunities: [{ id: 1 }],
        opportunityPersonRoles: [{ id: 2, opportunityId: 1, personId: 19, fields: { OpportunityId: "999" } }]
      }
      expect(yield* at(role)).toEqual([
        "opportunityPersonRoles[0].fields.OpportunityId",
        expect.stringContaining("link")
      ])
      for (const name of ["Id", "externalOpportunityId", "name", "MARKETOGUID"]) {
        const clash = yield* at({ customFields: { Opportunity: [{ name, dataType: "string" }] } })
        expect(clash).toEqual(["customFields.Opportunity[0].name", expect.stringContaining("is taken by")])
      }
      const twice = yield* at({
        customFields: {
          OpportunityPersonRole: [{ name: "Seats", dataType: "integer" }, { name: "seats", dataType: "string" }]
        }
      })
      expect(twice).toEqual([
        "customFields.OpportunityPersonRole[1].name",
        expect.stringContaining("custom field Seats")
      ])
    }))
})
