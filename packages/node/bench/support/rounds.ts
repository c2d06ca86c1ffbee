/**
 * How the side-by-side benchmarks (`bench:compare`, `bench:rest`) run their contenders: each
 * round runs every contender for the same number of batches, in an order rotated every round;
 * the first rounds are a warm-up and are dropped. A sample is objects per second and client
 * CPU (`process.cpuUsage`: this process, every thread) per object. The figures are the medians
 * of the samples and of the per-round ratios of mktows to each other contender.
 */
import { cpuMicros, median, rotate, round3 } from "./stats.js"

/** One batch of calls at once; resolves undefined when every answer was right, else why not. */
export type Batch = () => Promise<string | undefined>

export interface Contender {
  readonly name: string
  readonly batch: Batch
  readonly close: () => Promise<void>
}

/** `calls` calls of `call` at once, as one batch: the first problem any of them saw. */
export const all = (calls: number, call: () => Promise<string | undefined>): Batch => async () => {
  const results = await Promise.all(Array.from({ length: calls }, call))
  return results.find((result) => result !== undefined)
}

/** What went wrong, from anything a contender threw. */
export const message = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

export interface Sample {
  readonly rate: number
  readonly cpu: number
  /** The server's CPU per object, µs, when `Options.serverCpu` can read it. */
  readonly serverCpu: number | undefined
}

export interface Options {
  readonly rounds: number
  readonly warmup: number
  readonly batches: number
  /** Objects one batch moves. */
  readonly objectsPerBatch: number
  /** Printed before each round's line. */
  readonly label: string
  /** Run before each round, outside the measured batches (e.g. re-signing a pre-built request). */
  readonly beforeRound?: () => void
  /** Contenders whose per-round ratios to the others are kept too, beside mktows's (`--ablate`). */
  readonly alsoRatiosOf?: ReadonlyArray<string>
  /** The server process's CPU so far, µs (`Children.cpuOf`), or undefined where it cannot be read. */
  readonly serverCpu?: () => number | undefined
}

export interface Figures {
  /** Median objects per second, by contender. */
  readonly objectsPerSecond: Record<string, number>
  /** Median client CPU (this process, every thread) per object, µs, by contender. */
  readonly cpuMicrosPerObject: Record<string, number>
  /**
   * Median server CPU per object, µs, by contender, where the server's CPU can be read: the
   * same server answers every contender, so a difference here is one the client's requests make.
   */
  readonly serverCpuMicrosPerObject?: Record<string, number>
  /** Medians of the per-round ratios of mktows's objects/s to each other contender's. */
  readonly speedRatios: Record<string, number>
  /** Medians of the per-round ratios of mktows's CPU per object to each other contender's. */
  readonly cpuRatios: Record<string, number>
  /** The same two for each of `Options.alsoRatiosOf`, by its name. */
  readonly ratiosOf?: Record<
    string,
    { readonly speedRatios: Record<string, number>; readonly cpuRatios: Record<string, number> }
  >
  readonly rounds: number
}

const measure = async (contender: Contender, options: Options): Promise<Sample | string> => {
  const objects = options.batches * options.objectsPerBatch
  const server0 = options.serverCpu?.()
  const cpu0 = cpuMicros()
  const t0 = performance.now()
  for (let i = 0; i < options.batches; i++) {
    const problem = await contender.batch()
    if (problem !== undefined) return `${contender.name}: ${problem}`
  }
  const seconds = (performance.now() - t0) / 1000
  const cpu = (cpuMicros() - cpu0) / objects
  const server1 = options.serverCpu?.()
  const serverCpu = server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / objects
  return { rate: objects / seconds, cpu, serverCpu }
}

