import type { Db } from '../db/types.js'
import type { ConditionTree } from './condition.js'
import { attributeKeys, columnTest, type ProjectColumns, type UserColumns } from './columns.js'
import type { Library } from './store.js'

/**
 * Edit impact over the users' columns in memory (Node): one pass over every user with each
 * tree (the draft, then each segment composing it) compiled as a column test, against each
 * segment's stored members read once. The SQL form (impact.ts) costs tens of seconds at 1M
 * users for a broad draft (set differences over every user's index entries); this loop is
 * the preview's own path. A composing segment reads the draft's answer at each position
 * (computed just before it in the same pass) instead of evaluating the draft again.
 * Samples are the newest by last activity, then the highest key, as the SQL form orders them.
 */
export interface Target { segmentId: number; tree: ConditionTree; sample: number }
export interface Difference { entering: number; leaving: number; enteringPks: number[]; leavingPks: number[] }

/** `targets` in dependency order: each may compose only those before it. */
export async function columnDifferences(db: Db, columns: UserColumns, projectId: string, lib: Library, targets: Target[], now: number): Promise<Difference[]> {
  const keys = [...new Set(targets.flatMap((t) => attributeKeys(t.tree, lib.segments)))]
  const cols = await columns.read(projectId, keys)
  const answers = targets.map(() => new Uint8Array(cols.pk.length))
  const known = new Map<number, (i: number) => boolean>()
  const tests = []
  const members = []
  for (const [n, t] of targets.entries()) {
    tests.push(await columnTest(db, cols, t.tree, { now, projectId, segments: lib.segments, known }))
    members.push(await memberMarks(db, cols, projectId, t.segmentId))
    known.set(t.segmentId, (i) => answers[n][i] === 1)
  }
  const out: (Difference & { inTop: number[]; outTop: number[] })[] = targets.map(() => ({ entering: 0, leaving: 0, enteringPks: [], leavingPks: [], inTop: [], outTop: [] }))
  const newer = (i: number, j: number) => cols.lastSeen[i] > cols.lastSeen[j] || (cols.lastSeen[i] === cols.lastSeen[j] && cols.pk[i] > cols.pk[j])
  const keep = (top: number[], size: number, i: number) => {
    if (top.length === size && !newer(i, top[size - 1])) return
    let k = top.length < size ? top.length : size - 1
    while (k > 0 && newer(i, top[k - 1])) { top[k] = top[k - 1]; k-- }
    top[k] = i
  }
  for (let i = 0; i < cols.pk.length; i++) {
    // A deleted user's position reads '' and is nobody: not in a draft, not a member.
    const status = cols.status[i]
    if (status === '') continue
    for (let n = 0; n < targets.length; n++) {
      // Only active users are members of anything dynamic, so a composing segment may read this gated answer.
      const inDraft = status === 'active' && tests[n](i)
      if (inDraft) answers[n][i] = 1
      const d = out[n]
      if (inDraft && !members[n][i]) {
        d.entering++
        if (targets[n].sample) keep(d.inTop, targets[n].sample, i)
      } else if (!inDraft && members[n][i]) {
        d.leaving++
        if (targets[n].sample) keep(d.outTop, targets[n].sample, i)
      }
    }
  }
  return out.map((d) => ({ entering: d.entering, leaving: d.leaving, enteringPks: d.inTop.map((i) => cols.pk[i]), leavingPks: d.outTop.map((i) => cols.pk[i]) }))
}

/**
 * A segment's stored members, marked by column position (the loop then reads a byte rather
 * than hashing every user's key). Read as one JSON array — 250k rows as row objects cost
 * ~0.7 s — from the (segment, user) key alone: the project is checked on the segment's own
 * row, since a project_id test per member row would fetch every row of the table.
 */
async function memberMarks(db: Db, cols: ProjectColumns, projectId: string, segmentId: number): Promise<Uint8Array> {
  const { rows } = await db.execute({
    sql: 'SELECT json_group_array(user_pk) AS pks FROM segment_members WHERE segment_id = ?1 AND segment_id IN (SELECT id FROM segments WHERE project_id = ?2 AND id = ?1)',
    args: [segmentId, projectId],
  })
  const marks = new Uint8Array(cols.pk.length)
  for (const pk of JSON.parse(String(rows[0]?.pks ?? '[]')) as number[]) {
    const i = cols.at.get(pk)
    if (i !== undefined) marks[i] = 1
  }
  return marks
}
