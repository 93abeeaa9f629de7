import type { AppDeps } from '../app.js'
import type { Db } from '../db/types.js'
import type { Actor } from '../middleware/admin-auth.js'
import { treeSchema, type ConditionTree } from './condition.js'

/**
 * Segment history (issue 16): every saved change of a segment keeps a version — who, when,
 * the definition as saved and the member count right after the save — in
 * `segment_versions`. Copied from the segments row itself in one statement, so a version is
 * exactly what was stored, whatever path saved it.
 */

export interface SegmentVersion {
  id: number; at: number; actor: string
  name: string; description: string; kind: 'dynamic' | 'static'; conditions: ConditionTree | null; targetable: boolean; key: string
  memberCount: number
}

/** Appends the segment's current definition as a version (after a save and its recompute). */
export async function recordVersion(c: { var: { deps: AppDeps; projectId: string; actor: Actor } }, segmentId: number): Promise<void> {
  await c.var.deps.db.execute({
    sql: `INSERT INTO segment_versions (project_id, segment_id, at, actor_name, name, description, kind, conditions, targetable, key, member_count)
          SELECT project_id, id, :at, :actor, name, description, kind, conditions, targetable, key, member_count FROM segments WHERE project_id = :p AND id = :s`,
    args: { p: c.var.projectId, s: segmentId, at: c.var.deps.now(), actor: c.var.actor.name.slice(0, 320) },
  })
}

/** A segment's versions, newest first. */
export async function listVersions(db: Db, projectId: string, segmentId: number, limit = 100): Promise<SegmentVersion[]> {
  const { rows } = await db.execute({
    sql: 'SELECT * FROM segment_versions WHERE project_id = ? AND segment_id = ? ORDER BY at DESC, id DESC LIMIT ?',
    args: [projectId, segmentId, limit],
  })
  return rows.map((r) => ({
    id: Number(r.id), at: Number(r.at), actor: String(r.actor_name),
    name: String(r.name), description: String(r.description), kind: r.kind as SegmentVersion['kind'],
    // Stored trees were valid when saved; parsed again so dates read as the editor reads them.
    conditions: r.conditions ? (treeSchema.parse(JSON.parse(String(r.conditions))) as ConditionTree) : null,
    targetable: Boolean(Number(r.targetable)), key: String(r.key), memberCount: Number(r.member_count),
  }))
}
