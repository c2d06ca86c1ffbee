/**
 * An attempt's time limit: `Effect.timeoutFail`, for half its cost on the live Clock.
 *
 * `Effect.timeoutFail` races the effect against a sleep: it forks both, and the winner's fiber
 * refs are merged back into the caller's: about 57 µs per call in a micro-benchmark, as much as
 * the rest of the engine's work on a call. On the live Clock the limit is a timer instead (about
 * 25 µs): the effect runs in one child fiber, the timer interrupts it, and the caller waits for it
 * to end either way, as it waits for the loser of `timeoutFail`'s race. What the caller sees is
 * what `Effect.timeoutFail` gives (tests compare the two), except one thing: the child's fiber
 * refs are not merged back. What runs under the limit (a transport's send) sets none that the
 * caller reads.
 *
 * Any other Clock (a TestClock) keeps `Effect.timeoutFail`, or for a limit with restarts (below) a
 * fiber sleeping on that Clock: only the Clock's own `sleep` knows its time.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"

/** The Clock every fiber has unless something replaced it. */
const liveClock: Clock.Clock = Effect.runSync(Effect.clock)

/** Whether `clock` is the live one (no TestClock or other replacement). */
export const isLive = (clock: Clock.Clock): boolean => clock === liveClock

/** setTimeout's longest delay: the live Clock treats a longer one as no limit, and so do we. */
const maxTimerMillis = 2 ** 31 - 1

/**
 * An attempt that sends several requests (REST: one to three per Program, a describe, a body cut
 * in halves): its limit starts again as each further request goes, and the wait for that request's
 * place in the rate window is not counted, as the wait at the limiter before an attempt is not.
 * The limit is then each request's: a call of 300 Programs is up to 900 requests, at least three
 * minutes of Marketo's rate window and more of the network, which no one limit for the call could allow
 * without also allowing a single request to hang that long.
 */
export interface Restarts {
  /** When the limit started again (the Clock's milliseconds), once a further request went. */
  from: number | undefined
  /** Whether the attempt is waiting for a place in the rate window: not counted. */
  waiting: boolean
}

/**
 * Milliseconds left of a limit of `millis` that began at `start`, or undefined while the attempt
 * waits for the rate window (the limit starts again when it is over).
 */
const left = (start: number, millis: number, restarts: Restarts | undefined, now: number): number | undefined =>
  restarts === undefined ? start + millis - now : restarts.waiting ? undefined : (restarts.from ?? start) + millis - now

/**
 * `self`, failed with `onTimeout()` when it has not ended within `duration` (interrupted
 * first, and waited for, however it then ends), started again as `restarts` says. Success,
 * failure, defects and interruption within the limit pass through as they are.
 */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2,
  restarts?: Restarts
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    if (!isLive(clock)) {
      return restarts === undefined
        ? Effect.timeoutFail(self, { duration, onTimeout })
        : watched(self, clock, Duration.toMillis(duration), onTimeout, restarts)
    }
    const millis = Duration.toMillis(duration)
    if (!(millis <= maxTimerMillis)) return self
    // As `Effect.timeoutFail`: the effect keeps the caller's interruptibility (`restore`), and
    // nothing can interrupt the caller between the fork and the wait, where the timer is set.
    return Effect.uninterruptibleMask((restore) =>
      Effect.withFiberRuntime<A, E | E2, R>((caller) =>
        Effect.flatMap(Effect.fork(restore(self)), (child) =>
          restore(Effect.async<A, E | E2>((resume) => {
            const start = Date.now()
            let timedOut = false
            const look = () => {
              const remaining = left(start, millis, restarts, Date.now())
              // While it waits, looked at again a whole limit later: before the limit that
              // starts when the wait is over can end.
              if (remaining === undefined || remaining > 0) {
                timer = setTimeout(look, remaining ?? millis)
                return
              }
              timedOut = true
              child.unsafeInterruptAsFork(caller.id())
            }
            let timer = setTimeout(look, millis)
            child.addObserver((exit) => {
              clearTimeout(timer)
              // Once the time is up the effect has timed out, however it then ends (one that
              // cannot be interrupted runs to its end first), as `Effect.timeoutFail` has it.
              // `failSync`: a throwing `onTimeout` is a defect, not a caller left waiting.
              resume(timedOut ? Effect.failSync(onTimeout) : exit)
            })
            // The caller interrupted: the effect with it, waited for.
            return Effect.suspend(() => {
              clearTimeout(timer)
              return Fiber.interrupt(child)
            })
          })))
      )
    )
  })

