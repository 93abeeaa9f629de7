import type { Db, Stmt } from '../db/types.js'
import type { Writer } from '../ingest/writer.js'
import { withCause, type Cause } from './cause.js'
import { attributeKeys, columnTest, prefersColumns, type UserColumns } from './columns.js'
import { tester } from './evaluate.js'
import { memberOf } from './member-of.js'
import type { UserFacts } from './facts.js'
import { isTimeRelative, loadLibrary, segmentRefs, type Library, type SavedSegment } from './store.js'
import type { Bind } from './operators.js'
import { binder, toSql } from './to-sql.js'

/**
 * The one owner of `segment_members`, the member counts and the project's version stamp
 * (issue 12). Nothing else writes them; routes, imports and the schedule call in here.
 *
 * How membership stays true (README "Architecture: membership"):
 * - every input of a segment (a users row, a tag, a static list) leaves a row in the
 *   `user_changes` journal in the same transaction, by trigger; `drainJournal`
 *   (membership-drain.ts) brings those users' dynamic segments to truth in SQL;
 * - a segment that is saved, or composes one that is, is marked stale in the save's own
 *   transaction and recomputed whole by `recomputeStale`;
 * - every insert or delete of `segment_members` moves `member_count` by one and writes a
 *   `segment_ledger` row, by trigger (migration 0008), so no writer can forget either;
 *   only the computed changes of a whole segment written here (`membershipStatements`)
 *   hold the triggers off and write the same rows and count as sets, in the same
 *   transaction (migration 0012).
 * Disabled users are members of nothing dynamic.
 */

/** Bumped by every change to a project's segments: per-isolate caches key on it. */
export function bumpVersion(projectId: string): Stmt {
  return { sql: 'UPDATE projects SET version = version + 1 WHERE id = ?', args: [projectId] }
}

/**
 * The SQL that brings one dynamic segment's membership up to date, over all users or just
 * `scope` (user pks). It applies only while the project's segments are still at
 * `lib.version`: a statement planned from a tree that has since been edited does nothing
 * (the edit marked the segment stale, and its recompute decides). Existing members are not
 * rewritten, so a member's steady state costs no write.
 */
