import type { Db, Stmt } from '../db/types.js'
import { randomToken, tokenHash } from './crypto.js'

/** Sessions end after a week without use, and a month after sign-in whatever happens. */
export const SESSION_IDLE_MS = 7 * 86_400_000
export const SESSION_ABSOLUTE_MS = 30 * 86_400_000
export const SESSION_COOKIE = 'jimer_session'

/** The stored id is a hash of the cookie's token: a leaked table does not leak sessions. */
const sessionId = tokenHash

/** A new session (256-bit token) for the account; returns the cookie value. */
export async function createSession(db: Db, accountId: string, now: number): Promise<string> {
  const token = randomToken(32)
  await db.execute({
    sql: 'INSERT INTO sessions (id, account_id, created_at, last_seen_at, expires_at) VALUES (:id, :a, :now, :now, :exp)',
    args: { id: await sessionId(token), a: accountId, now, exp: now + SESSION_ABSOLUTE_MS },
  })
  return token
}

/** The account a cookie token signs in, or null when it is unknown, idle too long or expired. */
export async function accountForSession(db: Db, token: string, now: number): Promise<{ accountId: string; email: string } | null> {
  const id = await sessionId(token)
  const { rows } = await db.execute({
    sql: `SELECT s.account_id, a.email, s.last_seen_at FROM sessions s JOIN accounts a ON a.id = s.account_id
          WHERE s.id = :id AND s.expires_at > :now AND s.last_seen_at > :idle`,
    args: { id, now, idle: now - SESSION_IDLE_MS },
  })
  const row = rows[0]
  if (!row) return null
  // Touch at most once a minute: reads stay reads.
  if (now - Number(row.last_seen_at) > 60_000) await db.execute({ sql: 'UPDATE sessions SET last_seen_at = :now WHERE id = :id', args: { now, id } })
  return { accountId: String(row.account_id), email: String(row.email) }
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.execute({ sql: 'DELETE FROM sessions WHERE id = :id', args: { id: await sessionId(token) } })
}

/** Ends every session of the account, in one write with `also` (a password change). */
export async function endAllSessions(db: Db, accountId: string, also: Stmt[] = []): Promise<void> {
  await db.batch([...also, { sql: 'DELETE FROM sessions WHERE account_id = ?', args: [accountId] }], 'write')
}
