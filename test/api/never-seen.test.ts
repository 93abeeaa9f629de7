import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

const DAY = 86_400_000

/**
 * Never-seen users (issue 14, item 4): a profile made by an import, the dashboard or a
 * server identify, with no activity, has first / last seen 0 ("never"), sorts after active
 * users, and gets its first seen with its first track, page or screen.
 */
describe('users nobody has seen yet', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const api = (path: string, init: RequestInit = {}) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}`, ...(init.headers as Record<string, string>) } })
  const json = async (r: Response | Promise<Response>) => {
    const res = await r
    return { status: res.status, body: await res.json() as any }
  }
  const seen = async (where: string, arg: string) => (await t.db.execute({ sql: `SELECT first_seen, last_seen, sessions FROM users WHERE ${where} = ?`, args: [arg] })).rows[0]
  const send = (batch: unknown[], key = t.boot.writeKey) => t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: key, batch }) })

  beforeAll(async () => {
    t = await testApp()
    await send([{ type: 'page', userId: 'active', anonymousId: 'dev-active', timestamp: new Date(t.clock.get() - 3 * DAY).toISOString() }])
  })
  afterAll(() => t.dispose())

  it('keeps imported, hand-made and server-identified users never seen, and lists them after active users', async () => {
    expect((await json(api('/imports?match=email', { method: 'POST', body: 'email,name\nimp@example.com,Ines Import\n', headers: { 'content-type': 'text/csv' } }))).status).toBe(201)
    expect((await json(api('/users', { method: 'POST', body: JSON.stringify({ userId: 'by-hand', email: 'hand@example.com' }) }))).status).toBe(201)
    await send([{ type: 'identify', userId: 'from-server', traits: { plan: 'pro' } }], t.secretKey)
    for (const [where, v] of [['email', 'imp@example.com'], ['user_id', 'by-hand'], ['user_id', 'from-server']] as const) {
      expect(await seen(where, v), v).toMatchObject({ first_seen: 0, last_seen: 0, sessions: 0 })
    }
    const list = (await json(api('/users'))).body
    expect(list.users.map((u: any) => u.userId ?? u.email)).toEqual(['active', 'from-server', 'by-hand', 'imp@example.com'])
    expect(list.users.slice(1).map((u: any) => u.lastSeen)).toEqual([0, 0, 0])
    // Paging past the active users keeps going through the never-seen ones.
    const second = (await json(api(`/users?limit=2&after=${(await json(api('/users?limit=2'))).body.next}`))).body
    expect(second.users.map((u: any) => u.userId ?? u.email)).toEqual(['by-hand', 'imp@example.com'])
  })

  it('is not "active in the last 7 days"; its first activity sets first and last seen', async () => {
    const recent = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'property', field: 'last_seen', operator: 'less_than_days_ago', value: 7 }] } }
    expect((await json(api('/segments/preview', { method: 'POST', body: JSON.stringify({ conditions: recent }) }))).body.count).toBe(1)
    const at = t.clock.get() - DAY
    await send([{ type: 'track', userId: 'by-hand', event: 'first_login', timestamp: new Date(at).toISOString() }])
    expect(await seen('user_id', 'by-hand')).toMatchObject({ first_seen: at, last_seen: at, sessions: 1 })
    expect((await json(api('/segments/preview', { method: 'POST', body: JSON.stringify({ conditions: recent }) }))).body.count).toBe(2)
  })

  it('takes the first seen of the device it merges with, not the never of the profile', async () => {
    const at = t.clock.get() - 2 * DAY
    await send([{ type: 'page', anonymousId: 'dev-merge', timestamp: new Date(at).toISOString() }])
    await send([{ type: 'identify', userId: 'from-server', anonymousId: 'dev-merge' }])
    expect(await seen('user_id', 'from-server')).toMatchObject({ first_seen: at, last_seen: at, sessions: 1 })
    // An export says nothing rather than 1970 for the never-seen.
    const exported = await json(api(`/users/${Number((await t.db.execute(`SELECT id FROM users WHERE email = 'imp@example.com'`)).rows[0].id)}/export`))
    expect(exported.body.profile ?? exported.body).toMatchObject({ firstSeen: null, lastSeen: null })
  })
})
