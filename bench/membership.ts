/**
 * Membership upkeep (issue 12), three figures:
 * - upkeep cost per ingested event with 50 dynamic segments, beside the same drain with no
 *   segment (in process, a seeded database of BENCH_MEMBERSHIP_USERS users);
 * - time from an acknowledged change to current stored membership, p50 / p99, while the
 *   real Node server takes collector load;
 * - recompute after editing a segment that three others compose, at 1M users.
 */
import { createClient } from '@libsql/client'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../worker/src/app.js'
import { openCachedConnection } from '../worker/src/db/node-db.js'
import { groupCommitWriter, type Writer } from '../worker/src/ingest/writer.js'
import { catchUp } from '../worker/src/segments/membership-drain.js'
import { bumpVersion, markStale, recomputeStale, withComposers } from '../worker/src/segments/membership.js'
import { loadLibrary } from '../worker/src/segments/store.js'
import { userColumns, type UserColumns } from '../worker/src/segments/columns.js'
import { seed } from '../scripts/seed.js'
import { load } from './lib/load.js'
import { spawnServer } from './lib/server.js'
import { benchDb, fiftySegments } from './segments.js'
import { fmt, type Table } from './table.js'

const USERS = Number(process.env.BENCH_MEMBERSHIP_USERS ?? 20_000)
const EVENTS = 10_000
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]
const tree = (...conditions: unknown[]) => JSON.stringify({ version: 1, root: { type: 'group', logic: 'and', conditions } })

export async function membershipBench(table: Table): Promise<{ ok: boolean }> {
  const upkeep = await upkeepPerEvent()
  table.add({
    figure: `membership upkeep per ingested event, 50 dynamic segments (${fmt.int(USERS)} users, ${fmt.int(EVENTS)} events)`, value: fmt.us(upkeep.fifty),
    baseline: 'same drain, no segment', baselineValue: fmt.us(upkeep.none), ratio: fmt.ratio(upkeep.fifty / upkeep.none),
  })
  table.add({ figure: 'collector write per event, 50 dynamic segments (same run, group commit)', value: fmt.us(upkeep.writeFifty), baseline: 'no segment', baselineValue: fmt.us(upkeep.writeNone), ratio: fmt.ratio(upkeep.writeFifty / upkeep.writeNone) })
  const lag = await lagUnderLoad()
  table.add({ figure: `acknowledged change → current membership, p50 (50 segments, ${fmt.int(lag.eventsPerSecond)} events/s load)`, value: fmt.ms(lag.p50), target: '≤ 2,000 ms p99', met: lag.p99 <= 2000 })
  table.add({ figure: 'acknowledged change → current membership, p99', value: fmt.ms(lag.p99), baseline: `${lag.samples} changes, max`, baselineValue: fmt.ms(lag.max), target: '≤ 2,000 ms', met: lag.p99 <= 2000 })
  const edit = await recomputeComposed()
  table.add({ figure: 'recompute after editing a segment three others compose (1M users, 4 segments)', value: fmt.ms(edit.ms), baseline: `${fmt.int(edit.changes)} entries + exits written`, target: '–' })
  table.add({ figure: 'same recompute (edited back), SQL path (Workers)', value: fmt.ms(edit.sql.ms), baseline: `${fmt.int(edit.sql.changes)} entries + exits written`, target: '–' })
  return { ok: lag.missed === 0 }
}

