// Jimer's Node server on a fresh database file (path in JIMER_BENCH_DB); prints
// { url, writeKey, projectId } once it listens, drains and closes on SIGTERM.
import { startNode } from '../../worker/src/node.js'
import { answerCpuQueries } from './probe.js'
import { fiftySegments } from '../segments.js'

const dbPath = process.env.JIMER_BENCH_DB
if (!dbPath) throw new Error('JIMER_BENCH_DB is not set')
// Rate limits off: the load comes from one address, and the bench measures throughput.
const { url, boot, close, writeStats, client } = await startNode({ dbPath, host: '127.0.0.1', port: 0, collectorLimits: false })
// JIMER_BENCH_SEGMENTS=50: the collector measured with 50 dynamic segments defined (membership follows every write).
const segments = Number(process.env.JIMER_BENCH_SEGMENTS ?? 0)
if (segments) {
  await client.batch(fiftySegments([]).slice(0, segments).map((t, i) => ({
    sql: `INSERT INTO segments (project_id, name, kind, conditions, key, created_at, updated_at) VALUES (?, ?, 'dynamic', ?, ?, 0, 0)`,
    args: [boot.projectId, `bench ${i}`, JSON.stringify(t), `bench-${i}`],
  })).concat([{ sql: 'UPDATE projects SET version = version + 1 WHERE id = ?', args: [boot.projectId] }]), 'write')
}
console.log(JSON.stringify({ url, writeKey: boot.writeKey, projectId: boot.projectId }))
answerCpuQueries(writeStats)
process.once('SIGTERM', () => void close().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) }))
