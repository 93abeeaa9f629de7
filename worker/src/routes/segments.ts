import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import type { Db } from '../db/types.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { treeSchema, type ConditionTree } from '../segments/condition.js'
import { recordVersion } from '../segments/history.js'
import { addStaticMembers, bumpVersion, copyStaticMembers, deleteSegmentStatements, markStale, removeStaticMember, withComposers } from '../segments/membership.js'
import { settleMembership } from '../segments/membership-drain.js'
import { findCycle, loadLibrary, segmentRefs, segmentStats, type Library, type SavedSegment } from '../segments/store.js'
import { attributeKeys, columnMatches, prefersColumns } from '../segments/columns.js'
import { binder, toSql } from '../segments/to-sql.js'
import { idParam, jsonBody, ownUser, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * Segments admin API (F-50…F-55), under /api/projects/:projectId. Reads need any role,
 * changes need editor.
 */
export const segmentRoutes = new Hono<Env>()
const read = requireProject('viewer')
const write = requireProject('editor')

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  kind: z.enum(['dynamic', 'static']),
  conditions: z.unknown(),
  targetable: z.boolean(),
  key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1–64 of a-z 0-9 _ - (starting with a letter or digit)'),
}
const segmentBody = z.object({
  ...fields,
  description: fields.description.default(''),
  kind: fields.kind.default('dynamic'),
  conditions: fields.conditions.optional(),
  targetable: fields.targetable.default(false),
  key: fields.key.optional(),
})
// A patch names only what changes: no defaults, or they would overwrite what it leaves out.
const segmentPatch = z.object(fields).partial()

segmentRoutes.get('/segments', read, async (c) => {
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  const stats = await segmentStats(c.var.deps.db, c.var.projectId)
  return c.json({ segments: [...lib.segments.values()].map((s) => view(s, lib, stats)) })
})

segmentRoutes.post('/segments/preview', read, async (c) => {
  const { conditions } = await jsonBody(c, z.object({ conditions: z.unknown() }))
  const tree = parseOr400(treeSchema, conditions, 'conditions.')
  const { db, now } = c.var.deps
  const lib = await loadLibrary(db, c.var.projectId)
  checkRefs(lib, null, tree)
  const ctx = { now: now(), segments: lib.segments, projectId: c.var.projectId }
  // Through the columns in memory when they are loaded (Node); SQL otherwise, and meanwhile.
  if (prefersColumns(tree, lib.segments) && c.var.deps.columns?.ready(c.var.projectId, attributeKeys(tree, lib.segments))) {
    const { total, page } = await columnMatches(db, c.var.deps.columns, tree, ctx, { statuses: ['active'], limit: 10 })
    const rows = page.length ? (await db.execute({ sql: `SELECT u.id, u.user_id, u.email, u.name, u.last_seen FROM users u WHERE u.project_id = ? AND u.id IN (${page.map(() => '?').join(', ')})`, args: [c.var.projectId, ...page] })).rows : []
    const byPk = new Map(rows.map((r) => [Number(r.id), r]))
    return c.json({ count: total, sample: page.flatMap((pk) => (byPk.has(pk) ? [userView(byPk.get(pk)!)] : [])) })
  }
  const b = binder()
  const where = `u.project_id = ${b.bind(c.var.projectId)} AND u.status = 'active' AND ${toSql(tree, ctx, b.bind)}`
  const [count, sample] = await db.batch([
    { sql: `SELECT count(*) AS n FROM users u WHERE ${where}`, args: b.args },
    { sql: `SELECT u.id, u.user_id, u.email, u.name, u.last_seen FROM users u WHERE ${where} ORDER BY u.last_seen DESC LIMIT 10`, args: b.args },
  ], 'read')
  return c.json({ count: Number(count.rows[0].n), sample: sample.rows.map(userView) })
})

segmentRoutes.post('/segments', write, async (c) => {
  const body = await jsonBody(c, segmentBody)
  const saved = await save(c.var.deps.db, c.var.projectId, null, body, c.var.deps)
  await recordVersion(c, saved.id)
  await audit(c, { verb: 'create', objectType: 'segment', objectId: saved.id, after: { name: body.name, kind: body.kind } })
  return c.json(saved, 201)
})

segmentRoutes.get('/segments/:segmentId', read, async (c) => {
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  return c.json(view(segmentOr404(lib, idParam(c, 'segmentId')), lib, await segmentStats(c.var.deps.db, c.var.projectId)))
})

segmentRoutes.patch('/segments/:segmentId', write, async (c) => {
  const id = idParam(c, 'segmentId')
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  const current = segmentOr404(lib, id)
  const patch = await jsonBody(c, segmentPatch)
  const merged = segmentBody.parse({
    name: current.name, description: current.description, kind: current.kind, conditions: current.tree ?? undefined, targetable: current.targetable, key: current.key,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
  })
  const saved = await save(c.var.deps.db, c.var.projectId, id, merged, c.var.deps)
  await recordVersion(c, id)
  const fields = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined)
  await audit(c, { verb: 'update', objectType: 'segment', objectId: id, before: { name: current.name, ...(fields.includes('conditions') ? { conditions: current.tree } : {}) }, after: { name: merged.name, fields, ...(fields.includes('conditions') ? { conditions: merged.conditions } : {}) } })
  return c.json(saved)
})

