import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app.js'
import { TOKEN_PREFIX, tokenForBearer, type Scope } from '../auth/api-tokens.js'
import { SESSION_COOKIE, accountForSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import { refuseCrossSite } from './csrf.js'

export type Role = 'viewer' | 'editor' | 'admin'
const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 }

/** What a token's scope may do on the admin API, as a member role; `ingest` nothing. */
const SCOPE_ROLE: Record<Scope, Role | null> = { ingest: null, read: 'viewer', write: 'editor', admin: 'admin' }

/** Who made a request: the audit log names them. */
export interface Actor { type: 'account' | 'token' | 'secret_key'; id: string | null; name: string }

export type ProjectVars = { projectId: string; role: Role; actor: Actor }

/**
 * Every admin route names its project in the path and passes through here: the caller
 * must hold access to that project with at least `min` role.
 * - Dashboard: the session cookie; the role is the account's membership of the project.
 *   A request that changes something must come from the dashboard's own origin (CSRF,
 *   csrf.ts): the Origin header must match, and the body, if any, must be JSON.
 * - Server API: an API token of that project as a Bearer token, with the role its scope
 *   gives (read → viewer, write → editor, admin → admin; ingest → none); or the project's
 *   secret key, an admin of that project (kept for servers written before tokens).
 */
export const requireProject = (min: Role) => createMiddleware<AppEnv & { Variables: ProjectVars }>(async (c, next) => {
  const projectId = c.req.param('projectId')
  if (!projectId) throw new ApiError(404, 'not_found', 'no project in the path')
  const { db, now } = c.var.deps
  const auth = c.req.header('authorization')
  const bearer = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined
  const cookie = getCookie(c, SESSION_COOKIE)
  let role: Role | undefined | null
  let actor: Actor | undefined

  if (bearer) {
    const token = await tokenForBearer(db, bearer, now())
    if (token) {
      if (token.projectId === projectId) role = SCOPE_ROLE[token.scope]
      actor = { type: 'token', id: token.id, name: token.name }
      if (token.projectId === projectId && !role) throw new ApiError(403, 'forbidden', `an ${token.scope} token may only send data to the collector`)
    } else if (bearer.startsWith(TOKEN_PREFIX)) {
      throw new ApiError(401, 'invalid_token', 'this API token is not valid: it was revoked, or never existed')
    } else {
      const { rows } = await db.execute({
        sql: `SELECT 1 FROM projects WHERE id = :p AND (secret_key = :t OR (previous_secret_key = :t AND previous_secret_expires_at > :now))`,
        args: { p: projectId, t: bearer, now: now() },
      })
      if (rows.length) role = 'admin'
      actor = { type: 'secret_key', id: null, name: 'secret key' }
    }
  } else if (cookie) {
    const account = await accountForSession(db, cookie, now())
    if (!account) throw new ApiError(401, 'unauthorized', 'your session has ended; sign in again')
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') refuseCrossSite(c.req.raw)
    const { rows } = await db.execute({ sql: 'SELECT role FROM project_members WHERE project_id = ? AND account_id = ?', args: [projectId, account.accountId] })
    role = rows[0]?.role as Role | undefined
    actor = { type: 'account', id: account.accountId, name: account.email }
  } else {
    throw new ApiError(401, 'unauthorized', 'sign in, or send an API token as a Bearer token')
  }
  // The same answer whether the project does not exist or access is missing: no probing.
  if (!role || !actor) throw new ApiError(403, 'forbidden', 'you have no access to this project')
  if (RANK[role] < RANK[min]) throw new ApiError(403, 'forbidden', `this needs the ${min} role; you are a ${role}`)
  c.set('projectId', projectId)
  c.set('role', role)
  c.set('actor', actor)
  await next()
})

/** Routes only a person may call (deleting a project): a token or key, even admin, is refused. */
export function requireAccount(actor: Actor): string {
  if (actor.type !== 'account' || !actor.id) throw new ApiError(403, 'account_only', 'only a signed-in admin may do this, not a token')
  return actor.id
}
