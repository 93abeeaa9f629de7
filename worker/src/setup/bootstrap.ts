import type { Db } from '../db/types.js'
import { MIN_PASSWORD_LENGTH, hashPassword, randomToken } from '../auth/crypto.js'

export interface Bootstrap {
  projectId: string
  writeKey: string
  adminEmail: string
  /** Set only when this call created the admin with a generated password: print it once. */
  generatedPassword?: string
}

/**
 * First start: a default project and an admin account that belongs to it. Later starts
 * find them and change nothing, so a restart never rotates keys or passwords.
 */
export async function bootstrap(db: Db, opts: { adminEmail?: string; adminPassword?: string; now: number }): Promise<Bootstrap> {
  const existing = await db.execute('SELECT id, write_key FROM projects ORDER BY created_at LIMIT 1')
  if (existing.rows[0]) {
    const admin = await db.execute({
      sql: `SELECT a.email FROM accounts a JOIN project_members m ON m.account_id = a.id WHERE m.project_id = :p AND m.role = 'admin' LIMIT 1`,
      args: { p: existing.rows[0].id },
    })
    return { projectId: String(existing.rows[0].id), writeKey: String(existing.rows[0].write_key), adminEmail: String(admin.rows[0]?.email ?? '') }
  }

  if (opts.adminPassword && opts.adminPassword.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`the admin password (JIMER_ADMIN_PASSWORD) must be at least ${MIN_PASSWORD_LENGTH} characters`)
  }
  const projectId = 'prj_' + randomToken(9)
  const writeKey = 'wk_' + randomToken(18)
  const accountId = 'acc_' + randomToken(9)
  const adminEmail = (opts.adminEmail ?? 'admin@localhost').toLowerCase()
  const generatedPassword = opts.adminPassword ? undefined : randomToken(12)
  const passwordHash = await hashPassword(opts.adminPassword ?? generatedPassword!)
  await db.batch([
    {
      sql: `INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES (:id, 'My project', :wk, :sk, :now)`,
      args: { id: projectId, wk: writeKey, sk: 'sk_' + randomToken(24), now: opts.now },
    },
    { sql: `INSERT INTO accounts (id, email, password_hash, created_at) VALUES (:id, :email, :hash, :now)`, args: { id: accountId, email: adminEmail, hash: passwordHash, now: opts.now } },
    { sql: `INSERT INTO project_members (project_id, account_id, role) VALUES (:p, :a, 'admin')`, args: { p: projectId, a: accountId } },
  ], 'write')
  return { projectId, writeKey, adminEmail, generatedPassword }
}
