import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { runScheduled } from '../../worker/src/scheduled.js'
import { loadLibrary } from '../../worker/src/segments/store.js'
import { binder, toSql } from '../../worker/src/segments/to-sql.js'
import { testApp } from '../helpers/test-app.js'

/**
 * Issue 12's model test: random programs of every input change — collector messages
 * (identify with traits, track, alias), dashboard tags, static list edits, profile edits,
 * disable/activate, erasure, imports, segment edits and time passing — over a few users and
 * segments that compose each other. After every step, the engine alone (no test calls into
 * it) must have made every dynamic segment's stored members and count equal a fresh SQL
 * evaluation of its conditions, and the ledger replayed must give the stored membership.
 */
const DAY = 86_400_000
const USERS = ['ann', 'bob', 'cat', 'dan']
const PLANS = ['pro', 'free', 'team']

type Step =
  | { k: 'identify'; user: string; plan: string }
  | { k: 'second device'; user: string }
  | { k: 'track'; user: string; n: number }
  | { k: 'alias'; from: string; to: string }
  | { k: 'tag' | 'untag'; user: string }
  | { k: 'static add' | 'static remove'; user: string }
  | { k: 'edit'; user: string; plan: string | null }
  | { k: 'disable' | 'activate' | 'erase'; user: string }
  | { k: 'import'; user: string; plan: string }
  | { k: 'redefine'; variant: number }
  | { k: 'days pass'; days: number }

const user = fc.constantFrom(...USERS)
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('identify' as const), user, plan: fc.constantFrom(...PLANS) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('track' as const), user, n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('second device' as const), user }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('alias' as const), from: user, to: user }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('tag' as const, 'untag' as const), user }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('static add' as const, 'static remove' as const), user }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('edit' as const), user, plan: fc.option(fc.constantFrom(...PLANS)) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('disable' as const, 'activate' as const), user }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('erase' as const), user }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('import' as const), user, plan: fc.constantFrom(...PLANS) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('redefine' as const), variant: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('days pass' as const), days: fc.integer({ min: 1, max: 10 }) }) },
)

const and = (...conditions: unknown[]) => ({ version: 1, root: { type: 'group', logic: 'and', conditions } })
const or = (...conditions: unknown[]) => ({ version: 1, root: { type: 'group', logic: 'or', conditions } })

