import type { Db, Stmt } from '../db/types.js'
import { attributeKeys, type UserColumns } from './columns.js'
import type { ConditionTree } from './condition.js'
import { columnDifferences } from './impact-columns.js'
import { segmentRefs, type Library, type SavedSegment } from './store.js'
import { binder, toSql } from './to-sql.js'

/**
 * Edit impact (issue 16): what saving a draft of a dynamic segment would change, before it
 * is saved. Each side is one SQL set difference against the stored membership:
 * - entering: active users the draft matches who are not members now;
 * - leaving: members now whom the draft does not match (or who are not active).
 * The segments that compose this one (transitively) are compiled with the draft put in
 * its place, since to-sql inlines a composed segment's tree: their own ± come out of the
 * same two differences. Everything runs in one read batch; nothing is written. On Node,
 * once the users' columns are loaded, the same differences are one loop over them
 * (impact-columns.ts), which is what keeps a broad draft under a second at 1M users.
 */

export const SAMPLE_SIZE = 5

export interface ImpactUser { id: number; userId: string | null; email: string | null; name: string | null }
export interface SideImpact { entering: number; leaving: number; enteringSample: ImpactUser[]; leavingSample: ImpactUser[] }
export interface Impact extends SideImpact {
  targetable: boolean
  composers: ({ id: number; name: string; targetable: boolean } & Pick<SideImpact, 'entering' | 'leaving'>)[]
}

/** Every segment whose tree names `id`, directly or through others, nearest first. */
export function composersOf(lib: Library, id: number): SavedSegment[] {
  const out: SavedSegment[] = []
  const seen = new Set([id])
  for (let i = -1; i < out.length; i++) {
    const target = i < 0 ? id : out[i].id
    for (const s of lib.segments.values()) {
      if (!seen.has(s.id) && segmentRefs(s.tree).includes(target)) {
        seen.add(s.id)
        out.push(s)
      }
    }
  }
  return out
}

/** The four statements of one segment's difference (counts, then samples). */
function sideStatements(projectId: string, seg: SavedSegment, tree: ConditionTree, lib: Library, now: number, samples: boolean): Stmt[] {
  const b = binder()
  const where = toSql(tree, { now, segments: lib.segments, projectId }, b.bind)
  const [p, s] = [b.bind(projectId), b.bind(seg.id)]
  const matching = `SELECT u.id FROM users u WHERE u.project_id = ${p} AND u.status = 'active' AND ${where}`
  // Scoped through the segment's row: a project_id test per member row would read every row (the (segment, user) key covers this).
  const members = `SELECT m.user_pk FROM segment_members m WHERE m.segment_id = ${s} AND m.segment_id IN (SELECT g.id FROM segments g WHERE g.project_id = ${p} AND g.id = ${s})`
  const entering = `FROM users u WHERE u.project_id = ${p} AND u.status = 'active' AND ${where} AND u.id NOT IN (${members})`
  const leaving = `FROM users u WHERE u.project_id = ${p} AND u.id IN (${members}) AND u.id NOT IN (${matching})`
  const cols = 'u.id, u.user_id, u.email, u.name'
  return [
    { sql: `SELECT count(*) AS n ${entering}`, args: b.args },
    { sql: `SELECT count(*) AS n ${leaving}`, args: b.args },
    ...(samples ? [
      { sql: `SELECT ${cols} ${entering} ORDER BY u.last_seen DESC, u.id DESC LIMIT ${SAMPLE_SIZE}`, args: b.args },
      { sql: `SELECT ${cols} ${leaving} ORDER BY u.last_seen DESC, u.id DESC LIMIT ${SAMPLE_SIZE}`, args: b.args },
    ] : []),
  ]
}

const userOf = (r: Record<string, unknown>): ImpactUser => ({ id: Number(r.id), userId: (r.user_id as string | null) ?? null, email: (r.email as string | null) ?? null, name: (r.name as string | null) ?? null })

/** The impact of saving `draft` as dynamic segment `seg` (already checked for unknown references and cycles). */
export async function editImpact(db: Db, projectId: string, lib: Library, seg: SavedSegment, draft: ConditionTree, now: number, columns?: UserColumns): Promise<Impact> {
  const drafted: Library = { ...lib, segments: new Map(lib.segments).set(seg.id, { ...seg, tree: draft }) }
  const composers = composersOf(drafted, seg.id).filter((c) => c.kind === 'dynamic' && c.tree)
  const keys = [...new Set([draft, ...composers.map((c) => c.tree!)].flatMap((t) => attributeKeys(t, drafted.segments)))]
  if (columns?.ready(projectId, keys)) {
    const [own, ...theirs] = await columnDifferences(db, columns, projectId, drafted, [
      { segmentId: seg.id, tree: draft, sample: SAMPLE_SIZE },
      ...composers.map((c) => ({ segmentId: c.id, tree: c.tree!, sample: 0 })),
    ], now)
    const users = await usersByPk(db, projectId, [...own.enteringPks, ...own.leavingPks])
    const pick = (pks: number[]) => pks.flatMap((pk) => (users.has(pk) ? [users.get(pk)!] : []))
    return {
      entering: own.entering, leaving: own.leaving, enteringSample: pick(own.enteringPks), leavingSample: pick(own.leavingPks),
      targetable: seg.targetable,
      composers: composers.map((c, i) => ({ id: c.id, name: c.name, targetable: c.targetable, entering: theirs[i].entering, leaving: theirs[i].leaving })),
    }
  }
  const stmts = [
    ...sideStatements(projectId, seg, draft, drafted, now, true),
    ...composers.flatMap((c) => sideStatements(projectId, c, c.tree!, drafted, now, false)),
  ]
  const rs = await db.batch(stmts, 'read')
  const n = (i: number) => Number(rs[i].rows[0].n)
  return {
    entering: n(0), leaving: n(1), enteringSample: rs[2].rows.map(userOf), leavingSample: rs[3].rows.map(userOf),
    targetable: seg.targetable,
    composers: composers.map((c, i) => ({ id: c.id, name: c.name, targetable: c.targetable, entering: n(4 + 2 * i), leaving: n(5 + 2 * i) })),
  }
}

async function usersByPk(db: Db, projectId: string, pks: number[]): Promise<Map<number, ImpactUser>> {
  if (!pks.length) return new Map()
  const { rows } = await db.execute({ sql: `SELECT id, user_id, email, name FROM users WHERE project_id = ? AND id IN (${pks.map(() => '?').join(', ')})`, args: [projectId, ...pks] })
  return new Map(rows.map((r) => [Number(r.id), userOf(r)]))
}
