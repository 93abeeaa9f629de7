import type { SqlValue, SyncSql } from '../db/types.js'
import { EVENT_COLUMNS } from './plan.js'

/** Statement sizes: a group's events go in as few multi-row INSERTs of these sizes as fit (4 cached statements). */
const SIZES = [64, 16, 4, 1]
const insertOf = new Map(SIZES.map((n) => [n, `INSERT INTO events (${EVENT_COLUMNS.map(([c]) => c).join(', ')})
  VALUES ${Array.from({ length: n }, () => `(${EVENT_COLUMNS.map(() => '?').join(', ')})`).join(', ')}
  ON CONFLICT (project_id, message_id) DO NOTHING`]))

/**
 * A group's event rows (Node's write thread): each message's event is held here and the
 * group's events are written together, as multi-row INSERTs, instead of one statement per
 * event — a statement costs ~2.5 µs to cross into libSQL and ~8 µs more to set up and run
 * (bench/profile of the grouped applier: 20 µs of an event's ~60). The rows are the ones
 * plan.ts's insertEvent writes, in message order, with its ON CONFLICT guard.
 *
 * A message whose id is held here counts as stored (`has`), as the lookup would find it
 * once written. Anything that reads or moves events — a merge, any other statement of the
 * group — must `flush` first.
 */
export function eventRows(sql: SyncSql) {
  const rows: SqlValue[][] = []
  const held = new Set<string>()
  const key = (projectId: SqlValue, messageId: SqlValue) => `${projectId}\u0000${messageId}`
  return {
    has: (projectId: SqlValue, messageId: SqlValue) => held.has(key(projectId, messageId)),
    /** One message's event, from its plan parameters and the profile it landed on. */
    add(a: Record<string, SqlValue>, target: number | null) {
      rows.push(EVENT_COLUMNS.map(([, v]) => (v === 't' ? target : a[v] ?? null)))
      held.add(key(a.p, a.m))
    },
    flush() {
      let at = 0
      for (const n of SIZES) {
        for (; rows.length - at >= n; at += n) sql.run(insertOf.get(n)!, rows.slice(at, at + n).flat())
      }
      rows.length = 0
      held.clear()
    },
  }
}
export type EventRows = ReturnType<typeof eventRows>
