import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

const DAY = 86_400_000

describe('users, profiles and tags over the admin API', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const api = (path: string, init: RequestInit = {}) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}`, ...(init.headers as Record<string, string>) } })
  const json = async (r: Response | Promise<Response>) => {
    const res = await r
    return { status: res.status, body: res.status === 204 ? null : await res.json() as any }
  }
  const list = async (query = '') => (await json(api(`/users${query}`))).body
  const pkOf = async (userId: string) => Number((await t.db.execute({ sql: 'SELECT id FROM users WHERE user_id = ?', args: [userId] })).rows[0].id)

  beforeAll(async () => {
    t = await testApp()
    const now = t.clock.get()
    const batch = [
      ...['ann', 'annabel', 'bob', 'zoé'].map((u, i) => ({ type: 'identify', userId: u, anonymousId: `dev-${u}`, traits: { email: `${u}@example.com`, name: u[0].toUpperCase() + u.slice(1), plan: i % 2 ? 'pro' : 'free' }, timestamp: new Date(now - (i + 1) * DAY).toISOString() })),
      ...['ann', 'annabel', 'bob', 'zoé'].map((u, i) => ({ type: 'track', userId: u, event: 'login', timestamp: new Date(now - (i + 1) * DAY).toISOString() })),
      { type: 'page', anonymousId: 'anon-1', name: 'Pricing', timestamp: new Date(now - 5 * DAY).toISOString() },
      { type: 'track', userId: 'ann', event: 'order_placed', properties: { total: 42, items: [{ sku: 'A' }] }, timestamp: new Date(now - 2 * 3600_000).toISOString() },
    ]
    await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })
  })
  afterAll(() => t.dispose())

  it('lists users by last activity with the total, anonymous ones included', async () => {
    const r = await list()
    expect(r.total).toBe(5)
    expect(r.users.map((u: any) => u.userId)).toEqual(['ann', 'annabel', 'bob', 'zoé', null])
    expect(r.users[4]).toMatchObject({ anonymousId: 'anon-1', email: null, name: null })
  })

  it('pages with a keyset cursor without repeating or skipping anyone', async () => {
    const first = await list('?limit=2')
    const second = await list(`?limit=2&after=${first.next}`)
    const third = await list(`?limit=2&after=${second.next}`)
    expect([...first.users, ...second.users, ...third.users].map((u: any) => u.userId)).toEqual(['ann', 'annabel', 'bob', 'zoé', null])
    expect(third.next).toBeNull()
    expect(second.total).toBe(5)
  })

  it('searches id, email and name, by prefix or contains, ignoring case', async () => {
    expect((await list('?q=ANN&match=prefix')).users.map((u: any) => u.userId)).toEqual(['ann', 'annabel'])
    expect((await list('?q=nab&match=contains')).users.map((u: any) => u.userId)).toEqual(['annabel'])
    expect((await list('?q=nab&match=prefix')).total).toBe(0)
    expect((await list('?q=%25')).total).toBe(0) // % means itself
  })

  it('filters with a condition tree and counts what matches', async () => {
    const filter = encodeURIComponent(JSON.stringify({ version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } }))
    const r = await list(`?filter=${filter}&q=ann`)
    expect(r.users.map((u: any) => u.userId)).toEqual(['annabel'])
    expect(r.total).toBe(1)
    expect(await json(api('/users?filter=%7Bnope'))).toMatchObject({ status: 400, body: { error: { field: 'filter' } } })
  })

  it('creates a user with typed attributes and refuses a wrong type or a duplicate', async () => {
    await t.db.execute({ sql: `INSERT INTO attribute_definitions (project_id, key, type, created_at) VALUES (?, 'seats', 'number', 0)`, args: [t.boot.projectId] })
    const bad = await json(api('/users', { method: 'POST', body: JSON.stringify({ userId: 'new-1', attributes: { seats: 'ten' } }) }))
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_attribute', field: 'attributes.seats' } } })
    const ok = await json(api('/users', { method: 'POST', body: JSON.stringify({ userId: 'new-1', email: 'new@example.com', name: 'New One', attributes: { seats: 10, plan: 'pro' } }) }))
    expect(ok.status).toBe(201)
    const profile = (await json(api(`/users/${ok.body.id}`))).body
    expect(profile).toMatchObject({ userId: 'new-1', email: 'new@example.com', name: 'New One', status: 'active' })
    expect(profile.attributes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'seats', value: 10, source: 'Dashboard' })]))
    expect((await json(api('/users', { method: 'POST', body: JSON.stringify({ userId: 'new-1' }) }))).status).toBe(409)
  })

  it('edits properties, disables (hidden from the list) and activates again', async () => {
    const pk = await pkOf('bob')
    expect((await json(api(`/users/${pk}`, { method: 'PATCH', body: JSON.stringify({ name: 'Robert', attributes: { plan: 'enterprise', beta: null } }) }))).status).toBe(204)
    const p = (await json(api(`/users/${pk}`))).body
    expect(p.name).toBe('Robert')
    expect(p.attributes.find((a: any) => a.name === 'plan')).toMatchObject({ value: 'enterprise', source: 'Dashboard' })
    await json(api(`/users/${pk}`, { method: 'PATCH', body: JSON.stringify({ status: 'disabled' }) }))
    expect((await list()).users.map((u: any) => u.userId)).not.toContain('bob')
    expect((await list('?status=disabled')).users.map((u: any) => u.userId)).toEqual(['bob'])
    await json(api(`/users/${pk}`, { method: 'PATCH', body: JSON.stringify({ status: 'active' }) }))
    expect((await list()).users.map((u: any) => u.userId)).toContain('bob')
  })

  it('shows a profile with devices, stats, and the events newest first with a daily chart', async () => {
    const pk = await pkOf('ann')
    const p = (await json(api(`/users/${pk}`))).body
    expect(p.devices).toHaveLength(1)
    expect(p.devices[0].jimerId).toBe('dev-ann')
    expect(p.stats).toEqual({ events: 2, eventTypes: 2 })
    const events = (await json(api(`/users/${pk}/events`))).body.events
    expect(events.map((e: any) => e.name)).toEqual(['order_placed', 'login', '$identify'])
    expect(events[0].properties).toEqual({ total: 42, items: [{ sku: 'A' }] })
    expect((await json(api(`/users/${pk}/events?type=login`))).body.events).toHaveLength(1)
    const lastHour = (await json(api(`/users/${pk}/events?from=${t.clock.get() - 3 * 3600_000}`))).body.events
    expect(lastHour.map((e: any) => e.name)).toEqual(['order_placed'])
    const daily = (await json(api(`/users/${pk}/events/daily?days=7`))).body.days
    expect(daily).toHaveLength(7)
    expect(daily.reduce((s: number, d: any) => s + d.count, 0)).toBe(2)
    expect((await json(api(`/users/${pk}/events/daily?days=8`))).status).toBe(400)
  })

  it('tags users: create by name, reuse, rename, remove, delete; tags show in the list', async () => {
    const ann = await pkOf('ann'), bob = await pkOf('bob')
    const vip = await json(api(`/users/${ann}/tags`, { method: 'POST', body: JSON.stringify({ name: 'VIP' }) }))
    expect(vip).toMatchObject({ status: 201, body: { name: 'VIP', color: expect.stringMatching(/^#/) } })
    expect((await json(api(`/users/${bob}/tags`, { method: 'POST', body: JSON.stringify({ name: 'VIP' }) }))).body.id).toBe(vip.body.id)
    expect((await json(api('/tags'))).body.tags).toEqual([{ id: vip.body.id, name: 'VIP', color: vip.body.color, users: 2 }])
    await json(api(`/tags/${vip.body.id}`, { method: 'PATCH', body: JSON.stringify({ name: 'Very important' }) }))
    expect((await list('?q=ann&match=prefix')).users[0].tags).toEqual([{ id: vip.body.id, name: 'Very important', color: vip.body.color }])
    await json(api(`/users/${bob}/tags/${vip.body.id}`, { method: 'DELETE' }))
    expect((await json(api('/tags'))).body.tags[0].users).toBe(1)
    await json(api(`/tags/${vip.body.id}`, { method: 'DELETE' }))
    expect((await json(api(`/users/${ann}`))).body.tags).toEqual([])
  })

  it('exports everything about a user as JSON, and deleting leaves nothing behind', async () => {
    const pk = await pkOf('annabel')
    await json(api(`/users/${pk}/tags`, { method: 'POST', body: JSON.stringify({ name: 'Export me' }) }))
    const r = await api(`/users/${pk}/export`)
    expect(r.headers.get('content-disposition')).toContain(`user-${pk}.json`)
    const data = await r.json() as any
    expect(data.profile).toMatchObject({ userId: 'annabel', email: 'annabel@example.com' })
    expect(data.devices.map((d: any) => d.jimerId)).toEqual(['dev-annabel'])
    expect(data.events.map((e: any) => e.name)).toEqual(['$identify', 'login'])
    expect(data.tags.map((t: any) => t.name)).toEqual(['Export me'])
    expect((await json(api(`/users/${pk}`, { method: 'DELETE' }))).status).toBe(204)
    for (const table of ['users', 'devices', 'events', 'user_tags', 'segment_members', 'interactions', 'responses', 'aliases']) {
      const col = table === 'users' ? 'id' : 'user_pk'
      expect((await t.db.execute({ sql: `SELECT count(*) AS n FROM ${table} WHERE ${col} = ?`, args: [pk] })).rows[0].n).toBe(0)
    }
    expect((await json(api(`/users/${pk}/export`))).status).toBe(404)
  })

  it('keeps hostile names as data', async () => {
    const xss = '<img src=x onerror=alert(1)>'
    const r = await json(api('/users', { method: 'POST', body: JSON.stringify({ userId: "x'); DROP TABLE users; --", name: xss }) }))
    expect(r.status).toBe(201)
    expect((await json(api(`/users/${r.body.id}`))).body.name).toBe(xss)
    expect((await list()).total).toBeGreaterThan(5)
  })
})
