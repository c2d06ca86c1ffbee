/**
 * Marketo's documented demo credentials, which the emulator accepts by default: the one
 * copy every test (of any package) uses.
 */
import * as Redacted from "effect/Redacted"
import type * as Signature from "../../src/Signature.js"

export const demoUserId = "demo17_1_809934544BFABAE58E5D27"

/** The key as text, for tests that must search captured output for it or set an environment. */
export const demoKeyText = "27272727aa"

export const demoKey: Redacted.Redacted<string> = Redacted.make(demoKeyText)

export const demoCredentials: Signature.Credentials = { userId: demoUserId, encryptionKey: demoKey }
