import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit, auditStmt } from '../audit/log.js'
import { randomToken } from '../auth/crypto.js'
import { ApiError } from '../errors.js'
import { signedInAccount } from '../middleware/account-auth.js'
import { requireAccount, requireProject } from '../middleware/admin-auth.js'
import { eraseProjectStatements } from '../teams/erase-project.js'
import { projectsOf } from '../teams/projects-of.js'
import { jsonBody } from './validate.js'

/**
 * Projects (F-70): `GET/POST /api/projects` for the signed-in account (the switcher lists
 * every project it is a member of; the creator is the new project's admin), and
 * `PATCH/DELETE /api/projects/:projectId` for its admins.
 */
export const projectRoutes = new Hono<AppEnv>()

const name = z.string().trim().min(1).max(200)

projectRoutes.get('/projects', async (c) => {
  const account = await signedInAccount(c)
  return c.json({ projects: await projectsOf(c.var.deps.db, account.accountId) })
})

/**
 * @example fetch('/api/projects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Staging' }) })
 * // 201 {"id":"prj_…","name":"Staging","role":"admin"}
 */
projectRoutes.post('/projects', async (c) => {
  const account = await signedInAccount(c)
  const body = await jsonBody(c, z.object({ name }))
  const { db, now } = c.var.deps
  const id = 'prj_' + randomToken(9)
  const at = now()
  await db.batch([
    { sql: 'INSERT INTO projects (id, name, write_key, secret_key, created_at) VALUES (?, ?, ?, ?, ?)', args: [id, body.name, 'wk_' + randomToken(18), 'sk_' + randomToken(24), at] },
    { sql: `INSERT INTO project_members (project_id, account_id, role) VALUES (?, ?, 'admin')`, args: [id, account.accountId] },
    auditStmt(id, { type: 'account', id: account.accountId, name: account.email }, at, { verb: 'create', objectType: 'project', objectId: id, after: { name: body.name } }),
  ], 'write')
  return c.json({ id, name: body.name, role: 'admin' }, 201)
})

projectRoutes.patch('/projects/:projectId', requireProject('admin'), async (c) => {
  const body = await jsonBody(c, z.object({ name }))
  const { db } = c.var.deps
  const before = await db.execute({ sql: 'SELECT name FROM projects WHERE id = ?', args: [c.var.projectId] })
  await db.execute({ sql: 'UPDATE projects SET name = ? WHERE id = ?', args: [body.name, c.var.projectId] })
  await audit(c, { verb: 'update', objectType: 'project', objectId: c.var.projectId, before: { name: before.rows[0]?.name }, after: { name: body.name } })
  return c.json({ id: c.var.projectId, name: body.name })
})

/**
 * Deletes the project and all its data, for good. The body must repeat the project's name
 * (`{"confirm": "My project"}`), and only a signed-in admin may do it — not a token.
 */
projectRoutes.delete('/projects/:projectId', requireProject('admin'), async (c) => {
  requireAccount(c.var.actor)
  const body = await jsonBody(c, z.object({ confirm: z.string() }))
  const { db, writer } = c.var.deps
  const { rows } = await db.execute({ sql: 'SELECT name FROM projects WHERE id = ?', args: [c.var.projectId] })
  if (!rows[0] || body.confirm !== String(rows[0].name)) throw new ApiError(400, 'name_mismatch', 'type the project\'s name exactly to delete it', 'confirm')
  await writer.write(eraseProjectStatements(c.var.projectId))
  return c.body(null, 204)
})
