/**
 * REST over real HTTP to an emulator, as any client would send it: a token from the identity
 * endpoint, then calls with a chosen method, Content-Type and body, answered as JSON.
 */
import * as Effect from "effect/Effect"

/** An answer: the HTTP status and the JSON body. */
export interface Answer {
  readonly status: number
  readonly body: {
    readonly success?: boolean
    readonly errors?: ReadonlyArray<{ readonly code: string; readonly message: string }>
    readonly result?: ReadonlyArray<Record<string, unknown>>
    readonly moreResult?: boolean
    readonly nextPageToken?: string
    readonly [key: string]: unknown
  }
}

// An HTTP-level refusal (413, 414) is text, not JSON: kept as `{ text }`.
const answerOf = async (response: Response): Promise<Answer> => {
  const text = await response.text()
  const json = ((): unknown => {
    try {
      return JSON.parse(text)
    } catch {
      return { text }
    }
  })()
  return { status: response.status, body: json as Answer["body"] }
}

/** The demo client's token form. */
export const tokenForm = "grant_type=client_credentials&client_id=mktows-demo-client&client_secret=mktows-demo-secret"

/** A fresh or current token of the identity endpoint at `identityUrl`. */
export const tokenOf = (identityUrl: string) =>
  Effect.promise(() =>
    fetch(`${identityUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: tokenForm
    }).then(answerOf)
  )

export interface Call {
  readonly method?: string
  /** The JSON body (sent as application/json unless `contentType` says otherwise). */
  readonly json?: unknown
  /** A form body (sent as application/x-www-form-urlencoded unless `contentType` says otherwise). */
  readonly form?: Record<string, string>
  /** Raw bytes. */
  readonly bytes?: Uint8Array
  readonly contentType?: string
  /** Default: a valid token; null for none. */
  readonly token?: string | null
}

/** A REST client of one emulator: `call(path, options)` with `path` under `/rest`. */
export const restOf = (restUrl: string, identityUrl: string) =>
  Effect.map(tokenOf(identityUrl), (token) => {
    const accessToken = String(token.body["access_token"])
    const call = (path: string, options: Call = {}) =>
      Effect.promise(() => {
        const headers: Record<string, string> = {}
        const bearer = options.token === undefined ? accessToken : options.token
        if (bearer !== null) headers["authorization"] = `Bearer ${bearer}`
        let body: BodyInit | undefined
        if (options.json !== undefined) {
          headers["content-type"] = options.contentType ?? "application/json"
          body = JSON.stringify(options.json)
        } else if (options.form !== undefined) {
          headers["content-type"] = options.contentType ?? "application/x-www-form-urlencoded"
          body = new URLSearchParams(options.form).toString()
        } else if (options.bytes !== undefined) {
          headers["content-type"] = options.contentType ?? "application/json"
          body = new Uint8Array(options.bytes) as Uint8Array<ArrayBuffer>
        }
        return fetch(`${restUrl}${path}`, {
          method: options.method ?? (body === undefined ? "GET" : "POST"),
          headers,
          ...(body === undefined ? {} : { body })
        }).then(answerOf)
      })
    return { call, token: accessToken }
  })

/** The code of an answer's first error, or the reason codes of its records. */
export const codeOf = (answer: Answer): string | undefined => answer.body.errors?.[0]?.code

/** The warning an Asset API read that finds nothing answers with (emails.md). */
export const noAssets = "No assets found for the given search criteria."

/** The instant of an Asset API time, which Adobe writes `2015-05-21T22:45:13Z+0000` (not ISO 8601). */
export const assetMillis = (time: unknown): number => Date.parse(String(time).replace(/Z\+0000$/, "Z"))

// Where Adobe's documented Asset answers (programs.md, channels.md) differ from its Swagger
// themselves: the types `Default`, `Event`, `Engagement`, ... outside the Swagger's lowercase enums,
// a status "" for the types that have none, `null` costs and tags where they were not asked for,
// by-tag answers without costs, and a channel's program statuses with a `null` description.
const documentedDepartures: ReadonlyArray<RegExp> = [
  /\.type: (Default|Event|Event with Webinar|Engagement|Email) not in enum$/,
  /\.status: {2}not in enum$/,
  /\.(costs|tags): expected array, got null$/,
  /\.costs: required$/,
  /\.progressionStatuses\[\d+\]\.description: expected string, got null$/
]

/** The Swagger differences of an Asset answer beyond those Adobe's documented answers make. */
export const beyondDocumented = (differences: ReadonlyArray<string>): ReadonlyArray<string> =>
  differences.filter((d) => !documentedDepartures.some((pattern) => pattern.test(d)))
