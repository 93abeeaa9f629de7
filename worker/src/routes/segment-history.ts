import { Hono } from 'hono'
import type { AppEnv } from '../app.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { listVersions } from '../segments/history.js'
import { loadLibrary } from '../segments/store.js'
import { idParam } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * Segment history (issue 16), under /api/projects/:projectId. Restoring a version is the
 * editor's: it loads the version as a draft, the impact preview shows what saving it would
 * do, and saving it is an ordinary PATCH (so it is a version of its own).
 *
 * @example
 * GET /segments/12/versions → {"versions": [{"id": 4, "at": …, "actor": "ann@acme.io", "name": "Pro", "conditions": {…}, "memberCount": 250113, …}, …]}
 */
export const segmentHistoryRoutes = new Hono<Env>()

segmentHistoryRoutes.get('/segments/:segmentId/versions', requireProject('viewer'), async (c) => {
  const id = idParam(c, 'segmentId')
  const lib = await loadLibrary(c.var.deps.db, c.var.projectId)
  if (!lib.segments.has(id)) throw new ApiError(404, 'not_found', `no segment ${id} in this project`)
  return c.json({ versions: await listVersions(c.var.deps.db, c.var.projectId, id) })
})
