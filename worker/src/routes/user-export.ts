import { Hono } from 'hono'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { jsonEncoder } from '../exports/json.js'
import { exportStream } from '../exports/stream.js'
import { eventPages, iso, type ExportedEvent } from '../exports/user-events.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { memberOf } from '../segments/member-of.js'
import { idParam } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * All data about one user as JSON (F-37): what a subject-access request asks for. Streamed:
 * the profile and everything small first, the events (which can be many) last, page by page.
 */
export const userExport = new Hono<Env>()

const parse = (x: unknown) => JSON.parse(String(x))

userExport.get('/users/:userPk/export', requireProject('viewer'), async (c) => {
  const pk = idParam(c, 'userPk')
  const args = [c.var.projectId, pk]
  const { db } = c.var.deps
  const [user, devices, aliases, tags, segments, interactions, responses] = await db.batch([
    { sql: 'SELECT * FROM users WHERE project_id = ? AND id = ?', args },
    { sql: 'SELECT * FROM devices WHERE project_id = ? AND user_pk = ? ORDER BY first_seen', args },
    { sql: 'SELECT alias FROM aliases WHERE project_id = ? AND user_pk = ?', args },
    { sql: 'SELECT t.name, t.color, ut.created_at FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE ut.project_id = ? AND ut.user_pk = ?', args },
    { sql: `SELECT s.name, s.key, s.kind, m.entered_at, m.computed_at FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE ${memberOf('?1', '?2', 'm')}`, args },
    { sql: 'SELECT experience_id, experience_name, action, step, steps, timestamp FROM interactions WHERE project_id = ? AND user_pk = ? ORDER BY timestamp', args },
    { sql: 'SELECT experience_id, step, question, answer, timestamp FROM responses WHERE project_id = ? AND user_pk = ? ORDER BY timestamp', args },
  ], 'read')
  const u = user.rows[0]
  if (!u) throw new ApiError(404, 'not_found', `no user ${pk} in this project`)
  const head = {
    exportedAt: new Date(c.var.deps.now()).toISOString(),
    profile: {
      userId: u.user_id, anonymousId: u.anonymous_id, email: u.email, name: u.name, status: u.status,
      createdAt: iso(u.created_at), firstSeen: u.first_seen ? iso(u.first_seen) : null, lastSeen: u.last_seen ? iso(u.last_seen) : null,
      sessions: Number(u.sessions), eventsCount: Number(u.events_count), experiencesSeen: Number(u.experiences_seen),
      attributes: parse(u.attributes), attributeSources: parse(u.attribute_meta),
    },
    aliases: aliases.rows.map((r) => r.alias),
    devices: devices.rows.map((d) => ({ jimerId: d.anonymous_id, browser: d.browser, browserVersion: d.browser_version, os: d.os, osVersion: d.os_version, deviceType: d.device_type, userAgent: d.user_agent, language: d.language, timezone: d.timezone, screen: d.screen, firstSeen: iso(d.first_seen), lastSeen: iso(d.last_seen) })),
    tags: tags.rows.map((t) => ({ name: t.name, color: t.color, taggedAt: iso(t.created_at) })),
    segments: segments.rows.map((s) => ({ name: s.name, key: s.key, kind: s.kind, enteredAt: iso(s.entered_at), computedAt: iso(s.computed_at) })),
    interactions: interactions.rows.map((i) => ({ experience: i.experience_id, name: i.experience_name, action: i.action, step: i.step, steps: i.steps, timestamp: iso(i.timestamp) })),
    responses: responses.rows.map((r) => ({ experience: r.experience_id, step: r.step, question: r.question, answer: r.answer, timestamp: iso(r.timestamp) })),
  }
  const body = await exportStream(eventPages(db, c.var.projectId, pk), (emit) => jsonEncoder<ExportedEvent>(head, 'events', emit))
  await audit(c, { verb: 'export', objectType: 'user', objectId: pk, after: { format: 'json' } })
  c.header('Content-Type', 'application/json; charset=utf-8')
  c.header('Content-Disposition', `attachment; filename="user-${pk}.json"`)
  c.header('Cache-Control', 'no-store')
  return c.body(body)
})
