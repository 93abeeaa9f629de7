// Node-only (imported by node.ts alone): the group-commit writer's runner on the embedded file.
import Database from 'libsql'
import type { Stmt } from './types.js'

/**
 * Runs a list of statements as one write transaction on the embedded database, with
 * prepared statements cached by their SQL text. `@libsql/client` prepares every statement
 * anew (≈25 µs each here); the collector's statements are a fixed set, so caching them is
 * most of the Node write path's throughput. Synchronous by design: a group commits in one
 * go, and nothing else in this process can interleave with it.
 */
export function openBatchRunner(path: string) {
  const db = new Database(path, { timeout: 5000 })
  db.exec('PRAGMA busy_timeout = 5000')
  const cache = new Map<string, ReturnType<typeof db.prepare>>()
  const prepared = (sql: string) => {
    let stmt = cache.get(sql)
    if (!stmt) cache.set(sql, (stmt = db.prepare(sql)))
    return stmt
  }
  return {
    run(stmts: Stmt[]) {
      db.exec('BEGIN IMMEDIATE')
      try {
        for (const s of stmts) prepared(s.sql).run(s.args)
        db.exec('COMMIT')
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw e
      }
    },
    close: () => db.close(),
  }
}
