import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { planMessage } from '../ingest/plan.js'
import { isRejection, normalizeMessage } from '../ingest/normalize.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { treeSchema } from '../segments/condition.js'
import { loadLibrary } from '../segments/store.js'
import { binder, toSql } from '../segments/to-sql.js'
import { checkAttributeTypes } from '../users/attributes.js'
import { jsonBody, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/** The Users tab (F-20, F-21, F-24, F-25): list, search, filter, create. */
export const userList = new Hono<Env>()

const listQuery = z.object({
  q: z.string().max(255).optional(),
  match: z.enum(['prefix', 'contains']).default('contains'),
  filter: z.string().max(100_000).optional(),
  status: z.enum(['active', 'disabled', 'all']).default('active'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Keyset cursor from the previous page: `lastSeen:id`. */
  after: z.string().regex(/^\d+:\d+$/).optional(),
})

/** Users, most recently active first, with the total that matches. */
userList.get('/users', requireProject('viewer'), async (c) => {
  const q = parseOr400(listQuery, c.req.query())
  const { db, now } = c.var.deps
  const b = binder()
  const where = [`u.project_id = ${b.bind(c.var.projectId)}`]
  if (q.status !== 'all') where.push(`u.status = ${b.bind(q.status)}`)
  if (q.q) {
    // LIKE folds ASCII case; the term's own % and _ are escaped to mean themselves.
    const term = q.q.replace(/[\\%_]/g, (ch) => '\\' + ch)
    const pattern = b.bind(q.match === 'prefix' ? `${term}%` : `%${term}%`)
    where.push(`(u.user_id LIKE ${pattern} ESCAPE '\\' OR u.email LIKE ${pattern} ESCAPE '\\' OR u.name LIKE ${pattern} ESCAPE '\\')`)
  }
  if (q.filter) {
    let raw: unknown
    try { raw = JSON.parse(q.filter) } catch { throw new ApiError(400, 'invalid_field', 'filter is not valid JSON', 'filter') }
    const tree = parseOr400(treeSchema, raw, 'filter.')
    const lib = await loadLibrary(db, c.var.projectId)
    where.push(toSql(tree, { now: now(), segments: lib.segments }, b.bind))
  }
  const countArgs = [...b.args]
  // A search or filter reads every row anyway: one sequential scan beats walking the
  // (project, status, last seen) index with a random row fetch per entry (17 s vs ~2 s at 1M).
  const from = q.q || q.filter ? 'users u NOT INDEXED' : 'users u'
  const countSql = `SELECT count(*) AS n FROM ${from} WHERE ${where.join(' AND ')}`
  if (q.after) {
    const [lastSeen, id] = q.after.split(':').map(Number)
    where.push(`(u.last_seen < ${b.bind(lastSeen)} OR (u.last_seen = ${b.bind(lastSeen)} AND u.id < ${b.bind(id)}))`)
  }
  const [count, page] = await db.batch([
    { sql: countSql, args: countArgs },
    { sql: `SELECT u.id, u.user_id, u.anonymous_id, u.email, u.name, u.status, u.last_seen FROM ${from} WHERE ${where.join(' AND ')} ORDER BY u.last_seen DESC, u.id DESC LIMIT ${b.bind(q.limit)}`, args: b.args },
  ], 'read')
  const ids = page.rows.map((r) => Number(r.id))
  const tags = ids.length
    ? (await db.execute({ sql: `SELECT ut.user_pk, t.id, t.name, t.color FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE ut.project_id = ? AND ut.user_pk IN (${ids.map(() => '?').join(', ')}) ORDER BY t.name`, args: [c.var.projectId, ...ids] })).rows
    : []
  const users = page.rows.map((r) => ({
    id: Number(r.id), userId: r.user_id ?? null, anonymousId: r.anonymous_id ?? null, email: r.email ?? null, name: r.name ?? null,
    status: r.status, lastSeen: Number(r.last_seen),
    tags: tags.filter((t) => Number(t.user_pk) === Number(r.id)).map((t) => ({ id: Number(t.id), name: t.name, color: t.color })),
  }))
  const last = users[users.length - 1]
  return c.json({ total: Number(count.rows[0].n), users, next: users.length === q.limit ? `${last.lastSeen}:${last.id}` : null })
})

const newUser = z.object({
  userId: z.string().trim().min(1).max(255),
  email: z.string().trim().email().max(320).optional(),
  name: z.string().trim().min(1).max(1000).optional(),
  attributes: z.record(z.string().min(1).max(255), z.unknown()).default({}),
})

/** A user made by hand: the same identify path as the collector, with the source Dashboard. */
userList.post('/users', requireProject('editor'), async (c) => {
  const body = await jsonBody(c, newUser)
  const { db, writer, now } = c.var.deps
  const exists = await db.execute({ sql: 'SELECT id FROM users WHERE project_id = ? AND user_id = ?', args: [c.var.projectId, body.userId] })
  if (exists.rows.length) throw new ApiError(409, 'user_exists', `a user with the id "${body.userId}" exists already`, 'userId')
  await checkAttributeTypes(db, c.var.projectId, body.attributes)
  const at = now()
  const message = normalizeMessage(
    { type: 'identify', userId: body.userId, traits: { ...body.attributes, ...(body.email ? { email: body.email } : {}), ...(body.name ? { name: body.name } : {}) } },
    { receivedAt: at, source: 'Dashboard', messageId: () => `dashboard-${crypto.randomUUID()}` },
  )
  if (isRejection(message)) throw new ApiError(400, message.code, message.message, message.field)
  await writer.write(planMessage(c.var.projectId, message, at))
  const { rows } = await db.execute({ sql: 'SELECT id FROM users WHERE project_id = ? AND user_id = ?', args: [c.var.projectId, body.userId] })
  await audit(c, { verb: 'create', objectType: 'user', objectId: Number(rows[0].id) })
  return c.json({ id: Number(rows[0].id) }, 201)
})
