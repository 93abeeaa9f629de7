import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScheduled } from '../../worker/src/scheduled.js'
import { testApp } from '../helpers/test-app.js'

/** The schedule's verification (issue 12): it finds nothing when the engine works, and repairs, visibly, what was broken behind its back. */
describe('membership verification on the schedule', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let pro: number
  const api = async (path: string, method: string, body?: unknown) =>
    (await t.app.request(`/api/projects/${t.boot.projectId}${path}`, { method, headers: { authorization: `Bearer ${t.secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>

  beforeAll(async () => {
    t = await testApp()
    const batch = ['ann', 'bob', 'cat', 'dan'].map((u, i) => ({ type: 'identify', userId: u, traits: { plan: i % 2 ? 'free' : 'pro' } }))
    expect((await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })).status).toBe(200)
    await t.settled()
    pro = (await api('/segments', 'POST', { name: 'Pro', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } })).id
  })
  afterAll(() => t.dispose())

  it('finds nothing to repair when membership was kept by the engine', async () => {
    const r = await runScheduled(t.db, t.writer, t.clock.get())
    expect(r.membership).toEqual({ countsRepaired: [], membersRepaired: 0, segmentsVerified: 1 })
  })

  it('repairs a count and memberships broken behind its back, says so, and the ledger shows the repair', async () => {
    // Behind the engine's back: a stray member, a lost member, a wrong count (no journal entry for either user).
    const pks = (await t.db.execute(`SELECT id, user_id FROM users ORDER BY user_id`)).rows.map((r) => Number(r.id))
    await t.db.batch([
      'DROP TRIGGER segment_members_insert', 'DROP TRIGGER segment_members_delete',
      { sql: 'INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) VALUES (?, ?, ?, 0, 0)', args: [t.boot.projectId, pro, pks[1]] },
      { sql: 'DELETE FROM segment_members WHERE segment_id = ? AND user_pk = ?', args: [pro, pks[0]] },
      { sql: 'UPDATE segments SET member_count = 7 WHERE id = ?', args: [pro] },
    ], 'write')
    // The triggers back, as the latest migration made them (0012 held them off while membership writes sets; 0013 re-made them with the clustered table).
    const { readFileSync } = await import('node:fs')
    const sql = readFileSync(new URL('../../migrations/0013_segment_members_clustered.sql', import.meta.url), 'utf8').split('--> statement-breakpoint').filter((s) => /CREATE TRIGGER `segment_members_/.test(s))
    for (const s of sql) await t.db.execute(s.trim())

    const r = await runScheduled(t.db, t.writer, t.clock.get())
    expect(r.membership.countsRepaired).toEqual([`Pro (${t.boot.projectId}): stored 7, counted 2`])
    expect(r.membership.membersRepaired).toBe(2)
    const members = (await t.db.execute({ sql: 'SELECT u.user_id FROM segment_members m JOIN users u ON u.id = m.user_pk WHERE m.segment_id = ? ORDER BY 1', args: [pro] })).rows.map((x) => String(x.user_id))
    expect(members).toEqual(['ann', 'cat'])
    expect(Number((await t.db.execute({ sql: 'SELECT member_count FROM segments WHERE id = ?', args: [pro] })).rows[0].member_count)).toBe(2)
    const repairs = (await t.db.execute({ sql: `SELECT u.user_id, l.entered FROM segment_ledger l JOIN users u ON u.id = l.user_pk WHERE l.cause = 'repair' ORDER BY l.id`, args: [] })).rows.map((x) => `${x.user_id}:${x.entered}`)
    expect(repairs.sort()).toEqual(['ann:1', 'bob:0'])
    // And the next run finds nothing again.
    expect((await runScheduled(t.db, t.writer, t.clock.get())).membership).toMatchObject({ countsRepaired: [], membersRepaired: 0 })
  })
})
