import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../worker/src/app.js'
import { directWriter } from '../../worker/src/ingest/writer.js'
import { storageDrift } from '../helpers/attribute-storage.js'
import { workerdApp } from './workerd-app.js'

/**
 * The Users list, search, totals and segment previews in workerd, over Hrana: the same
 * queries (typed attribute sets, trigram search, trigger-kept totals) give the same answers
 * as the Node app reading the same file.
 */
describe('users list, search and previews in the Workers runtime', () => {
  let app: Awaited<ReturnType<typeof workerdApp>>
  let node: ReturnType<typeof createApp>

  beforeAll(async () => {
    app = await workerdApp('workerd users password')
    node = createApp({ db: app.db.client, writer: directWriter(app.db.client), now: Date.now })
    const names = ['Ann Smith', 'Joanne Doe', 'Élodie Durand', 'Bob Stone']
    const batch = Array.from({ length: 40 }, (_, i) => ({
      type: 'identify', userId: `w-${i}`, anonymousId: `dev-${i}`,
      traits: { name: names[i % 4], email: `w${i}@example.com`, plan: ['free', 'pro', 'Pro'][i % 3], seats: i, features: i % 2 ? ['sso'] : [] },
    }))
    // Written through the Worker itself: the collector's SQL and the triggers run over Hrana.
    const r = await app.fetch('/v1/batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: app.boot.writeKey, batch }) })
    expect(r.status).toBe(200)
  }, 120_000)
  afterAll(() => app?.close())

  const both = async (path: string, init: RequestInit = {}) => {
    const headers = { authorization: `Bearer ${app.secret}`, 'content-type': 'application/json' }
    const [w, n] = await Promise.all([
      app.call(path, { ...init, headers }),
      node.request(`/api/projects/${app.boot.projectId}${path}`, { ...init, headers }),
    ])
    expect([w.status, n.status]).toEqual([200, 200])
    const [wb, nb] = [await w.json(), await n.json()]
    expect(wb).toEqual(nb)
    return wb as { total: number; count?: number; users?: { userId: string }[] }
  }
  const filter = (root: object) => encodeURIComponent(JSON.stringify({ version: 1, root }))

  it('keeps the typed storage equal to the documents it wrote', async () => {
    expect(await storageDrift(app.db.client)).toEqual([])
  })

  it('answers totals, searches and filtered lists as the Node app does', async () => {
    expect((await both('/users')).total).toBe(40)
    expect((await both('/users?q=ANN')).total).toBe(20) // Ann Smith and Joanne Doe
    expect((await both('/users?q=élo&match=prefix')).total).toBe(10)
    expect((await both('/users?q=w1&match=prefix')).total).toBe(11)
    const f = filter({ type: 'group', logic: 'or', conditions: [
      { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }, { type: 'attribute', key: 'seats', operator: 'gte', value: 20 }] },
      { type: 'attribute', key: 'features', operator: 'list_contains', value: 'SSO' },
    ] })
    const listed = await both(`/users?filter=${f}&limit=5`)
    expect(listed.total).toBe(20 + [...Array(40).keys()].filter((i) => i >= 20 && i % 3 !== 0 && i % 2 === 0).length)
    expect(listed.users).toHaveLength(5)
  })

  it('previews a segment with the same count', async () => {
    const body = JSON.stringify({ conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'features', operator: 'list_is_empty' }] } } })
    const r = await both('/segments/preview', { method: 'POST', body })
    expect(r.count).toBe(20)
  })
})
