// `npm run deploy` step: the first project and admin on the Turso database (idempotent).
import { createClient } from '@libsql/client'
import { completeBackfills } from '../worker/src/db/backfill.js'
import { bootstrap, signInLine } from '../worker/src/setup/bootstrap.js'

const url = process.env.LIBSQL_URL
if (!url) throw new Error('set LIBSQL_URL (and LIBSQL_AUTH_TOKEN) to the Turso database')
const client = createClient({ url, authToken: process.env.LIBSQL_AUTH_TOKEN })
// Users that existed before migration 0005 get their typed attributes, in bounded batches.
await completeBackfills(client, { log: (s) => console.log(s) })
const boot = await bootstrap(client, { adminEmail: process.env.JIMER_ADMIN_EMAIL, adminPassword: process.env.JIMER_ADMIN_PASSWORD, now: Date.now() })
console.log(`Dashboard: ${signInLine(boot)}\nWrite key: ${boot.writeKey}`)
client.close()