for (const writer of ['group', 'direct'] as const) {
  describe(`membership is never stale (${writer === 'group' ? 'Node group commit' : 'Workers batch'})`, () => {
    let t: Awaited<ReturnType<typeof testApp>>
    afterEach(() => t?.dispose())

    it('after every step of a random program, stored membership, counts and the replayed ledger equal a fresh evaluation', async () => {
      await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), async (program) => {
        await t?.dispose()
        t = await testApp({ writer })
        const auth = { authorization: `Bearer ${t.secretKey}`, 'content-type': 'application/json' }
        const p = t.boot.projectId
        const api = async (path: string, method = 'GET', body?: unknown) => {
          const r = await t.app.request(`/api/projects/${p}${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) })
          if (r.status >= 500) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
          return { status: r.status, body: r.status === 204 ? null : await r.json() as any }
        }
        const send = async (batch: unknown[]) => {
          const r = await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })
          expect(r.status).toBe(200)
          await t.settled()
        }
        const at = () => new Date(t.clock.get()).toISOString()
        const pkOf = async (u: string) => {
          const { rows } = await t.db.execute({ sql: 'SELECT id FROM users WHERE project_id = ? AND (user_id = ? OR id IN (SELECT user_pk FROM aliases WHERE project_id = ? AND alias = ?))', args: [p, u, p, u] })
          return rows.length ? Number(rows[0].id) : null
        }

        await send(USERS.map((u, i) => ({ type: 'identify', userId: u, anonymousId: `dev-${u}`, traits: { plan: PLANS[i % 3] }, timestamp: at() })))
        const vip = (await api('/tags', 'POST', { name: 'VIP' })).body.id
        const list = (await api('/segments', 'POST', { name: 'Beta list', kind: 'static' })).body.id
        const vips = (await api('/segments', 'POST', { name: 'VIPs', conditions: and({ type: 'tag', operator: 'has_any', tagIds: [vip] }) })).body.id
        const variants = [
          or({ type: 'segment', operator: 'in', segmentId: vips }, { type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }),
          and({ type: 'segment', operator: 'in', segmentId: list }, { type: 'event', event: 'buy', measure: 'count', operator: 'gte', value: 2 }),
          and({ type: 'attribute', key: 'plan', operator: 'is_not', value: 'free' }, { type: 'property', field: 'last_seen', operator: 'less_than_days_ago', value: 7 }),
        ]
        const composed = (await api('/segments', 'POST', { name: 'VIPs or pro', conditions: variants[0] })).body.id
        // Composes a composer; and the clock: active in the last 7 days.
        await api('/segments', 'POST', { name: 'Recent VIPs-or-pro', conditions: and({ type: 'segment', operator: 'in', segmentId: composed }, { type: 'property', field: 'last_seen', operator: 'less_than_days_ago', value: 7 }) })
        await api('/segments', 'POST', { name: 'Not on the list', conditions: and({ type: 'segment', operator: 'not_in', segmentId: list }) })
        // Devices: a Jimer ID that moves with an identify on another device, or a merge.
        await api('/segments', 'POST', { name: 'On a second device', conditions: and({ type: 'property', field: 'jimer_id', operator: 'starts_with', value: 'second-' }) })

        for (const s of program) {
          const pk = 'user' in s ? await pkOf(s.user) : null
          switch (s.k) {
            case 'identify': await send([{ type: 'identify', userId: s.user, traits: { plan: s.plan }, timestamp: at() }]); break
            // An identify with nothing new, on a device another user used before: only the device moves.
            case 'second device': await send([{ type: 'identify', userId: s.user, anonymousId: 'second-device', timestamp: at() }]); break
            case 'track': await send(Array.from({ length: s.n }, () => ({ type: 'track', userId: s.user, event: 'buy', timestamp: at() }))); break
            case 'alias': if (s.from !== s.to) await send([{ type: 'alias', previousId: s.from, userId: s.to, timestamp: at() }]); break
            case 'tag': if (pk) await api(`/users/${pk}/tags`, 'POST', { tagId: vip }); break
            case 'untag': if (pk) await api(`/users/${pk}/tags/${vip}`, 'DELETE'); break
            case 'static add': if (pk) await api(`/segments/${list}/members`, 'POST', { ids: [pk] }); break
            case 'static remove': if (pk) await api(`/segments/${list}/members/${pk}`, 'DELETE'); break
            case 'edit': if (pk) await api(`/users/${pk}`, 'PATCH', { attributes: { plan: s.plan } }); break
            case 'disable': if (pk) await api(`/users/${pk}`, 'PATCH', { status: 'disabled' }); break
            case 'activate': if (pk) await api(`/users/${pk}`, 'PATCH', { status: 'active' }); break
            case 'erase': if (pk) await api(`/users/${pk}`, 'DELETE'); break
            case 'import': {
              const imp = await api('/imports', 'POST', { name: 'model', match: 'userId', columns: [{ header: 'user_id', target: 'userId' }, { header: 'plan', target: 'attribute', key: 'plan', type: 'string' }] })
              if (imp.status !== 201) throw new Error(`import: ${JSON.stringify(imp.body)}`)
              await api(`/imports/${imp.body.id}/chunks/0`, 'PUT', { rows: [[s.user, s.plan]] })
              await api(`/imports/${imp.body.id}/finish`, 'POST')
              break
            }
            case 'redefine': await api(`/segments/${composed}`, 'PATCH', { conditions: variants[s.variant] }); break
            case 'days pass':
              t.clock.advance(s.days * DAY)
              // Time passing is an input too: the schedule (every 5 minutes on Node, the cron on Workers) brings it in.
              await runScheduled(t.db, t.writer, t.clock.get())
              break
          }
          await check(t, p)
        }
      }), { numRuns: 40 })
    }, 240_000)
  })
}

async function check(t: Awaited<ReturnType<typeof testApp>>, projectId: string) {
  const lib = await loadLibrary(t.db, projectId)
  const now = t.clock.get()
  for (const seg of lib.segments.values()) {
    const stored = (await t.db.execute({ sql: 'SELECT user_pk FROM segment_members WHERE segment_id = ? ORDER BY user_pk', args: [seg.id] })).rows.map((r) => Number(r.user_pk))
    if (seg.kind === 'dynamic' && seg.tree) {
      const b = binder()
      const where = toSql(seg.tree, { now, segments: lib.segments, projectId }, b.bind)
      const fresh = (await t.db.execute({ sql: `SELECT u.id FROM users u WHERE u.project_id = ${b.bind(projectId)} AND u.status = 'active' AND ${where} ORDER BY u.id`, args: b.args })).rows.map((r) => Number(r.id))
      expect(stored, `members of "${seg.name}"`).toEqual(fresh)
    }
    const count = Number((await t.db.execute({ sql: 'SELECT member_count FROM segments WHERE id = ?', args: [seg.id] })).rows[0].member_count)
    expect(count, `count of "${seg.name}"`).toBe(stored.length)
    // The ledger, replayed in order, gives the stored members: entries and exits alternate.
    const replay = new Set<number>()
    for (const r of (await t.db.execute({ sql: 'SELECT user_pk, entered FROM segment_ledger WHERE segment_id = ? ORDER BY id', args: [seg.id] })).rows) {
      const u = Number(r.user_pk)
      expect(replay.has(u), `ledger of "${seg.name}": user ${u} ${Number(r.entered) ? 'entered twice' : 'left without entering'}`).toBe(!Number(r.entered))
      if (Number(r.entered)) replay.add(u)
      else replay.delete(u)
    }
    expect([...replay].sort((a, b) => a - b), `ledger of "${seg.name}"`).toEqual(stored)
  }
}

describe('merges and the ledger', () => {
  it('a merge keeps the static lists of the profile folded in, and the ledger says "merge"', async () => {
    const t = await testApp()
    try {
      const auth = { authorization: `Bearer ${t.secretKey}`, 'content-type': 'application/json' }
      const api = async (path: string, method: string, body?: unknown) => (await t.app.request(`/api/projects/${t.boot.projectId}${path}`, { method, headers: auth, body: JSON.stringify(body) })).json() as Promise<any>
      const send = async (batch: unknown[]) => {
        expect((await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch }) })).status).toBe(200)
        await t.settled()
      }
      await send([{ type: 'page', anonymousId: 'visitor-1', name: 'Pricing' }])
      const anon = Number((await t.db.execute(`SELECT id FROM users WHERE anonymous_id = 'visitor-1'`)).rows[0].id)
      const list = await api('/segments', 'POST', { name: 'Beta list', kind: 'static' })
      const anonymous = await api('/segments', 'POST', { name: 'Anonymous', conditions: and({ type: 'property', field: 'identified', operator: 'is_false' }) })
      await api(`/segments/${list.id}/members`, 'POST', { ids: [anon] })
      await send([{ type: 'identify', userId: 'ann', traits: { plan: 'pro' } }, { type: 'identify', userId: 'ann', anonymousId: 'visitor-1' }])
      const ann = Number((await t.db.execute(`SELECT id FROM users WHERE user_id = 'ann'`)).rows[0].id)
      expect(ann).not.toBe(anon)
      const members = async (id: number) => (await t.db.execute({ sql: 'SELECT user_pk FROM segment_members WHERE segment_id = ?', args: [id] })).rows.map((r) => Number(r.user_pk))
      expect(await members(list.id)).toEqual([ann])
      expect(await members(anonymous.id)).toEqual([])
      const ledger = (await t.db.execute({ sql: 'SELECT segment_id, user_pk, entered, cause FROM segment_ledger ORDER BY id' })).rows.map((r) => [Number(r.segment_id), Number(r.user_pk), Number(r.entered), String(r.cause)])
      expect(ledger).toEqual([
        [anonymous.id, anon, 1, 'created'],
        [list.id, anon, 1, 'static list'],
        [list.id, ann, 1, 'merge'],
        // The folded profile's exits, in segment order (its memberships are read per segment).
        ...[[anonymous.id, anon, 0, 'merge'], [list.id, anon, 0, 'merge']].sort((a, b) => Number(a[0]) - Number(b[0])),
      ])
    } finally {
      await t.dispose()
    }
  })
})
