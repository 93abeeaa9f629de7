/**
 * Rate limiting (F-15) as the core sees it: a named limit answers whether one more request
 * under a key fits. The runtime brings the counter — on Workers the Rate Limiting binding,
 * on Node (one process) the in-memory window below — so the core imports neither.
 */
export interface RateLimit {
  /** Whether one more request under `key` fits; if not, seconds until it would. */
  take(key: string): Promise<{ ok: true } | { ok: false; retryAfter: number }>
}

/** The collector's limits: one per write key (a whole project), one per client address within a project. */
export interface CollectorLimits {
  perKey: RateLimit
  perIp: RateLimit
}

/** Requests per window. Generous for real sites; a runaway script or a flood hits them. */
export const COLLECTOR_LIMITS = {
  /** Per write key: the project's whole traffic. */
  perKey: { limit: 20_000, periodSeconds: 10 },
  /** Per client address and project: far above what one browser or one batching server sends. */
  perIp: { limit: 1_000, periodSeconds: 10 },
} as const

/**
 * A fixed window per key, in memory: exact for one process (Node), per isolate on Workers
 * when the binding is absent. Keys past their window are dropped as the map grows.
 */
export function memoryRateLimit(opts: { limit: number; periodSeconds: number; now: () => number }): RateLimit {
  const periodMs = opts.periodSeconds * 1000
  const windows = new Map<string, { start: number; count: number }>()
  return {
    async take(key) {
      const now = opts.now()
      const start = now - (now % periodMs)
      let w = windows.get(key)
      if (!w || w.start !== start) {
        if (windows.size > 100_000) for (const [k, old] of windows) if (old.start !== start) windows.delete(k)
        windows.set(key, (w = { start, count: 0 }))
      }
      if (w.count >= opts.limit) return { ok: false, retryAfter: Math.max(1, Math.ceil((start + periodMs - now) / 1000)) }
      w.count++
      return { ok: true }
    },
  }
}

/** Cloudflare's Rate Limiting binding (`[[ratelimits]]` in wrangler.toml) as a RateLimit. */
export function bindingRateLimit(binding: { limit(o: { key: string }): Promise<{ success: boolean }> }, periodSeconds: number): RateLimit {
  return {
    async take(key) {
      return (await binding.limit({ key })).success ? { ok: true } : { ok: false, retryAfter: periodSeconds }
    },
  }
}

export function memoryCollectorLimits(now: () => number, limits: { perKey: { limit: number; periodSeconds: number }; perIp: { limit: number; periodSeconds: number } } = COLLECTOR_LIMITS): CollectorLimits {
  return { perKey: memoryRateLimit({ ...limits.perKey, now }), perIp: memoryRateLimit({ ...limits.perIp, now }) }
}
