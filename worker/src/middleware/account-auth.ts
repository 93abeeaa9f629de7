import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { SESSION_COOKIE, accountForSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import { refuseCrossSite } from './csrf.js'
import type { AppEnv } from '../app.js'

/**
 * Routes of the signed-in account rather than of one project (its project list, creating
 * a project): the session cookie only — a token belongs to one project and a key to one
 * server. Changes pass the same CSRF check as every cookie-authenticated change.
 */
export async function signedInAccount(c: Context<AppEnv>): Promise<{ accountId: string; email: string }> {
  const cookie = getCookie(c, SESSION_COOKIE)
  const account = cookie ? await accountForSession(c.var.deps.db, cookie, c.var.deps.now()) : null
  if (!account) throw new ApiError(401, 'unauthorized', 'sign in to the dashboard for this; tokens and keys belong to one project')
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') refuseCrossSite(c.req.raw)
  return account
}
