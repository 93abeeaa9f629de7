import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { withCause } from '../segments/cause.js'
import { settleMembership } from '../segments/membership-drain.js'
import { checkAttributeTypes } from '../users/attributes.js'
import { idParam, jsonBody, ownUser, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/** The profile side panel (F-30…F-35): one user, their devices, tags, events; edits. */
export const userProfile = new Hono<Env>()

userProfile.get('/users/:userPk', requireProject('viewer'), async (c) => {
  const pk = idParam(c, 'userPk')
  const args = [c.var.projectId, pk]
  const [user, devices, tags, stats] = await c.var.deps.db.batch([
    { sql: 'SELECT * FROM users WHERE project_id = ? AND id = ?', args },
    { sql: 'SELECT anonymous_id, browser, browser_version, os, os_version, device_type, language, timezone, screen, first_seen, last_seen FROM devices WHERE project_id = ? AND user_pk = ? ORDER BY last_seen DESC', args },
    { sql: 'SELECT t.id, t.name, t.color FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE ut.project_id = ? AND ut.user_pk = ? ORDER BY t.name', args },
    { sql: `SELECT count(*) AS total, count(DISTINCT name) AS kinds FROM events INDEXED BY events_user_time WHERE project_id = ? AND user_pk = ? AND type IN ('track', 'page', 'screen')`, args },
  ], 'read')
  const u = user.rows[0]
  if (!u) throw new ApiError(404, 'not_found', `no user ${pk} in this project`)
  const attributes = JSON.parse(String(u.attributes)) as Record<string, unknown>
  const meta = JSON.parse(String(u.attribute_meta)) as Record<string, { s: string; t: number }>
  return c.json({
    id: pk, userId: u.user_id ?? null, anonymousId: u.anonymous_id ?? null, email: u.email ?? null, name: u.name ?? null, status: u.status,
    createdAt: Number(u.created_at), firstSeen: Number(u.first_seen), lastSeen: Number(u.last_seen),
    sessions: Number(u.sessions), eventsCount: Number(u.events_count), experiencesSeen: Number(u.experiences_seen),
    stats: { events: Number(stats.rows[0].total), eventTypes: Number(stats.rows[0].kinds) },
    // Name, value and where it came from (F-31).
    attributes: Object.entries(attributes).map(([name, value]) => ({ name, value, source: meta[name]?.s ?? 'SDK', updatedAt: meta[name]?.t ?? null })),
    devices: devices.rows.map((d) => ({
      jimerId: d.anonymous_id, browser: d.browser, browserVersion: d.browser_version, os: d.os, osVersion: d.os_version, deviceType: d.device_type,
      language: d.language, timezone: d.timezone, screen: d.screen, firstSeen: Number(d.first_seen), lastSeen: Number(d.last_seen),
    })),
    tags: tags.rows.map((t) => ({ id: Number(t.id), name: t.name, color: t.color })),
  })
})

const patch = z.object({
  email: z.string().trim().email().max(320).nullable().optional(),
  name: z.string().trim().min(1).max(1000).nullable().optional(),
  status: z.enum(['active', 'disabled']).optional(),
  /** Values to set; null removes the attribute. */
  attributes: z.record(z.string().min(1).max(255), z.unknown()).optional(),
})

/** Edit properties, disable or activate (F-25); changes are recorded with the source Dashboard. */
userProfile.patch('/users/:userPk', requireProject('editor'), async (c) => {
  const pk = idParam(c, 'userPk')
  const body = await jsonBody(c, patch)
  const { db, writer, now } = c.var.deps
  const exists = await db.execute({ sql: 'SELECT 1 FROM users WHERE project_id = ? AND id = ?', args: [c.var.projectId, pk] })
  if (!exists.rows.length) throw new ApiError(404, 'not_found', `no user ${pk} in this project`)
  await checkAttributeTypes(db, c.var.projectId, body.attributes ?? {})
  const at = now()
  const changed: Record<string, unknown> = { ...body.attributes }
  const meta: Record<string, unknown> = Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v === null ? null : { s: 'Dashboard', t: at }]))
  if (body.email !== undefined) meta.email = body.email === null ? null : { s: 'Dashboard', t: at }
  if (body.name !== undefined) meta.name = body.name === null ? null : { s: 'Dashboard', t: at }
  await writer.write(withCause('dashboard', at, [{
    sql: `UPDATE users SET
            email = CASE WHEN :setEmail THEN :email ELSE email END, name = CASE WHEN :setName THEN :name ELSE name END,
            status = coalesce(:status, status), attributes = json_patch(attributes, :attrs), attribute_meta = json_patch(attribute_meta, :meta), updated_at = :now
          WHERE project_id = :p AND id = :u`,
    args: {
      setEmail: body.email === undefined ? 0 : 1, email: body.email ?? null, setName: body.name === undefined ? 0 : 1, name: body.name ?? null,
      status: body.status ?? null, attrs: JSON.stringify(changed), meta: JSON.stringify(meta), now: at, p: c.var.projectId, u: pk,
    },
  }]))
  // Disabling takes the user out of every dynamic segment; edits may move them in or out.
  await settleMembership(c.var.deps)
  // Field names, not values: the log keeps no personal data that erasure would have to find.
  const fields = [...(body.email !== undefined ? ['email'] : []), ...(body.name !== undefined ? ['name'] : []), ...Object.keys(changed).map((k) => `attributes.${k}`)]
  await audit(c, { verb: body.status === 'disabled' ? 'disable' : body.status === 'active' ? 'activate' : 'update', objectType: 'user', objectId: pk, after: { fields, ...(body.status ? { status: body.status } : {}) } })
  return c.body(null, 204)
})

