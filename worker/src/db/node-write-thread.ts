// Node-only: the group-commit runner on its own thread, so that committing (and the fsync
// that makes it durable) overlaps with the main thread parsing the next requests.
import { parentPort, workerData } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { applyWork, type WorkItem } from '../ingest/apply.js'
import { openCachedConnection } from './node-db.js'

const conn = openCachedConnection(workerData.path as string)
// What the bench reads as "SQLite time per event": the time spent inside write transactions.
const stats = { transactions: 0, messages: 0, ms: 0 }
parentPort!.on('message', ({ id, items }: { id: number; items?: WorkItem[] }) => {
  if (!items) return parentPort!.postMessage({ id, stats })
  try {
    const started = performance.now()
    stats.messages += conn.writeTransaction((sql) => applyWork(sql, items))
    stats.ms += performance.now() - started
    stats.transactions++
    parentPort!.postMessage({ id })
  } catch (e) {
    const err = e as { message?: string; code?: string }
    parentPort!.postMessage({ id, error: { message: String(err.message ?? e), code: err.code } })
  }
})
