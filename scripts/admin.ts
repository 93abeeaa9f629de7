// `npm run admin -- reset-password EMAIL [--db path]`: get back into the dashboard without the
// server, straight on the database file. The new password is JIMER_ADMIN_PASSWORD when set,
// otherwise generated and printed once. `npm run admin -- list` shows the accounts.
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { randomToken } from '../worker/src/auth/crypto.js'
import { resetPassword } from '../worker/src/setup/admin.js'

const root = resolve(import.meta.dirname, '..')
const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' } } })
const dbPath = values.db ?? process.env.JIMER_DB ?? resolve(root, 'data/jimer.db')
const [command, email] = positionals
const fail = (message: string): never => {
  console.error(message)
  process.exit(1)
}

if (command !== 'reset-password' && command !== 'list') fail('usage: npm run admin -- reset-password EMAIL [--db path]\n       npm run admin -- list [--db path]')
if (!existsSync(dbPath)) fail(`no database at ${dbPath} (set JIMER_DB or --db); npm start creates one`)
const client = createClient({ url: `file:${dbPath}`, timeout: 5000 })
await migrate(drizzle(client), { migrationsFolder: resolve(root, 'migrations') })
const accounts = (await client.execute(`SELECT a.email, group_concat(m.role) AS roles FROM accounts a LEFT JOIN project_members m ON m.account_id = a.id GROUP BY a.id ORDER BY a.email`)).rows
if (command === 'list') {
  for (const a of accounts) console.log(`${a.email}  ${a.roles ?? '(no project)'}`)
} else {
  if (!email) fail('usage: npm run admin -- reset-password EMAIL')
  const password = process.env.JIMER_ADMIN_PASSWORD || randomToken(12)
  if (!(await resetPassword(client, email, password))) {
    fail(`no account ${email}; accounts: ${accounts.map((a) => a.email).join(', ') || 'none'}.\nTo create an admin: JIMER_ADMIN_EMAIL=${email} JIMER_ADMIN_PASSWORD=… npm start`)
  }
  console.log(`Password of ${email.trim().toLowerCase()} reset${process.env.JIMER_ADMIN_PASSWORD ? ' to JIMER_ADMIN_PASSWORD' : `: ${password} — shown once`}; its sessions were ended.`)
}
client.close()