export function membershipStatements(
  projectId: string, seg: SavedSegment, lib: Library, now: number, scope?: readonly number[], storedMembers?: ReadonlySet<number>, evaluated?: ColumnMembers,
): Stmt[] {
  if (seg.kind !== 'dynamic' || !seg.tree) return []
  const b = binder()
  // A few users: probe each one's facts by key rather than build every leaf's whole set.
  // Composed segments that are current (brought up to date earlier in this same write, or
  // not stale) are read from their stored members rather than re-evaluated.
  const where = toSql(seg.tree, { now, segments: lib.segments, projectId, probeOnly: scope !== undefined, storedMembers }, b.bind)
  const within = scope ? `SELECT value FROM json_each(${b.bind(JSON.stringify(scope))})` : null
  const p = b.bind(projectId)
  // Every statement applies only while the project's segments are still at lib.version.
  const versionIs = (bind: Bind) => `(SELECT version FROM projects WHERE id = ${bind(projectId)}) = ${bind(lib.version)}`
  const current = versionIs(b.bind)
  // Scoped: driven from the scope's ids (CROSS JOIN keeps that order), never from a scan of the project's users.
  const from = within ? `(${within}) AS j CROSS JOIN users u ON u.id = j.value` : 'users u'
  const guard = { sql: versionIs(() => '?'), args: [projectId, lib.version] }
  // The matching users are computed once, into a temporary table, for both the exits and the entries.
  const matching: Stmt[] = [
    { sql: 'CREATE TEMP TABLE IF NOT EXISTS membership_eval (user_pk INTEGER PRIMARY KEY)', args: [] },
    { sql: 'DELETE FROM membership_eval', args: [] },
  ]
  if (evaluated && !scope) {
    // Evaluated over the columns at journal position `seq`: those members stand for every
    // user unchanged since (the journal still reaching back there, no erasure since), and
    // the users changed since are evaluated here, in SQL, inside this write. Otherwise the
    // whole segment is evaluated in SQL, as without columns.
    const fresh = (bind: Bind) =>
      `(SELECT count(*) FROM suppressions WHERE project_id = ${bind(projectId)}) = ${bind(evaluated.erased)} AND coalesce((SELECT min(seq) FROM user_changes), 0) <= ${bind(evaluated.seq + 1)}`
    const changed = (bind: Bind) => `SELECT user_pk FROM user_changes WHERE seq > ${bind(evaluated.seq)} AND project_id = ${bind(projectId)}`
    const a = binder()
    const bp = binder()
    const probe = toSql(seg.tree, { now, segments: lib.segments, projectId, probeOnly: true, storedMembers }, bp.bind)
    matching.push(
      {
        sql: `INSERT INTO membership_eval (user_pk) SELECT value FROM json_each(${a.bind(JSON.stringify(evaluated.pks))}) WHERE ${fresh(a.bind)}
              AND ${versionIs(a.bind)} AND value NOT IN (${changed(a.bind)})`,
        args: a.args,
      },
      {
        sql: `INSERT OR IGNORE INTO membership_eval (user_pk) SELECT u.id FROM users u WHERE u.id IN (${changed(bp.bind)}) AND ${fresh(bp.bind)}
              AND u.project_id = ${bp.bind(projectId)} AND u.status = 'active' AND ${versionIs(bp.bind)} AND ${probe}`,
        args: bp.args,
      },
      // Driven from a gate row that exists only when the columns' answer cannot be used, so
      // that otherwise SQLite never starts the scan (a constant term alone still builds the sets).
      { sql: `INSERT INTO membership_eval (user_pk) SELECT u.id FROM (SELECT 1 WHERE NOT (${fresh(b.bind)})) AS gate CROSS JOIN ${from} WHERE u.project_id = ${p} AND u.status = 'active' AND ${current} AND ${where}`, args: b.args },
    )
  } else {
    matching.push({ sql: `INSERT INTO membership_eval (user_pk) SELECT u.id FROM ${from} WHERE u.project_id = ${p} AND u.status = 'active' AND ${current} AND ${where}`, args: b.args })
  }
  if (scope) {
    // A drain's few users: exits, then entries; the per-row triggers write each change's ledger row and count.
    return [
      ...matching,
      {
        sql: `DELETE FROM segment_members WHERE segment_id = ? AND ${guard.sql} AND user_pk IN (SELECT value FROM json_each(?)) AND user_pk NOT IN (SELECT user_pk FROM membership_eval)`,
        args: [seg.id, ...guard.args, JSON.stringify(scope)],
      },
      {
        sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) SELECT ?, ?, user_pk, ?, ? FROM membership_eval WHERE true
              ON CONFLICT (segment_id, user_pk) DO NOTHING`,
        args: [projectId, seg.id, now, now],
      },
    ]
  }
  // A whole segment: the exits and entries (the difference with the stored members) go into
  // a second table and are written as sets — the ledger rows (exits first, each in key
  // order, as the per-row triggers write them), the count change, the members — with
  // `write_cause.bulk` holding the per-row triggers off meanwhile (migration 0012). Those
  // cost ~1.3 µs a member: ~0.5 s of a 375k-member segment's first computation.
  return [
    ...matching,
    { sql: 'CREATE TEMP TABLE IF NOT EXISTS membership_delta (user_pk INTEGER PRIMARY KEY, entered INTEGER NOT NULL)', args: [] },
    { sql: 'DELETE FROM membership_delta', args: [] },
    {
      sql: `INSERT INTO membership_delta (user_pk, entered) SELECT user_pk, 0 FROM segment_members WHERE segment_id = ? AND ${guard.sql} AND user_pk NOT IN (SELECT user_pk FROM membership_eval)`,
      args: [seg.id, ...guard.args],
    },
    {
      sql: 'INSERT INTO membership_delta (user_pk, entered) SELECT e.user_pk, 1 FROM membership_eval e WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = ? AND m.user_pk = e.user_pk)',
      args: [seg.id],
    },
    { sql: 'UPDATE write_cause SET bulk = 1 WHERE id = 1', args: [] },
    // Exits, then entries, each in key order: two reads of the delta table, where one ORDER BY would sort it.
    ...[0, 1].map((entered) => ({
      sql: `INSERT INTO segment_ledger (project_id, segment_id, user_pk, entered, at, cause)
            SELECT ?, ?, d.user_pk, d.entered, w.at, w.cause FROM membership_delta d JOIN write_cause w ON w.id = 1 WHERE d.entered = ?`,
      args: [projectId, seg.id, entered],
    })),
    { sql: 'UPDATE segments SET member_count = member_count + (SELECT sum(2 * entered - 1) FROM membership_delta) WHERE id = ? AND EXISTS (SELECT 1 FROM membership_delta)', args: [seg.id] },
    { sql: 'DELETE FROM segment_members WHERE segment_id = ? AND user_pk IN (SELECT user_pk FROM membership_delta WHERE entered = 0)', args: [seg.id] },
    {
      sql: 'INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) SELECT ?, ?, user_pk, ?, ? FROM membership_delta WHERE entered = 1',
      args: [projectId, seg.id, now, now],
    },
    { sql: 'UPDATE write_cause SET bulk = 0 WHERE id = 1', args: [] },
  ]
}

/** Segments to recompute whole, recorded with the change that makes them so (a crash in between is finished by the next pass). */
export function markStale(projectId: string, segmentIds: Iterable<number>, cause: Cause, now: number): Stmt[] {
  return [...new Set(segmentIds)].map((id) => ({
    sql: `INSERT INTO segment_stale (segment_id, project_id, cause, since) VALUES (?, ?, ?, ?)
          ON CONFLICT (segment_id) DO UPDATE SET cause = excluded.cause, since = max(since, excluded.since)`,
    args: [id, projectId, cause, now],
  }))
}

/** Dynamic segments with conditions, every one after the segments it composes. */
export function dependencyOrder(lib: Library): SavedSegment[] {
  const out: SavedSegment[] = []
  const placed = new Set<number>()
  const visit = (s: SavedSegment, path: Set<number>) => {
    if (placed.has(s.id) || path.has(s.id)) return
    path.add(s.id)
    for (const ref of segmentRefs(s.tree)) {
      const r = lib.segments.get(ref)
      if (r) visit(r, path)
    }
    placed.add(s.id)
    if (s.kind === 'dynamic' && s.tree) out.push(s)
  }
  for (const s of lib.segments.values()) visit(s, new Set())
  return out
}

/** A segment and every segment that composes it, transitively: what an edit of it changes. */
export function withComposers(lib: Library, id: number): number[] {
  const out = [id]
  for (let i = 0; i < out.length; i++) {
    for (const s of lib.segments.values()) if (!out.includes(s.id) && segmentRefs(s.tree).includes(out[i])) out.push(s.id)
  }
  return out
}

/**
 * Recomputes every stale segment (of one project, or all), each after the segments it
 * composes, so that a composer reads their fresh stored members instead of re-evaluating
 * them over every user. Returns how many were recomputed.
 */
export async function recomputeStale(db: Db, writer: Writer, now: number, projectId?: string, columns?: UserColumns): Promise<number> {
  const { rows } = await db.execute(projectId
    ? { sql: 'SELECT segment_id, project_id, cause, since FROM segment_stale WHERE project_id = ? ORDER BY segment_id', args: [projectId] }
    : 'SELECT segment_id, project_id, cause, since FROM segment_stale ORDER BY project_id, segment_id')
  const byProject = new Map<string, Map<number, { cause: Cause; since: number }>>()
  for (const r of rows) {
    const p = String(r.project_id)
    if (!byProject.has(p)) byProject.set(p, new Map())
    byProject.get(p)!.set(Number(r.segment_id), { cause: String(r.cause) as Cause, since: Number(r.since) })
  }
  let n = 0
  for (const [project, stale] of byProject) {
    const lib = await loadLibrary(db, project)
    const done = (id: number): Stmt => ({
      sql: `DELETE FROM segment_stale WHERE segment_id = ? AND since = ? AND (SELECT version FROM projects WHERE id = ?) = ?`,
      args: [id, stale.get(id)!.since, project, lib.version],
    })
    // Deleted or static: nothing to compute.
    const gone = [...stale.keys()].filter((id) => { const s = lib.segments.get(id); return !s || s.kind !== 'dynamic' || !s.tree })
    if (gone.length) await writer.write(gone.map(done))
    for (const seg of dependencyOrder(lib)) {
      const mark = stale.get(seg.id)
      if (!mark) continue
      const current = new Set([...lib.segments.keys()].filter((id) => !stale.has(id)))
      const evaluated = columns ? await columnMembers(db, columns, project, seg, lib, now) : undefined
      await writer.write(withCause(mark.cause, now, [
        ...membershipStatements(project, seg, lib, now, undefined, current, evaluated),
        { sql: 'UPDATE segments SET computed_at = ? WHERE id = ?', args: [now, seg.id] },
        done(seg.id),
      ]))
      n++
      // Current now, unless the project's segments moved meanwhile (then the mark stayed, and so does the inlining).
      const still = await db.execute({ sql: 'SELECT 1 FROM segment_stale WHERE segment_id = ?', args: [seg.id] })
      if (!still.rows.length) stale.delete(seg.id)
    }
  }
  return n
}

/** A segment's members as the columns evaluate them (Node), at their journal position; none when the columns do not serve it yet. */
export interface ColumnMembers { pks: number[]; seq: number; erased: number }

/**
 * The members of a whole segment from this process's columns: a broad tree over 1M users is
 * a loop of ~0.1 s where SQL probes every user (0.6–0.8 s, and seconds for composers with
 * OR / NOT). Undefined when SQL is the better path or the columns are not loaded.
 */
async function columnMembers(db: Db, columns: UserColumns, projectId: string, seg: SavedSegment, lib: Library, now: number): Promise<ColumnMembers | undefined> {
  if (!seg.tree || !prefersColumns(seg.tree, lib.segments)) return undefined
  const keys = attributeKeys(seg.tree, lib.segments)
  if (!columns.ready(projectId, keys)) return undefined
  const cols = await columns.read(projectId, keys)
  const test = await columnTest(db, cols, seg.tree, { now, projectId, segments: lib.segments })
  const pks: number[] = []
  for (let i = 0; i < cols.pk.length; i++) if (cols.status[i] === 'active' && test(i)) pks.push(cols.pk[i])
  return { pks, seq: cols.seq, erased: cols.erased }
}

/** Recomputes one segment and its composers now (seeding, benches): mark, then recompute. */
export async function recomputeSegment(db: Db, writer: Writer, projectId: string, segmentId: number, cause: Cause, now: number, columns?: UserColumns): Promise<void> {
  const lib = await loadLibrary(db, projectId)
  await writer.write(markStale(projectId, withComposers(lib, segmentId), cause, now))
  await recomputeStale(db, writer, now, projectId, columns)
}

/** The schedule: segments whose membership depends on the clock are recomputed (cause "schedule"). */
export async function recomputeTimeRelative(db: Db, writer: Writer, projectId: string, now: number): Promise<number> {
  const lib = await loadLibrary(db, projectId)
  const due = [...lib.segments.values()].filter((s) => s.kind === 'dynamic' && isTimeRelative(lib, s.tree)).map((s) => s.id)
  if (!due.length) return 0
  await writer.write(markStale(projectId, due, 'schedule', now))
  return recomputeStale(db, writer, now, projectId)
}

/** Adds users to a static list. */
export function addStaticMembers(projectId: string, segmentId: number, pks: readonly number[], now: number): Stmt[] {
  return withCause('static list', now, pks.map((u) => ({
    sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    args: [projectId, segmentId, u, now, now],
  })))
}

export function removeStaticMember(projectId: string, segmentId: number, pk: number, now: number): Stmt[] {
  return withCause('static list', now, [{ sql: 'DELETE FROM segment_members WHERE project_id = ? AND segment_id = ? AND user_pk = ?', args: [projectId, segmentId, pk] }])
}

/** A static list's members, copied into another (duplicate). */
export function copyStaticMembers(projectId: string, from: number, to: number, now: number): Stmt[] {
  return withCause('static list', now, [{
    sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) SELECT project_id, ?, user_pk, ?, ? FROM segment_members WHERE project_id = ? AND segment_id = ?`,
    args: [to, now, now, projectId, from],
  }])
}

/** Deleting a segment: its members, ledger and pending work go with it. */
export function deleteSegmentStatements(projectId: string, segmentId: number, now: number): Stmt[] {
  return withCause('delete', now, [
    { sql: 'DELETE FROM segment_members WHERE project_id = ? AND segment_id = ?', args: [projectId, segmentId] },
    { sql: 'DELETE FROM segment_ledger WHERE project_id = ? AND segment_id = ?', args: [projectId, segmentId] },
    { sql: 'DELETE FROM segment_stale WHERE project_id = ? AND segment_id = ?', args: [projectId, segmentId] },
    { sql: 'DELETE FROM segments WHERE project_id = ? AND id = ?', args: [projectId, segmentId] },
    bumpVersion(projectId),
  ])
}

/** An erased user's memberships and ledger rows (their counts follow by trigger); guarded by the erase's own condition. */
export function eraseMemberships(guard: string, args: Record<string, string | number>): Stmt[] {
  return withCause('delete', Number(args.now ?? 0), [
    { sql: `DELETE FROM segment_members WHERE ${memberOf(':p', ':u')} AND ${guard}`, args },
    { sql: `DELETE FROM segment_ledger WHERE ${memberOf(':p', ':u')} AND ${guard}`, args },
  ])
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
