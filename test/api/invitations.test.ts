import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { INVITATION_TTL_MS } from '../../worker/src/teams/invitation-token.js'
import { PASSWORD, addAccount, client, sessionOf, signIn, type Caller } from '../security/two-projects.js'
import { testApp } from '../helpers/test-app.js'

/**
 * Issue 15: members and invitations. A link is 256 random bits stored as a hash, single
 * use (also when two accepts race), good for 7 days, revocable; accepting makes an account
 * or joins the signed-in one, never sets an existing account's password; the last admin
 * stays.
 */
describe('invitations and members', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let http: ReturnType<typeof client>
  let admin: string
  const base = () => `/api/projects/${t.boot.projectId}`
  const invite = async (email: string, role = 'viewer', caller: Caller = { cookie: admin }) => {
    const r = await http.send('POST', `${base()}/invitations`, { caller, json: { email, role } })
    expect(r.status, r.text).toBe(201)
    const body = JSON.parse(r.text) as { id: string; url: string; expiresAt: number; emailed: boolean }
    return { ...body, token: new URL(body.url).hash.slice(1) }
  }
  const accept = (token: string, opts: { password?: string; caller?: Caller } = {}) =>
    http.send('POST', '/api/invitations/accept', { caller: opts.caller, json: { token, ...(opts.password ? { password: opts.password } : {}) } })
  const members = async () => JSON.parse((await http.send('GET', `${base()}/members`, { caller: { cookie: admin } })).text).members as { accountId: string; email: string; role: string }[]

  beforeAll(async () => {
    t = await testApp()
    http = client(t.app)
    admin = await signIn(t, 'admin@localhost', PASSWORD)
  })
  afterAll(() => t.dispose())

  it('makes a link of 256 random bits from the CSPRNG, in the URL fragment, and stores only its hash', async () => {
    const spy = vi.spyOn(crypto, 'getRandomValues')
    const inv = await invite('Ann@Example.com')
    const drawn = spy.mock.results.map((r) => r.value as Uint8Array).find((b) => Buffer.from(b).toString('base64url') === inv.token)
    spy.mockRestore()
    expect(drawn?.length).toBe(32)
    expect(inv.url).toBe(`http://localhost/invite#${inv.token}`)
    expect(inv.emailed).toBe(false)
    expect(inv.expiresAt).toBe(t.clock.get() + INVITATION_TTL_MS)
    const rows = JSON.stringify((await t.db.execute('SELECT * FROM invitations')).rows) + JSON.stringify((await t.db.execute('SELECT * FROM audit_log')).rows)
    expect(rows).not.toContain(inv.token)
    const pending = JSON.parse((await http.send('GET', `${base()}/invitations`, { caller: { cookie: admin } })).text).invitations
    expect(pending).toEqual([expect.objectContaining({ id: inv.id, email: 'ann@example.com', role: 'viewer', invitedBy: 'admin@localhost' })])
    const look = await http.send('POST', '/api/invitations/lookup', { json: { token: inv.token } })
    expect(JSON.parse(look.text)).toMatchObject({ projectName: 'My project', email: 'ann@example.com', role: 'viewer', accountExists: false, signedInAs: null })
  })

  it('makes an account with the password and signs it in; the same link then fails, and so does a second racing accept', async () => {
    const inv = await invite('ann@example.com', 'viewer')
    expect(await accept(inv.token)).toMatchObject({ status: 400, code: 'missing_field' })
    expect(await accept(inv.token, { password: 'short' })).toMatchObject({ status: 400 })
    const ok = await accept(inv.token, { password: 'ann has a long password' })
    expect(ok.status, ok.text).toBe(200)
    const cookie = sessionOf(ok.setCookie)!
    expect(JSON.parse((await http.send('GET', '/api/auth/me', { caller: { cookie } })).text).projects).toEqual([{ id: t.boot.projectId, name: 'My project', role: 'viewer' }])
    expect(await accept(inv.token, { password: 'ann has a long password' })).toMatchObject({ status: 410, code: 'invitation_used' })
    expect(await accept(inv.token, { caller: { cookie } })).toMatchObject({ status: 410, code: 'invitation_used' })
    expect((await members()).find((m) => m.email === 'ann@example.com')?.role).toBe('viewer')
    expect(JSON.parse((await http.send('GET', `${base()}/invitations`, { caller: { cookie: admin } })).text).invitations).toEqual([])

    const race = await invite('bob@example.com', 'editor')
    const replies = await Promise.all([accept(race.token, { password: 'bob password one!' }), accept(race.token, { password: 'bob password two!' })])
    expect(replies.map((r) => r.status).sort()).toEqual([200, 410])
    expect((await t.db.execute(`SELECT count(*) AS n FROM accounts WHERE email = 'bob@example.com'`)).rows[0].n).toBe(1)
  })

  it('expires after 7 days to the millisecond', async () => {
    const late = await invite('late@example.com')
    const onTime = await invite('ontime@example.com')
    t.clock.advance(INVITATION_TTL_MS - 1)
    expect((await http.send('POST', '/api/invitations/lookup', { json: { token: onTime.token } })).status).toBe(200)
    expect((await accept(onTime.token, { password: 'just in time, surely' })).status).toBe(200)
    t.clock.advance(1)
    // A week without use ends the admin's session too (SESSION_IDLE_MS).
    admin = await signIn(t, 'admin@localhost', PASSWORD)
    expect(await accept(late.token, { password: 'one millisecond late' })).toMatchObject({ status: 410, code: 'invitation_expired' })
    expect(await http.send('POST', '/api/invitations/lookup', { json: { token: late.token } })).toMatchObject({ status: 410, code: 'invitation_expired' })
    expect(JSON.parse((await http.send('GET', `${base()}/invitations`, { caller: { cookie: admin } })).text).invitations).toEqual([])
  })

  it('never sets an existing account\'s password: that account signs in, then joins', async () => {
    await addAccount(t, 'carol@example.com', [])
    const inv = await invite('carol@example.com', 'editor')
    expect(await accept(inv.token, { password: 'taking over carol' })).toMatchObject({ status: 409, code: 'sign_in_first' })
    expect((await http.send('POST', '/api/auth/login', { json: { email: 'carol@example.com', password: 'taking over carol' } })).status).toBe(401)
    const carol = await signIn(t, 'carol@example.com', PASSWORD)
    const ok = await accept(inv.token, { caller: { cookie: carol } })
    expect(ok.status, ok.text).toBe(200)
    expect(ok.setCookie).toBeNull()
    expect((await members()).find((m) => m.email === 'carol@example.com')?.role).toBe('editor')
  })

  it('refuses an email that is a member already, replaces a pending link when invited again, and revokes', async () => {
    expect(await http.send('POST', `${base()}/invitations`, { caller: { cookie: admin }, json: { email: 'carol@example.com', role: 'viewer' } })).toMatchObject({ status: 409, code: 'already_member', text: expect.stringContaining('"field":"email"') })
    const first = await invite('dave@example.com')
    const second = await invite('dave@example.com', 'editor')
    expect(await accept(first.token, { password: 'dave has a password' })).toMatchObject({ status: 404, code: 'invalid_invitation' })
    expect((await http.send('DELETE', `${base()}/invitations/${second.id}`, { caller: { cookie: admin } })).status).toBe(204)
    expect(await accept(second.token, { password: 'dave has a password' })).toMatchObject({ status: 404, code: 'invalid_invitation' })
    expect((await http.send('DELETE', `${base()}/invitations/${second.id}`, { caller: { cookie: admin } })).status).toBe(404)
  })

  it('changes roles and removes members, but never the last admin', async () => {
    const all = await members()
    const me = all.find((m) => m.email === 'admin@localhost')!
    const carol = all.find((m) => m.email === 'carol@example.com')!
    expect(await http.send('PATCH', `${base()}/members/${me.accountId}`, { caller: { cookie: admin }, json: { role: 'editor' } })).toMatchObject({ status: 409, code: 'last_admin' })
    expect(await http.send('DELETE', `${base()}/members/${me.accountId}`, { caller: { cookie: admin } })).toMatchObject({ status: 409, code: 'last_admin' })
    expect(await http.send('PATCH', `${base()}/members/${carol.accountId}`, { caller: { cookie: admin }, json: { role: 'owner' } })).toMatchObject({ status: 400, code: 'invalid_field' })
    expect((await http.send('PATCH', `${base()}/members/${carol.accountId}`, { caller: { cookie: admin }, json: { role: 'admin' } })).status).toBe(200)
    // Two admins now: either may step down, and then the other is the last.
    expect((await http.send('PATCH', `${base()}/members/${me.accountId}`, { caller: { cookie: admin }, json: { role: 'admin' } })).status).toBe(200)
    const carolSession = await signIn(t, 'carol@example.com', PASSWORD)
    expect((await http.send('DELETE', `${base()}/members/${me.accountId}`, { caller: { cookie: carolSession } })).status).toBe(204)
    expect(await http.send('GET', `${base()}/members`, { caller: { cookie: admin } })).toMatchObject({ status: 403 })
    expect(await http.send('PATCH', `${base()}/members/${carol.accountId}`, { caller: { cookie: carolSession }, json: { role: 'viewer' } })).toMatchObject({ status: 409, code: 'last_admin' })
    expect(await http.send('DELETE', `${base()}/members/acc_nobody`, { caller: { cookie: carolSession } })).toMatchObject({ status: 404, code: 'not_found' })
  })
})
