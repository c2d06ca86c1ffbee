/**
 * Small helpers shared by the side-by-side benchmarks: medians, CPU time, the machine's load
 * and the command-line flags every script takes.
 */
import { loadavg } from "node:os"

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** CPU time of this process (user + system, every thread), in microseconds. */
export const cpuMicros = (): number => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export const load = (): string => loadavg().map((n) => n.toFixed(2)).join(", ")

/** `--name N` from the command line, or the fallback. */
export const numberFlag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? undefined : Number(process.argv[at + 1])
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback
}

export const quick = process.argv.includes("--quick")

/** Rounds the way the tables print: 3 significant digits. */
export const round3 = (n: number): number => Number.isFinite(n) ? Number(n.toPrecision(3)) : n

/** The contenders in a different order every round (rotated), so no one always runs first or last. */
export const rotate = <A>(items: ReadonlyArray<A>, round: number): ReadonlyArray<A> => {
  const shift = round % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}
