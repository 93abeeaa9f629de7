import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDIT_RETENTION_MS } from '../../worker/src/audit/log.js'
import { runScheduled } from '../../worker/src/scheduled.js'
import { directWriter } from '../../worker/src/ingest/writer.js'
import { PASSWORD, addAccount, client, signIn, type Caller } from '../security/two-projects.js'
import { testApp } from '../helpers/test-app.js'

interface Entry { id: number; at: number; actor: { type: string; id: string | null; name: string }; action: string; objectType: string; objectId: string | null; summary: { before?: Record<string, unknown>; after?: Record<string, unknown> } }

/**
 * Issue 15: the audit log. Each change through the admin API appends one row naming the
 * actor (account email, token name, the secret key), the action and object, with a short
 * summary that holds no secret and nothing of a user; filters; 365-day retention.
 */
describe('the audit log', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let http: ReturnType<typeof client>
  let admin: string
  let token: string
  const base = () => `/api/projects/${t.boot.projectId}`
  const send = async (method: string, path: string, caller: Caller, json?: unknown, status = 0) => {
    const r = await http.send(method, `${base()}${path}`, { caller, json })
    expect(r.status, `${method} ${path}: ${r.text.slice(0, 200)}`).toBeLessThan(300)
    if (status) expect(r.status).toBe(status)
    return r.text ? JSON.parse(r.text) : null
  }
  const log = async (query = '') => (await send('GET', `/audit${query}`, { cookie: admin })).entries as Entry[]

  beforeAll(async () => {
    t = await testApp()
    http = client(t.app)
    admin = await signIn(t, 'admin@localhost', PASSWORD)
    token = (await send('POST', '/tokens', { cookie: admin }, { name: 'CRM sync', scope: 'admin' })).token
  })
  afterAll(() => t.dispose())

  it('appends one row per change with the right actor, action and object, newest first', async () => {
    const session = { cookie: admin }
    const server = { bearer: token }
    const steps: [string, Caller, string, string][] = []
    const step = async (method: string, path: string, caller: Caller, json: unknown, action: string, actor: string) => {
      const r = await send(method, path, caller, json)
      steps.push([method + ' ' + path, caller, action, actor])
      return r
    }
    const user = await step('POST', '/users', server, { userId: 'audit-eve', email: 'eve@audit.example', name: 'Eve Audited' }, 'user.create', 'CRM sync')
    await step('PATCH', `/users/${user.id}`, session, { name: 'Eve Renamed', attributes: { plan: 'pro' } }, 'user.update', 'admin@localhost')
    await step('PATCH', `/users/${user.id}`, session, { status: 'disabled' }, 'user.disable', 'admin@localhost')
    const tag = await step('POST', '/tags', server, { name: 'vip' }, 'tag.create', 'CRM sync')
    await step('PATCH', `/tags/${tag.id}`, session, { name: 'very important' }, 'tag.update', 'admin@localhost')
    await step('POST', `/users/${user.id}/tags`, session, { tagId: tag.id }, 'user.tag', 'admin@localhost')
    const seg = await step('POST', '/segments', { bearer: t.secretKey }, { name: 'Pros', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } }, 'segment.create', 'secret key')
    await step('PATCH', `/segments/${seg.id}`, session, { name: 'Pro users' }, 'segment.update', 'admin@localhost')
    await step('POST', '/attributes', session, { key: 'plan', type: 'string' }, 'attribute.create', 'admin@localhost')
    await step('PATCH', '/settings', session, { verification: 'required' }, 'settings.update', 'admin@localhost')
    await step('POST', '/settings/rotate', session, { key: 'secret' }, 'key.rotate', 'admin@localhost')
    await step('POST', '/invitations', session, { email: 'new@audit.example', role: 'editor' }, 'invitation.create', 'admin@localhost')
    await step('DELETE', `/tags/${tag.id}`, server, undefined, 'tag.delete', 'CRM sync')
    await step('DELETE', `/segments/${seg.id}`, server, undefined, 'segment.delete', 'CRM sync')
    await step('DELETE', `/users/${user.id}`, session, undefined, 'user.delete', 'admin@localhost')

    const entries = (await log()).reverse()
    expect(entries[0]).toMatchObject({ action: 'token.create', actor: { type: 'account', name: 'admin@localhost' }, summary: { after: { name: 'CRM sync', scope: 'admin' } } })
    expect(entries.slice(1).map((e) => [e.action, e.actor.name])).toEqual(steps.map(([, , action, actor]) => [action, actor]))
    const byAction = (a: string) => entries.filter((e) => e.action === a)
    expect(byAction('tag.update')[0].summary).toEqual({ before: { name: 'vip', color: expect.any(String) }, after: { name: 'very important' } })
    expect(byAction('segment.update')[0]).toMatchObject({ objectType: 'segment', objectId: String(seg.id), summary: { before: { name: 'Pros' }, after: { name: 'Pro users' } } })
    expect(byAction('settings.update')[0].summary).toMatchObject({ before: { verification: 'optional' }, after: { verification: 'required' } })
    expect(byAction('user.update')[0].summary).toEqual({ after: { fields: ['name', 'attributes.plan'] } })
    expect(byAction('tag.create')[0].actor).toMatchObject({ type: 'token', id: expect.stringMatching(/^tok_/) })
    // Reads are not changes.
    await send('GET', '/users', session)
    expect((await log()).length).toBe(entries.length)
  })

  it('keeps no secret and nothing of an erased user', async () => {
    const rotated = (await t.db.execute({ sql: 'SELECT write_key, secret_key, previous_secret_key FROM projects WHERE id = ?', args: [t.boot.projectId] })).rows[0]
    const text = JSON.stringify((await t.db.execute('SELECT * FROM audit_log')).rows)
    for (const secret of [token, t.secretKey, String(rotated.secret_key), String(rotated.write_key), PASSWORD]) expect(text).not.toContain(secret)
    for (const personal of ['audit-eve', 'eve@audit.example', 'Eve Audited', 'Eve Renamed']) expect(text).not.toContain(personal)
  })

  it('filters by actor, object type, object and time, and pages with next', async () => {
    expect((await log('?actor=CRM%20sync')).map((e) => e.action)).toEqual(['segment.delete', 'tag.delete', 'tag.create', 'user.create'])
    // Tagging a user is logged on the user, not the tag.
    expect((await log('?objectType=tag')).map((e) => e.action)).toEqual(['tag.delete', 'tag.update', 'tag.create'])
    const all = await log()
    expect((await log(`?objectType=segment&objectId=${all.find((e) => e.action === 'segment.create')!.objectId}`)).map((e) => e.action)).toEqual(['segment.delete', 'segment.update', 'segment.create'])
    t.clock.advance(60_000)
    await send('POST', '/tags', { cookie: admin }, { name: 'later' })
    const later = await log(`?from=${new Date(t.clock.get()).toISOString()}`)
    expect(later.map((e) => e.action)).toEqual(['tag.create'])
    expect((await log(`?to=${t.clock.get() - 1}`)).length).toBe(all.length)
    const page = await send('GET', '/audit?limit=5', { cookie: admin })
    expect(page.entries).toHaveLength(5)
    const next = await send('GET', `/audit?limit=5&before=${page.next}`, { cookie: admin })
    expect(next.entries[0].id).toBe(page.entries[4].id - 1)
    expect(await http.send('GET', `${base()}/audit?objectType=nope`, { caller: { cookie: admin } })).toMatchObject({ status: 400, code: 'invalid_field' })
    await addAccount(t, 'editor@audit.example', [[t.boot.projectId, 'editor']])
    expect(await http.send('GET', `${base()}/audit`, { caller: { cookie: await signIn(t, 'editor@audit.example', PASSWORD) } })).toMatchObject({ status: 403 })
  })

  it('drops rows older than 365 days on the schedule and keeps the rest', async () => {
    const now = t.clock.get()
    await t.db.execute({ sql: `INSERT INTO audit_log (project_id, at, actor_type, actor_name, action, object_type) VALUES (?, ?, 'account', 'old', 'tag.create', 'tag'), (?, ?, 'account', 'recent', 'tag.create', 'tag')`, args: [t.boot.projectId, now - AUDIT_RETENTION_MS - 1, t.boot.projectId, now - AUDIT_RETENTION_MS + 1] })
    const before = (await log('?limit=500')).length
    const r = await runScheduled(t.db, directWriter(t.db), now)
    expect(r.auditPruned).toBe(1)
    const names = (await log('?limit=500')).map((e) => e.actor.name)
    expect(names).toContain('recent')
    expect(names).not.toContain('old')
    expect(names.length).toBe(before - 1)
  })
})
