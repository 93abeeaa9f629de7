import type { Db, Stmt } from '../db/types.js'
import type { Writer } from '../ingest/writer.js'
import { withCause } from '../segments/cause.js'
import { memberOf } from '../segments/member-of.js'
import { USER_COLUMNS, type MergeSnapshot } from './merge-users.js'

/** A merge can be undone this long (the snapshot holds both profiles' rows until then). */
export const UNDO_WINDOW_MS = 30 * 86_400_000

export type UndoResult = 'undone' | 'not_found' | 'already_undone' | 'expired' | 'kept_gone' | 'pk_taken' | 'busy'

/**
 * Undoes a merge (issue 16): both profiles exactly as the snapshot holds them — the merged
 * profile's users row again under its own pk, its events, devices, interactions,
 * responses, aliases, tags and memberships back on it, and the kept profile's row, tags,
 * aliases and memberships as they were. Rows that arrived after the merge stay with the
 * kept profile. One write: it claims the merge row with a random token first, and every
 * later statement applies only if that claim won, so two undos cannot both apply.
 */
export async function undoMerge(db: Db, writer: Writer, projectId: string, mergeId: number, now: number): Promise<{ result: UndoResult; keptPk?: number; mergedPk?: number }> {
  const { rows } = await db.execute({ sql: 'SELECT * FROM user_merges WHERE project_id = ? AND id = ?', args: [projectId, mergeId] })
  const m = rows[0]
  if (!m) return { result: 'not_found' }
  const [t, s] = [Number(m.kept_pk), Number(m.merged_pk)]
  if (m.undone_at !== null) return { result: 'already_undone', keptPk: t, mergedPk: s }
  if (now - Number(m.at) > UNDO_WINDOW_MS) return { result: 'expired', keptPk: t, mergedPk: s }
  const [kept, taken] = await db.batch([
    { sql: 'SELECT 1 FROM users WHERE project_id = ? AND id = ?', args: [projectId, t] },
    { sql: 'SELECT 1 FROM users WHERE id = ?', args: [s] },
  ], 'read')
  if (!kept.rows.length) return { result: 'kept_gone', keptPk: t, mergedPk: s }
  if (taken.rows.length) return { result: 'pk_taken', keptPk: t, mergedPk: s }
  const snap = JSON.parse(String(m.snapshot)) as MergeSnapshot
  const token = crypto.randomUUID()
  const mine = '(SELECT undo_token FROM user_merges WHERE id = :mid) = :token'
  const base = { p: projectId, t, s, mid: mergeId, token }
  const json = (v: unknown) => JSON.stringify(v)
  const cols = USER_COLUMNS
  const userArgs = (row: Record<string, unknown>) => Object.fromEntries(cols.map((c) => [`c_${c}`, row[c] as never]))
  const stmts: Stmt[] = [
    { sql: 'UPDATE user_merges SET undone_at = :now, undo_token = :token WHERE id = :mid AND project_id = :p AND undone_at IS NULL', args: { ...base, now } },
    // The merged profile again, every column as it was (its own pk included).
    { sql: `INSERT INTO users (${cols.join(', ')}) SELECT ${cols.map((c) => `:c_${c}`).join(', ')} WHERE ${mine}`, args: { ...base, ...userArgs(snap.merged) } },
    // The kept profile's row as it was.
    { sql: `UPDATE users SET ${cols.filter((c) => c !== 'id').map((c) => `${c} = :c_${c}`).join(', ')} WHERE id = :t AND project_id = :p AND ${mine}`, args: { ...base, ...userArgs(snap.kept) } },
    ...(['devices', 'events', 'interactions', 'responses'] as const).map((table) => ({
      sql: `UPDATE ${table} SET user_pk = :s WHERE +project_id = :p AND user_pk = :t AND id IN (SELECT value FROM json_each(:ids)) AND ${mine}`,
      args: { ...base, ids: json(snap[table]) },
    })),
    // Aliases: the merged profile's back on it; the alias the merge made of its user id goes,
    // unless one of the two profiles held it before.
    { sql: `UPDATE aliases SET user_pk = :s WHERE project_id = :p AND alias IN (SELECT value FROM json_each(:aliases)) AND ${mine}`, args: { ...base, aliases: json(snap.aliases.merged) } },
    {
      sql: `DELETE FROM aliases WHERE project_id = :p AND user_pk = :t AND alias = :uid AND alias NOT IN (SELECT value FROM json_each(:known)) AND ${mine}`,
      args: { ...base, uid: (snap.merged.user_id as string | null) ?? null, known: json([...snap.aliases.merged, ...snap.aliases.kept]) },
    },
    // Tags: what the kept profile gained from the merge goes; the merged one's come back.
    { sql: `DELETE FROM user_tags WHERE project_id = :p AND user_pk = :t AND tag_id IN (SELECT value FROM json_each(:gained)) AND ${mine}`, args: { ...base, gained: json(snap.tags.merged.map((x) => x.tag_id).filter((id) => !snap.tags.kept.includes(id))) } },
    {
      sql: `INSERT OR IGNORE INTO user_tags (project_id, user_pk, tag_id, created_at)
            SELECT :p, :s, x.value ->> '$.tag_id', x.value ->> '$.created_at' FROM json_each(:tags) x JOIN tags g ON g.id = x.value ->> '$.tag_id' AND g.project_id = :p WHERE ${mine}`,
      args: { ...base, tags: json(snap.tags.merged) },
    },
    // Memberships: the kept profile's set as it was (times included), and the merged one's.
    { sql: `DELETE FROM segment_members WHERE ${memberOf(':p', ':t')} AND segment_id NOT IN (SELECT value ->> '$.segment_id' FROM json_each(:kept)) AND ${mine}`, args: { ...base, kept: json(snap.memberships.kept) } },
    ...(['kept', 'merged'] as const).map((who) => ({
      sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at)
            SELECT :p, x.value ->> '$.segment_id', ${who === 'kept' ? ':t' : ':s'}, x.value ->> '$.entered_at', x.value ->> '$.computed_at'
            FROM json_each(:rows) x JOIN segments g ON g.id = x.value ->> '$.segment_id' AND g.project_id = :p WHERE ${mine}
            ON CONFLICT (segment_id, user_pk) DO UPDATE SET entered_at = excluded.entered_at, computed_at = excluded.computed_at`,
      args: { ...base, rows: json(snap.memberships[who]) },
    })),
  ]
  try {
    await writer.write(withCause('undo merge', now, stmts))
  } catch (e) {
    // The merged user id (or email index) taken by a profile made since: nothing was written (one transaction).
    if (String((e as Error).message).includes('UNIQUE')) return { result: 'pk_taken', keptPk: t, mergedPk: s }
    throw e
  }
  const check = await db.execute({ sql: 'SELECT undo_token FROM user_merges WHERE id = ?', args: [mergeId] })
  return { result: check.rows[0]?.undo_token === token ? 'undone' : 'busy', keptPk: t, mergedPk: s }
}
