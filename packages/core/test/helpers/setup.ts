/**
 * Runs before every test file (vitest `setupFiles`).
 *
 * `@effect/vitest` adds its methods by mutating vitest's one `it` object, and its
 * `layer(...)` replaces `it.effect` and `it.scoped` with testers bound to that layer's
 * runtime, whose TestClock is shared by every test using it. Without isolation (`pnpm test`
 * runs the fast project with --no-isolate) that object outlives the file: a later file's
 * `it.effect` would run on the last layer's runtime, its TestClock already moved by other
 * tests. Putting the default methods back gives each file a fresh TestClock per test, as in
 * an isolated run.
 *
 * Each test also starts after one turn of the event loop. The worker reports results to
 * vitest over RPC calls that fail after 60 s without an answer; a file of synchronous
 * property tests never lets the answer in, and on a loaded machine such a file runs past
 * 60 s ("Timeout calling onTaskUpdate", which fails the run although every test passed).
 */
import { makeMethods } from "@effect/vitest"
import * as V from "vitest"

makeMethods(Object.assign(V.it, { scopedFixtures: V.it.scoped.bind(V.it) }))

V.beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)))
