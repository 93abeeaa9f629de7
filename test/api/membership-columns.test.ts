import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { membershipStatements, recomputeStale, type ColumnMembers } from '../../worker/src/segments/membership.js'
import { loadLibrary } from '../../worker/src/segments/store.js'
import { testApp } from '../helpers/test-app.js'

/**
 * A whole segment's recompute on Node takes its members from the columns, evaluated at a
 * journal position: those stand for the users unchanged since, the users changed since are
 * evaluated in SQL inside the write, and when the journal no longer reaches back there (or
 * someone was erased since) the whole segment is evaluated in SQL. Each case below hands
 * the statements a column answer that is deliberately wrong, to see which users take it.
 */
describe('recompute from the columns, with the journal as the guard', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let pro: number
  const users = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay']
  const pk = new Map<string, number>()
  const api = async (path: string, method: string, body?: unknown) =>
    (await t.app.request(`/api/projects/${t.boot.projectId}${path}`, { method, headers: { authorization: `Bearer ${t.secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>
  const identify = async (batch: { userId: string; plan: string }[]) => {
    const body = { writeKey: t.boot.writeKey, batch: batch.map((b) => ({ type: 'identify', userId: b.userId, traits: { plan: b.plan } })) }
    expect((await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify(body) })).status).toBe(200)
    await t.settled()
  }
  const members = async () => (await t.db.execute({ sql: 'SELECT u.user_id FROM segment_members m JOIN users u ON u.id = m.user_pk WHERE m.segment_id = ? ORDER BY 1', args: [pro] })).rows.map((r) => String(r.user_id))
  const count = async () => Number((await t.db.execute({ sql: 'SELECT member_count FROM segments WHERE id = ?', args: [pro] })).rows[0].member_count)
  const seq = async () => Number((await t.db.execute('SELECT coalesce(max(seq), 0) AS s FROM user_changes')).rows[0].s)
  /** Writes the recompute with `evaluated` as the columns' answer. */
  const recompute = async (evaluated: ColumnMembers) => {
    const lib = await loadLibrary(t.db, t.boot.projectId)
    await t.writer.write(membershipStatements(t.boot.projectId, lib.segments.get(pro)!, lib, t.clock.get(), undefined, new Set(), evaluated))
  }
  // The columns' (wrong) answer: every user is a member.
  const everyone = () => users.map((u) => pk.get(u)!)

  beforeAll(async () => {
    t = await testApp()
    await identify(users.map((u, i) => ({ userId: u, plan: i % 2 ? 'free' : 'pro' })))
    for (const r of (await t.db.execute('SELECT id, user_id FROM users')).rows) pk.set(String(r.user_id), Number(r.id))
    pro = (await api('/segments', 'POST', { name: 'Pro', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } })).id
    await t.settled()
    expect(await members()).toEqual(['ann', 'cat', 'eve'])
  })
  afterAll(() => t.dispose())

  it('takes the columns\' members for every user unchanged since their journal position', async () => {
    await recompute({ pks: everyone(), seq: await seq(), erased: 0 })
    expect(await members()).toEqual(users)
    expect(await count()).toBe(6)
  })

  it('evaluates in SQL the users changed after that position', async () => {
    const at = await seq()
    // bob turns pro and cat free after the columns looked (the drain is held back meanwhile by recomputing by hand).
    await identify([{ userId: 'bob', plan: 'pro' }, { userId: 'cat', plan: 'free' }])
    await recompute({ pks: everyone(), seq: at, erased: 0 })
    expect(await members()).toEqual(['ann', 'bob', 'dan', 'eve', 'fay'])
    expect(await count()).toBe(5)
  })

  it('evaluates the whole segment in SQL after an erasure since, or when the journal was trimmed past it', async () => {
    await recompute({ pks: everyone(), seq: await seq(), erased: 1 })
    expect(await members()).toEqual(['ann', 'bob', 'eve'])
    const at = await seq()
    await t.db.execute({ sql: 'DELETE FROM user_changes WHERE seq <= ?', args: [at + 1] })
    await identify([{ userId: 'dan', plan: 'pro' }])
    await recompute({ pks: everyone(), seq: at - 5, erased: 0 })
    expect(await members()).toEqual(['ann', 'bob', 'dan', 'eve'])
    expect(await count()).toBe(4)
  })

  it('the recompute that saving starts uses the columns, and agrees with SQL', async () => {
    const columns = t.columns!
    await columns.read(t.boot.projectId, ['plan'])
    const read = columns.read
    let reads = 0
    columns.read = (...a) => { reads++; return read(...a) }
    await api(`/segments/${pro}`, 'PATCH', { conditions: { version: 1, root: { type: 'group', logic: 'or', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'free' }, { type: 'property', field: 'sessions', operator: 'gte', value: 100 }] } } })
    await t.settled()
    expect(reads).toBeGreaterThan(0)
    columns.read = read
    expect(await members()).toEqual(['cat', 'fay'])
    // Again through the SQL path: nothing to change.
    await t.writer.write([{ sql: `INSERT INTO segment_stale (segment_id, project_id, cause, since) VALUES (?, ?, 'repair', 0)`, args: [pro, t.boot.projectId] }])
    const before = Number((await t.db.execute('SELECT count(*) AS n FROM segment_ledger')).rows[0].n)
    expect(await recomputeStale(t.db, t.writer, t.clock.get(), t.boot.projectId)).toBe(1)
    expect(await members()).toEqual(['cat', 'fay'])
    expect(Number((await t.db.execute('SELECT count(*) AS n FROM segment_ledger')).rows[0].n)).toBe(before)
  })
})
