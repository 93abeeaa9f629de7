/**
 * One user's events for the subject-access export (F-37), oldest first, page by page:
 * a long-lived profile can hold hundreds of thousands, more than one response should hold.
 */
import type { Db } from '../db/types.js'

export const EVENT_PAGE_SIZE = 1_000

export interface ExportedEvent {
  type: unknown
  name: unknown
  properties: unknown
  context: unknown
  /** Segment's `integrations` as sent, or null. */
  integrations: unknown
  timestamp: string | null
  receivedAt: string | null
  messageId: unknown
  /** The device (Jimer ID) that sent it. */
  jimerId: unknown
}

export const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString())

/** Keyset on (timestamp, id), which the (user_pk, timestamp) index holds in order. */
export async function* eventPages(db: Db, projectId: string, userPk: number, pageSize = EVENT_PAGE_SIZE): AsyncGenerator<ExportedEvent[]> {
  const sql = `SELECT id, type, name, properties, context, integrations, timestamp, received_at, message_id, anonymous_id FROM events INDEXED BY events_user_time
               WHERE project_id = ? AND user_pk = ? AND (timestamp, id) > (?, ?) ORDER BY timestamp, id LIMIT ?`
  let after: [number, number] = [Number.MIN_SAFE_INTEGER, 0]
  for (;;) {
    const { rows } = await db.execute({ sql, args: [projectId, userPk, ...after, pageSize] })
    if (!rows.length) return
    yield rows.map((e) => ({
      type: e.type, name: e.name, properties: JSON.parse(String(e.properties)), context: JSON.parse(String(e.context)),
      integrations: e.integrations === null ? null : JSON.parse(String(e.integrations)),
      timestamp: iso(e.timestamp), receivedAt: iso(e.received_at), messageId: e.message_id, jimerId: e.anonymous_id,
    }))
    if (rows.length < pageSize) return
    const last = rows[rows.length - 1]
    after = [Number(last.timestamp), Number(last.id)]
  }
}
