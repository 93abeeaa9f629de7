import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

/**
 * Imports that respect types (issue 14, item 5): detection starts from what the project
 * declares and what its users hold, a cell that does not fit skips its row with the error,
 * and text never replaces the numbers users hold (a `seats > 100` segment keeps them).
 */
describe('imports and the types users already hold', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const api = (path: string, init: RequestInit = {}) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}`, ...(init.headers as Record<string, string>) } })
  const json = async (r: Response | Promise<Response>) => {
    const res = await r
    return { status: res.status, body: await res.json() as any }
  }
  const seatsOf = async (email: string) => JSON.parse(String((await t.db.execute({ sql: 'SELECT attributes FROM users WHERE email = ?', args: [email] })).rows[0].attributes)).seats

  beforeAll(async () => {
    t = await testApp()
    const batch = ['ann', 'bob', 'cat'].map((u, i) => ({ type: 'identify', userId: u, traits: { email: `${u}@example.com`, seats: 50 + i * 100, tier: 'gold' } }))
    await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })
  })
  afterAll(() => t.dispose())

  it('tells the catalog what users hold, so the mapping starts from it', async () => {
    const { body } = await json(api('/catalog'))
    expect(body.attributes).toEqual(expect.arrayContaining([
      { key: 'seats', type: 'number', declared: false, held: 'number' },
      { key: 'tier', type: 'string', declared: false, held: 'string' },
    ]))
  })

  it('types a column as the numbers users hold despite a bad cell, and skips that row with its error', async () => {
    const csv = 'email,seats\nann@example.com,120\nbob@example.com,lots\ncat@example.com,400\n'
    const r = await json(api('/imports?match=email', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } }))
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ status: 'done', updated: 2, skipped: 1 })
    expect([await seatsOf('ann@example.com'), await seatsOf('bob@example.com'), await seatsOf('cat@example.com')]).toEqual([120, 150, 400])
    const errors = Papa.parse<Record<string, string>>((await (await api(`/imports/${r.body.id}/errors.csv`)).text()).trim(), { header: true }).data
    expect(errors).toEqual([expect.objectContaining({ row: '3', column: 'seats', value: 'lots' })])
  })

  it('refuses a mapping that would write text over the numbers users hold, naming the column', async () => {
    const columns = JSON.stringify([{ header: 'email', target: 'email' }, { header: 'seats', target: 'attribute', key: 'seats', type: 'string' }])
    const r = await json(api(`/imports?match=email&columns=${encodeURIComponent(columns)}`, { method: 'POST', body: 'email,seats\nann@example.com,many\n', headers: { 'content-type': 'text/csv' } }))
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'type_conflict', field: 'columns.1.type' } } })
    expect(await seatsOf('ann@example.com')).toBe(120)
    // Text over text, or a new key, is anyone's choice.
    const ok = JSON.stringify([{ header: 'email', target: 'email' }, { header: 'tier', target: 'attribute', key: 'tier', type: 'string' }])
    expect((await json(api(`/imports?match=email&columns=${encodeURIComponent(ok)}`, { method: 'POST', body: 'email,tier\nann@example.com,silver\n', headers: { 'content-type': 'text/csv' } }))).status).toBe(201)
  })
})
