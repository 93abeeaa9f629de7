import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../worker/src/auth/crypto.js'
import { resolveColumns } from '../../worker/src/exports/columns.js'
import { memberPages, PAGE_SIZE } from '../../worker/src/exports/members.js'
import { storedValueSql, textOf, typedValue } from '../../worker/src/users/typed-value.js'
import { testApp } from '../helpers/test-app.js'

const ORIGIN = 'http://localhost'
const DAY = 86_400_000

/** Strings a CSV writer or a spreadsheet could trip on; each must come back as it went in. */
const HOSTILE = {
  ann: { name: 'Ann, "the" Archer\nsecond line', nickname: '=HYPERLINK("http://evil.example")', note: '+33 1 23 45 67 89' },
  bob: { name: 'Bøb 😀 Ünïcödé 東京', nickname: '\tTabbed', plan: '@SUM(A1)' },
  cat: { name: '-minus first', nickname: 'line1\r\nline2, "quoted"', plan: '\rCR first', note: '=1+2\n"a formula over two lines"' },
}

describe('segment exports (CSV and Parquet) over the admin API', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let auth: Record<string, string>
  let everyone: number
  const base = () => `${ORIGIN}/api/projects/${t.boot.projectId}`
  const api = (path: string, init: RequestInit = {}) =>
    t.app.request(`${base()}${path}`, { ...init, headers: { 'content-type': 'application/json', ...auth, ...(init.headers as Record<string, string>) } })
  const post = async (path: string, body: unknown) => {
    const r = await api(path, { method: 'POST', body: JSON.stringify(body) })
    expect(r.status, await r.clone().text()).toBeLessThan(300)
    return r.json() as Promise<any>
  }
  const send = async (batch: unknown[]) => {
    const r = await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })
    const body = await r.json() as any
    expect(body.rejected ?? [], JSON.stringify(body)).toEqual([])
  }
  const exportOf = (id: number, query = '', init: RequestInit = {}) => api(`/segments/${id}/export${query}`, init)
  const csv = async (id: number, query = '') => {
    const r = await exportOf(id, query)
    expect(r.status, r.status === 200 ? '' : await r.clone().text()).toBe(200)
    const text = await r.text()
    return { text, parsed: Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }) }
  }
  const parquet = async (id: number, query = '') => {
    const r = await exportOf(id, `?format=parquet${query}`)
    expect(r.status, r.status === 200 ? '' : await r.clone().text()).toBe(200)
    const file = await r.arrayBuffer()
    return { file, meta: parquetMetadata(file), rows: await parquetReadObjects({ file }) as Record<string, unknown>[] }
  }
  const user = async (userId: string) => (await t.db.execute({ sql: 'SELECT * FROM users WHERE user_id = ?', args: [userId] })).rows[0]

  beforeAll(async () => {
    t = await testApp()
    auth = { authorization: `Bearer ${t.secretKey}` }
    for (const [key, type] of [['plan', 'string'], ['seats', 'number'], ['beta', 'boolean'], ['signup', 'date'], ['features', 'list']]) {
      await post('/attributes', { key, type })
    }
    const now = t.clock.get()
    await send([
      { type: 'identify', userId: 'ann', anonymousId: 'dev-ann', timestamp: new Date(now - DAY).toISOString(), traits: {
        email: 'ann@acme.io', name: HOSTILE.ann.name, plan: 'pro', seats: 12, beta: true, signup: '2026-01-05T10:00:00.000Z', features: ['sso', 'api'],
        nickname: HOSTILE.ann.nickname, note: HOSTILE.ann.note, score: -5, 'we"ird\\key': 'odd key', 'a,b': 1,
      } },
      // ann is active (a page); bob is only identified, so never seen (issue 14).
      { type: 'page', userId: 'ann', anonymousId: 'dev-ann', timestamp: new Date(now - DAY).toISOString() },
      { type: 'identify', userId: 'bob', timestamp: new Date(now - 2 * DAY).toISOString(), traits: {
        email: 'bob@globex.com', name: HOSTILE.bob.name, plan: HOSTILE.bob.plan, seats: -5, beta: false, signup: Date.parse('2025-06-01T00:00:00Z'), features: [],
        nickname: HOSTILE.bob.nickname, score: 0,
      } },
      { type: 'identify', userId: 'cat', timestamp: new Date(now - 3 * DAY).toISOString(), traits: {
        name: HOSTILE.cat.name, plan: HOSTILE.cat.plan, seats: 3.5, nickname: HOSTILE.cat.nickname, note: HOSTILE.cat.note, meta: { a: 1 },
      } },
      { type: 'track', userId: 'cat', event: 'login', timestamp: new Date(now - 3 * DAY).toISOString() },
    ])
    everyone = (await post('/segments', { name: 'Everyone (by hand)', kind: 'static' })).id
    expect(await post(`/segments/${everyone}/members`, { userIds: ['ann', 'bob', 'cat'] })).toMatchObject({ added: 3 })
  })
  afterAll(() => t.dispose())

  it('exports chosen columns as CSV that parses back to the stored values, hostile strings included', async () => {
    const columns = 'id,userId,name,email,lastSeen,enteredAt,sessions,attributes.plan,attributes.seats,attributes.beta,attributes.signup,attributes.features,attributes.nickname,attributes.note,attributes.score,attributes.meta'
    const r = await exportOf(everyone, `?columns=${encodeURIComponent(columns)}`)
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="segment-${everyone}-everyone-by-hand.csv"`)
    expect(r.body).toBeInstanceOf(ReadableStream)
    const bytes = new Uint8Array(await r.arrayBuffer())
    expect([...bytes.slice(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]) // no BOM
    const text = new TextDecoder().decode(bytes)
    expect(text.startsWith(columns + '\r\n')).toBe(true)
    expect(text.endsWith('\r\n')).toBe(true)

    const { data, errors, meta } = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true })
    expect(errors).toEqual([])
    expect(meta.fields).toEqual(columns.split(','))
    expect(data.map((d) => d.userId)).toEqual(['ann', 'bob', 'cat'])
    const [ann, bob, cat] = data
    // Never seen: an empty cell, not 1970.
    expect(bob.lastSeen).toBe('')
    const stored = await user('ann')
    expect(ann).toMatchObject({
      id: String(stored.id), name: HOSTILE.ann.name, email: 'ann@acme.io',
      lastSeen: new Date(Number(stored.last_seen)).toISOString(), sessions: String(stored.sessions),
      'attributes.plan': 'pro', 'attributes.seats': '12', 'attributes.beta': 'true', 'attributes.signup': '2026-01-05T10:00:00.000Z',
      'attributes.features': '["sso","api"]',
      // Cells a spreadsheet would run as formulas come back with a leading quote…
      'attributes.nickname': `'${HOSTILE.ann.nickname}`, 'attributes.note': `'${HOSTILE.ann.note}`,
      // …but a real number stays a number, minus sign and all.
      'attributes.score': '-5', 'attributes.meta': '',
    })
    expect(ann.enteredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(bob).toMatchObject({
      name: HOSTILE.bob.name, 'attributes.plan': `'${HOSTILE.bob.plan}`, 'attributes.seats': '-5', 'attributes.beta': 'false',
      'attributes.signup': '2025-06-01T00:00:00.000Z', 'attributes.features': '[]', 'attributes.nickname': `'${HOSTILE.bob.nickname}`, 'attributes.score': '0',
    })
    expect(cat).toMatchObject({
      name: `'${HOSTILE.cat.name}`, email: '', 'attributes.plan': `'${HOSTILE.cat.plan}`, 'attributes.seats': '3.5', 'attributes.beta': '',
      'attributes.signup': '', 'attributes.nickname': HOSTILE.cat.nickname, 'attributes.note': `'${HOSTILE.cat.note}`, 'attributes.meta': '{"a":1}',
    })
  })

  it('defaults to userId, email, name, lastSeen and every declared attribute', async () => {
    const defaults = ['userId', 'email', 'name', 'lastSeen', 'attributes.beta', 'attributes.features', 'attributes.plan', 'attributes.seats', 'attributes.signup']
    for (const query of ['', '?columns=', '?columns=,', '?columns=[]']) {
      const { parsed } = await csv(everyone, query)
      expect(parsed.meta.fields, query).toEqual(defaults)
      expect(parsed.data).toHaveLength(3)
    }
  })

  it('finds attribute keys that hold quotes, backslashes or commas (a JSON array of names), and only own keys', async () => {
    const names = ['userId', 'attributes.we"ird\\key', 'attributes.a,b', 'attributes.missing', 'attributes.constructor']
    const { parsed } = await csv(everyone, `?columns=${encodeURIComponent(JSON.stringify(names))}`)
    expect(parsed.meta.fields).toEqual(names)
    // A key no one has is empty, even one an object inherits ("constructor").
    expect(parsed.data[0]).toEqual({ userId: 'ann', 'attributes.we"ird\\key': 'odd key', 'attributes.a,b': '1', 'attributes.missing': '', 'attributes.constructor': '' })
  })

  it('exports Parquet typed by column and declaration, read back with hyparquet', async () => {
    const columns = 'id,userId,name,email,createdAt,lastSeen,sessions,eventsCount,attributes.plan,attributes.seats,attributes.beta,attributes.signup,attributes.features,attributes.nickname,attributes.score,attributes.meta'
    const r = await exportOf(everyone, `?format=parquet&columns=${columns}`)
    expect(r.headers.get('content-type')).toBe('application/vnd.apache.parquet')
    expect(r.headers.get('content-disposition')).toContain('.parquet"')
    const { meta, rows } = await parquet(everyone, `&columns=${columns}`)
    const types = Object.fromEntries(meta.schema.slice(1).map((e) => [e.name, e.converted_type ?? e.type]))
    expect(types).toEqual({
      id: 'INT64', userId: 'UTF8', name: 'UTF8', email: 'UTF8', createdAt: 'TIMESTAMP_MILLIS', lastSeen: 'TIMESTAMP_MILLIS', sessions: 'INT64', eventsCount: 'INT64',
      'attributes.plan': 'UTF8', 'attributes.seats': 'DOUBLE', 'attributes.beta': 'BOOLEAN', 'attributes.signup': 'TIMESTAMP_MILLIS',
      'attributes.features': 'UTF8', 'attributes.nickname': 'UTF8', 'attributes.score': 'UTF8', 'attributes.meta': 'UTF8',
    })
    expect(rows.map((x) => x.userId)).toEqual(['ann', 'bob', 'cat'])
    const [ann, bob, cat] = rows
    const stored = await user('cat')
    expect(ann).toMatchObject({
      name: HOSTILE.ann.name, email: 'ann@acme.io', 'attributes.seats': 12, 'attributes.beta': true, 'attributes.signup': new Date('2026-01-05T10:00:00.000Z'),
      // Parquet is data, not a spreadsheet: text stays exactly as stored, unescaped.
      'attributes.features': '["sso","api"]', 'attributes.nickname': HOSTILE.ann.nickname, 'attributes.score': '-5', 'attributes.meta': null,
    })
    expect(bob).toMatchObject({ name: HOSTILE.bob.name, 'attributes.plan': HOSTILE.bob.plan, 'attributes.seats': -5, 'attributes.beta': false, 'attributes.signup': new Date('2025-06-01T00:00:00Z'), 'attributes.features': '[]' })
    expect(cat).toEqual({
      id: BigInt(Number(stored.id)), userId: 'cat', name: HOSTILE.cat.name, email: null,
      createdAt: new Date(Number(stored.created_at)), lastSeen: new Date(Number(stored.last_seen)),
      sessions: BigInt(Number(stored.sessions)), eventsCount: BigInt(Number(stored.events_count)),
      'attributes.plan': HOSTILE.cat.plan, 'attributes.seats': 3.5, 'attributes.beta': null, 'attributes.signup': null,
      'attributes.features': null, 'attributes.nickname': HOSTILE.cat.nickname, 'attributes.score': null, 'attributes.meta': '{"a":1}',
    })
  })

  it('exports dynamic segments from their stored membership', async () => {
    const pro = await post('/segments', { name: 'Pro', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } })
    expect((await csv(pro.id, '?columns=userId,attributes.plan')).text).toBe('userId,attributes.plan\r\nann,pro\r\n')
    expect((await parquet(pro.id, '&columns=userId')).rows).toEqual([{ userId: 'ann' }])
  })

  it('exports an empty segment as a header-only CSV and a valid empty Parquet file', async () => {
    const empty = (await post('/segments', { name: 'Nobody yet', kind: 'static' })).id
    expect((await csv(empty, '?columns=userId,email')).text).toBe('userId,email\r\n')
    const { meta, rows } = await parquet(empty, '&columns=userId,lastSeen')
    expect(rows).toEqual([])
    expect(meta.num_rows).toBe(0n)
    expect(meta.schema.map((e) => e.name)).toEqual(['root', 'userId', 'lastSeen'])
  })

  it('pages through members by key: every member once, in order, across page boundaries', async () => {
    const columns = resolveColumns(['userId'], new Map())
    const pages: unknown[][][] = []
    for await (const page of memberPages(t.db, t.boot.projectId, everyone, columns, 2)) pages.push(page)
    expect(pages).toEqual([[['ann'], ['bob']], [['cat']]])
    // One full page: the reader asks once more, finds nothing, and yields no empty page.
    const even: unknown[][][] = []
    for await (const page of memberPages(t.db, t.boot.projectId, everyone, columns, 3)) even.push(page)
    expect(even).toEqual([[['ann'], ['bob'], ['cat']]])
  })

  it('reads attribute columns from the document exactly as its typed copy (user_attributes) holds them', async () => {
    // Values where two readers could part: integers past 2^53, decimals, exponents, nested
    // lists and objects, escapes, keys that look like Object's own.
    await send([{ type: 'identify', userId: 'dee', timestamp: new Date(t.clock.get()).toISOString(), traits: {
      big: 9007199254740993, tiny: 0.1, huge: 1e300, precise: 123456789.123456789, neg: -0.000001, nested: { a: [1, { b: null }] },
      list: ['x', 2, true, null], quoted: 'say "hi"\\n', constructor: 'own', ['__proto__']: 'proto', empty: '', nothing: null,
    } }])
    const four = (await post('/segments', { name: 'Four', kind: 'static' })).id
    await post(`/segments/${four}/members`, { userIds: ['ann', 'bob', 'cat', 'dee'] })
    const { rows: stored } = await t.db.execute({
      sql: `SELECT a.user_pk, CAST(a.key AS BLOB) AS key, a.type, ${storedValueSql('a.type', 'a.value')} AS value FROM user_attributes a WHERE a.project_id = ? ORDER BY a.user_pk, a.key`,
      args: [t.boot.projectId],
    })
    const keys = [...new Set(stored.map((a) => textOf(a.key)))]
    expect(keys).toEqual(expect.arrayContaining(['big', 'tiny', 'nested', 'constructor', '__proto__', 'we"ird\\key', 'a,b']))
    const columns = resolveColumns(['id', ...keys.map((k) => `attributes.${k}`), 'attributes.toString', 'attributes.absent'], new Map())
    const expected = new Map<number, unknown[]>()
    for (const a of stored) {
      const row = expected.get(Number(a.user_pk)) ?? [Number(a.user_pk), ...columns.slice(1).map(() => null)]
      row[1 + keys.indexOf(textOf(a.key))] = typedValue(String(a.type), a.value)
      expected.set(Number(a.user_pk), row)
    }
    const read: unknown[][] = []
    for await (const page of memberPages(t.db, t.boot.projectId, four, columns, 3)) read.push(...page)
    expect(read).toHaveLength(4)
    expect(read).toEqual(read.map((r) => expected.get(r[0] as number)))
  })

  it(`streams a segment of more than two pages (${PAGE_SIZE.toLocaleString('en')} members each) in CSV and Parquet`, async () => {
    const n = 2 * PAGE_SIZE + 7
    await t.db.execute({
      sql: `INSERT INTO users (project_id, user_id, created_at, first_seen, last_seen, updated_at, attributes)
            WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
            SELECT ?, 'bulk-' || i, 0, 0, i * 1000, 0, json_object('seats', i) FROM k`,
      args: [n, t.boot.projectId],
    })
    const big = (await post('/segments', { name: 'Bulk', kind: 'static' })).id
    await t.db.execute({ sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) SELECT project_id, ?, id, 0, 0 FROM users WHERE user_id LIKE 'bulk-%'`, args: [big] })

    const r = await exportOf(big, '?columns=userId,attributes.seats')
    const reader = r.body!.getReader()
    let chunks = 0
    let text = ''
    const utf8 = new TextDecoder()
    for (let c = await reader.read(); !c.done; c = await reader.read()) {
      chunks++
      text += utf8.decode(c.value, { stream: true })
    }
    expect(chunks).toBeGreaterThanOrEqual(4) // header + three pages, each sent as it was read
    const data = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data
    expect(data).toHaveLength(n)
    expect(data.map((d) => Number(d['attributes.seats']))).toEqual(Array.from({ length: n }, (_, i) => i + 1))

    const { meta, rows } = await parquet(big, '&columns=userId,lastSeen,attributes.seats')
    expect(meta.row_groups).toHaveLength(3) // one row group per page
    expect(rows).toHaveLength(n)
    expect(rows[n - 1]).toEqual({ userId: `bulk-${n}`, lastSeen: new Date(n * 1000), 'attributes.seats': n })
    expect(new Set(rows.map((x) => x.userId)).size).toBe(n)
  })

  it('refuses unknown columns and formats with a 400 naming the field', async () => {
    const bad = async (query: string) => {
      const r = await exportOf(everyone, query)
      return { status: r.status, body: await r.json() as any }
    }
    expect(await bad('?columns=userId,password')).toMatchObject({ status: 400, body: { error: { code: 'unknown_column', field: 'columns' } } })
    expect((await bad('?columns=userId,password')).body.error.message).toContain('"password"')
    expect(await bad('?columns=attributes.')).toMatchObject({ status: 400, body: { error: { code: 'unknown_column', field: 'columns' } } })
    expect(await bad(`?columns=attributes.${'k'.repeat(256)}`)).toMatchObject({ status: 400, body: { error: { code: 'unknown_column', field: 'columns' } } })
    expect(await bad('?columns=["userId",3]')).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'columns' } } })
    expect(await bad('?columns=[oops')).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'columns' } } })
    expect(await bad('?format=xlsx')).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'format' } } })
    expect(await bad(`?columns=${Array.from({ length: 501 }, (_, i) => `attributes.k${i}`).join(',')}`)).toMatchObject({ status: 400, body: { error: { code: 'too_many_columns', field: 'columns' } } })
  })

  it("keeps projects apart: another project's segment is not found, another project's key is refused", async () => {
    await t.db.execute(`INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES ('prj_b', 'Project B', 'wk_b', 'sk_b', 0)`)
    const other = await t.db.execute({ sql: `INSERT INTO segments (project_id, name, kind, key, created_at, updated_at) VALUES ('prj_b', 'Theirs', 'static', 'theirs', 0, 0) RETURNING id`, args: [] })
    const theirs = Number(other.rows[0].id)
    // Their segment, holding one of our users: still not ours to read.
    await t.db.execute({ sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) VALUES ('prj_b', ?, ?, 0, 0)`, args: [theirs, Number((await user('ann')).id)] })
    expect((await exportOf(theirs)).status).toBe(404)
    expect((await exportOf(987654)).status).toBe(404)
    expect((await exportOf(everyone, '', { headers: { authorization: 'Bearer sk_b' } })).status).toBe(403)
    expect((await t.app.request(`${ORIGIN}/api/projects/prj_b/segments/${theirs}/export`, { headers: auth })).status).toBe(403)
    expect((await t.app.request(`${base()}/segments/${everyone}/export`)).status).toBe(401)
  })

  it('lets a viewer download with the session cookie', async () => {
    await t.db.execute({ sql: `INSERT INTO accounts (id, email, password_hash, created_at) VALUES ('acc_v', 'viewer@x.io', ?, 0)`, args: [await hashPassword('viewer pw')] })
    await t.db.execute({ sql: `INSERT INTO project_members (project_id, account_id, role) VALUES (?, 'acc_v', 'viewer')`, args: [t.boot.projectId] })
    const login = await t.app.request(`${ORIGIN}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ email: 'viewer@x.io', password: 'viewer pw' }) })
    const cookie = /jimer_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0]
    const r = await t.app.request(`${base()}/segments/${everyone}/export?columns=userId`, { headers: { cookie } })
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('userId\r\nann\r\nbob\r\ncat\r\n')
  })
})
