import type { Client, InStatement, ResultSet } from '@libsql/client'

/**
 * The database as the core sees it: the shape of a libSQL client. The entry files hand in
 * a real one (`@libsql/client` on Node, `@libsql/client/web` on Workers); this module
 * imports types only, so no runtime code enters the core.
 */
export type Db = Pick<Client, 'execute' | 'batch'>
/** A statement with named (`:name`) or positional (`?`, `?NNN`) arguments — never both. */
export type Stmt = InStatement & { sql: string; args: Record<string, SqlValue> | SqlValue[] }
export type SqlValue = string | number | bigint | null
export type { ResultSet }

/**
 * A synchronous connection inside a transaction that is already open: Node's write thread
 * (db/node-db.ts), the only writer there, so a read inside it stays true until it writes.
 * Statements are prepared once per SQL text.
 */
export interface SyncSql {
  get(sql: string, args: Record<string, SqlValue> | SqlValue[]): Record<string, unknown> | undefined
  all(sql: string, args: Record<string, SqlValue> | SqlValue[]): Record<string, unknown>[]
  run(sql: string, args: Record<string, SqlValue> | SqlValue[]): void
}
