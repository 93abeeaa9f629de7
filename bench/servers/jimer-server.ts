// Jimer's Node server on a fresh database file (path in JIMER_BENCH_DB); prints
// { url, writeKey, projectId } once it listens, drains and closes on SIGTERM.
import { startNode } from '../../worker/src/node.js'
import { answerCpuQueries } from './probe.js'

const dbPath = process.env.JIMER_BENCH_DB
if (!dbPath) throw new Error('JIMER_BENCH_DB is not set')
// Rate limits off: the load comes from one address, and the bench measures throughput.
const { url, boot, close, writeStats } = await startNode({ dbPath, host: '127.0.0.1', port: 0, collectorLimits: false })
console.log(JSON.stringify({ url, writeKey: boot.writeKey, projectId: boot.projectId }))
answerCpuQueries(writeStats)
process.once('SIGTERM', () => void close().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) }))
