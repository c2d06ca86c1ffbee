import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import * as Redacted from "effect/Redacted"
import * as MarketoConfig from "../src/MarketoConfig.js"

const secret = "s3cr3t-key-value"
const env = (values: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(values)))

const readConfig = (values: Record<string, string>) =>
  Effect.withConfigProvider(Effect.either(MarketoConfig.config), env(values))

describe("MarketoConfig", () => {
  it.effect("reads endpoint, user id and a redacted key from MARKETO_* variables", () =>
    Effect.gen(function*() {
      const result = yield* readConfig({
        MARKETO_SOAP_ENDPOINT: "https://123-ABC-456.mktoapi.com/soap/mktows/2_9",
        MARKETO_USER_ID: "user_1",
        MARKETO_ENCRYPTION_KEY: secret
      })
      const settings = Either.getOrThrow(result)
      expect(settings.endpoint).toBe("https://123-ABC-456.mktoapi.com/soap/mktows/2_9")
      expect(settings.userId).toBe("user_1")
      expect(Redacted.value(settings.encryptionKey)).toBe(secret)
      expect(settings.timeZone).toBeUndefined()
      // Printing the settings never shows the key.
      expect(Inspectable.format(settings)).not.toContain(secret)
      expect(String(settings.encryptionKey)).not.toContain(secret)
    }))

  it.effect("reads an optional time zone", () =>
    Effect.gen(function*() {
      const result = yield* readConfig({
        MARKETO_SOAP_ENDPOINT: "http://127.0.0.1:8080/soap/mktows/2_2",
        MARKETO_USER_ID: "u",
        MARKETO_ENCRYPTION_KEY: "k",
        MARKETO_TIME_ZONE: "America/Chicago"
      })
      expect(Either.getOrThrow(result).timeZone?._tag).toBe("Named")
    }))

  it.effect("names what is wrong, without showing the key", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[Record<string, string>, string]> = [
        [{ MARKETO_USER_ID: "u", MARKETO_ENCRYPTION_KEY: secret }, "MARKETO_SOAP_ENDPOINT"],
        [{ MARKETO_SOAP_ENDPOINT: "ftp://x", MARKETO_USER_ID: "u", MARKETO_ENCRYPTION_KEY: secret }, "http(s) URL"],
        [{ MARKETO_SOAP_ENDPOINT: "http://x", MARKETO_USER_ID: " ", MARKETO_ENCRYPTION_KEY: secret }, "user id"],
        [{ MARKETO_SOAP_ENDPOINT: "http://x", MARKETO_USER_ID: "u", MARKETO_ENCRYPTION_KEY: "" }, "encryption key"],
        [{
          MARKETO_SOAP_ENDPOINT: "http://x",
          MARKETO_USER_ID: "u",
          MARKETO_ENCRYPTION_KEY: secret,
          MARKETO_TIME_ZONE: "Mars/Base"
        }, "Mars/Base"]
      ]
      for (const [values, expected] of cases) {
        const result = yield* readConfig(values)
        expect(Either.isLeft(result)).toBe(true)
        const text = String(Either.getLeft(result).pipe((o) => o._tag === "Some" ? o.value : ""))
        expect(text).toContain(expected)
        expect(text).not.toContain(secret)
      }
    }))

  it.effect("layer wraps a plain key in Redacted", () =>
    Effect.gen(function*() {
      const settings = yield* MarketoConfig.MarketoConfig.pipe(
        Effect.provide(MarketoConfig.layer({ endpoint: "http://localhost:1/soap", userId: "u", encryptionKey: secret }))
      )
      expect(Redacted.isRedacted(settings.encryptionKey)).toBe(true)
      expect(Redacted.value(settings.encryptionKey)).toBe(secret)
    }))

  it.effect("an error names the environment variable read, and a missing key says missing", () =>
    Effect.gen(function*() {
      const missingKey = yield* readConfig({ MARKETO_SOAP_ENDPOINT: "http://x", MARKETO_USER_ID: "u" })
      const text = String(Either.getLeft(missingKey).pipe((o) => o._tag === "Some" ? o.value : ""))
      expect(text).toContain("MARKETO_ENCRYPTION_KEY")
      expect(text).not.toContain("<redacted>")
      expect(text).toMatch(/Missing data/)
      const cases: ReadonlyArray<[Record<string, string>, string]> = [
        [
          { MARKETO_SOAP_ENDPOINT: "ftp://x", MARKETO_USER_ID: "u", MARKETO_ENCRYPTION_KEY: secret },
          "MARKETO_SOAP_ENDPOINT"
        ],
        [
          { MARKETO_SOAP_ENDPOINT: "http://x", MARKETO_USER_ID: " ", MARKETO_ENCRYPTION_KEY: secret },
          "MARKETO_USER_ID"
        ],
        [
          { MARKETO_SOAP_ENDPOINT: "http://x", MARKETO_USER_ID: "u", MARKETO_ENCRYPTION_KEY: "" },
          "MARKETO_ENCRYPTION_KEY"
        ],
        [{
          MARKETO_SOAP_ENDPOINT: "http://x",
          MARKETO_USER_ID: "u",
          MARKETO_ENCRYPTION_KEY: secret,
          MARKETO_TIME_ZONE: "Mars/Base"
        }, "MARKETO_TIME_ZONE"]
      ]
      for (const [values, variable] of cases) {
        const result = yield* readConfig(values)
        const error = String(Either.getLeft(result).pipe((o) => o._tag === "Some" ? o.value : ""))
        expect(error).toContain(`at ${variable}`)
        expect(error).not.toContain(secret)
      }
      // Given as options, an error names the option.
      const fromOptions = yield* Effect.either(
        MarketoConfig.make({ endpoint: "ftp://x", userId: "u", encryptionKey: "k" })
      )
      expect(String(Either.getLeft(fromOptions).pipe((o) => o._tag === "Some" ? o.value : ""))).toContain("at endpoint")
    }))
})
