import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { jsonBody } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/** Members of a project (F-70) and their roles. The last admin can be neither removed nor demoted. */
export const memberRoutes = new Hono<Env>()

export const ROLES = ['admin', 'editor', 'viewer'] as const

/** True for this project's member `:a` unless they are its only admin: guards a demotion or a removal in the statement itself. */
const NOT_LAST_ADMIN = `(role <> 'admin' OR (SELECT count(*) FROM project_members WHERE project_id = :p AND role = 'admin') > 1)`

memberRoutes.get('/members', requireProject('viewer'), async (c) => {
  const { rows } = await c.var.deps.db.execute({
    sql: 'SELECT m.account_id, a.email, m.role FROM project_members m JOIN accounts a ON a.id = m.account_id WHERE m.project_id = ? ORDER BY a.email',
    args: [c.var.projectId],
  })
  return c.json({ members: rows.map((r) => ({ accountId: String(r.account_id), email: String(r.email), role: String(r.role) })) })
})

async function memberOr404(c: { var: Env['Variables'] }, accountId: string) {
  const { rows } = await c.var.deps.db.execute({
    sql: 'SELECT m.role, a.email FROM project_members m JOIN accounts a ON a.id = m.account_id WHERE m.project_id = ? AND m.account_id = ?',
    args: [c.var.projectId, accountId],
  })
  if (!rows[0]) throw new ApiError(404, 'not_found', `no member ${accountId} in this project`)
  return { role: String(rows[0].role), email: String(rows[0].email) }
}

const lastAdmin = () => new ApiError(409, 'last_admin', 'a project needs an admin: make someone else admin first', 'role')

memberRoutes.patch('/members/:accountId', requireProject('admin'), async (c) => {
  const { role } = await jsonBody(c, z.object({ role: z.enum(ROLES) }))
  const accountId = c.req.param('accountId')
  const before = await memberOr404(c, accountId)
  const r = await c.var.deps.db.execute({
    sql: `UPDATE project_members SET role = :role WHERE project_id = :p AND account_id = :a AND (:role = 'admin' OR ${NOT_LAST_ADMIN})`,
    args: { role, p: c.var.projectId, a: accountId },
  })
  if (!r.rowsAffected) throw lastAdmin()
  await audit(c, { verb: 'update', objectType: 'member', objectId: accountId, before: { email: before.email, role: before.role }, after: { role } })
  return c.json({ accountId, email: before.email, role })
})

memberRoutes.delete('/members/:accountId', requireProject('admin'), async (c) => {
  const accountId = c.req.param('accountId')
  const before = await memberOr404(c, accountId)
  const r = await c.var.deps.db.execute({
    sql: `DELETE FROM project_members WHERE project_id = :p AND account_id = :a AND ${NOT_LAST_ADMIN}`,
    args: { p: c.var.projectId, a: accountId },
  })
  if (!r.rowsAffected) throw lastAdmin()
  await audit(c, { verb: 'delete', objectType: 'member', objectId: accountId, before: { email: before.email, role: before.role } })
  return c.body(null, 204)
})
