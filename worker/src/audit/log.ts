import type { AppDeps } from '../app.js'
import type { Db, Stmt } from '../db/types.js'
import type { Actor } from '../middleware/admin-auth.js'

/**
 * The audit log (governance): the one place that writes `audit_log`. Every change made
 * through the admin API appends a row naming who, what, which object and when, with a
 * short before/after summary. Summaries never hold secrets (keys, tokens, passwords and
 * hashes are dropped by name, whatever the caller passes) and never a user's personal data:
 * user rows are described by their pk and the names of the fields that changed, so an
 * erased user leaves nothing of themselves here.
 */

/** Audit rows are kept this long by default (scheduled.ts deletes older ones). */
export const AUDIT_RETENTION_MS = 365 * 86_400_000

export const OBJECT_TYPES = ['project', 'segment', 'tag', 'user', 'attribute', 'import', 'export', 'settings', 'key', 'token', 'member', 'invitation', 'webhook'] as const
export type ObjectType = (typeof OBJECT_TYPES)[number]

export interface AuditEntry {
  /** `verb`: create, update, delete, rotate, … — the row's action is `objectType.verb`. */
  verb: string
  objectType: ObjectType
  objectId?: string | number | null
  before?: Record<string, unknown>
  after?: Record<string, unknown>
}

const SECRET_KEYS = /^(secret.*|write_?key|password.*|token|token_?hash|hash|previous_?secret.*)$/i
const MAX_TEXT = 200
const MAX_SUMMARY = 2000

/** A copy short enough to read in a table row, with every secret-looking key dropped. */
function shorten(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) + '…' : value
  if (value === null || typeof value !== 'object') return value
  if (depth > 3) return '…'
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => shorten(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (!SECRET_KEYS.test(k) && v !== undefined) out[k] = shorten(v, depth + 1)
  return out
}

export function summaryOf(entry: Pick<AuditEntry, 'before' | 'after'>): string {
  const text = JSON.stringify(shorten({ before: entry.before, after: entry.after }))
  return text.length > MAX_SUMMARY ? JSON.stringify({ truncated: text.slice(0, MAX_SUMMARY) }) : text
}

/** The row for one change, to run with the change itself where the caller can batch it. */
export function auditStmt(projectId: string, actor: Actor, at: number, entry: AuditEntry): Stmt {
  return {
    sql: `INSERT INTO audit_log (project_id, at, actor_type, actor_id, actor_name, action, object_type, object_id, summary)
          VALUES (:p, :at, :type, :id, :name, :action, :object, :objectId, :summary)`,
    args: {
      p: projectId, at, type: actor.type, id: actor.id, name: actor.name.slice(0, 320), action: `${entry.objectType}.${entry.verb}`,
      object: entry.objectType, objectId: entry.objectId === undefined || entry.objectId === null ? null : String(entry.objectId), summary: summaryOf(entry),
    },
  }
}

/** Appends one row for a change just made by the caller of an admin route. */
export async function audit(c: { var: { deps: AppDeps; projectId: string; actor: Actor } }, entry: AuditEntry): Promise<void> {
  await c.var.deps.db.execute(auditStmt(c.var.projectId, c.var.actor, c.var.deps.now(), entry))
}

/** Drops rows older than the retention; returns how many went. */
export async function pruneAudit(db: Db, now: number, retentionMs = AUDIT_RETENTION_MS): Promise<number> {
  return (await db.execute({ sql: 'DELETE FROM audit_log WHERE at < ?', args: [now - retentionMs] })).rowsAffected
}
