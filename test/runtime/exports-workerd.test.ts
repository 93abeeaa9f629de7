import { parquetReadObjects } from 'hyparquet'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { workerdApp } from './workerd-app.js'

/**
 * Exports in workerd: the bundled Worker (no `fs`, papaparse and hyparquet-writer as
 * bundled) streams CSV, Parquet and a user's JSON over the Hrana endpoint, page by page.
 */
describe('exports in the Workers runtime', () => {
  let close: () => Promise<void>
  let get: (path: string) => Promise<Response>
  let segmentId: number
  let userPk: number

  beforeAll(async () => {
    const app = await workerdApp('workerd exports password')
    const { db, boot } = app
    get = (path) => app.call(path)
    close = app.close

    // 12,001 members: three pages, so the stream pulls across Hrana round trips.
    const c = db.client
    await c.execute({ sql: `INSERT INTO attribute_definitions (project_id, key, type, created_at) VALUES (?, 'seats', 'number', 0)`, args: [boot.projectId] })
    await c.execute({
      sql: `INSERT INTO users (project_id, user_id, name, created_at, first_seen, last_seen, updated_at, attributes)
            WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 12001)
            SELECT ?, 'w-' || i, '=name ' || i, 0, 0, i, 0, json_object('seats', i) FROM k`,
      args: [boot.projectId],
    })
    segmentId = Number((await c.execute({ sql: `INSERT INTO segments (project_id, name, kind, key, created_at, updated_at) VALUES (?, 'All', 'static', 'all', 0, 0) RETURNING id`, args: [boot.projectId] })).rows[0].id)
    await c.execute({ sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) SELECT project_id, ?, id, 0, 0 FROM users`, args: [segmentId] })
    userPk = Number((await c.execute(`SELECT id FROM users WHERE user_id = 'w-1'`)).rows[0].id)
    await c.execute({ sql: `INSERT INTO events (project_id, user_pk, type, name, timestamp, received_at, message_id) VALUES (?, ?, 'track', 'login', 5, 5, 'm1')`, args: [boot.projectId, userPk] })
  }, 120_000)
  afterAll(() => close?.())

  it('streams a CSV export', async () => {
    const r = await get(`/segments/${segmentId}/export?columns=userId,name,attributes.seats`)
    expect(r.status).toBe(200)
    const rows = Papa.parse<Record<string, string>>(await r.text(), { header: true, skipEmptyLines: true }).data
    expect(rows).toHaveLength(12001)
    expect(rows[12000]).toEqual({ userId: 'w-12001', name: "'=name 12001", 'attributes.seats': '12001' })
  })

  it('streams a Parquet export', async () => {
    const r = await get(`/segments/${segmentId}/export?format=parquet&columns=userId,lastSeen,attributes.seats`)
    expect(r.status).toBe(200)
    const rows = await parquetReadObjects({ file: await r.arrayBuffer() })
    expect(rows).toHaveLength(12001)
    expect(rows[0]).toEqual({ userId: 'w-1', lastSeen: new Date(1), 'attributes.seats': 1 })
  })

  it("streams a user's JSON", async () => {
    const r = await get(`/users/${userPk}/export`)
    expect(r.status).toBe(200)
    expect((await r.json() as { events: { name: string }[] }).events.map((e) => e.name)).toEqual(['login'])
  })
})
