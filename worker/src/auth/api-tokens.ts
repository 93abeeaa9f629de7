import type { Db } from '../db/types.js'
import { randomToken, tokenHash } from './crypto.js'

/**
 * API tokens (F-71): one scope each. `ingest` sends data to the collector and nothing
 * else; `read` reads the admin API; `write` reads and changes; `admin` is what the project
 * secret key is — everything, members, tokens and keys included, the collector too.
 */
export const SCOPES = ['ingest', 'read', 'write', 'admin'] as const
export type Scope = (typeof SCOPES)[number]

/** Every token starts so: a secret scanner (and a person) can tell one from a write key. */
export const TOKEN_PREFIX = 'jt_'

export interface ApiToken { id: string; projectId: string; name: string; scope: Scope }

/** A new token's text (256 random bits) and the row to store for it: its hash, never the token. */
export async function newToken(): Promise<{ token: string; hash: string; prefix: string }> {
  const token = TOKEN_PREFIX + randomToken(32)
  return { token, hash: await tokenHash(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) }
}

/**
 * The token a Bearer names, or null. Deleting the row revokes it: the next request is
 * refused (nothing caches tokens). Last use is recorded at most once a minute.
 */
export async function tokenForBearer(db: Db, bearer: string, now: number): Promise<ApiToken | null> {
  if (!bearer.startsWith(TOKEN_PREFIX)) return null
  const hash = await tokenHash(bearer)
  const { rows } = await db.execute({ sql: 'SELECT id, project_id, name, scope, last_used_at FROM api_tokens WHERE token_hash = ?', args: [hash] })
  const row = rows[0]
  if (!row) return null
  if (row.last_used_at === null || now - Number(row.last_used_at) > 60_000) {
    await db.execute({ sql: 'UPDATE api_tokens SET last_used_at = ? WHERE id = ?', args: [now, String(row.id)] })
  }
  return { id: String(row.id), projectId: String(row.project_id), name: String(row.name), scope: row.scope as Scope }
}
