import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from '../auth/crypto.js'
import { clearFailures, recordFailure, refuseWhileLocked } from '../auth/login-limit.js'
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE, accountForSession, createSession, endAllSessions, endSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import { refuseCrossSite, refuseCrossSiteSignIn } from '../middleware/csrf.js'
import { projectsOf } from '../teams/projects-of.js'
import { jsonBody } from './validate.js'

/**
 * Dashboard sign-in (F-70): email + password (PBKDF2-SHA256), an HttpOnly SameSite=Lax
 * session cookie (Secure on https) with a fresh token at every sign-in and password change.
 */
export const auth = new Hono<AppEnv>()

// One answer for an unknown email and a wrong password: no account probing.
const badLogin = () => new ApiError(401, 'invalid_credentials', 'wrong email or password')

auth.post('/login', async (c) => {
  refuseCrossSiteSignIn(c.req.raw)
  const { email, password } = await jsonBody(c, z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1000) }))
  const { db, now } = c.var.deps
  const at = now()
  const key = email.toLowerCase()
  await refuseWhileLocked(db, key, at)
  const { rows } = await db.execute({ sql: 'SELECT id, password_hash FROM accounts WHERE email = ?', args: [key] })
  const ok = rows[0] ? await verifyPassword(password, String(rows[0].password_hash)) : false
  if (!ok) {
    await recordFailure(db, key, at)
    throw badLogin()
  }
  await clearFailures(db, key)
  const old = getCookie(c, SESSION_COOKIE)
  if (old) await endSession(db, old)
  await startSession(c, String(rows[0].id), at)
  return c.json({ account: { id: String(rows[0].id), email: key }, projects: await projectsOf(c.var.deps.db, String(rows[0].id)) })
})

/** Ends this session. Without one there is nothing to end: 204 all the same. */
auth.post('/logout', async (c) => {
  const token = getCookie(c, SESSION_COOKIE)
  if (token) {
    refuseCrossSite(c.req.raw)
    await endSession(c.var.deps.db, token)
  }
  deleteCookie(c, SESSION_COOKIE, { path: '/' })
  return c.body(null, 204)
})

/** Who is signed in, and the projects they may open with their role in each. */
auth.get('/me', async (c) => {
  const token = getCookie(c, SESSION_COOKIE)
  const account = token ? await accountForSession(c.var.deps.db, token, c.var.deps.now()) : null
  // `?optional=1` (the dashboard's first look): signed out is an answer, not an error, so a
  // visit to the sign-in page logs no failed request in the browser console.
  if (!account && c.req.query('optional') === '1') return c.json({ account: null, projects: [] })
  if (!account) throw new ApiError(401, 'unauthorized', 'not signed in')
  return c.json({ account: { id: account.accountId, email: account.email }, projects: await projectsOf(c.var.deps.db, account.accountId) })
})

/**
 * `POST /api/auth/password` `{currentPassword, newPassword}`: a new password for the
 * signed-in account. Every session of the account ends (a stolen cookie with it); the
 * caller gets a fresh one. Wrong current passwords count against the sign-in limit.
 * @example fetch('/api/auth/password', { method: 'POST', headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ currentPassword: 'old one', newPassword: 'a longer new one' }) })
 */
auth.post('/password', async (c) => {
  const token = getCookie(c, SESSION_COOKIE)
  const { db, now } = c.var.deps
  const at = now()
  const account = token ? await accountForSession(db, token, at) : null
  if (!account) throw new ApiError(401, 'unauthorized', 'sign in to change your password')
  refuseCrossSite(c.req.raw)
  const body = await jsonBody(c, z.object({
    currentPassword: z.string().min(1).max(1000),
    newPassword: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(1000),
  }))
  await refuseWhileLocked(db, account.email, at)
  const { rows } = await db.execute({ sql: 'SELECT password_hash FROM accounts WHERE id = ?', args: [account.accountId] })
  if (!rows[0] || !(await verifyPassword(body.currentPassword, String(rows[0].password_hash)))) {
    await recordFailure(db, account.email, at)
    throw new ApiError(403, 'wrong_password', 'the current password is not right', 'currentPassword')
  }
  await clearFailures(db, account.email)
  await endAllSessions(db, account.accountId, [{ sql: 'UPDATE accounts SET password_hash = ? WHERE id = ?', args: [await hashPassword(body.newPassword), account.accountId] }])
  await startSession(c, account.accountId, at)
  return c.json({ account: { id: account.accountId, email: account.email } })
})

/**
 * `POST /api/auth/logout-everywhere`: ends every session of the signed-in account, this
 * one included (a lost laptop, a shared computer).
 */
auth.post('/logout-everywhere', async (c) => {
  const token = getCookie(c, SESSION_COOKIE)
  const account = token ? await accountForSession(c.var.deps.db, token, c.var.deps.now()) : null
  if (!account) throw new ApiError(401, 'unauthorized', 'not signed in')
  refuseCrossSite(c.req.raw)
  await endAllSessions(c.var.deps.db, account.accountId)
  deleteCookie(c, SESSION_COOKIE, { path: '/' })
  return c.body(null, 204)
})

/** A new session for the account, its token in the cookie. */
export async function startSession(c: Context<AppEnv>, accountId: string, at: number) {
  const token = await createSession(c.var.deps.db, accountId, at)
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Lax', path: '/', secure: new URL(c.req.url).protocol === 'https:', maxAge: SESSION_ABSOLUTE_MS / 1000,
  })
}
