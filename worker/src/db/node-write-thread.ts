// Node-only: the group-commit runner on its own thread, so that committing (and the fsync
// that makes it durable) overlaps with the main thread parsing the next requests.
import { parentPort, workerData } from 'node:worker_threads'
import { openCachedConnection } from './node-db.js'
import type { Stmt } from './types.js'

const conn = openCachedConnection(workerData.path as string)
parentPort!.on('message', ({ id, stmts }: { id: number; stmts: Stmt[] }) => {
  try {
    conn.transaction(stmts)
    parentPort!.postMessage({ id })
  } catch (e) {
    const err = e as { message?: string; code?: string }
    parentPort!.postMessage({ id, error: { message: String(err.message ?? e), code: err.code } })
  }
})
