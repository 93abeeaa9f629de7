import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { simulate, simulatedFacts, simulatedProfileSchema, timeOf } from '../segments/simulate.js'
import { loadLibrary } from '../segments/store.js'
import { jsonBody, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * The segment simulator (issue 16), under /api/projects/:projectId. A read sent as POST:
 * the profile is made up and nothing is stored, so viewers may use it.
 *
 * @example
 * POST /simulate {"profile": {"attributes": {"plan": "pro"}, "events": [{"name": "order_placed", "count": 2, "properties": {"total": 300}}]}}
 * → {"segments": [{"id": 3, "name": "Big spenders", "member": true, "reason": "…", "explanation": {…}}, …], "evaluatedAt": …}
 */
export const simulateRoutes = new Hono<Env>()

simulateRoutes.post('/simulate', requireProject('viewer'), async (c) => {
  const body = await jsonBody(c, z.object({ profile: z.unknown().optional() }))
  const profile = parseOr400(simulatedProfileSchema, body.profile ?? {}, 'profile.')
  const { db, now } = c.var.deps
  const at = now()
  for (const f of ['created', 'firstSeen', 'lastSeen'] as const) {
    if (timeOf(profile[f], at) === null) throw new ApiError(400, 'invalid_field', `profile.${f}: must be a date (ISO 8601, epoch milliseconds or {daysAgo})`, `profile.${f}`)
  }
  for (const [i, e] of profile.events.entries()) {
    if (timeOf(e.at, at) === null) throw new ApiError(400, 'invalid_field', `profile.events.${i}.at: must be a date (ISO 8601, epoch milliseconds or {daysAgo})`, `profile.events.${i}.at`)
  }
  const lib = await loadLibrary(db, c.var.projectId)
  const tags = await db.execute({ sql: 'SELECT id, name FROM tags WHERE project_id = ?', args: [c.var.projectId] })
  const tagNames = new Map(tags.rows.map((r) => [Number(r.id), String(r.name)]))
  const tagIds = profile.tags.map((t, i) => {
    const id = typeof t === 'number' ? (tagNames.has(t) ? t : null) : [...tagNames].find(([, name]) => name === t)?.[0] ?? null
    if (id === null) throw new ApiError(400, 'unknown_tag', `profile.tags.${i}: no tag ${JSON.stringify(t)} in this project`, `profile.tags.${i}`)
    return id
  })
  for (const [i, id] of profile.segments.entries()) {
    if (lib.segments.get(id)?.kind !== 'static') throw new ApiError(400, 'unknown_segment', `profile.segments.${i}: no static segment ${id} in this project`, `profile.segments.${i}`)
  }
  const facts = simulatedFacts(profile, at, tagIds)
  return c.json({ evaluatedAt: at, segments: simulate(lib.segments.values(), facts, { now: at, segments: lib.segments, tagNames }) })
})
