/**
 * Segment exports (F-55) of every seeded user (1M): a real Jimer server process streams the
 * export over HTTP, with its default columns (userId, email, name, lastSeen + every declared
 * attribute), and this process reads it as a client would. Figures: rows/s for CSV and for
 * Parquet, the server's peak memory growth (a fresh server per format, so each peak is its
 * own: flat memory means the file is never whole), beside the baseline measured in the same
 * run: the same keyset SELECT, page by page, with no encoding and no HTTP (read after the
 * exports, from the page cache they warmed: read first, it paid for the cold file alone).
 */
import { parquetMetadata } from 'hyparquet'
import { openCachedConnection } from '../worker/src/db/node-db.js'
import { resolveColumns, type AttributeType } from '../worker/src/exports/columns.js'
import { memberPages, PAGE_SIZE } from '../worker/src/exports/members.js'
import { spawnServer } from './lib/server.js'
import { benchDb, USERS } from './segments.js'
import { fmt, type Table } from './table.js'

const SEGMENT_KEY = 'export-bench-all'
/** The seed's attributes, declared so Parquet writes them typed (numbers, booleans, dates). */
const DECLARED: [string, AttributeType][] = [
  ['plan', 'string'], ['seats', 'number'], ['role', 'string'], ['country', 'string'], ['beta', 'boolean'],
  ['signup_date', 'date'], ['mrr', 'number'], ['features', 'list'],
]
const MiB = 1024 * 1024

export async function exportsBench(table: Table): Promise<{ ok: boolean }> {
  const dbPath = await benchDb()
  const conn = openCachedConnection(dbPath)
  const p = (await conn.db.execute('SELECT id, secret_key FROM projects ORDER BY created_at LIMIT 1')).rows[0]
  const projectId = String(p.id)
  const { segmentId, members } = everyoneSegment(conn, projectId)

  const declared = new Map(DECLARED)
  const columns = resolveColumns(undefined, declared)
  const results = []
  for (const format of ['csv', 'parquet'] as const) results.push({ format, ...(await exportOnce(dbPath, projectId, String(p.secret_key), segmentId, format)) })

  // Baseline: the export's own keyset SELECT (same columns, same pages), rows shaped, nothing
  // encoded — after the exports, so that it reads the same warm page cache they did.
  const t0 = performance.now()
  let read = 0
  for await (const page of memberPages(conn.db, projectId, segmentId, columns)) read += page.length
  const baselineRate = read / ((performance.now() - t0) / 1000)
  conn.close()

  let ok = read === members
  const notes: string[] = []
  const goals = { csv: 200_000, parquet: 100_000 }
  for (const r of results) {
    const { format } = r
    const rows = format === 'csv' ? r.lines - 1 : r.parquetRows
    const rate = rows / (r.ms / 1000)
    ok = ok && rows === members
    table.add({
      figure: `${format === 'csv' ? 'CSV' : 'Parquet'} export of ${fmt.int(members)} members (rows/s), server peak RSS +${fmt.int(r.peakGrowth / MiB)} MiB`,
      value: fmt.int(rate),
      baseline: 'same keyset SELECT, no encoding, no HTTP (rows/s)', baselineValue: fmt.int(baselineRate), ratio: fmt.ratio(rate / baselineRate),
      target: `≥ ${fmt.int(goals[format])} rows/s, peak RSS growth ≤ 256 MiB`, met: rate >= goals[format] && r.peakGrowth <= 256 * MiB,
    })
    notes.push(`${format}: ${fmt.int(rows)} rows, ${(r.bytes / MiB).toFixed(1)} MiB in ${(r.ms / 1000).toFixed(1)} s${format === 'parquet' ? `, ${r.rowGroups} row groups` : ''}`)
  }
  table.note(`exports: ${columns.length} columns (${columns.map((c) => c.name).join(', ')}), pages of ${fmt.int(PAGE_SIZE)}; ${notes.join('; ')}; every member exported once: ${ok ? 'yes' : 'NO'}`)
  return { ok }
}

/**
 * A static segment of every user, made once (the bench database is reused) and remade only
 * when its members no longer match the users; the seed's attributes declared alongside.
 */
