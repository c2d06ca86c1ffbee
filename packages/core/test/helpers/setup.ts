/**
 * Runs before every test file (vitest `setupFiles`). `@effect/vitest` adds its methods by
 * mutating vitest's one `it` object, and its `layer(...)` replaces `it.effect` and
 * `it.scoped` with testers bound to that layer's runtime, whose TestClock is shared by
 * every test using it. Without isolation (`pnpm test` runs the fast project with
 * --no-isolate) that object outlives the file: a later file's `it.effect` would run on the
 * last layer's runtime, its TestClock already moved by other tests. Putting the default
 * methods back gives each file a fresh TestClock per test, as in an isolated run.
 */
import { makeMethods } from "@effect/vitest"
import * as V from "vitest"

makeMethods(Object.assign(V.it, { scopedFixtures: V.it.scoped.bind(V.it) }))
