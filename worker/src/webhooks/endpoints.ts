import type { Db, Stmt } from '../db/types.js'
import { randomToken } from '../auth/crypto.js'
import { newWebhookSecret } from './secret.js'

/**
 * The one owner of `webhook_endpoints` and of the deliveries' log as the API shows it; the
 * routes call these by name and hold no SQL. Every statement names its project.
 */

export interface EndpointInput { url: string; description: string; segmentIds: number[] | null; enabled: boolean }

const COLUMNS = `id, url, description, segment_ids, enabled, disabled_reason, failing_since, created_at, updated_at,
  (SELECT count(*) FROM webhook_deliveries d WHERE d.project_id = e.project_id AND d.endpoint_id = e.id AND d.status = 'pending') AS pending,
  (SELECT max(delivered_at) FROM webhook_deliveries d WHERE d.project_id = e.project_id AND d.endpoint_id = e.id) AS last_delivered_at`

/** An endpoint as the API shows it: never its secret. */
function endpointView(r: Record<string, unknown>) {
  return {
    id: String(r.id), url: String(r.url), description: String(r.description),
    segmentIds: r.segment_ids === null ? null : (JSON.parse(String(r.segment_ids)) as number[]),
    enabled: Number(r.enabled) === 1, disabledReason: r.disabled_reason === null ? null : String(r.disabled_reason),
    failingSince: r.failing_since === null ? null : Number(r.failing_since),
    createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
    pending: Number(r.pending ?? 0), lastDeliveredAt: r.last_delivered_at === null || r.last_delivered_at === undefined ? null : Number(r.last_delivered_at),
  }
}
export type EndpointView = ReturnType<typeof endpointView>

export async function listEndpoints(db: Db, projectId: string): Promise<EndpointView[]> {
  const { rows } = await db.execute({ sql: `SELECT ${COLUMNS} FROM webhook_endpoints e WHERE project_id = ? ORDER BY created_at, id`, args: [projectId] })
  return rows.map(endpointView)
}

export async function getEndpoint(db: Db, projectId: string, id: string): Promise<EndpointView | null> {
  const { rows } = await db.execute({ sql: `SELECT ${COLUMNS} FROM webhook_endpoints e WHERE project_id = ? AND id = ?`, args: [projectId, id] })
  return rows[0] ? endpointView(rows[0]) : null
}

/** The ids among these that are no segment of the project. */
export async function unknownSegments(db: Db, projectId: string, ids: number[]): Promise<number[]> {
  if (!ids.length) return []
  const { rows } = await db.execute({ sql: 'SELECT id FROM segments WHERE project_id = ? AND id IN (SELECT value FROM json_each(?))', args: [projectId, JSON.stringify(ids)] })
  const known = new Set(rows.map((r) => Number(r.id)))
  return ids.filter((id) => !known.has(id))
}

/** A new endpoint and its secret (the only time it is read back). It receives what happens from now on. */
export async function createEndpoint(db: Db, projectId: string, input: EndpointInput, now: number): Promise<{ endpoint: EndpointView; secret: string }> {
  const id = 'wh_' + randomToken(9)
  const secret = newWebhookSecret()
  await db.execute({
    sql: `INSERT INTO webhook_endpoints (id, project_id, url, description, segment_ids, enabled, secret, start_after, created_at, updated_at)
          SELECT :id, :p, :url, :description, :segments, :enabled, :secret, coalesce((SELECT max(id) FROM segment_ledger), 0), :now, :now`,
    args: { id, p: projectId, url: input.url, description: input.description, segments: input.segmentIds ? JSON.stringify(input.segmentIds) : null, enabled: Number(input.enabled), secret, now },
  })
  return { endpoint: (await getEndpoint(db, projectId, id))!, secret }
}

/**
 * Changes what was given. Enabling clears the failing streak and the reason it was
 * disabled: its pending deliveries go out again, in order; changes made while it was off
 * are not queued for it.
 */
