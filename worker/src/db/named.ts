import type { SqlValue, Stmt } from './types.js'

const PARAM = /:([a-zA-Z]+)/g
const paramNames = new Map<string, string[]>()

/**
 * A statement with only the named parameters its SQL uses, taken from a shared pool:
 * libSQL servers refuse unused named arguments. Missing ones bind NULL.
 */
export function named(sql: string, pool: Record<string, SqlValue>): Stmt {
  let names = paramNames.get(sql)
  if (!names) paramNames.set(sql, (names = [...new Set(Array.from(sql.matchAll(PARAM), (x) => x[1]))]))
  const args: Record<string, SqlValue> = {}
  for (const n of names) args[n] = pool[n] ?? null
  return { sql, args }
}
