import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withCause } from '../../worker/src/segments/cause.js'
import { treeSchema, type Node } from '../../worker/src/segments/condition.js'
import { membershipStatements } from '../../worker/src/segments/membership.js'
import { loadLibrary } from '../../worker/src/segments/store.js'
import { testApp } from '../helpers/test-app.js'

/**
 * A whole segment's recompute writes its exits, entries, ledger rows and count change as
 * sets, with the per-row triggers held off (migration 0012); a drain's few users keep the
 * triggers. Two apps take the same random history: in one every edit is recomputed whole
 * (the set path), in the other the same edit is written scoped to every user (the trigger
 * path). Members, counts, ledger rows (in order, with cause and time) and the change
 * journal must be the same after every step, and the drains that follow each recompute
 * must still write their own ledger rows (the triggers are back on).
 */
describe('membership set writes agree with the per-row triggers', () => {
  type App = Awaited<ReturnType<typeof testApp>>
  let sets: App
  let rows: App
  const segment: Record<string, number> = {}
  const plans = ['free', 'pro', 'starter']
  let seed = 20261203
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  const api = (t: App, path: string, method: string, body?: unknown) =>
    t.app.request(`/api/projects/${t.boot.projectId}${path}`, { method, headers: { authorization: `Bearer ${t.secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const both = async (f: (t: App) => Promise<unknown>) => { await f(sets); await f(rows) }
  const identify = (batch: { userId: string; plan: string; seats: number }[]) => both(async (t) => {
    const body = { writeKey: t.boot.writeKey, batch: batch.map((b) => ({ type: 'identify', userId: b.userId, traits: { plan: b.plan, seats: b.seats } })) }
    expect((await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify(body) })).status).toBe(200)
    await t.settled()
  })
  const leaf = (): Node => rand(2)
    ? { type: 'attribute', key: 'plan', operator: rand(3) ? 'is' : 'is_not', value: plans[rand(3)] } as Node
    : { type: 'attribute', key: 'seats', operator: rand(2) ? 'gte' : 'lt', value: rand(20) } as Node
  const tree = () => treeSchema.parse({ version: 1, root: { type: 'group', logic: rand(2) ? 'and' : 'or', conditions: Array.from({ length: 1 + rand(3) }, leaf) } })
  /** What both must agree on: the project's id stripped, since each app has its own. */
  const state = async (t: App) => {
    const q = async (sql: string) => (await t.db.execute({ sql, args: [t.boot.projectId] })).rows.map((r) => ({ ...r }))
    return {
      members: await q(`SELECT s.name, u.user_id FROM segment_members m JOIN segments s ON s.id = m.segment_id JOIN users u ON u.id = m.user_pk WHERE m.project_id = ? ORDER BY 1, 2`),
      counts: await q(`SELECT name, member_count, (SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id) AS stored FROM segments s WHERE project_id = ? ORDER BY name`),
      // In order; within one write's run of exits (or entries) the users' order is not a promise.
      ledger: runsSorted(await q(`SELECT s.name, u.user_id, l.entered, l.at, l.cause FROM segment_ledger l JOIN segments s ON s.id = l.segment_id JOIN users u ON u.id = l.user_pk WHERE l.project_id = ? ORDER BY l.id`)),
      journal: await q(`SELECT u.user_id, c.cause, c.inputs FROM user_changes c JOIN users u ON u.id = c.user_pk WHERE c.project_id = ? ORDER BY c.seq`),
      cause: await q(`SELECT cause, at, bulk FROM write_cause WHERE ? IS NOT NULL`),
    }
  }

  const runsSorted = (ledger: Record<string, unknown>[]) => {
    const key = (l: Record<string, unknown>) => `${l.name} ${l.entered} ${l.at} ${l.cause}`
    const out: Record<string, unknown>[] = []
    for (let i = 0; i < ledger.length;) {
      let j = i
      while (j < ledger.length && key(ledger[j]) === key(ledger[i])) j++
      out.push(...ledger.slice(i, j).sort((a, b) => String(a.user_id).localeCompare(String(b.user_id))))
      i = j
    }
    return out
  }

  beforeAll(async () => {
    ;[sets, rows] = [await testApp(), await testApp()]
    await identify(Array.from({ length: 40 }, (_, i) => ({ userId: `u${i}`, plan: plans[i % 3], seats: i % 17 })))
    for (const name of ['A', 'B']) {
      await both(async (t) => {
        const res = await api(t, '/segments', 'POST', { name, conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } })
        segment[`${name}:${t.boot.projectId}`] = ((await res.json()) as { id: number }).id
        await t.settled()
      })
    }
    expect(await state(sets)).toEqual(await state(rows))
  })
  afterAll(async () => { await sets.dispose(); await rows.dispose() })

  it('for 30 random edits, each followed by profile changes', async () => {
    let entered = 0
    for (let step = 0; step < 30; step++) {
      const name = rand(2) ? 'A' : 'B'
      const draft = tree()
      const now = 1_800_000_000_000 + step * 1000
      await both(async (t) => {
        const lib = await loadLibrary(t.db, t.boot.projectId)
        const seg = { ...lib.segments.get(segment[`${name}:${t.boot.projectId}`])!, tree: draft }
        const everyone = t === rows ? (await t.db.execute({ sql: 'SELECT id FROM users WHERE project_id = ?', args: [t.boot.projectId] })).rows.map((r) => Number(r.id)) : undefined
        await t.writer.write(withCause('edit', now, membershipStatements(t.boot.projectId, seg, lib, now, everyone, new Set())))
      })
      const a = await state(sets)
      expect(a).toEqual(await state(rows))
      entered += a.ledger.filter((l) => l.cause === 'edit').length
      // Then some profiles change: the drain's own ledger rows (cause ingest) are written by the triggers in both.
      await identify(Array.from({ length: 1 + rand(4) }, () => ({ userId: `u${rand(40)}`, plan: plans[rand(3)], seats: rand(17) })))
      expect(await state(sets)).toEqual(await state(rows))
    }
    const final = await state(sets)
    // The history did move membership both ways, through both kinds of write.
    expect(entered).toBeGreaterThan(30)
    expect(final.ledger.some((l) => l.cause === 'edit' && l.entered === 0)).toBe(true)
    expect(final.ledger.some((l) => l.cause === 'ingest')).toBe(true)
    expect(final.cause).toEqual([{ cause: 'ingest', at: 0, bulk: 0 }])
  })
})
