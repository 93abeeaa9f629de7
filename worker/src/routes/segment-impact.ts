import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { treeSchema } from '../segments/condition.js'
import { editImpact } from '../segments/impact.js'
import { findCycle, loadLibrary, segmentRefs } from '../segments/store.js'
import { idParam, jsonBody, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * Edit impact (issue 16), under /api/projects/:projectId: what saving draft conditions on a
 * saved dynamic segment would do, counted against its stored membership. A read sent as
 * POST (it saves nothing), so viewers may ask too.
 *
 * @example
 * POST /segments/12/impact {"conditions": {"version": 1, "root": {…}}}
 * → {"entering": 120, "leaving": 4, "enteringSample": [{id, userId, email, name}, …], "leavingSample": […],
 *    "targetable": true, "composers": [{"id": 14, "name": "Pro in France", "targetable": false, "entering": 30, "leaving": 0}]}
 */
export const segmentImpactRoutes = new Hono<Env>()

segmentImpactRoutes.post('/segments/:segmentId/impact', requireProject('viewer'), async (c) => {
  const id = idParam(c, 'segmentId')
  const { db, now } = c.var.deps
  const lib = await loadLibrary(db, c.var.projectId)
  const seg = lib.segments.get(id)
  if (!seg) throw new ApiError(404, 'not_found', `no segment ${id} in this project`)
  if (seg.kind !== 'dynamic') throw new ApiError(409, 'not_dynamic', `"${seg.name}" is a manual list: its members change only when added or removed`)
  const { conditions } = await jsonBody(c, z.object({ conditions: z.unknown() }))
  const draft = parseOr400(treeSchema, conditions, 'conditions.')
  for (const ref of segmentRefs(draft)) {
    if (!lib.segments.has(ref)) throw new ApiError(400, 'unknown_segment', `conditions name segment ${ref}, which does not exist`, 'conditions')
  }
  const cycle = findCycle(lib, id, draft)
  if (cycle) throw new ApiError(400, 'segment_cycle', `a segment cannot contain itself: ${cycle.join(' → ')}`, 'conditions')
  return c.json(await editImpact(db, c.var.projectId, lib, seg, draft, now(), c.var.deps.columns))
})
