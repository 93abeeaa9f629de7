import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { settleMembership } from '../segments/membership-drain.js'
import { findDuplicates } from '../users/duplicates.js'
import { UNDO_WINDOW_MS, undoMerge } from '../users/merge-undo.js'
import { mergeUsers, type MergeSnapshot } from '../users/merge-users.js'
import { idParam, jsonBody } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * Duplicates and reversible merges (issue 16), under /api/projects/:projectId.
 *
 * @example
 * GET  /duplicates                          → {"groups": [{"reasons": ["same email ann@acme.io"], "users": [{id, userId, email, …}, …]}]}
 * POST /users/merge {"keepPk": 4, "mergePk": 9} → {"id": 81234567}
 * GET  /merges                              → {"merges": [{id, at, actor, kept: {…}, merged: {…}, undoneAt, undoableUntil}]}
 * POST /merges/81234567/undo                → 204
 */
export const duplicateRoutes = new Hono<Env>()

duplicateRoutes.get('/duplicates', requireProject('viewer'), async (c) => {
  return c.json({ groups: await findDuplicates(c.var.deps.db, c.var.projectId) })
})

duplicateRoutes.post('/users/merge', requireProject('editor'), async (c) => {
  const body = await jsonBody(c, z.object({ keepPk: z.number().int().positive(), mergePk: z.number().int().positive() }))
  if (body.keepPk === body.mergePk) throw new ApiError(400, 'same_user', 'a profile cannot be merged into itself', 'mergePk')
  const { db, writer, now } = c.var.deps
  const at = now()
  const r = await mergeUsers(db, writer, c.var.projectId, body.keepPk, body.mergePk, c.var.actor.name, at)
  if (r === 'not_found') throw new ApiError(404, 'not_found', `no user ${body.keepPk} or ${body.mergePk} in this project`)
  if (r === 'busy') throw new ApiError(503, 'user_busy', 'the profiles kept changing while they were being merged; nothing was merged, retry', undefined, { 'Retry-After': '1' })
  // Both profiles' dynamic segments follow from the merge's journal entries (cause "merge") before the answer.
  await settleMembership(c.var.deps)
  await audit(c, { verb: 'merge', objectType: 'user', objectId: body.keepPk, after: { mergedPk: body.mergePk, mergeId: r.id } })
  return c.json({ id: r.id })
})

duplicateRoutes.get('/merges', requireProject('viewer'), async (c) => {
  const { rows } = await c.var.deps.db.execute({
    sql: 'SELECT id, kept_pk, merged_pk, at, actor_name, undone_at, snapshot FROM user_merges WHERE project_id = ? ORDER BY at DESC, id DESC LIMIT 50',
    args: [c.var.projectId],
  })
  const label = (u: Record<string, unknown>) => ({ id: Number(u.id), userId: (u.user_id as string | null) ?? null, email: (u.email as string | null) ?? null, name: (u.name as string | null) ?? null })
  return c.json({
    merges: rows.map((r) => {
      const snap = JSON.parse(String(r.snapshot)) as MergeSnapshot
      return {
        id: Number(r.id), at: Number(r.at), actor: String(r.actor_name), kept: label(snap.kept), merged: label(snap.merged),
        undoneAt: r.undone_at === null ? null : Number(r.undone_at), undoableUntil: Number(r.at) + UNDO_WINDOW_MS,
      }
    }),
  })
})

duplicateRoutes.post('/merges/:mergeId/undo', requireProject('editor'), async (c) => {
  const id = idParam(c, 'mergeId')
  const { result, keptPk, mergedPk } = await undoMerge(c.var.deps.db, c.var.deps.writer, c.var.projectId, id, c.var.deps.now())
  const refusals: Record<Exclude<typeof result, 'undone'>, [404 | 409 | 410 | 503, string]> = {
    not_found: [404, `no merge ${id} in this project`],
    already_undone: [409, 'this merge was undone already'],
    expired: [410, 'merges can be undone for 30 days; this one is older'],
    kept_gone: [409, 'the kept profile is gone (erased, or merged again): undo that first'],
    pk_taken: [409, "the merged profile's pk or user id belongs to another profile now"],
    busy: [503, 'another undo of this merge ran at the same time; nothing was changed twice'],
  }
  if (result !== 'undone') throw new ApiError(refusals[result][0], result, refusals[result][1])
  await settleMembership(c.var.deps)
  await audit(c, { verb: 'undo_merge', objectType: 'user', objectId: keptPk, after: { mergedPk, mergeId: id } })
  return c.body(null, 204)
})
