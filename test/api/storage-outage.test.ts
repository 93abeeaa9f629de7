import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNode } from '../../worker/src/node.js'

/**
 * The database unavailable (issue 7 item 3), on the real Node server: another connection
 * holds the write lock past the busy timeout. The collector and the admin API answer 503
 * with Retry-After — never a 500, never an acknowledgement of what was not stored — and the
 * same call succeeds, once, when the database is back.
 */
describe('storage outage (Node server)', () => {
  let node: Awaited<ReturnType<typeof startNode>>
  let dir: string
  let secret: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jimer-outage-'))
    node = await startNode({ dbPath: join(dir, 'jimer.db'), port: 0, adminPassword: 'outage test password' })
    secret = String((await node.client.execute('SELECT secret_key FROM projects')).rows[0].secret_key)
  })
  afterAll(async () => {
    await node.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers 503 + Retry-After while the database is locked, and stores the retried message exactly once after', async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${node.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
    const message = { writeKey: node.boot.writeKey, userId: 'u1', event: 'order_placed', messageId: 'outage-1' }
    const count = async () => Number((await node.client.execute(`SELECT count(*) AS n FROM events WHERE message_id = 'outage-1'`)).rows[0].n)

    const locker = createClient({ url: `file:${join(dir, 'jimer.db')}` })
    const tx = await locker.transaction('write')
    await tx.execute(`INSERT INTO tags (project_id, name, color, created_at) VALUES ('x', 'lock', '#000000', 0)`)
    const during = await post('/v1/track', message)
    expect(during.status).toBe(503)
    expect(during.headers.get('retry-after')).toBe('1')
    expect((await during.json()).error.code).toBe('storage_unavailable')
    const admin = await post(`/api/projects/${node.boot.projectId}/tags`, { name: 'vip' }, { authorization: `Bearer ${secret}` })
    expect(admin.status).toBe(503)
    expect(admin.headers.get('retry-after')).toBe('1')
    await tx.rollback()
    locker.close()

    expect(await count()).toBe(0)
    expect((await post('/v1/track', message)).status).toBe(200)
    expect((await post('/v1/track', message)).status).toBe(200)
    expect(await count()).toBe(1)
    expect((await post(`/api/projects/${node.boot.projectId}/tags`, { name: 'vip' }, { authorization: `Bearer ${secret}` })).status).toBe(201)
  }, 60_000)
})
