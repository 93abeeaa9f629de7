import { completeBackfills } from '../db/backfill.js'
import type { Db } from '../db/types.js'
import type { Writer } from '../ingest/writer.js'

/** Users per scheduled run that a pending backfill copies (a cron run must stay short). */
const SCHEDULED_BACKFILL_BATCHES = 20
/** Entries of the user_changes journal kept (segments/columns.ts reads it). */
export const JOURNAL_KEPT = 1_000_000

/**
 * The schedule's check of what triggers keep (migration 0005): the user totals are
 * recounted and any drift is repaired and reported (it should find none: the triggers
 * run in every write's own transaction); a pending attribute backfill goes on; and the
 * search index merges a little, so erased users' entries leave its pages.
 */
export async function checkUserStorage(db: Db, writer: Writer): Promise<{ countsRepaired: string[] }> {
  const countsRepaired = await userCountDrift(db)
  if (countsRepaired.length) {
    // Recounted inside the write transaction, so concurrent writes cannot make it wrong.
    await writer.write([
      { sql: `INSERT OR IGNORE INTO user_counts (project_id, status, n) SELECT DISTINCT project_id, status, 0 FROM users`, args: [] },
      { sql: `UPDATE user_counts SET n = (SELECT count(*) FROM users u WHERE u.project_id = user_counts.project_id AND u.status = user_counts.status)`, args: [] },
    ])
  }
  await completeBackfills(db, { maxBatches: SCHEDULED_BACKFILL_BATCHES })
  await writer.write([
    // The change journal keeps its last million entries (a columns reader further behind
    // reloads whole), and everything the membership drain has not reached yet.
    { sql: `DELETE FROM user_changes WHERE seq <= min((SELECT max(seq) FROM user_changes) - :keep, (SELECT seq FROM membership_cursor WHERE id = 1))`, args: { keep: JOURNAL_KEPT } },
    { sql: `INSERT INTO users_search (users_search, rank) VALUES ('merge', 64)`, args: {} },
  ])
  return { countsRepaired }
}

/** Where the trigger-kept totals differ from a count of the users table, one line each (none when they agree). */
export async function userCountDrift(db: Db): Promise<string[]> {
  const drift = await db.execute(`
    SELECT k.project_id, k.status, coalesce(c.n, 0) AS kept, coalesce(u.n, 0) AS real FROM
      (SELECT project_id, status FROM user_counts UNION SELECT DISTINCT project_id, status FROM users) k
      LEFT JOIN user_counts c ON c.project_id = k.project_id AND c.status = k.status
      LEFT JOIN (SELECT project_id, status, count(*) AS n FROM users GROUP BY project_id, status) u ON u.project_id = k.project_id AND u.status = k.status
    WHERE coalesce(c.n, 0) <> coalesce(u.n, 0)`)
  return drift.rows.map((r) => `${r.project_id}/${r.status}: kept ${r.kept}, counted ${r.real}`)
}
