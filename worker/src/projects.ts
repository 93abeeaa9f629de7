import { tokenForBearer, type Scope } from './auth/api-tokens.js'
import type { Db } from './db/types.js'

export interface ProjectKeys {
  id: string
  allowedOrigins: string[]
  /** off: never checked; optional: checked when sent; required: every write-key call with a userId. */
  verification: 'off' | 'optional' | 'required'
  /** Store the device's IP address (off by default; see collect.ts withIp). */
  collectIp: boolean
  /** The secret key, and the previous one while its rotation overlap lasts. */
  secrets: string[]
  /** The project has erased someone (has suppressions): only then does the collector look its ids up. */
  erasedAny: boolean
}

/**
 * Finds the project a collector key belongs to. The public write key may only send;
 * the secret key (server SDKs) marks what it sends as coming from the API, and so does an
 * API token whose scope is in `tokenScopes` (the collector takes ingest and admin tokens).
 */
export async function projectForKey(db: Db, key: string, now: number, tokenScopes: readonly Scope[] = [], cache?: ProjectKeyCache): Promise<KeyOwner | null> {
  const token = await tokenForBearer(db, key, now)
  if (token) {
    if (!tokenScopes.includes(token.scope)) return null
    const { rows } = await db.execute({
      sql: `SELECT allowed_origins, verification, collect_ip, secret_key, CASE WHEN previous_secret_expires_at > :now THEN previous_secret_key END AS previous_secret_key,
              EXISTS (SELECT 1 FROM suppressions WHERE project_id = projects.id) AS erased_any FROM projects WHERE id = :p`,
      args: { p: token.projectId, now },
    })
    return rows[0] ? { project: keysOf(token.projectId, rows[0]), secret: true } : null
  }
  const known = cache?.get(key, now)
  if (known) return known
  const { rows } = await db.execute({
    sql: `SELECT id, allowed_origins, verification, collect_ip, write_key = :k AS public, secret_key,
            CASE WHEN previous_secret_expires_at > :now THEN previous_secret_key END AS previous_secret_key,
            CASE WHEN previous_secret_expires_at > :now THEN previous_secret_expires_at END AS previous_expires,
            EXISTS (SELECT 1 FROM suppressions WHERE project_id = projects.id) AS erased_any FROM projects WHERE write_key = :k OR secret_key = :k
          OR (previous_secret_key = :k AND previous_secret_expires_at > :now) LIMIT 1`,
    args: { k: key, now },
  })
  const row = rows[0]
  if (!row) return null
  const found = { project: keysOf(String(row.id), row), secret: !Number(row.public) }
  cache?.set(key, found, now, row.previous_expires == null ? null : Number(row.previous_expires))
  return found
}

export interface KeyOwner { project: ProjectKeys; secret: boolean }

/**
 * The collector's key lookups, remembered by a process that holds the database alone (Node:
 * `node.ts` makes one; Workers' isolates cannot see each other's changes and have none).
 * The lookup was ~14 % of the collector's main thread under load. `createApp` clears it after
 * every admin change (any non-GET call under /api, erasures included), so a new key, a
 * setting or a project's first erasure holds from the next request on, as without it. An
 * entry lasts `ttlMs` at most, for a change made by another process, and never past the
 * rotation overlap of the previous secret it holds. Unknown keys are not remembered.
 */
export class ProjectKeyCache {
  private entries = new Map<string, { found: KeyOwner; until: number }>()
  constructor(private readonly ttlMs = 30_000, private readonly max = 10_000) {}

  get(key: string, now: number): KeyOwner | undefined {
    const e = this.entries.get(key)
    if (e && now < e.until) return e.found
    if (e) this.entries.delete(key)
    return undefined
  }

  set(key: string, found: KeyOwner, now: number, previousSecretUntil: number | null) {
    if (this.entries.size >= this.max) this.entries.clear()
    this.entries.set(key, { found, until: Math.min(now + this.ttlMs, previousSecretUntil ?? Infinity) })
  }

  clear() { this.entries.clear() }
}

function keysOf(id: string, row: Record<string, unknown>): ProjectKeys {
  return {
    id,
    allowedOrigins: JSON.parse(String(row.allowed_origins)) as string[],
    verification: row.verification as ProjectKeys['verification'],
    collectIp: Boolean(Number(row.collect_ip)),
    secrets: [row.secret_key, row.previous_secret_key].filter((k): k is string => typeof k === 'string'),
    erasedAny: Boolean(Number(row.erased_any)),
  }
}

export function originAllowed(project: ProjectKeys, origin: string | undefined): boolean {
  return !origin || project.allowedOrigins.includes('*') || project.allowedOrigins.includes(origin)
}
