/**
 * Imports (F-60, F-61, F-64): a generated CSV of 1,000,000 users POSTed to the import API
 * of a real Jimer server as a streamed body, matching by email. Figures: rows/s for a
 * first import (every row creates a user) and for running the same file again (every row
 * matches, nothing changes), and the server's peak memory growth over its idle RSS for a
 * 200,000-row and a 1,000,000-row file — flat memory means the file is never held whole. Baseline in the
 * same run: the raw insert rate of the same rows into libSQL (multi-row INSERTs, 5,000 rows a
 * transaction, no identity, no checks), and, as a note, the same insert with the users
 * table's triggers (typed attributes, search index, totals, change journal) dropped: what
 * those triggers cost every import of new users (issue 13).
 */
import { createClient } from '@libsql/client'
import { mkdirSync, rmSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { spawnServer } from './lib/server.js'
import type { Table } from './table.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dir = resolve(root, '.tmp/bench-imports')
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000)
const SMALL = Math.round(ROWS / 5)
const PLANS = ['free', 'pro', 'team', 'enterprise']

const line = (i: number) => `user${i}@example.com,User ${i},${PLANS[i % 4]},${(i % 50) + 1},2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')},${i % 3 === 0 ? 'yes' : 'no'}\n`
const HEADER = 'email,name,plan,seats,signup_date,beta\n'

/** The file, made as it is sent: never whole in this process either. */
function csvStream(rows: number): ReadableStream<Uint8Array> {
  const enc = new TextEncoder()
  let i = -1
  return new ReadableStream({
    pull(c) {
      if (i >= rows) return c.close()
      let text = i < 0 ? HEADER : ''
      if (i < 0) i = 0
      const end = Math.min(rows, i + 2000)
      for (; i < end; i++) text += line(i)
      if (i >= rows) i = rows + 1
      c.enqueue(enc.encode(text))
    },
  })
}

interface Info { url: string; projectId: string }

async function server(name: string) {
  rmSync(resolve(dir, name), { recursive: true, force: true })
  mkdirSync(resolve(dir, name), { recursive: true })
  const dbPath = resolve(dir, name, 'jimer.db')
  const s = await spawnServer<Info>('jimer-server.ts', { JIMER_BENCH_DB: dbPath })
  const db = createClient({ url: `file:${dbPath}` })
  const secret = String((await db.execute('SELECT secret_key FROM projects')).rows[0].secret_key)
  db.close()
  const memory = () => new Promise<number>((ok) => {
    s.child.once('message', (m: { maxRssKiB: number }) => ok(m.maxRssKiB / 1024))
    s.child.send('memory')
  })
  const idle = await memory()
  const importFile = async (rows: number) => {
    const started = performance.now()
    const res = await fetch(`${s.info.url}/api/projects/${s.info.projectId}/imports?name=bench&match=email`, {
      method: 'POST', body: csvStream(rows), headers: { 'content-type': 'text/csv', authorization: `Bearer ${secret}` }, duplex: 'half',
    } as RequestInit)
    const body = await res.json() as { status: string; rowsTotal: number; created: number; updated: number; unchanged: number; skipped: number }
    const seconds = (performance.now() - started) / 1000
    if (res.status !== 201 || body.status !== 'done' || body.rowsTotal !== rows || body.skipped !== 0) throw new Error(`import answered ${res.status} ${JSON.stringify(body)}`)
    return { seconds, rate: rows / seconds, body }
  }
  /** Peak RSS over the idle server's, in MiB: what the import itself cost. */
  const growth = async () => (await memory()) - idle
  return { importFile, growth, stop: s.stop }
}

/** The floor: the same rows straight into a migrated users table, 5,000 per multi-row INSERT. */
async function rawInsert(rows: number, opts: { triggers: boolean } = { triggers: true }) {
  rmSync(resolve(dir, 'raw'), { recursive: true, force: true })
  mkdirSync(resolve(dir, 'raw'), { recursive: true })
  const db = createClient({ url: `file:${resolve(dir, 'raw', 'jimer.db')}` })
  await db.execute('PRAGMA journal_mode = WAL')
  await migrate(drizzle(db), { migrationsFolder: resolve(root, 'migrations') })
  if (!opts.triggers) {
    const { rows: triggers } = await db.execute(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'users'`)
    for (const t of triggers) await db.execute(`DROP TRIGGER "${String(t.name)}"`)
  }
  const started = performance.now()
  for (let at = 0; at < rows; at += 5000) {
    // 5,000 rows a transaction, as an import chunk; 1,000 rows a statement (SQLite's variable limit).
    const stmts = []
    for (let from = at; from < Math.min(rows, at + 5000); from += 1000) {
      const n = Math.min(1000, rows - from)
      const values: (string | number)[] = []
      for (let i = from; i < from + n; i++) {
        const [email, name, plan, seats, day, beta] = line(i).trim().split(',')
        values.push('p', email, name, JSON.stringify({ plan, seats: Number(seats), signup_date: day, beta: beta === 'yes' }), 0, 0, 0, 0)
      }
      stmts.push({ sql: `INSERT INTO users (project_id, email, name, attributes, created_at, first_seen, last_seen, updated_at) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`, args: values })
    }
    await db.batch(stmts, 'write')
  }
  const seconds = (performance.now() - started) / 1000
  db.close()
  return rows / seconds
}

export async function importsBench(table: Table): Promise<{ ok: boolean }> {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  const raw = await rawInsert(ROWS)
  const bare = await rawInsert(ROWS, { triggers: false })

  const small = await server('small')
  await small.importFile(SMALL)
  const smallPeak = await small.growth()
  await small.stop()

  const big = await server('big')
  const first = await big.importFile(ROWS)
  const bigPeak = await big.growth()
  const again = await big.importFile(ROWS)
  await big.stop()
  if (first.body.created !== ROWS || again.body.unchanged !== ROWS) throw new Error(`counts: ${JSON.stringify([first.body, again.body])}`)

  const label = `${(ROWS / 1e6).toLocaleString('en-US')}M-row CSV`
  table.add({ figure: `import ${label} by email, new users (rows/s)`, value: fmt(first.rate), baseline: 'raw INSERT of the same rows (rows/s)', baselineValue: fmt(raw), ratio: (first.rate / raw).toFixed(2), target: '≥ 100,000 rows/s', met: first.rate >= 100_000 })
  table.add({ figure: `import the same ${label} again, all matched (rows/s)`, value: fmt(again.rate), baseline: 'raw INSERT of the same rows (rows/s)', baselineValue: fmt(raw), ratio: (again.rate / raw).toFixed(2), target: '≥ 100,000 rows/s', met: again.rate >= 100_000 })
  table.add({ figure: `import server peak RSS growth, ${fmt(ROWS)} rows (MiB)`, value: bigPeak.toFixed(0), baseline: `same, ${fmt(SMALL)} rows (MiB)`, baselineValue: smallPeak.toFixed(0), ratio: (bigPeak / smallPeak).toFixed(2), target: 'flat (ratio ≤ 1.2)', met: bigPeak / smallPeak <= 1.2 })
  table.note(`imports: the raw INSERT without the users table's triggers ${fmt(bare)} rows/s (with them ${fmt(raw)}): the triggers' share of a new user's insert is ${Math.round((1 - raw / bare) * 100)} %`)
  table.note(`imports: first run ${first.seconds.toFixed(1)} s (${JSON.stringify({ created: first.body.created })}), second run ${again.seconds.toFixed(1)} s (${JSON.stringify({ unchanged: again.body.unchanged })})`)
  rmSync(dir, { recursive: true, force: true })
  return { ok: true }
}
