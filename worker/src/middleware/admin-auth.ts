import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app.js'
import { ApiError } from '../errors.js'

export type Role = 'viewer' | 'editor' | 'admin'
const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 }

/**
 * Every admin route names its project in the path and passes through here: the caller
 * must hold access to that project with at least `min` role. The server API authenticates
 * with the project's secret key (`Authorization: Bearer sk_…`), which acts as an admin of
 * that project only. (Dashboard sessions join this check with the dashboard.)
 */
export const requireProject = (min: Role) => createMiddleware<AppEnv & { Variables: { projectId: string; role: Role } }>(async (c, next) => {
  const projectId = c.req.param('projectId')
  const auth = c.req.header('authorization')
  const token = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined
  if (!projectId || !token) throw new ApiError(401, 'unauthorized', 'sign in, or send the project secret key as a Bearer token')
  const { db, now } = c.var.deps
  const { rows } = await db.execute({
    sql: `SELECT 1 FROM projects WHERE id = :p AND (secret_key = :t OR (previous_secret_key = :t AND previous_secret_expires_at > :now))`,
    args: { p: projectId, t: token, now: now() },
  })
  // The same answer whether the project does not exist or the key is wrong: no probing.
  if (!rows.length) throw new ApiError(403, 'forbidden', 'this key gives no access to this project')
  const role: Role = 'admin'
  if (RANK[role] < RANK[min]) throw new ApiError(403, 'forbidden', `this needs the ${min} role`)
  c.set('projectId', projectId)
  c.set('role', role)
  await next()
})
