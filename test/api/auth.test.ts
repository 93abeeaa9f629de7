import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../worker/src/auth/crypto.js'
import { testApp } from '../helpers/test-app.js'

const ORIGIN = 'http://localhost'

describe('dashboard sign-in and project access', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const req = (path: string, init: RequestInit & { cookie?: string } = {}) =>
    t.app.request(`${ORIGIN}${path}`, { ...init, headers: { ...(init.cookie ? { cookie: `jimer_session=${init.cookie}` } : {}), ...(init.headers as Record<string, string>) } })
  const login = async (email: string, password: string) => {
    const r = await req('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ email, password }) })
    const cookie = /jimer_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1]
    return { status: r.status, cookie, setCookie: r.headers.get('set-cookie') ?? '', body: await r.json() as any }
  }
  const addAccount = async (email: string, projectId: string, role: string) => {
    const id = `acc_${email}`
    await t.db.execute({ sql: 'INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, 0)', args: [id, email, await hashPassword('pw ' + email)] })
    await t.db.execute({ sql: 'INSERT INTO project_members (project_id, account_id, role) VALUES (?, ?, ?)', args: [projectId, id, role] })
  }

  beforeAll(async () => {
    t = await testApp()
    await addAccount('viewer@x.io', t.boot.projectId, 'viewer')
    await t.db.execute(`INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES ('prj_b', 'Project B', 'wk_b', 'sk_b', 0)`)
    await addAccount('b-admin@x.io', 'prj_b', 'admin')
  })
  afterAll(() => t.dispose())

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const wrong = await login('admin@localhost', 'nope')
    const unknown = await login('ghost@x.io', 'nope')
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'invalid_credentials' } } })
    expect(unknown.body).toEqual(wrong.body)
    expect(wrong.cookie).toBeUndefined()
  })

  it('signs in with an HttpOnly, SameSite=Lax session cookie of at least 128 bits, new at every sign-in', async () => {
    const a = await login('ADMIN@localhost', 'correct horse battery')
    expect(a.status).toBe(200)
    expect(a.setCookie).toMatch(/HttpOnly/i)
    expect(a.setCookie).toMatch(/SameSite=Lax/i)
    expect(a.setCookie).not.toMatch(/Secure/i) // plain http in this test; https gets Secure
    expect(Buffer.from(a.cookie!, 'base64url').length * 8).toBeGreaterThanOrEqual(128)
    expect(a.body.projects).toEqual([{ id: t.boot.projectId, name: 'My project', role: 'admin' }])
    const me = await req('/api/auth/me', { cookie: a.cookie })
    expect(await me.json()).toMatchObject({ account: { email: 'admin@localhost' } })
    const b = await login('admin@localhost', 'correct horse battery')
    expect(b.cookie).not.toBe(a.cookie)
  })

  it('locks an email after five wrong passwords for fifteen minutes, without touching other accounts', async () => {
    for (let i = 0; i < 5; i++) expect((await login('viewer@x.io', 'wrong')).status).toBe(401)
    const locked = await req('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'viewer@x.io', password: 'pw viewer@x.io' }) })
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800)
    expect((await login('admin@localhost', 'correct horse battery')).status).toBe(200)
    t.clock.advance(16 * 60_000)
    try {
      expect((await login('viewer@x.io', 'pw viewer@x.io')).status).toBe(200)
    } finally {
      t.clock.advance(-16 * 60_000)
    }
  })

  it('ends the session at logout', async () => {
    const { cookie } = await login('admin@localhost', 'correct horse battery')
    expect((await req('/api/auth/logout', { method: 'POST', cookie, headers: { origin: ORIGIN } })).status).toBe(204)
    expect((await req('/api/auth/me', { cookie })).status).toBe(401)
    expect((await req(`/api/projects/${t.boot.projectId}/segments`, { cookie })).status).toBe(401)
  })

  it('ends a session left idle for more than a week', async () => {
    const { cookie } = await login('admin@localhost', 'correct horse battery')
    t.clock.advance(8 * 86_400_000)
    try {
      expect((await req('/api/auth/me', { cookie })).status).toBe(401)
    } finally {
      t.clock.advance(-8 * 86_400_000)
    }
  })

  it('lets a viewer read but not change anything', async () => {
    const { cookie } = await login('viewer@x.io', 'pw viewer@x.io')
    const base = `/api/projects/${t.boot.projectId}`
    expect((await req(`${base}/segments`, { cookie })).status).toBe(200)
    const create = await req(`${base}/segments`, { method: 'POST', cookie, headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', kind: 'static' }) })
    expect(create.status).toBe(403)
    expect((await create.json() as any).error.message).toContain('editor')
    expect((await req(`${base}/users/1`, { method: 'DELETE', cookie, headers: { origin: ORIGIN } })).status).toBe(403)
  })

  it('keeps a member of project B out of project A', async () => {
    const { cookie } = await login('b-admin@x.io', 'pw b-admin@x.io')
    expect((await req(`/api/projects/prj_b/segments`, { cookie })).status).toBe(200)
    const r = await req(`/api/projects/${t.boot.projectId}/segments`, { cookie })
    expect(r.status).toBe(403)
    expect((await req(`/api/projects/${t.boot.projectId}/segments`, { headers: { authorization: 'Bearer sk_b' } })).status).toBe(403)
  })

  it('refuses cross-site and non-JSON changes made with the session cookie', async () => {
    const { cookie } = await login('admin@localhost', 'correct horse battery')
    const path = `/api/projects/${t.boot.projectId}/segments`
    const body = JSON.stringify({ name: 'csrf', kind: 'static' })
    const evil = await req(path, { method: 'POST', cookie, headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body })
    expect(evil.status).toBe(403)
    expect((await req(path, { method: 'POST', cookie, headers: { 'content-type': 'application/json' }, body })).status).toBe(403)
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'TEXT/PLAIN']) {
      expect((await req(path, { method: 'POST', cookie, headers: { origin: ORIGIN, 'content-type': type }, body })).status).toBe(415)
    }
    // A change without a body needs no content type (it cannot be a form post).
    expect((await req(`${path}/987654`, { method: 'DELETE', cookie, headers: { origin: ORIGIN } })).status).toBe(404)
    const ok = await req(path, { method: 'POST', cookie, headers: { origin: ORIGIN, 'content-type': 'application/json' }, body })
    expect(ok.status).toBe(201)
    expect((await t.db.execute("SELECT count(*) AS n FROM segments WHERE name = 'csrf'")).rows[0].n).toBe(1)
  })
})
