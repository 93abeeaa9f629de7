import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { randomToken } from '../auth/crypto.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { INVITATION_TTL_MS, invitationUrl, newInvitationToken } from '../teams/invitation-token.js'
import { ROLES } from './members.js'
import { jsonBody } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * Invitations (F-70), admins only: a single-use link valid 7 days, shown to copy (a
 * self-hosted install may have no mail server) and, with `SMTP_URL` set, also emailed.
 * Accepting is `POST /api/invitations/accept` (invitation-accept.ts).
 */
export const invitationRoutes = new Hono<Env>()

invitationRoutes.get('/invitations', requireProject('admin'), async (c) => {
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT i.id, i.email, i.role, i.created_at, i.expires_at, a.email AS invited_by FROM invitations i LEFT JOIN accounts a ON a.id = i.invited_by
          WHERE i.project_id = ? AND i.accepted_at IS NULL AND i.expires_at > ? ORDER BY i.created_at DESC, i.id`,
    args: [c.var.projectId, c.var.deps.now()],
  })
  return c.json({
    invitations: rows.map((r) => ({
      id: String(r.id), email: String(r.email), role: String(r.role), createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
      invitedBy: r.invited_by === null ? null : String(r.invited_by),
    })),
  })
})

/**
 * @example fetch(`/api/projects/${id}/invitations`, { method: 'POST', headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ email: 'ann@example.com', role: 'viewer' }) })
 * // 201 {"id":"inv_…","email":"ann@example.com","role":"viewer","expiresAt":…,"url":"https://…/invite#…","emailed":false}
 */
invitationRoutes.post('/invitations', requireProject('admin'), async (c) => {
  const body = await jsonBody(c, z.object({ email: z.string().trim().toLowerCase().email().max(320), role: z.enum(ROLES) }))
  const { db, now, mailer } = c.var.deps
  const member = await db.execute({
    sql: 'SELECT 1 FROM project_members m JOIN accounts a ON a.id = m.account_id WHERE m.project_id = ? AND a.email = ?',
    args: [c.var.projectId, body.email],
  })
  if (member.rows.length) throw new ApiError(409, 'already_member', `${body.email} is a member already`, 'email')
  const id = 'inv_' + randomToken(9)
  const { token, hash } = await newInvitationToken()
  const at = now()
  const expiresAt = at + INVITATION_TTL_MS
  // Inviting the same email again replaces the pending invitation: one live link per person.
  await db.batch([
    { sql: 'DELETE FROM invitations WHERE project_id = ? AND email = ? AND accepted_at IS NULL', args: [c.var.projectId, body.email] },
    {
      sql: 'INSERT INTO invitations (id, project_id, email, role, token_hash, invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      args: [id, c.var.projectId, body.email, body.role, hash, c.var.actor.type === 'account' ? c.var.actor.id : null, at, expiresAt],
    },
  ], 'write')
  await audit(c, { verb: 'create', objectType: 'invitation', objectId: id, after: { email: body.email, role: body.role } })
  const url = invitationUrl(new URL(c.req.url).origin, token)
  let emailed = false
  if (mailer) {
    const project = await db.execute({ sql: 'SELECT name FROM projects WHERE id = ?', args: [c.var.projectId] })
    try {
      await mailer.send({
        to: body.email,
        subject: `You are invited to ${String(project.rows[0]?.name)} on Jimer`,
        text: `${c.var.actor.name} invited you to the project "${String(project.rows[0]?.name)}" on Jimer as ${body.role}.\n\nOpen this link within 7 days to accept:\n${url}\n`,
      })
      emailed = true
    } catch (e) {
      // The link is in the answer all the same: the admin can copy it.
      console.error('invitation email failed', e)
    }
  }
  return c.json({ id, email: body.email, role: body.role, createdAt: at, expiresAt, url, emailed }, 201)
})

invitationRoutes.delete('/invitations/:invitationId', requireProject('admin'), async (c) => {
  const id = c.req.param('invitationId')
  const { rows } = await c.var.deps.db.execute({
    sql: 'DELETE FROM invitations WHERE project_id = ? AND id = ? AND accepted_at IS NULL RETURNING email, role',
    args: [c.var.projectId, id],
  })
  if (!rows[0]) throw new ApiError(404, 'not_found', `no pending invitation ${id} in this project`)
  await audit(c, { verb: 'delete', objectType: 'invitation', objectId: id, before: { email: rows[0].email, role: rows[0].role } })
  return c.body(null, 204)
})
