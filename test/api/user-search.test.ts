import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

/** The Users search through the trigram and column indexes, and the exact totals beside it. */
describe('users search and totals through indexes', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const api = (path: string, init: RequestInit = {}) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}`, ...(init.headers as Record<string, string>) } })
  const search = async (q: string, match = 'contains', extra = '') => {
    const r = await api(`/users?q=${encodeURIComponent(q)}&match=${match}${extra}`)
    expect(r.status).toBe(200)
    const body = await r.json() as { total: number; users: { userId: string }[] }
    return { total: body.total, ids: body.users.map((u) => u.userId).sort() }
  }
  const people: [string, string | null, string | null][] = [
    ['ann', 'ann@example.com', 'Ann Smith'],
    ['joanne', 'jo@example.com', 'JOANNE Doe'],
    ['durand-1', 'Élodie@Example.com', 'Élodie Durand'],
    ['strasse', 'strasse@example.com', 'Straße'],
    ['quote', 'q@example.com', 'Say "hi" 100% *now*'],
    ['dz', null, 'ǅemal'],
    ['USR-42', null, null],
  ]

  beforeAll(async () => {
    t = await testApp()
    const batch = people.map(([userId, email, name], i) => ({ type: 'identify', userId, anonymousId: `dev-${i}`, traits: { ...(email ? { email } : {}), ...(name ? { name } : {}) } }))
    const r = await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch: [...batch, { type: 'page', anonymousId: 'anon-only' }] }) })
    expect(r.status).toBe(200)
  })
  afterAll(() => t.dispose())

  it('contains-search folds case across Unicode (É = é, ǅ = ǆ) and keeps diacritics', async () => {
    expect(await search('ANN')).toEqual({ total: 2, ids: ['ann', 'joanne'] })
    expect(await search('éLOD')).toEqual({ total: 1, ids: ['durand-1'] })
    expect(await search('elod')).toEqual({ total: 0, ids: [] })
    expect(await search('ǆem')).toEqual({ total: 1, ids: ['dz'] })
    expect(await search('aße')).toEqual({ total: 1, ids: ['strasse'] })
    expect(await search('STRASSE')).toEqual({ total: 1, ids: ['strasse'] }) // the email, not "Straße"
  })

  it('starts-with matches the start of a user id, email or name only', async () => {
    expect(await search('ann', 'prefix')).toEqual({ total: 1, ids: ['ann'] })
    expect(await search('doe', 'prefix')).toEqual({ total: 0, ids: [] })
    expect(await search('usr-4', 'prefix')).toEqual({ total: 1, ids: ['USR-42'] })
  })

  it('quotes, % and * are text; one or two characters fall back to starts-with through the column indexes', async () => {
    expect(await search('"hi"')).toEqual({ total: 1, ids: ['quote'] })
    expect(await search('100% *')).toEqual({ total: 1, ids: ['quote'] })
    expect(await search('%')).toEqual({ total: 0, ids: [] })
    expect(await search('jo')).toEqual({ total: 1, ids: ['joanne'] })
    expect(await search('AN')).toEqual({ total: 1, ids: ['ann'] }) // not joanne: starts with, not contains
    expect(await search('ǅ')).toEqual({ total: 1, ids: ['dz'] })
    expect(await search('é')).toEqual({ total: 1, ids: ['durand-1'] })
  })

  it('totals stay exact through creation, disabling and erasure', async () => {
    const total = async (status = 'active') => (await (await api(`/users?status=${status}`)).json() as { total: number }).total
    expect(await total()).toBe(people.length + 1)
    const pk = Number((await t.db.execute(`SELECT id FROM users WHERE user_id = 'ann'`)).rows[0].id)
    await api(`/users/${pk}`, { method: 'PATCH', body: JSON.stringify({ status: 'disabled' }) })
    expect([await total(), await total('disabled'), await total('all')]).toEqual([people.length, 1, people.length + 1])
    expect((await search('ann')).ids).toEqual(['joanne'])
    await api(`/users/${pk}`, { method: 'DELETE' })
    expect([await total(), await total('disabled'), await total('all')]).toEqual([people.length, 0, people.length])
  })
})
