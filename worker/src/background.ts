import type { Context } from 'hono'

/**
 * Work that continues after the response. Workers keep the isolate alive for it through
 * `waitUntil`; Node's process simply lives on. Failures are logged, never thrown.
 */
export function inBackground(c: Context, work: Promise<unknown>): void {
  const safe = work.catch((e) => console.error('background work failed', e))
  try {
    c.executionCtx.waitUntil(safe)
  } catch {
    // No ExecutionContext outside Workers.
  }
}
