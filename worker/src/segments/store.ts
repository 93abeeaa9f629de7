import type { Db } from '../db/types.js'
import { treeSchema, type ConditionTree, type Node } from './condition.js'
import type { SegmentDef } from './library.js'

/** A segment's definition. Its member count and computed time change without a version bump, so they are read fresh (segmentStats), never cached. */
export interface SavedSegment extends SegmentDef {
  key: string
  targetable: boolean
  description: string
}

export interface Library {
  version: number
  segments: Map<number, SavedSegment>
  /** When the version stamp was last confirmed (wall clock, for maxAgeMs). */
  checkedAt: number
}

// Per isolate / process: a project's segments, reloaded when its version stamp moves.
const cache = new Map<string, Library>()

/** The project's version stamp: bumped by every change to its segments. */
const VERSION_SQL = 'SELECT version FROM projects WHERE id = ?'

/**
 * The project's segments, from the cache when its version stamp has not moved.
 * `maxAgeMs` lets background work (membership upkeep after ingest) skip even the version
 * read when the cache was confirmed that recently; answers to users always read it.
 */
export async function loadLibrary(db: Db, projectId: string, opts: { maxAgeMs?: number } = {}): Promise<Library> {
  const cached = cache.get(projectId)
  if (cached && opts.maxAgeMs && Date.now() - cached.checkedAt < opts.maxAgeMs) return cached
  const version = Number((await db.execute({ sql: VERSION_SQL, args: [projectId] })).rows[0]?.version ?? 0)
  if (cached && cached.version === version) {
    cached.checkedAt = Date.now()
    return cached
  }
  const { rows } = await db.execute({
    sql: 'SELECT id, name, description, kind, conditions, key, targetable FROM segments WHERE project_id = ? ORDER BY id',
    args: [projectId],
  })
  const segments = new Map<number, SavedSegment>()
  for (const r of rows) {
    segments.set(Number(r.id), {
      id: Number(r.id),
      name: String(r.name),
      description: String(r.description),
      kind: r.kind as SavedSegment['kind'],
      tree: r.conditions ? (treeSchema.parse(JSON.parse(String(r.conditions))) as ConditionTree) : null,
      key: String(r.key),
      targetable: Boolean(Number(r.targetable)),
    })
  }
  const lib = { version, segments, checkedAt: Date.now() }
  cache.set(projectId, lib)
  return lib
}

/** Member counts and computed times of the project's segments, read now. */
export async function segmentStats(db: Db, projectId: string): Promise<Map<number, { memberCount: number; computedAt: number | null }>> {
  const { rows } = await db.execute({ sql: 'SELECT id, member_count, computed_at FROM segments WHERE project_id = ?', args: [projectId] })
  return new Map(rows.map((r) => [Number(r.id), { memberCount: Number(r.member_count), computedAt: r.computed_at === null ? null : Number(r.computed_at) }]))
}

/** The segments a tree names, directly. */
export function segmentRefs(tree: ConditionTree | null): number[] {
  const out: number[] = []
  const walk = (n: Node) => (n.type === 'group' ? n.conditions.forEach(walk) : n.type === 'segment' && out.push(n.segmentId))
  if (tree) walk(tree.root)
  return out
}

/**
 * Would saving `tree` as segment `id` make a segment compose itself? Returns the cycle
 * as names (for the error message), or null.
 */
export function findCycle(lib: Library, id: number | null, tree: ConditionTree | null): string[] | null {
  const visit = (segId: number, path: number[]): number[] | null => {
    if (id !== null && segId === id) return [...path, segId]
    if (path.includes(segId)) return null // a cycle not through `id` cannot exist in saved data
    const s = lib.segments.get(segId)
    for (const next of segmentRefs(s?.tree ?? null)) {
      const found = visit(next, [...path, segId])
      if (found) return found
    }
    return null
  }
  for (const ref of segmentRefs(tree)) {
    const found = visit(ref, id === null ? [] : [id])
    if (found) return found.map((s) => lib.segments.get(s)?.name ?? `#${s}`)
  }
  return null
}

/** Does membership depend on the clock (so the schedule must recompute it)? */
export function isTimeRelative(lib: Library, tree: ConditionTree | null, seen = new Set<number>()): boolean {
  const walk = (n: Node): boolean => {
    if (n.type === 'group') return n.conditions.some(walk)
    if ((n.type === 'attribute' || n.type === 'property') && ['more_than_days_ago', 'less_than_days_ago', 'within_next_days'].includes(n.operator)) return true
    if (n.type === 'event') return Boolean(n.window && 'lastDays' in n.window) || (n.where ?? []).some((f) => ['more_than_days_ago', 'less_than_days_ago', 'within_next_days'].includes(f.operator))
    if (n.type === 'segment' && !seen.has(n.segmentId)) {
      seen.add(n.segmentId)
      return isTimeRelative(lib, lib.segments.get(n.segmentId)?.tree ?? null, seen)
    }
    return false
  }
  return tree ? walk(tree.root) : false
}