/** Ingests the same events twice over one seeded database, with no segment and with 50, and times the drain that follows each. */
async function upkeepPerEvent() {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-membership-bench-'))
  const dbPath = join(dir, 'jimer.db')
  await seed({ dbPath, users: USERS, eventsPerUser: 4 })
  const conn = openCachedConnection(dbPath)
  const writer = groupCommitWriter(async (stmts) => conn.transaction(stmts))
  const projectId = String((await conn.db.execute('SELECT id FROM projects ORDER BY created_at LIMIT 1')).rows[0].id)
  const writeKey = String((await conn.db.execute({ sql: 'SELECT write_key FROM projects WHERE id = ?', args: [projectId] })).rows[0].write_key)
  const userIds = (await conn.db.execute({ sql: 'SELECT user_id FROM users WHERE project_id = ? AND user_id IS NOT NULL LIMIT 5000', args: [projectId] })).rows.map((r) => String(r.user_id))
  // The collector's own path, with upkeep held: the bench calls the drain and times it alone.
  const app = createApp({ db: conn.db, writer, now: Date.now, membershipHeld: true })
  let n = 0
  const ingest = async () => {
    const t0 = performance.now()
    for (let b = 0; b < EVENTS / 50; b++) {
      const batch = Array.from({ length: 50 }, (_, i) => {
        const userId = userIds[(b * 7 + Math.floor(i / 5)) % userIds.length]
        return i % 5 === 0
          ? { type: 'identify', userId, traits: { plan: ['free', 'pro', 'trial'][n++ % 3], seats: n % 120 } }
          : { type: 'track', userId, event: i % 2 ? 'order_placed' : 'feature_used', properties: { total: n++ % 700 } }
      })
      const r = await app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey, batch }) })
      if (r.status !== 200) throw new Error(`batch: ${r.status} ${await r.text()}`)
    }
    const write = performance.now() - t0
    const t1 = performance.now()
    await catchUp(conn.db, writer, Date.now)
    return { writeUs: (write * 1000) / EVENTS, drainUs: ((performance.now() - t1) * 1000) / EVENTS }
  }
  await catchUp(conn.db, writer, Date.now)
  const none = await ingest()
  const tags = (await conn.db.execute({ sql: 'SELECT id FROM tags WHERE project_id = ?', args: [projectId] })).rows.map((r) => Number(r.id))
  conn.transaction([
    ...fiftySegments(tags).map((t, i) => ({ sql: `INSERT INTO segments (project_id, name, kind, conditions, key, created_at, updated_at) VALUES (?, ?, 'dynamic', ?, ?, 0, 0)`, args: [projectId, `bench ${i}`, JSON.stringify(t), `bench-${i}`] })),
    bumpVersion(projectId),
  ])
  const lib = await loadLibrary(conn.db, projectId)
  await writer.write(markStale(projectId, lib.segments.keys(), 'created', Date.now()))
  await catchUp(conn.db, writer, Date.now)
  const fifty = await ingest()
  conn.close()
  rmSync(dir, { recursive: true, force: true })
  return { none: none.drainUs, fifty: fifty.drainUs, writeNone: none.writeUs, writeFifty: fifty.writeUs }
}

