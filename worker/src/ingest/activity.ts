import type { SqlValue, SyncSql } from '../db/types.js'

/** The columns that activity changes, as the plan's ACTIVITY expression reads and writes them. */
export interface Activity {
  first_seen: number
  last_seen: number
  sessions: number
  last_session_id: string | null
  events_count: number
  updated_at: number
}

/**
 * A group's profile upkeep per user (Node's write thread): instead of one UPDATE per
 * event, each profile is read once, every activity-only message of the group is applied
 * to that copy in message order, and the profile is written once — last seen = max,
 * counts += n, sessions counted message by message exactly as the plan's ACTIVITY
 * expression counts them (`plan.ts`). Fewer writes of `users` also mean fewer runs of its
 * triggers (typed attributes, journal).
 *
 * `read` is the profile's row when the caller has just read it (apply.ts's lookup, or a
 * profile it just created); otherwise it is read here. Anything else that reads or writes
 * a pending profile must `flush` it first: a traits
 * update (`flush(pk)`), a merge or any other statement (`flushAll`).
 *
 * The pending profiles are written by one UPDATE from a JSON array rather than one
 * statement each (~2.5 µs a statement to cross into libSQL); its per-row triggers journal
 * each profile as any UPDATE of users does.
 */
export function activityUpkeep(sql: SyncSql) {
  const pending = new Map<number, Activity>()
  const write = (pks: number[]) => {
    if (!pks.length) return
    const rows = pks.map((pk) => {
      const row = pending.get(pk)!
      pending.delete(pk)
      return [pk, row.first_seen, row.last_seen, row.sessions, row.last_session_id, row.events_count, row.updated_at]
    })
    sql.run(WRITE, [JSON.stringify(rows)])
  }

  return {
    /** Applies one message's activity (its plan parameters) to the profile `pk`. */
    add(pk: number, projectId: string, a: Record<string, SqlValue>, read?: Activity) {
      let row = pending.get(pk)
      if (!row) {
        row = read ? { ...read } : sql.get(READ, [pk, projectId]) as Activity | undefined
        // No such profile in this project: the plan's UPDATE would change nothing either.
        if (!row) return
        pending.set(pk, row)
      }
      apply(row, a)
    },
    flush(pk: number) {
      if (pending.has(pk)) write([pk])
    },
    flushAll() {
      write([...pending.keys()])
    },
  }
}
export type ActivityUpkeep = ReturnType<typeof activityUpkeep>

const READ = 'SELECT first_seen, last_seen, sessions, last_session_id, events_count, updated_at FROM users WHERE id = ? AND project_id = ?'
/** Every pending profile from one JSON array of [pk, first seen, last seen, sessions, last session, events, updated]. */
const WRITE = `UPDATE users SET first_seen = j.value ->> 1, last_seen = j.value ->> 2, sessions = j.value ->> 3, last_session_id = j.value ->> 4,
    events_count = j.value ->> 5, updated_at = j.value ->> 6
  FROM json_each(?) j WHERE users.id = j.value ->> 0`

/** ACTIVITY of plan.ts in JS: every right-hand side reads the row as it was before this message. */
function apply(row: Activity, a: Record<string, SqlValue>) {
  const active = Number(a.active) !== 0
  const ts = Number(a.ts)
  const sid = a.sid as string | null
  const before = { ...row }
  if (active) {
    row.first_seen = before.first_seen === 0 ? ts : Math.min(before.first_seen, ts)
    row.last_seen = Math.max(before.last_seen, ts)
    row.sessions = before.sessions + (sid !== null ? (before.last_session_id !== sid ? 1 : 0) : before.sessions === 0 || ts > before.last_seen + Number(a.gap) ? 1 : 0)
    if (sid !== null) row.last_session_id = sid
  }
  row.events_count = before.events_count + Number(a.counts)
  row.updated_at = Number(a.now)
}
