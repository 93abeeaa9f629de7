import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countDrift, storageDrift, storedOf } from '../helpers/attribute-storage.js'
import { testApp } from '../helpers/test-app.js'
import { directWriter } from '../../worker/src/ingest/writer.js'
import { runScheduled } from '../../worker/src/scheduled.js'

/**
 * The typed attribute storage (user_attributes, user_attribute_items) and the user totals
 * follow every path that writes a user, in the same transaction: after each step the
 * storage read back equals the JSON document, key by key, with types and storage classes.
 */
for (const writer of ['group', 'direct'] as const) {
  describe(`typed attribute storage follows every write of a user (${writer} writer)`, () => {
    let t: Awaited<ReturnType<typeof testApp>>
    const api = (path: string, init: RequestInit = {}) =>
      t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}`, ...(init.headers as Record<string, string>) } })
    const send = async (batch: object[]) => {
      const r = await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })
      expect(r.status).toBe(200)
      expect((await r.json() as { rejected: unknown[] }).rejected).toEqual([])
    }
    const pkOf = async (userId: string) => Number((await t.db.execute({ sql: 'SELECT id FROM users WHERE user_id = ?', args: [userId] })).rows[0]?.id)
    const agrees = async () => {
      expect(await storageDrift(t.db)).toEqual([])
      expect(await countDrift(t.db)).toEqual([])
    }

    beforeAll(async () => { t = await testApp({ writer }) })
    afterAll(() => t.dispose())

    it('collector identify, set, setOnce and unset keep each key typed as the document holds it', async () => {
      await send([{ type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { plan: 'pro', seats: 12, mrr: 99.5, beta: true, trial: false, gone: null, features: ['sso', 'API', 'sso', 3], company: { id: 'c1' }, '5': '5', 'we"ird\\key': 'x', 'ünï': 'Çà' } }])
      const pk = await pkOf('u1')
      expect(await storedOf(t.db, pk)).toEqual(expect.arrayContaining([
        ['plan', 'text', 'pro', 'text'], ['seats', 'integer', 12, 'integer'], ['mrr', 'real', 99.5, 'real'],
        ['beta', 'true', 1, 'integer'], ['trial', 'false', 0, 'integer'], ['5', 'text', '5', 'text'],
        ['features', 'array', '["sso","API","sso",3]', 'text'], ['company', 'object', '{"id":"c1"}', 'text'],
      ]))
      await agrees()
      // set changes one key, setOnce only fills what is absent, unset removes.
      await send([{ type: 'identify', userId: 'u1', traits: { seats: 13, features: ['reports'] }, setOnce: { plan: 'free', first_touch: 'ads' }, unset: ['beta', 'we"ird\\key'] }])
      const stored = Object.fromEntries((await storedOf(t.db, pk)).map(([k, type, v]) => [k, [type, v]]))
      expect(stored).toMatchObject({ seats: ['integer', 13], plan: ['text', 'pro'], first_touch: ['text', 'ads'], features: ['array', '["reports"]'] })
      expect(stored.beta).toBeUndefined()
      expect(stored['we"ird\\key']).toBeUndefined()
      await agrees()
    })

    it('users created and edited in the dashboard, and disabled, are stored and counted', async () => {
      const created = await api('/users', { method: 'POST', body: JSON.stringify({ userId: 'dash-1', email: 'd@example.com', attributes: { plan: 'enterprise', seats: 40, tags: ['a', 'B'] } }) })
      expect(created.status).toBe(201)
      const { id } = await created.json() as { id: number }
      await agrees()
      const patched = await api(`/users/${id}`, { method: 'PATCH', body: JSON.stringify({ attributes: { seats: '40 seats', plan: null, tags: [] }, status: 'disabled' }) })
      expect(patched.status).toBe(204)
      expect(await storedOf(t.db, id)).toEqual([['seats', 'text', '40 seats', 'text'], ['tags', 'array', '[]', 'text']])
      await agrees()
      expect((await t.db.execute({ sql: `SELECT n FROM user_counts WHERE project_id = ? AND status = 'disabled'`, args: [t.boot.projectId] })).rows[0].n).toBe(1)
      await api(`/users/${id}`, { method: 'PATCH', body: JSON.stringify({ status: 'active' }) })
      await agrees()
    })

    it('a CSV import creating and updating users stores its typed cells', async () => {
      const csv = 'email,plan,seats,beta\nimp1@example.com,pro,7,true\nimp2@example.com,free,,false\nd@example.com,starter,41,\n'
      const r = await api('/imports?name=storage&match=email', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } })
      expect(r.status).toBe(201)
      expect(await r.json()).toMatchObject({ status: 'done', created: 2, updated: 1 })
      const pk = Number((await t.db.execute(`SELECT id FROM users WHERE email = 'imp1@example.com'`)).rows[0].id)
      expect(await storedOf(t.db, pk)).toEqual([['beta', 'true', 1, 'integer'], ['plan', 'text', 'pro', 'text'], ['seats', 'integer', 7, 'integer']])
      await agrees()
    })

    it('a merge (identify joining an anonymous profile to a known user) leaves one typed profile', async () => {
      await send([{ type: 'track', anonymousId: 'anon-merge', event: 'visit', context: { traits: {} } }])
      await send([{ type: 'identify', anonymousId: 'anon-merge', traits: { color: 'blue', score: 1 } }])
      await send([{ type: 'identify', userId: 'm1', anonymousId: 'other-device', traits: { score: 2, plan: 'pro' } }])
      const before = Number((await t.db.execute('SELECT count(*) AS n FROM users')).rows[0].n)
      await send([{ type: 'identify', userId: 'm1', anonymousId: 'anon-merge', traits: { merged: true } }])
      expect(Number((await t.db.execute('SELECT count(*) AS n FROM users')).rows[0].n)).toBe(before - 1)
      const keys = (await storedOf(t.db, await pkOf('m1'))).map(([k]) => k)
      expect(keys).toEqual(expect.arrayContaining(['color', 'merged', 'plan', 'score']))
      await agrees()
    })

    it('the schedule finds drifted totals, repairs them and says so, and then finds none', async () => {
      await t.db.execute({ sql: `UPDATE user_counts SET n = n + 5 WHERE project_id = ? AND status = 'active'`, args: [t.boot.projectId] })
      await t.db.execute({ sql: `DELETE FROM user_counts WHERE status = 'disabled'`, args: [] })
      await t.db.execute({ sql: `UPDATE users SET status = 'disabled' WHERE id = (SELECT max(id) FROM users)`, args: [] })
      await t.db.execute({ sql: `DELETE FROM user_counts WHERE status = 'disabled'`, args: [] })
      expect(await countDrift(t.db)).toHaveLength(2)
      const first = await runScheduled(t.db, directWriter(t.db), t.clock.get())
      expect(first.countsRepaired).toHaveLength(2)
      expect(first.countsRepaired.join('\n')).toMatch(/\/disabled: kept 0, counted 1/)
      expect(first.countsRepaired.join('\n')).toMatch(/\/active: kept \d+, counted \d+/)
      expect(await countDrift(t.db)).toEqual([])
      expect((await runScheduled(t.db, directWriter(t.db), t.clock.get())).countsRepaired).toEqual([])
      await t.db.execute(`UPDATE users SET status = 'active' WHERE id = (SELECT max(id) FROM users)`)
      await agrees()
    })

    it('erasing a user removes their typed rows, list items, search entry and count', async () => {
      const pk = await pkOf('u1')
      expect((await api(`/users/${pk}`, { method: 'DELETE' })).status).toBeLessThan(300)
      expect(await storedOf(t.db, pk)).toEqual([])
      expect((await t.db.execute({ sql: 'SELECT count(*) AS n FROM user_attribute_items WHERE user_pk = ?', args: [pk] })).rows[0].n).toBe(0)
      expect((await t.db.execute({ sql: `SELECT count(*) AS n FROM users_search WHERE users_search MATCH '"u1"' AND rowid = ?`, args: [pk] })).rows[0].n).toBe(0)
      await agrees()
    })
  })
}