export async function updateEndpoint(db: Db, projectId: string, id: string, input: Partial<EndpointInput>, now: number): Promise<boolean> {
  const r = await db.execute({
    sql: `UPDATE webhook_endpoints SET url = coalesce(:url, url), description = coalesce(:description, description),
            segment_ids = CASE WHEN :setSegments THEN :segments ELSE segment_ids END,
            enabled = coalesce(:enabled, enabled),
            disabled_reason = CASE WHEN :enabled = 1 THEN NULL ELSE disabled_reason END,
            failing_since = CASE WHEN :enabled = 1 AND enabled = 0 THEN NULL ELSE failing_since END,
            -- What happened while it was off is not queued for it, however late the fan-out runs.
            start_after = CASE WHEN :enabled = 1 AND enabled = 0 THEN max(start_after, coalesce((SELECT max(id) FROM segment_ledger), 0)) ELSE start_after END,
            updated_at = :now
          WHERE project_id = :p AND id = :id`,
    args: {
      p: projectId, id, now, url: input.url ?? null, description: input.description ?? null,
      setSegments: Number(input.segmentIds !== undefined), segments: input.segmentIds ? JSON.stringify(input.segmentIds) : null,
      enabled: input.enabled === undefined ? null : Number(input.enabled),
    },
  })
  return r.rowsAffected > 0
}

/** The endpoint and its whole log; whatever was pending is not sent. */
export async function deleteEndpoint(db: Db, projectId: string, id: string): Promise<{ url: string } | null> {
  const args = { p: projectId, id }
  const [, gone] = await db.batch([
    { sql: 'DELETE FROM webhook_deliveries WHERE project_id = :p AND endpoint_id = :id', args },
    { sql: 'DELETE FROM webhook_endpoints WHERE project_id = :p AND id = :id RETURNING url', args },
  ] satisfies Stmt[], 'write')
  return gone.rows[0] ? { url: String(gone.rows[0].url) } : null
}

/** A new secret; retries of pending deliveries are signed with it from now on. */
export async function rotateSecret(db: Db, projectId: string, id: string, now: number): Promise<string | null> {
  const secret = newWebhookSecret()
  const r = await db.execute({ sql: 'UPDATE webhook_endpoints SET secret = ?, updated_at = ? WHERE project_id = ? AND id = ?', args: [secret, now, projectId, id] })
  return r.rowsAffected ? secret : null
}

function deliveryView(r: Record<string, unknown>) {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v))
  const status = String(r.status)
  return {
    id: Number(r.id), webhookId: String(r.webhook_id), eventType: String(r.event_type), segmentId: Number(r.segment_id), userPk: Number(r.user_pk),
    status, attempts: Number(r.attempts), nextAttemptAt: status === 'pending' ? n(r.next_attempt_at) : null,
    lastStatus: n(r.last_status), lastError: r.last_error === null ? null : String(r.last_error), responseMs: n(r.response_ms),
    deliveredAt: n(r.delivered_at), createdAt: Number(r.created_at), replayOf: n(r.replay_of), payload: JSON.parse(String(r.payload)) as unknown,
  }
}
export type DeliveryView = ReturnType<typeof deliveryView>

const DELIVERY_COLUMNS = 'id, webhook_id, event_type, segment_id, user_pk, status, attempts, next_attempt_at, last_status, last_error, response_ms, delivered_at, created_at, replay_of, payload'

/** Newest first, `before` an id to page on. */
export async function listDeliveries(db: Db, projectId: string, endpointId: string, q: { before?: number; limit: number; status?: string }): Promise<DeliveryView[]> {
  const { rows } = await db.execute({
    sql: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE project_id = :p AND endpoint_id = :e
            AND (:before IS NULL OR id < :before) AND (:status IS NULL OR status = :status) ORDER BY id DESC LIMIT :limit`,
    args: { p: projectId, e: endpointId, before: q.before ?? null, status: q.status ?? null, limit: q.limit },
  })
  return rows.map(deliveryView)
}

/**
 * Sends a delivery again: a new row of the log with the same payload and the same
 * `webhook-id` (it is the same message; a receiver that stored it may skip it), due now,
 * after any pending one of the same user and segment.
 */
export async function replayDelivery(db: Db, projectId: string, endpointId: string, deliveryId: number, now: number): Promise<DeliveryView | null> {
  const { rows } = await db.execute({
    sql: `INSERT INTO webhook_deliveries (project_id, endpoint_id, ledger_id, replay_of, segment_id, user_pk, event_type, payload, webhook_id, status, attempts, next_attempt_at, created_at)
          SELECT project_id, endpoint_id, NULL, id, segment_id, user_pk, event_type, payload, webhook_id, 'pending', 0, :now, :now
          FROM webhook_deliveries WHERE project_id = :p AND endpoint_id = :e AND id = :d
          RETURNING ${DELIVERY_COLUMNS}`,
    args: { p: projectId, e: endpointId, d: deliveryId, now },
  })
  return rows[0] ? deliveryView(rows[0]) : null
}
