import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

const tree = (...conditions: unknown[]) => ({ version: 1, root: { type: 'group', logic: 'and', conditions } })
const plan = (value: string) => ({ type: 'attribute', key: 'plan', operator: 'is', value })

describe('segment history', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const api = (method: string, path: string, body?: unknown) =>
    Promise.resolve(t.app.request(`/api/projects/${t.boot.projectId}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` },
    })).then(async (r) => ({ status: r.status, body: r.status === 204 ? null : (await r.json()) as any }))

  beforeAll(async () => {
    t = await testApp()
    await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch: [
      { type: 'identify', userId: 'ann', traits: { plan: 'pro' } }, { type: 'identify', userId: 'bob', traits: { plan: 'free' } }, { type: 'identify', userId: 'cat', traits: { plan: 'pro' } },
    ] }) })
  })
  afterAll(() => t.dispose())

  it('keeps a version of every save: who, when, the definition and the member count right after it', async () => {
    const created = await api('POST', '/segments', { name: 'Paying', conditions: tree(plan('pro')) })
    const id = created.body.id
    t.clock.advance(60_000)
    await api('PATCH', `/segments/${id}`, { conditions: { version: 1, root: { type: 'group', logic: 'or', conditions: [plan('pro'), plan('free')] } } })
    t.clock.advance(60_000)
    await api('PATCH', `/segments/${id}`, { name: 'Everyone paying or free', targetable: true })
    const r = await api('GET', `/segments/${id}/versions`)
    expect(r.status).toBe(200)
    expect(r.body.versions.map((v: any) => [v.name, v.memberCount, v.targetable, v.conditions.root.logic, v.actor])).toEqual([
      ['Everyone paying or free', 3, true, 'or', 'secret key'],
      ['Paying', 3, false, 'or', 'secret key'],
      ['Paying', 2, false, 'and', 'secret key'],
    ])
    expect(r.body.versions.map((v: any) => v.at)).toEqual([t.clock.get(), t.clock.get() - 60_000, t.clock.get() - 120_000])
    // A restore is an ordinary save of an old version: it becomes the newest version.
    const first = r.body.versions[2]
    await api('PATCH', `/segments/${id}`, { name: first.name, conditions: first.conditions, targetable: first.targetable })
    const after = await api('GET', `/segments/${id}/versions`)
    expect(after.body.versions[0]).toMatchObject({ name: 'Paying', memberCount: 2, conditions: first.conditions })
    expect(after.body.versions).toHaveLength(4)
  })

  it('starts the history of a duplicate, and answers 404 for segments of nobody', async () => {
    const s = await api('POST', '/segments', { name: 'List', kind: 'static' })
    const copy = await api('POST', `/segments/${s.body.id}/duplicate`)
    expect((await api('GET', `/segments/${copy.body.id}/versions`)).body.versions).toMatchObject([{ name: 'List (copy)', kind: 'static', conditions: null }])
    expect((await api('GET', '/segments/9999/versions')).status).toBe(404)
  })
})
