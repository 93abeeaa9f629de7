import type { Db } from '../db/types.js'
import { deliverDue, type DeliveryDeps } from './deliver.js'
import { fanOut } from './fan-out.js'

/** Bounds on one pump, so a backlog is worked through by several pumps rather than one endless one. */
const MAX_FAN_OUTS = 20
const MAX_SENDS = 10

/**
 * Is there news in the ledger for an enabled endpoint, or a delivery due? One cheap read, so
 * an idle pump — and every pump of a project without webhooks — writes nothing.
 */
async function work(db: Db, now: number): Promise<boolean> {
  const { rows } = await db.execute({
    sql: `SELECT (EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled = 1)
              AND coalesce((SELECT ledger_id FROM webhook_cursor WHERE id = 1), -1) < (SELECT coalesce(max(id), 0) FROM segment_ledger))
            OR EXISTS (SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?) AS busy`,
    args: [now],
  })
  return Boolean(Number(rows[0]?.busy))
}

/**
 * Fan-out then delivery until nothing is due (or a bound is reached). Runtime-neutral: the
 * Node loop (webhooks/loop.ts) and the Workers cron and `waitUntil` call it.
 */
export async function pumpWebhooks(deps: DeliveryDeps): Promise<{ created: number; attempted: number }> {
  let created = 0
  let attempted = 0
  if (!(await work(deps.db, deps.now()))) return { created, attempted }
  for (let i = 0; i < MAX_FAN_OUTS; i++) {
    const r = await fanOut(deps.db, deps.now())
    created += r.created
    if (!r.more) break
  }
  for (let i = 0; i < MAX_SENDS; i++) {
    const n = await deliverDue(deps)
    attempted += n
    if (!n) break
  }
  return { created, attempted }
}

/**
 * Runs `pump` one at a time: a call while one runs asks for one more run after it (the
 * write that called may have come after the running pump read the ledger), never a pile.
 * With `gapMs`, runs asked for during a burst start at most once per gap (the one after the
 * burst's last call still runs). The promise settles when no run is asked for any more.
 */
export function coalesced(pump: () => Promise<unknown>, gapMs = 0): () => Promise<void> {
  let running: Promise<void> | null = null
  let again = false
  const run = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        const started = Date.now()
        await pump().catch((e) => console.error('webhook delivery failed', e))
        const rest = gapMs - (Date.now() - started)
        if (again && rest > 0) await new Promise((ok) => setTimeout(ok, rest))
      } while (again)
    })().finally(() => (running = null))
    return running
  }
  return run
}
