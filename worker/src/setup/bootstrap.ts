import type { Db } from '../db/types.js'
import { hashPassword, randomToken } from '../auth/crypto.js'
import { checkAdminPassword, ensureAdmin, type AdminChange } from './admin.js'

export interface Bootstrap {
  projectId: string
  writeKey: string
  adminEmail: string
  /** Set only when this call created the admin with a generated password: print it once. */
  generatedPassword?: string
  /** What the admin credentials given (JIMER_ADMIN_EMAIL / JIMER_ADMIN_PASSWORD) changed; absent when none were. */
  admin?: AdminChange
}

/**
 * First start: a default project and an admin account that belongs to it. Later starts
 * keep the project and its keys; admin credentials, when given, apply on every start
 * (the named admin is created, or its password reset — see ensureAdmin), so whoever runs
 * the server can always get in. Without them nothing changes.
 */
export async function bootstrap(db: Db, opts: { adminEmail?: string; adminPassword?: string; now: number }): Promise<Bootstrap> {
  const existing = await db.execute('SELECT id, write_key FROM projects ORDER BY created_at LIMIT 1')
  if (existing.rows[0]) {
    const projectId = String(existing.rows[0].id)
    const writeKey = String(existing.rows[0].write_key)
    if (opts.adminPassword) {
      const adminEmail = (opts.adminEmail ?? 'admin@localhost').trim().toLowerCase()
      return { projectId, writeKey, adminEmail, admin: await ensureAdmin(db, projectId, { email: adminEmail, password: opts.adminPassword, now: opts.now }) }
    }
    const admin = await db.execute({
      sql: `SELECT a.email FROM accounts a JOIN project_members m ON m.account_id = a.id WHERE m.project_id = :p AND m.role = 'admin' ORDER BY a.email = :e DESC, a.created_at LIMIT 1`,
      args: { p: projectId, e: (opts.adminEmail ?? '').trim().toLowerCase() },
    })
    return { projectId, writeKey, adminEmail: String(admin.rows[0]?.email ?? '') }
  }

  if (opts.adminPassword) checkAdminPassword(opts.adminPassword)
  const projectId = 'prj_' + randomToken(9)
  const writeKey = 'wk_' + randomToken(18)
  const accountId = 'acc_' + randomToken(9)
  const adminEmail = (opts.adminEmail ?? 'admin@localhost').trim().toLowerCase()
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
  return { projectId, writeKey, adminEmail, generatedPassword, admin: opts.adminPassword ? 'created' : undefined }
}

/**
 * How to sign in, for the start-up log: said every time, so that nobody is locked out
 * without knowing why (issue 14). Never prints a password that was not generated here.
 */
export function signInLine(boot: Bootstrap): string {
  const who = `sign in as ${boot.adminEmail || '(no admin yet)'}`
  if (boot.generatedPassword) return `${who} with password ${boot.generatedPassword} — shown once`
  switch (boot.admin) {
    case 'created': return `${who} with JIMER_ADMIN_PASSWORD (admin created from JIMER_ADMIN_EMAIL / JIMER_ADMIN_PASSWORD)`
    case 'reset': return `${who} with JIMER_ADMIN_PASSWORD (password reset from the environment; that account's sessions ended)`
    case 'unchanged': return `${who} with JIMER_ADMIN_PASSWORD`
    default: return `${who}; lost the password? npm run admin -- reset-password ${boot.adminEmail || 'EMAIL'}`
  }
}
