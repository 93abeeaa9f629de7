import { countDrift } from '../helpers/attribute-storage.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT_ROUTES, AUTH_ROUTES, OWNED_PARAMS, PROJECT_ROUTES, adminRoutes, changes, fill, paramsOf, roleOf, uncovered, type AdminRoute } from './admin-routes.js'
import { newToken } from '../../worker/src/auth/api-tokens.js'
import { PASSWORD, client, rowCounts, signIn, snapshotProject, twoProjects, type Caller, type Ids, type Project, type Reply } from './two-projects.js'

/**
 * Issue 7 item 4. Every admin route, read from the app itself, is called by everyone who
 * must not get in: nobody, the public write key, a member of another project, a member
 * naming another project's objects, a viewer making changes. All refused; project B's
 * rows the same at the end as at the start; nothing of B in any answer.
 */
describe('tenant isolation on every admin route', () => {
  let t: Awaited<ReturnType<typeof twoProjects>>['t']
  let a: Project
  let b: Project
  let http: ReturnType<typeof client>
  let routes: AdminRoute[]
  let session: { adminA: string; editorA: string; viewerA: string }
  let before: { a: Record<string, unknown[]>; b: Record<string, unknown[]> }
  let refused = 0

  /** Strings only project B holds: none may appear in an answer unless the request sent it. */
  let bStrings: string[]
  const leaks = (reply: Reply, sent: string) => bStrings.filter((s) => reply.text.includes(s) && !sent.includes(s))

  const project = (r: AdminRoute) => PROJECT_ROUTES[r.key]
  /** Calls a project route the way its owner would: a valid body, JSON for a session, the file for a server. */
  const call = async (r: AdminRoute, url: string, caller: Caller, ids: Ids, opts: { server?: boolean; headers?: Record<string, string> } = {}) => {
    const c = project(r)
    let reply: Reply
    if (!changes(r)) reply = await http.send(r.method, url, { caller, headers: opts.headers })
    else if (c.csv && opts.server) reply = await http.send(r.method, url, { caller, body: c.csv, headers: { 'content-type': 'text/csv', ...opts.headers } })
    else {
      const json = c.body?.(ids) ?? (c.csv ? {} : undefined)
      reply = await http.send(r.method, url, { caller, json, headers: opts.headers })
    }
    expect(leaks(reply, url + JSON.stringify(c.body?.(ids) ?? '')), `${r.method} ${url} answered with B's data`).toEqual([])
    return reply
  }
  /** Expects a refusal with one of `statuses`, and counts it. */
  const refuses = (reply: Reply, statuses: number[], what: string) => {
    expect(statuses, `${what} → ${reply.status} ${reply.text.slice(0, 200)}`).toContain(reply.status)
    refused++
  }
  const projectRoutes = () => routes.filter((r) => r.group === 'project')
  const urlA = (r: AdminRoute, override: Partial<Ids> = {}) => fill(r, a.ids.projectId, a.ids, override)
  const urlIn = (r: AdminRoute, p: Project) => fill(r, p.ids.projectId, p.ids)

  beforeAll(async () => {
    ;({ t, a, b } = await twoProjects())
    http = client(t.app)
    routes = adminRoutes(t.app)
    session = {
      adminA: await signIn(t, 'admin@localhost', PASSWORD),
      editorA: await signIn(t, 'editor-a@x.io', PASSWORD),
      viewerA: await signIn(t, 'viewer-a@x.io', PASSWORD),
    }
    bStrings = ['ZEBRA', b.writeKey, b.secretKey, ...b.userIds, ...b.emails]
    before = { a: await snapshotProject(t.db, a.ids.projectId), b: await snapshotProject(t.db, b.ids.projectId) }
  })
  afterAll(() => t.dispose())

  it('enumerates the admin routes from the app, and every one has a case here', () => {
    const { missing, stale } = uncovered(routes)
    expect(missing, 'routes with no case: add them to test/security/admin-routes.ts').toEqual([])
    expect(stale, 'cases for routes the app no longer has').toEqual([])
    expect(projectRoutes().length).toBe(Object.keys(PROJECT_ROUTES).length)
    expect(routes.filter((r) => r.group === 'auth').map((r) => r.key).sort()).toEqual([...AUTH_ROUTES].sort())
    expect(routes.filter((r) => r.group === 'account').map((r) => r.key).sort()).toEqual([...ACCOUNT_ROUTES].sort())
    // The fixture really holds data of B in every table a route can reach.
    const counts = rowCounts(before.b)
    for (const table of ['users', 'devices', 'aliases', 'events', 'interactions', 'responses', 'tags', 'user_tags', 'attribute_definitions', 'segments', 'segment_members', 'imports', 'import_errors', 'import_chunks', 'project_members', 'invitations', 'api_tokens', 'audit_log']) {
      if (table === 'aliases') continue // nothing in the fixture merges users
      expect(counts[table], `rows of B in ${table}`).toBeGreaterThan(0)
    }
  })

  it('refuses every admin route to a caller with no session and no key (401)', async () => {
    const nobody: [string, Caller][] = [
      ['nothing', null],
      ['an unknown session token', { cookie: 'x'.repeat(43) }],
      ['an empty session cookie', { header: { cookie: 'jimer_session=' } }],
      ['an empty Bearer', { header: { authorization: 'Bearer' } }],
      ['the admin\'s email and password as Basic auth', { header: { authorization: `Basic ${btoa(`admin@localhost:${PASSWORD}`)}` } }],
    ]
    for (const r of projectRoutes()) {
      for (const [who, caller] of nobody) {
        const reply = await call(r, urlA(r), caller, a.ids, { server: true })
        refuses(reply, [401], `${r.method} ${r.path} with ${who}`)
        expect(reply.code).toBe('unauthorized')
      }
    }
    for (const [method, path] of [['GET', '/me'], ['POST', '/password'], ['POST', '/logout-everywhere']]) {
      for (const [who, caller] of nobody) {
        refuses(await http.send(method, `/api/auth${path}`, { caller, json: method === 'POST' ? { currentPassword: PASSWORD, newPassword: 'a new password that is long' } : undefined }), [401], `${method} ${path} with ${who}`)
      }
    }
    // Nothing to end: logout without a session answers 204 and changes nothing.
    const sessions = (await t.db.execute('SELECT count(*) AS n FROM sessions')).rows[0].n
    expect((await http.send('POST', '/api/auth/logout')).status).toBe(204)
    expect((await http.send('POST', '/api/auth/logout', { caller: { cookie: 'x'.repeat(43) } })).status).toBe(204)
    expect((await t.db.execute('SELECT count(*) AS n FROM sessions')).rows[0].n).toBe(sessions)
    // Sign-in without the right password is the same 401 whoever is named.
    for (const email of ['admin@localhost', 'admin-b@x.io', 'ghost@x.io']) {
      const reply = await http.send('POST', '/api/auth/login', { json: { email, password: 'not the password' } })
      refuses(reply, [401], `sign in as ${email} with a wrong password`)
      expect(reply.setCookie).toBeNull()
    }
  })

  it('refuses the public write key on every admin route: as Bearer, Basic user, ?writeKey=, body and cookie', async () => {
    const wk = a.writeKey
    for (const r of projectRoutes()) {
      const url = urlA(r)
      const bearer = await call(r, url, { bearer: wk }, a.ids, { server: true })
      refuses(bearer, [401, 403], `${r.method} ${r.path} with the write key as Bearer`)
      refuses(await call(r, url, { header: { authorization: `Basic ${btoa(`${wk}:`)}` } }, a.ids, { server: true }), [401], `${r.method} ${r.path} with the write key as Basic user`)
      const query = url + (url.includes('?') ? '&' : '?') + `writeKey=${wk}`
      refuses(await http.send(r.method, query, changes(r) ? { json: { writeKey: wk, ...(project(r).body?.(a.ids) as object) } } : {}), [401], `${r.method} ${r.path} with ?writeKey= and a writeKey in the body`)
      refuses(await call(r, url, { cookie: wk }, a.ids), [401], `${r.method} ${r.path} with the write key as the session cookie`)
    }
    for (const caller of [{ bearer: wk }, { cookie: wk }, { header: { authorization: `Basic ${btoa(`${wk}:`)}` } }] satisfies Caller[]) {
      refuses(await http.send('GET', '/api/auth/me', { caller }), [401], 'GET /me with the write key')
      refuses(await http.send('POST', '/api/auth/password', { caller, json: { currentPassword: PASSWORD, newPassword: 'a new password that is long' } }), [401], 'POST /password with the write key')
    }
    refuses(await http.send('GET', `/api/auth/me?writeKey=${wk}`), [401], 'GET /me?writeKey=')
    refuses(await http.send('POST', '/api/auth/login', { json: { email: 'admin@localhost', password: wk } }), [401], 'sign in with the write key as password')
  })

  it('refuses a member of project A every route of project B, by session and by A\'s secret key', async () => {
    for (const r of projectRoutes()) {
      const url = urlIn(r, b)
      for (const [who, caller] of [['A\'s admin session', { cookie: session.adminA }], ['A\'s secret key', { bearer: a.secretKey }]] as const) {
        const reply = await call(r, url, caller, b.ids, { server: 'bearer' in caller })
        refuses(reply, [403, 404], `${r.method} ${url} with ${who}`)
      }
    }
    // Sign-in and "who am I" name only the caller's own projects.
    const me = await http.send('GET', '/api/auth/me', { caller: { cookie: session.adminA } })
    expect(JSON.parse(me.text).projects.map((p: { id: string }) => p.id)).toEqual([a.ids.projectId])
    expect(leaks(me, '')).toEqual([])
    const login = await http.send('POST', '/api/auth/login', { json: { email: 'viewer-a@x.io', password: PASSWORD } })
    expect(JSON.parse(login.text).projects.map((p: { id: string }) => p.id)).toEqual([a.ids.projectId])
  })

  it('answers 404 when a member of A names an object of B inside A\'s URL, one id at a time and all at once', async () => {
    let cases = 0
    for (const r of projectRoutes()) {
      const owned = paramsOf(r.path).filter((p): p is (typeof OWNED_PARAMS)[number] => (OWNED_PARAMS as readonly string[]).includes(p))
      const variants: Partial<Ids>[] = owned.map((p) => ({ [p]: b.ids[p] }))
      if (owned.length > 1) variants.push(Object.fromEntries(owned.map((p) => [p, b.ids[p]])))
      for (const override of variants) {
        const url = urlA(r, override)
        for (const [who, caller] of [['A\'s admin session', { cookie: session.adminA }], ['A\'s secret key', { bearer: a.secretKey }]] as const) {
          const reply = await call(r, url, caller, a.ids, { server: 'bearer' in caller })
          refuses(reply, [404], `${r.method} ${url} (${JSON.stringify(override)}) with ${who}`)
          expect(reply.code).toBe('not_found')
          cases++
        }
      }
    }
    expect(cases).toBeGreaterThan(40)
  })

  it('refuses a viewer every change, and an editor every admin-only route (403)', async () => {
    const writes = projectRoutes().filter(changes)
    expect(writes.length).toBeGreaterThan(20)
    for (const r of writes) {
      const reply = await call(r, urlA(r), { cookie: session.viewerA }, a.ids)
      if (roleOf(r) === 'viewer') {
        expect(project(r).viewerMay, `${r.method} ${r.path} lets a viewer in: say why in its case`).toBeTruthy()
        expect(reply.status, `${r.method} ${r.path} as a viewer`).toBe(200)
        continue
      }
      refuses(reply, [403], `${r.method} ${r.path} as a viewer`)
      expect(reply.code).toBe('forbidden')
    }
    for (const r of projectRoutes().filter((x) => roleOf(x) === 'admin')) {
      const reply = await call(r, urlA(r), { cookie: session.editorA }, a.ids)
      refuses(reply, [403], `${r.method} ${r.path} as an editor`)
      expect(reply.code).toBe('forbidden')
    }
  })

  it('lets a viewer read every read route of their own project, and an admin the admin-only reads (the refusals above are not blanket)', async () => {
    const reads = projectRoutes().filter((x) => x.method === 'GET')
    expect(reads.filter((r) => roleOf(r) === 'admin').map((r) => r.key).sort()).toEqual(['GET /audit', 'GET /invitations', 'GET /tokens'])
    for (const r of reads) {
      const caller = roleOf(r) === 'viewer' ? { cookie: session.viewerA } : { cookie: session.adminA }
      const reply = await call(r, urlA(r), caller, a.ids)
      expect(reply.status, `${r.method} ${r.path} as a ${roleOf(r)}: ${reply.text.slice(0, 200)}`).toBe(200)
    }
  })

  it('refuses B\'s API tokens of every scope on every route of A, and A\'s on every route of B', async () => {
    // Made in the database, not through the API: B's rows (its audit log too) must end as they began.
    const tokenOf = async (p: Project, scope: string) => {
      const { token, hash, prefix } = await newToken()
      const id = `tok_isolation_${scope}_${p.ids.projectId}`
      await t.db.execute({ sql: 'INSERT INTO api_tokens (id, project_id, name, scope, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)', args: [id, p.ids.projectId, `${scope} for isolation`, scope, hash, prefix] })
      return { id, token }
    }
    for (const scope of ['ingest', 'read', 'write', 'admin']) {
      for (const [own, other] of [[b, a], [a, b]] as const) {
        const tk = await tokenOf(own, scope)
        for (const r of projectRoutes()) {
          const reply = await call(r, urlIn(r, other), { bearer: tk.token }, other.ids, { server: true })
          refuses(reply, [403], `${r.method} ${r.path} of ${other.ids.projectId} with a ${scope} token of ${own.ids.projectId}`)
          expect(reply.code).toBe('forbidden')
        }
        await t.db.execute({ sql: 'DELETE FROM api_tokens WHERE id = ?', args: [tk.id] })
      }
    }
  })

  it('keeps the account routes to a signed-in account: no key or token opens them, and each lists only the caller\'s projects', async () => {
    const adminToken = JSON.parse((await http.send('POST', `/api/projects/${a.ids.projectId}/tokens`, { caller: { cookie: session.adminA }, json: { name: 'account routes', scope: 'admin' } })).text).token as string
    for (const caller of [null, { bearer: a.secretKey }, { bearer: a.writeKey }, { bearer: adminToken }, { cookie: 'x'.repeat(43) }] satisfies Caller[]) {
      refuses(await http.send('GET', '/api/projects', { caller }), [401], `GET /api/projects as ${JSON.stringify(caller)}`)
      refuses(await http.send('POST', '/api/projects', { caller, json: { name: 'Made by a key' } }), [401], `POST /api/projects as ${JSON.stringify(caller)}`)
    }
    // An invitation link that is not one: the same 404 signed in or out, and nothing joins anything.
    for (const caller of [null, { cookie: session.adminA }] satisfies Caller[]) {
      for (const path of ['/api/invitations/lookup', '/api/invitations/accept']) {
        const reply = await http.send('POST', path, { caller, json: { token: 'x'.repeat(43), password: 'a long enough password' } })
        refuses(reply, [404], `${path} with an unknown token`)
        expect(reply.code).toBe('invalid_invitation')
      }
    }
    const list = async (cookie: string) => JSON.parse((await http.send('GET', '/api/projects', { caller: { cookie } })).text).projects.map((p: { id: string }) => p.id)
    expect(await list(session.adminA)).toEqual([a.ids.projectId])
    expect(await list(session.viewerA)).toEqual([a.ids.projectId])
    const made = await http.send('POST', '/api/projects', { caller: { cookie: session.viewerA }, json: { name: 'The viewer\'s own' } })
    expect(made.status).toBe(201)
    const created = JSON.parse(made.text) as { id: string; role: string }
    expect(created.role).toBe('admin')
    expect((await list(session.viewerA)).sort()).toEqual([a.ids.projectId, created.id].sort())
    expect(await list(session.adminA)).toEqual([a.ids.projectId])
    // Admin of the new project is admin there only: still a viewer of A.
    refuses(await http.send('POST', `/api/projects/${a.ids.projectId}/tags`, { caller: { cookie: session.viewerA }, json: { name: 'still a viewer' } }), [403], 'the viewer of A writes to A after creating a project')
    refuses(await http.send('GET', `/api/projects/${created.id}/users`, { caller: { bearer: adminToken } }), [403], 'A\'s admin token on the new project')
    expect(leaks(made, '')).toEqual([])
  })

  it('finds nothing of B when A\'s bodies and filters name B\'s objects', async () => {
    const base = `/api/projects/${a.ids.projectId}`
    const admin = { cookie: session.adminA }
    const segmentB = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'segment', operator: 'in', segmentId: b.ids.segmentId }] } }
    const tagB = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'tag', operator: 'has_any', tagIds: [b.ids.tagId] }] } }
    const attrB = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'note', operator: 'is', value: 'ZEBRA' }] } }

    const members = await http.send('POST', `${base}/segments/${a.ids.segmentId}/members`, { caller: admin, json: { ids: [b.ids.userPk], userIds: b.userIds, emails: b.emails } })
    expect(members.status).toBe(200)
    expect(JSON.parse(members.text)).toMatchObject({ added: 0 })
    refuses(await http.send('POST', `${base}/users/${a.ids.userPk}/tags`, { caller: admin, json: { tagId: b.ids.tagId } }), [404], 'tag A\'s user with B\'s tag')
    refuses(await http.send('POST', `${base}/segments`, { caller: admin, json: { name: 'in B', conditions: segmentB } }), [400], 'a segment of A inside a segment of B')
    refuses(await http.send('POST', `${base}/segments/preview`, { caller: admin, json: { conditions: segmentB } }), [400], 'preview a segment of B')
    // A filter naming a segment this project does not have matches nobody (as after a delete).
    const filtered = await http.send('GET', `${base}/users?status=all&filter=${encodeURIComponent(JSON.stringify(segmentB))}`, { caller: admin })
    expect(JSON.parse(filtered.text)).toMatchObject({ total: 0, users: [] })
    for (const tree of [tagB, attrB]) {
      const preview = await http.send('POST', `${base}/segments/preview`, { caller: admin, json: { conditions: tree } })
      expect(JSON.parse(preview.text)).toEqual({ count: 0, sample: [] })
      const list = await http.send('GET', `${base}/users?status=all&filter=${encodeURIComponent(JSON.stringify(tree))}`, { caller: admin })
      expect(JSON.parse(list.text)).toMatchObject({ total: 0, users: [] })
    }
    const search = await http.send('GET', `${base}/users?status=all&q=ZEBRA`, { caller: admin })
    expect(JSON.parse(search.text)).toMatchObject({ total: 0, users: [] })
    // An import of A matching B's user ids creates A's own users; B's stay as they were.
    const imp = await http.send('POST', `${base}/imports?name=match%20B`, { caller: { bearer: a.secretKey }, body: `id,name\n${b.userIds[0]},Changed by A\n`, headers: { 'content-type': 'text/csv' } })
    expect(imp.status).toBe(201)
    const userIdsOfA = (await t.db.execute({ sql: 'SELECT user_id FROM users WHERE project_id = ?', args: [a.ids.projectId] })).rows.map((r) => r.user_id)
    expect(userIdsOfA).toContain(b.userIds[0])
    for (const reply of [members, search, imp]) expect(leaks(reply, JSON.stringify(b.userIds) + JSON.stringify(b.emails))).toEqual([])
  })

  it('leaves every row of project B exactly as it was', async () => {
    const after = await snapshotProject(t.db, b.ids.projectId)
    expect(after).toEqual(before.b)
    // A gained the last test's import and its user; no row A had before changed or went.
    const afterA = await snapshotProject(t.db, a.ids.projectId)
    for (const [table, rows] of Object.entries(before.a)) {
      // A counter, not a row of data: A gained a user. It must equal a count of A's users.
      if (table === 'user_counts') continue
      const now = new Set(afterA[table].map((row) => JSON.stringify(row)))
      expect(rows.filter((row) => !now.has(JSON.stringify(row))), `rows of A changed or gone in ${table}`).toEqual([])
    }
    expect(await countDrift(t.db)).toEqual([])
    console.log(`tenant isolation: ${routes.length} admin routes enumerated (${projectRoutes().length} project, ${routes.length - projectRoutes().length} account), ${http.count()} requests made, ${refused} refused as expected; B's ${Object.values(after).flat().length} rows unchanged`)
  })
})
