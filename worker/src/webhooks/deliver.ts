import { Webhook } from 'standardwebhooks'
import type { Db, Stmt } from '../db/types.js'
import { DISABLE_AFTER_MS, retryDelay } from './backoff.js'
import { checkTarget, type TargetPolicy } from './target.js'

/** Per request: a receiver that takes longer is counted as failed (and retried). */
export const DELIVERY_TIMEOUT_MS = 10_000
/** A claimed delivery is left alone by other loops this long (a crash mid-send retries it after). */
const LEASE_MS = DELIVERY_TIMEOUT_MS + 20_000
/** How much of a failed response's body the log keeps. */
const ERROR_BODY_CHARS = 200

export interface DeliveryDeps {
  db: Db
  now: () => number
  fetch: typeof fetch
  target: TargetPolicy
}

interface Claimed { id: number; projectId: string; endpointId: string; url: string; secret: string; webhookId: string; payload: string; attempts: number; failingSince: number | null }

/**
 * Claims the deliveries that are due: pending, their time come, their endpoint enabled, and
 * the first pending one of their (endpoint, segment, user) — so a later entry or exit of the
 * same user in the same segment waits until the earlier one is delivered. Claiming moves
 * `next_attempt_at` past a lease in the same statement, so two loops never take one row.
 */
async function claim(db: Db, now: number, limit: number): Promise<Claimed[]> {
  const claimed = await db.execute({
    sql: `UPDATE webhook_deliveries SET next_attempt_at = :lease WHERE id IN (
            SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.project_id = d.project_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= :now AND e.enabled = 1
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.segment_id = d.segment_id
                AND p.user_pk = d.user_pk AND p.status = 'pending' AND p.id < d.id)
            ORDER BY d.id LIMIT :limit)
          RETURNING id`,
    args: { now, lease: now + LEASE_MS, limit },
  })
  if (!claimed.rows.length) return []
  const { rows } = await db.execute({
    sql: `SELECT d.id, d.project_id, d.endpoint_id, e.url, e.secret, d.webhook_id, d.payload, d.attempts, e.failing_since
          FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.project_id = d.project_id
          WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.id`,
    args: [JSON.stringify(claimed.rows.map((r) => Number(r.id)))],
  })
  return rows.map((r) => ({
    id: Number(r.id), projectId: String(r.project_id), endpointId: String(r.endpoint_id), url: String(r.url), secret: String(r.secret),
    webhookId: String(r.webhook_id), payload: String(r.payload), attempts: Number(r.attempts), failingSince: r.failing_since === null ? null : Number(r.failing_since),
  }))
}

type Outcome = { ok: true; status: number; ms: number } | { ok: false; status: number | null; ms: number | null; error: string }

/** The first characters of a body, without reading a large one whole. */
async function bodyStart(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (text.length < ERROR_BODY_CHARS) {
    const { done, value } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  void reader.cancel().catch(() => {})
  return text.slice(0, ERROR_BODY_CHARS).replace(/\s+/g, ' ').trim()
}

/** One signed POST (Standard Webhooks: webhook-id, webhook-timestamp in seconds, webhook-signature). */
async function send(deps: DeliveryDeps, d: Claimed): Promise<Outcome> {
  const target = await checkTarget(d.url, deps.target)
  if (!('url' in target)) return { ok: false, status: null, ms: null, error: `not sent: ${target.message}` }
  const at = new Date(Math.floor(deps.now() / 1000) * 1000)
  const signature = new Webhook(d.secret).sign(d.webhookId, at, d.payload)
  const started = performance.now()
  try {
    const res = await deps.fetch(target.url, {
      method: 'POST',
      // A redirect could lead past the target check: it counts as a failure, never followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json', 'user-agent': 'Jimer-Webhooks/1',
        'webhook-id': d.webhookId, 'webhook-timestamp': String(at.getTime() / 1000), 'webhook-signature': signature,
      },
      body: d.payload,
    })
    const ms = Math.round(performance.now() - started)
    if (res.status >= 200 && res.status < 300) {
      void res.body?.cancel().catch(() => {})
      return { ok: true, status: res.status, ms }
    }
    const start = await bodyStart(res).catch(() => '')
    const why = res.status >= 300 && res.status < 400 ? `HTTP ${res.status} (redirects are not followed)` : `HTTP ${res.status}`
    return { ok: false, status: res.status, ms, error: start ? `${why}: ${start}` : why }
  } catch (e) {
    const ms = Math.round(performance.now() - started)
    const err = e as Error & { cause?: { code?: string; message?: string } }
    const error = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
      : err.cause?.code ? `${err.cause.code}: ${err.cause.message ?? err.message}` : err.message || String(e)
    return { ok: false, status: null, ms, error }
  }
}

/** What one attempt changes: the delivery's log, and the endpoint's failing streak (and a day of it disables it). */
export function outcomeStatements(d: Pick<Claimed, 'id' | 'projectId' | 'endpointId' | 'attempts'>, o: Outcome, now: number, random: () => number = Math.random): Stmt[] {
  const key = { id: d.id, p: d.projectId, e: d.endpointId, now }
  if (o.ok) {
    return [
      {
        sql: `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = :status, response_ms = :ms, last_error = NULL, delivered_at = :now
              WHERE id = :id AND project_id = :p AND status = 'pending'`,
        args: { ...key, status: o.status, ms: o.ms },
      },
      { sql: 'UPDATE webhook_endpoints SET failing_since = NULL WHERE id = :e AND project_id = :p', args: { e: d.endpointId, p: d.projectId } },
    ]
  }
  return [
    {
      sql: `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = :status, response_ms = :ms, last_error = :error, next_attempt_at = :next
            WHERE id = :id AND project_id = :p AND status = 'pending'`,
      args: { ...key, status: o.status, ms: o.ms, error: o.error.slice(0, 500), next: now + retryDelay(d.attempts + 1, random) },
    },
    { sql: 'UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, :now) WHERE id = :e AND project_id = :p', args: { e: d.endpointId, p: d.projectId, now } },
    {
      sql: `UPDATE webhook_endpoints SET enabled = 0, updated_at = :now,
              disabled_reason = 'every delivery failed for 24 hours (since ' || strftime('%Y-%m-%dT%H:%M:%SZ', failing_since / 1000, 'unixepoch') || '); last error: ' || :error
            WHERE id = :e AND project_id = :p AND enabled = 1 AND failing_since <= :before`,
      args: { e: d.endpointId, p: d.projectId, now, before: now - DISABLE_AFTER_MS, error: o.error.slice(0, 300) },
    },
  ]
}

/**
 * Sends what is due, a few at a time (one key's deliveries are never in flight together:
 * only each key's first is claimed). Returns how many were attempted.
 */
export async function deliverDue(deps: DeliveryDeps, opts: { limit?: number; random?: () => number } = {}): Promise<number> {
  // Backoff and the failing streak count from when the attempt began.
  const at = deps.now()
  const due = await claim(deps.db, at, opts.limit ?? 20)
  const outcomes = await Promise.all(due.map((d) => send(deps, d)))
  if (due.length) await deps.db.batch(due.flatMap((d, i) => outcomeStatements(d, outcomes[i], at, opts.random)), 'write')
  return due.length
}
