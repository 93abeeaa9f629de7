import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { workerdApp } from './workerd-app.js'

/**
 * Membership on the Workers path (one batch() per write, over Hrana): a dashboard tag puts
 * the user in the segments that read it — composed ones too — before the answer; a
 * collector change follows after it (waitUntil); the ledger records both.
 */
describe('membership in the Workers runtime', () => {
  let app: Awaited<ReturnType<typeof workerdApp>>
  const headers = () => ({ authorization: `Bearer ${app.secret}`, 'content-type': 'application/json' })
  const post = async (path: string, body: unknown) => {
    const r = await app.call(path, { method: 'POST', headers: headers(), body: JSON.stringify(body) })
    expect(r.status, path).toBeLessThan(300)
    return r.json() as Promise<any>
  }
  const members = async (segmentId: number) =>
    (await app.db.client.execute({ sql: 'SELECT u.user_id FROM segment_members m JOIN users u ON u.id = m.user_pk WHERE m.segment_id = ? ORDER BY u.user_id', args: [segmentId] })).rows.map((r) => String(r.user_id))

  beforeAll(async () => {
    app = await workerdApp('workerd membership password')
    const batch = ['ann', 'bob', 'cat'].map((u, i) => ({ type: 'identify', userId: u, traits: { plan: i === 2 ? 'pro' : 'free' } }))
    expect((await app.fetch('/v1/batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: app.boot.writeKey, batch }) })).status).toBe(200)
  }, 120_000)
  afterAll(() => app?.close())

  it('a tag, a composed segment and a collector change are all reflected, each entry in the ledger once', async () => {
    const tag = await post('/tags', { name: 'VIP' })
    const vips = await post('/segments', { name: 'VIPs', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'tag', operator: 'has_any', tagIds: [tag.id] }] } } })
    const either = await post('/segments', { name: 'VIPs or pro', conditions: { version: 1, root: { type: 'group', logic: 'or', conditions: [{ type: 'segment', operator: 'in', segmentId: vips.id }, { type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } })
    expect(either.memberCount).toBe(1)
    const ann = Number((await app.db.client.execute(`SELECT id FROM users WHERE user_id = 'ann'`)).rows[0].id)
    await post(`/users/${ann}/tags`, { tagId: tag.id })
    // Before the answer: no polling.
    expect(await members(vips.id)).toEqual(['ann'])
    expect(await members(either.id)).toEqual(['ann', 'cat'])

    const r = await app.fetch('/v1/batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: app.boot.writeKey, batch: [{ type: 'identify', userId: 'bob', traits: { plan: 'pro' } }] }) })
    expect(r.status).toBe(200)
    await expect.poll(() => members(either.id), { timeout: 10_000 }).toEqual(['ann', 'bob', 'cat'])
    const counts = (await app.db.client.execute({ sql: 'SELECT member_count FROM segments WHERE id IN (?, ?) ORDER BY id', args: [vips.id, either.id] })).rows.map((r) => Number(r.member_count))
    expect(counts).toEqual([1, 3])
    const ledger = (await app.db.client.execute({ sql: `SELECT u.user_id, l.cause FROM segment_ledger l JOIN users u ON u.id = l.user_pk WHERE l.segment_id = ? ORDER BY l.id`, args: [either.id] })).rows.map((r) => `${r.user_id}:${r.cause}`)
    expect(ledger).toEqual(['cat:created', 'ann:tag', 'bob:ingest'])
  })
})
