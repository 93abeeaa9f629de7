import { Hono } from 'hono'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { explain } from '../segments/explain.js'
import { eventNames, loadFacts } from '../segments/facts.js'
import { loadLibrary } from '../segments/store.js'
import { memberOf } from '../segments/member-of.js'
import { eraseUser } from '../users/erase.js'
import { idParam, ownUser } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/** Per-user admin API under /api/projects/:projectId/users/:userPk. */
export const userRoutes = new Hono<Env>()

/** The user's segments, with when each membership was computed and entered (F-31). */
userRoutes.get('/users/:userPk/segments', requireProject('viewer'), async (c) => {
  const pk = await ownUser(c.var.deps.db, c.var.projectId, idParam(c, 'userPk'))
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT s.id, s.name, s.kind, s.key, m.entered_at, m.computed_at FROM segment_members m JOIN segments s ON s.id = m.segment_id
          WHERE ${memberOf('?1', '?2', 'm')} ORDER BY s.name`,
    args: [c.var.projectId, pk],
  })
  return c.json({ segments: rows.map((r) => ({ id: Number(r.id), name: r.name, kind: r.kind, key: r.key, enteredAt: Number(r.entered_at), computedAt: Number(r.computed_at) })) })
})

/** Why the user is, or is not, in a segment (F-36). */
userRoutes.get('/users/:userPk/explain/:segmentId', requireProject('viewer'), async (c) => {
  const { db, now } = c.var.deps
  const lib = await loadLibrary(db, c.var.projectId)
  const seg = lib.segments.get(idParam(c, 'segmentId'))
  if (!seg) throw new ApiError(404, 'not_found', `no segment ${c.req.param('segmentId')} in this project`)
  const trees = [...lib.segments.values()].flatMap((s) => (s.tree ? [s.tree] : []))
  const facts = await loadFacts(db, c.var.projectId, { pk: idParam(c, 'userPk') }, eventNames(trees))
  if (!facts) throw new ApiError(404, 'not_found', `no user ${c.req.param('userPk')} in this project`)
  const at = now()
  if (seg.kind === 'static' || !seg.tree) {
    const member = facts.staticSegments.includes(seg.id)
    return c.json({ segment: { id: seg.id, name: seg.name, kind: seg.kind }, member, evaluatedAt: at, explanation: null, reason: member ? 'added to this static segment' : 'not on this static list' })
  }
  const tags = await db.execute({ sql: 'SELECT id, name FROM tags WHERE project_id = ?', args: [c.var.projectId] })
  const tagNames = new Map(tags.rows.map((r) => [Number(r.id), String(r.name)]))
  const explanation = explain(seg.tree, facts, { now: at, segments: lib.segments, tagNames })
  const member = explanation.pass && facts.status === 'active'
  return c.json({
    segment: { id: seg.id, name: seg.name, kind: seg.kind }, member, evaluatedAt: at, explanation,
    reason: facts.status !== 'active' ? `the user is ${facts.status}` : explanation.pass ? 'every needed condition passed' : 'the conditions did not pass',
  })
})

/** Permanently deletes the user and all their data (F-37). */
userRoutes.delete('/users/:userPk', requireProject('editor'), async (c) => {
  const pk = idParam(c, 'userPk')
  const { db, writer, now } = c.var.deps
  const result = await eraseUser(db, writer, c.var.projectId, pk, now())
  if (result === 'not_found') throw new ApiError(404, 'not_found', `no user ${pk} in this project`)
  if (result === 'busy') throw new ApiError(503, 'user_busy', 'the user kept changing while it was being erased; nothing was erased, retry', undefined, { 'Retry-After': '1' })
  // The pk only: an erased user leaves nothing of themselves in the log.
  await audit(c, { verb: 'delete', objectType: 'user', objectId: pk })
  return c.body(null, 204)
})
