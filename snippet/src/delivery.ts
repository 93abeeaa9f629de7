// Delivery (F-06): a persisted queue, batches, retries with backoff, and a last send on page hide.
import { BATCH_CALLS, BATCH_DELAY } from './limits.js'
import { admit, backoff, bytes, outcome, take } from './queue.js'
import { safe } from './safe.js'
import { load, save } from './store.js'
import type { WireMessage } from './wire.js'

let url: string
let key: string
/** Messages not yet acknowledged, oldest first (also in localStorage as `jimer_q`). */
let queue: WireMessage[]
/** The batch of the one request in flight. */
let busy: WireMessage[] = []
let sending: Promise<unknown> = Promise.resolve()
let failures = 0
let timer: any = 0

/** Flushes in `ms`, unless a flush is already due; `reschedule` replaces it (a backoff must not be cut short). */
const later = (ms: number, reschedule?: boolean) => {
  if (reschedule || !timer) {
    clearTimeout(timer)
    timer = setTimeout(safe(() => { timer = 0; flush() }), ms)
  }
}

/** One attempt's body ({@link WireBatch}); `sentAt` is stamped per attempt (a Date serializes as ISO). */
const body = (batch: WireMessage[]) => JSON.stringify({ writeKey: key, sentAt: new Date(), batch })

/** Starts delivery to `endpoint` with the write key; picks up what earlier pages left unsent. */
export const startDelivery = (endpoint: string, writeKey: string): void => {
  url = endpoint
  key = writeKey
  queue = ([] as WireMessage[]).concat(load('q') || [])
  later(BATCH_DELAY)
}

/** Queues one call; throws (and queues nothing) if it cannot be serialized. */
export const enqueue = (message: WireMessage): void => {
  save('q', (queue = admit(queue, message)))
  !failures && queue[BATCH_CALLS - 1] ? flush() : later(BATCH_DELAY)
}

/** Sends the head of the queue unless a request is in flight; resolves after that attempt. */
export const flush = (): Promise<unknown> => {
  if (busy[0]) return sending
  clearTimeout(timer)
  timer = 0
  const batch = (busy = take(queue, []))
  const text = body(batch)
  // A string body is sent as text/plain: a "simple" request, no CORS preflight.
  return (sending = batch[0]
    ? fetch(url, { method: 'POST', body: text, keepalive: bytes(text) < 65e3 })
      .then(outcome, () => 0)
      .then((retryAfter) => {
        busy = []
        if (retryAfter < 0) {
          failures = 0
          save('q', (queue = queue.filter((s) => !batch.includes(s))))
          later(0, true)
        } else later(backoff(++failures, retryAfter, Math.random()), true)
      })
    : sending)
}

/**
 * The page is hidden or going away: sendBeacon what is not in flight, ignoring any backoff.
 * The calls stay queued until a normal request is acknowledged, so if this one is lost the
 * next page sends them again, under the same message ids, and the server stores them once
 * (which also makes the second beacon harmless when both `visibilitychange` and `pagehide` fire).
 */
export const flushOnHide = safe((): void => {
  const batch = take(queue, busy)
  batch[0] && navigator.sendBeacon(url, body(batch))
})
