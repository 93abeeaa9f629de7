import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attributeKeys, columnMatches, prefersColumns, userColumns } from '../../worker/src/segments/columns.js'
import { treeSchema } from '../../worker/src/segments/condition.js'
import { testApp } from '../helpers/test-app.js'

/**
 * The users' facts kept as columns in memory follow every change through the user_changes
 * journal: a read right after a write sees it, a deleted user leaves, and a journal
 * trimmed past the reader's point makes it reload whole.
 */
describe('user columns in memory are never stale', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const tree = treeSchema.parse({ version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } })
  const send = async (batch: object[]) => {
    const r = await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })
    expect(r.status).toBe(200)
  }
  const api = (path: string, init: RequestInit = {}) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` } })
  beforeAll(async () => { t = await testApp() })
  afterAll(() => t.dispose())

  it('sees each write at the next read, by journal, and reloads whole past a trimmed journal', async () => {
    const columns = userColumns(t.db)
    const ctx = { now: t.clock.get(), projectId: t.boot.projectId, segments: new Map() }
    const matches = async () => (await columnMatches(t.db, columns, tree, ctx, { statuses: ['active'], limit: 10 })).total
    await send([1, 2, 3].map((i) => ({ type: 'identify', userId: `c${i}`, traits: { plan: i === 3 ? 'free' : 'pro' } })))
    expect(await matches()).toBe(2)
    const seq = (await columns.read(t.boot.projectId, attributeKeys(tree, ctx.segments))).seq
    await send([{ type: 'identify', userId: 'c3', traits: { plan: 'PRO' } }, { type: 'identify', userId: 'c4', traits: { plan: 'pro' } }])
    expect(await matches()).toBe(4)
    expect((await columns.read(t.boot.projectId, [])).seq).toBeGreaterThan(seq)
    const pk = Number((await t.db.execute(`SELECT id FROM users WHERE user_id = 'c1'`)).rows[0].id)
    await api(`/users/${pk}`, { method: 'PATCH', body: JSON.stringify({ status: 'disabled' }) })
    expect(await matches()).toBe(3)
    expect((await api(`/users/${pk}`, { method: 'DELETE' })).status).toBeLessThan(300)
    expect(await matches()).toBe(3)
    // Erasure leaves no journal entry; its suppression makes the columns reload without her.
    expect((await t.db.execute({ sql: 'SELECT count(*) AS n FROM user_changes WHERE user_pk = ?', args: [pk] })).rows[0].n).toBe(0)
    expect((await columns.read(t.boot.projectId, [])).at.has(pk)).toBe(false)
    // Trim the journal past this reader, then change a user: it must reload whole and see it.
    await send([{ type: 'identify', userId: 'c2', traits: { plan: 'free' } }])
    await t.db.execute('DELETE FROM user_changes WHERE seq < (SELECT max(seq) FROM user_changes)')
    await send([{ type: 'identify', userId: 'c5', traits: { plan: 'pro' } }])
    expect(await matches()).toBe(3)
  })

  it('the Users list and the segment preview answer the same through the columns as through SQL', async () => {
    const filter = encodeURIComponent(JSON.stringify(tree))
    const sqlOnly = await testApp({ writer: 'direct' })
    const inMemory = await testApp()
    try {
      const batch = Array.from({ length: 30 }, (_, i) => ({ type: 'identify', userId: `u${i}`, traits: { plan: i % 3 ? 'pro' : 'free', name: i % 2 ? 'Ann' : 'Bob' }, timestamp: new Date(t.clock.get() - i * 60_000).toISOString() }))
      for (const app of [inMemory, sqlOnly]) await app.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: app.boot.writeKey, batch }) })
      // Loaded before the first request: until then the server answers through SQL.
      expect(inMemory.columns!.ready(inMemory.boot.projectId, ['plan'])).toBe(false)
      await inMemory.columns!.read(inMemory.boot.projectId, ['plan'])
      expect(inMemory.columns!.ready(inMemory.boot.projectId, ['plan'])).toBe(true)
      const ask = async (app: typeof t, path: string, init: RequestInit = {}) => {
        const r = await app.app.request(`/api/projects/${app.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${app.secretKey}` } })
        const body = await r.json() as any
        return { total: body.total ?? body.count, ids: (body.users ?? body.sample).map((u: any) => u.userId) }
      }
      // Another project's users match the same searches: the trigram index holds every
      // project's, and its bare ids must meet only this project's users.
      await inMemory.db.execute(`INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES ('prj_other', 'Other', 'wk_other_write_key_000000', 'sk_other_secret_key_0000000000000000', 0)`)
      await inMemory.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: 'wk_other_write_key_000000', batch: batch.map((m) => ({ ...m, userId: `x-${m.userId}` })) }) })
      expect(Number((await inMemory.db.execute(`SELECT count(*) AS n FROM users WHERE project_id = 'prj_other'`)).rows[0].n)).toBe(30)
      const u1 = Number((await inMemory.db.execute(`SELECT id FROM users WHERE user_id = 'u1' AND project_id = '${inMemory.boot.projectId}'`)).rows[0].id)
      const v1 = Number((await sqlOnly.db.execute(`SELECT id FROM users WHERE user_id = 'u1'`)).rows[0].id)
      for (const [app, pk] of [[inMemory, u1], [sqlOnly, v1]] as const) {
        const r = await app.app.request(`/api/projects/${app.boot.projectId}/users/${pk}`, { method: 'PATCH', body: JSON.stringify({ status: 'disabled' }), headers: { 'content-type': 'application/json', authorization: `Bearer ${app.secretKey}` } })
        expect(r.status).toBeLessThan(300)
      }
      await inMemory.columns!.read(inMemory.boot.projectId, ['plan'])
      for (const path of [
        `/users?filter=${filter}&limit=7`, `/users?filter=${filter}&q=ann&limit=5`,
        // Search alone: contains, starts with, under 3 characters, every status, a second page.
        '/users?q=ann&limit=5', '/users?q=ANN&match=prefix&limit=4', '/users?q=an&limit=6', '/users?q=u1&status=all&limit=20', '/users?q=bob&status=disabled&limit=5',
      ]) {
        const [a, b] = [await ask(inMemory, path), await ask(sqlOnly, path)]
        expect(a, path).toEqual(b)
        if (!path.includes('disabled')) expect(a.ids.length, path).toBeGreaterThan(2)
        expect(a.ids.some((id: string) => id.startsWith('x-')), path).toBe(false)
      }
      const body = JSON.stringify({ conditions: tree })
      const [a, b] = [await ask(inMemory, '/segments/preview', { method: 'POST', body }), await ask(sqlOnly, '/segments/preview', { method: 'POST', body })]
      expect(a).toEqual(b)
      expect(a.total).toBe(19) // 20 on the pro plan, u1 disabled
    } finally { sqlOnly.dispose(); inMemory.dispose() }
  })

  it('serves attribute, native and OR trees from the columns, and trees of sets alone (tags, events) from SQL', () => {
    const t = (root: object) => treeSchema.parse({ version: 1, root })
    const lastSeen = { type: 'property', field: 'last_seen', operator: 'more_than_days_ago', value: 30 }
    const tag = { type: 'tag', operator: 'has_any', tagIds: [1] }
    const event = { type: 'event', event: 'login', measure: 'did' }
    expect(prefersColumns(tree, new Map())).toBe(true)
    expect(prefersColumns(t({ type: 'group', logic: 'and', conditions: [lastSeen] }), new Map())).toBe(true)
    expect(prefersColumns(t({ type: 'group', logic: 'and', conditions: [tag, event] }), new Map())).toBe(false)
    expect(prefersColumns(t({ type: 'group', logic: 'and', conditions: [{ type: 'property', field: 'jimer_id', operator: 'is', value: 'x' }] }), new Map())).toBe(false)
    expect(prefersColumns(t({ type: 'group', logic: 'or', conditions: [lastSeen, { ...lastSeen, field: 'first_seen' }] }), new Map())).toBe(true)
    const composed = new Map([[7, { id: 7, kind: 'dynamic' as const, name: 'Pro', tree }]])
    expect(prefersColumns(t({ type: 'group', logic: 'and', conditions: [{ type: 'segment', operator: 'in', segmentId: 7 }] }), composed)).toBe(true)
  })
})
