/** Waits before the 1st, 2nd, … retry; every later retry waits the last one. */
export const RETRY_SCHEDULE_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000]

/** An endpoint failing every delivery for this long is disabled (its pending deliveries stay). */
export const DISABLE_AFTER_MS = 24 * 3_600_000

/**
 * The wait after the `failures`-th failed attempt, ±20 % so that deliveries that failed
 * together (a receiver's outage) do not all come back in the same second.
 */
export function retryDelay(failures: number, random: () => number = Math.random): number {
  const base = RETRY_SCHEDULE_MS[Math.min(failures, RETRY_SCHEDULE_MS.length) - 1] ?? RETRY_SCHEDULE_MS[0]
  return Math.round(base * (0.8 + 0.4 * random()))
}
