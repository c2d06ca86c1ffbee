/**
 * A turn of the host's event loop, taken before a call's CPU-bound work (validating, mapping
 * and encoding its request), so that calls started together take turns with the I/O.
 *
 * Effect runs fibers in microtasks, and Node's `http` client writes a request in a
 * `process.nextTick` callback (where it gets its socket), which runs only once the microtask
 * queue is empty. Ten calls started at once therefore each encoded their request and handed it
 * to the HTTP client, one fiber after the other, and no request reached its socket before the
 * tenth was encoded: against the emulator's REST side, ten calls of 300 opportunities wrote
 * their first request 7–20 ms after they started, all ten within about 1 ms, while Marketo
 * waited and the application's event loop was held (docs/performance.md, "Calls take turns").
 * With a turn before each, a request goes out as soon as it is encoded,
 * Marketo works on it while the next is encoded, and the loop is never held longer than one
 * call's encoding.
 *
 * The turn is `setImmediate` where the host has it (Node, Bun: after pending I/O, with no
 * timer's minimum delay), else `setTimeout(…, 0)`. It is not the Clock's: no time passes for
 * a TestClock, and nothing waits on one.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

interface Immediate {
  readonly setImmediate?: (callback: () => void) => unknown
  readonly clearImmediate?: (handle: unknown) => void
}

const host = globalThis as Immediate

/** Resumes after the host's event loop has had a turn; interrupting it cancels the wait. */
export const turn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const { clearImmediate, setImmediate } = host
  if (setImmediate !== undefined && clearImmediate !== undefined) {
    const handle = setImmediate(() => resume(Effect.void))
    return Effect.sync(() => clearImmediate(handle))
  }
  const timer = setTimeout(() => resume(Effect.void), 0)
  return Effect.sync(() => clearTimeout(timer))
})
