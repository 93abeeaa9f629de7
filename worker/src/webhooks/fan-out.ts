import type { Db, Stmt } from '../db/types.js'

/** Ledger rows read per fan-out transaction: a bounded write, however large the backlog. */
export const FAN_OUT_BATCH = 1000

const iso = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${ms}) / 1000.0, 'unixepoch')`
const eventType = `CASE l.entered WHEN 1 THEN 'segment.entered' ELSE 'segment.left' END`
/** When membership changed (Standard Webhooks' `timestamp` is when the event occurred); a write that set no time is dated by the fan-out. */
const AT = 'CASE WHEN l.at > 0 THEN l.at ELSE :now END'

/**
 * Turns the next ledger rows into deliveries, one per enabled endpoint of the row's project
 * that follows its segment and existed before it, and moves the cursor past them — in one
 * write transaction, so a crash never loses an entry or makes it twice (the unique
 * (endpoint, ledger id) index would refuse a second copy anyway). The payload is built here,
 * from the user and segment as they are now: a retry a day later sends the same bytes.
 * Users erased before this runs get no delivery (there is nobody left to name).
 */
export function fanOutStatements(now: number, batch = FAN_OUT_BATCH): Stmt[] {
  return [
    { sql: 'INSERT OR IGNORE INTO webhook_cursor (id, ledger_id) VALUES (1, 0)', args: [] },
    // Nothing before the oldest enabled endpoint's start can become a delivery: skip to it, or
    // to the ledger's end when no endpoint is enabled (so the members the ledger was seeded
    // with in migration 0008, and years of a project without webhooks, are never scanned).
    {
      sql: `UPDATE webhook_cursor SET ledger_id = max(ledger_id, coalesce((SELECT min(start_after) FROM webhook_endpoints WHERE enabled = 1), (SELECT max(id) FROM segment_ledger), 0))
            WHERE id = 1`,
      args: [],
    },
    {
      sql: `INSERT OR IGNORE INTO webhook_deliveries (project_id, endpoint_id, ledger_id, segment_id, user_pk, event_type, payload, webhook_id, status, attempts, next_attempt_at, created_at)
            SELECT l.project_id, e.id, l.id, l.segment_id, l.user_pk, ${eventType},
              json_object('type', ${eventType}, 'timestamp', ${iso(AT)}, 'data', json_object(
                'segment', json_object('id', l.segment_id, 'key', s.key, 'name', s.name),
                'user', json_object('id', u.user_id,
                  'jimerIds', (SELECT json_group_array(d.anonymous_id) FROM devices d WHERE d.project_id = l.project_id AND d.user_pk = l.user_pk),
                  'email', u.email, 'name', u.name),
                'at', ${iso(AT)}, 'cause', l.cause)),
              'msg_' || lower(hex(randomblob(12))), 'pending', 0, :now, :now
            FROM webhook_cursor c
            JOIN segment_ledger l ON l.id > c.ledger_id AND l.id <= c.ledger_id + :batch
            JOIN webhook_endpoints e ON e.project_id = l.project_id AND e.enabled = 1 AND l.id > e.start_after
              AND (e.segment_ids IS NULL OR l.segment_id IN (SELECT value FROM json_each(e.segment_ids)))
            JOIN users u ON u.project_id = l.project_id AND u.id = l.user_pk
            LEFT JOIN segments s ON s.project_id = l.project_id AND s.id = l.segment_id
            WHERE c.id = 1
            ORDER BY l.id, e.id`,
      args: { now, batch },
    },
    // max(): ledger rows can be erased from the top; the cursor never moves back.
    {
      sql: `UPDATE webhook_cursor SET ledger_id = max(ledger_id, min(ledger_id + :batch, (SELECT coalesce(max(id), 0) FROM segment_ledger))) WHERE id = 1`,
      args: { batch },
    },
    { sql: `SELECT (SELECT ledger_id FROM webhook_cursor WHERE id = 1) < (SELECT coalesce(max(id), 0) FROM segment_ledger) AS more`, args: [] },
  ]
}

/** One fan-out transaction; `more` when the ledger has rows past the new cursor. */
export async function fanOut(db: Db, now: number, batch = FAN_OUT_BATCH): Promise<{ created: number; more: boolean }> {
  const r = await db.batch(fanOutStatements(now, batch), 'write')
  return { created: r[2].rowsAffected, more: Boolean(Number(r[4].rows[0]?.more)) }
}
