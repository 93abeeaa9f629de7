import { describe, expect, it } from 'vitest'
import { collectorContract, verificationContract } from '../contract/collector-contract.js'
import { adminContract } from '../contract/admin-contract.js'
import { segmentWireContract } from '../contract/segment-wire-contract.js'
import { workerdApp } from './workerd-app.js'

/** The workerd tier: the collector contract and the Worker entry against the bundled Worker in miniflare (workerd-app.ts). */
const startWorkerd = () => workerdApp('workerd tier password')

const workerdTarget = async () => {
  const w = await startWorkerd()
  return { fetch: w.fetch, db: w.db.client, writeKey: w.boot.writeKey, secretKey: w.secret, projectId: w.boot.projectId, close: w.close }
}
collectorContract('workerd', workerdTarget)
verificationContract('workerd', workerdTarget)
segmentWireContract('workerd', workerdTarget)
adminContract('workerd', async () => {
  const w = await startWorkerd()
  return { fetch: w.fetch, origin: 'http://jimer.test', db: w.db.client, writeKey: w.boot.writeKey, projectId: w.boot.projectId, adminEmail: w.boot.adminEmail, adminPassword: 'workerd tier password', close: w.close }
})

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
