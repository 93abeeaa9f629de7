import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { planMessage } from '../ingest/plan.js'
import { isRejection, normalizeMessage } from '../ingest/normalize.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { treeSchema, type ConditionTree } from '../segments/condition.js'
import { loadLibrary } from '../segments/store.js'
import { binder, toSql } from '../segments/to-sql.js'
import { checkAttributeTypes } from '../users/attributes.js'
import { searchIdsSql, searchSql } from '../users/search.js'
import { attributeKeys, columnMatches, prefersColumns } from '../segments/columns.js'
import type { Db } from '../db/types.js'
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
  const projectId = c.var.projectId
  let tree: ConditionTree | undefined
  if (q.filter) {
    let raw: unknown
    try { raw = JSON.parse(q.filter) } catch { throw new ApiError(400, 'invalid_field', 'filter is not valid JSON', 'filter') }
    tree = parseOr400(treeSchema, raw, 'filter.')
  }
  const segments = tree ? (await loadLibrary(db, projectId)).segments : new Map()
  const at = now()
  /** The list's conditions; `probe`: for a walk of the last-seen index in order. */
  const conditions = (b: ReturnType<typeof binder>, probe: boolean) => {
    const where = [`u.project_id = ${b.bind(projectId)}`]
    if (q.status !== 'all') where.push(`u.status = ${b.bind(q.status)}`)
    if (q.q) where.push(searchSql(q.q, q.match, projectId, b.bind, probe))
    if (tree) where.push(toSql(tree, { now: at, segments, projectId, probeOnly: probe }, b.bind))
    return where
  }
  // A filter or a search over the columns in memory (Node), once they are loaded: one loop
  // gives the total and the page. A search's matches come from its index as bare ids and
  // meet the project's users here, so no user row is read per match.
  const columns = c.var.deps.columns
  const inMemory = tree
    ? prefersColumns(tree, segments) && columns?.ready(projectId, attributeKeys(tree, segments))
    : Boolean(q.q) && columns?.ready(projectId, [])
  if (columns && inMemory) {
    let among: number[] | undefined
    if (q.q) {
      const sb = binder()
      const { rows } = await db.execute({ sql: searchIdsSql(q.q, q.match, projectId, sb.bind), args: sb.args })
      among = JSON.parse(String(rows[0]?.ids ?? '[]')) as number[]
    }
    const after = q.after ? q.after.split(':').map(Number) as [number, number] : undefined
    const statuses = q.status === 'all' ? ['active', 'disabled'] : [q.status]
    const { total, page } = await columnMatches(db, columns, tree ?? null, { now: at, segments, projectId }, { statuses, limit: q.limit, after, among })
    const rows = page.length ? (await db.execute({ sql: `SELECT u.id, u.user_id, u.anonymous_id, u.email, u.name, u.status, u.last_seen FROM users u WHERE u.project_id = ? AND u.id IN (${page.map(() => '?').join(', ')})`, args: [projectId, ...page] })).rows : []
    const byPk = new Map(rows.map((r) => [Number(r.id), r]))
    return c.json(await pageView(db, projectId, page.flatMap((pk) => (byPk.has(pk) ? [byPk.get(pk)!] : [])), total, q.limit))
  }
  // The total: exact, from the trigger-kept counts when nothing narrows the list, else
  // counted through the indexes the conditions compile to.
  const narrowed = Boolean(q.q || tree)
  const listed = { sql: `SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE project_id = ?${q.status === 'all' ? '' : ' AND status = ?'}`, args: q.status === 'all' ? [projectId] : [projectId, q.status] }
  const cb = binder()
  const countWhere = conditions(cb, false)
  const [counts, count] = await db.batch([listed, ...(narrowed ? [{ sql: `SELECT count(*) AS n FROM users u WHERE ${countWhere.join(' AND ')}`, args: cb.args }] : [])], 'read')
  const total = Number((count ?? counts).rows[0].n)
  // The page: walking the (project, status, last seen) index in order finds `limit` matches
  // after about limit × listed / total entries, probing each condition's set; when that is
  // many (a rare match), the matches are gathered from their own indexes and sorted instead.
  const walk = !narrowed || total * WALK_LIMIT >= q.limit * Number(counts.rows[0].n)
  const b = binder()
  const where = conditions(b, walk)
  if (q.after) {
    const [lastSeen, id] = q.after.split(':').map(Number)
    where.push(`(u.last_seen < ${b.bind(lastSeen)} OR (u.last_seen = ${b.bind(lastSeen)} AND u.id < ${b.bind(id)}))`)
  }
  const order = walk ? 'u.last_seen DESC, u.id DESC' : '+u.last_seen DESC, u.id DESC'
  const page = await db.execute({ sql: `SELECT u.id, u.user_id, u.anonymous_id, u.email, u.name, u.status, u.last_seen FROM users u WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${b.bind(q.limit)}`, args: b.args })
  return c.json(await pageView(db, projectId, page.rows, total, q.limit))
})

/** A page of the list as the dashboard reads it: each user with their tags, and the cursor to the next page. */
async function pageView(db: Db, projectId: string, rows: Record<string, unknown>[], total: number, limit: number) {
  const ids = rows.map((r) => Number(r.id))
  const tags = ids.length
    ? (await db.execute({ sql: `SELECT ut.user_pk, t.id, t.name, t.color FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE ut.project_id = ? AND ut.user_pk IN (${ids.map(() => '?').join(', ')}) ORDER BY t.name`, args: [projectId, ...ids] })).rows
    : []
  const users = rows.map((r) => ({
    id: Number(r.id), userId: r.user_id ?? null, anonymousId: r.anonymous_id ?? null, email: r.email ?? null, name: r.name ?? null,
    status: r.status, lastSeen: Number(r.last_seen),
    tags: tags.filter((t) => Number(t.user_pk) === Number(r.id)).map((t) => ({ id: Number(t.id), name: t.name, color: t.color })),
  }))
  const last = users[users.length - 1]
  return { total, users, next: users.length === limit ? `${last.lastSeen}:${last.id}` : null }
}

/** Index entries a page may walk before gathering and sorting the matches is cheaper. */
const WALK_LIMIT = 100_000

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
