import { describe, expect, it } from 'vitest'
import { RETRY_SCHEDULE_MS, retryDelay } from '../../worker/src/webhooks/backoff.js'

describe('webhook retry backoff', () => {
  it('waits 5 s, 30 s, 2 min, 10 min, 1 h, 3 h, then 6 h for every later retry', () => {
    const exact = (failures: number) => retryDelay(failures, () => 0.5)
    expect([1, 2, 3, 4, 5, 6, 7, 8, 30].map(exact)).toEqual([5_000, 30_000, 120_000, 600_000, 3_600_000, 10_800_000, 21_600_000, 21_600_000, 21_600_000])
    expect(RETRY_SCHEDULE_MS).toHaveLength(7)
  })

  it('spreads each wait by ±20 % so that an outage\'s backlog does not come back in one second', () => {
    expect(retryDelay(1, () => 0)).toBe(4_000)
    expect(retryDelay(1, () => 0.999999)).toBe(6_000)
    const spread = new Set(Array.from({ length: 50 }, () => retryDelay(4)))
    expect(spread.size).toBeGreaterThan(40)
    for (const d of spread) expect(d).toBeGreaterThanOrEqual(480_000)
  })
})

describe('the coalesced pump', () => {
  it('runs one at a time, once more for calls made during a run, and settles when none is asked for', async () => {
    const { coalesced } = await import('../../worker/src/webhooks/pump.js')
    let runs = 0
    let release: () => void = () => {}
    const pump = coalesced(() => new Promise<void>((ok) => { runs++; release = ok }))
    const first = pump()
    const second = pump()
    const third = pump()
    expect(second).toBe(first)
    expect(third).toBe(first)
    expect(runs).toBe(1)
    release()
    await expect.poll(() => runs).toBe(2)
    release()
    await first
    expect(runs).toBe(2)
  })
})
