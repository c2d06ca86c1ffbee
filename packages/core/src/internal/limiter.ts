/**
 * A client-side limiter for Marketo's published limits: at most `calls` calls in any
 * sliding `window`, and at most `inFlight` calls at once. One limiter is shared by every
 * call of one client, so concurrent jobs through the same client add up correctly.
 *
 * A call counts in the window from the moment it ends, not the moment it starts: Marketo
 * counts a call when it receives it, which can be well after the client started it (signing,
 * encoding, the network, the server's queue), and the end is the latest moment it can have
 * been received. Counting starts would let call n+100 reach the server less than a window
 * after call n and trip 20023.
 *
 * Time comes from `Clock`, so `TestClock` drives it.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** @internal */
export interface LimiterOptions {
  /** Calls allowed in any window. */
  readonly calls: number
  readonly window: Duration.Duration
  /** Calls allowed at the same instant. */
  readonly inFlight: number
}

/** @internal */
export interface Limiter {
  /** Runs `effect` as one call: waits for an in-flight slot and a place in the window. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/** @internal */
export const make = (options: LimiterOptions): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const windowMillis = Duration.toMillis(options.window)
    const inFlight = yield* Effect.makeSemaphore(Math.max(1, options.inFlight))
    // One fiber at a time reads and writes the counts below, so plain variables are only ever
    // touched under this gate (or by a finishing call, which only records its own end);
    // waiters queue on the gate in arrival order.
    const gate = yield* Effect.makeSemaphore(1)
    const calls = Math.max(1, options.calls)
    // The calls that still count: those running, and the end times of those that ended less
    // than a window ago, oldest first. Ends are recorded as calls finish, so the queue is in
    // time order and the calls that left the window are always at its head: each reservation
    // costs O(1) however large `calls` is (a scan of every entry made a generous limit, such as
    // 1e9 for tests and benchmarks, quadratic).
    let running = 0
    const ends: Array<number> = []
    let head = 0
    const dropExpired = (now: number) => {
      while (head < ends.length && (ends[head] ?? Infinity) + windowMillis <= now) head++
      // Compacted now and then, so the queue never holds more than a window's worth of ends.
      if (head > 1024 && head * 2 > ends.length) {
        ends.splice(0, head)
        head = 0
      }
    }
    // Completed when a running call ends, so a waiter blocked only by running calls wakes;
    // made by the first waiter, so that a call nobody waits for costs no Deferred.
    let ended: Deferred.Deferred<void> | undefined
    // When the last wait was announced. A job held by the limit has every queued call wait in
    // turn; one line per call (a hundred for a 20,000-object job) drowns what a user needs to
    // know, so a wait is announced once per window: the next line means the job is still held.
    let announcedAt: number | undefined

    // Runs inside acquireUseRelease's uninterruptible acquire, so that a reserved place is
    // always released; the waits are made interruptible explicitly, so that a caller giving
    // up (a timeout, Stream.take, a failed sibling) is not held for up to a window.
    const reserve: Effect.Effect<void> = Effect.gen(function*() {
      yield* Effect.interruptible(gate.take(1))
      return yield* Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeMillis
          // A call that ended at `t` counts for the windows that contain it: it leaves once
          // `now >= t + window`. Running calls never leave.
          dropExpired(now)
          if (running + ends.length - head < calls) {
            running++
            return
          }
          if (ended === undefined) ended = yield* Deferred.make<void>()
          const wake = Deferred.await(ended)
          const oldest = ends[head]
          if (oldest !== undefined) {
            const waitMillis = oldest + windowMillis - now
            // Info, not Debug: a job that slows down to stay inside the limit says why.
            const announce = announcedAt === undefined || now - announcedAt >= windowMillis
            if (announce) announcedAt = now
            yield* (announce ? Effect.logInfo : Effect.logDebug)("waiting for the client-side rate limit").pipe(
              Effect.annotateLogs({
                "mktows.reason": "rateLimit",
                "mktows.waitMillis": waitMillis,
                "mktows.calls": calls,
                "mktows.windowMillis": windowMillis
              })
            )
            yield* Effect.interruptible(Effect.race(Effect.sleep(Duration.millis(waitMillis)), wake))
          } else {
            yield* Effect.interruptible(wake)
          }
        }
      }).pipe(Effect.ensuring(gate.release(1)))
    })

    const finish = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      running--
      ends.push(now)
      const waiting = ended
      ended = undefined
      return waiting === undefined ? Effect.void : Deferred.succeed(waiting, undefined)
    })

    return {
      run: <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        inFlight.withPermits(1)(
          Effect.acquireUseRelease(reserve, () => effect, () => finish)
        )
    }
  })
