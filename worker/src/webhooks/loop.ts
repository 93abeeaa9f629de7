import type { DeliveryDeps } from './deliver.js'
import { coalesced, pumpWebhooks } from './pump.js'

/**
 * The delivery loop of a long-lived process (Node): a pump when woken (after writes, a
 * replay, an endpoint saved; at most one per `gapMs` under a burst) and every `idleMs`
 * regardless — retries fall due by the clock, and the clock (`deps.now`) may be a test's.
 * `stop()` waits for a running pump to finish.
 */
export function webhookLoop(deps: DeliveryDeps, opts: { idleMs?: number; gapMs?: number } = {}) {
  const idleMs = opts.idleMs ?? 1000
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = true
  let current: Promise<void> = Promise.resolve()
  // Under a stream of writes (every collector request wakes it), at most one pump per gap:
  // its writes share the database with the collector's write thread.
  const pump = coalesced(() => pumpWebhooks(deps), opts.gapMs ?? 200)
  const tick = () => {
    if (stopped) return
    clearTimeout(timer)
    current = pump().finally(() => {
      if (stopped) return
      clearTimeout(timer)
      timer = setTimeout(tick, idleMs)
      // NOTE: a pending retry must not keep a process alive that is otherwise done.
      ;(timer as { unref?: () => void }).unref?.()
    })
  }
  return {
    start() {
      stopped = false
      tick()
    },
    wake() {
      if (!stopped) tick()
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await current
    },
  }
}
