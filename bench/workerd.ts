/**
 * The Workers tier's collector figures (issue 13): Jimer's bundled Worker under workerd
 * (miniflare) beside a bare Hono Worker that reads the body and answers 204, under the
 * same load. Turso cannot run here, so the Worker's libSQL client speaks Hrana over HTTP to
 * the test double (`test/runtime/hrana-server.ts`, the one the workerd tests prove the
 * Worker against) over a local file; that double runs in this process, beside the load
 * generator, so the ratio is a bound for this machine, not Turso's figure. Afterwards the
 * database must hold every event the Worker acknowledged. `BENCH_ONLY=workerd`;
 * `BENCH_WORKERD_CONNECTIONS` (8).
 */
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { resolve } from 'node:path'
import { workerdApp } from '../test/runtime/workerd-app.js'
import { BATCH_SIZE, SETTINGS, batchBody, rate, trackBody } from './collector.js'
import { load, type LoadRun } from './lib/load.js'
import { fmt, type Table } from './table.js'

const root = resolve(import.meta.dirname, '..')

/** The ceiling: Hono in workerd, reading the body and answering 204. */
async function bareWorker(): Promise<{ url: string; close: () => Promise<void> }> {
  const out = await build({
    stdin: { contents: `import { Hono } from 'hono'\nconst app = new Hono()\napp.post('*', async (c) => { await c.req.text(); return c.body(null, 204) })\nexport default app\n`, resolveDir: root, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error',
  })
  const mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'bare.js', contents: out.outputFiles[0].text }], compatibilityDate: '2026-04-26' })
  const url = (await mf.ready).origin
  return { url, close: () => mf.dispose() }
}

export async function workerdBench(table: Table): Promise<{ ok: boolean }> {
  // Fewer connections than the Node figures: each Jimer request here is several Hrana round
  // trips through miniflare's loopback (~40 ms), and 64 in flight would wait out the timeout.
  const s = { ...SETTINGS, connections: Number(process.env.BENCH_WORKERD_CONNECTIONS ?? 8) }
  const bare = await bareWorker()
  let bareTrack: LoadRun, bareBatch: LoadRun
  try {
    bareTrack = await load(bare.url, '/v1/track', s, trackBody('wk_bare', 'wbare-t'))
    bareBatch = await load(bare.url, '/v1/batch', s, batchBody('wk_bare', 'wbare-b'))
  } finally {
    await bare.close()
  }

  const jimer = await workerdApp('bench password')
  let track: LoadRun, batch: LoadRun
  let stored = 0
  try {
    const url = (await jimer.mf.ready).origin
    const writeKey = String((await jimer.db.client.execute({ sql: 'SELECT write_key FROM projects WHERE id = ?', args: [jimer.boot.projectId] })).rows[0].write_key)
    track = await load(url, '/v1/track', s, trackBody(writeKey, 'wt'))
    batch = await load(url, '/v1/batch', s, batchBody(writeKey, 'wb'))
    stored = Number((await jimer.db.client.execute({ sql: 'SELECT count(*) AS n FROM events WHERE project_id = ?', args: [jimer.boot.projectId] })).rows[0].n)
  } finally {
    await jimer.close()
  }
  // A batch's 200 carries each item's fate; this load sends only valid items, so all 50 count.
  const acknowledged = track.acknowledged + batch.acknowledged * BATCH_SIZE
  const trackRps = rate(track), bareRps = rate(bareTrack)
  const batchEps = rate(batch, BATCH_SIZE), bareEps = rate(bareBatch, BATCH_SIZE)
  table.add({
    figure: 'workerd: POST /v1/track, stored before reply (req/s), Hrana double over a file', value: fmt.int(trackRps),
    baseline: 'bare Hono 204 under workerd (req/s)', baselineValue: fmt.int(bareRps), ratio: fmt.ratio(trackRps / bareRps),
  })
  table.add({
    figure: 'workerd: POST /v1/track p99 latency', value: fmt.ms(track.result.latency.p99),
    baseline: 'bare Hono 204 under workerd p99', baselineValue: fmt.ms(bareTrack.result.latency.p99),
    ratio: fmt.ratio(track.result.latency.p99 / Math.max(bareTrack.result.latency.p99, 0.001)),
  })
  table.add({
    figure: `workerd: POST /v1/batch, ${BATCH_SIZE} events/request (events/s)`, value: fmt.int(batchEps),
    baseline: 'bare Hono 204 under workerd (events/s)', baselineValue: fmt.int(bareEps), ratio: fmt.ratio(batchEps / bareEps),
  })
  const failed = [track, batch].reduce((n, r) => n + r.failed.non2xx + r.failed.errors + r.failed.timeouts, 0)
  // Requests still in flight when the load stops are stored without being counted as acknowledged.
  const ok = stored >= acknowledged
  table.note(`workerd: ${acknowledged.toLocaleString('en')} events acknowledged, ${stored.toLocaleString('en')} stored (${ok ? 'every acknowledged one, and those in flight at the end' : 'NOT all'}); ${failed} requests not acknowledged (errors, timeouts, non-2xx); load: autocannon, ${s.connections} connections, ${s.warmup} s warm-up + ${s.duration} s measured, same for both Workers`)
  return { ok }
}
