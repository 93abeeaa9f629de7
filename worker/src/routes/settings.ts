import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { randomToken } from '../auth/crypto.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { snippetTag } from './demo.js'
import { jsonBody, parseOr400 } from './validate.js'
import { storedKinds } from '../imports/known-types.js'

type Env = AppEnv & { Variables: ProjectVars }

/** Project settings (F-70, F-71, F-08): keys and their rotation, allowed origins, identity verification. */
export const settingsRoutes = new Hono<Env>()

/** After a secret-key rotation the old key keeps working this long, so servers can be redeployed. */
export const SECRET_OVERLAP_MS = 24 * 3600_000

settingsRoutes.get('/settings', requireProject('viewer'), async (c) => {
  const { rows } = await c.var.deps.db.execute({ sql: 'SELECT id, name, write_key, secret_key, allowed_origins, verification, collect_ip, previous_secret_expires_at FROM projects WHERE id = ?', args: [c.var.projectId] })
  const p = rows[0]
  const origin = new URL(c.req.url).origin
  return c.json({
    project: { id: p.id, name: p.name },
    writeKey: p.write_key,
    // Only admins see the secret key.
    secretKey: c.var.role === 'admin' ? p.secret_key : null,
    previousSecretExpiresAt: p.previous_secret_expires_at === null ? null : Number(p.previous_secret_expires_at),
    allowedOrigins: JSON.parse(String(p.allowed_origins)),
    verification: p.verification,
    collectIp: Boolean(Number(p.collect_ip)),
    snippet: c.var.deps.snippet ? snippetTag(c.var.deps.snippet, String(p.write_key), origin) : null,
  })
})

const origin = z.string().refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o), 'must be * or an origin like https://app.example.com (no path)')

settingsRoutes.patch('/settings', requireProject('admin'), async (c) => {
  const body = await jsonBody(c, z.object({
    name: z.string().trim().min(1).max(200).optional(),
    allowedOrigins: z.array(origin).min(1).max(100).optional(),
    verification: z.enum(['off', 'optional', 'required']).optional(),
    /** Store devices' IP addresses (off by default: an address is personal data Jimer needs for nothing it does). */
    collectIp: z.boolean().optional(),
  }))
  const before = await c.var.deps.db.execute({ sql: 'SELECT name, allowed_origins, verification FROM projects WHERE id = ?', args: [c.var.projectId] })
  await c.var.deps.db.execute({
    sql: 'UPDATE projects SET name = coalesce(:n, name), allowed_origins = coalesce(:o, allowed_origins), verification = coalesce(:v, verification), collect_ip = coalesce(:ip, collect_ip) WHERE id = :p',
    args: { n: body.name ?? null, o: body.allowedOrigins ? JSON.stringify(body.allowedOrigins) : null, v: body.verification ?? null, ip: body.collectIp === undefined ? null : Number(body.collectIp), p: c.var.projectId },
  })
  const b = before.rows[0]
  await audit(c, { verb: 'update', objectType: 'settings', objectId: c.var.projectId, before: { name: b?.name, allowedOrigins: JSON.parse(String(b?.allowed_origins ?? '[]')), verification: b?.verification }, after: body })
  return c.body(null, 204)
})

/**
 * New keys. The write key changes at once (the old one stops: it is public, a leak is why
 * one rotates it); the secret key keeps its predecessor valid for an overlap.
 */
settingsRoutes.post('/settings/rotate', requireProject('admin'), async (c) => {
  const { key } = await jsonBody(c, z.object({ key: z.enum(['write', 'secret']) }))
  const { db, now } = c.var.deps
  if (key === 'write') {
    const writeKey = 'wk_' + randomToken(18)
    await db.execute({ sql: 'UPDATE projects SET write_key = ? WHERE id = ?', args: [writeKey, c.var.projectId] })
    await audit(c, { verb: 'rotate', objectType: 'key', objectId: 'write' })
    return c.json({ writeKey })
  }
  const secretKey = 'sk_' + randomToken(24)
  await db.execute({
    sql: 'UPDATE projects SET previous_secret_key = secret_key, previous_secret_expires_at = :until, secret_key = :k WHERE id = :p',
    args: { k: secretKey, until: now() + SECRET_OVERLAP_MS, p: c.var.projectId },
  })
  await audit(c, { verb: 'rotate', objectType: 'key', objectId: 'secret', after: { previousValidUntil: new Date(now() + SECRET_OVERLAP_MS).toISOString() } })
  return c.json({ secretKey, previousValidUntil: now() + SECRET_OVERLAP_MS })
})

const TYPES = ['string', 'number', 'boolean', 'date', 'list'] as const

/**
 * What the condition builder offers (F-23): declared attributes, and the keys seen on the
 * most recently active users with a type guessed from their values; event names; experiences.
 */
