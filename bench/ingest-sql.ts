/**
 * SQLite time per collector event, in process and without HTTP: the same 50-event
 * batches (the collector bench's messages: 10,000 visitors, track calls) written by the
 * Node write thread's grouped applier (`ingest/apply.ts`) and, as the baseline in the same
 * run, by each message's guarded statement plan (what Node ran before issue 13 and Workers
 * run now). Both on a fresh file each, WAL, default synchronous (FULL), one transaction per
 * batch; runs alternate so that a busy machine slows both alike. `statements` excludes
 * the commit (its fsync), `with commit` includes it.
 */
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { openCachedConnection } from '../worker/src/db/node-db.js'
import { applyWork } from '../worker/src/ingest/apply.js'
import { isRejection, normalizeMessage } from '../worker/src/ingest/normalize.js'
import { planPrepared, prepareMessage, type PreparedMessage } from '../worker/src/ingest/plan.js'
import { bootstrap } from '../worker/src/setup/bootstrap.js'
import { fmt, type Table } from './table.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 20_000)
const BATCH = 50

async function freshDb() {
  const dir = mkdtempSync(join(tmpdir(), 'jimer-ingest-sql-'))
  const path = join(dir, 'bench.db')
  const client = createClient({ url: `file:${path}` })
  await client.execute('PRAGMA journal_mode = WAL')
  await migrate(drizzle(client), { migrationsFolder: resolve(root, 'migrations') })
  const { projectId } = await bootstrap(client, { adminPassword: 'bench password 123', now: Date.now() })
  client.close()
  return { path, projectId, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

function batches(projectId: string, run: string): PreparedMessage[][] {
  const now = Date.now()
  const out: PreparedMessage[][] = []
  for (let b = 0; b < EVENTS / BATCH; b++) {
    const batch: PreparedMessage[] = []
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i
      const raw = { type: 'track', anonymousId: `anon-${Math.floor(Math.random() * 10_000)}`, event: 'Product Viewed', messageId: `${run}-${n}`, properties: { sku: `SKU-${n % 997}`, price: (n % 500) / 10 + 1 } }
      const m = normalizeMessage(raw, { receivedAt: now, source: 'SDK', messageId: () => crypto.randomUUID() })
      if (isRejection(m)) throw new Error(m.message)
      batch.push(prepareMessage(projectId, m, now))
    }
    out.push(batch)
  }
  return out
}

/** µs per event for one path over a fresh database: statements only, and with the commit. */
async function measure(path: 'apply' | 'plan') {
  const db = await freshDb()
  const conn = openCachedConnection(db.path)
  let inside = 0
  let started = 0
  // The first pass makes the visitors (not measured); the second is the steady state: returning visitors.
  for (const [i, batch] of [...batches(db.projectId, `${path}-warm`), ...batches(db.projectId, path)].entries()) {
    if (i === EVENTS / BATCH) { inside = 0; started = performance.now() }
    const stmts = path === 'plan' ? batch.flatMap(planPrepared) : []
    conn.writeTransaction((sql) => {
      const t = performance.now()
      if (path === 'apply') applyWork(sql, [{ ingest: { projectId: db.projectId, messages: batch } }])
      else for (const s of stmts) sql.run(s.sql, s.args)
      inside += performance.now() - t
    })
  }
  const total = performance.now() - started
  conn.close()
  db.dispose()
  return { statements: (inside * 1000) / EVENTS, total: (total * 1000) / EVENTS }
}

export async function ingestSqlBench(table: Table): Promise<{ ok: boolean }> {
  const apply: number[] = [], plan: number[] = [], applyAll: number[] = [], planAll: number[] = []
  for (let i = 0; i < 3; i++) {
    const p = await measure('plan')
    const a = await measure('apply')
    plan.push(p.statements); planAll.push(p.total); apply.push(a.statements); applyAll.push(a.total)
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  table.add({
    figure: `SQLite time per event, ${BATCH}-event batches, statements (in process)`, value: fmt.us(median(apply)),
    baseline: 'guarded statement plan, statements', baselineValue: fmt.us(median(plan)), ratio: fmt.ratio(median(apply) / median(plan)),
    target: '≤ 20 µs', met: median(apply) <= 20,
  })
  table.add({
    figure: 'SQLite time per event, with commit (in process)', value: fmt.us(median(applyAll)),
    baseline: 'guarded statement plan, with commit', baselineValue: fmt.us(median(planAll)), ratio: fmt.ratio(median(applyAll) / median(planAll)),
  })
  table.note(`ingest SQL: ${EVENTS} track events per run, 3 alternating runs per path, medians; runs (µs/event, grouped / plan): ${applyAll.map((a, i) => `${a.toFixed(0)} / ${planAll[i].toFixed(0)}`).join(', ')}`)
  return { ok: true }
}
