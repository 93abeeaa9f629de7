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
