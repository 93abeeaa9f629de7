import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { SCOPES, newToken } from '../auth/api-tokens.js'
import { randomToken } from '../auth/crypto.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { jsonBody } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/** API tokens (F-71), admins only: named, one scope, shown once, stored hashed, revocable. */
export const tokenRoutes = new Hono<Env>()

tokenRoutes.get('/tokens', requireProject('admin'), async (c) => {
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT t.id, t.name, t.scope, t.prefix, t.created_at, t.last_used_at, a.email AS created_by FROM api_tokens t
          LEFT JOIN accounts a ON a.id = t.created_by WHERE t.project_id = ? ORDER BY t.created_at DESC, t.id`,
    args: [c.var.projectId],
  })
  return c.json({
    tokens: rows.map((r) => ({
      id: String(r.id), name: String(r.name), scope: String(r.scope), prefix: String(r.prefix), createdAt: Number(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at), createdBy: r.created_by === null ? null : String(r.created_by),
    })),
  })
})

/**
 * A new token; its text is in this answer only.
 * @example curl -X POST "$HOST/api/projects/$PROJECT/tokens" -H "Authorization: Bearer $ADMIN_TOKEN" \
 *   -H 'content-type: application/json' -d '{"name":"CRM sync","scope":"write"}'
 * // 201 {"id":"tok_…","name":"CRM sync","scope":"write","prefix":"jt_AbCdEf","token":"jt_…"}
 */
tokenRoutes.post('/tokens', requireProject('admin'), async (c) => {
  const body = await jsonBody(c, z.object({ name: z.string().trim().min(1).max(100), scope: z.enum(SCOPES) }))
  const { db, now } = c.var.deps
  const id = 'tok_' + randomToken(9)
  const { token, hash, prefix } = await newToken()
  const at = now()
  await db.execute({
    sql: 'INSERT INTO api_tokens (id, project_id, name, scope, token_hash, prefix, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    args: [id, c.var.projectId, body.name, body.scope, hash, prefix, c.var.actor.type === 'account' ? c.var.actor.id : null, at],
  })
  await audit(c, { verb: 'create', objectType: 'token', objectId: id, after: { name: body.name, scope: body.scope, prefix } })
  return c.json({ id, name: body.name, scope: body.scope, prefix, createdAt: at, lastUsedAt: null, token }, 201)
})

/** Revokes a token: the row goes, and the next request with it is refused. */
tokenRoutes.delete('/tokens/:tokenId', requireProject('admin'), async (c) => {
  const id = c.req.param('tokenId')
  const { rows } = await c.var.deps.db.execute({ sql: 'DELETE FROM api_tokens WHERE project_id = ? AND id = ? RETURNING name, scope, prefix', args: [c.var.projectId, id] })
  if (!rows[0]) throw new ApiError(404, 'not_found', `no token ${id} in this project`)
  await audit(c, { verb: 'delete', objectType: 'token', objectId: id, before: { name: rows[0].name, scope: rows[0].scope, prefix: rows[0].prefix } })
  return c.body(null, 204)
})
