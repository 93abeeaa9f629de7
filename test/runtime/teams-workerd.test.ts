import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { workerdApp } from './workerd-app.js'

/**
 * Teams in workerd (issue 15): API tokens, invitations (DELETE … RETURNING, conditional
 * inserts in one batch) and the audit log, through the bundled Worker over Hrana.
 */
describe('tokens, invitations and the audit log in the Workers runtime', () => {
  let app: Awaited<ReturnType<typeof workerdApp>>
  const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  beforeAll(async () => {
    app = await workerdApp('workerd teams password')
  }, 120_000)
  afterAll(() => app?.close())

  it('makes a scoped token that works at once and fails at once when revoked, and logs both', async () => {
    const made = await app.call('/tokens', { method: 'POST', ...json({ name: 'edge writer', scope: 'write' }) })
    expect(made.status).toBe(201)
    const { id, token } = await made.json() as { id: string; token: string }
    const asToken = (path: string, init: RequestInit = {}) => app.fetch(`/api/projects/${app.boot.projectId}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } })
    expect((await asToken('/tags', { method: 'POST', ...json({ name: 'from the edge' }) })).status).toBe(201)
    expect((await asToken('/tokens')).status).toBe(403)
    expect((await app.call(`/tokens/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await asToken('/tags')).status).toBe(401)
    const audit = await (await app.call('/audit')).json() as { entries: { action: string; actor: { name: string } }[] }
    expect(audit.entries.map((e) => [e.action, e.actor.name])).toEqual([['token.delete', 'secret key'], ['tag.create', 'edge writer'], ['token.create', 'secret key']])
  })

  it('accepts an invitation once', async () => {
    const inv = await (await app.call('/invitations', { method: 'POST', ...json({ email: 'edge@example.com', role: 'viewer' }) })).json() as { url: string }
    const token = new URL(inv.url).hash.slice(1)
    const accept = () => app.fetch('/api/invitations/accept', { method: 'POST', ...json({ token, password: 'an edge password' }) })
    const first = await accept()
    expect(first.status).toBe(200)
    expect(first.headers.get('set-cookie')).toMatch(/jimer_session=/)
    expect((await accept()).status).toBe(410)
    const members = await (await app.call('/members')).json() as { members: { email: string; role: string }[] }
    expect(members.members).toContainEqual(expect.objectContaining({ email: 'edge@example.com', role: 'viewer' }))
  })
})
