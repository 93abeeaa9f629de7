import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allRows } from '../helpers/all-rows.js'
import { testApp } from '../helpers/test-app.js'

/**
 * Erasure (F-37, issue 7 item 9): a user with three devices, an alias, events, tags,
 * memberships, interactions, responses and an import error row quoting them. The export
 * before the delete holds all of it; after it, no row anywhere mentions them; and an old
 * snippet queue or a lagging server cannot bring the profile back.
 */
describe('erasing a user', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let pk: number
  const api = (path: string, init: RequestInit = {}) => t.app.request(`/api/projects/${t.boot.projectId}${path}`, {
    ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}`, ...(init.headers as Record<string, string>) },
  })
  const batch = async (messages: unknown[]) => (await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch: messages }) })).json() as Promise<{ accepted: number; rejected: { index: number; code: string }[] }>
  const MARKERS = ['eve-77', 'eve-old', 'eve@erase.me', 'dev-eve-1', 'dev-eve-2', 'dev-eve-3', 'Eve Erasable']

  const everything = () => allRows(t.db)

  beforeAll(async () => {
    t = await testApp()
    const r = await batch([
      { type: 'identify', anonymousId: 'dev-eve-1', userId: 'eve-77', traits: { email: 'eve@erase.me', name: 'Eve Erasable', plan: 'pro' }, context: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0' } },
      { type: 'identify', anonymousId: 'dev-eve-2', userId: 'eve-77' },
      { type: 'identify', anonymousId: 'dev-eve-3', userId: 'eve-77' },
      { type: 'alias', previousId: 'eve-old', userId: 'eve-77' },
      { type: 'track', userId: 'eve-77', event: 'order_placed', properties: { total: 30 } },
      { type: 'track', userId: 'eve-77', event: '$experience', properties: { id: 'tour-1', action: 'seen', step: 1, steps: 3 } },
      { type: 'track', userId: 'eve-77', event: '$response', properties: { experience: 'nps', step: 1, question: 'How likely?', answer: 9 } },
      { type: 'identify', userId: 'bob-1', traits: { email: 'bob@keep.me', plan: 'pro' } },
    ])
    expect(r.rejected).toEqual([])
    pk = Number((await t.db.execute(`SELECT id FROM users WHERE user_id = 'eve-77'`)).rows[0].id)
    await api(`/users/${pk}/tags`, { method: 'POST', body: JSON.stringify({ name: 'vip' }) })
    const pro = await (await api('/segments', { method: 'POST', body: JSON.stringify({ name: 'Pro', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } }) })).json() as { id: number }
    const list = await (await api('/segments', { method: 'POST', body: JSON.stringify({ name: 'List', kind: 'static' }) })).json() as { id: number }
    await api(`/segments/${list.id}/members`, { method: 'POST', body: JSON.stringify({ ids: [pk] }) })
    // An import whose bad row quotes her email: the error report keeps the cell.
    await api('/imports?match=email', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'email,seats\neve@erase.me,many\n' })
    expect((await t.db.execute(`SELECT count(*) AS n FROM segment_members WHERE user_pk = ${pk} AND segment_id IN (${pro.id}, ${list.id})`)).rows[0].n).toBe(2)
  })
  afterAll(() => t.dispose())

  it('exports everything before the delete, then leaves no row anywhere that mentions the user', async () => {
    const exported = JSON.parse(await (await api(`/users/${pk}/export`)).text())
    expect(exported.profile).toMatchObject({ userId: 'eve-77', email: 'eve@erase.me', name: 'Eve Erasable' })
    expect(exported.devices.map((d: { jimerId: string }) => d.jimerId).sort()).toEqual(['dev-eve-1', 'dev-eve-2', 'dev-eve-3'])
    expect(exported.aliases).toEqual(['eve-old'])
    expect(exported.tags.map((x: { name: string }) => x.name)).toEqual(['vip'])
    expect(exported.segments.map((s: { name: string }) => s.name).sort()).toEqual(['List', 'Pro'])
    expect(exported.interactions).toHaveLength(1)
    expect(exported.responses).toHaveLength(1)
    expect(exported.events.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['order_placed', '$experience', '$response', '$identify', '$alias']))
    const before = await everything()
    for (const m of MARKERS) expect(before.some((row) => row.includes(m)), m).toBe(true)

    expect((await api(`/users/${pk}`, { method: 'DELETE' })).status).toBe(204)
    const after = await everything()
    const left = after.filter((row) => MARKERS.some((m) => row.includes(m)) || new RegExp(`"user_pk":${pk}\\b`).test(row))
    expect(left).toEqual([])
    // Bob and the segments are intact; the member counts followed.
    expect(after.some((row) => row.includes('bob@keep.me'))).toBe(true)
    const counts = (await t.db.execute(`SELECT name, member_count FROM segments ORDER BY name`)).rows.map((r) => [r.name, Number(r.member_count)])
    expect(counts).toEqual([['List', 0], ['Pro', 1]])
  })

  it('refuses what an old queue or a lagging server sends under any of the erased ids', async () => {
    const r = await batch([
      { type: 'track', anonymousId: 'dev-eve-2', event: 'page_left' },
      { type: 'identify', userId: 'eve-77', traits: { plan: 'pro' } },
      { type: 'alias', previousId: 'eve-old', userId: 'someone-new' },
      { type: 'track', anonymousId: 'dev-new', event: 'fine' },
    ])
    expect(r.accepted).toBe(1)
    expect(r.rejected.map((x) => [x.index, x.code])).toEqual([[0, 'user_erased'], [1, 'user_erased'], [2, 'user_erased']])
    const single = await t.app.request('/v1/track', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, userId: 'eve-77', event: 'x' }) })
    expect(single.status).toBe(410)
    const rows = await everything()
    expect(rows.filter((row) => MARKERS.some((m) => row.includes(m)))).toEqual([])
  })
})
