import type { Db } from '../db/types.js'
import { MIN_PASSWORD_LENGTH, hashPassword, randomToken, verifyPassword } from '../auth/crypto.js'

/** What {@link ensureAdmin} did, for the start-up log. */
export type AdminChange = 'created' | 'reset' | 'unchanged'

export function checkAdminPassword(password: string, source = 'JIMER_ADMIN_PASSWORD'): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`the admin password (${source}) must be at least ${MIN_PASSWORD_LENGTH} characters`)
}

/**
 * Makes `email` an admin of the project who signs in with `password`: creates the account,
 * or resets its password, or — when the password already works — changes nothing, so a
 * server started with the same variables every time does not sign everyone out.
 * A reset ends the account's sessions and clears its failed sign-ins (a locked-out admin
 * is the usual reason for one).
 *
 * @example
 * await ensureAdmin(db, projectId, { email: 'ann@example.com', password: 'at least twelve', now: Date.now() }) // 'created'
 */
export async function ensureAdmin(db: Db, projectId: string, opts: { email: string; password: string; now: number }): Promise<AdminChange> {
  checkAdminPassword(opts.password)
  const email = opts.email.trim().toLowerCase()
  const found = await db.execute({ sql: 'SELECT id, password_hash FROM accounts WHERE email = ?', args: [email] })
  const account = found.rows[0]
  const member = { sql: `INSERT INTO project_members (project_id, account_id, role) VALUES (:p, :a, 'admin') ON CONFLICT (project_id, account_id) DO UPDATE SET role = 'admin'`, args: { p: projectId } }
  if (!account) {
    const id = 'acc_' + randomToken(9)
    await db.batch([
      { sql: 'INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)', args: [id, email, await hashPassword(opts.password), opts.now] },
      { ...member, args: { ...member.args, a: id } },
    ], 'write')
    return 'created'
  }
  const id = String(account.id)
  if (await verifyPassword(opts.password, String(account.password_hash))) {
    await db.execute({ ...member, args: { ...member.args, a: id } })
    return 'unchanged'
  }
  await db.batch([
    { sql: 'UPDATE accounts SET password_hash = ? WHERE id = ?', args: [await hashPassword(opts.password), id] },
    { ...member, args: { ...member.args, a: id } },
    { sql: 'DELETE FROM sessions WHERE account_id = ?', args: [id] },
    { sql: 'DELETE FROM login_failures WHERE email = ?', args: [email] },
  ], 'write')
  return 'reset'
}

/**
 * Sets an existing account's password (`npm run admin -- reset-password EMAIL`), ends its
 * sessions and clears its failed sign-ins. Returns false when no account has that email.
 */
export async function resetPassword(db: Db, email: string, password: string): Promise<boolean> {
  checkAdminPassword(password, 'the new password')
  const normalized = email.trim().toLowerCase()
  const [updated] = await db.batch([
    { sql: 'UPDATE accounts SET password_hash = ? WHERE email = ?', args: [await hashPassword(password), normalized] },
    { sql: 'DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE email = ?)', args: [normalized] },
    { sql: 'DELETE FROM login_failures WHERE email = ?', args: [normalized] },
  ], 'write')
  return updated.rowsAffected > 0
}
