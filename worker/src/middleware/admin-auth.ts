import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app.js'
import { SESSION_COOKIE, accountForSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import { refuseCrossSite } from './csrf.js'

export type Role = 'viewer' | 'editor' | 'admin'
const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 }

/**
 * Every admin route names its project in the path and passes through here: the caller
 * must hold access to that project with at least `min` role.
 * - Dashboard: the session cookie; the role is the account's membership of the project.
 *   A request that changes something must come from the dashboard's own origin (CSRF,
 *   csrf.ts): the Origin header must match, and the body, if any, must be JSON.
 * - Server API: the project's secret key as a Bearer token, an admin of that project only.
 */
export const requireProject = (min: Role) => createMiddleware<AppEnv & { Variables: { projectId: string; role: Role } }>(async (c, next) => {
  const projectId = c.req.param('projectId')
  if (!projectId) throw new ApiError(404, 'not_found', 'no project in the path')
  const { db, now } = c.var.deps
  const auth = c.req.header('authorization')
  const bearer = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined
  const cookie = getCookie(c, SESSION_COOKIE)
  let role: Role | undefined

  if (bearer) {
    const { rows } = await db.execute({
      sql: `SELECT 1 FROM projects WHERE id = :p AND (secret_key = :t OR (previous_secret_key = :t AND previous_secret_expires_at > :now))`,
      args: { p: projectId, t: bearer, now: now() },
    })
    if (rows.length) role = 'admin'
  } else if (cookie) {
    const account = await accountForSession(db, cookie, now())
    if (!account) throw new ApiError(401, 'unauthorized', 'your session has ended; sign in again')
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') refuseCrossSite(c.req.raw)
    const { rows } = await db.execute({ sql: 'SELECT role FROM project_members WHERE project_id = ? AND account_id = ?', args: [projectId, account.accountId] })
    role = rows[0]?.role as Role | undefined
  } else {
    throw new ApiError(401, 'unauthorized', 'sign in, or send the project secret key as a Bearer token')
  }
  // The same answer whether the project does not exist or access is missing: no probing.
  if (!role) throw new ApiError(403, 'forbidden', 'you have no access to this project')
  if (RANK[role] < RANK[min]) throw new ApiError(403, 'forbidden', `this needs the ${min} role; you are a ${role}`)
  c.set('projectId', projectId)
  c.set('role', role)
  await next()
})
