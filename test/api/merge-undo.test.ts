import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { normalEmail } from '../../worker/src/users/duplicates.js'
import { testApp } from '../helpers/test-app.js'

const DAY = 86_400_000
/** Append-only logs (they record the merge and its undo), and FTS5's internal pages (compared by a search below). */
// The engine's logs and positions move with any write; what they must hold has its own tests.
const LOGS = /^(user_changes|segment_ledger|audit_log|user_merges|users_search_.*|membership_cursor|write_cause|webhook_cursor)$/

describe('duplicates and reversible merges', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  const pk: Record<string, number> = {}
  const seg: Record<string, number> = {}
  const api = (method: string, path: string, body?: unknown) =>
    Promise.resolve(t.app.request(`/api/projects/${t.boot.projectId}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.secretKey}` },
    })).then(async (r) => ({ status: r.status, body: r.status === 204 ? null : (await r.json()) as any }))
  /** Every row of every table but the logs, with the segments' computed_at (the refresh's clock) left out. */
  const everything = async () => {
    const tables = (await t.db.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`)).rows.map((r) => String(r.name)).filter((n) => !LOGS.test(n))
    const out: string[] = []
    for (const name of tables) {
      for (const row of (await t.db.execute(`SELECT * FROM "${name}"`)).rows) out.push(`${name}: ${JSON.stringify(name === 'segments' ? { ...row, computed_at: null } : row)}`)
    }
    return out.sort()
  }
  const search = async (q: string) => (await t.db.execute({ sql: 'SELECT rowid FROM users_search WHERE users_search MATCH ? ORDER BY rowid', args: [q] })).rows.map((r) => Number(r.rowid))

  beforeAll(async () => {
    t = await testApp()
    const at = (days: number) => new Date(t.clock.get() - days * DAY).toISOString()
    await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch: [
      { type: 'identify', userId: 'ann', anonymousId: 'dev-ann-1', traits: { email: ' Ann+news@Acme.io', name: 'Ann', plan: 'pro', seats: 3 }, timestamp: at(30) },
      { type: 'track', userId: 'ann', anonymousId: 'dev-ann-1', event: 'order_placed', properties: { total: 10 }, timestamp: at(30) },
      { type: 'track', userId: 'ann', event: '$experience', properties: { id: 'tour', action: 'completed' }, timestamp: at(29) },
      { type: 'identify', userId: 'ann-2', anonymousId: 'dev-ann-2', traits: { email: 'ann@acme.io', plan: 'free', country: 'FR' }, timestamp: at(2) },
      { type: 'track', userId: 'ann-2', anonymousId: 'dev-ann-2', event: 'order_placed', properties: { total: 20 }, timestamp: at(1) },
      { type: 'track', userId: 'ann-2', event: '$response', properties: { experience: 'nps', answer: 9 }, timestamp: at(1) },
      { type: 'identify', userId: 'bob', traits: { email: 'bob@acme.io' }, timestamp: at(3) },
      { type: 'alias', userId: 'cat', previousId: 'old-cat', timestamp: at(5) },
    ] }) })
    for (const u of ['ann', 'ann-2', 'bob', 'cat']) pk[u] = Number((await t.db.execute({ sql: 'SELECT id FROM users WHERE user_id = ?', args: [u] })).rows[0].id)
    // A second profile answering to the alias "old-cat" (as an import by user id could make).
    pk['old-cat'] = Number((await t.db.execute({ sql: `INSERT INTO users (project_id, user_id, created_at, first_seen, last_seen, updated_at) VALUES (?, 'old-cat', 1, 0, 0, 1) RETURNING id`, args: [t.boot.projectId] })).rows[0].id)
    const vip = (await api('POST', '/tags', { name: 'VIP' })).body.id
    const beta = (await api('POST', '/tags', { name: 'Beta' })).body.id
    await api('POST', `/users/${pk.ann}/tags`, { tagId: vip })
    await api('POST', `/users/${pk['ann-2']}/tags`, { tagId: beta })
    await api('POST', `/users/${pk['ann-2']}/tags`, { tagId: vip })
    seg.list = (await api('POST', '/segments', { name: 'Interviewed', kind: 'static' })).body.id
    await api('POST', `/segments/${seg.list}/members`, { userIds: ['ann-2'] })
    const tree = (key: string, value: string) => ({ version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key, operator: 'is', value }] } })
    seg.pro = (await api('POST', '/segments', { name: 'Pro', conditions: tree('plan', 'pro') })).body.id
    seg.free = (await api('POST', '/segments', { name: 'Free', conditions: tree('plan', 'free') })).body.id
    seg.fr = (await api('POST', '/segments', { name: 'France', conditions: tree('country', 'FR') })).body.id
  })
  afterAll(() => t.dispose())

  it('normalises emails by trimming, folding case and dropping a +tag in the local part (dots stay)', () => {
    expect(normalEmail(' Ann+News@ACME.io ')).toBe('ann@acme.io')
    expect(normalEmail('a.b@x.io')).toBe('a.b@x.io')
    expect(normalEmail('plus@in+domain.io')).toBe('plus@in+domain.io')
  })

  it('groups profiles by normalised email and by a user id that is another profile\'s alias', async () => {
    const r = await api('GET', '/duplicates')
    expect(r.status).toBe(200)
    const groups = r.body.groups.map((g: any) => ({ reasons: g.reasons, users: g.users.map((u: any) => u.userId) }))
    expect(groups).toEqual(expect.arrayContaining([
      { reasons: ['same email ann@acme.io'], users: ['ann', 'ann-2'] },
      { reasons: ['same user id old-cat'], users: expect.arrayContaining(['cat', 'old-cat']) },
    ]))
    expect(groups).toHaveLength(2)
  })

  it('merges with the field rules, and Undo restores both profiles exactly', async () => {
    const before = await everything()
    t.clock.advance(60_000)
    const merged = await api('POST', '/users/merge', { keepPk: pk.ann, mergePk: pk['ann-2'] })
    expect(merged.status).toBe(200)
    const kept = (await t.db.execute({ sql: 'SELECT * FROM users WHERE id = ?', args: [pk.ann] })).rows[0]
    const gone = (await t.db.execute({ sql: 'SELECT * FROM users WHERE id = ?', args: [pk['ann-2']] })).rows
    expect(gone).toEqual([])
    const attrs = JSON.parse(String(kept.attributes))
    // Newer values win key by key (ann-2 set plan later), others are kept or added.
    expect(attrs).toEqual({ plan: 'free', seats: 3, country: 'FR' })
    expect(kept.email).toBe('ann@acme.io')
    const owned = async (table: string) => Number((await t.db.execute({ sql: `SELECT count(*) AS n FROM ${table} WHERE user_pk = ?`, args: [pk.ann] })).rows[0].n)
    expect({ devices: await owned('devices'), events: await owned('events'), tags: await owned('user_tags'), interactions: await owned('interactions'), responses: await owned('responses') })
      .toEqual({ devices: 2, events: 6, tags: 2, interactions: 1, responses: 1 })
    const segmentsOf = async (u: number) => (await t.db.execute({ sql: 'SELECT s.name FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.user_pk = ? ORDER BY s.name', args: [u] })).rows.map((r) => r.name)
    expect(await segmentsOf(pk.ann)).toEqual(['France', 'Free', 'Interviewed'])
    expect((await t.db.execute({ sql: "SELECT user_pk FROM aliases WHERE alias = 'ann-2'" })).rows[0].user_pk).toBe(pk.ann)
    const ledger = (await t.db.execute({ sql: "SELECT DISTINCT cause FROM segment_ledger WHERE user_pk IN (?, ?) AND at >= ?", args: [pk.ann, pk['ann-2'], t.clock.get()] })).rows.map((r) => r.cause)
    expect(ledger).toContain('merge')
    expect(await search('"ann-2"')).toEqual([])

    t.clock.advance(60_000)
    expect((await api('POST', `/merges/${merged.body.id}/undo`)).status).toBe(204)
    expect(await everything()).toEqual(before)
    expect(await search('"ann-2"')).toEqual([pk['ann-2']])
    const undoLedger = (await t.db.execute({ sql: "SELECT count(*) AS n FROM segment_ledger WHERE cause = 'undo merge'" })).rows[0].n
    expect(Number(undoLedger)).toBeGreaterThan(0)
    const audit = (await api('GET', '/audit?objectType=user')).body.entries.map((e: any) => [e.action, e.objectId, e.summary.after?.mergedPk])
    expect(audit.slice(0, 2)).toEqual([['user.undo_merge', String(pk.ann), pk['ann-2']], ['user.merge', String(pk.ann), pk['ann-2']]])
    expect(await api('POST', `/merges/${merged.body.id}/undo`)).toMatchObject({ status: 409, body: { error: { code: 'already_undone' } } })
    const list = (await api('GET', '/merges')).body.merges
    expect(list[0]).toMatchObject({ id: merged.body.id, kept: { userId: 'ann' }, merged: { userId: 'ann-2' }, undoneAt: t.clock.get() })
  })

  it('keeps the undo for 30 days only, and refuses merging a profile into itself or a stranger', async () => {
    const m = await api('POST', '/users/merge', { keepPk: pk.cat, mergePk: pk['old-cat'] })
    expect(m.status).toBe(200)
    t.clock.advance(31 * DAY)
    expect(await api('POST', `/merges/${m.body.id}/undo`)).toMatchObject({ status: 410, body: { error: { code: 'expired' } } })
    expect(await api('POST', '/users/merge', { keepPk: pk.bob, mergePk: pk.bob })).toMatchObject({ status: 400, body: { error: { code: 'same_user', field: 'mergePk' } } })
    expect((await api('POST', '/users/merge', { keepPk: pk.bob, mergePk: 999_999 })).status).toBe(404)
    expect(await api('POST', '/users/merge', { keepPk: 'bob' })).toMatchObject({ status: 400, body: { error: { field: 'keepPk' } } })
  })

  it('refuses the undo, changing nothing, when the merged user id names a profile made since', async () => {
    const m = await api('POST', '/users/merge', { keepPk: pk.ann, mergePk: pk['ann-2'] })
    await t.db.execute({ sql: `INSERT INTO users (project_id, user_id, created_at, first_seen, last_seen, updated_at) VALUES (?, 'ann-2', 1, 0, 0, 1)`, args: [t.boot.projectId] })
    const before = await everything()
    expect(await api('POST', `/merges/${m.body.id}/undo`)).toMatchObject({ status: 409, body: { error: { code: 'pk_taken' } } })
    expect(await everything()).toEqual(before)
    await t.db.execute(`DELETE FROM users WHERE user_id = 'ann-2'`)
    expect((await api('POST', `/merges/${m.body.id}/undo`)).status).toBe(204)
  })

  it('forgets the merge record when either profile is erased', async () => {
    const m = await api('POST', '/users/merge', { keepPk: pk.ann, mergePk: pk['ann-2'] })
    expect((await api('DELETE', `/users/${pk.ann}`)).status).toBe(204)
    expect((await t.db.execute({ sql: 'SELECT count(*) AS n FROM user_merges WHERE id = ?', args: [m.body.id] })).rows[0].n).toBe(0)
    expect((await api('POST', `/merges/${m.body.id}/undo`)).status).toBe(404)
  })
})
