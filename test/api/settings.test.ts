import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../worker/src/auth/crypto.js'
import { testApp } from '../helpers/test-app.js'

describe('project settings, key rotation, catalog and attribute definitions', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const api = (path: string, init: RequestInit = {}, key = t.secretKey) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) } })
  const json = async (r: Response | Promise<Response>) => {
    const res = await r
    return { status: res.status, body: res.status === 204 ? null : await res.json() as any }
  }
  const track = (writeKey: string) => t.app.request('/v1/track', { method: 'POST', body: JSON.stringify({ writeKey, anonymousId: 'a1', event: 'e' }) })

  beforeAll(async () => {
    t = await testApp()
    await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch: [
      { type: 'identify', userId: 'u1', traits: { plan: 'pro', seats: 3, beta: true, roles: ['a'] } },
      { type: 'track', userId: 'u1', event: 'order_placed' },
      { type: 'track', userId: 'u1', event: '$experience', properties: { id: 'tour-1', action: 'seen' } },
    ] }) })
  })
  afterAll(() => t.dispose())

  it('shows the keys, origins, verification mode; the secret key to admins only', async () => {
    const s = await json(api('/settings'))
    expect(s.body).toMatchObject({ writeKey: t.boot.writeKey, secretKey: t.secretKey, allowedOrigins: ['*'], verification: 'optional' })
    await t.db.execute({ sql: 'INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, 0)', args: ['acc_v', 'v@x.io', await hashPassword('pw')] })
    await t.db.execute({ sql: `INSERT INTO project_members (project_id, account_id, role) VALUES (?, 'acc_v', 'viewer')`, args: [t.boot.projectId] })
    const login = await t.app.request('http://localhost/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'v@x.io', password: 'pw' }) })
    const cookie = /jimer_session=[^;]+/.exec(login.headers.get('set-cookie')!)![0]
    const viewer = await json(t.app.request(`http://localhost/api/projects/${t.boot.projectId}/settings`, { headers: { cookie } }))
    expect(viewer.body).toMatchObject({ writeKey: t.boot.writeKey, secretKey: null })
  })

  it('updates origins and verification, refusing origins with a path', async () => {
    expect((await json(api('/settings', { method: 'PATCH', body: JSON.stringify({ allowedOrigins: ['https://shop.example/cart'] }) }))).status).toBe(400)
    expect((await json(api('/settings', { method: 'PATCH', body: JSON.stringify({ allowedOrigins: ['https://shop.example'], verification: 'required' }) }))).status).toBe(204)
    expect((await json(api('/settings'))).body).toMatchObject({ allowedOrigins: ['https://shop.example'], verification: 'required' })
    await json(api('/settings', { method: 'PATCH', body: JSON.stringify({ allowedOrigins: ['*'], verification: 'optional' }) }))
  })

  it('stores no IP addresses until an admin turns it on', async () => {
    expect((await json(api('/settings'))).body).toMatchObject({ collectIp: false })
    expect(await json(api('/settings', { method: 'PATCH', body: JSON.stringify({ collectIp: 'yes' }) }))).toMatchObject({ status: 400, body: { error: { field: 'collectIp' } } })
    expect((await json(api('/settings', { method: 'PATCH', body: JSON.stringify({ collectIp: true }) }))).status).toBe(204)
    expect((await json(api('/settings'))).body).toMatchObject({ collectIp: true, verification: 'optional' })
    await json(api('/settings', { method: 'PATCH', body: JSON.stringify({ collectIp: false }) }))
    expect((await json(api('/settings'))).body).toMatchObject({ collectIp: false })
  })

  it('rotates the write key at once, and the secret key with a 24-hour overlap', async () => {
    const oldWrite = t.boot.writeKey
    const w = await json(api('/settings/rotate', { method: 'POST', body: JSON.stringify({ key: 'write' }) }))
    expect((await track(oldWrite)).status).toBe(401)
    expect((await track(w.body.writeKey)).status).toBe(200)

    const oldSecret = t.secretKey
    const s = await json(api('/settings/rotate', { method: 'POST', body: JSON.stringify({ key: 'secret' }) }))
    expect((await json(api('/settings', {}, s.body.secretKey))).status).toBe(200)
    expect((await json(api('/settings', {}, oldSecret))).status).toBe(200)
    // The collector takes the previous secret until the overlap ends, to the second, though its lookup is remembered (node.ts).
    const start = t.clock.get()
    try {
      t.clock.set(s.body.previousValidUntil - 1000)
      expect((await track(oldSecret)).status).toBe(200)
      t.clock.advance(2000)
      expect((await track(oldSecret)).status).toBe(401)
      t.clock.set(start + 25 * 3600_000)
      expect((await json(api('/settings', {}, oldSecret))).status).toBe(403)
      expect((await json(api('/settings', {}, s.body.secretKey))).status).toBe(200)
    } finally {
      t.clock.set(start)
    }
    t.secretKey = s.body.secretKey
  })

  it('offers the builder the attributes, events and experiences it has seen, with declared types first', async () => {
    await json(api('/attributes', { method: 'POST', body: JSON.stringify({ key: 'renewal', type: 'date' }) }))
    const c = (await json(api('/catalog'))).body
    expect(c.attributes).toEqual(expect.arrayContaining([
      { key: 'renewal', type: 'date', declared: true, held: null },
      { key: 'plan', type: 'string', declared: false, held: 'string' },
      { key: 'seats', type: 'number', declared: false, held: 'number' },
      { key: 'beta', type: 'boolean', declared: false, held: 'boolean' },
      { key: 'roles', type: 'list', declared: false, held: 'list' },
    ]))
    // $experience / $response are experience and response conditions, not raw events (issue 14).
    expect(c.events).toContain('order_placed')
    expect(c.events).not.toContain('$experience')
    expect(c.experiences).toEqual(['tour-1'])
  })

  it('declares, retypes and removes attribute definitions', async () => {
    expect((await json(api('/attributes', { method: 'POST', body: JSON.stringify({ key: 'seats', type: 'number' }) }))).status).toBe(201)
    expect((await json(api('/attributes', { method: 'POST', body: JSON.stringify({ key: 'seats', type: 'number' }) }))).status).toBe(409)
    expect((await json(api('/attributes', { method: 'POST', body: JSON.stringify({ key: 'x', type: 'color' }) }))).body.error.field).toBe('type')
    await json(api('/attributes/seats', { method: 'PATCH', body: JSON.stringify({ type: 'string' }) }))
    expect((await json(api('/attributes'))).body.attributes).toEqual(expect.arrayContaining([{ key: 'seats', type: 'string', constraints: {}, readable: false }]))
    await json(api('/attributes/seats', { method: 'DELETE' }))
    expect((await json(api('/attributes'))).body.attributes.map((a: any) => a.key)).toEqual(['renewal'])
  })
})
