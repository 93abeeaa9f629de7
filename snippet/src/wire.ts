/**
 * The snippet's two contracts, in one place.
 *
 * On the wire the script speaks the Segment spec unchanged (the collector reads these
 * names): `POST /v1/batch` with a text/plain JSON body, so no CORS preflight.
 *
 * In localStorage it keeps a few values under `jimer_<key>`; those keys are short because
 * they ship in every copy of the script, and this type is where they are spelled out.
 */

/** One call as the collector receives it. */
export interface WireMessage {
  type: 'identify' | 'track' | 'page'
  /** Random, made once per call and kept across retries and reloads: the server stores it once. */
  messageId: string
  /** The Jimer ID of this browser. */
  anonymousId: string
  /** On identify calls only: later calls reach the user through the device link. */
  userId?: string
  /** ISO time of the call (a Date until queued); the server corrects it for clock skew with the batch's `sentAt`. */
  timestamp: string | Date
  event?: string
  name?: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  /** Jimer extension: custom attribute keys to remove (`user:attributes` with `removeUnspecified`). */
  unset?: string[]
  context: WireContext
}

export interface WireContext {
  /** Rotates after 30 minutes without a call (F-05). */
  sessionId: string
  userAgent: string
  locale: string
  timezone: string
  screen: { width: number; height: number }
  page: { url: string; referrer: string; title: string }
  /** F-08, on identify calls: hex HMAC-SHA256 of `userId` with the project's secret key. */
  userHash?: string
  /** Calls dropped from the full retry queue (the oldest) to make room for this one. */
  dropped?: number
}

/** The body of one attempt; `sentAt` is stamped per attempt. */
export interface WireBatch {
  writeKey: string
  sentAt: string | Date
  batch: WireMessage[]
}

/** What the script keeps in localStorage, as `jimer_<key>` → JSON. */
export interface Stored {
  /** The Jimer ID (also in the `jimer_id` first-party cookie when localStorage fails). */
  id: string
  /** The user id this browser was last identified as, or null (to notice a switch of user). */
  u: string | null
  /** The session: [id, time of the last call in ms]. */
  s: [string, number] | null
  /** The retry queue: {@link WireMessage}s not yet acknowledged, oldest first. */
  q: WireMessage[]
  /** Trait keys this browser has set (as `{key: 1}`), so `removeUnspecified` knows what it may unset. */
  k: Record<string, 1>
}
