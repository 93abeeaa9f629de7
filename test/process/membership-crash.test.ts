import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { killed, startServerProcess } from '../helpers/node-process.js'

describe('membership work left by a SIGKILL between a change and its refresh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-membership-crash-'))
  const dbPath = join(dir, 'jimer.db')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('is finished by the restarted server: membership right, each entry in the ledger once', async () => {
    // The test hook holds every refresh: the changes commit, their work stays in the journal.
    const first = await startServerProcess(dbPath, { JIMER_TEST_HOLD_MEMBERSHIP: '1' })
    const db = createClient({ url: `file:${dbPath}` })
    const { id: projectId, secret_key: secret } = (await db.execute('SELECT id, secret_key FROM projects')).rows[0] as unknown as { id: string; secret_key: string }
    const api = async (url: string, path: string, method: string, body?: unknown) => {
      const r = await fetch(`${url}/api/projects/${projectId}${path}`, { method, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
      expect(r.status, `${method} ${path}`).toBeLessThan(300)
      return r.status === 204 ? null : r.json() as Promise<any>
    }
    const tag = await api(first.url, '/tags', 'POST', { name: 'VIP' })
    const vips = await api(first.url, '/segments', 'POST', { name: 'VIPs', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'tag', operator: 'has_any', tagIds: [tag.id] }] } } })
    const pro = await api(first.url, '/segments', 'POST', { name: 'Pro', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } })
    const batch = Array.from({ length: 30 }, (_, i) => ({ type: 'identify', userId: `u${i}`, traits: { plan: i % 3 === 0 ? 'pro' : 'free' } }))
    expect((await fetch(`${first.url}/v1/batch`, { method: 'POST', body: JSON.stringify({ writeKey: first.writeKey, batch }) })).status).toBe(200)
    const pks = (await db.execute(`SELECT id FROM users WHERE user_id IN ('u1', 'u2', 'u4') ORDER BY id`)).rows.map((r) => Number(r.id))
    for (const pk of pks) await api(first.url, `/users/${pk}/tags`, 'POST', { tagId: tag.id })

    const count = async (sql: string) => Number((await db.execute(sql)).rows[0].n)
    // Everything acknowledged, nothing refreshed yet: the work is pending in the journal and the stale marks.
    expect(await count('SELECT count(*) AS n FROM segment_members')).toBe(0)
    expect(await count('SELECT count(*) AS n FROM segment_stale')).toBe(2)
    await killed(first.child)

    const second = await startServerProcess(dbPath)
    try {
      const members = async (id: number) => (await db.execute({ sql: 'SELECT u.user_id FROM segment_members m JOIN users u ON u.id = m.user_pk WHERE m.segment_id = ? ORDER BY u.user_id', args: [id] })).rows.map((r) => String(r.user_id))
      await expect.poll(() => members(vips.id), { timeout: 20_000 }).toEqual(['u1', 'u2', 'u4'])
      await expect.poll(() => members(pro.id), { timeout: 20_000 }).toEqual(['u0', 'u12', 'u15', 'u18', 'u21', 'u24', 'u27', 'u3', 'u6', 'u9'])
      const counts = (await db.execute('SELECT id, member_count FROM segments ORDER BY id')).rows.map((r) => Number(r.member_count))
      expect(counts).toEqual([3, 10])
      // Each entry once in the ledger, none left over.
      expect(await count('SELECT count(*) AS n FROM segment_ledger')).toBe(13)
      expect(await count('SELECT count(*) AS n FROM (SELECT segment_id, user_pk FROM segment_ledger GROUP BY 1, 2 HAVING count(*) > 1)')).toBe(0)
      expect(await count('SELECT count(*) AS n FROM segment_stale')).toBe(0)
      const pill = await api(second.url, `/users/${pks[0]}/segments`, 'GET')
      expect(pill.segments.map((s: any) => s.name)).toEqual(['VIPs'])
    } finally {
      await killed(second.child)
      db.close()
    }
  }, 60_000)
})
