import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { verifyPassword } from '../auth/crypto.js'
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE, accountForSession, createSession, endSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import { jsonBody } from './validate.js'

/**
 * Dashboard sign-in (F-70): email + password (PBKDF2-SHA256), an HttpOnly SameSite=Lax
 * session cookie (Secure on https) with a fresh token at every sign-in.
 */
export const auth = new Hono<AppEnv>()

// One answer for an unknown email and a wrong password: no account probing.
const badLogin = () => new ApiError(401, 'invalid_credentials', 'wrong email or password')

/** Five wrong passwords for an email within 15 minutes lock it until the oldest ages out. */
export const LOGIN_LIMIT = { failures: 5, windowMs: 15 * 60_000 }

auth.post('/login', async (c) => {
  const { email, password } = await jsonBody(c, z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1000) }))
  const { db, now } = c.var.deps
  const at = now()
  const key = email.toLowerCase()
  const recent = await db.execute({ sql: 'SELECT at FROM login_failures WHERE email = ? AND at > ? ORDER BY at', args: [key, at - LOGIN_LIMIT.windowMs] })
  if (recent.rows.length >= LOGIN_LIMIT.failures) {
    const wait = Math.ceil((Number(recent.rows[0].at) + LOGIN_LIMIT.windowMs - at) / 1000)
    throw new ApiError(429, 'too_many_attempts', `too many wrong passwords; try again in ${Math.ceil(wait / 60)} minutes`, undefined, { 'Retry-After': String(wait) })
  }
  const { rows } = await db.execute({ sql: 'SELECT id, password_hash FROM accounts WHERE email = ?', args: [key] })
  const ok = rows[0] ? await verifyPassword(password, String(rows[0].password_hash)) : false
  if (!ok) {
    await db.batch([
      { sql: 'INSERT INTO login_failures (email, at) VALUES (?, ?)', args: [key, at] },
      { sql: 'DELETE FROM login_failures WHERE at <= ?', args: [at - LOGIN_LIMIT.windowMs] },
    ], 'write')
    throw badLogin()
  }
  await db.execute({ sql: 'DELETE FROM login_failures WHERE email = ?', args: [key] })
  const old = getCookie(c, SESSION_COOKIE)
  if (old) await endSession(db, old)
  const token = await createSession(db, String(rows[0].id), at)
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Lax', path: '/', secure: new URL(c.req.url).protocol === 'https:', maxAge: SESSION_ABSOLUTE_MS / 1000,
  })
  return c.json({ account: { id: String(rows[0].id), email: email.toLowerCase() }, projects: await projectsOf(c, String(rows[0].id)) })
})

auth.post('/logout', async (c) => {
  const token = getCookie(c, SESSION_COOKIE)
  if (token) await endSession(c.var.deps.db, token)
  deleteCookie(c, SESSION_COOKIE, { path: '/' })
  return c.body(null, 204)
})

/** Who is signed in, and the projects they may open with their role in each. */
auth.get('/me', async (c) => {
  const token = getCookie(c, SESSION_COOKIE)
  const account = token ? await accountForSession(c.var.deps.db, token, c.var.deps.now()) : null
  if (!account) throw new ApiError(401, 'unauthorized', 'not signed in')
  return c.json({ account: { id: account.accountId, email: account.email }, projects: await projectsOf(c, account.accountId) })
})

async function projectsOf(c: { var: AppEnv['Variables'] }, accountId: string) {
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT p.id, p.name, m.role FROM project_members m JOIN projects p ON p.id = m.project_id WHERE m.account_id = ? ORDER BY p.name`,
    args: [accountId],
  })
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), role: String(r.role) }))
}
