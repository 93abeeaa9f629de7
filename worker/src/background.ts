import type { Context } from 'hono'
import type { AppEnv } from './app.js'

/**
 * Work that continues after the response. Workers keep the isolate alive for it through
 * `waitUntil` (the entry supplies `deps.keepAlive`); Node's process simply lives on.
 * Failures are logged, never thrown.
 */
export function inBackground(c: Context<AppEnv>, work: Promise<unknown>): void {
  const safe = work.catch((e) => console.error('background work failed', e))
  // NOTE: not `c.executionCtx` directly: on Node its getter throws, an Error per request.
  c.var.deps.keepAlive?.(c, safe)
}
