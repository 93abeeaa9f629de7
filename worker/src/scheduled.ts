import type { Db } from './db/types.js'

/**
 * Periodic upkeep, run by the cron trigger on Workers and a timer on Node. For now: drop
 * dashboard sessions past their expiry. (Time-relative segment membership joins it with
 * the segment engine.)
 */
export async function runScheduled(db: Db, now: number): Promise<{ expiredSessions: number }> {
  const r = await db.execute({ sql: 'DELETE FROM sessions WHERE expires_at <= :now', args: { now } })
  return { expiredSessions: r.rowsAffected }
}
