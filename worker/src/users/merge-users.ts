import { getTableColumns } from 'drizzle-orm'
import type { Db, Stmt } from '../db/types.js'
import { users } from '../db/schema.js'
import { mergeStatements } from '../ingest/merge.js'
import type { Writer } from '../ingest/writer.js'
import { withCause } from '../segments/cause.js'
import { memberOf } from '../segments/member-of.js'

/**
 * A merge chosen in the dashboard (issue 16, Duplicates): profile `mergePk` folds into
 * `keepPk` with the collector's own field rules (ingest/merge.ts: earliest first seen,
 * latest last seen, summed sessions and counts, newer attribute values by their recorded
 * time, tags / devices / events / interactions / responses / aliases moved, the merged
 * user id kept as an alias), plus the merged profile's static lists. Before it, every row
 * of both profiles that the merge changes is copied into `user_merges.snapshot`, so that
 * Undo (merge-undo.ts) puts each back exactly.
 *
 * The snapshot is read, then the merge written: the write applies only if neither profile
 * changed in between (the change journal's last entry for them is the one read), and is
 * tried again when it did not.
 */

/** The users columns by name, from the schema: the only identifiers undo writes. */
export const USER_COLUMNS = Object.values(getTableColumns(users)).map((c) => c.name)

export interface MergeSnapshot {
  kept: Record<string, unknown>
  merged: Record<string, unknown>
  /** Row ids that belonged to the merged profile. */
  devices: number[]; events: number[]; interactions: number[]; responses: number[]
  aliases: { merged: string[]; kept: string[] }
  tags: { merged: { tag_id: number; created_at: number }[]; kept: number[] }
  memberships: { merged: Member[]; kept: Member[] }
}
type Member = { segment_id: number; entered_at: number; computed_at: number }

async function snapshotOf(db: Db, projectId: string, keep: number, merge: number) {
  const one = (sql: string, pk: number) => ({ sql, args: { p: projectId, u: pk } })
  const rs = await db.batch([
    one('SELECT * FROM users WHERE project_id = :p AND id = :u', keep),
    one('SELECT * FROM users WHERE project_id = :p AND id = :u', merge),
    // `+project_id`: by the user index (on events the covering project-leading index would read the project's every event).
    ...['devices', 'events', 'interactions', 'responses'].map((t) => one(`SELECT id FROM ${t} WHERE +project_id = :p AND user_pk = :u ORDER BY id`, merge)),
    one('SELECT alias FROM aliases WHERE project_id = :p AND user_pk = :u ORDER BY alias', merge),
    one('SELECT alias FROM aliases WHERE project_id = :p AND user_pk = :u ORDER BY alias', keep),
    one('SELECT tag_id, created_at FROM user_tags WHERE project_id = :p AND user_pk = :u ORDER BY tag_id', merge),
    one('SELECT tag_id FROM user_tags WHERE project_id = :p AND user_pk = :u ORDER BY tag_id', keep),
    one(`SELECT segment_id, entered_at, computed_at FROM segment_members WHERE ${memberOf(':p', ':u')} ORDER BY segment_id`, merge),
    one(`SELECT segment_id, entered_at, computed_at FROM segment_members WHERE ${memberOf(':p', ':u')} ORDER BY segment_id`, keep),
    { sql: 'SELECT coalesce(max(seq), 0) AS seq FROM user_changes WHERE project_id = :p AND user_pk IN (:k, :m)', args: { p: projectId, k: keep, m: merge } },
  ], 'read')
  if (!rs[0].rows[0] || !rs[1].rows[0]) return null
  const ids = (i: number) => rs[i].rows.map((r) => Number(r.id))
  const plain = (r: Record<string, unknown>) => Object.fromEntries(USER_COLUMNS.map((c) => [c, r[c] ?? null]))
  const members = (i: number): Member[] => rs[i].rows.map((r) => ({ segment_id: Number(r.segment_id), entered_at: Number(r.entered_at), computed_at: Number(r.computed_at) }))
  const snapshot: MergeSnapshot = {
    kept: plain(rs[0].rows[0]), merged: plain(rs[1].rows[0]),
    devices: ids(2), events: ids(3), interactions: ids(4), responses: ids(5),
    aliases: { merged: rs[6].rows.map((r) => String(r.alias)), kept: rs[7].rows.map((r) => String(r.alias)) },
    tags: { merged: rs[8].rows.map((r) => ({ tag_id: Number(r.tag_id), created_at: Number(r.created_at) })), kept: rs[9].rows.map((r) => Number(r.tag_id)) },
    memberships: { merged: members(10), kept: members(11) },
  }
  return { snapshot, seq: Number(rs[12].rows[0].seq) }
}

/** A random id for the merge row: the statements after it apply only if it was written. */
const randomId = () => Math.floor(Math.random() * 2 ** 48) + 1

export async function mergeUsers(db: Db, writer: Writer, projectId: string, keep: number, merge: number, actorName: string, now: number): Promise<{ id: number } | 'not_found' | 'busy'> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const read = await snapshotOf(db, projectId, keep, merge)
    if (!read) return 'not_found'
    const id = randomId()
    const args = { p: projectId, t: keep, s: merge, now, prev: null, mid: id }
    const applied = 'EXISTS (SELECT 1 FROM user_merges WHERE id = :mid)'
    const stmts: Stmt[] = [
      {
        sql: `INSERT INTO user_merges (id, project_id, kept_pk, merged_pk, at, actor_name, snapshot) SELECT :mid, :p, :t, :s, :now, :actor, :snap
              WHERE coalesce((SELECT max(seq) FROM user_changes WHERE project_id = :p AND user_pk IN (:t, :s)), 0) = :seq`,
        args: { ...args, seq: read.seq, snap: JSON.stringify(read.snapshot), actor: actorName.slice(0, 320) },
      },
      // The merged profile's manual lists become the kept one's: a union, as for tags.
      {
        sql: `INSERT OR IGNORE INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at)
              SELECT m.project_id, m.segment_id, :t, m.entered_at, :now FROM segment_members m JOIN segments g ON g.id = m.segment_id
              WHERE ${memberOf(':p', ':s', 'm')} AND g.kind = 'static' AND ${applied}`,
        args,
      },
      ...mergeStatements(':s', ':t', applied, false).map((sql) => ({ sql, args })),
    ]
    await writer.write(withCause('merge', now, stmts))
    const { rows } = await db.execute({ sql: 'SELECT 1 FROM user_merges WHERE id = ?', args: [id] })
    if (rows.length) return { id }
  }
  return 'busy'
}
