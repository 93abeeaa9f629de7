import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { OBJECT_TYPES } from '../audit/log.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/** The audit log, newest first, for admins: `GET /audit?actor=&objectType=&from=&to=&before=&limit=`. */
export const auditRoutes = new Hono<Env>()

const time = z.union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])
const query = z.object({
  /** An account's email or id, or a token's name or id. */
  actor: z.string().trim().min(1).max(320).optional(),
  objectType: z.enum(OBJECT_TYPES).optional(),
  objectId: z.string().min(1).max(200).optional(),
  from: time.optional(),
  to: time.optional(),
  /** The `next` of the previous page. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})

/**
 * @example curl "$HOST/api/projects/$PROJECT/audit?objectType=segment&from=2026-12-01T00:00:00Z" -H "Authorization: Bearer $ADMIN_TOKEN"
 * // {"entries":[{"id":12,"at":…,"actor":{"type":"account","id":"acc_…","name":"ann@example.com"},"action":"segment.update",…}],"next":null}
 */
auditRoutes.get('/audit', requireProject('admin'), async (c) => {
  const q = parseOr400(query, c.req.query())
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT id, at, actor_type, actor_id, actor_name, action, object_type, object_id, summary FROM audit_log
          WHERE project_id = :p AND (:actor IS NULL OR actor_name = :actor OR actor_id = :actor) AND (:type IS NULL OR object_type = :type)
            AND (:object IS NULL OR object_id = :object) AND (:from IS NULL OR at >= :from) AND (:to IS NULL OR at <= :to) AND (:before IS NULL OR id < :before)
          ORDER BY id DESC LIMIT :limit`,
    args: { p: c.var.projectId, actor: q.actor ?? null, type: q.objectType ?? null, object: q.objectId ?? null, from: q.from ?? null, to: q.to ?? null, before: q.before ?? null, limit: q.limit },
  })
  const entries = rows.map((r) => ({
    id: Number(r.id), at: Number(r.at), actor: { type: String(r.actor_type), id: r.actor_id === null ? null : String(r.actor_id), name: String(r.actor_name) },
    action: String(r.action), objectType: String(r.object_type), objectId: r.object_id === null ? null : String(r.object_id), summary: JSON.parse(String(r.summary)),
  }))
  return c.json({ entries, next: entries.length === q.limit ? entries[entries.length - 1].id : null })
})
