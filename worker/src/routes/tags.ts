import { Hono } from 'hono'
import { withCause } from '../segments/cause.js'
import { settleMembership } from '../segments/membership-drain.js'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { idParam, jsonBody, ownUser } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/** Tags (F-40): coloured labels, reusable across users; "Search or create a tag…". */
export const tagRoutes = new Hono<Env>()

const PALETTE = ['#e11d48', '#7c3aed', '#0284c7', '#16a34a', '#f59e0b', '#db2777', '#0d9488', '#4f46e5']
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #12ab34')
const name = z.string().trim().min(1).max(100)

tagRoutes.get('/tags', requireProject('viewer'), async (c) => {
  const { rows } = await c.var.deps.db.execute({
    sql: 'SELECT t.id, t.name, t.color, (SELECT count(*) FROM user_tags ut WHERE ut.tag_id = t.id) AS users FROM tags t WHERE t.project_id = ? ORDER BY t.name',
    args: [c.var.projectId],
  })
  return c.json({ tags: rows.map((r) => ({ id: Number(r.id), name: r.name, color: r.color, users: Number(r.users) })) })
})

tagRoutes.post('/tags', requireProject('editor'), async (c) => {
  const body = await jsonBody(c, z.object({ name, color: color.optional() }))
  const tag = await createTag(c, body.name, body.color)
  await audit(c, { verb: 'create', objectType: 'tag', objectId: tag.id, after: { name: tag.name, color: tag.color } })
  return c.json(tag, 201)
})

tagRoutes.patch('/tags/:tagId', requireProject('editor'), async (c) => {
  const body = await jsonBody(c, z.object({ name: name.optional(), color: color.optional() }))
  const id = idParam(c, 'tagId')
  const before = (await c.var.deps.db.execute({ sql: 'SELECT name, color FROM tags WHERE project_id = ? AND id = ?', args: [c.var.projectId, id] })).rows[0]
  try {
    const r = await c.var.deps.db.execute({ sql: 'UPDATE tags SET name = coalesce(:n, name), color = coalesce(:c, color) WHERE project_id = :p AND id = :id', args: { n: body.name ?? null, c: body.color ?? null, p: c.var.projectId, id } })
    if (!r.rowsAffected) throw new ApiError(404, 'not_found', `no tag ${id} in this project`)
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new ApiError(409, 'tag_exists', `a tag named "${body.name}" exists already`, 'name')
    throw e
  }
  await audit(c, { verb: 'update', objectType: 'tag', objectId: id, before: { name: before?.name, color: before?.color }, after: body })
  return c.body(null, 204)
})

tagRoutes.delete('/tags/:tagId', requireProject('editor'), async (c) => {
  const args = { p: c.var.projectId, id: await ownTag(c, idParam(c, 'tagId')) }
  const before = (await c.var.deps.db.execute({ sql: 'SELECT name FROM tags WHERE project_id = :p AND id = :id', args })).rows[0]
  await c.var.deps.writer.write(withCause('tag', c.var.deps.now(), [
    { sql: 'DELETE FROM user_tags WHERE project_id = :p AND tag_id = :id', args },
    { sql: 'DELETE FROM tags WHERE project_id = :p AND id = :id', args },
  ]))
  await settleMembership(c.var.deps)
  await audit(c, { verb: 'delete', objectType: 'tag', objectId: args.id, before: { name: before?.name } })
  return c.body(null, 204)
})

/** Tag a user with an existing tag (tagId) or by name, creating the tag if it is new. */
tagRoutes.post('/users/:userPk/tags', requireProject('editor'), async (c) => {
  const body = await jsonBody(c, z.union([z.object({ tagId: z.number().int() }), z.object({ name, color: color.optional() })]))
  const { db } = c.var.deps
  const pk = await ownUser(db, c.var.projectId, idParam(c, 'userPk'))
  let tag: { id: number; name: string; color: string }
  if ('tagId' in body) {
    const { rows } = await db.execute({ sql: 'SELECT id, name, color FROM tags WHERE project_id = ? AND id = ?', args: [c.var.projectId, body.tagId] })
    if (!rows[0]) throw new ApiError(404, 'not_found', `no tag ${body.tagId} in this project`)
    tag = { id: Number(rows[0].id), name: String(rows[0].name), color: String(rows[0].color) }
  } else {
    const { rows } = await db.execute({ sql: 'SELECT id, name, color FROM tags WHERE project_id = ? AND name = ?', args: [c.var.projectId, body.name] })
    if (rows[0]) tag = { id: Number(rows[0].id), name: String(rows[0].name), color: String(rows[0].color) }
    else {
      tag = await createTag(c, body.name, body.color)
      await audit(c, { verb: 'create', objectType: 'tag', objectId: tag.id, after: { name: tag.name, color: tag.color } })
    }
  }
  const now = c.var.deps.now()
  await c.var.deps.writer.write(withCause('tag', now, [{ sql: 'INSERT OR IGNORE INTO user_tags (project_id, user_pk, tag_id, created_at) VALUES (:p, :u, :t, :now)', args: { p: c.var.projectId, u: pk, t: tag.id, now } }]))
  await settleMembership(c.var.deps)
  await audit(c, { verb: 'tag', objectType: 'user', objectId: pk, after: { tag: tag.name } })
  return c.json(tag, 201)
})

/** Untags a user; 204 also when the user did not have the tag, 404 when either is not this project's. */
tagRoutes.delete('/users/:userPk/tags/:tagId', requireProject('editor'), async (c) => {
  const u = await ownUser(c.var.deps.db, c.var.projectId, idParam(c, 'userPk'))
  const t = await ownTag(c, idParam(c, 'tagId'))
  await c.var.deps.writer.write(withCause('tag', c.var.deps.now(), [{ sql: 'DELETE FROM user_tags WHERE project_id = :p AND user_pk = :u AND tag_id = :t', args: { p: c.var.projectId, u, t } }]))
  await settleMembership(c.var.deps)
  await audit(c, { verb: 'untag', objectType: 'user', objectId: u, after: { tagId: t } })
  return c.body(null, 204)
})

async function ownTag(c: { var: Env['Variables'] }, id: number): Promise<number> {
  const { rows } = await c.var.deps.db.execute({ sql: 'SELECT 1 FROM tags WHERE project_id = ? AND id = ?', args: [c.var.projectId, id] })
  if (!rows.length) throw new ApiError(404, 'not_found', `no tag ${id} in this project`)
  return id
}

async function createTag(c: { var: Env['Variables'] }, tagName: string, tagColor?: string) {
  const { db, now } = c.var.deps
  const count = Number((await db.execute({ sql: 'SELECT count(*) AS n FROM tags WHERE project_id = ?', args: [c.var.projectId] })).rows[0].n)
  const chosen = tagColor ?? PALETTE[count % PALETTE.length]
  try {
    const { rows } = await db.execute({ sql: 'INSERT INTO tags (project_id, name, color, created_at) VALUES (?, ?, ?, ?) RETURNING id', args: [c.var.projectId, tagName, chosen, now()] })
    return { id: Number(rows[0].id), name: tagName, color: chosen }
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new ApiError(409, 'tag_exists', `a tag named "${tagName}" exists already`, 'name')
    throw e
  }
}
