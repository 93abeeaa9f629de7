import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScheduled } from '../../worker/src/scheduled.js'
import { groupCommitWriter } from '../../worker/src/ingest/writer.js'
import { testApp } from '../helpers/test-app.js'

const DAY = 86_400_000

describe('segments over the admin API', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let auth: Record<string, string>
  const api = (path: string, init: RequestInit = {}) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', ...auth, ...(init.headers as Record<string, string>) } })
  const json = async (r: Response | Promise<Response>) => {
    const res = await r
    return { status: res.status, body: res.status === 204 ? null : await res.json() as any }
  }
  const send = (batch: unknown[]) => t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })
  const members = async (id: number) => (await json(api(`/segments/${id}/members`))).body.members.map((m: any) => m.userId).sort()
  const pkOf = async (userId: string) => Number((await t.db.execute({ sql: 'SELECT id FROM users WHERE user_id = ?', args: [userId] })).rows[0].id)
  const proTree = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } }

  beforeAll(async () => {
    t = await testApp()
    auth = { authorization: `Bearer ${t.secretKey}` }
    const now = t.clock.get()
    await send([
      { type: 'identify', userId: 'ann', anonymousId: 'dev-ann', traits: { plan: 'pro', email: 'ann@acme.io', seats: 12 }, timestamp: new Date(now - DAY).toISOString() },
      // Activity (identify is not): ann was last seen a day ago (issue 14: identify alone leaves a profile never seen).
      { type: 'page', userId: 'ann', anonymousId: 'dev-ann', name: 'Home', timestamp: new Date(now - DAY).toISOString() },
      { type: 'identify', userId: 'bob', traits: { plan: 'free', email: 'bob@globex.com', seats: 1 }, timestamp: new Date(now - 40 * DAY).toISOString() },
      { type: 'track', userId: 'bob', event: 'order_placed', properties: { total: 300 }, timestamp: new Date(now - 40 * DAY).toISOString() },
      { type: 'identify', userId: 'cat', traits: { plan: 'pro', email: 'cat@acme.io', seats: 3 }, timestamp: new Date(now - 2 * DAY).toISOString() },
      { type: 'track', userId: 'cat', event: 'order_placed', properties: { total: 450 }, timestamp: new Date(now - 2 * DAY).toISOString() },
      { type: 'track', userId: 'cat', event: 'order_placed', properties: { total: 80 }, timestamp: new Date(now - DAY).toISOString() },
    ])
  })
  afterAll(() => t.dispose())

  it('refuses callers without a key, and keys of other projects', async () => {
    expect((await json(t.app.request(`/api/projects/${t.boot.projectId}/segments`))).status).toBe(401)
    expect(await json(api('/segments', { headers: { authorization: 'Bearer sk_not_this_one' } }))).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } })
    expect((await json(t.app.request(`/api/projects/prj_other/segments`, { headers: auth }))).status).toBe(403)
  })

  it('previews a nested AND/OR count and sample before saving', async () => {
    const conditions = { version: 1, root: { type: 'group', logic: 'or', conditions: [
      { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }, { type: 'attribute', key: 'seats', operator: 'gte', value: 10 }] },
      { type: 'event', event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500 },
    ] } }
    const r = await json(api('/segments/preview', { method: 'POST', body: JSON.stringify({ conditions }) }))
    expect(r.status).toBe(200)
    expect(r.body.count).toBe(2)
    expect(r.body.sample.map((u: any) => u.userId).sort()).toEqual(['ann', 'cat'])
  })

  it('makes the key from the name, as the editor\'s placeholder shows it, numbered only when taken', async () => {
    const body = JSON.stringify({ name: 'Big spenders (EUR)', conditions: proTree })
    const first = await json(api('/segments', { method: 'POST', body }))
    const second = await json(api('/segments', { method: 'POST', body }))
    expect([first.body.key, second.body.key]).toEqual(['big-spenders-eur', 'big-spenders-eur-2'])
    // An edit that leaves the key out keeps it.
    expect((await json(api(`/segments/${first.body.id}`, { method: 'PATCH', body: JSON.stringify({ description: 'x' }) }))).body.key).toBe('big-spenders-eur')
    for (const s of [first, second]) await json(api(`/segments/${s.body.id}`, { method: 'DELETE' }))
  })

  it('explains invalid conditions with the field that is wrong', async () => {
    const bad = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'seats', operator: 'gte', value: 'ten' }] } }
    const r = await json(api('/segments/preview', { method: 'POST', body: JSON.stringify({ conditions: bad }) }))
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'conditions.root.conditions.0.value' } } })
  })

  it('keeps dynamic membership through saving, ingest, editing and deleting users', async () => {
    const created = await json(api('/segments', { method: 'POST', body: JSON.stringify({ name: 'Pro plan', conditions: proTree, targetable: true, key: 'pro' }) }))
    expect(created).toMatchObject({ status: 201, body: { name: 'Pro plan', memberCount: 2, key: 'pro' } })
    const id = created.body.id
    expect(await members(id)).toEqual(['ann', 'cat'])

    // bob upgrades: he enters after the ingest, ann downgrades: she leaves.
    await send([{ type: 'identify', userId: 'bob', traits: { plan: 'pro' } }, { type: 'identify', userId: 'ann', traits: { plan: 'free' } }])
    await expect.poll(() => members(id)).toEqual(['bob', 'cat'])
    expect((await json(api(`/segments/${id}`))).body.memberCount).toBe(2)

    // Editing the conditions recomputes.
    const seats = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'seats', operator: 'gt', value: 2 }] } }
    const edited = await json(api(`/segments/${id}`, { method: 'PATCH', body: JSON.stringify({ conditions: seats }) }))
    // What the patch leaves out stays as it was.
    expect(edited.body).toMatchObject({ memberCount: 2, name: 'Pro plan', key: 'pro', targetable: true })
    expect(await members(id)).toEqual(['ann', 'cat'])

    // Deleting a user removes them and their membership.
    expect((await json(api(`/users/${await pkOf('cat')}`, { method: 'DELETE' }))).status).toBe(204)
    expect(await members(id)).toEqual(['ann'])
    expect((await json(api(`/segments/${id}`))).body.memberCount).toBe(1)
    expect(await t.db.execute("SELECT count(*) AS n FROM events WHERE user_pk NOT IN (SELECT id FROM users)")).toMatchObject({ rows: [{ n: 0 }] })
  })

  it('moves users in and out of time-relative segments on the schedule', async () => {
    const inactive = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'property', field: 'last_seen', operator: 'more_than_days_ago', value: 30 }] } }
    const r = await json(api('/segments', { method: 'POST', body: JSON.stringify({ name: 'Inactive 30 days', conditions: inactive }) }))
    expect(await members(r.body.id)).toEqual(['bob'])
    t.clock.advance(30 * DAY)
    const writer = groupCommitWriter((s) => t.db.batch(s, 'write'))
    const done = await runScheduled(t.db, writer, t.clock.get())
    expect(done.segmentsRecomputed).toBeGreaterThanOrEqual(1)
    expect(await members(r.body.id)).toEqual(['ann', 'bob'])
    t.clock.advance(-30 * DAY)
  })

  it('composes segments, refuses cycles, unknown references and deleting a used segment', async () => {
    const base = await json(api('/segments', { method: 'POST', body: JSON.stringify({ name: 'Base', conditions: proTree }) }))
    const outer = await json(api('/segments', { method: 'POST', body: JSON.stringify({
      name: 'Outer', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'segment', operator: 'in', segmentId: base.body.id }] } },
    }) }))
    expect(outer.status).toBe(201)
    expect((await json(api(`/segments/${base.body.id}`))).body.usedBy).toEqual([{ id: outer.body.id, name: 'Outer' }])

    const cycle = await json(api(`/segments/${base.body.id}`, { method: 'PATCH', body: JSON.stringify({
      conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'segment', operator: 'in', segmentId: outer.body.id }] } },
    }) }))
    expect(cycle).toMatchObject({ status: 400, body: { error: { code: 'segment_cycle', field: 'conditions' } } })
    expect(cycle.body.error.message).toContain('Base → Outer → Base')

    const unknown = await json(api('/segments', { method: 'POST', body: JSON.stringify({
      name: 'Ghost', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'segment', operator: 'in', segmentId: 987654 }] } },
    }) }))
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'unknown_segment' } } })

    const refused = await json(api(`/segments/${base.body.id}`, { method: 'DELETE' }))
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'segment_in_use' } } })
    expect(refused.body.error.message).toContain('"Outer"')
    expect((await json(api(`/segments/${outer.body.id}`, { method: 'DELETE' }))).status).toBe(204)
    expect((await json(api(`/segments/${base.body.id}`, { method: 'DELETE' }))).status).toBe(204)
    expect((await json(api(`/segments/${base.body.id}`))).status).toBe(404)
  })

  it('keeps static segments by hand: add by id or email, remove, list, duplicate', async () => {
    const s = await json(api('/segments', { method: 'POST', body: JSON.stringify({ name: 'VIP', kind: 'static' }) }))
    expect(s).toMatchObject({ status: 201, body: { kind: 'static', memberCount: 0 } })
    const added = await json(api(`/segments/${s.body.id}/members`, { method: 'POST', body: JSON.stringify({ userIds: ['ann', 'nobody'], emails: ['BOB@globex.com'] }) }))
    expect(added.body).toEqual({ added: 2, notFound: ['nobody'] })
    expect(await members(s.body.id)).toEqual(['ann', 'bob'])
    await json(api(`/segments/${s.body.id}/members/${await pkOf('ann')}`, { method: 'DELETE' }))
    expect(await members(s.body.id)).toEqual(['bob'])
    const dup = await json(api(`/segments/${s.body.id}/duplicate`, { method: 'POST' }))
    expect(dup).toMatchObject({ status: 201, body: { name: 'VIP (copy)', memberCount: 1 } })
    const page = await json(api(`/segments/${s.body.id}/members?limit=1`))
    expect(page.body.members).toHaveLength(1)
    expect(page.body.members[0]).toMatchObject({ userId: 'bob', enteredAt: expect.any(Number) })
  })

  it('explains why a user fails a segment, condition by condition', async () => {
    const conditions = { version: 1, root: { type: 'group', logic: 'and', conditions: [
      { type: 'attribute', key: 'seats', operator: 'gte', value: 1 },
      { type: 'event', event: 'order_placed', measure: 'sum', property: 'total', operator: 'gte', value: 500 },
    ] } }
    const s = await json(api('/segments', { method: 'POST', body: JSON.stringify({ name: 'Big spenders', conditions }) }))
    const r = await json(api(`/users/${await pkOf('bob')}/explain/${s.body.id}`))
    expect(r.body.member).toBe(false)
    expect(r.body.explanation.children).toEqual([
      { kind: 'leaf', label: 'seats ≥ 1', actual: 1, threshold: 1, pass: true },
      { kind: 'leaf', label: 'sum(order_placed.total) ≥ 500', actual: 300, threshold: 500, pass: false },
    ])
    expect(r.body.explanation.decision).toBe('1 of 2 passed; all needed')
  })

  it('names tags in explain labels', async () => {
    const tag = await json(api(`/users/${await pkOf('bob')}/tags`, { method: 'POST', body: JSON.stringify({ name: 'Churn risk' }) }))
    const conditions = { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'tag', operator: 'has_any', tagIds: [tag.body.id] }] } }
    const s = await json(api('/segments', { method: 'POST', body: JSON.stringify({ name: 'At risk', conditions }) }))
    const r = await json(api(`/users/${await pkOf('bob')}/explain/${s.body.id}`))
    expect(r.body.explanation.children[0]).toMatchObject({ label: 'has any of tags "Churn risk"', pass: true })
  })

  it('answers targeting from the current profile, by Jimer ID or by verified user id', async () => {
    await json(api('/segments', { method: 'POST', body: JSON.stringify({ name: 'Free plan', key: 'free', targetable: true, conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'free' }] } } }) }))
    const target = (q: string) => json(t.app.request(`/v1/segments?writeKey=${t.boot.writeKey}&${q}`))
    expect((await target('anonymousId=dev-ann')).body.segments).toContain('free')
    // The answer follows the profile at once, without waiting for stored membership.
    await send([{ type: 'identify', userId: 'ann', traits: { plan: 'pro' } }])
    // ("pro" now means seats > 2, after the edit above; ann has 12.)
    expect((await target('anonymousId=dev-ann')).body.segments).toEqual(['pro'])
    // By user id only with the hash.
    expect(await target('userId=ann')).toMatchObject({ status: 401, body: { error: { code: 'verification_required' } } })
    expect(await target('userId=ann&userHash=00')).toMatchObject({ status: 401, body: { error: { code: 'invalid_user_hash' } } })
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(t.secretKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const hash = Buffer.from(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('ann'))).toString('hex')
    expect(await target(`userId=ann&userHash=${hash}`)).toMatchObject({ status: 200, body: { segments: ['pro'] } })
    // A disabled user is in no audience.
    await t.db.execute({ sql: "UPDATE users SET status = 'disabled' WHERE user_id = 'ann'", args: [] })
    expect(await target(`userId=ann&userHash=${hash}`)).toMatchObject({ status: 200, body: { segments: [] } })
    // A visitor never seen before is evaluated as a new anonymous profile.
    expect(await target('anonymousId=brand-new')).toMatchObject({ status: 200, body: { segments: [] } })
  })
})
