import type { Db } from './db/types.js'
import type { Writer } from './ingest/writer.js'
import { recomputeTimeRelative } from './segments/membership.js'

/**
 * Periodic upkeep, run by the cron trigger on Workers and a timer on Node: recompute the
 * segments whose membership depends on the clock (F-52), and drop dashboard sessions past
 * their expiry.
 */
export async function runScheduled(db: Db, writer: Writer, now: number): Promise<{ expiredSessions: number; segmentsRecomputed: number }> {
  const r = await db.execute({ sql: 'DELETE FROM sessions WHERE expires_at <= :now', args: { now } })
  let segmentsRecomputed = 0
  const projects = await db.execute('SELECT id FROM projects ORDER BY id')
  for (const p of projects.rows) segmentsRecomputed += await recomputeTimeRelative(db, writer, String(p.id), now)
  return { expiredSessions: r.rowsAffected, segmentsRecomputed }
}
