import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LOGIN_LIMIT } from '../../worker/src/auth/login-limit.js'
import { createSession } from '../../worker/src/auth/sessions.js'
import { PROJECT_ROUTES, adminRoutes, changes, fill, type AdminRoute } from './admin-routes.js'
import { ORIGIN, PASSWORD, client, sessionOf, signIn, snapshotProject, twoProjects, type Project, type Reply } from './two-projects.js'

const EVIL = 'https://evil.example'
const JSON_BODY = (r: AdminRoute, ids: Project['ids']) => JSON.stringify(PROJECT_ROUTES[r.key]?.body?.(ids) ?? {})

/**
 * The ways a page on another site (or no site) can make a signed-in browser send a
 * change, each as the headers and body that browser would send. A form can send only
 * text/plain, urlencoded or multipart without a CORS preflight; with a preflight (JSON,
 * text/csv) the browser asks first and the API, which answers no CORS, is never reached —
 * but the server must not rely on the browser for that.
 */
const CROSS_SITE: { name: string; headers: Record<string, string>; body: (json: string) => string }[] = [
  { name: 'a text/plain form post from another site', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: (json) => json },
  { name: 'an urlencoded form post from another site', headers: { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' }, body: () => 'name=x&kind=static' },
  { name: 'a multipart form post from another site', headers: { origin: EVIL, 'content-type': 'multipart/form-data; boundary=b' }, body: () => '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n' },
  { name: 'odd-cased JSON from another site', headers: { origin: EVIL, 'content-type': 'Application/JSON; charset=utf-8' }, body: (json) => json },
  { name: 'a CSV file from another site', headers: { origin: EVIL, 'content-type': 'text/csv' }, body: () => 'id\ncsrf-user\n' },
  { name: 'JSON with no Origin and another site\'s Referer', headers: { referer: `${EVIL}/page`, 'content-type': 'application/json' }, body: (json) => json },
  { name: 'JSON with no Origin and no Referer', headers: { 'content-type': 'application/json' }, body: (json) => json },
  { name: 'JSON with no Origin and the dashboard\'s own Referer', headers: { referer: `${ORIGIN}/users`, 'content-type': 'application/json' }, body: (json) => json },
  { name: 'JSON from Origin "null" (sandboxed frame, data: URL)', headers: { origin: 'null', 'content-type': 'application/json' }, body: (json) => json },
  { name: 'JSON from another port of the same host', headers: { origin: 'http://localhost:8080', 'content-type': 'application/json' }, body: (json) => json },
  { name: 'JSON from https of the same host', headers: { origin: 'https://localhost', 'content-type': 'application/json' }, body: (json) => json },
  { name: 'JSON from a look-alike host', headers: { origin: 'http://localhost.evil.example', 'content-type': 'application/json' }, body: (json) => json },
  { name: 'JSON from a sibling subdomain (same site, Fetch Metadata says so)', headers: { origin: 'http://app.localhost', 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, body: (json) => json },
  { name: 'JSON with the dashboard\'s Origin but Fetch Metadata saying cross-site', headers: { origin: ORIGIN, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, body: (json) => json },
]
/** Same origin, but not JSON: a form on the dashboard's own origin (an injected one) is refused too. */
const NOT_JSON: { name: string; type: string; body: string }[] = [
  { name: 'text/plain', type: 'text/plain', body: '{}' },
  { name: 'TEXT/PLAIN;charset=UTF-8', type: 'TEXT/PLAIN;charset=UTF-8', body: '{}' },
  { name: 'urlencoded', type: 'application/x-www-form-urlencoded', body: 'a=1' },
  { name: 'multipart', type: 'multipart/form-data; boundary=b', body: '--b--\r\n' },
  { name: 'text/csv (the import route takes it only with the secret key)', type: 'text/csv', body: 'id\ncsrf-user\n' },
  { name: 'application/jsonp', type: 'application/jsonp', body: '{}' },
]

/**
 * Issue 7 item 5. Cross-site requests to every state-changing admin route (read from the
 * app) are refused with a valid session cookie; the session cookie's flags and entropy;
 * logout and password change end sessions on the server.
 */
describe('CSRF on every state-changing admin route, and sessions', () => {
  let t: Awaited<ReturnType<typeof twoProjects>>['t']
  let a: Project
  let http: ReturnType<typeof client>
  let writes: AdminRoute[]
  let cookie: string
  let refused = 0
  const dbState = async () => ({ a: await snapshotProject(t.db, a.ids.projectId), accounts: (await t.db.execute('SELECT id, email, password_hash FROM accounts ORDER BY id')).rows })
  const isRefusal = (r: Reply) => (r.status === 403 && r.code === 'cross_site') || (r.status === 415 && r.code === 'json_only')
  const alive = async (token: string) => (await http.send('GET', '/api/auth/me', { caller: { cookie: token } })).status === 200

  beforeAll(async () => {
    ;({ t, a } = await twoProjects())
    http = client(t.app)
    writes = adminRoutes(t.app).filter(changes)
    cookie = await signIn(t, 'admin@localhost', PASSWORD)
  })
  afterAll(() => t.dispose())

  it('refuses every cross-site and non-JSON change made with a valid session, and nothing changes', async () => {
    const before = await dbState()
    const projectWrites = writes.filter((r) => r.group === 'project')
    expect(projectWrites.length).toBeGreaterThan(20)
    for (const r of projectWrites) {
      const url = fill(r, a.ids.projectId, a.ids)
      for (const v of CROSS_SITE) {
        const reply = await http.send(r.method, url, { caller: { cookie }, origin: null, headers: v.headers, body: v.body(JSON_BODY(r, a.ids)) })
        expect(reply.status === 403 && reply.code === 'cross_site', `${r.method} ${r.path}, ${v.name} → ${reply.status} ${reply.text.slice(0, 160)}`).toBe(true)
        refused++
      }
      for (const v of NOT_JSON) {
        const reply = await http.send(r.method, url, { caller: { cookie }, headers: { 'content-type': v.type }, body: v.body })
        expect(reply.status === 415 && reply.code === 'json_only', `${r.method} ${r.path}, same-origin ${v.name} → ${reply.status} ${reply.text.slice(0, 160)}`).toBe(true)
        refused++
      }
    }
    expect(await dbState()).toEqual(before)
    expect(await alive(cookie)).toBe(true)
  })

  it('refuses cross-site sign-in, logout and password change (login CSRF, forced logout)', async () => {
    const creds = JSON.stringify({ email: 'viewer-a@x.io', password: PASSWORD })
    for (const v of CROSS_SITE.filter((x) => x.headers.origin !== undefined || x.headers.referer?.startsWith(EVIL))) {
      const reply = await http.send('POST', '/api/auth/login', { origin: null, headers: v.headers, body: v.body(creds) })
      expect(isRefusal(reply), `sign-in, ${v.name} → ${reply.status}`).toBe(true)
      expect(reply.setCookie).toBeNull()
      refused++
    }
    for (const v of NOT_JSON) {
      const reply = await http.send('POST', '/api/auth/login', { headers: { 'content-type': v.type }, body: creds })
      expect(reply, `sign-in as ${v.name}`).toMatchObject({ status: 415, code: 'json_only', setCookie: null })
      refused++
    }
    const before = await dbState()
    for (const v of CROSS_SITE) {
      const logout = await http.send('POST', '/api/auth/logout', { caller: { cookie }, origin: null, headers: v.headers, body: v.body('{}') })
      expect(isRefusal(logout), `logout, ${v.name} → ${logout.status}`).toBe(true)
      const change = await http.send('POST', '/api/auth/password', { caller: { cookie }, origin: null, headers: v.headers, body: v.body(JSON.stringify({ currentPassword: PASSWORD, newPassword: 'changed by another site' })) })
      expect(isRefusal(change), `password change, ${v.name} → ${change.status}`).toBe(true)
      refused += 2
    }
    expect(await alive(cookie)).toBe(true)
    expect(await dbState()).toEqual(before)
  })

  it('still takes same-origin JSON on every state-changing route (the refusals are the CSRF check, not a blanket no)', async () => {
    // Deletions (the most nested first) and the end of the import last, so each route finds what it changes.
    const order = (r: AdminRoute) => (r.method === 'DELETE' ? 1000 - r.path.length : /finish|fail$/.test(r.path) ? 1 : 0)
    const notDone: string[] = []
    const projectWrites = writes.filter((x) => x.group === 'project')
    for (const r of [...projectWrites].sort((x, y) => order(x) - order(y))) {
      const c = PROJECT_ROUTES[r.key]
      const reply = await http.send(r.method, fill(r, a.ids.projectId, a.ids), { caller: { cookie }, ...(c.body || c.csv ? { json: c.body?.(a.ids) ?? {} } : {}) })
      expect(isRefusal(reply) || [401, 403].includes(reply.status) || reply.status >= 500, `${r.method} ${r.path} from the dashboard → ${reply.status} ${reply.text.slice(0, 200)}`).toBe(false)
      if (reply.status >= 300) notDone.push(`${r.key} ${reply.status} ${reply.code}`)
    }
    // Past the guard, only the file upload says no (it takes CSV, which only a server may send), the
    // project's deletion, whose case types a wrong name on purpose (project-deletion.test.ts deletes one),
    // the merge, whose case names a pk nobody has (a real merge would take a seeded user away), and the
    // undo of a merge undone already (merge-undo.test.ts merges and undoes for real).
    expect(notDone.sort()).toEqual(['DELETE / 400 name_mismatch', 'POST /merges/:mergeId/undo 409 already_undone', 'POST /users/merge 404 not_found', 'PUT /imports/:importId/csv 415 unsupported_media_type'])
    // A script may sign in without Origin (no browser, no ambient cookie to abuse).
    expect((await http.send('POST', '/api/auth/login', { origin: null, json: { email: 'viewer-a@x.io', password: PASSWORD } })).status).toBe(200)
    console.log(`csrf: ${writes.length} state-changing admin routes enumerated (${projectWrites.length} project, ${writes.length - projectWrites.length} account), ${http.count()} requests made, ${refused} refused as expected, ${projectWrites.length - notDone.length} of ${projectWrites.length} same-origin project changes accepted`)
  })

  it('refuses cross-site and non-JSON calls to the account routes (new project, invitation lookup and accept, sign out everywhere)', async () => {
    const before = await dbState()
    const projects = async () => (await t.db.execute('SELECT id FROM projects ORDER BY id')).rows
    const had = await projects()
    const routes: [string, string][] = [['/api/projects', JSON.stringify({ name: 'made cross-site' })], ['/api/invitations/lookup', JSON.stringify({ token: 'x'.repeat(43) })],
      ['/api/invitations/accept', JSON.stringify({ token: 'x'.repeat(43) })], ['/api/auth/logout-everywhere', '{}']]
    for (const [path, json] of routes) {
      for (const v of CROSS_SITE) {
        // Lookup and accept may be called signed out (as sign-in may): a script without Origin passes, a browser of another site does not.
        if (path.startsWith('/api/invitations') && v.headers.origin === undefined && !v.headers.referer?.startsWith(EVIL)) continue
        const reply = await http.send('POST', path, { caller: path.startsWith('/api/invitations') ? null : { cookie }, origin: null, headers: v.headers, body: v.body(json) })
        expect(isRefusal(reply), `${path}, ${v.name} → ${reply.status} ${reply.text.slice(0, 120)}`).toBe(true)
        refused++
      }
      for (const v of NOT_JSON) {
        const reply = await http.send('POST', path, { caller: { cookie }, headers: { 'content-type': v.type }, body: v.body })
        expect(reply, `${path} as ${v.name}`).toMatchObject({ status: 415, code: 'json_only' })
        refused++
      }
    }
    // Signed in, accepting an invitation is a change of the account: it needs the dashboard's own Origin.
    const noOrigin = await http.send('POST', '/api/invitations/accept', { caller: { cookie }, origin: null, json: { token: 'x'.repeat(43) } })
    expect(noOrigin).toMatchObject({ status: 403, code: 'cross_site' })
    expect(await projects()).toEqual(had)
    expect(await dbState()).toEqual(before)
    expect(await alive(cookie)).toBe(true)
    // Same-origin JSON goes through: a project is made, and sign out everywhere ends this session.
    expect((await http.send('POST', '/api/projects', { caller: { cookie }, json: { name: 'made same-origin' } })).status).toBe(201)
    const spare = await signIn(t, 'admin@localhost', PASSWORD)
    expect((await http.send('POST', '/api/auth/logout-everywhere', { caller: { cookie: spare } })).status).toBe(204)
    expect(await alive(spare)).toBe(false)
    expect(await alive(cookie)).toBe(false)
    cookie = await signIn(t, 'admin@localhost', PASSWORD)
  })

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/, Secure on https, with a new token each sign-in', async () => {
    const plain = await http.send('POST', '/api/auth/login', { json: { email: 'editor-a@x.io', password: PASSWORD } })
    const flags = plain.setCookie!.split(';').map((f) => f.trim().toLowerCase())
    expect(flags).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']))
    expect(flags).not.toContain('secure')
    expect(flags.find((f) => f.startsWith('max-age='))).toBe('max-age=2592000')
    const tls = await http.send('POST', '/api/auth/login', { base: 'https://localhost', origin: 'https://localhost', json: { email: 'editor-a@x.io', password: PASSWORD } })
    expect(tls.status).toBe(200)
    expect(tls.setCookie!.split(';').map((f) => f.trim().toLowerCase())).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', 'secure']))
    expect(sessionOf(tls.setCookie)).not.toBe(sessionOf(plain.setCookie))
    // Signing in again with the old cookie ends the old session (no fixation).
    const old = sessionOf(plain.setCookie)!
    const again = await http.send('POST', '/api/auth/login', { caller: { cookie: old }, json: { email: 'editor-a@x.io', password: PASSWORD } })
    expect(sessionOf(again.setCookie)).not.toBe(old)
    expect(await alive(old)).toBe(false)
  })

  it('makes session tokens of 256 random bits from the system CSPRNG, and stores only their hash', async () => {
    const spy = vi.spyOn(crypto, 'getRandomValues')
    const token = await createSession(t.db, 'acc_viewer_a_x_io', t.clock.get())
    const drawn = spy.mock.results.map((r) => r.value as Uint8Array).find((bytes) => Buffer.from(bytes).toString('base64url') === token)
    spy.mockRestore()
    expect(drawn, 'the token is the bytes crypto.getRandomValues drew').toBeDefined()
    expect(drawn!.length * 8).toBeGreaterThanOrEqual(128)
    const tokens: string[] = []
    for (let i = 0; i < 200; i++) tokens.push(await createSession(t.db, 'acc_viewer_a_x_io', t.clock.get()))
    expect(new Set(tokens).size).toBe(tokens.length)
    const bits = tokens.flatMap((tk) => [...Buffer.from(tk, 'base64url')].flatMap((byte) => Array.from({ length: 8 }, (_, i) => (byte >> i) & 1)))
    expect(bits.length).toBeGreaterThanOrEqual(200 * 128)
    // 51,200 fair coin flips: the share of ones is 0.5 ± 0.002 (one standard deviation).
    expect(Math.abs(bits.reduce((s, b) => s + b, 0) / bits.length - 0.5)).toBeLessThan(0.01)
    const stored = (await t.db.execute('SELECT id FROM sessions')).rows.map((r) => String(r.id))
    for (const tk of [token, ...tokens]) expect(stored).not.toContain(tk)
  })

  it('ends the session on the server at logout: the old cookie gets 401 everywhere', async () => {
    const token = await signIn(t, 'editor-a@x.io', PASSWORD)
    const other = await signIn(t, 'editor-a@x.io', PASSWORD)
    const out = await http.send('POST', '/api/auth/logout', { caller: { cookie: token } })
    expect(out.status).toBe(204)
    expect(out.setCookie).toMatch(/jimer_session=;.*Max-Age=0/i)
    expect((await http.send('GET', '/api/auth/me', { caller: { cookie: token } })).status).toBe(401)
    expect((await http.send('GET', `/api/projects/${a.ids.projectId}/users`, { caller: { cookie: token } })).status).toBe(401)
    expect((await http.send('POST', `/api/projects/${a.ids.projectId}/tags`, { caller: { cookie: token }, json: { name: 'after logout' } })).status).toBe(401)
    // Another device's session of the same account carries on.
    expect(await alive(other)).toBe(true)
  })

  describe('changing the password', () => {
    const change = (token: string, currentPassword: string, newPassword: string) =>
      http.send('POST', '/api/auth/password', { caller: { cookie: token }, json: { currentPassword, newPassword } })

    it('ends every session of the account, gives the caller a fresh one, and leaves other accounts signed in', async () => {
      const [laptop, phone, tablet] = [await signIn(t, 'editor-a@x.io', PASSWORD), await signIn(t, 'editor-a@x.io', PASSWORD), await signIn(t, 'editor-a@x.io', PASSWORD)]
      const someoneElse = await signIn(t, 'viewer-a@x.io', PASSWORD)
      const r = await change(laptop, PASSWORD, 'a brand new passphrase')
      expect(r.status, r.text).toBe(200)
      const fresh = sessionOf(r.setCookie)!
      expect(r.setCookie!.toLowerCase()).toMatch(/httponly/)
      for (const old of [laptop, phone, tablet]) expect(await alive(old)).toBe(false)
      expect(await alive(fresh)).toBe(true)
      expect(await alive(someoneElse)).toBe(true)
      expect((await http.send('POST', '/api/auth/login', { json: { email: 'editor-a@x.io', password: PASSWORD } })).status).toBe(401)
      expect((await http.send('POST', '/api/auth/login', { json: { email: 'editor-a@x.io', password: 'a brand new passphrase' } })).status).toBe(200)
      expect((await change(fresh, 'a brand new passphrase', PASSWORD)).status).toBe(200)
    })

    it('refuses bad input with a stable code: a wrong current password, a short new one, missing fields, no session', async () => {
      const token = await signIn(t, 'editor-a@x.io', PASSWORD)
      expect(await change(token, 'not it', 'a long enough password')).toMatchObject({ status: 403, code: 'wrong_password' })
      expect(await change(token, PASSWORD, 'short')).toMatchObject({ status: 400, code: 'invalid_field' })
      expect(JSON.parse((await change(token, PASSWORD, 'short')).text).error.field).toBe('newPassword')
      expect(await http.send('POST', '/api/auth/password', { caller: { cookie: token }, json: { newPassword: 'a long enough password' } })).toMatchObject({ status: 400, code: 'missing_field' })
      expect(await http.send('POST', '/api/auth/password', { caller: { cookie: token }, headers: { 'content-type': 'application/json' }, body: '{nope' })).toMatchObject({ status: 400, code: 'invalid_json' })
      expect(await http.send('POST', '/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: 'a long enough password' } })).toMatchObject({ status: 401, code: 'unauthorized' })
      expect(await http.send('POST', '/api/auth/password', { caller: { bearer: t.secretKey }, json: { currentPassword: PASSWORD, newPassword: 'a long enough password' } })).toMatchObject({ status: 401 })
      // None of these changed anything.
      expect(await alive(token)).toBe(true)
      await t.db.execute({ sql: 'DELETE FROM login_failures', args: [] })
    })

    it('counts wrong current passwords against the sign-in limit: locked with 429 and Retry-After, even with the right one', async () => {
      const token = await signIn(t, 'editor-a@x.io', PASSWORD)
      for (let i = 0; i < LOGIN_LIMIT.failures; i++) expect((await change(token, `wrong ${i}`, 'a long enough password')).status).toBe(403)
      const locked = await t.app.request(`${ORIGIN}/api/auth/password`, { method: 'POST', headers: { cookie: `jimer_session=${token}`, origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: PASSWORD, newPassword: 'a long enough password' }) })
      expect(locked.status).toBe(429)
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800)
      // The same counter locks sign-in for that email.
      expect((await http.send('POST', '/api/auth/login', { json: { email: 'editor-a@x.io', password: PASSWORD } })).status).toBe(429)
      expect(await alive(token)).toBe(true)
      t.clock.advance(LOGIN_LIMIT.windowMs + 60_000)
      try {
        expect((await change(token, PASSWORD, 'a long enough password')).status).toBe(200)
      } finally {
        t.clock.advance(-(LOGIN_LIMIT.windowMs + 60_000))
      }
    })
  })
})
