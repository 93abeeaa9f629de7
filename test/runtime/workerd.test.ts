import { Miniflare } from 'miniflare'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildWorker } from '../../scripts/build.mjs'
import { bootstrap } from '../../worker/src/setup/bootstrap.js'
import { collectorContract, verificationContract } from '../contract/collector-contract.js'
import { tempDb } from '../helpers/test-app.js'
import { startHranaServer } from './hrana-server.js'

/**
 * The workerd tier: the bundled Worker runs in miniflare (real workerd), its libSQL client
 * speaks Hrana over HTTP, and miniflare's outbound service hands those requests to the
 * test-only Hrana endpoint over the same file the assertions read.
 */
async function startWorkerd() {
  const db = await tempDb()
  const boot = await bootstrap(db.client, { adminPassword: 'workerd tier password', now: Date.now() })
  const secret = (await db.client.execute({ sql: 'SELECT secret_key FROM projects WHERE id = ?', args: [boot.projectId] })).rows[0].secret_key as string
  const hrana = await startHranaServer({ dbPath: db.path })
  const scriptPath = await buildWorker(join(mkdtempSync(join(tmpdir(), 'jimer-workerd-')), 'worker.js'))
  const mf = new Miniflare({
    // Handed over as contents: workerd refuses module paths outside its starting directory.
    modules: [{ type: 'ESModule', path: 'worker.js', contents: readFileSync(scriptPath, 'utf8') }],
    compatibilityDate: '2026-04-26',
    bindings: { LIBSQL_URL: 'http://libsql.test' },
    outboundService: (request: unknown) => hrana.handler(request as Request) as never,
  })
  await mf.ready
  return {
    mf, db, boot, secret,
    fetch: (path: string, init?: RequestInit) => mf.dispatchFetch(`http://jimer.test${path}`, init as never) as unknown as Promise<Response>,
    close: async () => { await mf.dispose(); await hrana.close(); db.dispose() },
  }
}

const workerdTarget = async () => {
  const w = await startWorkerd()
  return { fetch: w.fetch, db: w.db.client, writeKey: w.boot.writeKey, secretKey: w.secret, projectId: w.boot.projectId, close: w.close }
}
collectorContract('workerd', workerdTarget)
verificationContract('workerd', workerdTarget)

describe('the Worker entry', () => {
  it('runs the scheduled upkeep from its cron trigger against the database', async () => {
    const w = await startWorkerd()
    try {
      const args = { a: 'acc', now: Date.now() }
      await w.db.client.execute({ sql: `INSERT INTO accounts (id, email, password_hash, created_at) VALUES (:a, 'x@y.z', 'h', :now)`, args })
      await w.db.client.execute({ sql: `INSERT INTO sessions (id, account_id, created_at, last_seen_at, expires_at) VALUES ('old', :a, 0, 0, 1), ('live', :a, 0, 0, :now + 3600000)`, args })
      const worker = await w.mf.getWorker()
      await worker.scheduled({ cron: '*/5 * * * *' })
      await expect.poll(async () => (await w.db.client.execute('SELECT id FROM sessions')).rows.map((r) => r.id)).toEqual(['live'])
    } finally {
      await w.close()
    }
  })
})
