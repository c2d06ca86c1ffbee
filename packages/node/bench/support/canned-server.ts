/**
 * The canned server (a child process of `compare.ts`): node:http answering every POST with the
 * pre-built successSyncMObjects of the fixture's 100 objects (right for every call, since every
 * contender sends the same 100 keys), and `?WSDL` with the project's WSDL, for node-soap. It
 * reads each request to its end, so the client's send is measured too, and does nothing else:
 * the client is what is measured.
 *
 * Prints `canned server listening on URL` once ready.
 */
import * as Wsdl from "@mktows/xml/Wsdl"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { cannedAnswer } from "./fixture.js"

const answer = Buffer.from(cannedAnswer, "utf8")
const headers = { "content-type": "text/xml; charset=utf-8", "content-length": String(answer.length) }
let wsdl: Buffer | undefined

const server = createServer((request, response) => {
  if (request.method === "GET") {
    response.writeHead(200, { "content-type": "text/xml; charset=utf-8" })
    response.end(wsdl)
    return
  }
  request.on("data", () => {})
  request.on("end", () => {
    response.writeHead(200, headers)
    response.end(answer)
  })
})
server.keepAliveTimeout = 60_000

server.listen(0, "127.0.0.1", () => {
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/soap/mktows/2_2`
  wsdl = Buffer.from(Wsdl.render(endpoint), "utf8")
  process.stdout.write(`canned server listening on ${endpoint}\n`)
})

process.on("SIGTERM", () => server.close(() => process.exit(0)))
