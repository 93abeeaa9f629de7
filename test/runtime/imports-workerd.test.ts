import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { tempDb } from '../helpers/test-app.js'
import { workerdApp } from './workerd-app.js'

/**
 * Imports in workerd: the bundled Worker reads a streamed CSV body with papaparse and
 * commits each chunk as one `batch()` over Hrana — the TEMP stage table lives in that
 * batch's stream. A retried chunk and a resumed file change nothing more.
 */
describe('imports in the Workers runtime', () => {
  let close: () => Promise<void>
  let call: (path: string, init?: RequestInit) => Promise<Response>
  let db: Awaited<ReturnType<typeof tempDb>>

  beforeAll(async () => {
    ;({ db, call, close } = await workerdApp('workerd imports password'))
  }, 120_000)
  afterAll(() => close?.())

  it('imports a streamed CSV body in chunks, and re-running it changes nothing', async () => {
    const lines = ['email,name,plan,seats,tags']
    for (let i = 0; i < 2500; i++) lines.push(`w${i}@x.io,"W ${i}, Jr.",${i % 2 ? 'pro' : 'free'},${i},${i % 10 ? '' : 'vip'}`)
    const csv = lines.join('\r\n') + '\r\n'
    const post = () => call('/imports?chunkRows=1000&segmentName=Workers%20import', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } })
    const first = await post()
    expect(first.status).toBe(201)
    expect(await first.json()).toMatchObject({ status: 'done', rowsTotal: 2500, created: 2500, skipped: 0 })
    const again = await (await post()).json() as Record<string, unknown>
    expect(again).toMatchObject({ status: 'done', rowsTotal: 2500, created: 0, updated: 0, unchanged: 2500 })
    const count = async (sql: string) => Number((await db.client.execute(sql)).rows[0].n)
    expect(await count('SELECT count(*) AS n FROM users')).toBe(2500)
    expect(await count(`SELECT count(*) AS n FROM users WHERE name = 'W 7, Jr.' AND attributes ->> 'seats' = 7`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM user_tags`)).toBe(250)
    expect(await count(`SELECT count(*) AS n FROM segment_members`)).toBe(5000)
    // The stage is a TEMP table of the batch's connection: nothing of it is in the database.
    expect(await count(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'import_stage'`)).toBe(0)
  })

  it('answers a retried chunk from its record', async () => {
    const created = await call('/imports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ui', match: 'userId', columns: [{ header: 'id', target: 'userId' }] }) })
    const { id } = await created.json() as { id: number }
    const put = () => call(`/imports/${id}/chunks/0`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [['wk-1'], ['wk-2']] }) })
    const a = await (await put()).json() as { chunk: unknown; import: { created: number } }
    const b = await (await put()).json() as { chunk: unknown; import: { created: number } }
    expect(a.chunk).toEqual(b.chunk)
    expect(b.import.created).toBe(2)
  })
})
