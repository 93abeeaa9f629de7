import type { Db } from '../db/types.js'

/** A delivery still not made this long after its change is given up ('failed'; Replay sends it again). */
export const GIVE_UP_AFTER_MS = 3 * 86_400_000
/** Delivered and failed deliveries stay in the log this long. */
export const LOG_RETENTION_MS = 30 * 86_400_000

/**
 * The schedule's upkeep of the outbox: deliveries pending past GIVE_UP_AFTER_MS (an
 * endpoint disabled, or down for days) become 'failed' — which no longer holds back later
 * deliveries of the same user and segment — and log rows past LOG_RETENTION_MS go.
 */
export async function expireDeliveries(db: Db, now: number): Promise<{ failed: number; pruned: number }> {
  const [failed, pruned] = await db.batch([
    {
      sql: `UPDATE webhook_deliveries SET status = 'failed', last_error = 'given up: not delivered within 3 days' || coalesce(' (last error: ' || last_error || ')', '')
            WHERE status = 'pending' AND created_at <= ?`,
      args: [now - GIVE_UP_AFTER_MS],
    },
    { sql: `DELETE FROM webhook_deliveries WHERE status != 'pending' AND created_at <= ?`, args: [now - LOG_RETENTION_MS] },
  ], 'write')
  return { failed: failed.rowsAffected, pruned: pruned.rowsAffected }
}