/**
 * The limit on a Clock other than the live one (a TestClock), with restarts: a fiber that sleeps
 * on that Clock watches it, as `Effect.timeoutFail`'s sleep does, and ends as the timer above does.
 */
const watched = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  clock: Clock.Clock,
  millis: number,
  onTimeout: () => E2,
  restarts: Restarts
): Effect.Effect<A, E | E2, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.withFiberRuntime<A, E | E2, R>((caller) => {
      const start = clock.unsafeCurrentTimeMillis()
      let timedOut = false
      return Effect.flatMap(Effect.fork(restore(self)), (child) => {
        const watch: Effect.Effect<void> = Effect.suspend(() => {
          const remaining = left(start, millis, restarts, clock.unsafeCurrentTimeMillis())
          if (remaining === undefined || remaining > 0) {
            return Effect.zipRight(clock.sleep(Duration.millis(remaining ?? millis)), watch)
          }
          timedOut = true
          return Effect.sync(() => child.unsafeInterruptAsFork(caller.id()))
        })
        // Interruptible whatever the caller is: it is interrupted once the effect has ended.
        return Effect.flatMap(Effect.forkDaemon(Effect.interruptible(watch)), (watcher) =>
          restore(Fiber.await(child)).pipe(
            // The caller interrupted: the effect with it, waited for.
            Effect.onInterrupt(() =>
              Effect.zipRight(Fiber.interrupt(watcher), Fiber.interrupt(child))
            ),
            Effect.flatMap((exit) => {
              const ended: Effect.Effect<A, E | E2> = timedOut ? Effect.failSync(onTimeout) : exit
              return Effect.zipRight(Fiber.interrupt(watcher), ended)
            })
          ))
      })
    })
  )

/**
 * Where an attempt is: `notSent` while its transport does what must come before its first
 * request goes out (a REST token fetched). An attempt whose time runs out there has applied
 * nothing, so its objects are not in doubt. Once a request is on its way (`sent`), the attempt
 * stays in doubt whatever it waits for next (a second request's token). One per attempt,
 * shared with the fiber the attempt runs in.
 */
export interface Phase extends Restarts {
  notSent: boolean
  sent: boolean
  /** The requests the attempt's transport said it sends (`eachRequest`). */
  requests: number
  /** Inside `changesNothing`: what runs there leaves the attempt not sent. */
  quiet: number
  /** A place in the rate window for a further request of the attempt (the limiter's `more`). */
  readonly more: Effect.Effect<void>
  /**
   * The place of the first request, for work that holds none until it sends one (a read's
   * check): waited for as `more` is, not counted against the limit. Absent: the first request
   * goes on the attempt's own place.
   */
  readonly first?: Effect.Effect<void>
}

/** The current attempt's phase (none outside an attempt of the client). */
export const currentPhase: FiberRef.FiberRef<Phase | undefined> = FiberRef.unsafeMake<Phase | undefined>(undefined)

/**
 * Runs `self` as the part of an attempt before a request is sent, the request following at once
 * when it succeeds. Interrupted by the attempt's time limit before any request went out, it
 * leaves the attempt "not sent".
 */
export const beforeSending = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(FiberRef.get(currentPhase), (phase) => {
    if (phase === undefined || phase.sent || phase.quiet > 0) return self
    phase.notSent = true
    return Effect.tap(self, () => {
      phase.notSent = false
      phase.sent = true
    })
  })