settingsRoutes.get('/catalog', requireProject('viewer'), async (c) => {
  const args = [c.var.projectId]
  const [declared, events, experiences] = await c.var.deps.db.batch([
    { sql: 'SELECT key, type FROM attribute_definitions WHERE project_id = ? ORDER BY key', args },
    // $experience / $response are offered as experience and response conditions, not as raw events.
    { sql: `SELECT DISTINCT name FROM events WHERE project_id = ? AND name NOT IN ('$experience', '$response') ORDER BY name LIMIT 500`, args },
    { sql: 'SELECT DISTINCT experience_id FROM interactions WHERE project_id = ? ORDER BY experience_id LIMIT 500', args },
  ], 'read')
  const stored = await storedKinds(c.var.deps.db, c.var.projectId)
  // Declared first, then the rest by key. `held`: the kind every sampled user's value has (null when they differ); the import mapping starts from it.
  const attributes = new Map<string, { key: string; type: string; declared: boolean; held: string | null }>()
  for (const r of declared.rows) attributes.set(String(r.key), { key: String(r.key), type: String(r.type), declared: true, held: stored.get(String(r.key))?.kind ?? null })
  for (const [key, s] of stored) {
    if (!attributes.has(key)) attributes.set(key, { key, type: s.usual, declared: false, held: s.kind })
  }
  return c.json({ attributes: [...attributes.values()], events: events.rows.map((r) => r.name), experiences: experiences.rows.map((r) => r.experience_id) })
})

/** Custom attribute definitions (F-72): a key, its type and constraints. */
settingsRoutes.get('/attributes', requireProject('viewer'), async (c) => {
  const { rows } = await c.var.deps.db.execute({ sql: 'SELECT key, type, constraints, readable FROM attribute_definitions WHERE project_id = ? ORDER BY key', args: [c.var.projectId] })
  return c.json({ attributes: rows.map((r) => ({ key: r.key, type: r.type, constraints: JSON.parse(String(r.constraints)), readable: Number(r.readable) === 1 })) })
})

// `readable`: jimer.user() may send this attribute to the visitor's own browser (personalization, routes/personalization.ts).
const definition = z.object({ key: z.string().trim().min(1).max(255), type: z.enum(TYPES), constraints: z.record(z.string(), z.unknown()).default({}), readable: z.boolean().default(false) })

settingsRoutes.post('/attributes', requireProject('editor'), async (c) => {
  const d = await jsonBody(c, definition)
  try {
    await c.var.deps.db.execute({ sql: 'INSERT INTO attribute_definitions (project_id, key, type, constraints, readable, created_at) VALUES (?, ?, ?, ?, ?, ?)', args: [c.var.projectId, d.key, d.type, JSON.stringify(d.constraints), d.readable ? 1 : 0, c.var.deps.now()] })
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new ApiError(409, 'attribute_exists', `${d.key} is declared already`, 'key')
    throw e
  }
  await audit(c, { verb: 'create', objectType: 'attribute', objectId: d.key, after: { type: d.type, constraints: d.constraints, readable: d.readable } })
  return c.json(d, 201)
})

settingsRoutes.patch('/attributes/:key', requireProject('editor'), async (c) => {
  // No defaults in a patch: what it leaves out stays as it is.
  const d = await jsonBody(c, z.object({ type: z.enum(TYPES), constraints: z.record(z.string(), z.unknown()), readable: z.boolean() }).partial())
  const r = await c.var.deps.db.execute({
    sql: 'UPDATE attribute_definitions SET type = coalesce(?, type), constraints = coalesce(?, constraints), readable = coalesce(?, readable) WHERE project_id = ? AND key = ?',
    args: [d.type ?? null, d.constraints ? JSON.stringify(d.constraints) : null, d.readable === undefined ? null : d.readable ? 1 : 0, c.var.projectId, parseOr400(z.string().min(1), c.req.param('key'))],
  })
  if (!r.rowsAffected) throw new ApiError(404, 'not_found', `${c.req.param('key')} is not declared`)
  await audit(c, { verb: 'update', objectType: 'attribute', objectId: c.req.param('key'), after: d })
  return c.body(null, 204)
})

settingsRoutes.delete('/attributes/:key', requireProject('editor'), async (c) => {
  const r = await c.var.deps.db.execute({ sql: 'DELETE FROM attribute_definitions WHERE project_id = ? AND key = ?', args: [c.var.projectId, c.req.param('key')] })
  if (!r.rowsAffected) throw new ApiError(404, 'not_found', `${c.req.param('key')} is not declared`)
  await audit(c, { verb: 'delete', objectType: 'attribute', objectId: c.req.param('key') })
  return c.body(null, 204)
})
