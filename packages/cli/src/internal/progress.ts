/**
 * Progress of a job: counters the job bumps, and a display that reads them. On a terminal
 * one status line is redrawn in place several times a second; otherwise a plain line is
 * printed every few seconds, so a log stays short and readable. At the end, a summary table.
 *
 * The display says when the job waits for Marketo's rate window: it keeps the end times of
 * the latest calls, and when the window already holds as many calls as Marketo allows, the
 * next chunk cannot start until the oldest of them leaves it (the client's limiter applies
 * the same rule).
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** The rate window the client keeps: at most `calls` calls ending in any `millis`. */
export interface RateWindow {
  readonly calls: number
  readonly millis: number
}

/** What a job has done so far. */
export interface Counters {
  /** Rows of the input (known after the checking pass). */
  total: number
  /** Rows handled: read and given an outcome. */
  done: number
  /** Rows sent to Marketo in this run. */
  sent: number
  /** Rows whose call met the error that stopped the job (sent, and applied nothing). */
  refused: number
  /**
   * Rows the transport answered FAILED without sending them (`not sent: …`: over REST, a Program
   * whose channel the update would change, a record too large for a request): not sent.
   */
  unsent: number
  /** Chunks queued or in flight. */
  pending: number
  /** Set once the job is stopping: it sends nothing more and waits for the calls already out. */
  stopping: boolean
  /**
   * Rows an earlier run left in doubt, when this run reads such rows back (a call each for those
   * with an external key) before it sends them again; 0 when the job reads nothing back. The
   * reason a resumed job sends nothing for a while.
   */
  inDoubt: number
  /** Of those, the rows settled so far (read back, sent again, or now invalid). */
  settled: number
  readonly byStatus: Map<string, number>
  /** The client's rate window. */
  readonly window: RateWindow
  /** End times of the latest calls (at most one window's worth). */
  readonly callEnds: Array<number>
}

/** Fresh counters. */
export const make = (total: number, window: RateWindow): Counters => ({
  total,
  done: 0,
  sent: 0,
  refused: 0,
  unsent: 0,
  pending: 0,
  stopping: false,
  inDoubt: 0,
  settled: 0,
  byStatus: new Map(),
  window,
  callEnds: []
})

/** Counts one outcome. */
export const count = (counters: Counters, status: string): void => {
  counters.done++
  counters.byStatus.set(status, (counters.byStatus.get(status) ?? 0) + 1)
}

/** Notes that a call ended now. */
export const callEnded = (counters: Counters): Effect.Effect<void> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    counters.callEnds.push(now)
    // Only the ends inside the window matter: a raised limit keeps no more than that.
    while (
      counters.callEnds.length > counters.window.calls ||
      now - (counters.callEnds[0] ?? now) >= counters.window.millis
    ) counters.callEnds.shift()
  })

const waiting = (counters: Counters, now: number): boolean =>
  counters.pending > 0 && counters.callEnds.length >= counters.window.calls &&
  now - (counters.callEnds[0] ?? 0) < counters.window.millis

const number = (n: number): string => n.toLocaleString("en-US")

const clock = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  const m = Math.floor(s / 60)
  return `${m}:${String(s % 60).padStart(2, "0")}`
}

