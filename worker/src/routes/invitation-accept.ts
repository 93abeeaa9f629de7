import { Hono, type Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { auditStmt } from '../audit/log.js'
import { MIN_PASSWORD_LENGTH, hashPassword, randomToken, tokenHash } from '../auth/crypto.js'
import { SESSION_COOKIE, accountForSession } from '../auth/sessions.js'
import { named } from '../db/named.js'
import { ApiError } from '../errors.js'
import { refuseCrossSite, refuseCrossSiteSignIn } from '../middleware/csrf.js'
import { startSession } from './auth.js'
import { jsonBody } from './validate.js'

/**
 * Accepting an invitation (F-70): `POST /api/invitations/lookup {token}` says what it is
 * for; `POST /api/invitations/accept {token, password?}` uses it, once. Signed in, it adds
 * the signed-in account to the project. Signed out, it makes an account for the invited
 * email with `password` and signs it in — unless that email has an account already, which
 * must sign in first (a link must never set an existing account's password).
 */
export const invitationAccept = new Hono<AppEnv>()

const token = z.string().min(1).max(200)

async function invitationOf(c: Context<AppEnv>, text: string) {
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT i.id, i.project_id, i.email, i.role, i.expires_at, i.accepted_at, p.name AS project_name,
            EXISTS (SELECT 1 FROM accounts a WHERE a.email = i.email) AS account_exists
          FROM invitations i JOIN projects p ON p.id = i.project_id WHERE i.token_hash = ?`,
    args: [await tokenHash(text)],
  })
  const row = rows[0]
  if (!row) throw new ApiError(404, 'invalid_invitation', 'this invitation link is not valid (it may have been revoked)', 'token')
  if (row.accepted_at !== null) throw new ApiError(410, 'invitation_used', 'this invitation was used already; ask for a new one', 'token')
  if (Number(row.expires_at) <= c.var.deps.now()) throw new ApiError(410, 'invitation_expired', 'this invitation has expired; ask for a new one', 'token')
  return {
    id: String(row.id), projectId: String(row.project_id), projectName: String(row.project_name), email: String(row.email),
    role: String(row.role), expiresAt: Number(row.expires_at), accountExists: Boolean(Number(row.account_exists)),
  }
}

async function sessionAccount(c: Context<AppEnv>) {
  const cookie = getCookie(c, SESSION_COOKIE)
  return cookie ? accountForSession(c.var.deps.db, cookie, c.var.deps.now()) : null
}

invitationAccept.post('/lookup', async (c) => {
  refuseCrossSiteSignIn(c.req.raw)
  const body = await jsonBody(c, z.object({ token }))
  const inv = await invitationOf(c, body.token)
  const account = await sessionAccount(c)
  return c.json({ projectName: inv.projectName, email: inv.email, role: inv.role, expiresAt: inv.expiresAt, accountExists: inv.accountExists, signedInAs: account?.email ?? null })
})

invitationAccept.post('/accept', async (c) => {
  const account = await sessionAccount(c)
  if (account) refuseCrossSite(c.req.raw)
  else refuseCrossSiteSignIn(c.req.raw)
  const body = await jsonBody(c, z.object({ token, password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(1000).optional() }))
  const inv = await invitationOf(c, body.token)
  const { db, now } = c.var.deps
  const at = now()
  let accountId = account?.accountId
  let email = account?.email
  let hash: string | null = null
  if (!accountId) {
    if (inv.accountExists) throw new ApiError(409, 'sign_in_first', `${inv.email} has an account: sign in, then open the link again`, 'email')
    if (!body.password) throw new ApiError(400, 'missing_field', 'password: choose a password for your new account', 'password')
    accountId = 'acc_' + randomToken(9)
    email = inv.email
    hash = await hashPassword(body.password)
  }
  // Used once: the claim is conditional, and everything after it applies only if this request made it.
  const pool = { id: inv.id, acc: accountId, now: at, email: email!, hash }
  const claimed = `EXISTS (SELECT 1 FROM invitations WHERE id = :id AND accepted_by = :acc AND accepted_at = :now)`
  let results
  try {
    results = await db.batch([
      named('UPDATE invitations SET accepted_at = :now, accepted_by = :acc WHERE id = :id AND accepted_at IS NULL AND expires_at > :now', pool),
      ...(hash ? [named(`INSERT INTO accounts (id, email, password_hash, created_at) SELECT :acc, :email, :hash, :now WHERE ${claimed}`, pool)] : []),
      named(`INSERT INTO project_members (project_id, account_id, role) SELECT project_id, :acc, role FROM invitations WHERE id = :id AND accepted_by = :acc AND accepted_at = :now
             ON CONFLICT DO NOTHING`, pool),
    ], 'write')
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new ApiError(409, 'sign_in_first', `${inv.email} has an account: sign in, then open the link again`, 'email')
    throw e
  }
  if (!results[0].rowsAffected) throw new ApiError(410, 'invitation_used', 'this invitation was used already; ask for a new one', 'token')
  await db.execute(auditStmt(inv.projectId, { type: 'account', id: accountId, name: email! }, at, {
    verb: 'accept', objectType: 'invitation', objectId: inv.id, after: { email: email!, role: inv.role, invitedEmail: inv.email },
  }))
  if (hash) await startSession(c, accountId, at)
  return c.json({ project: { id: inv.projectId, name: inv.projectName, role: inv.role }, account: { id: accountId, email } })
})
