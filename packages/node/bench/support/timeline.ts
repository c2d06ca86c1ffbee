/**
 * When a batch's requests reach the server, and its answers come back: a TCP relay in front of the
 * server that notes the moment bytes pass it either way, so that any client (whatever its HTTP
 * library) can be watched the same way. For `bench:rest --timeline`; its CPU is this process's, so
 * the rounds that measure CPU never run through it.
 *
 * The relay runs on this process's event loop, as the clients do: it sees a request's bytes when the
 * client has written them and the loop has turned, which is when a server could have read them.
 */
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import type { Batch } from "./rounds.js"
import { median } from "./stats.js"

/** Milliseconds after a batch began: its first request bytes at the server, its first answer bytes back, its end. */
export interface BatchTimes {
  readonly firstRequest: number
  readonly firstAnswer: number
  readonly end: number
}

export interface Relay {
  /** The relay's `http://host:port`. */
  readonly base: string
  /** Runs `batch` once, timing what passes the relay. */
  readonly time: (batch: Batch) => Promise<BatchTimes | string>
}

/** A relay to `target` (an `http://host:port` base), closed with the scope. */
export const relay = (target: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Net.Server; readonly sockets: Set<Net.Socket>; readonly relay: Relay }, Error>(
      (resume) => {
        const url = new URL(target)
        let since: number | undefined
        let requests: Array<number> = []
        let answers: Array<number> = []
        const sockets = new Set<Net.Socket>()
        const server = Net.createServer((client) => {
          const upstream = Net.connect(Number(url.port), url.hostname)
          sockets.add(client).add(upstream)
          // Noted as the bytes pass; `pipe` forwards them, minding back-pressure.
          client.on("data", () => {
            if (since !== undefined) requests.push(performance.now() - since)
          })
          upstream.on("data", () => {
            if (since !== undefined) answers.push(performance.now() - since)
          })
          client.pipe(upstream)
          upstream.pipe(client)
          const close = () => {
            client.destroy()
            upstream.destroy()
            sockets.delete(client)
            sockets.delete(upstream)
          }
          client.on("close", close).on("error", close)
          upstream.on("close", close).on("error", close)
        })
        server.once("error", (error) => resume(Effect.fail(error)))
        server.listen(0, "127.0.0.1", () => {
          const address = server.address() as Net.AddressInfo
          resume(Effect.succeed({
            server,
            sockets,
            relay: {
              base: `http://127.0.0.1:${address.port}`,
              time: async (batch) => {
                requests = []
                answers = []
                since = performance.now()
                try {
                  const problem = await batch()
                  const end = performance.now() - since
                  if (problem !== undefined) return problem
                  const [firstRequest] = requests
                  const [firstAnswer] = answers
                  return firstRequest === undefined || firstAnswer === undefined
                    ? "no request passed the relay"
                    : { firstRequest, firstAnswer, end }
                } finally {
                  since = undefined
                }
              }
            }
          }))
        })
      }
    ),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        sockets.forEach((socket) => socket.destroy())
      })
  ).pipe(Effect.map(({ relay }) => relay))

/** The medians of `runs` timed batches after `warmup` untimed ones (each a median, in ms), or the first problem. */
export const timeline = async (
  relay: Relay,
  batch: Batch,
  options: { readonly warmup: number; readonly runs: number }
): Promise<BatchTimes | string> => {
  for (let i = 0; i < options.warmup; i++) {
    const problem = await batch()
    if (problem !== undefined) return problem
  }
  const times: Array<BatchTimes> = []
  for (let i = 0; i < options.runs; i++) {
    const timed = await relay.time(batch)
    if (typeof timed === "string") return timed
    times.push(timed)
  }
  return {
    firstRequest: median(times.map((t) => t.firstRequest)),
    firstAnswer: median(times.map((t) => t.firstAnswer)),
    end: median(times.map((t) => t.end))
  }
}
