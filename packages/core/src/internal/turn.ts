/**
 * Turns of the host's event loop between calls started together, so that each call's request
 * goes out as soon as it is encoded.
 *
 * Effect runs fibers in microtasks, and Node's `http` client writes a request in a
 * `process.nextTick` callback (where it gets its socket), which runs only once the microtask
 * queue is empty. Ten calls started at once therefore each checked, mapped and encoded their
 * request and handed it to the HTTP client, one fiber after the other, and no request reached
 * its socket before the tenth was encoded: against the emulator's REST side, ten calls of 300
 * opportunities wrote their first request 7–20 ms after they started, all ten within about
 * 1 ms, while Marketo waited and the application's event loop was held (docs/performance.md,
 * "Calls take turns").
 *
 * Now the first call to do its CPU-bound work in a turn of the loop does it at once; another
 * that comes before the loop has turned waits for the next turn (and so on), so between two
 * calls' encodings the requests already made are written and the answers already come are
 * read. The first call of a batch, or a call alone, never waits: a turn per call costs CPU (a
 * request written alone wakes its reader for itself), measured in docs/performance.md.
 *
 * A turn is `setImmediate` (Node, Bun: after pending I/O, with no timer's minimum delay). A
 * host without it (a browser) gets no turns: a timer chained from a timer is clamped to 4 ms
 * there and throttled to a second in a background tab, and `fetch` does not wait for the
 * microtasks to end before it sends. Nor does any call wait under a Clock other than the live
 * one (a TestClock): a test's virtual time would run ahead of calls waiting for real turns (a
 * job held by the rate limit finished at 306 virtual seconds instead of 200). Fake timers that
 * replaced `setImmediate` before the transport was built (Vitest's, Jest's, sinon's) hold the
 * second of two calls started together until the test moves them, as they hold the client's
 * time limits.
 *
 * A transport that does I/O offers turns (`MarketoTransportShape.turn`, made with
 * `HttpEdge.makeTurns`); one that answers in memory (the emulator's test kit) does not, so
 * calls through it run as they always did.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { isLive } from "./timeout.js"

interface Host {
  readonly setImmediate?: (callback: () => void) => unknown
}

const host = globalThis as Host

/**
 * One transport's turns: an effect that returns at once for the first call in a turn of the
 * event loop, and otherwise waits, first come first served, for a turn of its own.
 */
export const make = (): Effect.Effect<void> => {
  // Read once: fake timers installed after the transport is built do not hold its turns.
  const { setImmediate } = host
  if (setImmediate === undefined) return Effect.void
  // Whether this turn of the loop is taken, and who waits for the next ones, in order.
  let taken = false
  const waiting: Array<() => void> = []
  // On each turn the next caller in line, if any, has it.
  const pass = () => {
    const next = waiting.shift()
    if (next === undefined) {
      taken = false
      return
    }
    setImmediate(pass)
    next()
  }
  const take = Effect.async<void>((resume) => {
    if (!taken) {
      taken = true
      setImmediate(pass)
      resume(Effect.void)
      return
    }
    const mine = () => resume(Effect.void)
    waiting.push(mine)
    // Interrupted while waiting: out of the line, so that the turns go to those still waiting.
    return Effect.sync(() => {
      const at = waiting.indexOf(mine)
      if (at >= 0) waiting.splice(at, 1)
    })
  })
  return Effect.clockWith((clock) => isLive(clock) ? take : Effect.void)
}