function everyoneSegment(conn: ReturnType<typeof openCachedConnection>, projectId: string) {
  const one = (sql: string, args: (string | number)[]) => conn.transaction([{ sql, args }], 'read')[0].rows[0]
  const users = Number(one('SELECT count(*) AS n FROM users WHERE project_id = ?', [projectId]).n)
  let seg = one('SELECT id FROM segments WHERE project_id = ? AND key = ?', [projectId, SEGMENT_KEY])
  const have = seg ? Number(one('SELECT count(*) AS n FROM segment_members WHERE segment_id = ?', [Number(seg.id)]).n) : -1
  if (have !== users) {
    process.stderr.write(`bench: exports: a static segment of all ${users} users (once; reused by later runs)…\n`)
    const p = { p: projectId, k: SEGMENT_KEY }
    conn.transaction([
      { sql: 'DELETE FROM segment_members WHERE segment_id IN (SELECT id FROM segments WHERE project_id = :p AND key = :k)', args: p },
      { sql: 'DELETE FROM segments WHERE project_id = :p AND key = :k', args: p },
      { sql: `INSERT INTO segments (project_id, name, kind, key, created_at, updated_at) VALUES (:p, 'Export bench: everyone', 'static', :k, 0, 0)`, args: p },
      { sql: `INSERT INTO segment_members (project_id, segment_id, user_pk, entered_at, computed_at) SELECT project_id, (SELECT id FROM segments WHERE project_id = :p AND key = :k), id, 0, 0 FROM users WHERE project_id = :p`, args: p },
      { sql: `UPDATE segments SET member_count = (SELECT count(*) FROM segment_members WHERE segment_id = segments.id) WHERE project_id = :p AND key = :k`, args: p },
      { sql: 'UPDATE projects SET version = version + 1 WHERE id = :p', args: { p: projectId } },
    ])
    seg = one('SELECT id FROM segments WHERE project_id = ? AND key = ?', [projectId, SEGMENT_KEY])
  }
  conn.transaction(DECLARED.map(([key, type]) => ({
    sql: `INSERT OR IGNORE INTO attribute_definitions (project_id, key, type, created_at) VALUES (?, ?, ?, 0)`, args: [projectId, key, type],
  })))
  return { segmentId: Number(seg.id), members: users }
}

/** One export from a fresh server process, read to the end; its peak RSS over its idle RSS. */
async function exportOnce(dbPath: string, projectId: string, secret: string, segmentId: number, format: 'csv' | 'parquet') {
  const server = await spawnServer<{ url: string }>('jimer-server.ts', { JIMER_BENCH_DB: dbPath })
  const memory = () => new Promise<{ maxRssKiB: number; rss: number }>((ok) => {
    server.child.once('message', (m: { maxRssKiB: number; rss: number }) => ok(m))
    server.child.send('memory')
  })
  try {
    const idle = await memory()
    const t0 = performance.now()
    const res = await fetch(`${server.info.url}/api/projects/${projectId}/segments/${segmentId}/export?format=${format}`, { headers: { authorization: `Bearer ${secret}` } })
    if (res.status !== 200) throw new Error(`export ${format}: ${res.status} ${await res.text()}`)
    let bytes = 0
    let lines = 0
    // Only the end of the file is kept (Parquet's footer), so this process stays small too.
    const tail: Uint8Array[] = []
    let tailBytes = 0
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      if (format === 'csv') {
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++
        continue
      }
      tail.push(chunk)
      tailBytes += chunk.length
      while (tailBytes - tail[0].length > 8 * MiB) tailBytes -= tail.shift()!.length
    }
    const ms = performance.now() - t0
    const peak = await memory()
    const meta = format === 'parquet' ? parquetMetadata(Buffer.concat(tail)) : null
    return {
      ms, bytes, lines, peakGrowth: peak.maxRssKiB * 1024 - idle.rss,
      parquetRows: Number(meta?.num_rows ?? 0), rowGroups: meta?.row_groups.length ?? 0,
    }
  } finally {
    await server.stop()
  }
}
