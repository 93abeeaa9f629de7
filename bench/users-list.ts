/**
 * The Users list API over the seeded 1M users (first page + total), through the real app
 * in-process on the Node database path: no filter, a search, a 3-condition filter. Beside
 * each, the same list as a plain JS sort + filter over the users in memory.
 */
import Database from 'libsql'
import { createApp } from '../worker/src/app.js'
import { openCachedConnection } from '../worker/src/db/node-db.js'
import { groupCommitWriter } from '../worker/src/ingest/writer.js'
import { userColumns } from '../worker/src/segments/columns.js'
import { benchDb, USERS } from './segments.js'
import type { Table } from './table.js'

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]
const DAY = 86_400_000
/** Issue goals per case: unfiltered first page, search, 3-condition filter. */
const GOALS = [50, 50, 200]

export async function usersListBench(table: Table): Promise<{ ok: boolean }> {
  const dbPath = await benchDb()
  const conn = openCachedConnection(dbPath)
  // One clock for the API and the baseline: "more than 90 days ago" must mean the same instant.
  const now = Date.now()
  // As the Node server: users' facts as columns in memory (first request loads them).
  const columns = userColumns(conn.db)
  const app = createApp({ db: conn.db, writer: groupCommitWriter(async (s) => conn.transaction(s)), now: () => now, columns })
  const p = (await conn.db.execute('SELECT id, secret_key FROM projects ORDER BY created_at LIMIT 1')).rows[0]
  // Loaded as the server does in the background after it starts, before the timed requests.
  await columns.read(String(p.id), ['plan', 'seats'])
  const get = async (query: string) => {
    const r = await app.request(`/api/projects/${p.id}/users?limit=50${query}`, { headers: { authorization: `Bearer ${p.secret_key}` } })
    if (r.status !== 200) throw new Error(`users list ${query}: ${r.status} ${await r.text()}`)
    return r.json() as Promise<{ total: number; users: unknown[] }>
  }
  const filter = encodeURIComponent(JSON.stringify({ version: 1, root: { type: 'group', logic: 'or', conditions: [
    { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }, { type: 'attribute', key: 'seats', operator: 'gte', value: 10 }] },
    { type: 'property', field: 'last_seen', operator: 'more_than_days_ago', value: 90 },
  ] } }))
  const cases: [string, string][] = [['no filter', ''], ['search "ann" (contains)', '&q=ann'], ['3-condition AND/OR filter', `&filter=${filter}`]]

  // Baseline: the same lists from the users in memory, sorted and filtered by a loop.
  const raw = new Database(dbPath, { readonly: true })
  const users = (raw.prepare(`SELECT id, user_id, email, name, last_seen, attributes FROM users WHERE project_id = ? AND status = 'active'`).raw(true).all(p.id) as [number, string | null, string | null, string | null, number, string][])
    .map(([id, userId, email, name, lastSeen, attributes]) => ({ id, userId, email, name, lastSeen, attributes: JSON.parse(attributes) as Record<string, unknown> }))
  raw.close()
  const tests: ((u: (typeof users)[number]) => boolean)[] = [
    () => true,
    (u) => [u.userId, u.email, u.name].some((x) => x !== null && x.toLowerCase().includes('ann')),
    (u) => (u.attributes.plan === 'pro' && typeof u.attributes.seats === 'number' && u.attributes.seats >= 10) || u.lastSeen < now - 90 * DAY,
  ]

  let ok = true
  const mismatches: string[] = []
  for (const [i, [label, query]] of cases.entries()) {
    const first = await get(query)
    const times: number[] = []
    for (let k = 0; k < 7; k++) {
      const t0 = performance.now()
      await get(query)
      times.push(performance.now() - t0)
    }
    const t0 = performance.now()
    const matching = users.filter(tests[i])
    matching.sort((a, b) => b.lastSeen - a.lastSeen || b.id - a.id)
    const baseline = performance.now() - t0
    if (matching.length !== first.total) mismatches.push(`${label}: API ${first.total}, loop ${matching.length}`)
    ok = ok && matching.length === first.total
    const p95 = pct(times, 95)
    table.add({
      figure: `Users list API, first page + total, ${label}, ${USERS.toLocaleString('en')} users (p95)`, value: `${p95.toFixed(0)} ms`,
      baseline: 'same list, JS filter + sort in memory', baselineValue: `${baseline.toFixed(0)} ms`, ratio: (p95 / baseline).toFixed(2), target: `≤ ${GOALS[i]} ms`, met: p95 <= GOALS[i],
    })
  }
  table.note(`users list: totals agree with the in-memory baseline: ${ok ? 'yes' : `NO (${mismatches.join('; ')})`}`)
  conn.close()
  return { ok }
}
