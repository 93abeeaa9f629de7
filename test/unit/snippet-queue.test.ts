// The pure parts of the snippet's delivery (snippet/src/queue.ts): queue bound, batching, backoff.
import { describe, expect, it } from 'vitest'
import { BATCH_BYTES, QUEUE_MAX } from '../../snippet/src/limits.js'
import { admit, backoff, bytes, outcome, take } from '../../snippet/src/queue.js'
import type { WireMessage } from '../../snippet/src/wire.js'

const message = (i: number, properties: Record<string, unknown> = { i }): WireMessage => ({
  type: 'track', event: 'e', messageId: `m${i}`, anonymousId: 'a', timestamp: '2026-01-01T00:00:00.000Z', properties,
  context: { sessionId: 's', userAgent: 'ua', locale: 'en', timezone: 'UTC', screen: { width: 1, height: 1 }, page: { url: 'u', referrer: '', title: 't' } },
})
const fill = (n: number) => Array.from({ length: n }, (_, i) => admit([], message(i))[0])

describe('admit', () => {
  it('appends a copy of the message, so later changes by the caller do not leak in', () => {
    const props = { step: 1 }
    const m = message(1, props)
    const queue = admit([], m)
    props.step = 2
    expect(queue[0].properties).toEqual({ step: 1 })
    expect(queue[0]).not.toBe(m)
  })

  it('keeps at most QUEUE_MAX calls, dropping the oldest and counting them on the new call', () => {
    const full = fill(QUEUE_MAX)
    const next = admit(full, message(1000))
    expect(next).toHaveLength(QUEUE_MAX)
    expect(next[0].messageId).toBe('m1')
    expect(next.at(-1)).toMatchObject({ messageId: 'm1000', context: { dropped: 1 } })
    // A queue over the bound (an older version kept more) is cut back in one step.
    const over = admit(fill(QUEUE_MAX + 5), message(2000))
    expect(over).toHaveLength(QUEUE_MAX)
    expect(over.at(-1)!.context.dropped).toBe(6)
  })

  it('adds no drop count while there is room, and leaves the queue untouched', () => {
    const queue = fill(3)
    const next = admit(queue, message(3))
    expect(queue).toHaveLength(3)
    expect(next.map((m) => m.messageId)).toEqual(['m0', 'm1', 'm2', 'm3'])
    expect(next[3].context.dropped).toBeUndefined()
  })

  it('throws on a call that cannot be serialized, leaving the queue as it was', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const queue = fill(2)
    expect(() => admit(queue, message(9, circular))).toThrow()
    expect(() => admit(queue, message(9, { n: 1n }))).toThrow()
    expect(queue).toHaveLength(2)
  })
})

describe('take', () => {
  it('takes the head of the queue up to the byte budget, skipping calls in flight', () => {
    const queue = fill(5)
    expect(take(queue, [])).toEqual(queue)
    expect(take(queue, [queue[0], queue[1]])).toEqual(queue.slice(2))
    const size = bytes(JSON.stringify(queue[0]))
    expect(take(queue, [], size * 2 + 1)).toEqual(queue.slice(0, 2))
  })

  it('keeps every request under 64 KiB, counting UTF-8 bytes, yet always takes one call', () => {
    const big = Array.from({ length: 10 }, (_, i) => admit([], message(i, { text: 'é'.repeat(5000) }))[0])
    const batch = take(big, [])
    expect(bytes(JSON.stringify({ writeKey: 'wk', sentAt: new Date(), batch }))).toBeLessThan(64 * 1024)
    expect(batch.length).toBe(Math.floor(BATCH_BYTES / bytes(JSON.stringify(big[0]))))
    const huge = admit([], message(0, { text: 'x'.repeat(BATCH_BYTES) }))
    expect(take(huge, [])).toHaveLength(1)
  })
})

describe('backoff', () => {
  it('doubles from 0.5 s, with jitter between half and all of the step, up to a minute', () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, 0, 1))).toEqual([500, 1000, 2000, 4000])
    expect([1, 2, 3, 4].map((n) => backoff(n, 0, 0))).toEqual([250, 500, 1000, 2000])
    expect(backoff(30, 0, 0.999)).toBeLessThanOrEqual(60_000)
    expect(backoff(30, 0, 0)).toBe(30_000)
  })

  it('never retries sooner than the Retry-After the server asked for', () => {
    expect(backoff(1, 5, 0)).toBe(5000)
    expect(backoff(10, 5, 1)).toBe(60_000)
  })
})

describe('outcome', () => {
  const answer = (status: number, retryAfter?: string) => new Response(null, { status, headers: retryAfter ? { 'Retry-After': retryAfter } : {} })

  it('drops a batch once stored or refused for good, and retries 408, 429, 5xx with their Retry-After', () => {
    expect([200, 204, 400, 401, 403, 404, 413].map((s) => outcome(answer(s)))).toEqual([-1, -1, -1, -1, -1, -1, -1])
    expect(outcome(answer(429, '7'))).toBe(7)
    expect(outcome(answer(503, '1'))).toBe(1)
    expect(outcome(answer(500))).toBe(0)
    expect(outcome(answer(408))).toBe(0)
    // An HTTP-date Retry-After falls back to the backoff alone.
    expect(outcome(answer(503, 'Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(0)
  })
})
