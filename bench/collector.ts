/**
 * Collector benchmarks (PERFORMANCE): single-event `POST /v1/track` and 50-event
 * `POST /v1/batch` against Jimer's Node server, each beside a bare Hono app on
 * @hono/node-server that reads the body and answers 204 (the ceiling) under the same load.
 * Every server runs in its own process; the load generator (autocannon) runs here.
 * Afterwards the database must hold every event that was acknowledged.
 */
import Database from 'libsql'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load, type LoadRun, type LoadSettings } from './lib/load.js'
import { spawnServer } from './lib/server.js'
import { fmt, type Table } from './table.js'

export const SETTINGS: LoadSettings = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 64),
  duration: Number(process.env.BENCH_DURATION ?? 8),
  warmup: Number(process.env.BENCH_WARMUP ?? 2),
}
export const BATCH_SIZE = 50
const VISITORS = 10_000

const EVENTS = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed', 'Signup Clicked', 'Video Played']
const PLANS = ['free', 'pro', 'team']

/** A body builder: unique message ids (run prefix + counter), visitors spread over 10,000 anonymous ids. */
function messages(run: string) {
  let seq = 0
  return () => {
    const n = seq++
    const visitor = Math.floor(Math.random() * VISITORS)
    const event = EVENTS[n % EVENTS.length]
    return `{"anonymousId":"anon-${visitor}","event":"${event}","messageId":"${run}-${n}",` +
      `"properties":{"sku":"SKU-${n % 997}","price":${(n % 500) / 10 + 1},"plan":"${PLANS[n % 3]}","path":"/products/${n % 997}"}}`
  }
}
export const trackBody = (writeKey: string, run: string) => {
  const next = messages(run)
  return () => `{"writeKey":"${writeKey}",${next().slice(1)}`
}
export const batchBody = (writeKey: string, run: string) => {
  const next = messages(run)
  return () => {
    const items: string[] = []
    for (let i = 0; i < BATCH_SIZE; i++) items.push(`{"type":"track",${next().slice(1)}`)
    return `{"writeKey":"${writeKey}","batch":[${items.join(',')}]}`
  }
}

/** Acknowledged requests (× items per request) per second of the measured run. */
export const rate = (r: LoadRun, perRequest = 1) => (r.result['2xx'] * perRequest) / r.result.duration

function failures(label: string, r: LoadRun) {
  const f = r.failed
  const codes = Object.entries(f.statusCodes).map(([c, n]) => `${c}×${n}`).join(', ')
  return `${label}: non-2xx ${f.non2xx}${codes ? ` (${codes})` : ''}, errors ${f.errors}, timeouts ${f.timeouts}`
}

