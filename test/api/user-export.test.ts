import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EVENT_PAGE_SIZE, eventPages } from '../../worker/src/exports/user-events.js'
import { testApp } from '../helpers/test-app.js'

describe("one user's data as JSON (F-37)", () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let pk: number
  const api = (path: string, init: RequestInit = {}) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { authorization: `Bearer ${t.secretKey}`, ...(init.headers as Record<string, string>) } })
  const send = (batch: unknown[]) => t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })

  beforeAll(async () => {
    t = await testApp()
    const now = t.clock.get()
    await send([
      { type: 'identify', userId: 'zoe', anonymousId: 'dev-zoe', traits: { email: 'zoe@example.com', plan: 'pro' }, timestamp: new Date(now - 60_000).toISOString() },
      { type: 'track', userId: 'zoe', event: '$experience', properties: { id: 'tour', name: 'Tour', action: 'completed', step: 3, steps: 3 }, timestamp: new Date(now - 50_000).toISOString() },
      { type: 'track', userId: 'zoe', event: '$response', properties: { experience: 'nps', step: 1, question: 'How likely?', answer: '10' }, timestamp: new Date(now - 40_000).toISOString() },
      { type: 'alias', userId: 'zoe', previousId: 'zoe-old' },
    ])
    pk = Number((await t.db.execute("SELECT id FROM users WHERE user_id = 'zoe'")).rows[0].id)
  })
  afterAll(() => t.dispose())

  it('holds the profile, aliases, devices, tags, memberships, interactions, responses and every event', async () => {
    await api(`/users/${pk}/tags`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Exported' }) })
    // More events than one page, several sharing a timestamp across the page boundary.
    const n = EVENT_PAGE_SIZE * 2 + 3
    await t.db.execute({
      sql: `INSERT INTO events (project_id, user_pk, type, name, properties, timestamp, received_at, message_id)
            WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
            SELECT ?, ?, 'track', 'bulk', json_object('i', i), 1000 + i / 7, 0, 'bulk-' || i FROM k`,
      args: [n, t.boot.projectId, pk],
    })
    const r = await api(`/users/${pk}/export`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(r.body).toBeInstanceOf(ReadableStream)
    const data = await r.json() as any
    expect(Object.keys(data)).toEqual(['exportedAt', 'profile', 'aliases', 'devices', 'tags', 'segments', 'interactions', 'responses', 'events'])
    expect(data.profile).toMatchObject({ userId: 'zoe', email: 'zoe@example.com', attributes: { plan: 'pro' } })
    expect(data.aliases).toContain('zoe-old')
    expect(data.devices.map((d: any) => d.jimerId)).toEqual(['dev-zoe'])
    expect(data.tags.map((x: any) => x.name)).toEqual(['Exported'])
    expect(data.interactions).toMatchObject([{ experience: 'tour', action: 'completed' }])
    expect(data.responses).toMatchObject([{ experience: 'nps', answer: '10' }])
    const bulk = data.events.filter((e: any) => e.name === 'bulk')
    expect(bulk.map((e: any) => e.properties.i)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    expect(data.events.map((e: any) => e.name)).toEqual(expect.arrayContaining(['$identify', '$experience', '$response']))
  })

  it('pages events by (timestamp, id): ties on a timestamp are neither lost nor repeated', async () => {
    const seen: number[] = []
    let pages = 0
    for await (const page of eventPages(t.db, t.boot.projectId, pk, 5)) {
      pages++
      seen.push(...page.filter((e) => e.name === 'bulk').map((e) => (e.properties as { i: number }).i))
    }
    expect(pages).toBeGreaterThan(100)
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1))
    expect(seen.length).toBe(EVENT_PAGE_SIZE * 2 + 3)
  })

  it('is not found for a user of another project', async () => {
    await t.db.execute(`INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES ('prj_b', 'B', 'wk_b', 'sk_b', 0)`)
    const r = await t.app.request(`/api/projects/prj_b/users/${pk}/export`, { headers: { authorization: 'Bearer sk_b' } })
    expect(r.status).toBe(404)
  })
})
