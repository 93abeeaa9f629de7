import { pruneAudit } from './audit/log.js'
import type { Db } from './db/types.js'
import type { Writer } from './ingest/writer.js'
import { recomputeTimeRelative } from './segments/membership.js'
import { verifyMembership } from './segments/membership-verify.js'
import { checkUserStorage } from './users/storage-check.js'
import { expireDeliveries } from './webhooks/retention.js'

/** An import that has received nothing for this long was abandoned (its tab closed, its script died). */
export const IMPORT_ABANDONED_MS = 24 * 60 * 60 * 1000

/**
 * Periodic upkeep, run by the cron trigger on Workers and a timer on Node: recompute the
 * segments whose membership depends on the clock (F-52), drop dashboard sessions past
 * their expiry, and mark abandoned imports Failed (F-63) — their committed chunks stay, and
 * the same file can still resume them — and drop audit rows past their 365 days and
 * invitations that expired a month ago. The user totals are checked and any drift repaired
 * and logged (users/storage-check.ts), and so is segment membership (segments/membership-verify.ts).
 * Webhook deliveries pending for 3 days are given up, and the delivery log keeps 30 days
 * (webhooks/retention.ts).
 */
export async function runScheduled(db: Db, writer: Writer, now: number): Promise<{
  expiredSessions: number; segmentsRecomputed: number; importsAbandoned: number; auditPruned: number; countsRepaired: string[]
  membership: Awaited<ReturnType<typeof verifyMembership>>
  webhooks: { failed: number; pruned: number }
}> {
  const r = await db.execute({ sql: 'DELETE FROM sessions WHERE expires_at <= :now', args: { now } })
  const auditPruned = await pruneAudit(db, now)
  await db.execute({ sql: 'DELETE FROM invitations WHERE expires_at <= ?', args: [now - 30 * 86_400_000] })
  const abandoned = await db.execute({
    sql: `UPDATE imports SET status = 'failed', failure = 'abandoned: nothing was received for 24 hours; send the same file to resume it', updated_at = :now
          WHERE status IN ('draft', 'running') AND updated_at <= :before`,
    args: { now, before: now - IMPORT_ABANDONED_MS },
  })
  let segmentsRecomputed = 0
  const projects = await db.execute('SELECT id FROM projects ORDER BY id')
  for (const p of projects.rows) segmentsRecomputed += await recomputeTimeRelative(db, writer, String(p.id), now)
  const membership = await verifyMembership(db, writer, now)
  if (membership.countsRepaired.length || membership.membersRepaired) {
    console.warn(`segment membership drifted and was repaired: ${membership.membersRepaired} memberships; counts: ${membership.countsRepaired.join('; ') || 'none'}`)
  }
  const webhooks = await expireDeliveries(db, now)
  const { countsRepaired } = await checkUserStorage(db, writer)
  if (countsRepaired.length) console.warn(`user totals drifted and were repaired: ${countsRepaired.join('; ')}`)
  return { expiredSessions: r.rowsAffected, segmentsRecomputed, importsAbandoned: abandoned.rowsAffected, auditPruned, countsRepaired, membership, webhooks }
}
