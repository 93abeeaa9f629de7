import type { Db, Stmt } from '../db/types.js'
import type { Writer } from '../ingest/writer.js'
import { tester } from './evaluate.js'
import { eventNames, loadFacts, type UserFacts } from './facts.js'
import { isTimeRelative, loadLibrary, type Library, type SavedSegment } from './store.js'
import type { Bind } from './operators.js'
import { binder, toSql } from './to-sql.js'

/**
 * Dynamic membership (F-52): `segment_members` says who is in which segment, since when
 * (entered_at) and as of when (computed_at). It is kept current three ways:
 * - a whole segment in SQL when it is saved and on the schedule (time-relative ones);
 * - one user in JS after each ingest that touched them;
 * Disabled users are members of nothing dynamic.
 */

/** Recomputes one dynamic segment over all users in SQL: leavers out, joiners in, counts updated. */
export async function recomputeSegment(db: Db, writer: Writer, projectId: string, seg: SavedSegment, lib: Library, now: number): Promise<void> {
  if (seg.kind !== 'dynamic' || !seg.tree) return
  await writer.write([...membershipStatements(projectId, seg, lib, now), countStatement(projectId, seg.id, now)])
}

/**
 * The SQL that brings one dynamic segment's membership up to date, over all users or, with
 * `scope` (a subquery of user ids, its values bound through `bind`), over just those — an
 * import chunk's users, in the chunk's own transaction. Counts are left to the caller.
 */
export function membershipStatements(projectId: string, seg: SavedSegment, lib: Library, now: number, scope?: (bind: Bind) => string): Stmt[] {
  if (seg.kind !== 'dynamic' || !seg.tree) return []
  const b = binder()
  const where = toSql(seg.tree, { now, segments: lib.segments, projectId }, b.bind)
  const within = scope ? scope(b.bind) : null
  const members = `SELECT u.id FROM users u WHERE u.project_id = ${b.bind(projectId)} AND u.status = 'active' AND ${where}${within ? ` AND u.id IN (${within})` : ''}`
  const [p, s, t] = [b.bind(projectId), b.bind(seg.id), b.bind(now)]
  return [
    { sql: `DELETE FROM segment_members WHERE segment_id = ${s}${within ? ` AND user_pk IN (${within})` : ''} AND user_pk NOT IN (${members})`, args: b.args },
    {
      sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) SELECT ${p}, ${s}, id, ${t}, ${t} FROM (${members}) WHERE true
            ON CONFLICT (segment_id, user_pk) DO UPDATE SET computed_at = excluded.computed_at`,
      args: b.args,
    },
  ]
}

export function countStatement(projectId: string, segmentId: number, now: number): Stmt {
  return {
    sql: `UPDATE segments SET member_count = (SELECT count(*) FROM segment_members WHERE segment_id = :s), computed_at = :now WHERE id = :s AND project_id = :p`,
    args: { s: segmentId, now, p: projectId },
  }
}

/** The schedule (F-52): segments whose membership depends on the clock are recomputed. */
export async function recomputeTimeRelative(db: Db, writer: Writer, projectId: string, now: number): Promise<number> {
  const lib = await loadLibrary(db, projectId)
  let n = 0
  for (const seg of lib.segments.values()) {
    if (seg.kind === 'dynamic' && isTimeRelative(lib, seg.tree)) {
      await recomputeSegment(db, writer, projectId, seg, lib, now)
      n++
    }
  }
  return n
}

/**
 * Re-evaluates the dynamic segments of some users in JS (after an ingest): one read batch
 * per user for the facts, then one write with every change. Returns the changes made.
 */
export async function refreshUsers(db: Db, writer: Writer, projectId: string, who: ({ userId: string } | { anonymousId: string } | { pk: number })[], now: number, opts: { maxAgeMs?: number } = {}) {
  const lib = await loadLibrary(db, projectId, opts)
  const dynamic = [...lib.segments.values()].filter((s) => s.kind === 'dynamic' && s.tree)
  if (dynamic.length === 0 || who.length === 0) return { entered: 0, left: 0 }
  const names = eventNames(dynamic.map((s) => s.tree!))
  const stmts: Stmt[] = []
  const counted = new Set<number>()
  let entered = 0
  let left = 0
  const seen = new Set<number>()
  for (const ref of who) {
    const facts = await loadFacts(db, projectId, ref, names)
    if (!facts || seen.has(facts.id)) continue
    seen.add(facts.id)
    const current = new Set((await db.execute({ sql: 'SELECT segment_id FROM segment_members WHERE project_id = ? AND user_pk = ?', args: [projectId, facts.id] })).rows.map((r) => Number(r.segment_id)))
    const test = tester(facts, { now, segments: lib.segments })
    for (const seg of dynamic) {
      const inNow = facts.status === 'active' && test(seg.tree!)
      if (inNow && !current.has(seg.id)) {
        entered++
        counted.add(seg.id)
        stmts.push({ sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) VALUES (:p, :s, :u, :now, :now) ON CONFLICT (segment_id, user_pk) DO UPDATE SET computed_at = excluded.computed_at`, args: { p: projectId, s: seg.id, u: facts.id, now } })
      } else if (inNow) {
        stmts.push({ sql: `UPDATE segment_members SET computed_at = :now WHERE segment_id = :s AND user_pk = :u`, args: { s: seg.id, u: facts.id, now } })
      } else if (current.has(seg.id)) {
        left++
        counted.add(seg.id)
        stmts.push({ sql: `DELETE FROM segment_members WHERE segment_id = :s AND user_pk = :u`, args: { s: seg.id, u: facts.id } })
      }
    }
  }
  for (const s of counted) stmts.push(countStatement(projectId, s, now))
  if (stmts.length) await writer.write(stmts)
  return { entered, left }
}

/** The targetable segment keys a user is in, evaluated now from the current profile (F-14). */
export function targetedKeys(lib: Library, facts: UserFacts, now: number): string[] {
  if (facts.status !== 'active') return []
  const keys: string[] = []
  const test = tester(facts, { now, segments: lib.segments })
  for (const seg of lib.segments.values()) {
    if (!seg.targetable) continue
    const member = seg.kind === 'static' || !seg.tree ? facts.staticSegments.includes(seg.id) : test(seg.tree)
    if (member) keys.push(seg.key)
  }
  return keys
}
