import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROUTES, adminRoutes, changes, fill, roleOf, type AdminRoute, type Role } from './admin-routes.js'
import { client, twoProjects, type Project, type Reply } from './two-projects.js'

type Scope = 'ingest' | 'read' | 'write' | 'admin'
/** What each scope may do on the admin API, as the least role a route needs. */
const MAY: Record<Scope, Role[]> = { ingest: [], read: ['viewer'], write: ['viewer', 'editor'], admin: ['viewer', 'editor', 'admin'] }

/**
 * Issue 15: API tokens. Each scope is allowed exactly what it says on every admin route
 * (enumerated from the app), on its own project only; the collector takes ingest and admin
 * tokens and no others; a revoked token is refused on the next request; tokens are shown
 * once and stored only as hashes.
 */
describe('API token scopes', () => {
  let t: Awaited<ReturnType<typeof twoProjects>>['t']
  let a: Project
  let http: ReturnType<typeof client>
  const tokens = {} as Record<Scope, { id: string; token: string }>
  const base = () => `/api/projects/${a.ids.projectId}`

  const call = (r: AdminRoute, bearer: string): Promise<Reply> => {
    const c = PROJECT_ROUTES[r.key]
    const url = fill(r, a.ids.projectId, a.ids)
    if (!changes(r)) return http.send(r.method, url, { caller: { bearer } })
    if (c.csv) return http.send(r.method, url, { caller: { bearer }, body: c.csv, headers: { 'content-type': 'text/csv' } })
    return http.send(r.method, url, { caller: { bearer }, json: c.body?.(a.ids) })
  }
  const track = (key: string, userId: string) => http.send('POST', '/v1/identify', { origin: null, headers: { authorization: `Basic ${btoa(`${key}:`)}` }, json: { userId, traits: { plan: 'via token' } } })

  beforeAll(async () => {
    ;({ t, a } = await twoProjects())
    http = client(t.app)
    for (const scope of ['ingest', 'read', 'write', 'admin'] as const) {
      const r = await http.send('POST', `${base()}/tokens`, { caller: { bearer: a.secretKey }, json: { name: `${scope} server`, scope } })
      expect(r.status, r.text).toBe(201)
      tokens[scope] = JSON.parse(r.text)
    }
  })
  afterAll(() => t.dispose())

  it('makes tokens of 256 random bits, shows each once, and stores only its hash', async () => {
    for (const { token } of Object.values(tokens)) {
      expect(token).toMatch(/^jt_[A-Za-z0-9_-]{43}$/)
      expect(Buffer.from(token.slice(3), 'base64url').length * 8).toBe(256)
    }
    const list = await http.send('GET', `${base()}/tokens`, { caller: { bearer: tokens.admin.token } })
    expect(list.status).toBe(200)
    const tables = (await t.db.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).rows.map((r) => String(r.name))
    const everything: string[] = [list.text]
    for (const name of tables) for (const row of (await t.db.execute(`SELECT * FROM "${name}"`)).rows) everything.push(JSON.stringify(row))
    for (const { token } of Object.values(tokens)) expect(everything.filter((x) => x.includes(token))).toEqual([])
    expect(JSON.parse(list.text).tokens.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['ingest server', 'read server', 'write server', 'admin server']))
  })

  it('allows each scope exactly the admin routes its role may call, on every route of the app', async () => {
    const routes = adminRoutes(t.app).filter((r) => r.group === 'project')
    expect(routes.length).toBe(Object.keys(PROJECT_ROUTES).length)
    const wrong: string[] = []
    let allowed = 0
    for (const r of routes) {
      for (const scope of ['ingest', 'read', 'write', 'admin'] as const) {
        const reply = await call(r, tokens[scope].token)
        const refused = reply.status === 401 || reply.status === 403
        const should = MAY[scope].includes(roleOf(r)) && !PROJECT_ROUTES[r.key].accountOnly
        if (refused === should || reply.status >= 500) wrong.push(`${scope} ${r.key} → ${reply.status} ${reply.text.slice(0, 120)}`)
        if (refused) expect(reply.code, `${scope} ${r.key}`).toBe(PROJECT_ROUTES[r.key].accountOnly && MAY[scope].includes('admin') ? 'account_only' : 'forbidden')
        else allowed++
      }
    }
    expect(wrong).toEqual([])
    expect(allowed).toBeGreaterThan(80)
  })

  it('lets ingest and admin tokens send to the collector (as the API), and no other scope; an ingest token cannot read', async () => {
    for (const scope of ['ingest', 'admin'] as const) {
      const r = await track(tokens[scope].token, `sent-by-${scope}`)
      expect(r.status, r.text).toBe(200)
      const meta = (await t.db.execute({ sql: 'SELECT project_id, attribute_meta FROM users WHERE user_id = ?', args: [`sent-by-${scope}`] })).rows[0]
      expect(meta.project_id).toBe(a.ids.projectId)
      expect(JSON.parse(String(meta.attribute_meta)).plan.s).toBe('API')
    }
    for (const scope of ['read', 'write'] as const) {
      expect(await track(tokens[scope].token, `sent-by-${scope}`)).toMatchObject({ status: 401, code: 'invalid_write_key' })
    }
    expect((await t.db.execute(`SELECT count(*) AS n FROM users WHERE user_id IN ('sent-by-read', 'sent-by-write')`)).rows[0].n).toBe(0)
    // Reading: the admin API, and targeting by user id.
    expect(await http.send('GET', `${base()}/users`, { caller: { bearer: tokens.ingest.token } })).toMatchObject({ status: 403, code: 'forbidden' })
    expect(await http.send('GET', `/v1/segments?writeKey=${tokens.ingest.token}&userId=sent-by-ingest`)).toMatchObject({ status: 401 })
    expect((await http.send('GET', `/v1/segments?writeKey=${tokens.read.token}&userId=sent-by-ingest`)).status).toBe(200)
  })

  it('records when a token was last used', async () => {
    t.clock.advance(5 * 60_000)
    expect((await http.send('GET', `${base()}/tags`, { caller: { bearer: tokens.read.token } })).status).toBe(200)
    const list = JSON.parse((await http.send('GET', `${base()}/tokens`, { caller: { bearer: tokens.admin.token } })).text)
    expect(list.tokens.find((x: { id: string }) => x.id === tokens.read.id).lastUsedAt).toBe(t.clock.get())
  })

  it('refuses a revoked token on the very next request, on the admin API and the collector', async () => {
    expect((await http.send('GET', `${base()}/tags`, { caller: { bearer: tokens.write.token } })).status).toBe(200)
    for (const scope of ['write', 'ingest'] as const) {
      expect((await http.send('DELETE', `${base()}/tokens/${tokens[scope].id}`, { caller: { bearer: tokens.admin.token } })).status).toBe(204)
    }
    expect(await http.send('GET', `${base()}/tags`, { caller: { bearer: tokens.write.token } })).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(await http.send('POST', `${base()}/tags`, { caller: { bearer: tokens.write.token }, json: { name: 'after revoke' } })).toMatchObject({ status: 401 })
    expect(await track(tokens.ingest.token, 'after-revoke')).toMatchObject({ status: 401, code: 'invalid_write_key' })
    expect((await http.send('DELETE', `${base()}/tokens/${tokens.write.id}`, { caller: { bearer: tokens.admin.token } })).status).toBe(404)
    // The secret key keeps working as an admin token.
    expect((await http.send('GET', `${base()}/tokens`, { caller: { bearer: a.secretKey } })).status).toBe(200)
  })
})