/** The real server under batch load; every 250 ms one user's plan flips, and the stored membership is watched until it follows. */
async function lagUnderLoad() {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-membership-lag-'))
  const dbPath = join(dir, 'jimer.db')
  const server = await spawnServer<{ url: string; writeKey: string; projectId: string }>('jimer-server.ts', { JIMER_BENCH_DB: dbPath })
  const { url, writeKey, projectId } = server.info
  const db = createClient({ url: `file:${dbPath}` })
  const secret = String((await db.execute('SELECT secret_key FROM projects')).rows[0].secret_key)
  const admin = (path: string, body: unknown) => fetch(`${url}/api/projects/${projectId}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  for (const t of fiftySegments([]).slice(0, 49)) await admin('/segments', { name: `bench ${Math.random().toString(36).slice(2, 8)}`, conditions: JSON.parse(JSON.stringify(t)) })
  const probe = await (await admin('/segments', { name: 'flipped', conditions: JSON.parse(tree({ type: 'attribute', key: 'plan', operator: 'is', value: 'flip' })) })).json() as { id: number }
  let seq = 0
  const body = () => JSON.stringify({ writeKey, batch: Array.from({ length: 20 }, (_, i) => ({ type: i % 4 ? 'track' : 'identify', userId: `load-${(seq++ * 13) % 5000}`, event: 'feature_used', traits: { plan: ['free', 'pro'][seq % 2] } })) })
  const lags: number[] = []
  let missed = 0
  let stop = false
  const watcher = (async () => {
    await new Promise((ok) => setTimeout(ok, 1500))
    for (let i = 0; !stop; i++) {
      const userId = `probe-${i}`
      const r = await fetch(`${url}/v1/batch`, { method: 'POST', body: JSON.stringify({ writeKey, batch: [{ type: 'identify', userId, traits: { plan: 'flip' } }] }) })
      const acked = performance.now()
      if (r.status !== 200) { missed++; continue }
      for (;;) {
        const { rows } = await db.execute({ sql: 'SELECT 1 FROM segment_members m JOIN users u ON u.id = m.user_pk WHERE m.segment_id = ? AND u.user_id = ?', args: [probe.id, userId] })
        if (rows.length) { lags.push(performance.now() - acked); break }
        if (performance.now() - acked > 30_000) { missed++; break }
        await new Promise((ok) => setTimeout(ok, 5))
      }
      await new Promise((ok) => setTimeout(ok, 250))
    }
  })()
  const run = await load(url, '/v1/batch', { connections: 16, duration: 12, warmup: 0 }, body)
  stop = true
  await watcher
  await server.stop()
  db.close()
  rmSync(dir, { recursive: true, force: true })
  return { p50: pct(lags, 50), p99: pct(lags, 99), max: Math.max(...lags), samples: lags.length, missed, eventsPerSecond: (run.result['2xx'] * 20) / 12 }
}

/** At 1M users: X (plan is pro) composed by three segments; X is edited, and the four are recomputed. */
async function recomputeComposed() {
  const dbPath = await benchDb()
  const conn = openCachedConnection(dbPath)
  const db = conn.db
  const writer: Writer = groupCommitWriter(async (stmts) => conn.transaction(stmts))
  const projectId = String((await db.execute('SELECT id FROM projects ORDER BY created_at LIMIT 1')).rows[0].id)
  const old = (await db.execute({ sql: `SELECT id FROM segments WHERE project_id = ? AND name LIKE 'composed %'`, args: [projectId] })).rows.map((r) => Number(r.id))
  for (const id of old.reverse()) {
    conn.transaction([
      { sql: 'DELETE FROM segment_members WHERE segment_id = ?', args: [id] }, { sql: 'DELETE FROM segment_ledger WHERE segment_id = ?', args: [id] },
      { sql: 'DELETE FROM segment_stale WHERE segment_id = ?', args: [id] }, { sql: 'DELETE FROM segments WHERE id = ?', args: [id] },
    ])
  }
  const insert = (name: string, conditions: string) => conn.transaction([
    { sql: `INSERT INTO segments (project_id, name, kind, conditions, key, created_at, updated_at) VALUES (?, ?, 'dynamic', ?, ?, 0, 0)`, args: [projectId, name, conditions, name.replace(/\W+/g, '-')] },
    bumpVersion(projectId),
  ])
  insert('composed X', tree({ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }))
  const x = Number((await db.execute({ sql: `SELECT id FROM segments WHERE project_id = ? AND name = 'composed X'`, args: [projectId] })).rows[0].id)
  insert('composed A', tree({ type: 'segment', operator: 'in', segmentId: x }, { type: 'attribute', key: 'country', operator: 'is', value: 'FR' }))
  insert('composed B', JSON.stringify({ version: 1, root: { type: 'group', logic: 'or', conditions: [{ type: 'segment', operator: 'in', segmentId: x }, { type: 'attribute', key: 'seats', operator: 'gte', value: 100 }] } }))
  insert('composed C', tree({ type: 'segment', operator: 'not_in', segmentId: x }, { type: 'attribute', key: 'beta', operator: 'is_true' }))
  let lib = await loadLibrary(db, projectId)
  await writer.write(markStale(projectId, withComposers(lib, x), 'created', Date.now()))
  await recomputeStale(db, writer, Date.now(), projectId)
  // The edit: X becomes "plan is enterprise"; it and its three composers are recomputed, as
  // the Node server does (over the users' columns), then back to "pro" through SQL alone (Workers).
  const columns = userColumns(db)
  await columns.read(projectId, ['plan', 'country', 'seats', 'beta'])
  const edit = async (plan: string, cols?: UserColumns) => {
    conn.transaction([{ sql: 'UPDATE segments SET conditions = ? WHERE id = ?', args: [tree({ type: 'attribute', key: 'plan', operator: 'is', value: plan }), x] }, bumpVersion(projectId)])
    lib = await loadLibrary(db, projectId)
    const before = Number((await db.execute('SELECT coalesce(max(id), 0) AS n FROM segment_ledger')).rows[0].n)
    const t0 = performance.now()
    await writer.write(markStale(projectId, withComposers(lib, x), 'edit', Date.now()))
    await recomputeStale(db, writer, Date.now(), projectId, cols)
    const took = performance.now() - t0
    const changes = Number((await db.execute({ sql: 'SELECT count(*) AS n FROM segment_ledger WHERE id > ?', args: [before] })).rows[0].n)
    return { ms: took, changes }
  }
  const node = await edit('enterprise', columns)
  const sql = await edit('pro')
  conn.close()
  return { ...node, sql }
}
