import type { Db } from '../db/types.js'
import { ApiError } from '../errors.js'

/**
 * Wrong passwords per email, kept in the database (no isolate holds them): sign-in and a
 * password change count against the same limit, so neither can be used to guess.
 * Five wrong passwords within 15 minutes lock the email until the oldest ages out.
 */
export const LOGIN_LIMIT = { failures: 5, windowMs: 15 * 60_000 }

/** 429 with Retry-After while the email is locked, whatever password comes with it. */
export async function refuseWhileLocked(db: Db, email: string, at: number): Promise<void> {
  const recent = await db.execute({ sql: 'SELECT at FROM login_failures WHERE email = ? AND at > ? ORDER BY at', args: [email, at - LOGIN_LIMIT.windowMs] })
  if (recent.rows.length < LOGIN_LIMIT.failures) return
  const wait = Math.ceil((Number(recent.rows[0].at) + LOGIN_LIMIT.windowMs - at) / 1000)
  throw new ApiError(429, 'too_many_attempts', `too many wrong passwords; try again in ${Math.ceil(wait / 60)} minutes`, undefined, { 'Retry-After': String(wait) })
}

export async function recordFailure(db: Db, email: string, at: number): Promise<void> {
  await db.batch([
    { sql: 'INSERT INTO login_failures (email, at) VALUES (?, ?)', args: [email, at] },
    { sql: 'DELETE FROM login_failures WHERE at <= ?', args: [at - LOGIN_LIMIT.windowMs] },
  ], 'write')
}

export async function clearFailures(db: Db, email: string): Promise<void> {
  await db.execute({ sql: 'DELETE FROM login_failures WHERE email = ?', args: [email] })
}