segmentRoutes.post('/segments/:segmentId/duplicate', write, async (c) => {
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  const s = segmentOr404(lib, idParam(c, 'segmentId'))
  const copy = await save(c.var.deps.db, c.var.projectId, null, { name: `${s.name} (copy)`, description: s.description, kind: s.kind, conditions: s.tree ?? undefined, targetable: false }, c.var.deps)
  if (s.kind === 'static') {
    await c.var.deps.writer.write(copyStaticMembers(c.var.projectId, s.id, copy.id, c.var.deps.now()))
    await settleMembership(c.var.deps)
  }
  await recordVersion(c, copy.id)
  await audit(c, { verb: 'create', objectType: 'segment', objectId: copy.id, after: { name: `${s.name} (copy)`, duplicateOf: s.id } })
  const fresh = await loadLibrary(c.var.deps.db, c.var.projectId)
  return c.json(view(segmentOr404(fresh, copy.id), fresh, await segmentStats(c.var.deps.db, c.var.projectId)), 201)
})

segmentRoutes.delete('/segments/:segmentId', write, async (c) => {
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  const s = segmentOr404(lib, idParam(c, 'segmentId'))
  const users = usedBy(lib, s.id)
  if (users.length) {
    throw new ApiError(409, 'segment_in_use', `"${s.name}" is used by ${users.map((u) => `"${u.name}"`).join(', ')}; remove it from ${users.length > 1 ? 'them' : 'it'} first`)
  }
  await c.var.deps.writer.write(deleteSegmentStatements(c.var.projectId, s.id, c.var.deps.now()))
  await audit(c, { verb: 'delete', objectType: 'segment', objectId: s.id, before: { name: s.name, kind: s.kind } })
  return c.body(null, 204)
})

