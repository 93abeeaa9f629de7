import type { Db } from '../db/types.js'
import type { ConditionTree } from './condition.js'
import { attributeKeys, columnTest, type UserColumns } from './columns.js'
import type { Library } from './store.js'

/**
 * Edit impact over the users' columns in memory (Node): one pass over every user with the
 * draft compiled as a column test, against the segment's stored members read once as a
 * set. The SQL form (impact.ts) costs seconds at 1M users for a broad draft (two set
 * differences over every user's index entries); this loop is the preview's own path.
 * Samples are the newest by last activity, as the SQL form orders them.
 */
export async function columnDifference(
  db: Db, columns: UserColumns, projectId: string, lib: Library, segmentId: number, tree: ConditionTree, now: number, sample: number,
): Promise<{ entering: number; leaving: number; enteringPks: number[]; leavingPks: number[] }> {
  const cols = await columns.read(projectId, attributeKeys(tree, lib.segments))
  const test = await columnTest(db, cols, tree, { now, projectId, segments: lib.segments })
  const { rows } = await db.execute({ sql: 'SELECT user_pk FROM segment_members WHERE project_id = ? AND segment_id = ?', args: [projectId, segmentId] })
  const members = new Set(rows.map((r) => Number(r.user_pk)))
  // Newest first, then the highest key: the SQL form's ORDER BY, ties included.
  const newer = (i: number, j: number) => cols.lastSeen[i] > cols.lastSeen[j] || (cols.lastSeen[i] === cols.lastSeen[j] && cols.pk[i] > cols.pk[j])
  const newest = (top: number[], i: number) => {
    if (top.length === sample && !newer(i, top[sample - 1])) return
    let k = top.length < sample ? top.length : sample - 1
    while (k > 0 && newer(i, top[k - 1])) { top[k] = top[k - 1]; k-- }
    top[k] = i
  }
  let entering = 0
  let leaving = 0
  const inTop: number[] = []
  const outTop: number[] = []
  for (let i = 0; i < cols.pk.length; i++) {
    // A deleted user's position reads '' and is nobody: not in the draft, not a member.
    if (cols.status[i] === '') continue
    const inDraft = cols.status[i] === 'active' && test(i)
    const member = members.has(cols.pk[i])
    if (inDraft && !member) {
      entering++
      if (sample) newest(inTop, i)
    } else if (!inDraft && member) {
      leaving++
      if (sample) newest(outTop, i)
    }
  }
  return { entering, leaving, enteringPks: inTop.map((i) => cols.pk[i]), leavingPks: outTop.map((i) => cols.pk[i]) }
}
