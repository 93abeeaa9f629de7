// Node-only (imported by node.ts and its write thread): the embedded file through the
// `libsql` engine directly, with prepared statements cached by their SQL text.
import Database from 'libsql'
import type { Db, ResultSet, SqlValue, Stmt, SyncSql } from './types.js'

type Statement = ReturnType<InstanceType<typeof Database>['prepare']>
type Args = Record<string, SqlValue> | SqlValue[]

/**
 * `@libsql/client` prepares every statement anew (≈25 µs each here, more than most of our
 * statements take to run). Jimer's statements are a fixed set, so one cache per connection
 * removes that cost. Calls are synchronous under the promise, as in `@libsql/client`'s
 * own file driver.
 */
export function openCachedConnection(path: string) {
  const db = new Database(path, { timeout: 5000 })
  db.exec('PRAGMA busy_timeout = 5000')
  // Temporary tables (an import chunk's stage) and sorts stay in memory, off the disk.
  db.exec('PRAGMA temp_store = MEMORY')
  const cache = new Map<string, Statement>()
  const prepared = (sql: string) => {
    let stmt = cache.get(sql)
    if (!stmt) cache.set(sql, (stmt = db.prepare(sql)))
    return stmt
  }

  const run = (sql: string, args: Args = []): ResultSet => {
    const stmt = prepared(sql)
    if (stmt.reader) {
      const rows = stmt.all(args) as Record<string, unknown>[]
      return { rows, columns: rows[0] ? Object.keys(rows[0]) : [], columnTypes: [], rowsAffected: 0, lastInsertRowid: undefined, toJSON: () => rows } as unknown as ResultSet
    }
    const info = stmt.run(args)
    return { rows: [], columns: [], columnTypes: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid), toJSON: () => ({}) } as unknown as ResultSet
  }

  /**
   * Every statement in one transaction; any failure rolls all of it back. A read batch
   * takes a snapshot (BEGIN DEFERRED) and never the write lock.
   */
  const transaction = (stmts: Stmt[], mode: 'write' | 'read' = 'write'): ResultSet[] => {
    db.exec(mode === 'read' ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE')
    try {
      const results = stmts.map((s) => run(s.sql, s.args))
      db.exec('COMMIT')
      return results
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw e
    }
  }

  /** `fn` inside one write transaction, with synchronous prepared statements; any throw rolls it back. */
  const sync: SyncSql = {
    get: (sql, args) => prepared(sql).get(args) as Record<string, unknown> | undefined,
    all: (sql, args) => prepared(sql).all(args) as Record<string, unknown>[],
    run: (sql, args) => void run(sql, args),
  }
  const writeTransaction = <T>(fn: (sql: SyncSql) => T): T => {
    db.exec('BEGIN IMMEDIATE')
    try {
      const result = fn(sync)
      db.exec('COMMIT')
      return result
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw e
    }
  }

  const asDb: Db = {
    execute: (async (stmt: string | { sql: string; args?: Args }) =>
      typeof stmt === 'string' ? run(stmt) : run(stmt.sql, stmt.args)) as Db['execute'],
    batch: (async (stmts: Stmt[], mode?: string) => transaction(stmts, mode === 'read' ? 'read' : 'write')) as unknown as Db['batch'],
  }
  return { db: asDb, transaction, writeTransaction, close: () => db.close() }
}
