import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { treeSchema } from '../../worker/src/segments/condition.js'
import { editImpact } from '../../worker/src/segments/impact.js'
import { loadLibrary } from '../../worker/src/segments/store.js'
import { testApp } from '../helpers/test-app.js'

const DAY = 86_400_000
const tree = (logic: 'and' | 'or', ...conditions: unknown[]) => ({ version: 1, root: { type: 'group', logic, conditions } })
const plan = (value: string) => ({ type: 'attribute', key: 'plan', operator: 'is', value })

describe('edit impact before saving', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let vip = 0
  const seg: Record<string, number> = {}
  const api = (method: string, path: string, body?: unknown) =>
    Promise.resolve(t.app.request(`/api/projects/${t.boot.projectId}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` },
    })).then(async (r) => ({ status: r.status, body: r.status === 204 ? null : (await r.json()) as any }))
  const impact = (id: number, conditions: unknown) => api('POST', `/segments/${id}/impact`, { conditions })
  const members = async (id: number) => new Set((await t.db.execute({ sql: 'SELECT u.user_id FROM segment_members m JOIN users u ON u.id = m.user_pk WHERE m.segment_id = ?', args: [id] })).rows.map((r) => String(r.user_id)))

  beforeAll(async () => {
    t = await testApp()
    const now = t.clock.get()
    const people = [
      ['ann', 'pro', 'FR', 12, 3], ['bob', 'free', 'DE', 1, 0], ['cat', 'pro', 'DE', 3, 1], ['dan', 'enterprise', 'FR', 40, 5],
      ['eve', 'free', 'FR', 2, 2], ['fay', 'pro', 'US', 7, 0], ['gus', 'enterprise', 'US', 90, 1], ['hal', 'free', 'US', 1, 4],
    ] as const
    await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch: people.flatMap(([id, p, country, seats, orders], i) => [
      { type: 'identify', userId: id, traits: { plan: p, country, seats, email: `${id}@example.com`, name: id.toUpperCase() }, timestamp: new Date(now - i * DAY).toISOString() },
      ...Array.from({ length: orders }, (_, k) => ({ type: 'track', userId: id, event: 'order_placed', properties: { total: 100 * (k + 1) }, timestamp: new Date(now - (i + k) * DAY).toISOString() })),
    ]) }) })
    vip = (await api('POST', '/tags', { name: 'VIP' })).body.id
    for (const u of ['ann', 'gus', 'hal']) {
      const pk = Number((await t.db.execute({ sql: 'SELECT id FROM users WHERE user_id = ?', args: [u] })).rows[0].id)
      await api('POST', `/users/${pk}/tags`, { tagId: vip })
    }
    seg.paying = (await api('POST', '/segments', { name: 'Paying', targetable: true, conditions: tree('and', plan('pro')) })).body.id
    seg.payingFr = (await api('POST', '/segments', { name: 'Paying in France', conditions: tree('and', { type: 'segment', operator: 'in', segmentId: seg.paying }, { type: 'attribute', key: 'country', operator: 'is', value: 'FR' }) })).body.id
    seg.outer = (await api('POST', '/segments', { name: 'Paying FR or VIP', targetable: true, conditions: tree('or', { type: 'segment', operator: 'in', segmentId: seg.payingFr }, { type: 'tag', operator: 'has_any', tagIds: [vip] }) })).body.id
    seg.list = (await api('POST', '/segments', { name: 'Manual', kind: 'static' })).body.id
  })
  afterAll(() => t.dispose())

  it('counts who would enter and leave, with samples, and the composing segments\' own change', async () => {
    // Paying: pro (ann, cat, fay) → pro or enterprise: dan and gus enter, nobody leaves.
    const draft = tree('or', plan('pro'), plan('enterprise'))
    const r = await impact(seg.paying, draft)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ entering: 2, leaving: 0, targetable: true, leavingSample: [] })
    expect(r.body.enteringSample.map((u: any) => u.userId).sort()).toEqual(['dan', 'gus'])
    expect(r.body.enteringSample[0]).toEqual({ id: expect.any(Number), userId: expect.any(String), email: expect.stringContaining('@example.com'), name: expect.any(String) })
    // Paying in France gains dan; the outer OR gains dan too (gus is in it already, by his tag).
    expect(r.body.composers).toEqual([
      { id: seg.payingFr, name: 'Paying in France', targetable: false, entering: 1, leaving: 0 },
      { id: seg.outer, name: 'Paying FR or VIP', targetable: true, entering: 1, leaving: 0 },
    ])
    const narrower = await impact(seg.paying, tree('and', plan('pro'), { type: 'attribute', key: 'seats', operator: 'gte', value: 5 }))
    expect(narrower.body).toMatchObject({ entering: 0, leaving: 1, leavingSample: [{ userId: 'cat' }] })
  })

  it('writes nothing', async () => {
    const before = (await t.db.execute('SELECT (SELECT count(*) FROM segment_members) || \'/\' || (SELECT group_concat(member_count) FROM segments) AS n')).rows[0].n
    await impact(seg.paying, tree('and', plan('free')))
    expect((await t.db.execute('SELECT (SELECT count(*) FROM segment_members) || \'/\' || (SELECT group_concat(member_count) FROM segments) AS n')).rows[0].n).toBe(before)
  })

  it('refuses bad drafts with the field, cycles by name, and manual lists', async () => {
    expect(await impact(seg.paying, tree('and', { type: 'attribute', key: 'seats', operator: 'gte', value: 'ten' }))).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'conditions.root.conditions.0.value' } } })
    expect(await impact(seg.paying, tree('and', { type: 'segment', operator: 'in', segmentId: seg.outer }))).toMatchObject({ status: 400, body: { error: { code: 'segment_cycle', message: expect.stringContaining('Paying FR or VIP') } } })
    expect(await impact(seg.paying, tree('and', { type: 'segment', operator: 'in', segmentId: 9999 }))).toMatchObject({ status: 400, body: { error: { code: 'unknown_segment' } } })
    expect(await impact(seg.list, tree('and', plan('pro')))).toMatchObject({ status: 409, body: { error: { code: 'not_dynamic' } } })
    expect((await impact(9999, tree('and', plan('pro')))).status).toBe(404)
  })

  it('says exactly what saving then does: +N/−M equal the membership change (property)', async () => {
    const leaf = fc.oneof(
      fc.constantFrom('pro', 'free', 'enterprise', 'PRO').map(plan),
      fc.tuple(fc.constantFrom('FR', 'DE', 'US'), fc.boolean()).map(([v, not]) => ({ type: 'attribute', key: 'country', operator: not ? 'is_not' : 'is', value: v })),
      fc.tuple(fc.constantFrom('gte', 'lt'), fc.constantFrom(1, 3, 10, 50)).map(([operator, value]) => ({ type: 'attribute', key: 'seats', operator, value })),
      fc.boolean().map((any) => ({ type: 'tag', operator: any ? 'has_any' : 'has_none', tagIds: [vip] })),
      fc.tuple(fc.constantFrom('gte', 'lt'), fc.integer({ min: 0, max: 5 })).map(([operator, value]) => ({ type: 'event', event: 'order_placed', measure: 'count', operator, value })),
      fc.integer({ min: 1, max: 6 }).map((d) => ({ type: 'property', field: 'last_seen', operator: 'less_than_days_ago', value: d })),
      fc.constant({ type: 'segment', operator: 'in', segmentId: 0 }), // filled with the list below
    )
    const node: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('group')),
      group: fc.record({ type: fc.constant('group'), logic: fc.constantFrom('and', 'or'), conditions: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    })).node
    const list = seg.list
    await api('POST', `/segments/${list}/members`, { userIds: ['bob', 'fay'] })
    const fill = (n: any): any => (n.type === 'group' ? { ...n, conditions: n.conditions.map(fill) } : n.type === 'segment' ? { ...n, segmentId: list } : n)
    await fc.assert(fc.asyncProperty(fc.array(node, { minLength: 1, maxLength: 3 }), fc.constantFrom('and', 'or'), async (conditions, logic) => {
      const draft = { version: 1, root: fill({ type: 'group', logic, conditions }) }
      // Through the API, over the users' columns (loaded: the Node path) …
      await t.columns!.read(t.boot.projectId, ['plan', 'country', 'seats'])
      const r = await impact(seg.paying, draft)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      // … and in SQL (the Workers path): the two agree to the samples.
      const lib = await loadLibrary(t.db, t.boot.projectId)
      const sql = await editImpact(t.db, t.boot.projectId, lib, lib.segments.get(seg.paying)!, treeSchema.parse(draft), t.clock.get())
      expect(sql).toEqual(r.body)
      const before = await members(seg.paying)
      // The segments composing this one (Paying in France, and the OR over it): what the save does to them too.
      expect(r.body.composers.map((c: any) => c.id)).toEqual([seg.payingFr, seg.outer])
      const composersBefore = await Promise.all(r.body.composers.map((c: any) => members(c.id)))
      const saved = await api('PATCH', `/segments/${seg.paying}`, { conditions: draft })
      expect(saved.status).toBe(200)
      const after = await members(seg.paying)
      const entered = [...after].filter((u) => !before.has(u))
      const left = [...before].filter((u) => !after.has(u))
      expect({ entering: r.body.entering, leaving: r.body.leaving }).toEqual({ entering: entered.length, leaving: left.length })
      for (const [i, c] of r.body.composers.entries()) {
        const [was, now] = [composersBefore[i], await members(c.id)]
        const change = { entering: [...now].filter((u) => !was.has(u)).length, leaving: [...was].filter((u) => !now.has(u)).length }
        expect({ entering: c.entering, leaving: c.leaving }, `composer ${c.name}`).toEqual(change)
      }
      for (const u of r.body.enteringSample) expect(entered).toContain(u.userId)
      for (const u of r.body.leavingSample) expect(left).toContain(u.userId)
      expect(saved.body.memberCount).toBe(after.size)
    }), { numRuns: 40 })
  })
})
