import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventNames, loadFacts, type UserFacts } from '../../worker/src/segments/facts.js'
import { loadLibrary } from '../../worker/src/segments/store.js'
import { testApp } from '../helpers/test-app.js'

const DAY = 86_400_000
const tree = (logic: 'and' | 'or', ...conditions: unknown[]) => ({ version: 1, root: { type: 'group', logic, conditions } })

/** A stored user's facts typed back as the simulator's made-up profile: the round trip the agreement test rests on. */
function profileOf(f: UserFacts) {
  return {
    userId: f.userId, email: f.email, name: f.name, status: f.status,
    created: f.createdAt, firstSeen: f.firstSeen, lastSeen: f.lastSeen, sessions: f.sessions, eventsCount: f.eventsCount,
    jimerIds: f.devices, attributes: f.attributes, tags: f.tagIds,
    events: f.events.map((e) => ({ name: e.name, at: e.timestamp, properties: e.properties })),
    experiences: [
      ...f.interactions.map((i) => ({ experience: i.experienceId, action: i.action })),
      ...f.responses.map((r) => ({ experience: r.experienceId, action: 'answered', ...(r.answer === null ? {} : { answer: r.answer }) })),
    ],
    segments: f.staticSegments,
  }
}

describe('the segment simulator', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const ids: Record<string, number> = {}
  let vip = 0
  const api = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    Promise.resolve(t.app.request(`/api/projects/${t.boot.projectId}${path}`, {
      method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}`, ...headers },
    })).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))
  const simulate = (profile: unknown) => api('/simulate', { profile })
  const memberNames = (r: { body: { segments: { name: string; member: boolean }[] } }) => r.body.segments.filter((s) => s.member).map((s) => s.name).sort()

  beforeAll(async () => {
    t = await testApp()
    const now = t.clock.get()
    const at = (days: number) => new Date(now - days * DAY).toISOString()
    await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch: [
      { type: 'identify', userId: 'ann', anonymousId: 'dev-ann', traits: { plan: 'pro', country: 'FR', email: 'ann@acme.io', seats: 12, roles: ['admin'] }, timestamp: at(3) },
      { type: 'track', userId: 'ann', event: 'order_placed', properties: { total: 300 }, timestamp: at(2) },
      { type: 'track', userId: 'ann', event: 'order_placed', properties: { total: 250 }, timestamp: at(1) },
      { type: 'track', userId: 'ann', event: '$experience', properties: { id: 'tour-1', action: 'completed' }, timestamp: at(1) },
      { type: 'identify', userId: 'bob', anonymousId: 'dev-bob', traits: { plan: 'free', country: 'DE', seats: 1 }, timestamp: at(40) },
      { type: 'track', userId: 'bob', event: 'order_placed', properties: { total: 900 }, timestamp: at(40) },
      { type: 'track', userId: 'bob', event: '$response', properties: { experience: 'nps', answer: 9 }, timestamp: at(39) },
      { type: 'identify', userId: 'cat', traits: { plan: 'pro', country: 'DE', seats: 3 }, timestamp: at(5) },
      { type: 'page', userId: 'cat', name: 'Home', timestamp: at(5) },
      { type: 'identify', userId: 'dan', traits: { plan: 'pro', country: 'FR' }, timestamp: at(1) },
    ] }) })
    for (const u of ['ann', 'bob', 'cat', 'dan']) ids[u] = Number((await t.db.execute({ sql: 'SELECT id FROM users WHERE user_id = ?', args: [u] })).rows[0].id)
    vip = (await api('/tags', { name: 'VIP' })).body.id
    await api(`/users/${ids.cat}/tags`, { tagId: vip })
    const list = await api('/segments', { name: 'Beta list', kind: 'static' })
    await api(`/segments/${list.body.id}/members`, { userIds: ['bob', 'dan'] })
    // dan is disabled: stored membership holds him in nothing dynamic.
    await t.app.request(`/api/projects/${t.boot.projectId}/users/${ids.dan}`, { method: 'PATCH', body: JSON.stringify({ status: 'disabled' }), headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` } })
    const pro = await api('/segments', { name: 'Pro', conditions: tree('and', { type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }) })
    const segments = [
      { name: 'Big spenders', conditions: tree('and', { type: 'event', event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500, window: { lastDays: 30 } }) },
      { name: 'Pro in France', conditions: tree('and', { type: 'segment', operator: 'in', segmentId: pro.body.id }, { type: 'attribute', key: 'country', operator: 'is', value: 'fr' }) },
      { name: 'VIP or beta', conditions: tree('or', { type: 'tag', operator: 'has_any', tagIds: [vip] }, { type: 'segment', operator: 'in', segmentId: list.body.id }) },
      { name: 'Toured, promoters', conditions: tree('or', { type: 'experience', experience: 'tour-1', action: 'completed' }, { type: 'experience', experience: 'nps', action: 'answered', answer: '9' }) },
      { name: 'Quiet admins', conditions: tree('and', { type: 'attribute', key: 'roles', operator: 'list_contains', value: 'admin' }, { type: 'event', event: 'order_placed', measure: 'count', operator: 'lt', value: 5 }, { type: 'property', field: 'last_seen', operator: 'less_than_days_ago', value: 7 }) },
      { name: 'Not seen lately', conditions: tree('and', { type: 'property', field: 'last_seen', operator: 'more_than_days_ago', value: 30 }, { type: 'property', field: 'jimer_id', operator: 'is_set' }) },
    ]
    for (const s of segments) expect((await api('/segments', s)).status).toBe(201)
  })
  afterAll(() => t.dispose())

  it('agrees with stored membership for every real user turned into a made-up profile', async () => {
    const lib = await loadLibrary(t.db, t.boot.projectId)
    const names = eventNames([...lib.segments.values()].flatMap((s) => (s.tree ? [s.tree] : [])))
    for (const [user, pk] of Object.entries(ids)) {
      const facts = (await loadFacts(t.db, t.boot.projectId, { pk }, names))!
      const stored = (await t.db.execute({ sql: 'SELECT s.name FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.user_pk = ? ORDER BY s.name', args: [pk] })).rows.map((r) => String(r.name))
      const r = await simulate(profileOf(facts))
      expect(r.status).toBe(200)
      expect({ user, segments: memberNames(r) }).toEqual({ user, segments: [...stored].sort() })
    }
    // The data covers both answers for every segment, so agreement is not agreement on "nobody".
    const everyone = (await t.db.execute('SELECT DISTINCT segment_id FROM segment_members')).rows.length
    expect(everyone).toBe(lib.segments.size)
  })

  it('answers each segment with its per-condition explanation, members first', async () => {
    const r = await simulate({ attributes: { plan: 'pro', country: 'FR' }, events: [{ name: 'order_placed', count: 2, properties: { total: 300 }, at: { daysAgo: 1 } }] })
    expect(r.status).toBe(200)
    expect(memberNames(r)).toEqual(['Big spenders', 'Pro', 'Pro in France'])
    expect(r.body.segments.slice(0, 3).every((s: any) => s.member)).toBe(true)
    const big = r.body.segments.find((s: any) => s.name === 'Big spenders')
    expect(big.explanation.children[0]).toMatchObject({ kind: 'leaf', label: 'sum(order_placed.total) in the last 30 days ≥ 500', actual: 600, threshold: 500, pass: true })
    const quiet = r.body.segments.find((s: any) => s.name === 'Quiet admins')
    expect(quiet).toMatchObject({ member: false, reason: 'the conditions did not pass' })
    expect(quiet.explanation.children.map((c: any) => c.pass)).toEqual([false, true, true])
  })

  it('takes tags by name, static lists by id, and says a disabled profile is in nothing dynamic', async () => {
    const lib = await loadLibrary(t.db, t.boot.projectId)
    const beta = [...lib.segments.values()].find((s) => s.name === 'Beta list')!
    expect(memberNames(await simulate({ tags: ['VIP'] }))).toEqual(['VIP or beta'])
    expect(memberNames(await simulate({ segments: [beta.id] }))).toEqual(['Beta list', 'VIP or beta'])
    const off = await simulate({ status: 'disabled', tags: [vip], attributes: { plan: 'pro' } })
    expect(memberNames(off)).toEqual([])
    expect(off.body.segments.find((s: any) => s.name === 'Pro')).toMatchObject({ member: false, reason: 'the profile is disabled', explanation: { pass: true } })
  })

  it('writes nothing', async () => {
    const count = async () => (await t.db.execute(`SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM segment_members) + (SELECT count(*) FROM events) + (SELECT count(*) FROM audit_log) AS n`)).rows[0].n
    const before = await count()
    await simulate({ userId: 'ghost', attributes: { plan: 'pro' }, events: [{ name: 'order_placed', count: 3 }] })
    expect(await count()).toBe(before)
  })

  it('refuses bad profiles with the field that is wrong', async () => {
    expect(await simulate({ sessions: -1 })).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'profile.sessions' } } })
    expect(await simulate({ tags: ['no such tag'] })).toMatchObject({ status: 400, body: { error: { code: 'unknown_tag', field: 'profile.tags.0' } } })
    expect(await simulate({ segments: [999] })).toMatchObject({ status: 400, body: { error: { code: 'unknown_segment', field: 'profile.segments.0' } } })
    expect(await simulate({ lastSeen: 'yesterday-ish' })).toMatchObject({ status: 400, body: { error: { field: 'profile.lastSeen' } } })
    expect(await simulate({ events: [{ name: 'x', at: 'soon' }] })).toMatchObject({ status: 400, body: { error: { field: 'profile.events.0.at' } } })
    expect(await simulate({ events: [{ name: 'a', count: 6000 }, { name: 'b', count: 6000 }] })).toMatchObject({ status: 400, body: { error: { field: 'profile.events' } } })
    const bad = await t.app.request(`/api/projects/${t.boot.projectId}/simulate`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` } })
    expect(bad.status).toBe(400)
  })
})