/**
 * Runs `self` after a request the server refused without applying anything (REST 601/602: the
 * token), before that request goes again: while it runs the attempt is "not sent" for the
 * objects that request carried, as while a further request waits for its place (`eachRequest`).
 * An attempt whose time runs out there sent nothing more that could have applied them.
 */
export const afterRefusal = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(FiberRef.get(currentPhase), (phase) => {
    if (phase === undefined) return self
    const before = phase.notSent
    phase.notSent = true
    // Reset only once it succeeds: a time limit that interrupts it must still read "not sent".
    return Effect.tap(self, () => Effect.sync(() => void (phase.notSent = before)))
  })

/**
 * Runs `self` as a part of an attempt that changes nothing at Marketo (a describe read before
 * the records go): while it runs, and whatever requests it sends, the attempt is "not sent",
 * unless a request that changes something went out before it. Its time running out there
 * applied nothing.
 */
export const changesNothing = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(FiberRef.get(currentPhase), (phase) => {
    if (phase === undefined || phase.sent) return self
    phase.notSent = true
    phase.quiet++
    // Interrupted (the time limit met here), the attempt stays "not sent": the limit's error is
    // made after this has ended, and reads it.
    return Effect.onExit(self, (exit) =>
      Effect.sync(() => {
        phase.quiet--
        if (phase.quiet === 0 && !phase.sent && !Exit.isInterrupted(exit)) phase.notSent = false
      }))
  })

/**
 * What runs in every attempt once the limiter has let it go, just before its transport sends
 * (`MarketoClient.withOnSend`): none outside such a region.
 */
export const currentOnSend: FiberRef.FiberRef<Effect.Effect<void> | undefined> = FiberRef.unsafeMake<
  Effect.Effect<void> | undefined
>(undefined)

/**
 * The attempt's `onSend`, run as part of the attempt before anything is sent: its time counts
 * against the attempt's limit, and an attempt whose time runs out there has sent nothing.
 */
export const onSend: Effect.Effect<void> = Effect.flatMap(FiberRef.get(currentOnSend), (hook) => {
  if (hook === undefined) return Effect.void
  return Effect.flatMap(FiberRef.get(currentPhase), (phase) => {
    if (phase === undefined || phase.sent) return hook
    phase.notSent = true
    // Reset only once it succeeds: a time limit that interrupts it must still read "not sent".
    return Effect.tap(hook, () => Effect.sync(() => void (phase.notSent = false)))
  })
})

/**
 * Taken by a transport before each HTTP request it sends for an attempt: the first goes on the
 * attempt's own place at the limiter; each further one (REST: one to three per Program, a
 * describe, a body cut in halves) waits for a place in the rate window of its own, as Marketo counts it,
 * and the attempt is "not sent" while it waits. Outside an attempt of the client, nothing.
 */
export const eachRequest: Effect.Effect<void> = Effect.flatMap(FiberRef.get(currentPhase), (phase) => {
  if (phase === undefined) return Effect.void
  phase.requests++
  if (phase.requests === 1) {
    if (phase.first === undefined) return Effect.void
    phase.waiting = true
    return Effect.ensuring(phase.first, restarted(phase))
  }
  // The request before was answered, and what it was answered is kept (a transport sends a
  // call's requests one after the other): an attempt that ends while this one waits for its
  // place sent nothing more, so the objects not yet answered are not in doubt.
  const before = phase.notSent
  phase.notSent = true
  // The wait is not counted, and the attempt's limit starts again once it is over (`Restarts`).
  phase.waiting = true
  return Effect.ensuring(
    Effect.tap(phase.more, () => Effect.sync(() => void (phase.notSent = before))),
    restarted(phase)
  )
})

/** The end of a wait for a place in the rate window: the limit starts again from now. */
const restarted = (phase: Phase): Effect.Effect<void> =>
  Effect.clockWith((clock) =>
    Effect.sync(() => {
      phase.from = clock.unsafeCurrentTimeMillis()
      phase.waiting = false
    })
  )
