// Pure parts of delivery, tested in test/unit/snippet-queue.test.ts.
import { BATCH_BYTES, QUEUE_MAX } from './limits.js'
import type { WireMessage } from './wire.js'

/**
 * The queue with `message` appended, dropping the oldest past `max`; the new message
 * carries how many were dropped to make room for it (`context.dropped`; a lower bound
 * under a long outage, as a count is lost with its call if that call is dropped in turn).
 * The message is copied as JSON, so later changes to the caller's objects do not leak in
 * and dates become ISO strings; throws, leaving `queue` as it was, when it cannot be
 * serialized (a circular property, a BigInt).
 */
export const admit = (queue: WireMessage[], message: WireMessage, max = QUEUE_MAX): WireMessage[] => {
  message = JSON.parse(JSON.stringify(message))
  const gone = queue.slice(0, 1 - max)
  if (gone[0]) message.context.dropped = gone.length
  return queue.slice(1 - max).concat(message)
}

/** UTF-8 bytes of a text. */
export const bytes = (s: string): number => new Blob([s]).size

/** The longest run of messages from the head, skipping `skip`, that fits in one request (at least one). */
export const take = (queue: WireMessage[], skip: WireMessage[], max = BATCH_BYTES): WireMessage[] => {
  const batch: WireMessage[] = []
  for (const m of queue) {
    if (!skip.includes(m)) {
      if ((max -= bytes(JSON.stringify(m))) < 0 && batch[0]) break
      batch.push(m)
    }
  }
  return batch
}

/**
 * Milliseconds before retry number `failures` (1, 2, …): a step that doubles from 0.5 s
 * up to a minute, of which a random 50–100 % (`random` in [0, 1)) so browsers do not retry
 * in step; never sooner than the server's Retry-After (seconds).
 */
export const backoff = (failures: number, retryAfter: number, random: number): number =>
  Math.max(retryAfter * 1e3, Math.min(6e4, 250 * 2 ** failures) * (1 + random) / 2)

/**
 * What an answer means for the batch: -1 = done (stored, or refused for good: a 4xx other
 * than 408/429 would fail again), otherwise retry no sooner than its Retry-After seconds
 * (0 when absent, or an HTTP date: the backoff decides alone).
 */
export const outcome = (r: Response): number =>
  r.status < 500 && r.status - 408 && r.status - 429 ? -1 : +(r.headers.get('retry-after') as string) || 0
