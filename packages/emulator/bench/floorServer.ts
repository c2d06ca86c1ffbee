/**
 * The floor server for `floor.bench.ts`: plain node:http, no Effect, no signature check, no
 * validation, no limits. Each syncMObjects UPSERT's objects go into a Map filled beforehand
 * with `--prefill N` opportunities, and the answer is the emulator's success envelope (one
 * mObjStatus per object, CREATED or UPDATED, with its id) written by a template string. Its
 * own CPU time is answered over IPC, as `server.ts` does, so the bench charges the server
 * alone. Prints `listening on URL` once it accepts calls.
 *
 * `--mode`:
 * - `fxp`: the body parsed by fast-xml-parser (`floorParse.ts`), the floor;
 * - `noparse`: the body read as text, not parsed: 100 objects made up with fresh keys (the
 *   floor without the parse);
 * - `httponly`: the body read, a fixed answer of the same size sent (node:http alone).
 *
 *   node --import tsx packages/emulator/bench/floorServer.ts --mode fxp --prefill 100000
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { batch, type FloorObject, makeParse } from "./floorParse.js"

const modes = ["fxp", "noparse", "httponly"] as const
type Mode = typeof modes[number]
const isMode = (s: string | undefined): s is Mode => modes.some((m) => m === s)

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? undefined : process.argv[at + 1]
}
const modeFlag = flag("mode") ?? "fxp"
const prefill = Number(flag("prefill") ?? "100000")

const store = new Map<string, FloorObject>()
for (let i = 0; i < prefill; i++) {
  store.set(`FILL-${i}`, {
    type: "Opportunity",
    keyName: "opportunityId",
    key: `FILL-${i}`,
    fields: { Name: `Filled deal ${i}`, Amount: String(1000 + i), Stage: "Prospecting" },
    companyKey: "COMP-1",
    id: 2_000_000 + i
  })
}
let nextId = 3_000_000

const head = `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.marketo.com/mktows/" ` +
  `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><SOAP-ENV:Body><ns1:successSyncMObjects><result>` +
  `<mObjStatusList>`
const tail = `</mObjStatusList></result></ns1:successSyncMObjects></SOAP-ENV:Body></SOAP-ENV:Envelope>`
// Key name and key go back as the request wrote them (the parse decodes no reference), so
// they are still escaped and the answer is well-formed without escaping them again.
const statusXml = (id: number, keyName: string, key: string, status: string): string =>
  `<mObjStatus><id>${id}</id><externalKey><name>${keyName}</name><value>${key}</value></externalKey>` +
  `<status>${status}</status></mObjStatus>`

/** Upserts the objects by key; the answer's XML. */
const upsert = (objects: ReadonlyArray<FloorObject>): string => {
  let xml = head
  for (const o of objects) {
    const existing = store.get(o.key)
    if (existing === undefined) {
      o.id = nextId++
      store.set(o.key, o)
      xml += statusXml(o.id, o.keyName, o.key, "CREATED")
    } else {
      existing.fields = o.fields
      existing.companyKey = o.companyKey
      xml += statusXml(existing.id, o.keyName, o.key, "UPDATED")
    }
  }
  return xml + tail
}

// noparse: the request's shape of values, fresh keys every call.
let madeUp = 0
const madeUpObjects = (): Array<FloorObject> => {
  const objects: Array<FloorObject> = []
  for (let k = 0; k < batch; k++) {
    const n = madeUp++
    objects.push({
      type: "Opportunity",
      keyName: "opportunityId",
      key: `NOPARSE-${n}`,
      fields: { Name: `Bench deal ${n}`, Amount: String(1000 + n), Stage: "Prospecting" },
      companyKey: "COMP-1",
      id: 0
    })
  }
  return objects
}

// httponly: one answer of the same size and shape, made once.
const fixed = Buffer.from(
  head +
    Array.from({ length: batch }, (_, k) => statusXml(3_000_000 + k, "opportunityId", `HTTP-100000-${k}`, "CREATED"))
      .join("") +
    tail
)

const serve = (mode: Mode) => {
  const parse = makeParse()
  const answerFor = (body: Buffer): Buffer | string => {
    if (mode === "httponly") return fixed
    const text = body.toString("utf8")
    return upsert(mode === "fxp" ? parse(text) : madeUpObjects())
  }
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    if (req.method !== "POST") {
      res.writeHead(404).end()
      return
    }
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const answer = answerFor(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
      res.writeHead(200, {
        "content-type": "text/xml; charset=utf-8",
        "content-length": typeof answer === "string" ? Buffer.byteLength(answer) : answer.length
      })
      res.end(answer)
    })
  })
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    console.log(`listening on http://127.0.0.1:${port}/soap/mktows/2_2 (mode ${mode}, stored ${store.size})`)
  })
}

// The parent asks for this process's CPU time (µs) between segments.
// A parent that dies (killed, or a test's timeout) leaves no server behind: the IPC channel closes.
process.on("disconnect", () => process.exit(0))
process.on("message", (message) => {
  if (message === "cpu") {
    const { system, user } = process.cpuUsage()
    process.send?.({ cpu: user + system })
  } else if (message === "exit") {
    process.exit(0)
  }
})

if (isMode(modeFlag)) {
  serve(modeFlag)
} else {
  process.stderr.write(`floorServer: unknown --mode ${modeFlag} (one of ${modes.join(", ")})\n`)
  process.exit(1)
}
