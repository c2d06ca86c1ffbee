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
 * A call whose transport sends more than one request, one after the other (REST: a request per
 * Program, a describe, a body cut in halves), counts each of them: `more`, taken inside `run`
 * before each request after the first, ends the request before (it counts from now, the latest
 * it can have been received) and waits until the window has room for the next one, which then
 * holds the call's place. Marketo counts requests, not calls.
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
  /** A place in the window for a further request of a call running in `run` (see above). */
  readonly more: Effect.Effect<void>
  /**
   * `run`'s two halves, for work that takes a place only if it sends a request (a read's check
   * against the instance, which often answers from what it already knows): `take` waits for a
   * place and holds it; `finish`, run once for each `take` that returned, ends it.
   */
  readonly take: Effect.Effect<void>
  readonly finish: Effect.Effect<void>
}

/** @internal */
export const make = (options: LimiterOptions): Effect.Effect<Limiter> =>
  Effect.gen(function*() {
    const windowMillis = Duration.toMillis(options.window)
    const maxInFlight = Math.max(1, options.inFlight)
    // One fiber at a time waits its turn here, so waiters are served in arrival order; a call
    // that finds nobody waiting and room left takes its place at once, without the gate.
    const gate = yield* Effect.makeSemaphore(1)
    const calls = Math.max(1, options.calls)
    // The calls that still count: those running, and the end times of those that ended less
    // than a window ago, oldest first. Ends are recorded as calls finish, so the queue is in
    // time order and the calls that left the window are always at its head: each reservation
    // costs O(1) however large `calls` is (a scan of every entry made a generous limit, such as
    // 1e9 for tests and benchmarks, quadratic). JavaScript runs one fiber at a time, and each
    // reads and updates these in one synchronous step.
    let running = 0
    const ends: Array<number> = []
    let head = 0
    // Calls queued at the gate: while there are any, a new call queues behind them.
    let queued = 0
    const dropExpired = (now: number) => {
      while (head < ends.length && (ends[head] ?? Infinity) + windowMillis <= now) head++
      // Compacted now and then, so the queue never holds more than a window's worth of ends.
      if (head > 1024 && head * 2 > ends.length) {
        ends.splice(0, head)
        head = 0
      }
    }
    /** Takes a place when there is room: fewer than `inFlight` running, the window not full. */
    const tryTake = (now: number): boolean => {
      dropExpired(now)
      if (running < maxInFlight && running + ends.length - head < calls) {
        running++
        return true
      }
      return false
    }
    // Completed when a running call ends, so a waiter blocked only by running calls wakes;
    // made by the first waiter, so that a call nobody waits for costs no Deferred.
    let ended: Deferred.Deferred<void> | undefined
    // When the last wait was announced. A job held by the limit has every queued call wait in
    // turn; one line per call (a hundred for a 20,000-object job) drowns what a user needs to
    // know, so a wait is announced once per window: the next line means the job is still held.
    let announcedAt: number | undefined

    // Runs uninterruptibly (see `run`), so that a place taken is always released; the waits
    // are made interruptible explicitly, so that a caller giving up (a timeout, Stream.take, a
    // failed sibling) is not held for up to a window.
    const queue: Effect.Effect<void> = Effect.suspend(() => {
      queued++
      return Effect.interruptible(gate.take(1)).pipe(
        Effect.zipRight(
          Effect.gen(function*() {
            while (true) {
              const now = yield* Clock.currentTimeMillis
              if (tryTake(now)) return
              if (ended === undefined) {
                // Made before the next check, never between a check and the wait: a call that
                // ends while this fiber yields to make it would otherwise wake nobody, and the
                // waiter would sleep out the window with an in-flight place free.
                ended = yield* Deferred.make<void>()
                continue
              }
              const wake = Deferred.await(ended)
              const oldest = ends[head]
              // Blocked only by calls still running: one ending makes room.
              if (running >= maxInFlight || oldest === undefined) {
                yield* Effect.interruptible(wake)
                continue
              }
              // A call that ended at `t` counts for the windows that contain it: it leaves once
              // `now >= t + window`. Running calls never leave.
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
            }
          }).pipe(Effect.ensuring(gate.release(1)))
        ),
        Effect.ensuring(Effect.sync(() => {
          queued--
        }))
      )
    })

    const take: Effect.Effect<void> = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => queued === 0 && tryTake(now) ? Effect.void : queue
    )

    const finish = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      running--
      ends.push(now)
      const waiting = ended
      ended = undefined
      return waiting === undefined ? Effect.void : Deferred.succeed(waiting, undefined)
    })

    /**
     * The next request of a running call: the request before it has ended (the call sends them
     * one after the other), so its end counts from now; then waits until the window has room for
     * one more besides the others, while the call's place holds no request. It does not queue
     * behind calls waiting to start: the call is already running. Room always comes: the ends in
     * the window leave it a window after they ended.
     */
    const more: Effect.Effect<void> = Effect.gen(function*() {
      ends.push(yield* Clock.currentTimeMillis)
      while (true) {
        const now = yield* Clock.currentTimeMillis
        dropExpired(now)
        if (running - 1 + ends.length - head < calls) return
        const oldest = ends[head]
        if (ended === undefined) ended = yield* Deferred.make<void>()
        const wake = Deferred.await(ended)
        yield* Effect.interruptible(
          oldest === undefined ? wake : Effect.race(Effect.sleep(Duration.millis(oldest + windowMillis - now)), wake)
        )
      }
    })

    return {
      run: <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.uninterruptibleMask((restore) => Effect.zipRight(take, Effect.ensuring(restore(effect), finish))),
      more,
      take,
      finish
    }
  })
