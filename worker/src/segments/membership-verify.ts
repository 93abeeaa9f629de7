import type { Db } from '../db/types.js'
import type { Writer } from '../ingest/writer.js'
import { catchUp } from './membership-drain.js'
import { markStale, recomputeStale } from './membership.js'

/** Dynamic segments recomputed from scratch per scheduled run: all of them, round robin, over a day's runs. */
const SEGMENTS_PER_RUN = 3

export interface Verification {
  /** "segment name (project): stored 12, counted 11" per count that had drifted. */
  countsRepaired: string[]
  /** Memberships the recompute had to add or remove (ledger rows with cause "repair"). */
  membersRepaired: number
  segmentsVerified: number
}

/**
 * The schedule's check that membership is what the engine says (issue 12): after catching
 * up with the journal, every stored count is recounted, and a few dynamic segments (the
 * next ones round robin) are recomputed whole with cause "repair". Anything repaired is in
 * the result, the log and the ledger; with the engine working it finds nothing.
 */
export async function verifyMembership(db: Db, writer: Writer, now: number): Promise<Verification> {
  await catchUp(db, writer, () => now)
  const drift = await db.execute(`SELECT s.id, s.project_id, s.name, s.member_count, (SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id) AS n
    FROM segments s WHERE s.member_count <> (SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id)`)
  const countsRepaired = drift.rows.map((r) => `${r.name} (${r.project_id}): stored ${r.member_count}, counted ${r.n}`)
  if (drift.rows.length) {
    // Recounted inside the write, so a concurrent change cannot make the repair wrong.
    await writer.write(drift.rows.map((r) => ({ sql: 'UPDATE segments SET member_count = (SELECT count(*) FROM segment_members m WHERE m.segment_id = segments.id) WHERE id = ?', args: [Number(r.id)] })))
  }
  const cursor = Number((await db.execute('SELECT verified_segment FROM membership_cursor WHERE id = 1')).rows[0]?.verified_segment ?? 0)
  let next = (await db.execute({ sql: `SELECT id, project_id FROM segments WHERE kind = 'dynamic' AND id > ? ORDER BY id LIMIT ?`, args: [cursor, SEGMENTS_PER_RUN] })).rows
  if (next.length < SEGMENTS_PER_RUN && cursor > 0) {
    next = [...next, ...(await db.execute({ sql: `SELECT id, project_id FROM segments WHERE kind = 'dynamic' AND id <= ? ORDER BY id LIMIT ?`, args: [cursor, SEGMENTS_PER_RUN - next.length] })).rows]
  }
  const before = Number((await db.execute('SELECT coalesce(max(id), 0) AS id FROM segment_ledger')).rows[0].id)
  for (const r of next) await writer.write(markStale(String(r.project_id), [Number(r.id)], 'repair', now))
  if (next.length) {
    await recomputeStale(db, writer, now)
    await writer.write([{ sql: 'UPDATE membership_cursor SET verified_segment = ? WHERE id = 1', args: [Number(next[next.length - 1].id)] }])
  }
  const repaired = await db.execute({ sql: `SELECT count(*) AS n FROM segment_ledger WHERE id > ? AND cause = 'repair'`, args: [before] })
  return { countsRepaired, membersRepaired: Number(repaired.rows[0].n), segmentsVerified: next.length }
}