/** The rounds, interleaved; the figures, or the first problem a contender saw. */
export const runRounds = async (
  contenders: ReadonlyArray<Contender>,
  options: Options
): Promise<Figures | string> => {
  const samples = new Map<string, Array<Sample>>(contenders.map((c) => [c.name, []]))
  const subjects = ["mktows", ...(options.alsoRatiosOf ?? [])]
  // Per subject, per other contender: the per-round ratios of objects/s and of CPU per object.
  const speed = new Map(subjects.map((subject) => [subject, new Map<string, Array<number>>()]))
  const cpu = new Map(subjects.map((subject) => [subject, new Map<string, Array<number>>()]))
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    options.beforeRound?.()
    const seen = new Map<string, Sample>()
    for (const contender of rotate(contenders, round)) {
      const sample = await measure(contender, options)
      if (typeof sample === "string") return sample
      seen.set(contender.name, sample)
    }
    if (round < options.warmup) continue
    for (const [name, sample] of seen) samples.get(name)!.push(sample)
    for (const subject of subjects) {
      const ours = seen.get(subject)!
      for (const [name, sample] of seen) {
        if (name === subject) continue
        const speeds = speed.get(subject)!
        const cpus = cpu.get(subject)!
        speeds.set(name, [...(speeds.get(name) ?? []), ours.rate / sample.rate])
        cpus.set(name, [...(cpus.get(name) ?? []), ours.cpu / sample.cpu])
      }
    }
    process.stdout.write(
      `  ${options.label} round ${round - options.warmup + 1}/${options.rounds}: ${
        [...seen].map(([name, s]) => `${name} ${Math.round(s.rate)}/s ${s.cpu.toFixed(1)} µs`).join(", ")
      }\n`
    )
  }
  const medians = (pick: (s: Sample) => number) =>
    Object.fromEntries([...samples].map(([name, list]) => [name, round3(median(list.map(pick)))]))
  const ratios = (from: Map<string, Array<number>>) =>
    Object.fromEntries([...from].map(([name, list]) => [name, round3(median(list))]))
  const also = options.alsoRatiosOf ?? []
  const serverRead = [...samples.values()].every((list) => list.every((s) => s.serverCpu !== undefined))
  return {
    objectsPerSecond: medians((s) => s.rate),
    cpuMicrosPerObject: medians((s) => s.cpu),
    ...(serverRead ? { serverCpuMicrosPerObject: medians((s) => s.serverCpu ?? Number.NaN) } : {}),
    speedRatios: ratios(speed.get("mktows")!),
    cpuRatios: ratios(cpu.get("mktows")!),
    ...(also.length === 0 ? {} : {
      ratiosOf: Object.fromEntries(
        also.map((
          subject
        ) => [subject, { speedRatios: ratios(speed.get(subject)!), cpuRatios: ratios(cpu.get(subject)!) }])
      )
    }),
    rounds: options.rounds
  }
}

const fmt = (n: number | undefined): string => n === undefined ? "—" : String(round3(n))

/** The figures as a table, a contender a line. */
export const table = (title: string, figures: Figures): string => {
  const width = Math.max(14, ...Object.keys(figures.objectsPerSecond).map((name) => name.length))
  const server = figures.serverCpuMicrosPerObject
  const lines = [
    title,
    `  ${"contender".padEnd(width)} ${"objects/s".padStart(10)} ${"CPU µs/object".padStart(14)} ${
      "mktows ÷ it, objects/s".padStart(24)
    } ${"mktows ÷ it, CPU".padStart(18)}${server === undefined ? "" : ` ${"server CPU µs/object".padStart(21)}`}`
  ]
  for (const name of Object.keys(figures.objectsPerSecond)) {
    lines.push(
      `  ${name.padEnd(width)} ${fmt(figures.objectsPerSecond[name]).padStart(10)} ${
        fmt(figures.cpuMicrosPerObject[name]).padStart(14)
      } ${fmt(figures.speedRatios[name]).padStart(24)} ${fmt(figures.cpuRatios[name]).padStart(18)}${
        server === undefined ? "" : ` ${fmt(server[name]).padStart(21)}`
      }`
    )
  }
  return lines.join("\n")
}