segmentRoutes.get('/segments/:segmentId/members', read, async (c) => {
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  const s = segmentOr404(lib, idParam(c, 'segmentId'))
  const q = parseOr400(z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(50) }), c.req.query())
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT u.id, u.user_id, u.email, u.name, u.last_seen, m.entered_at, m.computed_at FROM segment_members m JOIN users u ON u.id = m.user_pk
          WHERE m.project_id = ? AND m.segment_id = ? AND m.user_pk > ? ORDER BY m.user_pk LIMIT ?`,
    args: [c.var.projectId, s.id, q.after, q.limit],
  })
  const members = rows.map((r) => ({ ...userView(r), enteredAt: Number(r.entered_at), computedAt: Number(r.computed_at) }))
  return c.json({ members, next: members.length === q.limit ? members[members.length - 1].id : null })
})

segmentRoutes.post('/segments/:segmentId/members', write, async (c) => {
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  const s = segmentOr404(lib, idParam(c, 'segmentId'))
  if (s.kind !== 'static') throw new ApiError(409, 'not_static', `"${s.name}" is dynamic: its members follow its conditions`)
  const body = await jsonBody(c, z.object({
    ids: z.array(z.number().int()).max(10_000).default([]),
    userIds: z.array(z.string().min(1).max(255)).max(10_000).default([]),
    emails: z.array(z.string().min(1).max(1000)).max(10_000).default([]),
  }))
  const found = await findUsers(c.var.deps.db, c.var.projectId, body)
  const now = c.var.deps.now()
  await c.var.deps.writer.write(addStaticMembers(c.var.projectId, s.id, found.pks, now))
  await settleMembership(c.var.deps)
  await audit(c, { verb: 'add_members', objectType: 'segment', objectId: s.id, after: { name: s.name, added: found.pks.length } })
  return c.json({ added: found.pks.length, notFound: found.missing })
})

segmentRoutes.delete('/segments/:segmentId/members/:userPk', write, async (c) => {
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  const s = segmentOr404(lib, idParam(c, 'segmentId'))
  if (s.kind !== 'static') throw new ApiError(409, 'not_static', `"${s.name}" is dynamic: its members follow its conditions`)
  const u = await ownUser(c.var.deps.db, c.var.projectId, idParam(c, 'userPk'))
  await c.var.deps.writer.write(removeStaticMember(c.var.projectId, s.id, u, c.var.deps.now()))
  await settleMembership(c.var.deps)
  await audit(c, { verb: 'remove_member', objectType: 'segment', objectId: s.id, after: { name: s.name, userPk: u } })
  return c.body(null, 204)
})

/** Creates or updates a segment: validates the tree and its references, refuses cycles, recomputes. */
async function save(db: Db, projectId: string, id: number | null, body: z.output<typeof segmentBody>, deps: AppEnv['Variables']['deps']) {
  const tree = body.kind === 'dynamic' ? parseOr400(treeSchema, body.conditions, 'conditions.') : null
  if (body.kind === 'dynamic' && body.conditions === undefined) throw new ApiError(400, 'missing_field', 'a dynamic segment needs conditions', 'conditions')
  const lib = await loadLibrary(db, projectId)
  checkRefs(lib, id, tree)
  const now = deps.now()
  const key = body.key ?? freeKey(lib, slug(body.name), id)
  const fields = { p: projectId, name: body.name, d: body.description, k: body.kind, c: tree ? JSON.stringify(tree) : null, t: body.targetable ? 1 : 0, key, now }
  // The segment and every segment composing it are recomputed whole; marked stale in the
  // save's own transaction, so a crash before the recompute is finished by the next pass.
  const before = id === null ? undefined : lib.segments.get(id)
  const redefined = before !== undefined && (before.kind !== body.kind || JSON.stringify(before.tree) !== JSON.stringify(tree))
  const affected = redefined ? withComposers(lib, id!) : []
  try {
    const [res] = await db.batch([
      id === null
        ? { sql: `INSERT INTO segments (project_id, name, description, kind, conditions, targetable, key, created_at, updated_at) VALUES (:p, :name, :d, :k, :c, :t, :key, :now, :now) RETURNING id`, args: fields }
        : { sql: `UPDATE segments SET name = :name, description = :d, kind = :k, conditions = :c, targetable = :t, key = :key, updated_at = :now WHERE project_id = :p AND id = :id RETURNING id`, args: { ...fields, id } },
      bumpVersion(projectId),
      ...(id === null
        ? [{ sql: `INSERT INTO segment_stale (segment_id, project_id, cause, since) SELECT id, project_id, 'created', :now FROM segments WHERE project_id = :p AND key = :key AND kind = 'dynamic'`, args: { p: projectId, key, now } }]
        : markStale(projectId, affected, 'edit', now)),
    ], 'write')
    id = Number(res.rows[0].id)
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new ApiError(409, 'key_taken', `another segment already has the key "${key}"`, 'key')
    throw e
  }
  await settleMembership(deps)
  const fresh = await loadLibrary(db, projectId)
  const seg = fresh.segments.get(id)!
  return view(seg, fresh, await segmentStats(db, projectId))
}

function checkRefs(lib: Library, id: number | null, tree: ConditionTree | null) {
  for (const ref of segmentRefs(tree)) {
    if (!lib.segments.has(ref)) throw new ApiError(400, 'unknown_segment', `conditions name segment ${ref}, which does not exist`, 'conditions')
  }
  const cycle = findCycle(lib, id, tree)
  if (cycle) throw new ApiError(400, 'segment_cycle', `a segment cannot contain itself: ${cycle.join(' → ')}`, 'conditions')
}

function segmentOr404(lib: Library, id: number): SavedSegment {
  const s = lib.segments.get(id)
  if (!s) throw new ApiError(404, 'not_found', `no segment ${id} in this project`)
  return s
}

const usedBy = (lib: Library, id: number) => [...lib.segments.values()].filter((s) => segmentRefs(s.tree).includes(id))

function view(s: SavedSegment, lib: Library, stats: Awaited<ReturnType<typeof segmentStats>>) {
  return {
    id: s.id, name: s.name, description: s.description, kind: s.kind, key: s.key, targetable: s.targetable,
    conditions: s.tree, memberCount: stats.get(s.id)?.memberCount ?? 0, computedAt: stats.get(s.id)?.computedAt ?? null,
    usedBy: usedBy(lib, s.id).map((u) => ({ id: u.id, name: u.name })),
  }
}

export function userView(r: Record<string, unknown>) {
  return { id: Number(r.id), userId: (r.user_id as string | null) ?? null, email: (r.email as string | null) ?? null, name: (r.name as string | null) ?? null, lastSeen: Number(r.last_seen) }
}

async function findUsers(db: Db, projectId: string, by: { ids: number[]; userIds: string[]; emails: string[] }) {
  const pks = new Set<number>()
  const missing: string[] = []
  const lookups = [
    ...by.ids.map((v) => ({ label: String(v), sql: 'SELECT id FROM users WHERE project_id = ? AND id = ?', v })),
    ...by.userIds.map((v) => ({ label: v, sql: 'SELECT id FROM users WHERE project_id = ? AND user_id = ?', v })),
    ...by.emails.map((v) => ({ label: v, sql: 'SELECT id FROM users WHERE project_id = ? AND email = ? COLLATE NOCASE', v })),
  ]
  const results = lookups.length ? await db.batch(lookups.map((l) => ({ sql: l.sql, args: [projectId, l.v] })), 'read') : []
  results.forEach((r, i) => (r.rows.length ? r.rows.forEach((row) => pks.add(Number(row.id))) : missing.push(lookups[i].label)))
  return { pks: [...pks], missing }
}

/**
 * The key made from the name, as the editor's placeholder shows it: `big-spenders-eur`, or
 * `big-spenders-eur-2` when another segment holds that one (not a random suffix nobody
 * could predict). Two saves racing for one key: the loser gets 409 key_taken.
 */
function freeKey(lib: Library, base: string, id: number | null): string {
  const taken = new Set([...lib.segments.values()].filter((s) => s.id !== id).map((s) => s.key))
  for (let n = 1; ; n++) {
    const key = n === 1 ? base : `${base}-${n}`
    if (!taken.has(key)) return key
  }
}

const slug = (name: string) => name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'segment'