export async function collectorBench(table: Table): Promise<{ ok: boolean }> {
  const s = SETTINGS
  const loadNote = `load: autocannon, ${s.connections} connections, ${s.warmup} s warm-up + ${s.duration} s measured per figure, same settings for Jimer and the bare baseline`

  // The ceiling first, so Jimer's database work cannot leave the machine busy for it.
  const bare = await spawnServer<{ url: string }>('bare-server.ts')
  let bareTrack: LoadRun, bareBatch: LoadRun
  try {
    bareTrack = await load(bare.info.url, '/v1/track', s, trackBody('wk_bare', 'bare-t'), { cpuMs: bare.cpuMs })
    bareBatch = await load(bare.info.url, '/v1/batch', s, batchBody('wk_bare', 'bare-b'), { cpuMs: bare.cpuMs })
  } finally {
    await bare.stop()
  }

  const dir = mkdtempSync(join(tmpdir(), 'jimer-bench-'))
  const dbPath = join(dir, 'bench.db')
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []
  const jimer = await spawnServer<{ url: string; writeKey: string; projectId: string }>('jimer-server.ts', { JIMER_BENCH_DB: dbPath }, prof)
  let track: LoadRun, batch: LoadRun
  let batchAccepted = 0, batchRejected = 0
  try {
    track = await load(jimer.info.url, '/v1/track', s, trackBody(jimer.info.writeKey, 'jt'), { cpuMs: jimer.cpuMs, writeStats: jimer.writeStats })
    batch = await load(jimer.info.url, '/v1/batch', s, batchBody(jimer.info.writeKey, 'jb'), {
      cpuMs: jimer.cpuMs,
      writeStats: jimer.writeStats,
      onResponse: (status, body) => {
        if (status < 200 || status > 299) return
        const m = /"accepted":(\d+),"rejected":\[(.*)\]/.exec(body)
        batchAccepted += m ? Number(m[1]) : 0
        if (m && m[2]) batchRejected += m[2].split('"index"').length - 1
      },
    })
  } finally {
    const code = await jimer.stop()
    if (code !== 0) console.error(`jimer server exited with ${code}`)
  }

  // The same loads with 50 dynamic segments defined: membership follows every write in the background.
  const segDb = join(dir, 'segments.db')
  const seg = await spawnServer<{ url: string; writeKey: string; projectId: string }>('jimer-server.ts', { JIMER_BENCH_DB: segDb, JIMER_BENCH_SEGMENTS: '50' })
  let segTrack: LoadRun, segBatch: LoadRun
  try {
    segTrack = await load(seg.info.url, '/v1/track', s, trackBody(seg.info.writeKey, 'st'), { cpuMs: seg.cpuMs, writeStats: seg.writeStats })
    segBatch = await load(seg.info.url, '/v1/batch', s, batchBody(seg.info.writeKey, 'sb'), { cpuMs: seg.cpuMs, writeStats: seg.writeStats })
  } finally {
    await seg.stop()
  }
  const segStored = (() => {
    const d = new Database(segDb, { readonly: true })
    try { return Number((d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n) } finally { d.close() }
  })()
  const segAcknowledged = segTrack.acknowledged + segBatch.acknowledged * BATCH_SIZE

  // Everything acknowledged must be stored (the server drained on SIGTERM before exiting).
  const db = new Database(dbPath, { readonly: true })
  const stored = Number((db.prepare('SELECT count(*) AS n FROM events WHERE project_id = ?').get(jimer.info.projectId) as { n: number }).n)
  const profiles = Number((db.prepare('SELECT count(*) AS n FROM users WHERE project_id = ?').get(jimer.info.projectId) as { n: number }).n)
  db.close()
  rmSync(dir, { recursive: true, force: true })
  const acknowledged = track.acknowledged + batchAccepted

  const trackRps = rate(track), bareRps = rate(bareTrack)
  const trackRatio = trackRps / bareRps
  table.add({
    figure: 'POST /v1/track, stored before reply (req/s)', value: fmt.int(trackRps),
    baseline: 'bare Hono 204 (req/s)', baselineValue: fmt.int(bareRps), ratio: fmt.ratio(trackRatio),
    target: '≥ 20,000 req/s, ratio ≥ 0.4', met: trackRps >= 20_000 && trackRatio >= 0.4,
  })
  table.add({
    figure: 'POST /v1/track p50 latency', value: fmt.ms(track.result.latency.p50),
    baseline: 'bare Hono 204 p50', baselineValue: fmt.ms(bareTrack.result.latency.p50),
    ratio: fmt.ratio(track.result.latency.p50 / Math.max(bareTrack.result.latency.p50, 0.001)),
  })
  table.add({
    figure: 'POST /v1/track p99 latency', value: fmt.ms(track.result.latency.p99),
    baseline: 'bare Hono 204 p99', baselineValue: fmt.ms(bareTrack.result.latency.p99),
    ratio: fmt.ratio(track.result.latency.p99 / Math.max(bareTrack.result.latency.p99, 0.001)),
    target: '≤ 25 ms', met: track.result.latency.p99 <= 25,
  })
  const batchEps = rate(batch, BATCH_SIZE), bareEps = rate(bareBatch, BATCH_SIZE)
  table.add({
    figure: `POST /v1/batch, ${BATCH_SIZE} events/request (events/s)`, value: fmt.int(batchEps),
    baseline: 'bare Hono 204 (events/s)', baselineValue: fmt.int(bareEps), ratio: fmt.ratio(batchEps / bareEps),
    target: '≥ 80,000 events/s', met: batchEps >= 80_000,
  })
  table.add({
    figure: `POST /v1/batch p99 latency`, value: fmt.ms(batch.result.latency.p99),
    baseline: 'bare Hono 204 p99', baselineValue: fmt.ms(bareBatch.result.latency.p99),
    ratio: fmt.ratio(batch.result.latency.p99 / Math.max(bareBatch.result.latency.p99, 0.001)),
  })

  const cpuPer = (r: LoadRun, perRequest = 1) => ((r.serverCpuMs ?? NaN) * 1000) / (r.result['2xx'] * perRequest)
  table.add({
    figure: 'POST /v1/track server CPU per request', value: fmt.us(cpuPer(track)),
    baseline: 'bare Hono 204 CPU per request', baselineValue: fmt.us(cpuPer(bareTrack)), ratio: fmt.ratio(cpuPer(track) / cpuPer(bareTrack)),
  })
  table.add({
    figure: `POST /v1/batch server CPU per event`, value: fmt.us(cpuPer(batch, BATCH_SIZE)),
    baseline: 'bare Hono 204 CPU per event', baselineValue: fmt.us(cpuPer(bareBatch, BATCH_SIZE)),
    ratio: fmt.ratio(cpuPer(batch, BATCH_SIZE) / cpuPer(bareBatch, BATCH_SIZE)),
  })

  // Measured inside the write thread: the time its write transactions take (commit and fsync included), per message stored.
  const sqlitePer = (r: LoadRun) => (r.writes && r.writes.messages ? (r.writes.ms * 1000) / r.writes.messages : NaN)
  table.add({
    figure: `SQLite time per event in the write thread (batch)`, value: fmt.us(sqlitePer(batch)),
    baseline: 'same, track (1 event/request)', baselineValue: fmt.us(sqlitePer(track)),
    target: '≤ 20 µs', met: sqlitePer(batch) <= 20,
  })

  table.add({
    figure: 'with 50 dynamic segments: POST /v1/track (req/s)', value: fmt.int(rate(segTrack)),
    baseline: 'no segments, same run (req/s)', baselineValue: fmt.int(trackRps), ratio: fmt.ratio(rate(segTrack) / trackRps),
  })
  table.add({
    figure: 'with 50 dynamic segments: POST /v1/track p99 latency', value: fmt.ms(segTrack.result.latency.p99),
    baseline: 'no segments p99', baselineValue: fmt.ms(track.result.latency.p99),
  })
  table.add({
    figure: `with 50 dynamic segments: POST /v1/batch (events/s)`, value: fmt.int(rate(segBatch, BATCH_SIZE)),
    baseline: 'no segments, same run (events/s)', baselineValue: fmt.int(batchEps), ratio: fmt.ratio(rate(segBatch, BATCH_SIZE) / batchEps),
  })
  table.add({
    figure: 'with 50 dynamic segments: server CPU per track request / batch event', value: `${fmt.us(cpuPer(segTrack))} / ${fmt.us(cpuPer(segBatch, BATCH_SIZE))}`,
    baseline: 'no segments', baselineValue: `${fmt.us(cpuPer(track))} / ${fmt.us(cpuPer(batch, BATCH_SIZE))}`,
  })
  if (segAcknowledged > segStored) table.note(`FAIL: with segments, ${segAcknowledged - segStored} acknowledged events are not stored`)

  table.note(loadNote)
  const pct = (ms: number | undefined, r: LoadRun) => ms === undefined ? '?' : `${Math.round(ms / r.result.duration / 10)}%`
  const busy = (r: LoadRun) => `${pct(r.serverCpuMs, r)}/${pct(r.clientCpuMs, r)}/${pct(r.othersCpuMs, r)}`
  table.note(`CPU during measured runs, % of one core (server/load generator/other processes): track Jimer ${busy(track)}, bare ${busy(bareTrack)}; batch Jimer ${busy(batch)}, bare ${busy(bareBatch)}`)
  table.note(`acknowledged ${acknowledged}, stored ${stored} (track 2xx ${track.acknowledged} + batch events accepted ${batchAccepted}, rejected ${batchRejected}; warm-ups included; ` +
    `stored may exceed acknowledged by the requests in flight when a run stops; ${profiles} profiles)`)
  table.note(failures('collector track (Jimer)', track) + '; ' + failures('batch (Jimer)', batch))
  table.note(failures('collector track (bare)', bareTrack) + '; ' + failures('batch (bare)', bareBatch))
  if (acknowledged > stored) table.note(`FAIL: ${acknowledged - stored} acknowledged events are not stored`)
  return { ok: acknowledged <= stored && batchRejected === 0 && segAcknowledged <= segStored }
}