const eventsQuery = z.object({
  type: z.string().max(200).optional(),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Keyset cursor: `timestamp:id` of the last event of the previous page. */
  before: z.string().regex(/^\d+:\d+$/).optional(),
})

/** The user's events, newest first, with their full payload (F-34). */
userProfile.get('/users/:userPk/events', requireProject('viewer'), async (c) => {
  const pk = await ownUser(c.var.deps.db, c.var.projectId, idParam(c, 'userPk'))
  const q = parseOr400(eventsQuery, c.req.query())
  const where = ['project_id = ?', 'user_pk = ?']
  const args: (string | number)[] = [c.var.projectId, pk]
  if (q.type) { where.push('name = ?'); args.push(q.type) }
  if (q.from !== undefined) { where.push('timestamp >= ?'); args.push(q.from) }
  if (q.to !== undefined) { where.push('timestamp <= ?'); args.push(q.to) }
  if (q.before) {
    const [ts, id] = q.before.split(':').map(Number)
    where.push('(timestamp < ? OR (timestamp = ? AND id < ?))')
    args.push(ts, ts, id)
  }
  const { rows } = await c.var.deps.db.execute({ sql: `SELECT id, type, name, properties, context, timestamp FROM events INDEXED BY events_user_time WHERE ${where.join(' AND ')} ORDER BY timestamp DESC, id DESC LIMIT ?`, args: [...args, q.limit] })
  const events = rows.map((r) => ({ id: Number(r.id), type: r.type, name: r.name, properties: JSON.parse(String(r.properties)), context: JSON.parse(String(r.context)), timestamp: Number(r.timestamp) }))
  const last = events[events.length - 1]
  return c.json({ events, next: events.length === q.limit ? `${last.timestamp}:${last.id}` : null })
})

/** Events per UTC day over the last 7, 30 or 90 days, zeros included, for the chart (F-34). */
userProfile.get('/users/:userPk/events/daily', requireProject('viewer'), async (c) => {
  const pk = await ownUser(c.var.deps.db, c.var.projectId, idParam(c, 'userPk'))
  const { days } = parseOr400(z.object({ days: z.coerce.number().refine((d) => [7, 30, 90].includes(d), 'must be 7, 30 or 90') }), c.req.query())
  const DAY = 86_400_000
  const today = Math.floor(c.var.deps.now() / DAY)
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT timestamp / ${DAY} AS day, count(*) AS n FROM events INDEXED BY events_user_time WHERE project_id = ? AND user_pk = ? AND timestamp >= ? AND type IN ('track', 'page', 'screen') GROUP BY day`,
    args: [c.var.projectId, pk, (today - days + 1) * DAY],
  })
  const counts = new Map(rows.map((r) => [Number(r.day), Number(r.n)]))
  return c.json({ days: Array.from({ length: days }, (_, i) => today - days + 1 + i).map((d) => ({ day: new Date(d * DAY).toISOString().slice(0, 10), count: counts.get(d) ?? 0 })) })
})
