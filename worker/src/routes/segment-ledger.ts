import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { memberOf } from '../segments/member-of.js'
import { userView } from './segments.js'
import { idParam, ownUser, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

const DAY = 86_400_000

/**
 * The membership ledger (issue 12): every entry and exit, when and why — a user's history
 * in their profile, a segment's recent changes and its daily entered / left counts.
 * A user's rows are read per segment of the project (`memberOf`).
 * Rows are written by trigger (migration 0008); these routes only read them.
 */
export const ledgerRoutes = new Hono<Env>()

/** A user's entries and exits, newest first: (project, user pk, limit). */
export const USER_HISTORY_SQL = `SELECT l.id, l.segment_id, s.name, s.kind, l.entered, l.at, l.cause FROM segment_ledger l JOIN segments s ON s.id = l.segment_id
  WHERE ${memberOf('?1', '?2', 'l')} ORDER BY l.at DESC, l.id DESC LIMIT ?3`

ledgerRoutes.get('/users/:userPk/segment-history', requireProject('viewer'), async (c) => {
  const pk = await ownUser(c.var.deps.db, c.var.projectId, idParam(c, 'userPk'))
  const q = parseOr400(z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }), c.req.query())
  const { rows } = await c.var.deps.db.execute({
    sql: USER_HISTORY_SQL,
    args: [c.var.projectId, pk, q.limit],
  })
  return c.json({ history: rows.map((r) => ({ id: Number(r.id), segment: { id: Number(r.segment_id), name: String(r.name), kind: String(r.kind) }, entered: Boolean(Number(r.entered)), at: Number(r.at), cause: String(r.cause) })) })
})

ledgerRoutes.get('/segments/:segmentId/ledger', requireProject('viewer'), async (c) => {
  const id = await ownSegment(c, idParam(c, 'segmentId'))
  const q = parseOr400(z.object({ before: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }), c.req.query())
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT l.id AS lid, l.entered, l.at, l.cause, u.id, u.user_id, u.email, u.name, u.last_seen FROM segment_ledger l JOIN users u ON u.id = l.user_pk
          WHERE l.project_id = ? AND l.segment_id = ? AND l.id < ? ORDER BY l.id DESC LIMIT ?`,
    args: [c.var.projectId, id, q.before ?? Number.MAX_SAFE_INTEGER, q.limit],
  })
  const changes = rows.map((r) => ({ id: Number(r.lid), user: userView(r), entered: Boolean(Number(r.entered)), at: Number(r.at), cause: String(r.cause) }))
  return c.json({ changes, next: changes.length === q.limit ? changes[changes.length - 1].id : null })
})

/** Entered and left per UTC day, the last `days` days (today included), zeros filled in. */
ledgerRoutes.get('/segments/:segmentId/ledger/daily', requireProject('viewer'), async (c) => {
  const id = await ownSegment(c, idParam(c, 'segmentId'))
  const q = parseOr400(z.object({ days: z.coerce.number().int().refine((d) => [7, 30, 90].includes(d), 'must be 7, 30 or 90').default(30) }), c.req.query())
  const today = Math.floor(c.var.deps.now() / DAY)
  const from = (today - q.days + 1) * DAY
  const { rows } = await c.var.deps.db.execute({
    sql: `SELECT at / ${DAY} AS day, sum(entered) AS entered, sum(1 - entered) AS left FROM segment_ledger
          WHERE segment_id = ? AND project_id = ? AND at >= ? GROUP BY 1`,
    args: [id, c.var.projectId, from],
  })
  const byDay = new Map(rows.map((r) => [Number(r.day), { entered: Number(r.entered), left: Number(r.left) }]))
  const days = Array.from({ length: q.days }, (_, i) => {
    const d = today - q.days + 1 + i
    return { day: new Date(d * DAY).toISOString().slice(0, 10), ...(byDay.get(d) ?? { entered: 0, left: 0 }) }
  })
  return c.json({ days })
})

async function ownSegment(c: { var: Env['Variables'] }, id: number): Promise<number> {
  const { rows } = await c.var.deps.db.execute({ sql: 'SELECT 1 FROM segments WHERE project_id = ? AND id = ?', args: [c.var.projectId, id] })
  if (!rows.length) throw new ApiError(404, 'not_found', `no segment ${id} in this project`)
  return id
}