/** The status line of the moment. */
export const line = (counters: Counters, startedAt: number, now: number): string => {
  const elapsed = Math.max(1, now - startedAt) / 1000
  const rate = counters.done / elapsed
  const left = counters.total - counters.done
  const statuses = [...counters.byStatus].map(([status, n]) => `${status} ${number(n)}`).join(" ")
  const held = !counters.stopping && waiting(counters, now)
  // While the window holds the calls back, nothing ends before it frees: the average rate of
  // the burst before it would promise too soon an end.
  const free = held ? (counters.window.millis - (now - (counters.callEnds[0] ?? now))) / 1000 : 0
  // Each row in doubt still to settle may be a call of its own (a read by its external key): the
  // window lets them through no faster than that, however fast the rows before them went.
  const reading = counters.settled < counters.inDoubt
  const readsLeft = reading
    ? (counters.inDoubt - counters.settled) * counters.window.millis / counters.window.calls / 1000
    : 0
  // Before any row is done (a resumed job reading back first) the reads alone give an ETA.
  const eta = !counters.stopping && left > 0 && (rate > 0 || readsLeft > 0)
    ? ` · ETA ${clock(Math.max(rate > 0 ? left / rate : 0, free, readsLeft))}`
    : ""
  const settling = reading && !counters.stopping
    ? ` · settling rows left in doubt (read back by key): ${number(counters.settled)}/${number(counters.inDoubt)}`
    : ""
  const wait = held
    ? ` · waiting for Marketo's rate window (${counters.window.calls} calls per ${counters.window.millis / 1000} s)`
    : ""
  return `${number(counters.done)}/${number(counters.total)} rows · sent ${number(counters.sent)}${
    statuses.length > 0 ? ` · ${statuses}` : ""
  }${settling} · ${number(Math.round(rate))} rows/s${eta}${wait}${
    counters.stopping && counters.pending > 0
      ? " · stopping: waiting for the calls already sent (Ctrl-C stops at once)"
      : ""
  }`
}

/**
 * Shows progress on `write` until the scope closes: redrawn in place on a terminal, plain
 * lines every `plainEvery` otherwise. The final state is always shown once more at the end.
 */
export const display = (
  counters: Counters,
  options: { readonly tty: boolean; readonly write: (text: string) => Effect.Effect<void> }
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const draw = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      options.tty
        ? options.write(`\r\x1b[2K${line(counters, startedAt, now)}`)
        : options.write(`progress: ${line(counters, startedAt, now)}\n`))
    const every = options.tty ? Duration.millis(200) : Duration.seconds(5)
    yield* Effect.forkScoped(Effect.forever(Effect.delay(draw, every)))
    yield* Effect.addFinalizer(() => Effect.zipRight(draw, options.tty ? options.write("\n") : Effect.void))
  })

/** Why rows were not sent: the statuses they ended with that no call of this run gave. */
const notSent = (counters: Counters): string => {
  const invalid = counters.byStatus.get("INVALID") ?? 0
  const other = counters.done - counters.sent - invalid - counters.refused - counters.unsent
  return [
    ...(invalid > 0 ? [`${number(invalid)} invalid`] : []),
    ...(counters.unsent > 0 ? [`${number(counters.unsent)} FAILED before their call went out`] : []),
    ...(other > 0 ? [`${number(other)} settled without a call (the journal, a read-back or a report's status)`] : [])
  ].join(", ")
}

/** The table printed when a job ends. */
export const summary = (counters: Counters, elapsedMillis: number): string => {
  const rows = [...counters.byStatus].sort(([a], [b]) => a.localeCompare(b))
  const width = Math.max(6, ...rows.map(([status]) => status.length))
  const numWidth = Math.max(5, ...rows.map(([, n]) => number(n).length), number(counters.done).length)
  const out = [`${"status".padEnd(width)}  ${"rows".padStart(numWidth)}`]
  for (const [status, n] of rows) out.push(`${status.padEnd(width)}  ${number(n).padStart(numWidth)}`)
  out.push(`${"total".padEnd(width)}  ${number(counters.done).padStart(numWidth)}`)
  const seconds = elapsedMillis / 1000
  // The rate is of rows sent ("sent/s"; the progress line's "rows/s" counts every row handled,
  // and rows a journal already had, or refused ones, took no call).
  out.push(
    `sent ${number(counters.sent)} row(s) in ${seconds.toFixed(1)} s${
      counters.sent > 0 && seconds > 0 ? ` (${number(Math.round(counters.sent / seconds))} sent/s)` : ""
    }${
      counters.inDoubt > 0 && counters.settled > 0
        ? `; ${
          number(counters.settled)
        } row(s) an earlier run left in doubt settled first (read back by their external key where they have one)`
        : ""
    }${
      counters.refused > 0
        ? `; ${number(counters.refused)} more sent and refused by the error that stopped the job (none applied)`
        : ""
    }${
      counters.done > counters.sent + counters.refused
        ? `; ${number(counters.done - counters.sent - counters.refused)} not sent (${notSent(counters)})`
        : ""
    }`
  )
  return out.join("\n")
}
