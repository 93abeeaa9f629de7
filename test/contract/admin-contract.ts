import type { Client } from '@libsql/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** What a runtime tier hands the admin contract: HTTP into the app at `origin`, the database, the first admin. */
export interface AdminTarget {
  fetch(path: string, init?: RequestInit): Promise<Response>
  origin: string
  db: Client
  writeKey: string
  projectId: string
  adminEmail: string
  adminPassword: string
  close(): Promise<void>
}

/**
 * The admin API's contract (issue 14, item 8): what the dashboard does first — sign in,
 * users, tags, segments, settings with the snippet, targeting — the same on every runtime
 * tier, with the session cookie as the dashboard holds it.
 */
export function adminContract(tier: string, setup: () => Promise<AdminTarget>) {
  describe(`admin API contract (${tier})`, () => {
    let t: AdminTarget
    let cookie = ''
    beforeAll(async () => { t = await setup() })
    afterAll(async () => { await t?.close() })

    const call = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
      const headers: Record<string, string> = { origin: t.origin, ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) }
      if (init.json !== undefined) headers['content-type'] = 'application/json'
      const r = await t.fetch(path, { ...init, headers, body: init.json === undefined ? init.body : JSON.stringify(init.json) })
      const text = await r.text()
      return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null }
    }
    const api = (path: string, init: RequestInit & { json?: unknown } = {}) => call(`/api/projects/${t.projectId}${path}`, init)
    const login = (password: string) => call('/api/auth/login', { method: 'POST', json: { email: t.adminEmail, password } })

    it('signs the admin in with a session cookie, refuses a wrong password, and /me names the account', async () => {
      expect(await login('not the password')).toMatchObject({ status: 401 })
      const ok = await login(t.adminPassword)
      expect(ok.status).toBe(200)
      const set = ok.headers.get('set-cookie') ?? ''
      expect(set).toMatch(/HttpOnly/i)
      cookie = /jimer_session=[^;]+/.exec(set)![0]
      expect(await call('/api/auth/me')).toMatchObject({ status: 200, body: { account: { email: t.adminEmail }, projects: [{ id: t.projectId }] } })
    })

    it('shows Settings with the snippet to paste, holding this project\'s write key', async () => {
      const s = await api('/settings')
      expect(s.status).toBe(200)
      expect(s.body.writeKey).toBe(t.writeKey)
      expect(s.body.snippet).toContain(JSON.stringify(t.writeKey))
      expect(s.body.snippet).toContain(`${t.origin}/s.js`)
    })

    it('lists users the collector stored, creates one, tags one', async () => {
      const now = Date.now()
      const batch = [
        { type: 'identify', userId: 'ct-ann', anonymousId: 'ct-dev-ann', traits: { email: 'ann@example.com', plan: 'pro' }, timestamp: new Date(now - 60_000).toISOString() },
        { type: 'track', userId: 'ct-ann', event: 'login', timestamp: new Date(now - 60_000).toISOString() },
        { type: 'identify', userId: 'ct-bob', traits: { plan: 'free' }, timestamp: new Date(now - 120_000).toISOString() },
      ]
      expect((await call('/v1/batch', { method: 'POST', json: { writeKey: t.writeKey, batch } })).status).toBe(200)
      const created = await api('/users', { method: 'POST', json: { userId: 'ct-cat', email: 'cat@example.com', attributes: { plan: 'pro' } } })
      expect(created.status).toBe(201)
      const list = await api('/users?q=ct-&match=prefix')
      expect(list.status).toBe(200)
      expect(list.body.users.map((u: { userId: string }) => u.userId).sort()).toEqual(['ct-ann', 'ct-bob', 'ct-cat'])
      const ann = list.body.users.find((u: { userId: string }) => u.userId === 'ct-ann')
      const profile = await api(`/users/${ann.id}`)
      expect(profile).toMatchObject({ status: 200, body: { userId: 'ct-ann', email: 'ann@example.com' } })
      expect(await api(`/users/${ann.id}/tags`, { method: 'POST', json: { name: 'Contract' } })).toMatchObject({ status: 201, body: { name: 'Contract' } })
      expect((await api('/tags')).body.tags).toEqual([expect.objectContaining({ name: 'Contract', users: 1 })])
    })

    it('saves a targetable segment with its members, and targeting answers with its key', async () => {
      const conditions = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } }
      expect(await api('/segments/preview', { method: 'POST', json: { conditions } })).toMatchObject({ status: 200, body: { count: 2 } })
      const seg = await api('/segments', { method: 'POST', json: { name: 'Pro', key: 'ct-pro', targetable: true, conditions } })
      expect(seg).toMatchObject({ status: 201, body: { memberCount: 2, key: 'ct-pro' } })
      const members = await api(`/segments/${seg.body.id}/members`)
      expect(members.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual(['ct-ann', 'ct-cat'])
      const target = await call(`/v1/segments?writeKey=${t.writeKey}&anonymousId=ct-dev-ann`)
      expect(target).toMatchObject({ status: 200, body: { segments: ['ct-pro'] } })
    })

    it('refuses the API without the session, and after logout', async () => {
      const kept = cookie
      cookie = ''
      expect((await api('/users')).status).toBe(401)
      cookie = kept
      expect((await call('/api/auth/logout', { method: 'POST', json: {} })).status).toBeLessThan(300)
      expect((await api('/users')).status).toBe(401)
    })
  })
}
